"""nn.functional: vision helpers -- pad, interpolate, pixel_shuffle / pixel_unshuffle, channel_shuffle,
affine_grid and grid_sample.

Padding (reflect / replicate / circular) and resampling (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area) are all separable index maps: along each spatial axis, output position ``j`` is
``sum_k w[j, k] * x[idx[j, k]]``. One registered op (``resample``) applies such a plan with ``xp.take``; its
backward (``resample_backward``) scatters with ``xp.add.at``; each is the other's backward, so gradients of any
order work. The plans (index and weight arrays) are computed with PyTorch's index conventions in the input's
compute precision (float32 for float32 / half inputs, float64 for float64), so boundaries land where PyTorch's do.
"""

from __future__ import annotations

import math

import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops.registry import defop

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "affine_grid", "grid_sample"]


# ======================================================================================
# the separable resampling op

def _compute_dtype(a):
    return a.dtype if a.dtype.kind == "f" and a.dtype.itemsize >= 4 else np.dtype("float32")


@defop("resample", grad_name=lambda kw: kw["gname"])
def _resample(xp, a, *, plan, gname):
    """``plan``: tuples ``(axis, in_size, idx (out, K) int64, w (out, K) float64 or None)``, applied in order."""
    orig = a.dtype
    if any(p[3] is not None for p in plan):
        if orig.kind != "f":
            raise NotImplementedError(f"\"{gname}\" not implemented for '{D._BY_NP[orig]._torch_name}'")
        a = a.astype(_compute_dtype(a), copy=False)
    for axis, _n, idx, w in plan:
        a = _apply_axis(xp, a, axis, idx, w)
    return a if a.dtype == orig else a.astype(orig)


def _apply_axis(xp, a, axis, idx, w):
    idx = xp.asarray(idx)
    if w is None and idx.shape[1] == 1:
        return xp.take(a, idx[:, 0], axis=axis)
    shape = [1] * a.ndim
    shape[axis] = -1
    w = xp.asarray(w, dtype=a.dtype)
    acc = None
    for k in range(idx.shape[1]):
        t = xp.take(a, idx[:, k], axis=axis)
        t *= w[:, k].reshape(shape)
        if acc is None:
            acc = t
        else:
            acc += t
    return acc


@_resample.defbackward
def _(ctx, g):
    kw = ctx.kwargs
    return dispatch(_resample_backward, g, plan=kw["plan"], gname=kw["gname"]),


@defop("resample_backward", grad_name=lambda kw: kw["gname"].replace("Backward0", "BackwardBackward0"))
def _resample_backward(xp, g, *, plan, gname):
    orig = g.dtype
    g = g.astype(_compute_dtype(g), copy=False)
    for axis, n, idx, w in reversed(plan):
        idx = xp.asarray(idx)
        shape = list(g.shape)
        shape[axis] = n
        res = xp.zeros(shape, dtype=g.dtype)
        rm = xp.moveaxis(res, axis, 0)
        gm = xp.moveaxis(g, axis, 0)
        wshape = (-1,) + (1,) * (g.ndim - 1)
        wa = None if w is None else xp.asarray(w, dtype=g.dtype)
        for k in range(idx.shape[1]):
            val = gm if wa is None else gm * wa[:, k].reshape(wshape)
            xp.add.at(rm, idx[:, k], val)
        g = res
    return g if g.dtype == orig else g.astype(orig)


@_resample_backward.defbackward
def _(ctx, gg):
    kw = ctx.kwargs
    return dispatch(_resample, gg, plan=kw["plan"], gname=kw["gname"]),


def _resample_fn(input, plan, gname):
    return dispatch(_resample, input, plan=tuple(plan), gname=gname)


# ======================================================================================
# pad

_NONCONST_MSG = ("Padding size {p} is not supported for {d}D input tensor.\n"
                 "Supported combinations for non-constant padding:\n"
                 "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                 "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                 "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


@defop("constant_pad_nd")
def _constant_pad(xp, a, *, pad, value=0):
    nd = a.ndim
    k = len(pad) // 2
    crop = [slice(None)] * nd
    widths = [(0, 0)] * nd
    cropping = padding = False
    for i in range(k):
        axis = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = a.shape[axis]
        s0 = -lo if lo < 0 else 0
        s1 = n + hi if hi < 0 else n
        if s0 or s1 != n:
            crop[axis] = slice(s0, max(s1, s0))
            cropping = True
        if lo > 0 or hi > 0:
            widths[axis] = (max(lo, 0), max(hi, 0))
            padding = True
    if cropping:
        a = a[tuple(crop)]
    if not padding:
        return a.copy()
    if a.dtype.kind == "b":
        fill = bool(value)
    elif a.dtype.kind in "iu":
        fill = int(value)
    else:
        fill = value
    shape = tuple(s + w[0] + w[1] for s, w in zip(a.shape, widths))
    out = xp.full(shape, fill, dtype=a.dtype)
    out[tuple(slice(w[0], w[0] + s) for s, w in zip(a.shape, widths))] = a
    return out


@_constant_pad.defbackward
def _(ctx, g):
    return dispatch(_constant_pad, g, pad=tuple(-p for p in ctx.kwargs["pad"])),


def _check_pad_arg(pad):
    if isinstance(pad, Tensor):
        pad = pad.tolist()
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    out = []
    for p in pad:
        if isinstance(p, Tensor):
            p = int(p)
        if not isinstance(p, int) or isinstance(p, bool):
            raise TypeError(f"pad(): argument 'pad' must be tuple of ints, but found element of type "
                            f"{type(p).__name__} at pos {len(out)}")
        out.append(p)
    return tuple(out)


def pad(input, pad, mode="constant", value=None) -> Tensor:
    """PyTorch's ``F.pad``: ``pad`` lists (left, right) amounts from the last dimension backwards; negative
    amounts crop. ``constant`` pads any number of dims; ``reflect``/``replicate``/``circular`` pad the last 1-3."""
    pad = _check_pad_arg(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.dim()
    if len(pad) // 2 > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {nd}")
    if mode == "constant":
        new_shape = list(input.shape)
        for i in range(len(pad) // 2):
            axis = nd - 1 - i
            new_shape[axis] += pad[2 * i] + pad[2 * i + 1]
            if new_shape[axis] < 0:
                raise RuntimeError(f"The input size {input.shape[axis]}, plus negative padding {pad[2 * i]} and "
                                   f"{pad[2 * i + 1]} resulted in a negative output size, which is invalid. "
                                   f"Check dimension {axis} of your input.")
        return dispatch(_constant_pad, input, pad=pad, value=0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    k = len(pad) // 2
    if not (1 <= k <= 3 and k + 1 <= nd <= k + 2):
        raise NotImplementedError(_NONCONST_MSG.format(p=len(pad), d=nd))
    shape = tuple(input.shape)
    if mode == "circular":
        return _circular_pad(input, pad, k)
    # PyTorch's kernels: all but the batch dim must be non-empty
    batch_ok = nd == k + 2
    if any(s == 0 for s in shape[1 if batch_ok else 0:]) or (not batch_ok and shape[0] == 0 and False):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(shape)}")
    plan = []
    for i in range(k):
        axis = nd - 1 - i
        n = shape[axis]
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input {list(shape)}")
        out_n = n + lo + hi
        if out_n < 1:
            raise RuntimeError(f"input (D: {n}) is too small. Calculated output D: {out_n}")
        src = np.arange(out_n, dtype=np.int64) - lo
        if mode == "reflect":
            if n == 1:
                src = np.zeros_like(src)
            else:
                period = 2 * (n - 1)
                src = np.abs(src) % period
                src = np.where(src >= n, period - src, src)
        else:
            src = np.clip(src, 0, n - 1)
        plan.append((axis, n, src[:, None], None))
    name = "ReflectionPad" if mode == "reflect" else "ReplicationPad"
    return _resample_fn(input, plan, f"{name}{k}DBackward0")


def _circular_pad(input, pad, k):
    nd = input.dim()
    shape = tuple(input.shape)
    # negative amounts crop first; the wrap-around then reads the cropped tensor (as PyTorch does)
    crop = [slice(None)] * nd
    for i in range(k):
        axis = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = shape[axis]
        if lo > n or hi > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        crop[axis] = slice(-lo if lo < 0 else 0, n + hi if hi < 0 else n)
    x = input
    if any(c != slice(None) for c in crop):
        x = input[tuple(crop)]
    plan = []
    xs = tuple(x.shape)
    for i in range(k):
        axis = nd - 1 - i
        lo, hi = max(pad[2 * i], 0), max(pad[2 * i + 1], 0)
        n = xs[axis]
        if lo or hi:
            if n == 0 or lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            src = (np.arange(n + lo + hi, dtype=np.int64) - lo) % n
            plan.append((axis, n, src[:, None], None))
    if not plan:
        return x.clone() if x is input else x
    return _resample_fn(x, plan, "CircularPadBackward0")


# ======================================================================================
# interpolate

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_MODE_DIMS = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}
_CUBIC_A = -0.75


def _nearest_plan(in_n, out_n, scale, exact, ct):
    s = ct.type(in_n / out_n) if scale is None else ct.type(1.0 / scale)
    dst = np.arange(out_n, dtype=ct)
    if exact:
        dst = dst + ct.type(0.5)
    src = np.floor(dst * s).astype(np.int64)
    return np.minimum(src, in_n - 1)[:, None], None


def _area_scale(in_n, out_n, align_corners, scale, ct):
    if align_corners:
        return ct.type((in_n - 1) / (out_n - 1)) if out_n > 1 else ct.type(0)
    return ct.type(in_n / out_n) if scale is None else ct.type(1.0 / scale)


def _linear_plan(in_n, out_n, align_corners, scale, ct):
    if in_n == out_n:
        idx = np.arange(out_n, dtype=np.int64)
        return np.stack([idx, idx], 1), np.stack([np.ones(out_n), np.zeros(out_n)], 1).astype(ct)
    s = _area_scale(in_n, out_n, align_corners, scale, ct)
    dst = np.arange(out_n, dtype=ct)
    if align_corners:
        real = s * dst
    else:
        real = s * (dst + ct.type(0.5)) - ct.type(0.5)
        real = np.maximum(real, ct.type(0))
    i0 = real.astype(np.int64)
    i1 = i0 + (i0 < in_n - 1)
    lam1 = np.clip(real - i0.astype(ct), 0, 1).astype(ct)
    lam0 = (ct.type(1) - lam1).astype(ct)
    return np.stack([i0, i1], 1), np.stack([lam0, lam1], 1)


def _cubic_weights(t, ct):
    a = ct.type(_CUBIC_A)
    one = ct.type(1)

    def cc1(x):
        return ((a + 2) * x - (a + 3)) * x * x + one

    def cc2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.stack([cc2(t + one), cc1(t), cc1(one - t), cc2(2 * one - t)], 1).astype(ct)


def _cubic_plan(in_n, out_n, align_corners, scale, ct):
    s = _area_scale(in_n, out_n, align_corners, scale, ct)
    dst = np.arange(out_n, dtype=ct)
    real = s * dst if align_corners else s * (dst + ct.type(0.5)) - ct.type(0.5)
    fl = np.floor(real)
    t = (real - fl).astype(ct)
    base = fl.astype(np.int64)
    idx = np.clip(base[:, None] + np.arange(-1, 3)[None, :], 0, in_n - 1)
    return idx, _cubic_weights(t, ct)


def _area_plan(in_n, out_n, ct):
    i = np.arange(out_n, dtype=np.int64)
    start = (i * in_n) // out_n
    end = -((-(i + 1) * in_n) // out_n)
    length = end - start
    kmax = int(length.max()) if out_n else 1
    offs = np.arange(kmax)[None, :]
    idx = np.minimum(start[:, None] + offs, in_n - 1)
    w = np.where(offs < length[:, None], 1.0 / length[:, None], 0.0).astype(ct)
    return idx, w


def _is_int_seq(v):
    return all(isinstance(s, int) and not isinstance(s, bool) for s in v)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:
    """PyTorch's ``F.interpolate`` for modes nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area
    (``antialias=True`` is not supported)."""
    nd = input.dim()
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = nd - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    f"Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input tensor "
                    f"in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not _is_int_seq(size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            out_size = list(size)
        else:
            out_size = [size] * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    f"Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. "
                    f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                    f"(s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if out_size is None:
        out_size = [math.floor(float(input.shape[i + 2]) * scales[i]) for i in range(dim)]
        if recompute_scale_factor:
            scales = None
    if antialias and not (mode in ("bilinear", "bicubic") and nd == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not supported by ember")
    if mode not in _MODES or nd not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the modes: nearest | linear | "
            f"bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})")
    need = _MODE_DIMS.get(mode)
    if need is not None and nd != need:
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {need}D input")
    in_size = list(input.shape[2:])
    if any(s <= 0 for s in in_size) or (mode != "area" and any(s <= 0 for s in out_size)):
        names = ["D", "H", "W"][-dim:]
        ins = ", ".join(f"{n}: {s}" for n, s in zip(names, in_size))
        outs = ", ".join(f"{n}: {s}" for n, s in zip(names, out_size))
        sep = " and" if dim == 1 else ""
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}){sep} "
                           f"output ({outs})")
    if mode in ("linear", "bilinear", "bicubic", "trilinear", "area") and input.dtype.category < D.FLOAT:
        kern = {"area": f"adaptive_avg_pool{dim}d"}.get(mode, f"upsample_{mode}{dim}d")
        raise NotImplementedError(f"\"{kern}_out_frame\" not implemented for '{input.dtype._torch_name}'")
    ct = np.dtype(np.float64) if input.dtype is D.float64 else np.dtype(np.float32)
    plan = []
    for i in range(dim):
        n, m = in_size[i], out_size[i]
        sc = None if scales is None else scales[i]
        if mode in ("nearest", "nearest-exact"):
            idx, w = _nearest_plan(n, m, sc, mode == "nearest-exact", ct)
        elif mode == "area":
            idx, w = _area_plan(n, m, ct)
        elif mode == "bicubic":
            idx, w = _cubic_plan(n, m, align_corners, sc, ct)
        else:
            idx, w = _linear_plan(n, m, align_corners, sc, ct)
        plan.append((2 + i, n, idx, w))
    if mode == "area":
        gname = f"AdaptiveAvgPool{dim}DBackward0"
    elif mode == "nearest-exact":
        gname = f"UpsampleNearestExact{dim}DBackward0"
    else:
        gname = f"Upsample{mode.capitalize()}{dim}DBackward0"
    return _resample_fn(input, plan, gname)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None) -> Tensor:
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ======================================================================================
# pixel / channel shuffle

def pixel_shuffle(input, upscale_factor) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = upscale_factor
    nd = input.dim()
    if nd < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {nd} "
                           f"dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    oc = c // (r * r)
    b = len(batch)
    x = input.reshape(*batch, oc, r, r, h, w)
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(*batch, oc, h * r, w * r)


def pixel_unshuffle(input, downscale_factor) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    r = downscale_factor
    nd = input.dim()
    if nd < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with {nd} "
                           f"dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    b = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


def channel_shuffle(input, groups) -> Tensor:
    """(N, g*k, *) -> channels reordered as the transpose of (g, k)."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    rest = tuple(input.shape[2:])
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


# ======================================================================================
# affine_grid / grid_sample

def _base_coords(n, align_corners, like):
    from ember.ops.creation import linspace
    if n <= 1:
        from ember.ops.creation import zeros
        return zeros(n, dtype=like.dtype, device=like.device)
    r = linspace(-1, 1, n, dtype=like.dtype, device=like.device)
    if not align_corners:
        r = r * ((n - 1) / n)
    return r


def _warn_align_corners():
    import warnings
    warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please "
                  "specify align_corners=True if the old behavior is desired. See the documentation of grid_sample for "
                  "details.", stacklevel=3)


def affine_grid(theta, size, align_corners=None) -> Tensor:
    """The sampling grid ``theta @ [x, y, (z,) 1]`` over the normalised output coordinates of ``size``."""
    from ember.ops.creation import ones
    from ember.ops.shape import stack
    if align_corners is None:
        _warn_align_corners()
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n = size[0]
    if len(size) == 4:
        h, w = spatial
        xs = _base_coords(w, align_corners, theta).reshape(1, w).expand(h, w)
        ys = _base_coords(h, align_corners, theta).reshape(h, 1).expand(h, w)
        base = stack([xs, ys, ones(h, w, dtype=theta.dtype, device=theta.device)], -1).reshape(1, h * w, 3)
        grid = base.matmul(theta.transpose(1, 2))  # (N, H*W, 2)
        return grid.reshape(n, h, w, 2)
    d, h, w = spatial
    xs = _base_coords(w, align_corners, theta).reshape(1, 1, w).expand(d, h, w)
    ys = _base_coords(h, align_corners, theta).reshape(1, h, 1).expand(d, h, w)
    zs = _base_coords(d, align_corners, theta).reshape(d, 1, 1).expand(d, h, w)
    base = stack([xs, ys, zs, ones(d, h, w, dtype=theta.dtype, device=theta.device)], -1).reshape(1, d * h * w, 4)
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape(n, d, h, w, 3)


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _reflect(x, lo2, hi2):
    """Reflect ``x`` into [lo2/2, hi2/2] (twice the bounds, as PyTorch's reflect_coordinates takes them)."""
    from ember.ops.logic import where
    if lo2 == hi2:
        return x * 0
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    x = (x - mn).abs()
    extra = x.fmod(span)
    flips = (x / span).floor()
    return where(flips.remainder(2) == 0, extra + mn, span - extra + mn)


def _compute_source(coord, size, padding_mode, align_corners):
    x = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        x = x.clamp(0, size - 1)
    elif padding_mode == "reflection":
        if align_corners:
            x = _reflect(x, 0, 2 * (size - 1))
        else:
            x = _reflect(x, -1, 2 * size - 1)
        x = x.clamp(0, size - 1)
    return x


def _gather_2d(inp_flat, iy, ix, h, w, padding_zero):
    """Values of ``inp_flat`` (N, C, H*W) at integer (iy, ix) (N, Ho, Wo), zero outside when ``padding_zero``."""
    from ember.ops.logic import where
    n, c = inp_flat.shape[0], inp_flat.shape[1]
    valid = None
    if padding_zero:
        valid = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    ixc = ix.clamp(0, w - 1)
    iyc = iy.clamp(0, h - 1)
    lin = (iyc * w + ixc).reshape(n, 1, -1).expand(n, c, -1)
    vals = inp_flat.gather(2, lin).reshape(n, c, *ix.shape[1:])
    if valid is not None:
        vals = where(valid.unsqueeze(1), vals, 0)
    return vals


def _gather_3d(inp_flat, iz, iy, ix, d, h, w, padding_zero):
    from ember.ops.logic import where
    n, c = inp_flat.shape[0], inp_flat.shape[1]
    valid = None
    if padding_zero:
        valid = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h) & (iz >= 0) & (iz < d)
    lin = ((iz.clamp(0, d - 1) * h + iy.clamp(0, h - 1)) * w + ix.clamp(0, w - 1)).reshape(n, 1, -1).expand(n, c, -1)
    vals = inp_flat.gather(2, lin).reshape(n, c, *ix.shape[1:])
    if valid is not None:
        vals = where(valid.unsqueeze(1), vals, 0)
    return vals


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None) -> Tensor:
    """Samples ``input`` (N, C, H, W) / (N, C, D, H, W) at the normalised locations of ``grid`` (N, Ho, Wo, 2) /
    (N, Do, Ho, Wo, 3); modes bilinear, nearest, bicubic (4-D only); padding zeros, border, reflection.
    Gradients flow to ``input`` and ``grid``."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        _warn_align_corners()
        align_corners = False
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but got "
                           f"grid with sizes {list(grid.shape)}")
    if input.dtype is not grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    if mode == "bicubic" and input.dim() == 5:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {i} being empty")
    zero_pad = padding_mode == "zeros"
    n, c = input.shape[0], input.shape[1]
    if input.dim() == 5:
        return _grid_sample_3d(input, grid, mode, padding_mode, align_corners)
    h, w = input.shape[2], input.shape[3]
    flat = input.reshape(n, c, h * w)
    gx, gy = grid[..., 0], grid[..., 1]
    if mode == "bicubic":
        return _grid_sample_bicubic(flat, gx, gy, h, w, padding_mode, align_corners)
    x = _compute_source(gx, w, padding_mode, align_corners)
    y = _compute_source(gy, h, padding_mode, align_corners)
    if mode == "nearest":
        ix = x.detach().round().long()
        iy = y.detach().round().long()
        return _gather_2d(flat, iy, ix, h, w, zero_pad)
    x0f, y0f = x.detach().floor(), y.detach().floor()
    tx, ty = (x - x0f).unsqueeze(1), (y - y0f).unsqueeze(1)
    x0, y0 = x0f.long(), y0f.long()
    x1, y1 = x0 + 1, y0 + 1
    v00 = _gather_2d(flat, y0, x0, h, w, zero_pad)
    v01 = _gather_2d(flat, y0, x1, h, w, zero_pad)
    v10 = _gather_2d(flat, y1, x0, h, w, zero_pad)
    v11 = _gather_2d(flat, y1, x1, h, w, zero_pad)
    return (v00 * (1 - tx) + v01 * tx) * (1 - ty) + (v10 * (1 - tx) + v11 * tx) * ty


def _grid_sample_3d(input, grid, mode, padding_mode, align_corners):
    zero_pad = padding_mode == "zeros"
    n, c, d, h, w = input.shape
    flat = input.reshape(n, c, d * h * w)
    x = _compute_source(grid[..., 0], w, padding_mode, align_corners)
    y = _compute_source(grid[..., 1], h, padding_mode, align_corners)
    z = _compute_source(grid[..., 2], d, padding_mode, align_corners)
    if mode == "nearest":
        return _gather_3d(flat, z.detach().round().long(), y.detach().round().long(), x.detach().round().long(),
                          d, h, w, zero_pad)
    x0f, y0f, z0f = x.detach().floor(), y.detach().floor(), z.detach().floor()
    tx, ty, tz = (x - x0f).unsqueeze(1), (y - y0f).unsqueeze(1), (z - z0f).unsqueeze(1)
    x0, y0, z0 = x0f.long(), y0f.long(), z0f.long()
    out = None
    for dz in (0, 1):
        wz = tz if dz else 1 - tz
        for dy in (0, 1):
            wy = ty if dy else 1 - ty
            for dx in (0, 1):
                wx = tx if dx else 1 - tx
                v = _gather_3d(flat, z0 + dz, y0 + dy, x0 + dx, d, h, w, zero_pad) * (wz * wy * wx)
                out = v if out is None else out + v
    return out


def _grid_sample_bicubic(flat, gx, gy, h, w, padding_mode, align_corners):
    x = _unnormalize(gx, w, align_corners)
    y = _unnormalize(gy, h, align_corners)
    x0f, y0f = x.detach().floor(), y.detach().floor()
    tx, ty = x - x0f, y - y0f
    wxs, wys = _cubic_coeffs(tx), _cubic_coeffs(ty)
    out = None
    for j in range(4):
        row = None
        for i in range(4):
            v = _bounded(flat, x0f + (i - 1), y0f + (j - 1), h, w, padding_mode, align_corners) * wxs[i].unsqueeze(1)
            row = v if row is None else row + v
        row = row * wys[j].unsqueeze(1)
        out = row if out is None else out + row
    return out


def _cubic_coeffs(t):
    a = _CUBIC_A

    def cc1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def cc2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)]


def _bounded(flat, xf, yf, h, w, padding_mode, align_corners):
    """The bicubic tap at integer-valued float coords (xf, yf), after the padding mode's coordinate mapping."""
    if padding_mode != "zeros":
        xf = _compute_source_unnormalized(xf, w, padding_mode, align_corners)
        yf = _compute_source_unnormalized(yf, h, padding_mode, align_corners)
    return _gather_2d(flat, yf.long(), xf.long(), h, w, padding_mode == "zeros")


def _compute_source_unnormalized(x, size, padding_mode, align_corners):
    if padding_mode == "border":
        return x.clamp(0, size - 1)
    if align_corners:
        x = _reflect(x, 0, 2 * (size - 1))
    else:
        x = _reflect(x, -1, 2 * size - 1)
    return x.clamp(0, size - 1)
