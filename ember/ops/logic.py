"""Logic and tests: isclose, allclose, equal, isnan/isinf/isfinite, logical_*, bitwise_*, shifts, where."""

from __future__ import annotations

__all__ = []
