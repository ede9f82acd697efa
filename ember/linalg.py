"""ember.linalg: norms, inverses, decompositions, solvers (``torch.linalg``)."""

from __future__ import annotations

__all__ = []
