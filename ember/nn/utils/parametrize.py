"""nn.utils.parametrize."""

from __future__ import annotations

__all__ = []
