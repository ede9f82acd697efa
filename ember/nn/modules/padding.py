"""nn modules: padding."""

from __future__ import annotations

__all__ = []
