"""nn.functional: vision."""

from __future__ import annotations

__all__ = []
