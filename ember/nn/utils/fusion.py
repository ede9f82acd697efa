"""nn.utils.fusion."""

from __future__ import annotations

__all__ = []
