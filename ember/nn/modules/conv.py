"""nn modules: conv."""

from __future__ import annotations

__all__ = []
