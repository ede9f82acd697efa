"""nn.utils.parametrizations."""

from __future__ import annotations

__all__ = []
