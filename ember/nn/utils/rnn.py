"""nn.utils.rnn: padding and packing of variable-length sequences."""

from __future__ import annotations

__all__ = []
