"""nn modules: fold."""

from __future__ import annotations

__all__ = []
