"""Activation primitives that nn.functional builds on: sigmoid-family, gelu, silu, elu, softplus, softmax, ..."""

from __future__ import annotations

__all__ = []
