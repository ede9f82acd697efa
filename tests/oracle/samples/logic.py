"""Samples for ember/ops/logic.py."""

CASES = []
