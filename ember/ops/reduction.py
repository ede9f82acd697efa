"""Reductions: sum, mean, prod, std/var, max/min, arg*, all/any, norm, cumulative ops, median/mode,
unique, bincount, histc, ... (``dim`` as int or tuple, ``keepdim``, ``dtype``).

Ops that return values and indices return a named tuple shaped like ``torch.return_types.<name>``.
Backward rules are written with ember ops; where a rule needs a gather/scatter along a dim it
uses the private ``_take_along`` / ``_put_along`` pair defined here (each the other's adjoint).
"""

from __future__ import annotations

import builtins as _b
import functools
import math
import operator

from ember import _dtype as D
from ember import return_types
from ember._device import xp_of
from ember._dispatch import dispatch
from ember._tensor import Tensor, _make
from ember.ops._util import inplace_methods, methods, parse_size, wrap_dim, write_out
from ember.ops.registry import defop

__all__ = [
    "sum", "mean", "nansum", "nanmean", "prod", "std", "var", "std_mean", "var_mean",
    "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "all", "any",
    "logsumexp", "norm", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
    "median", "nanmedian", "mode", "count_nonzero", "unique", "unique_consecutive",
    "bincount", "histc",
]

_INF = math.inf



# --------------------------------------------------------------------------------------
# helpers

def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


def _out_tuple(result, out):
    if out is None:
        return result
    if not isinstance(out, (tuple, list)) or len(out) != len(result):
        raise TypeError(f"out must be a tuple of {len(result)} tensors")
    return type(result)(tuple(write_out(o, r) for o, r in zip(out, result)))


def _dims(dim, ndim: int) -> tuple:
    """``dim`` (None, int, or a sequence; empty = all) as a sorted tuple of array axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, Tensor)):
        d = wrap_dim(int(dim), ndim)
        return (d,) if ndim else ()
    dims = tuple(sorted(wrap_dim(int(d), ndim) for d in dim))
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    if not dims or not ndim:
        return tuple(range(ndim))
    return dims


def _dim1(dim, ndim: int) -> int:
    """A single dim wrapped to ``[0, ndim)`` (0-dim tensors accept 0 and -1)."""
    if not isinstance(dim, (int, Tensor)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    return wrap_dim(int(dim), ndim)


def _unsqueeze_dims(g: Tensor, dims) -> Tensor:
    """Put back the reduced dims (size 1) so ``g`` broadcasts against the input.
    A 0-d ``g`` (a full reduction) already broadcasts against anything."""
    if not dims or g._data.ndim == 0:
        return g
    shape = list(g._data.shape)
    for d in dims:
        shape.insert(d, 1)
    return g.reshape(shape)


def _keep(arr, xp, dims, keepdim):
    """A keepdim-shaped array from a reduction output (for backward rules)."""
    if keepdim or not dims:
        return arr
    return xp.expand_dims(arr, dims)


def _const(arr, like: Tensor) -> Tensor:
    """A constant (no-grad) tensor holding ``arr`` on ``like``'s device."""
    return _make(arr, D._BY_NP[arr.dtype], like._device)


def _numel(shape, dims) -> int:
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _conj(t: Tensor) -> Tensor:
    return t.conj() if t._dtype.category == D.COMPLEX else t


def _check_nonempty_dims(name, input, dims, full):
    shape = input._data.shape
    if full and input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           "Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


_HALF = (D.float16.np, D.bfloat16.np)


def _acc(npdt):
    """The accumulation dtype: float16/bfloat16 accumulate in float32 (as PyTorch does)."""
    return D.float32.np if npdt in _HALF else npdt


def _accsum(xp, a, dims, keepdim, npdt):
    acc = _acc(npdt)
    r = xp.sum(a, axis=dims, keepdims=keepdim, dtype=acc)
    return r if acc is npdt else r.astype(npdt)


def _not_impl(kernel: str, input: Tensor):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{input._dtype._torch_name}'")


def _sum_dtype(input: Tensor, dtype):
    """Integer and bool sums accumulate in int64 unless a dtype is given (PyTorch)."""
    if dtype is not None:
        return dtype
    return D.int64 if input._dtype.category < D.FLOAT else input._dtype


def _full_or_dim(name):
    return lambda kw: f"{name}Backward{0 if kw.get('full') else 1}"


# --------------------------------------------------------------------------------------
# gather / scatter along a dim (private; each is the other's backward)

@defop("_take_along")
def _take_along(xp, a, idx, *, dim):
    if a.ndim == 0:
        return a.copy()
    return xp.take_along_axis(a, idx, axis=dim)


@_take_along.defbackward
def _(ctx, g):
    a, idx = ctx.args
    return dispatch(_put_along, g, idx, dim=ctx.kwargs["dim"], shape=a._data.shape, accumulate=True), None


@defop("_put_along")
def _put_along(xp, g, idx, *, dim, shape, accumulate):
    if len(shape) == 0:
        return g.copy()
    out = xp.zeros(shape, dtype=g.dtype)
    if not accumulate:
        xp.put_along_axis(out, idx, g, axis=dim)
        return out
    ix = []
    for ax in range(len(shape)):
        if ax == dim:
            ix.append(idx)
        else:
            s = [1] * len(shape)
            s[ax] = idx.shape[ax]
            ix.append(xp.arange(idx.shape[ax]).reshape(s))
    xp.add.at(out, tuple(ix), g)
    return out


@_put_along.defbackward
def _(ctx, g):
    idx = ctx.args[1]
    return dispatch(_take_along, g, idx, dim=ctx.kwargs["dim"]), None


def _select_grad(g: Tensor, a: Tensor, idx_arr, dim: int, keepdim: bool) -> Tensor:
    """The gradient of a value-selecting reduction along ``dim``: ``g`` put at the indices."""
    if a._data.ndim == 0:
        return g
    xp = xp_of(a._device)
    if not keepdim:
        idx_arr = xp.expand_dims(idx_arr, dim)
        g = g.unsqueeze(dim)
    return dispatch(_put_along, g, _const(idx_arr, a), dim=dim, shape=a._data.shape, accumulate=False)


def _even_grad(g: Tensor, a: Tensor, out_arr, dims, keepdim, nan_ties=True) -> Tensor:
    """The gradient of max/min/median-like reductions: split evenly among the tied elements
    (with ``nan_ties``, a NaN result counts the NaN elements as its ties; amax/amin don't)."""
    xp = xp_of(a._device)
    ad = a._data
    o = _keep(out_arr, xp, dims, keepdim)
    m = ad == o
    if nan_ties and ad.dtype.kind in "fc":
        m |= xp.isnan(ad) & xp.isnan(o)
    w = (m / m.sum(axis=dims, keepdims=True)).astype(ad.dtype)
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
    return g * _const(w, a)


# --------------------------------------------------------------------------------------
# sum, mean, nansum, nanmean, prod

@defop("sum", saves=(), grad_name=_full_or_dim("Sum"))
def _sum(xp, a, *, dims, keepdim, dtype, full=False):
    return _accsum(xp, a, dims, keepdim, dtype.np)


@_sum.defbackward
def _(ctx, g):
    a = ctx.args[0]
    if not ctx.kwargs["keepdim"]:
        g = _unsqueeze_dims(g, ctx.kwargs["dims"])
    return g.expand(a._data.shape)


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum over ``dim`` (all dims when None)."""
    dims = _dims(dim, input._data.ndim)
    return _out(
        dispatch(_sum, input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype), full=dim is None),
        out,
    )


@defop("mean", saves=(), grad_name=_full_or_dim("Mean"))
def _mean(xp, a, *, dims, keepdim, dtype, full=False):
    n = _numel(a.shape, dims)
    s = xp.sum(a, axis=dims, keepdims=keepdim, dtype=_acc(dtype.np))
    return (s / n if n else s * xp.nan).astype(dtype.np, copy=False)


@_mean.defbackward
def _(ctx, g):
    a = ctx.args[0]
    n = _numel(a._data.shape, ctx.kwargs["dims"])
    if not ctx.kwargs["keepdim"]:
        g = _unsqueeze_dims(g, ctx.kwargs["dims"])
    return g.expand(a._data.shape) / n


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Arithmetic mean over ``dim``; floating or complex inputs only (or an explicit ``dtype``)."""
    dt = dtype or input._dtype
    if dt.category < D.FLOAT:
        raise RuntimeError(
            f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} dtype must be "
            f"either a floating point or complex dtype. Got: {dt._torch_name}"
        )
    dims = _dims(dim, input._data.ndim)
    return _out(dispatch(_mean, input, dims=dims, keepdim=keepdim, dtype=dt, full=dim is None), out)


@defop("nansum")
def _nansum(xp, a, *, dims, keepdim, dtype):
    if a.dtype.kind in "fc":
        return xp.nansum(a, axis=dims, keepdims=keepdim, dtype=_acc(dtype.np)).astype(dtype.np, copy=False)
    return _accsum(xp, a, dims, keepdim, dtype.np)


@_nansum.defbackward
def _(ctx, g):
    a = ctx.args[0]
    if not ctx.kwargs["keepdim"]:
        g = _unsqueeze_dims(g, ctx.kwargs["dims"])
    xp = xp_of(a._device)
    return g * _const(~xp.isnan(a._data), a)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum over ``dim`` treating NaN as zero."""
    if input._dtype.category == D.COMPLEX:
        raise RuntimeError("nansum on CPU does not support complex inputs")
    dims = _dims(dim, input._data.ndim)
    return _out(dispatch(_nansum, input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype)), out)


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Mean over ``dim`` of the non-NaN elements."""
    if input._dtype.category != D.FLOAT:
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got {input._dtype._torch_name}")
    count = (input == input).sum(dim, keepdim)
    r = nansum(input, dim, keepdim, dtype=dtype) / count
    return _out(r, out)


@defop("prod", grad_name=_full_or_dim("Prod"), save_out=True)
def _prod(xp, a, *, dims, keepdim, dtype, full=False):
    return xp.prod(a, axis=dims, keepdims=keepdim, dtype=dtype.np)


@defop("_prod_others")
def _prod_others(xp, a, *, dim):
    """Along ``dim``, the product of all the other elements (exact when there are zeros)."""
    n = a.shape[dim]
    if n == 0:
        return a.copy()
    ones = xp.ones_like(a[_along(a.ndim, dim, 0, 1)])
    head = xp.concatenate([ones, a[_along(a.ndim, dim, 0, n - 1)]], axis=dim)
    tail = xp.concatenate([a[_along(a.ndim, dim, 1, n)], ones], axis=dim)
    right = xp.flip(xp.cumprod(xp.flip(tail, dim), axis=dim), dim)
    return xp.cumprod(head, axis=dim) * right


def _along(ndim: int, dim: int, start: int, stop: int) -> tuple:
    """The index selecting ``start:stop`` along ``dim``."""
    idx = [slice(None)] * ndim
    idx[dim] = slice(start, stop)
    return tuple(idx)


@_prod.defbackward
def _(ctx, g):
    a = ctx.args[0]
    dims, keepdim = ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    if not dims:
        return g
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
    if not bool((a._data == 0).any()):
        out = ctx.out
        if not keepdim:
            out = _unsqueeze_dims(out, dims)
        return g * _conj(out / a)
    if len(dims) == 1:
        return g * _conj(dispatch(_prod_others, a, dim=dims[0]))
    flat = a.reshape(-1)
    return g * _conj(dispatch(_prod_others, flat, dim=0).reshape(a._data.shape))


def prod(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Product over ``dim`` (a single int), or of all elements."""
    if dim is None:
        dims = tuple(range(input._data.ndim))
        keepdim = False
    else:
        dims = _dims(_dim1(dim, input._data.ndim), input._data.ndim)
    return _out(
        dispatch(_prod, input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype), full=dim is None), out)


# --------------------------------------------------------------------------------------
# var, std

def _var_core(xp, a, dims, correction, keepdim):
    if a.dtype in _HALF:
        return _var_core(xp, a.astype(D.float32.np), dims, correction, keepdim).astype(a.dtype)
    n = _numel(a.shape, dims)
    m = xp.sum(a, axis=dims, keepdims=True) / n if n else xp.sum(a, axis=dims, keepdims=True) * xp.nan
    d = a - m
    sq = d.real * d.real + d.imag * d.imag if a.dtype.kind == "c" else d * d
    return xp.sum(sq, axis=dims, keepdims=keepdim) / _b.max(n - correction, 0)


@defop("var", grad_name="VarBackward0")
def _var(xp, a, *, dims, correction, keepdim):
    return _var_core(xp, a, dims, correction, keepdim)


@defop("std", grad_name="StdBackward0", save_out=True)
def _std(xp, a, *, dims, correction, keepdim):
    return xp.sqrt(_var_core(xp, a, dims, correction, keepdim))


def _centered(a: Tensor, dims, correction):
    n = _numel(a._data.shape, dims)
    denom = n - correction
    factor = _INF if denom == 0 else 1.0 / denom
    return (a - a.mean(dims, keepdim=True)) if dims else a * 0, factor


@_var.defbackward
def _(ctx, g):
    a = ctx.args[0]
    dims, keepdim = ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
    c, factor = _centered(a, dims, ctx.kwargs["correction"])
    return g * c * (2.0 * factor)


@_std.defbackward
def _(ctx, g):
    a = ctx.args[0]
    dims, keepdim = ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    out = ctx.out
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
        out = _unsqueeze_dims(out, dims)
    c, factor = _centered(a, dims, ctx.kwargs["correction"])
    return g / out * c * factor


def _var_args(name, input, dim, unbiased, keepdim, correction):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input._dtype.category < D.FLOAT:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}: can't pass both unbiased and correction")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return _dims(dim, input._data.ndim), correction, _b.bool(keepdim)


def var(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (``unbiased`` is the older spelling)."""
    dims, c, keepdim = _var_args("var", input, dim, unbiased, keepdim, correction)
    return _out(dispatch(_var, input, dims=dims, correction=c, keepdim=keepdim), out)


def std(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None) -> Tensor:
    """Standard deviation over ``dim`` (see ``var``)."""
    dims, c, keepdim = _var_args("std", input, dim, unbiased, keepdim, correction)
    return _out(dispatch(_std, input, dims=dims, correction=c, keepdim=keepdim), out)


def _mean_arr(xp, a, dims, keepdim):
    n = _numel(a.shape, dims)
    s = xp.sum(a, axis=dims, keepdims=keepdim, dtype=_acc(a.dtype))
    return (s / n if n else s * xp.nan).astype(a.dtype, copy=False)


@defop("var_mean", multi_out=True, save_out=True)
def _var_mean(xp, a, *, dims, correction, keepdim, std=False):
    v = _var_core(xp, a, dims, correction, keepdim)
    return (xp.sqrt(v) if std else v), _mean_arr(xp, a, dims, keepdim)


@defop("std_mean", multi_out=True, save_out=True)
def _std_mean(xp, a, *, dims, correction, keepdim):
    return _var_mean.forward(xp, a, dims=dims, correction=correction, keepdim=keepdim, std=True)


def _stat_mean_backward(ctx, g_stat, g_mean):
    a = ctx.args[0]
    dims, keepdim = ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    out = ctx.out[0]
    if not keepdim:
        g_stat = _unsqueeze_dims(g_stat, dims)
        g_mean = _unsqueeze_dims(g_mean, dims)
        out = _unsqueeze_dims(out, dims)
    c, factor = _centered(a, dims, ctx.kwargs["correction"])
    if ctx.op is _std_mean:
        ga = g_stat / out * c * factor
    else:
        ga = g_stat * c * (2.0 * factor)
    return ga + g_mean.expand(a._data.shape) / _b.max(_numel(a._data.shape, dims), 1)


_var_mean.defbackward(_stat_mean_backward)
_std_mean.defbackward(_stat_mean_backward)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``(var, mean)`` over ``dim``."""
    dims, c, keepdim = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return _out_tuple(dispatch(_var_mean, input, dims=dims, correction=c, keepdim=keepdim), out)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``(std, mean)`` over ``dim``."""
    dims, c, keepdim = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return _out_tuple(dispatch(_std_mean, input, dims=dims, correction=c, keepdim=keepdim), out)


# --------------------------------------------------------------------------------------
# max, min, amax, amin, aminmax, argmax, argmin

@defop("max", save_out=True, grad_name="MaxBackward1")
def _max_full(xp, a):
    return xp.max(a)


@defop("min", save_out=True, grad_name="MinBackward1")
def _min_full(xp, a):
    return xp.min(a)


def _full_even_backward(ctx, g):
    a = ctx.args[0]
    dims = tuple(range(a._data.ndim))
    return _even_grad(g, a, ctx._saved_out, dims, False)


_max_full.defbackward(_full_even_backward)
_min_full.defbackward(_full_even_backward)


def _arg_dim(xp, a, dim, keepdim, is_max):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    idx = (xp.argmax if is_max else xp.argmin)(a, axis=dim).astype(xp.int64, copy=False)
    vals = (xp.max if is_max else xp.min)(a, axis=dim, keepdims=keepdim)
    return vals, (xp.expand_dims(idx, dim) if keepdim else idx)


@defop("max_dim", multi_out=True, save_out=True, grad_name="MaxBackward0")
def _max_dim(xp, a, *, dim, keepdim):
    return _arg_dim(xp, a, dim, keepdim, True)


@defop("min_dim", multi_out=True, save_out=True, grad_name="MinBackward0")
def _min_dim(xp, a, *, dim, keepdim):
    return _arg_dim(xp, a, dim, keepdim, False)


def _select_backward(ctx, g, _gi=None):
    return _select_grad(g, ctx.args[0], ctx._saved_out[1], ctx.kwargs["dim"], ctx.kwargs["keepdim"])


_max_dim.defbackward(_select_backward)
_min_dim.defbackward(_select_backward)


def _binary(name, input, other, out):
    from ember.ops import pointwise

    fn = getattr(pointwise, name, None)
    if fn is None:
        import ember
        fn = getattr(ember, name)
    return fn(input, other, out=out) if out is not None else fn(input, other)


def _max_min(name, is_max, input, dim, keepdim, other, out):
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return _binary("maximum" if is_max else "minimum", input, other, out)
    if input._dtype.category == D.COMPLEX:
        if dim is None:
            raise _not_impl(f"{name}_all", input)
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        if input._data.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        return _out(dispatch(_max_full if is_max else _min_full, input), out)
    d = _dim1(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    v, i = dispatch(_max_dim if is_max else _min_dim, input, dim=d, keepdim=_b.bool(keepdim))
    return _out_tuple(getattr(return_types, name)((v, i)), out)


def max(input: Tensor, dim=None, keepdim: bool = False, *, other=None, out=None):
    """``max(input)``: the largest element; ``max(input, dim)``: ``(values, indices)``;
    ``max(input, other)``: the elementwise maximum."""
    return _max_min("max", True, input, dim, keepdim, other, out)


def min(input: Tensor, dim=None, keepdim: bool = False, *, other=None, out=None):
    """``min(input)``, ``min(input, dim)`` -> ``(values, indices)``, or ``min(input, other)``."""
    return _max_min("min", False, input, dim, keepdim, other, out)


@defop("amax", save_out=True)
def _amax(xp, a, *, dims, keepdim):
    return xp.max(a, axis=dims, keepdims=keepdim)


@defop("amin", save_out=True)
def _amin(xp, a, *, dims, keepdim):
    return xp.min(a, axis=dims, keepdims=keepdim)


def _amax_backward(ctx, g):
    return _even_grad(g, ctx.args[0], ctx._saved_out, ctx.kwargs["dims"], ctx.kwargs["keepdim"], False)


_amax.defbackward(_amax_backward)
_amin.defbackward(_amax_backward)


def _amax_dims(name, input, dim):
    dims = _dims(dim, input._data.ndim)
    full = dim is None or (not isinstance(dim, (int, Tensor)) and len(dim) == 0)
    _check_nonempty_dims(name, input, dims, full and input._data.ndim > 0)
    return dims


def amax(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """The maximum over ``dim`` (all dims when empty); gradient split evenly among ties."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("max_values_cpu", input)
    dims = _amax_dims("amax", input, dim)
    return _out(dispatch(_amax, input, dims=dims, keepdim=_b.bool(keepdim)), out)


def amin(input: Tensor, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """The minimum over ``dim`` (all dims when empty); gradient split evenly among ties."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("min_values_cpu", input)
    dims = _amax_dims("amin", input, dim)
    return _out(dispatch(_amin, input, dims=dims, keepdim=_b.bool(keepdim)), out)


def aminmax(input: Tensor, *, dim=None, keepdim: bool = False, out=None):
    """``(min, max)`` over ``dim`` (all dims when None)."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("aminmax_cpu", input)
    dims = _dims(dim, input._data.ndim)
    if input._data.size == 0:
        if dim is None:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.")
        if input._data.ndim and input._data.shape[dims[0]] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {dims[0]} to have non-zero size.")
    r = dispatch(_aminmax, input, dims=dims, keepdim=_b.bool(keepdim))
    return _out_tuple(return_types.aminmax(r), out)


@defop("aminmax", multi_out=True, save_out=True)
def _aminmax(xp, a, *, dims, keepdim):
    return xp.min(a, axis=dims, keepdims=keepdim), xp.max(a, axis=dims, keepdims=keepdim)


@_aminmax.defbackward
def _(ctx, g_min, g_max):
    a = ctx.args[0]
    dims, keepdim = ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    lo, hi = ctx._saved_out
    return (_even_grad(g_min, a, lo, dims, keepdim, False) + _even_grad(g_max, a, hi, dims, keepdim, False))


@defop("argmax")
def _argmax(xp, a, *, dim, keepdim):
    return _argext(xp, a, dim, keepdim, xp.argmax)


@defop("argmin")
def _argmin(xp, a, *, dim, keepdim):
    return _argext(xp, a, dim, keepdim, xp.argmin)


def _argext(xp, a, dim, keepdim, fn):
    if dim is None:
        r = fn(a.reshape(-1)).astype(xp.int64)
        return r.reshape((1,) * a.ndim) if keepdim else r
    if a.ndim == 0:
        return xp.zeros((), dtype=xp.int64)
    r = fn(a, axis=dim).astype(xp.int64)
    return xp.expand_dims(r, dim) if keepdim else r


def _argext_front(name, op, input, dim, keepdim):
    if input._dtype is D.bool_ or input._dtype.category == D.COMPLEX:
        kind = "bool" if input._dtype is D.bool_ else "complex"
        raise RuntimeError(f"{name}(): does not support {kind} input")
    if dim is None:
        if input._data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        return dispatch(op, input, dim=None, keepdim=_b.bool(keepdim))
    d = _dim1(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return dispatch(op, input, dim=d, keepdim=_b.bool(keepdim))


def argmax(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """Index of the (first) maximum over ``dim``, or in the flattened input when ``dim`` is None."""
    return _out(_argext_front("argmax", _argmax, input, dim, keepdim), out)


def argmin(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """Index of the (first) minimum over ``dim``, or in the flattened input when ``dim`` is None."""
    return _out(_argext_front("argmin", _argmin, input, dim, keepdim), out)


# --------------------------------------------------------------------------------------
# all, any, count_nonzero

@defop("all")
def _all(xp, a, *, dims, keepdim):
    r = xp.all(a, axis=dims, keepdims=keepdim)
    return r.astype(xp.uint8) if a.dtype == xp.uint8 else r


@defop("any")
def _any(xp, a, *, dims, keepdim):
    r = xp.any(a, axis=dims, keepdims=keepdim)
    return r.astype(xp.uint8) if a.dtype == xp.uint8 else r


def _logic_dims(dim, ndim):
    if dim is not None and not isinstance(dim, (int, Tensor)) and len(dim) == 0:
        return ()  # all/any over no dims: elementwise truth
    return _dims(dim, ndim)


def all(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """Whether all elements (over ``dim``) are true; bool result (uint8 for uint8 input)."""
    return _out(dispatch(_all, input, dims=_logic_dims(dim, input._data.ndim), keepdim=_b.bool(keepdim)), out)


def any(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """Whether any element (over ``dim``) is true; bool result (uint8 for uint8 input)."""
    return _out(dispatch(_any, input, dims=_logic_dims(dim, input._data.ndim), keepdim=_b.bool(keepdim)), out)


@defop("count_nonzero")
def _count_nonzero(xp, a, *, dims):
    return xp.asarray(xp.count_nonzero(a, axis=dims)).astype(xp.int64)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """Number of non-zero elements over ``dim`` (int64)."""
    return dispatch(_count_nonzero, input, dims=_dims(dim, input._data.ndim))


# --------------------------------------------------------------------------------------
# logsumexp, norm

@defop("logsumexp", promote="float", save_out=True)
def _logsumexp(xp, a, *, dims, keepdim):
    if a.size == 0 or not dims:
        with_max = None
    else:
        with_max = xp.max(a, axis=dims, keepdims=True)
    if with_max is None:
        return xp.log(xp.sum(xp.exp(a), axis=dims, keepdims=keepdim))
    m = xp.where(xp.isfinite(with_max), with_max, xp.zeros_like(with_max))
    r = xp.log(xp.sum(xp.exp(a - m), axis=dims, keepdims=True)) + m
    return r if keepdim else r.squeeze(dims)


@_logsumexp.defbackward
def _(ctx, g):
    a = ctx.args[0]
    dims, keepdim = ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    out = ctx.out
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
        out = _unsqueeze_dims(out, dims)
    return g * (a - out).exp()


def logsumexp(input: Tensor, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """``log(sum(exp(input), dim))``, computed stably."""
    if not isinstance(dim, (int, Tensor)) and len(dim) == 0 and input._data.ndim:
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * input._data.ndim}")
    dims = _dims(dim, input._data.ndim)
    return _out(dispatch(_logsumexp, input, dims=dims, keepdim=_b.bool(keepdim)), out)


@defop("norm", save_out=True, grad_name="LinalgVectorNormBackward0")
def _norm(xp, a, *, p, dims, keepdim):
    ab = xp.abs(a)
    if p == _INF:
        return xp.max(ab, axis=dims, keepdims=keepdim)
    if p == -_INF:
        return xp.min(ab, axis=dims, keepdims=keepdim)
    if p == 0:
        return xp.sum(ab != 0, axis=dims, keepdims=keepdim, dtype=ab.dtype)
    if p == 1:
        return xp.sum(ab, axis=dims, keepdims=keepdim)
    if p == 2:
        return xp.sqrt(xp.sum(ab * ab, axis=dims, keepdims=keepdim))
    return xp.sum(ab ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)


@_norm.defbackward
def _(ctx, g):
    a = ctx.args[0]
    p, dims, keepdim = ctx.kwargs["p"], ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    out = ctx.out
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
        out = _unsqueeze_dims(out, dims)
    if p == 0:
        return (g * 0).expand(a._data.shape)
    if p == 1:
        return g * a.sgn()
    if p == 2:
        return a * (g / out).masked_fill(out == 0, 0)
    if p in (_INF, -_INF):  # split evenly among the elements reaching the norm
        xp = xp_of(a._device)
        m = xp.abs(a._data) == out._data
        w = (m / m.sum(axis=dims, keepdims=True)).astype(out._data.dtype)
        return g * a.sgn() * _const(w, a)
    num = a.sgn() * a.abs().pow(p - 1)
    if p < 1:
        num = num.masked_fill(a == 0, 0)
    return num * (g / out.pow(p - 1)).masked_fill(out == 0, 0)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None) -> Tensor:
    """The vector p-norm over ``dim`` (all elements when None); ``'fro'`` is the 2-norm and
    ``'nuc'`` the nuclear norm of matrices (``ember.linalg.matrix_norm``)."""
    if isinstance(p, str):
        if p == "nuc":
            from ember import linalg
            d = (-2, -1) if dim is None else dim
            r = linalg.matrix_norm(input, "nuc", dim=d, keepdim=keepdim, dtype=dtype)
            return _out(r, out)
        if p != "fro":
            raise RuntimeError(f"norm(): unknown norm type {p!r}")
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(str(d) for d in dim)}")
        p = 2.0
    elif p is None:
        p = 2.0
    p = float(p)
    x = input
    if dtype is not None:
        if dtype.category < D.FLOAT:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex. Got {dtype}")
        if x._dtype is not dtype:
            x = x.to(dtype)
    if x._dtype.category < D.FLOAT:
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {x._dtype._torch_name}")
    dims = _dims(dim, x._data.ndim)
    if p in (_INF, -_INF) and _numel(x._data.shape, dims) == 0 and x._data.ndim:
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {p} norm on an empty tensor because the operation "
            "does not have an identity")
    return _out(dispatch(_norm, x, p=p, dims=dims, keepdim=_b.bool(keepdim)), out)


# --------------------------------------------------------------------------------------
# cumulative ops

@defop("cumsum", saves=())
def _cumsum(xp, a, *, dim, dtype):
    if a.ndim == 0:
        return a.astype(dtype.np)
    acc = _acc(dtype.np)
    r = xp.cumsum(a, axis=dim, dtype=acc)
    return r if acc is dtype.np else r.astype(dtype.np)


@defop("_rev_cumsum", saves=())
def _rev_cumsum(xp, g, *, dim):
    if g.ndim == 0:
        return g.copy()
    return xp.flip(xp.cumsum(xp.flip(g, dim), axis=dim), dim)


@_cumsum.defbackward
def _(ctx, g):
    return dispatch(_rev_cumsum, g, dim=ctx.kwargs["dim"])


@_rev_cumsum.defbackward
def _(ctx, g):
    return dispatch(_cumsum, g, dim=ctx.kwargs["dim"], dtype=g._dtype)


def cumsum(input: Tensor, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative sum along ``dim`` (integer/bool inputs accumulate in int64)."""
    d = _dim1(dim, input._data.ndim)
    return _out(dispatch(_cumsum, input, dim=d, dtype=_sum_dtype(input, dtype)), out)


@defop("cumprod", save_out=True)
def _cumprod(xp, a, *, dim, dtype):
    if a.ndim == 0:
        return a.astype(dtype.np)
    return xp.cumprod(a, axis=dim, dtype=dtype.np)


@defop("_cumprod_grad")
def _cumprod_grad(xp, g, a, *, dim):
    """The cumprod gradient by brute force (used when the input has zeros)."""
    gm = xp.moveaxis(g, dim, -1)
    am = xp.moveaxis(a, dim, -1)
    n = am.shape[-1]
    res = xp.zeros_like(am)
    pos = xp.arange(n)
    for j in range(n):
        x = am.copy()
        x[..., j] = 1
        cp = xp.cumprod(x, axis=-1)
        res[..., j] = xp.sum(xp.where(pos >= j, gm * cp, 0), axis=-1)
    return xp.moveaxis(res, -1, dim)


@_cumprod.defbackward
def _(ctx, g):
    a = ctx.args[0]
    dim = ctx.kwargs["dim"]
    if a._data.ndim == 0:
        return g
    if not bool((a._data == 0).any()):
        return dispatch(_rev_cumsum, g * _conj(ctx.out), dim=dim) / _conj(a)
    return dispatch(_cumprod_grad, g, _conj(a), dim=dim)


def cumprod(input: Tensor, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative product along ``dim`` (integer/bool inputs accumulate in int64)."""
    d = _dim1(dim, input._data.ndim)
    return _out(dispatch(_cumprod, input, dim=d, dtype=_sum_dtype(input, dtype)), out)


def _cumext(xp, a, dim, is_max):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    acc = (xp.maximum if is_max else xp.minimum).accumulate(a, axis=dim)
    hit = a == acc
    if a.dtype.kind in "fc":
        hit |= xp.isnan(a)
    shape = [1] * a.ndim
    shape[dim] = a.shape[dim]
    pos = xp.arange(a.shape[dim], dtype=xp.int64).reshape(shape)
    idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dim)
    return acc, idx


@defop("cummax", multi_out=True, save_out=True)
def _cummax(xp, a, *, dim):
    return _cumext(xp, a, dim, True)


@defop("cummin", multi_out=True, save_out=True)
def _cummin(xp, a, *, dim):
    return _cumext(xp, a, dim, False)


def _cumext_backward(ctx, g, _gi=None):
    a = ctx.args[0]
    if a._data.ndim == 0:
        return g
    idx = _const(ctx._saved_out[1], a)
    return dispatch(_put_along, g, idx, dim=ctx.kwargs["dim"], shape=a._data.shape, accumulate=True)


_cummax.defbackward(_cumext_backward)
_cummin.defbackward(_cumext_backward)


def cummax(input: Tensor, dim, *, out=None):
    """Running maximum along ``dim`` and the index where it was reached (the latest on ties)."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("cummax_cpu", input)
    d = _dim1(dim, input._data.ndim)
    return _out_tuple(return_types.cummax(dispatch(_cummax, input, dim=d)), out)


def cummin(input: Tensor, dim, *, out=None):
    """Running minimum along ``dim`` and the index where it was reached (the latest on ties)."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("cummin_cpu", input)
    d = _dim1(dim, input._data.ndim)
    return _out_tuple(return_types.cummin(dispatch(_cummin, input, dim=d)), out)


@defop("logcumsumexp", promote="float", save_out=True)
def _logcumsumexp(xp, a, *, dim, inner=False):
    if a.ndim == 0:
        return a.copy()
    acc = getattr(xp.logaddexp, "accumulate", None)
    if acc is not None:
        return acc(a, axis=dim)
    m = xp.max(a, axis=dim, keepdims=True) if a.size else xp.zeros_like(a)
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    return xp.log(xp.cumsum(xp.exp(a - m), axis=dim)) + m


@_logcumsumexp.defbackward
def _(ctx, g):
    # d out_i / d a_j = exp(a_j - out_i) for i >= j; the sums over i are done in log space,
    # positive and negative parts of g separately, so nothing overflows.
    a = ctx.args[0]
    dim = ctx.kwargs["dim"]
    if a._data.ndim == 0:
        return g
    out = ctx.out
    ninf = out == -_INF  # there, the inputs so far are all -inf: PyTorch's gradient is NaN
    has_ninf = bool(ninf._data.any())
    if has_ninf:
        out = out.masked_fill(ninf, 0)

    def rev_lcse(x):
        return dispatch(_logcumsumexp, x.flip(dim), dim=dim, inner=True).flip(dim)

    pos = rev_lcse(g.log().masked_fill(g <= 0, -_INF) - out)
    neg = rev_lcse((-g).log().masked_fill(g >= 0, -_INF) - out)
    r = (a + pos).exp() - (a + neg).exp()
    return r.masked_fill(ninf, math.nan) if has_ninf and not ctx.kwargs.get("inner") else r


def logcumsumexp(input: Tensor, dim, *, out=None) -> Tensor:
    """``log(cumsum(exp(input), dim))``, computed stably."""
    d = _dim1(dim, input._data.ndim)
    if input._dtype.category < D.FLOAT:
        raise _not_impl("logcumsumexp_out_cpu", input)
    return _out(dispatch(_logcumsumexp, input, dim=d), out)


# --------------------------------------------------------------------------------------
# median, nanmedian, mode

def _median_full_arr(xp, a, ignore_nan):
    flat = a.reshape(-1)
    if ignore_nan and flat.dtype.kind in "fc":
        flat = flat[~xp.isnan(flat)]
    elif flat.dtype.kind in "fc" and bool(xp.isnan(flat).any()):
        return xp.asarray(xp.nan, dtype=a.dtype)
    if flat.size == 0:
        return xp.asarray(xp.nan if a.dtype.kind in "fc" else 0, dtype=a.dtype)
    s = xp.sort(flat)
    return s[(flat.size - 1) // 2]


@defop("median", save_out=True, grad_name="MedianBackward0")
def _median_full(xp, a):
    return _median_full_arr(xp, a, False)


@defop("nanmedian", save_out=True, grad_name="NanmedianBackward0")
def _nanmedian_full(xp, a):
    return _median_full_arr(xp, a, True)


_median_full.defbackward(_full_even_backward)
_nanmedian_full.defbackward(_full_even_backward)


def _median_dim_arr(xp, a, dim, keepdim, ignore_nan):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    n = a.shape[dim]
    order = xp.argsort(a, axis=dim, kind="stable")  # NaN sorts last
    isf = a.dtype.kind in "fc"
    if ignore_nan and isf:
        cnt = xp.sum(~xp.isnan(a), axis=dim, keepdims=True)
        k = xp.maximum((cnt - 1) // 2, 0)
        idx = xp.take_along_axis(order, k, axis=dim)
    else:
        k = (n - 1) // 2
        idx = order[_along(a.ndim, dim, k, k + 1)]
        if isf:
            nan = xp.isnan(a)
            first_nan = xp.expand_dims(xp.argmax(nan, axis=dim), dim)
            idx = xp.where(xp.any(nan, axis=dim, keepdims=True), first_nan, idx)
    vals = xp.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        idx = idx.squeeze(dim)
        vals = vals.squeeze(dim)
    return vals, idx.astype(xp.int64, copy=False)


@defop("median_dim", multi_out=True, save_out=True, grad_name="MedianBackward1")
def _median_dim(xp, a, *, dim, keepdim):
    return _median_dim_arr(xp, a, dim, keepdim, False)


@defop("nanmedian_dim", multi_out=True, save_out=True, grad_name="NanmedianBackward1")
def _nanmedian_dim(xp, a, *, dim, keepdim):
    return _median_dim_arr(xp, a, dim, keepdim, True)


_median_dim.defbackward(_select_backward)
_nanmedian_dim.defbackward(_select_backward)


def _median(name, full_op, dim_op, input, dim, keepdim, out):
    if input._dtype.category == D.COMPLEX or input._dtype is D.bool_:
        raise _not_impl("median_cpu" if dim is None or input._dtype is D.bool_ else "median_out", input)
    if dim is None:
        return _out(dispatch(full_op, input), out)
    d = _dim1(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    r = dispatch(dim_op, input, dim=d, keepdim=_b.bool(keepdim))
    return _out_tuple(getattr(return_types, name)(r), out)


def median(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``; NaN propagates."""
    return _median("median", _median_full, _median_dim, input, dim, keepdim, out)


def nanmedian(input: Tensor, dim=None, keepdim: bool = False, *, out=None):
    """As ``median``, ignoring NaN."""
    return _median("nanmedian", _nanmedian_full, _nanmedian_dim, input, dim, keepdim, out)


def _std_sort(a: list) -> None:
    """Sort ``a`` (a list of ``(value, index)``) in place by value exactly as libstdc++'s
    ``std::sort`` does (introsort, median-of-three pivot, final insertion sort), so that the
    order of equal values (and hence ``mode``'s index) matches PyTorch's CPU kernel."""
    n = len(a)

    def lin_insert(i):
        val = a[i]
        j = i - 1
        while val[0] < a[j][0]:
            a[i] = a[j]
            i = j
            j -= 1
        a[i] = val

    def ins_sort(lo, hi):
        for i in range(lo + 1, hi):
            if a[i][0] < a[lo][0]:
                val = a[i]
                a[lo + 1:i + 1] = a[lo:i]
                a[lo] = val
            else:
                lin_insert(i)

    def loop(lo, hi, depth):
        while hi - lo > 16:
            if depth == 0:  # introsort's heap-sort fallback (approximated by a stable sort)
                a[lo:hi] = sorted(a[lo:hi], key=operator.itemgetter(0))
                return
            depth -= 1
            x, y, z = lo + 1, lo + (hi - lo) // 2, hi - 1
            vx, vy, vz = a[x][0], a[y][0], a[z][0]
            if vx < vy:
                m = y if vy < vz else (z if vx < vz else x)
            else:
                m = x if vx < vz else (z if vy < vz else y)
            a[lo], a[m] = a[m], a[lo]
            piv = a[lo][0]
            f, last = lo + 1, hi
            while True:
                while a[f][0] < piv:
                    f += 1
                last -= 1
                while piv < a[last][0]:
                    last -= 1
                if not f < last:
                    break
                a[f], a[last] = a[last], a[f]
                f += 1
            loop(f, hi, depth)
            hi = f

    if n < 2:
        return
    loop(0, n, 2 * (n.bit_length() - 1))
    if n > 16:
        ins_sort(0, 16)
        for i in range(16, n):
            lin_insert(i)
    else:
        ins_sort(0, n)


def _mode_row(row) -> int:
    """Index of the mode of ``row`` (the longest run after sorting; the first such run; its last element)."""
    s = [(x, i) for i, x in enumerate(row)]
    _std_sort(s)
    best_i, best_c, c = 0, 0, 0
    prev = None
    for k, (v, i) in enumerate(s):
        c = c + 1 if k and v == prev else 1
        prev = v
        if c > best_c:
            best_c, best_i = c, i
    return best_i


@defop("mode", multi_out=True, save_out=True)
def _mode(xp, a, *, dim, keepdim):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=xp.int64)
    am = xp.moveaxis(a, dim, -1)
    n = am.shape[-1]
    lead = am.shape[:-1]
    rows = am.reshape(-1, n)
    host = rows.astype(xp.float64) if rows.dtype.kind == "f" and rows.dtype.itemsize < 4 else rows
    idx = xp.asarray([_mode_row(r) for r in host.tolist()], dtype=xp.int64).reshape(-1, 1)
    vals = xp.take_along_axis(rows, idx, axis=-1).reshape(lead)
    idx = idx.reshape(lead)
    if keepdim:
        vals = xp.expand_dims(vals, dim)
        idx = xp.expand_dims(idx, dim)
    return vals, idx


_mode.defbackward(_select_backward)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *, out=None):
    """The most frequent value along ``dim`` (the smallest on ties) and its index (PyTorch's choice)."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("mode_cpu", input)
    d = _dim1(dim, input._data.ndim)
    if input._data.ndim and input._data.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    return _out_tuple(return_types.mode(dispatch(_mode, input, dim=d, keepdim=_b.bool(keepdim))), out)


# --------------------------------------------------------------------------------------
# unique, unique_consecutive, bincount, histc

@defop("unique", multi_out=True,
       grad_name=lambda kw: "Unique2Backward0" if kw["dim"] is None else "UniqueDimBackward0")
def _unique(xp, a, *, dim):
    if dim is None:
        vals, inv, counts = xp.unique(a.reshape(-1), return_inverse=True, return_counts=True)
        return vals, inv.reshape(a.shape).astype(xp.int64), counts.astype(xp.int64)
    vals, inv, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=dim)
    return vals, inv.reshape(-1).astype(xp.int64), counts.astype(xp.int64)


def _unique_result(res, return_inverse, return_counts):
    vals, inv, counts = res
    if not return_inverse and not return_counts:
        return vals
    out = [vals]
    if return_inverse:
        out.append(inv)
    if return_counts:
        out.append(counts)
    return tuple(out)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim=None):
    """The unique elements (or slices along ``dim``), sorted; optionally inverse indices and counts."""
    if input._dtype.category == D.COMPLEX:
        raise _not_impl("unique", input)
    d = None if dim is None else _dim1(dim, input._data.ndim)
    if d is not None and input._data.ndim == 0:
        raise IndexError("unique(): dim out of range for a 0-dim tensor")
    return _unique_result(dispatch(_unique, input, dim=d), return_inverse, return_counts)


@defop("unique_consecutive", multi_out=True)
def _unique_consecutive(xp, a, *, dim):
    if dim is None:
        flat = a.reshape(-1)
        n = flat.shape[0]
        change = xp.ones(n, dtype=bool)
        if n:
            change[1:] = flat[1:] != flat[:-1]
        vals = flat[change]
        inv = (xp.cumsum(change) - 1).reshape(a.shape)
    else:
        m = xp.moveaxis(a, dim, 0)
        n = m.shape[0]
        rows = m.reshape(n, -1)
        change = xp.ones(n, dtype=bool)
        if n:
            change[1:] = xp.any(rows[1:] != rows[:-1], axis=1)
        vals = xp.moveaxis(m[change], 0, dim)
        inv = xp.cumsum(change) - 1
    starts = xp.nonzero(change)[0]
    counts = xp.diff(xp.concatenate([starts, xp.asarray([n])]))
    return vals, inv.astype(xp.int64), counts.astype(xp.int64)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse consecutive runs of equal elements (or slices along ``dim``)."""
    d = None if dim is None else _dim1(dim, input._data.ndim)
    if d is not None and input._data.ndim == 0:
        d = None
    return _unique_result(dispatch(_unique_consecutive, input, dim=d), return_inverse, return_counts)


@defop("bincount")
def _bincount(xp, a, w=None, *, minlength, dtype):
    if w is None:
        return xp.bincount(a, minlength=minlength).astype(xp.int64)
    return xp.bincount(a, weights=w.astype(xp.float64), minlength=minlength).astype(dtype.np)


def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:
    """Count of each non-negative integer value (weighted when ``weights`` is given)."""
    if input._dtype.category != D.INT:
        raise _not_impl("bincount_cpu", input)
    if input._data.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input._data.size and bool((input._data < 0).any()):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return dispatch(_bincount, input, minlength=minlength, dtype=D.int64)
    if weights._data.ndim != 1 or weights._data.shape[0] != input._data.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dt = D.float32 if weights._dtype is D.float32 else D.float64
    return dispatch(_bincount, input, weights, minlength=minlength, dtype=dt)


@defop("histc")
def _histc(xp, a, *, bins, lo, hi):
    flat = a.reshape(-1)
    if lo == hi and flat.size:
        fin = flat[xp.isfinite(flat)]
        if fin.size:
            lo, hi = float(fin.min()), float(fin.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    keep = (flat >= lo) & (flat <= hi)
    v = flat[keep]
    pos = ((v - lo) * bins / (hi - lo)).astype(xp.int64)
    pos = xp.minimum(pos, bins - 1)
    return xp.bincount(pos, minlength=bins).astype(a.dtype)


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:
    """Histogram with ``bins`` equal-width bins over ``[min, max]`` (the data's range when equal)."""
    if input._dtype.category != D.FLOAT:
        raise _not_impl("histogram_cpu", input)
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if math.isinf(lo) or math.isinf(hi) or math.isnan(lo) or math.isnan(hi):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    return _out(dispatch(_histc, input.detach(), bins=int(bins), lo=lo, hi=hi), out)


# --------------------------------------------------------------------------------------
# sum_to_size (used by the autograd engine)

@defop("sum_to_size", saves=())
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


def _numpy_aliases(f):
    """Accept NumPy's ``axis=`` / ``keepdims=`` spellings, as PyTorch's argument parser does."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if kwargs:
            if "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return f(*args, **kwargs)

    return wrapper


(sum, mean, nansum, nanmean, prod, std, var, std_mean, var_mean, max, min, amax, amin, aminmax, argmax, argmin, all,
 any, logsumexp, cumsum, cumprod, cummax, cummin, logcumsumexp, median, nanmedian, mode, count_nonzero) = map(
    _numpy_aliases,
    (sum, mean, nansum, nanmean, prod, std, var, std_mean, var_mean, max, min, amax, amin, aminmax, argmax, argmin, all,
     any, logsumexp, cumsum, cumprod, cummax, cummin, logcumsumexp, median, nanmedian, mode, count_nonzero))

methods(sum, mean, nansum, nanmean, prod, std, var, max, min, amax, amin, aminmax, argmax, argmin, all, any,
        logsumexp, cumsum, cumprod, cummax, cummin, logcumsumexp, median, nanmedian, mode, count_nonzero,
        unique, unique_consecutive, bincount, histc, sum_to_size)


def _norm_method(self, p="fro", dim=None, keepdim=False, dtype=None):
    return norm(self, p, dim, keepdim, dtype=dtype)


methods(names={"norm": _norm_method})
inplace_methods(cumsum_=cumsum, cumprod_=cumprod)
