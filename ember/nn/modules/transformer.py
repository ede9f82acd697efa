"""nn modules: transformer."""

from __future__ import annotations

__all__ = []
