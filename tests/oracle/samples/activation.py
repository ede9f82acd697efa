"""Samples for ember/ops/activation.py."""

CASES = []
