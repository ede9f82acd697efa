"""Copies and conversions: clone, contiguous, dtype/device casts (``Tensor.to``)."""

from __future__ import annotations

from ember import _dtype as D
from ember._device import canonical, to_backend
from ember._dispatch import broadcast_shapes, dispatch, inplace
from ember._tensor import Tensor
from ember.ops._util import methods
from ember.ops.creation import zeros_like
from ember.ops.registry import defop

__all__ = ["clone"]


@defop("clone", saves=())
def _clone(xp, a, *, order="K"):
    return a.copy(order=order)


@_clone.defbackward
def _(ctx, g):
    return g


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that is recorded in the graph (``CloneBackward0``)."""
    return dispatch(_clone, input)


def contiguous(self: Tensor, memory_format=None) -> Tensor:
    """``self`` if C-contiguous, else a C-contiguous copy."""
    if self._data.flags.c_contiguous:
        return self
    return dispatch(_clone, self, order="C")


@defop("_to_copy", saves=(), grad_name="ToCopyBackward0", device_kwarg=True)
def _to_copy(xp, a, *, dtype, device):
    # xp is the target device's namespace; the copy happens on whichever side needs it
    return to_backend(a, device).astype(dtype.np, copy=True)


@_to_copy.defbackward
def _(ctx, g):
    a = ctx.args[0]
    if a._dtype.category < D.COMPLEX and g._dtype.category == D.COMPLEX:
        g = g.real
    return to_copy(g, dtype=a._dtype, device=a._device)


def to_copy(input: Tensor, *, dtype: D.dtype, device) -> Tensor:
    return dispatch(_to_copy, input, dtype=dtype, device=canonical(device))


# --- writing into a tensor: copy_, fill_, zero_ ----------------------------------------------
# Each is an out-of-place op producing the new contents of ``self`` (its dtype and shape),
# written in by the in-place protocol (``_dispatch.inplace``), which also rebases autograd.

@defop("copy_", saves=(), grad_name="torch::autograd::CopyBackwards")
def _copy_from(xp, self, src):
    try:
        return xp.broadcast_to(src, self.shape).astype(self.dtype, copy=True)
    except ValueError:
        broadcast_shapes(self.shape, src.shape)
        raise


@_copy_from.defbackward
def _(ctx, g):
    return zeros_like(g), g  # PyTorch hands the overwritten value a zero gradient, not none


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to ``self``'s dtype, from any device) into ``self``."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}")
    if src._device != self._device:
        src = src.to(self._device)
    return inplace(self, lambda s, o: dispatch(_copy_from, s, o), src)


@defop("fill_", saves=(), grad_name=lambda kw: "FillBackward3" if kw.get("tensor_value") else "FillBackward2")
def _fill(xp, self, value, *, tensor_value=False):
    return xp.full(self.shape, value, dtype=self.dtype)


@_fill.defbackward
def _(ctx, g):
    return zeros_like(g), g.sum()


def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value`` (a number or a 0-dim tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        return inplace(self, lambda s, v: dispatch(_fill, s, v.to(s._dtype), tensor_value=True), value)
    return inplace(self, lambda s: dispatch(_fill, s, value))


@defop("zero_", saves=())
def _zero(xp, self):
    return xp.zeros(self.shape, dtype=self.dtype)


@_zero.defbackward
def _(ctx, g):
    return zeros_like(g)


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero."""
    return inplace(self, lambda s: dispatch(_zero, s))


methods(clone, contiguous, copy_, fill_, zero_)
