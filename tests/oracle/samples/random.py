"""Samples for ember/ops/random.py (random ops are compared by statistics in tests/test_random.py;
only deterministic properties appear here)."""

CASES = []
