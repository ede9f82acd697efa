"""Copies and conversions: clone, contiguous, dtype/device casts (``Tensor.to``)."""

from __future__ import annotations

from ember import _dispatch as _dispatch_module
from ember import _dtype as D
from ember._device import canonical, to_backend
from ember._dispatch import broadcast_shapes, check_writable, dispatch, inplace, write_inplace
from ember._tensor import Tensor
from ember.autograd.graph import _short_name
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


# --- in-place ops on views: PyTorch's CopySlices ---------------------------------------------
# An in-place op on a view that is part of a graph changes its base too. The view's new
# values are computed out of place, written into (a copy of) the base through the chain of
# view ops that made the view, and the base takes that node as its grad_fn; the view is then
# re-derived from the base, so gradients reach both the base's history and the new values.

@defop("copy_slices", saves=(), grad_name="torch::autograd::CopySlices")
def _copy_slices(xp, base, src, *, chain):
    out = base.copy()
    region = out
    for op, kwargs, nr in chain:
        region = op.forward(xp, region, **kwargs)
        if op.multi_out:
            region = region[nr]
    region[...] = src
    return out


def _replay(t: Tensor, chain) -> Tensor:
    for op, kwargs, nr in chain:
        t = dispatch(op, t, **kwargs)
        if op.multi_out:
            t = t[nr]
    return t


@_copy_slices.defbackward
def _(ctx, g):
    chain = ctx.kwargs["chain"]
    need_base, need_src = ctx.needs_input_grad
    return (dispatch(_copy_slices, g, 0, chain=chain) if need_base else None,
            _replay(g, chain) if need_src else None)


def inplace_on_view(view: Tensor, fn, args, kwargs) -> Tensor:
    """``fn(view, *args, **kwargs)`` written into ``view`` and recorded through its base."""
    if view._grad_fn.op.multi_out:
        raise RuntimeError(f"Output {view._out_nr} of {_short_name(view._grad_fn)} is a view and is being modified "
                           "inplace. This view is the output of a function that returns multiple views. Such "
                           "functions do not allow the output views to be modified inplace. You should replace the "
                           "inplace operation by an out-of-place one.")
    chain = []
    t = view
    while t._grad_fn is not None and t._grad_fn.op.is_view and not t._grad_fn._released:
        node = t._grad_fn
        chain.append((node.op, node.kwargs, t._out_nr))
        t = node.args[0]
    base = t
    chain.reverse()
    if base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    result = fn(view._snapshot(), *args, **kwargs)
    check_writable(view, result)
    if result._dtype is not view._dtype:
        result = result.to(view._dtype)
    write_inplace(base, dispatch(_copy_slices, base, result, chain=tuple(chain)))
    fresh = _replay(base, chain)
    view._grad_fn, view._out_nr, view._requires_grad = fresh._grad_fn, fresh._out_nr, True
    return view


_dispatch_module.inplace_on_view = inplace_on_view

methods(clone, contiguous, copy_, fill_, zero_)
