"""nn.functional: pooling (max, average, adaptive, power-average) and max-unpooling.

Registered ops (N-d; the front-ends add a batch dim to unbatched input):

- ``max_pool``: windows from ``prod(kernel)`` shifted strided slices of the ``-inf``-padded
  input, ``argmax`` over them; returns (values, flat spatial indices as PyTorch's);
- ``adaptive_max_pool``: windows gathered by index (variable window bounds), same outputs;
- ``max_pool_backward``: the gradient scattered (summed) back to the argmax positions;
  its own gradient is a gather, so double backward works;
- ``avg_pool`` / ``avg_pool_backward``: linear, each the other's adjoint.

``adaptive_avg_pool`` is a product of per-dimension averaging matrices (GEMMs); ``lp_pool``
and ``max_unpool`` are composites.
"""

from __future__ import annotations

import itertools

import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops.registry import defop

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
           "max_unpool2d", "max_unpool3d"]


def _prod(xs) -> int:
    p = 1
    for v in xs:
        p *= v
    return p


# --------------------------------------------------------------------------------------
# array helpers

def _out_size(size, k, s, p, d, ceil):
    num = size + 2 * p - d * (k - 1) - 1
    o = (num + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= size + p:
        o -= 1
    return o


def _out_sizes(sizes, ks, st, pd, dl, ceil):
    return tuple(_out_size(n, k, s, p, d, ceil) for n, k, s, p, d in zip(sizes, ks, st, pd, dl))


def _lowest(xp, dtype):
    if dtype.kind == "f" or dtype.kind == "V" or str(dtype) == "bfloat16":
        return xp.array(-np.inf, dtype=dtype)
    if dtype.kind == "b":
        return xp.array(False)
    return xp.array(np.iinfo(dtype).min, dtype=dtype)


def _pad_to(xp, x, pads, fill):
    """``x`` padded on its trailing dims by (lo, hi) pairs with ``fill``."""
    if not any(lo or hi for lo, hi in pads):
        return x
    n = len(pads)
    sp = x.shape[-n:]
    shape = x.shape[:-n] + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads))
    out = xp.full(shape, fill, dtype=x.dtype) if fill is not None else xp.zeros(shape, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(sp, pads))] = x
    return out


def _pads(sizes, osz, ks, st, pd, dl):
    """(lo, hi) padding so every window of the output fits (ceil_mode windows may run past)."""
    return tuple((p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                 for n, o, k, s, p, d in zip(sizes, osz, ks, st, pd, dl))


def _slices(ks, dl, st, osz):
    ranges = [[slice(i * d, i * d + s * (o - 1) + 1, s) for i in range(k)] for k, d, s, o in zip(ks, dl, st, osz)]
    return [(Ellipsis,) + t for t in itertools.product(*ranges)]


def _flat_positions(xp, kidx, ks, st, pd, dl, sizes, osz):
    """Flat input positions (PyTorch's indices) of window offsets ``kidx`` (..., *osz)."""
    nd = len(ks)
    offs = xp.unravel_index(kidx, ks) if nd > 1 else (kidx,)
    flat = None
    mult = 1
    for d in range(nd - 1, -1, -1):
        o = xp.arange(osz[d], dtype=np.int64).reshape((-1,) + (1,) * (nd - 1 - d))
        pos = o * st[d] - pd[d] + offs[d].astype(np.int64) * dl[d]
        flat = pos * mult if flat is None else flat + pos * mult
        mult *= sizes[d]
    return flat


# --------------------------------------------------------------------------------------
# max pooling

def _max_pool_name(kwargs) -> str:
    return f"MaxPool{len(kwargs['kernel_size'])}DWithIndicesBackward0"


@defop("max_pool", multi_out=True, save_out=True, grad_name=_max_pool_name)
def _max_pool(xp, x, *, kernel_size, stride, padding, dilation, ceil_mode):
    nd = len(kernel_size)
    sizes = x.shape[-nd:]
    osz = _out_sizes(sizes, kernel_size, stride, padding, dilation, ceil_mode)
    xpad = _pad_to(xp, x, _pads(sizes, osz, kernel_size, stride, padding, dilation), _lowest(xp, x.dtype))
    sl = _slices(kernel_size, dilation, stride, osz)
    if len(sl) == 1:
        vals = xp.ascontiguousarray(xpad[sl[0]])
        kidx = xp.zeros(vals.shape, dtype=np.int64)
    else:
        win = xp.stack([xpad[s] for s in sl])
        kidx = win.argmax(axis=0)
        vals = xp.take_along_axis(win, kidx[None], axis=0)[0]
    return vals, _flat_positions(xp, kidx, kernel_size, stride, padding, dilation, sizes, osz)


@_max_pool.defbackward
def _(ctx, g, _gi=None):
    (x,) = ctx.args
    idx = ctx.out[1]
    return (dispatch(_max_pool_backward, g, idx, input_size=tuple(x.shape)),)


def _mpb_name(kwargs) -> str:
    return "MaxPoolBackwardBackward0"


@defop("max_pool_backward", grad_name=_mpb_name)
def _max_pool_backward(xp, g, idx, *, input_size):
    n, c = g.shape[:2]
    m = _prod(input_size[2:])
    nc = n * c
    flat = (idx.reshape(nc, _prod(idx.shape[2:])) + xp.arange(nc, dtype=np.int64)[:, None] * m).ravel()
    out = xp.zeros(nc * m, dtype=g.dtype)
    xp.add.at(out, flat, g.reshape(-1))
    return out.reshape(input_size)


@_max_pool_backward.defbackward
def _(ctx, gg):
    g, idx = ctx.args
    n, c = g.shape[:2]
    return gg.reshape(n, c, -1).gather(2, idx.reshape(n, c, -1)).reshape(g.shape), None


# --------------------------------------------------------------------------------------
# average pooling

def _divisor(xp, sizes, osz, ks, st, pd, count_include_pad, divisor_override, dtype):
    if divisor_override:
        return divisor_override
    div = None
    nd = len(ks)
    for d in range(nd):
        o = np.arange(osz[d])
        start = o * st[d] - pd[d]
        end = np.minimum(start + ks[d], sizes[d] + pd[d])
        if count_include_pad:
            cnt = end - start
        else:
            cnt = np.minimum(end, sizes[d]) - np.maximum(start, 0)
        cnt = cnt.reshape((-1,) + (1,) * (nd - 1 - d))
        div = cnt if div is None else div * cnt
    return xp.asarray(div.astype(dtype if dtype.kind == "f" else np.int64))


def _avg_name(kwargs) -> str:
    return f"AvgPool{len(kwargs['kernel_size'])}DBackward0"


@defop("avg_pool", grad_name=_avg_name)
def _avg_pool(xp, x, *, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    nd = len(kernel_size)
    sizes = x.shape[-nd:]
    dl = (1,) * nd
    osz = _out_sizes(sizes, kernel_size, stride, padding, dl, ceil_mode)
    xpad = _pad_to(xp, x, _pads(sizes, osz, kernel_size, stride, padding, dl), None)
    sl = _slices(kernel_size, dl, stride, osz)
    acc_dt = np.float32 if x.dtype.itemsize < 4 and x.dtype.kind == "f" else None
    acc = xpad[sl[0]].astype(acc_dt or x.dtype, copy=True)
    for s in sl[1:]:
        acc += xpad[s]
    div = _divisor(xp, sizes, osz, kernel_size, stride, padding, count_include_pad, divisor_override, acc.dtype)
    if x.dtype.kind in "iu":
        q = xp.abs(acc) // xp.abs(div)
        return (xp.sign(acc) * xp.sign(div) * q).astype(x.dtype)
    return (acc / div).astype(x.dtype, copy=False)


@_avg_pool.defbackward
def _(ctx, g):
    (x,) = ctx.args
    return (dispatch(_avg_pool_backward, g, input_size=tuple(x.shape[-len(ctx.kwargs["kernel_size"]):]),
                     **ctx.kwargs),)


@defop("avg_pool_backward", grad_name="AvgPoolBackwardBackward0")
def _avg_pool_backward(xp, g, *, input_size, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override):
    nd = len(kernel_size)
    dl = (1,) * nd
    osz = g.shape[-nd:]
    div = _divisor(xp, input_size, osz, kernel_size, stride, padding, count_include_pad, divisor_override, g.dtype)
    gd = (g / div).astype(g.dtype, copy=False)
    pads = _pads(input_size, osz, kernel_size, stride, padding, dl)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(input_size, pads))
    buf = xp.zeros(g.shape[:-nd] + padded, dtype=g.dtype)
    for s in _slices(kernel_size, dl, stride, osz):
        buf[s] += gd
    return xp.ascontiguousarray(buf[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(input_size, pads))])


@_avg_pool_backward.defbackward
def _(ctx, gg):
    kw = {k: v for k, v in ctx.kwargs.items() if k != "input_size"}
    return (dispatch(_avg_pool, gg, **kw),)


# --------------------------------------------------------------------------------------
# adaptive max pooling

def _adaptive_bounds(n, o):
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    return start, end


def _adaptive_max_name(kwargs) -> str:
    return f"AdaptiveMaxPool{len(kwargs['output_size'])}DBackward0"


@defop("adaptive_max_pool", multi_out=True, save_out=True, grad_name=_adaptive_max_name)
def _adaptive_max_pool(xp, x, *, output_size):
    nd = len(output_size)
    sizes = x.shape[-nd:]
    index = []
    pos = None
    mult = 1
    kmax = []
    per_dim = []
    for d in range(nd):
        start, end = _adaptive_bounds(sizes[d], output_size[d])
        k = int((end - start).max()) if len(start) else 1
        kmax.append(k)
        idx = np.minimum(start[:, None] + np.arange(k)[None, :], end[:, None] - 1)
        per_dim.append(idx)
    for d in range(nd):
        shape = [1] * (2 * nd)
        shape[2 * d] = output_size[d]
        shape[2 * d + 1] = kmax[d]
        idx = per_dim[d].reshape(shape)
        index.append(xp.asarray(idx))
    for d in range(nd - 1, -1, -1):
        p = index[d] * mult
        pos = p if pos is None else pos + p
        mult *= sizes[d]
    win = x[(Ellipsis,) + tuple(index)]  # lead + (O0, K0, O1, K1, ...)
    lead = x.ndim - nd
    perm = tuple(range(lead)) + tuple(lead + 2 * d for d in range(nd)) + tuple(lead + 2 * d + 1 for d in range(nd))
    win = win.transpose(perm).reshape(x.shape[:lead] + tuple(output_size) + (-1,))
    kidx = win.argmax(axis=-1)[..., None]
    vals = xp.take_along_axis(win, kidx, axis=-1)[..., 0]
    full = tuple(v for d in range(nd) for v in (output_size[d], kmax[d]))
    pperm = tuple(2 * d for d in range(nd)) + tuple(2 * d + 1 for d in range(nd))
    pos = xp.broadcast_to(pos, full).transpose(pperm).reshape(tuple(output_size) + (-1,))
    flat = xp.take_along_axis(xp.broadcast_to(pos, win.shape), kidx, axis=-1)[..., 0]
    return vals, xp.ascontiguousarray(flat.astype(np.int64))


@_adaptive_max_pool.defbackward
def _(ctx, g, _gi=None):
    (x,) = ctx.args
    return (dispatch(_max_pool_backward, g, ctx.out[1], input_size=tuple(x.shape)),)


# --------------------------------------------------------------------------------------
# argument parsing and checks (PyTorch's messages)

def _tup(v, nd, name, fname, allow_none=False):
    if v is None and allow_none:
        return None
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * nd
        if len(v) != nd:
            word = {1: "a single int", 2: "a single int, or a tuple of two ints",
                    3: "a single int, or a tuple of three ints"}[nd]
            raise RuntimeError(f"{fname}: {name} must either be {word}")
        return tuple(int(i) for i in v)
    return (int(v),) * nd


def _check_input(input, nd, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    dim = input.dim()
    if nd == 1 and dim not in (2, 3):
        raise RuntimeError(f"{fname}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(input.shape)}")
    if nd > 1 and dim not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    if any(s == 0 for s in input.shape[-(nd + 1):]):
        sp = "3D or 4D" if nd == 2 else f"{nd + 1}D or {nd + 2}D"
        raise RuntimeError(f"Expected {sp} (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{list(input.shape)}")


def _check_pool_args(ks, st, pd, dl, nd):
    if any(k <= 0 for k in ks):
        raise RuntimeError("kernel_size must be greater than zero, but got " +
                           " ".join(f"k{n}: {v}" for n, v in zip("DHW"[3 - nd:], ks)))
    if any(s <= 0 for s in st):
        raise RuntimeError("stride should not be zero")
    if dl is not None and any(d <= 0 for d in dl):
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{n}: {v}" for n, v in zip("THW"[3 - nd:], dl)))
    if any(p < 0 for p in pd):
        raise RuntimeError("pad must be non-negative")
    for k, p, d in zip(ks, pd, dl or (1,) * nd):
        if p * 2 > d * (k - 1) + 1 if dl is not None else p * 2 > k:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")


def _check_out(x, osz, nd):
    if any(o < 1 for o in osz):
        c = x.shape[1]
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in (c, *x.shape[2:]))}). Calculated output "
                           f"size: ({'x'.join(str(v) for v in (c, *osz))}). Output size is too small")


def _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, nd, fname):
    _check_input(input, nd, fname)
    ks = _tup(kernel_size, nd, "kernel_size", fname)
    st = ks if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _tup(stride, nd, "stride", fname)
    pd = _tup(padding, nd, "padding", fname)
    dl = _tup(dilation, nd, "dilation", fname)
    _check_pool_args(ks, st, pd, dl, nd)
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    osz = _out_sizes(x.shape[2:], ks, st, pd, dl, bool(ceil_mode))
    _check_out(x, osz, nd)
    vals, idx = dispatch(_max_pool, x, kernel_size=ks, stride=st, padding=pd, dilation=dl,
                         ceil_mode=bool(ceil_mode))
    if not batched:
        vals, idx = vals.squeeze(0), idx.squeeze(0)
    return vals, idx


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 1, "max_pool1d")


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 3, "max_pool3d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1D max pooling over (N, C, L) or (C, L); ``return_indices`` adds the argmax positions."""
    out = _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 1, "max_pool1d")
    return out if return_indices else out[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2D max pooling over (N, C, H, W) or (C, H, W); ``return_indices`` adds flat H*W argmax positions."""
    out = _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d")
    return out if return_indices else out[0]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3D max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    out = _max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, 3, "max_pool3d")
    return out if return_indices else out[0]


def _avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if nd == 1:
        if input.dim() not in (2, 3):
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument "
                               f"#1 'self' (while checking arguments for avg_pool1d)")
    else:
        _check_input(input, nd, fname)
    ks = _tup(kernel_size, nd, "kernel_size", fname)
    st = ks if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _tup(stride, nd, "stride", fname)
    pd = _tup(padding, nd, "padding", fname)
    _check_pool_args(ks, st, pd, None, nd)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input._dtype is D.bool_:
        raise RuntimeError(f"\"{fname}\" not implemented for 'Bool'")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    osz = _out_sizes(x.shape[2:], ks, st, pd, (1,) * nd, bool(ceil_mode))
    _check_out(x, osz, nd)
    out = dispatch(_avg_pool, x, kernel_size=ks, stride=st, padding=pd, ceil_mode=bool(ceil_mode),
                   count_include_pad=bool(count_include_pad), divisor_override=divisor_override)
    return out if batched else out.squeeze(0)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1D average pooling over (N, C, L) or (C, L)."""
    return _avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2D average pooling over (N, C, H, W) or (C, H, W)."""
    return _avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                        "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3D average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                        "avg_pool3d")


# --------------------------------------------------------------------------------------
# adaptive pooling

def _adaptive_size(output_size, x, nd, fname):
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise RuntimeError(f"{fname}: output_size must be {nd}")
        out = tuple(x.shape[-nd + i] if v is None else int(v) for i, v in enumerate(output_size))
    else:
        out = (int(output_size),) * nd
    if any(o < 0 for o in out):
        raise RuntimeError(f"{fname}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(out)}")
    return out


def _check_adaptive(input, nd, fname, colon=""):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if input.dim() not in (nd + 1, nd + 2):
        sp = f"{nd + 1}D or {nd + 2}D"
        raise RuntimeError(f"{fname}(): Expected {sp} tensor, but got{colon} {list(input.shape)}")
    for i in range(input.dim() - nd, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fname}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(input.shape)} with dimension {i} being empty")


def _avg_matrix(n, o, like):
    from ember.ops.creation import tensor
    start, end = _adaptive_bounds(n, o)
    m = np.zeros((o, n))
    for i in range(o):
        m[i, start[i]:end[i]] = 1.0 / (end[i] - start[i])
    return tensor(m.T, dtype=like.dtype, device=like.device)


def _adaptive_avg(input, output_size, nd, fname):
    _check_adaptive(input, nd, fname)
    if input._dtype.category < D.FLOAT:
        raise NotImplementedError(f"\"{fname}\" not implemented for '{_SCALAR.get(input._dtype._torch_name)}'")
    osz = _adaptive_size(output_size, input, nd, fname)
    sizes = tuple(input.shape[-nd:])
    if all(o == 1 for o in osz):
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    x = input
    for d in range(nd):
        n, o = sizes[d], osz[d]
        if n == o:
            continue
        ax = input.dim() - nd + d
        if ax == input.dim() - 1:
            x = x.matmul(_avg_matrix(n, o, x))
        else:
            x = x.transpose(ax, -1).matmul(_avg_matrix(n, o, x)).transpose(ax, -1)
    return x.contiguous() if x is not input else x.clone()


_SCALAR = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length (windows ``[floor(i*L/O), ceil((i+1)*L/O))``)."""
    return _adaptive_avg(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (H, W) (``None`` keeps the input size)."""
    return _adaptive_avg(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, output_size, 3, "adaptive_avg_pool3d")


def _adaptive_max(input, output_size, nd, fname):
    _check_adaptive(input, nd, fname, colon=":")
    osz = _adaptive_size(output_size, input, nd, fname)
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    vals, idx = dispatch(_adaptive_max_pool, x, output_size=osz)
    if not batched:
        vals, idx = vals.squeeze(0), idx.squeeze(0)
    return vals, idx


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, 1, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, 3, "adaptive_max_pool3d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out = _adaptive_max(input, output_size, 1, "adaptive_max_pool1d")
    return out if return_indices else out[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    out = _adaptive_max(input, output_size, 2, "adaptive_max_pool2d")
    return out if return_indices else out[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):
    out = _adaptive_max(input, output_size, 3, "adaptive_max_pool3d")
    return out if return_indices else out[0]


# --------------------------------------------------------------------------------------
# power-average pooling

def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd, avg):
    ks = kernel_size if isinstance(kernel_size, (list, tuple)) else (kernel_size,) * nd
    if stride is not None:
        out = avg(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(_prod(ks)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over window of x**p) ** (1/p)``."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d)


# --------------------------------------------------------------------------------------
# max unpooling

def _unpool_output_size(input, ks, st, pd, output_size, nd):
    default = [(input.shape[input.dim() - nd + d] - 1) * st[d] + ks[d] - 2 * pd[d] for d in range(nd)]
    if output_size is None:
        return tuple(default)
    output_size = tuple(output_size) if not isinstance(output_size, list) else output_size
    if len(output_size) == nd + 2:
        output_size = output_size[-nd:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for d in range(nd):
        lo, hi = default[d] - st[d], default[d] + st[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    return tuple(int(v) for v in output_size)


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, nd, fname):
    ks = _tup(kernel_size, nd, "kernel_size", fname)
    st = ks if stride is None else _tup(stride, nd, "stride", fname)
    pd = _tup(padding, nd, "padding", fname)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    if indices._dtype is not D.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices._dtype._torch_name}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)})"
                           f" but got indices tensor with shape: {list(indices.shape)}")
    osz = _unpool_output_size(input, ks, st, pd, output_size, nd)
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    idx = indices if batched else indices.unsqueeze(0)
    n, c = x.shape[:2]
    m = _prod(osz)
    flat_idx = idx.reshape(n, c, -1)
    if flat_idx.numel():
        arr = flat_idx.detach().numpy() if flat_idx.device.type == "cpu" else flat_idx.cpu().numpy()
        bad = (arr >= m) | (arr < 0)
        if bad.any():
            raise RuntimeError(f"Found an invalid max index: {int(arr.ravel()[bad.ravel().argmax()])} (output "
                               f"volumes are of size {'x'.join(str(v) for v in osz)})")
    out = x.new_zeros((n, c, m)).scatter(2, flat_idx, x.reshape(n, c, -1)).reshape((n, c) + osz)
    return out if batched else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d``: values put back at ``indices``, zeros elsewhere."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")
