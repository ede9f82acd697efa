"""Reductions: sum, mean, ... (``dim`` as int or tuple, ``keepdim``, ``dtype``)."""

from __future__ import annotations

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops._util import methods, parse_size, wrap_dims, write_out
from ember.ops.registry import defop

__all__ = ["sum", "mean"]


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


def _sum_dtype(input: Tensor, dtype):
    """Integer and bool sums accumulate in int64 unless a dtype is given (PyTorch)."""
    if dtype is not None:
        return dtype
    return D.int64 if input._dtype.category < D.FLOAT else input._dtype


def _full_or_dim(name):
    return lambda kw: f"{name}Backward{0 if kw.get('full') else 1}"


@defop("sum", grad_name=_full_or_dim("Sum"))
def _sum(xp, a, *, dims, keepdim, dtype, full=False):
    return xp.sum(a, axis=dims, keepdims=keepdim, dtype=dtype.np)


@_sum.defbackward
def _(ctx, g):
    a = ctx.args[0]
    if not ctx.kwargs["keepdim"]:
        g = _unsqueeze_dims(g, ctx.kwargs["dims"])
    return g.expand(a._data.shape)


def _unsqueeze_dims(g: Tensor, dims) -> Tensor:
    """Put back the reduced dims (size 1) so ``g`` broadcasts against the input."""
    shape = list(g._data.shape)
    for d in dims:
        shape.insert(d, 1)
    return g.reshape(shape)


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum over ``dim`` (all dims when None)."""
    dims = wrap_dims(dim, input._data.ndim) if dim is not None else tuple(range(input._data.ndim))
    if dim is not None and not isinstance(dim, int) and len(dim) == 0:
        dims = tuple(range(input._data.ndim))
    return _out(
        dispatch(_sum, input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype), full=dim is None),
        out,
    )


@defop("mean", grad_name=_full_or_dim("Mean"))
def _mean(xp, a, *, dims, keepdim, dtype, full=False):
    return xp.mean(a, axis=dims, keepdims=keepdim, dtype=dtype.np).astype(dtype.np, copy=False)


@_mean.defbackward
def _(ctx, g):
    a = ctx.args[0]
    n = 1
    for d in ctx.kwargs["dims"]:
        n *= a._data.shape[d]
    if not ctx.kwargs["keepdim"]:
        g = _unsqueeze_dims(g, ctx.kwargs["dims"])
    return g.expand(a._data.shape) / n


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Arithmetic mean over ``dim``; floating or complex inputs only (or an explicit ``dtype``)."""
    dt = dtype or input._dtype
    if dt.category < D.FLOAT:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input._dtype._torch_name}"
        )
    dims = wrap_dims(dim, input._data.ndim) if dim is not None else tuple(range(input._data.ndim))
    if dim is not None and not isinstance(dim, int) and len(dim) == 0:
        dims = tuple(range(input._data.ndim))
    return _out(dispatch(_mean, input, dims=dims, keepdim=keepdim, dtype=dt, full=dim is None), out)


@defop("sum_to_size")
def _sum_to_size(xp, a, *, shape):
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1
    )
    r = xp.sum(a, axis=axes, keepdims=True, dtype=a.dtype) if axes else a
    return r.reshape(shape)


@_sum_to_size.defbackward
def _(ctx, g):
    return g.expand(ctx.args[0]._data.shape)


def sum_to_size(self: Tensor, *size) -> Tensor:
    """Sum ``self`` down to ``size`` (the reverse of broadcasting ``size`` up to ``self.shape``)."""
    shape = parse_size(size)
    if tuple(self._data.shape) == shape:
        return self
    return dispatch(_sum_to_size, self, shape=shape)


methods(sum, mean, sum_to_size)
