"""Copies and conversions: clone, contiguous, dtype/device casts (``Tensor.to``)."""

from __future__ import annotations

from ember import _dtype as D
from ember._device import canonical, to_backend
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops._util import methods
from ember.ops.registry import defop

__all__ = ["clone"]


@defop("clone")
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


@defop("_to_copy", grad_name="ToCopyBackward0", device_kwarg=True)
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


methods(clone, contiguous)
