"""nn.functional: normalization (batch_norm, layer_norm, group_norm, instance_norm, rms_norm,
local_response_norm).

``batch_norm``, ``layer_norm`` and ``group_norm`` are fused registered ops (PyTorch's
``native_*`` ops): the forward computes the statistics with float32 (or float64)
accumulation in a few array passes and keeps mean/rstd as extra outputs; the backward rule
runs a fused closed-form op (``native_*_backward``) giving input, weight and bias gradients
at once. Under ``create_graph=True`` the rule instead computes the same closed form with
ember ops, so higher-order gradients work.

Statistics: per-row sums use matrix-vector products (BLAS) and sums of squares a batched
dot product; when a mean is large compared to the spread (``mean**2 > var``), where the
one-pass ``E[x^2] - mean^2`` would lose precision, the variance is recomputed from centred
values.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np

from ember import _dtype as D
from ember._dispatch import bump_version, dispatch
from ember._tensor import Size, Tensor, _make
from ember.autograd import grad_mode
from ember.ops.registry import defop

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm", "local_response_norm"]

_grad_state = grad_mode.state
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_LOWP = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))


# --------------------------------------------------------------------------------------
# array helpers (xp code)

def _cdt(dt):
    """The compute dtype for arrays of ``dt``: float64 stays, everything else float32."""
    return _F64 if dt == _F64 else _F32


def _as(xp, a, dt):
    return None if a is None else (a if a.dtype == dt else a.astype(dt))


def _rowsum(xp, r):
    """Sum of each row of a 2-d array (BLAS matrix-vector product when contiguous)."""
    if r.shape[1] >= 8 and r.flags.c_contiguous:
        return r @ xp.ones(r.shape[1], r.dtype)
    return r.sum(axis=1)


def _rowdot(xp, a, b):
    """Per-row dot products of two (M, L) arrays."""
    if a.shape[1] >= 8:
        return xp.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]
    return xp.einsum("ij,ij->i", a, b)


def _colsum(xp, r):
    """Sum over rows of a 2-d array (float64 accumulation for many rows)."""
    if r.shape[0] >= 8 and r.flags.c_contiguous:
        return xp.ones(r.shape[0], r.dtype) @ r
    return r.sum(axis=0)


def _channel_sums(xp, x3):
    """(sum, sum of squares) per channel of an (N, C, L) array, accumulated in float64."""
    n, c, l_ = x3.shape
    if l_ >= 8:
        rows = x3.reshape(n * c, l_)
        s1 = _rowsum(xp, rows).reshape(n, c).sum(axis=0, dtype=_F64)
        s2 = _rowdot(xp, rows, rows).reshape(n, c).sum(axis=0, dtype=_F64)
    else:
        s1 = x3.sum(axis=(0, 2), dtype=_F64)
        s2 = xp.einsum("ncl,ncl->c", x3, x3).astype(_F64)
    return s1, s2


def _channel_dot(xp, a3, b3):
    n, c, l_ = a3.shape
    if l_ >= 8:
        return _rowdot(xp, a3.reshape(n * c, l_), b3.reshape(n * c, l_)).reshape(n, c).sum(axis=0, dtype=_F64)
    return xp.einsum("ncl,ncl->c", a3, b3).astype(_F64)


def _channel_sum(xp, a3):
    n, c, l_ = a3.shape
    if l_ >= 8:
        return _rowsum(xp, a3.reshape(n * c, l_)).reshape(n, c).sum(axis=0, dtype=_F64)
    return a3.sum(axis=(0, 2), dtype=_F64)


def _as3(xp, x, dt):
    """``x`` (N, C, *) as a contiguous (N, C, L) array of dtype ``dt``."""
    n, c = x.shape[0], x.shape[1]
    x3 = xp.ascontiguousarray(x).reshape(n, c, -1) if x.ndim != 3 else xp.ascontiguousarray(x)
    return x3 if x3.dtype == dt else x3.astype(dt)


def _bn_stats(xp, x3):
    """Biased per-channel mean and variance (float64) of an (N, C, L) array."""
    n, _, l_ = x3.shape
    cnt = n * l_
    s1, s2 = _channel_sums(xp, x3)
    mean = s1 / cnt
    var = s2 / cnt - mean * mean
    if cnt and bool((mean * mean > var).any()):  # cancellation risk: centre first
        d = x3 - mean.astype(x3.dtype)[:, None]
        var = _channel_dot(xp, d, d) / cnt
    return mean, xp.maximum(var, 0.0)


# --------------------------------------------------------------------------------------
# batch_norm

@defop("native_batch_norm", multi_out=True, save_out=(1, 2), saves=(0, 1), grad_name="NativeBatchNormBackward0")
def _native_batch_norm(xp, x, w, b, rm, rv, *, training, momentum, eps):
    dt = _cdt(x.dtype)
    x3 = _as3(xp, x, dt)
    c = x3.shape[1]
    if training:
        mean, var = _bn_stats(xp, x3)
        if rm is not None:
            rm *= 1.0 - momentum
            rm += (mean * momentum).astype(rm.dtype)
        if rv is not None:
            cnt = x3.shape[0] * x3.shape[2]
            rv *= 1.0 - momentum
            rv += (var * (momentum * cnt / (cnt - 1) if cnt > 1 else math.nan)).astype(rv.dtype)
        rstd = 1.0 / xp.sqrt(var + eps)
        mean_c, rstd_c = mean.astype(dt), rstd.astype(dt)
    else:
        mean_c = rm.astype(dt)
        rstd_c = (1.0 / xp.sqrt(rv.astype(_F64) + eps)).astype(dt)
    scale = rstd_c if w is None else rstd_c * w.astype(dt, copy=False)
    shift = -mean_c * scale
    if b is not None:
        shift += b.astype(dt, copy=False)
    y = xp.multiply(x3, scale.reshape(1, c, 1))
    y += shift.reshape(1, c, 1)
    return y.astype(x.dtype, copy=False).reshape(x.shape), mean_c, rstd_c


@defop("native_batch_norm_backward", multi_out=True)
def _native_batch_norm_backward(xp, g, x, w, mean, rstd, *, training, need):
    dt = _cdt(x.dtype)
    x3 = _as3(xp, x, dt)
    g3 = _as3(xp, g, dt)
    n, c, l_ = x3.shape
    cnt = n * l_
    sum_g = _channel_sum(xp, g3)
    mean64 = mean.astype(_F64)
    rstd64 = rstd.astype(_F64)
    if bool((mean64 * mean64 * rstd64 * rstd64 > 1.0).any()):  # centre first (precision)
        dot = _channel_dot(xp, g3, x3 - mean.reshape(1, c, 1))
    else:
        dot = _channel_dot(xp, g3, x3) - mean64 * sum_g
    gw = dot * rstd64  # sum(g * xhat)
    w64 = 1.0 if w is None else w.astype(_F64)
    empty = xp.empty(0, dt)
    gi = empty
    if need[0]:
        a = w64 * rstd64
        if training and cnt:
            k = -a * rstd64 * gw / cnt
            k0 = -a * sum_g / cnt - k * mean64
            gi = xp.multiply(g3, a.astype(dt).reshape(1, c, 1))
            gi += xp.multiply(x3, k.astype(dt).reshape(1, c, 1))
            gi += k0.astype(dt).reshape(1, c, 1)
        else:
            gi = xp.multiply(g3, (a * xp.ones(c)).astype(dt).reshape(1, c, 1))
        gi = gi.reshape(x.shape)
    return gi, (gw.astype(dt) if need[1] else empty), (sum_g.astype(dt) if need[2] else empty)


def _bcast(t: Tensor, ndim: int) -> Tensor:
    """A per-channel (C,) tensor shaped (1, C, 1, ...) for an ndim-d input."""
    return t.reshape((1, -1) + (1,) * (ndim - 2))


def _bn_composite_backward(ctx, g):
    """The closed-form gradients in ember ops (differentiable: used under create_graph)."""
    x, w, _b, rm, rv = ctx.args
    kw = ctx.kwargs
    dims = (0,) + tuple(range(2, x.dim()))
    nd = x.dim()
    xf = x if x._dtype.category >= D.FLOAT and x._dtype not in (D.float16, D.bfloat16) else x.float()
    gf = g.to(xf.dtype)
    if kw["training"]:
        mean = xf.mean(dims, keepdim=True)
        xc = xf - mean
        rstd = ((xc * xc).mean(dims, keepdim=True) + kw["eps"]).rsqrt()
    else:
        mean = _bcast(rm.detach().to(xf.dtype), nd)
        xc = xf - mean
        rstd = _bcast((rv.detach().to(xf.dtype) + kw["eps"]).rsqrt(), nd)
    xhat = xc * rstd
    gxh = (gf * xhat).sum(dims)
    gb = gf.sum(dims)
    a = rstd if w is None else rstd * _bcast(w.to(xf.dtype), nd)
    if kw["training"]:
        cnt = x.numel() // max(x.shape[1], 1)
        gi = a * (gf - _bcast(gb, nd) / cnt - xhat * _bcast(gxh, nd) / cnt)
    else:
        gi = gf * a
    return gi, (gxh if w is not None else None), (gb if _b is not None else None), None, None


@_native_batch_norm.defbackward
def _(ctx, g, _gm=None, _gr=None):
    if _grad_state.enabled:
        return _bn_composite_backward(ctx, g)
    x, w, b, _rm, _rv = ctx.args
    need = ctx.needs_input_grad
    _y, mean, rstd = ctx._saved_out
    dev = x._device
    mean_t = _make(mean, D._BY_NP[mean.dtype], dev)
    rstd_t = _make(rstd, D._BY_NP[rstd.dtype], dev)
    gi, gw, gb = dispatch(_native_batch_norm_backward, g, x, w, mean_t, rstd_t, training=ctx.kwargs["training"],
                          need=(need[0], need[1], need[2]))
    return (gi if need[0] else None), (gw if need[1] else None), (gb if need[2] else None), None, None


def _check_float(x: Tensor, kernel: str) -> None:
    if x._dtype.category != D.FLOAT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{x._dtype._torch_name}'")


def _size_str(shape) -> str:
    return repr(Size(tuple(shape)))


def _check_numel(name: str, t, c: int) -> None:
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05) -> Tensor:
    """Batch normalisation over dim 1 (``torch.nn.functional.batch_norm``); updates the running
    statistics in place when training."""
    shape = input.shape
    if training:
        size = 1
        for i, s in enumerate(shape):
            if i != 1:
                size *= s
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{_size_str(shape)}")
    _check_float(input, "batch_norm")
    if input.dim() < 2:
        raise RuntimeError(f"batch_norm(): expected input to have at least 2 dimensions, but got {input.dim()}")
    c = shape[1]
    _check_numel("running_mean", running_mean, c)
    _check_numel("running_var", running_var, c)
    _check_numel("weight", weight, c)
    _check_numel("bias", bias, c)
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    if momentum is None:
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not NoneType")
    out = dispatch(_native_batch_norm, input, weight, bias, running_mean, running_var, training=bool(training),
                   momentum=float(momentum), eps=float(eps))[0]
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                bump_version(t)
    return out


# --------------------------------------------------------------------------------------
# layer_norm

def _ln_rows(xp, x, k):
    """``x`` as a contiguous (M, D) array of the compute dtype, normalising its last k dims."""
    dt = _cdt(x.dtype)
    d = 1
    for s in x.shape[x.ndim - k:]:
        d *= s
    r = xp.ascontiguousarray(x).reshape(-1, d)
    return r if r.dtype == dt else r.astype(dt)


def _row_norm(xp, r):
    """(x - mean), mean, biased var for each row of r (two passes; the centred array is reused)."""
    m, d = r.shape
    if d == 0:
        return r.copy(), xp.zeros(m, r.dtype), xp.full(m, xp.nan, r.dtype)
    mean = r @ xp.full(d, 1.0 / d, r.dtype) if r.shape[1] >= 8 else r.mean(axis=1)
    xc = r - mean[:, None]
    var = _rowdot(xp, xc, xc) / d
    return xc, mean, var


@defop("native_layer_norm", multi_out=True, save_out=(1, 2), saves=(0, 1), grad_name="NativeLayerNormBackward0")
def _native_layer_norm(xp, x, w, b, *, k, eps):
    r = _ln_rows(xp, x, k)
    dt = r.dtype
    xc, mean, var = _row_norm(xp, r)
    rstd = 1.0 / xp.sqrt(var + dt.type(eps))
    xc *= rstd[:, None]
    if w is not None:
        xc *= _as(xp, w, dt).reshape(-1)
    if b is not None:
        xc += _as(xp, b, dt).reshape(-1)
    stat_shape = x.shape[:x.ndim - k] + (1,) * k
    return xc.astype(x.dtype, copy=False).reshape(x.shape), mean.reshape(stat_shape), rstd.reshape(stat_shape)


def _rows_backward(xp, g, w, r, mean, rstd, need):
    """Gradients of row normalisation ``y = (r - mean) * rstd * w + b`` (rows of an (M, D) array):
    input (M, D), weight and bias (D,), in a few passes. ``w`` None: no affine weight."""
    d = r.shape[1]
    if d == 0:
        return xp.zeros_like(r), xp.zeros(0, r.dtype), xp.zeros(0, r.dtype)
    if bool((mean * mean * rstd * rstd > 1.0).any()):  # large means: centre first (precision)
        xs = r - mean[:, None]
        mu = xp.zeros_like(mean)
    else:
        xs, mu = r, mean
    gw_ = g if w is None else g * w
    s1 = _rowsum(xp, gw_) if w is None else g @ w       # sum of dL/dxhat per row
    s2 = rstd * (_rowdot(xp, gw_, xs) - mu * s1)        # sum of dL/dxhat * xhat per row
    gW = gB = None
    if need[1]:
        gW = _colsum_w(xp, g * xs, rstd) - _colsum_w(xp, g, mu * rstd)
    if need[2]:
        gB = _colsum(xp, g)
    gi = None
    if need[0]:
        bc = rstd * rstd * s2 / -d
        cc = rstd * s1 / -d - bc * mu
        if w is None:
            gi = xp.multiply(gw_, rstd[:, None])
        else:
            gi = gw_
            gi *= rstd[:, None]
        gi += xs * bc[:, None]
        gi += cc[:, None]
    return gi, gW, gB


def _colsum_w(xp, a, v):
    """``v @ a``: rows of ``a`` weighted by ``v`` and summed."""
    return v @ a if a.flags.c_contiguous else (a * v[:, None]).sum(axis=0)


@defop("native_layer_norm_backward", multi_out=True)
def _native_layer_norm_backward(xp, g, x, w, mean, rstd, *, k, need):
    r = _ln_rows(xp, x, k)
    dt = r.dtype
    gr = _ln_rows(xp, g, k)
    wr = None if w is None else _as(xp, w, dt).reshape(-1)
    gi, gw, gb = _rows_backward(xp, gr, wr, r, mean.reshape(-1), rstd.reshape(-1), need)
    empty = xp.empty(0, dt)
    return (empty if gi is None else gi.reshape(x.shape)), (empty if gw is None else gw.reshape(w.shape)), \
        (empty if gb is None else gb.reshape(w.shape if w is not None else (-1,)))


def _ln_composite_backward(ctx, g):
    x, w, b = ctx.args
    k, eps = ctx.kwargs["k"], ctx.kwargs["eps"]
    dims = tuple(range(x.dim() - k, x.dim()))
    lead = tuple(range(x.dim() - k))
    xf = x.float() if x._dtype in (D.float16, D.bfloat16) else x
    gf = g.to(xf.dtype)
    mean = xf.mean(dims, keepdim=True)
    xc = xf - mean
    rstd = ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = xc * rstd
    gw = (gf * xhat).sum(lead) if w is not None else None
    gb = gf.sum(lead) if b is not None else None
    gh = gf * w.to(xf.dtype) if w is not None else gf
    gi = rstd * (gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True))
    return gi, gw, gb


@_native_layer_norm.defbackward
def _(ctx, g, _gm=None, _gr=None):
    if _grad_state.enabled:
        return _ln_composite_backward(ctx, g)
    x, w, b = ctx.args
    need = ctx.needs_input_grad
    _y, mean, rstd = ctx._saved_out
    dev = x._device
    gi, gw, gb = dispatch(_native_layer_norm_backward, g, x, w, _make(mean, D._BY_NP[mean.dtype], dev),
                          _make(rstd, D._BY_NP[rstd.dtype], dev), k=ctx.kwargs["k"],
                          need=(need[0], need[1], need[2]))
    return (gi if need[0] else None), (gw if need[1] else None), (gb if need[2] else None)


def _norm_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims (``torch.nn.functional.layer_norm``)."""
    ns = _norm_shape(normalized_shape)
    k = len(ns)
    shape = tuple(input.shape)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(ns)}")
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in ns)}], but got input of size{list(shape)}")
    _check_float(input, "LayerNormKernelImpl")
    return dispatch(_native_layer_norm, input, weight, bias, k=k, eps=float(eps))[0]


# --------------------------------------------------------------------------------------
# group_norm

@defop("native_group_norm", multi_out=True, save_out=(1, 2), saves=(0, 1), grad_name="NativeGroupNormBackward0")
def _native_group_norm(xp, x, w, b, *, groups, eps):
    n, c = x.shape[0], x.shape[1]
    dt = _cdt(x.dtype)
    r = xp.ascontiguousarray(x).reshape(n * groups, -1)
    r = r if r.dtype == dt else r.astype(dt)
    xc, mean, var = _row_norm(xp, r)
    rstd = 1.0 / xp.sqrt(var + dt.type(eps))
    xc *= rstd[:, None]
    y = xc.reshape(n, c, -1)
    if w is not None:
        y *= _as(xp, w, dt).reshape(1, c, 1)
    if b is not None:
        y += _as(xp, b, dt).reshape(1, c, 1)
    return y.astype(x.dtype, copy=False).reshape(x.shape), mean.reshape(n, groups), rstd.reshape(n, groups)


@defop("native_group_norm_backward", multi_out=True)
def _native_group_norm_backward(xp, g, x, w, mean, rstd, *, groups, need):
    n, c = x.shape[0], x.shape[1]
    dt = _cdt(x.dtype)
    r = xp.ascontiguousarray(x).reshape(n * groups, -1)
    r = r if r.dtype == dt else r.astype(dt)
    g3 = _as3(xp, g, dt)
    mean1, rstd1 = mean.reshape(-1), rstd.reshape(-1)
    empty = xp.empty(0, dt)
    gw = gb = empty
    if need[1]:  # sum over (n, l) of g * xhat, per channel
        xhat = r - mean1[:, None]
        xhat *= rstd1[:, None]
        gw = _channel_dot(xp, g3, xhat.reshape(n, c, -1)).astype(dt)
    if need[2]:
        gb = _channel_sum(xp, g3).astype(dt)
    gi = empty
    if need[0]:
        gh = g3 * _as(xp, w, dt).reshape(1, c, 1) if w is not None else g3
        gi = _rows_backward(xp, gh.reshape(n * groups, -1), None, r, mean1, rstd1, (True, False, False))[0]
        gi = gi.reshape(x.shape)
    return gi, gw, gb


def _gn_composite_backward(ctx, g):
    x, w, b = ctx.args
    groups, eps = ctx.kwargs["groups"], ctx.kwargs["eps"]
    n = x.shape[0]
    nd = x.dim()
    xf = x.float() if x._dtype in (D.float16, D.bfloat16) else x
    gf = g.to(xf.dtype)
    xr = xf.reshape(n, groups, -1)
    mean = xr.mean(2, keepdim=True)
    xc = xr - mean
    rstd = ((xc * xc).mean(2, keepdim=True) + eps).rsqrt()
    xhat = (xc * rstd).reshape(x.shape)
    dims = (0,) + tuple(range(2, nd))
    gw = (gf * xhat).sum(dims) if w is not None else None
    gb = gf.sum(dims) if b is not None else None
    gh = gf * _bcast(w.to(xf.dtype), nd) if w is not None else gf
    ghr = gh.reshape(n, groups, -1)
    xhr = xhat.reshape(n, groups, -1)
    gi = rstd * (ghr - ghr.mean(2, keepdim=True) - xhr * (ghr * xhr).mean(2, keepdim=True))
    return gi.reshape(x.shape), gw, gb


@_native_group_norm.defbackward
def _(ctx, g, _gm=None, _gr=None):
    if _grad_state.enabled:
        return _gn_composite_backward(ctx, g)
    x, w, b = ctx.args
    need = ctx.needs_input_grad
    _y, mean, rstd = ctx._saved_out
    dev = x._device
    gi, gw, gb = dispatch(_native_group_norm_backward, g, x, w, _make(mean, D._BY_NP[mean.dtype], dev),
                          _make(rstd, D._BY_NP[rstd.dtype], dev), groups=ctx.kwargs["groups"],
                          need=(need[0], need[1], need[2]))
    return (gi if need[0] else None), (gw if need[1] else None), (gb if need[2] else None)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05) -> Tensor:
    """Normalise over groups of channels (``torch.nn.functional.group_norm``)."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = list(input.shape)
    c = shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {shape} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {shape}")
    _check_float(input, "GroupNormKernelImpl")
    return dispatch(_native_group_norm, input, weight, bias, groups=int(num_groups), eps=float(eps))[0]


# --------------------------------------------------------------------------------------
# instance_norm (batch_norm over the (1, N*C, *) view, as PyTorch), rms_norm, local_response_norm

def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05) -> Tensor:
    """Per-sample, per-channel normalisation (``torch.nn.functional.instance_norm``)."""
    shape = tuple(input.shape)
    if use_input_stats:
        size = 1
        for s in shape[2:]:
            size *= s
        if size == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"{_size_str(shape)}")
    n, c = shape[0], shape[1]
    x = input.reshape((1, n * c) + shape[2:])
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    rm = running_mean.repeat(n) if running_mean is not None else None
    rv = running_var.repeat(n) if running_var is not None else None
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        from ember.autograd.grad_mode import no_grad
        with no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.reshape(n, c).mean(0))
            if running_var is not None:
                running_var.copy_(rv.reshape(n, c).mean(0))
    return out.reshape(shape)


def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """``x / sqrt(mean(x**2 over the last dims) + eps) * weight`` (``torch.nn.functional.rms_norm``)."""
    ns = _norm_shape(normalized_shape)
    k = len(ns)
    shape = tuple(input.shape)
    if k == 0 or len(shape) < k or shape[len(shape) - k:] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{', '.join(str(s) for s in ns)}], but got input of size{list(shape)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(ns)}")
    dims = tuple(range(-k, 0))
    low = input._dtype in (D.float16, D.bfloat16)
    x = input.float() if low else input
    if eps is None:
        eps = D.finfo(x._dtype).eps
    y = x * (x * x).mean(dims, keepdim=True).add(eps).rsqrt()
    if low:
        y = y.to(input._dtype)
    if weight is not None:
        y = y * weight
    return y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0) -> Tensor:
    """Normalise each element by the squares of its ``size`` neighbouring channels
    (``torch.nn.functional.local_response_norm``)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    from ember.ops.shape import cat
    sq = input * input
    c = input.shape[1]
    front, back = size // 2, (size - 1) // 2
    parts = []
    if front:
        parts.append(sq.new_zeros((sq.shape[0], front) + tuple(sq.shape[2:])))
    parts.append(sq)
    if back:
        parts.append(sq.new_zeros((sq.shape[0], back) + tuple(sq.shape[2:])))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    acc = padded[:, 0:c]
    for j in range(1, size):
        acc = acc + padded[:, j:j + c]
    div = (acc * (alpha / size) + k) ** beta
    return input / div
