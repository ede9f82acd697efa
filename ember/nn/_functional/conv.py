"""nn.functional: convolutions (1d/2d/3d, transposed) and ``unfold``/``fold``.

Convolution is im2col + one GEMM per group: the column matrix is built from ``prod(kernel)``
shifted strided slices of the (padded) input laid out as ``(C, N, *spatial)``, so the GEMM
``weight (G, Cout/G, Cin/G*K) @ cols (G, Cin/G*K, N*L)`` covers the whole batch at once.

Three linear primitives, each the adjoint of another, make every gradient (and gradients of
gradients) a call to a registered op:

- ``convolution(x, w, b, transposed=False)``: the convolution ``C(x, w)``;
- ``convolution(x, w, b, transposed=True)``: its adjoint in ``x``, ``T(x, w)`` (col2im);
- ``convolution_weight_grad(x, g)``: its adjoint in ``w``, ``W(x, g)``.

``C``'s gradients are ``T(g, w)`` and ``W(x, g)``; ``T``'s are ``C(g, w)`` and ``W(g, x)``;
``W``'s are ``T(g, gw)`` and ``C(x, gw)``.
"""

from __future__ import annotations

import itertools

import ml_dtypes
import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops.registry import defop

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "unfold", "fold"]

_LOWP = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
_F32 = np.dtype(np.float32)


def _prod(xs) -> int:
    p = 1
    for v in xs:
        p *= v
    return p


# --------------------------------------------------------------------------------------
# array helpers (xp code: numpy or cupy)

def _pad_arr(xp, x, pads):
    """``x`` zero-padded on its trailing ``len(pads)`` dims by ``(lo, hi)`` pairs."""
    if not any(lo or hi for lo, hi in pads):
        return x
    n = len(pads)
    sp = x.shape[-n:]
    out = xp.zeros(x.shape[:-n] + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads)), dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(sp, pads))] = x
    return out


def _window_slices(ks, dilation, stride, osz):
    """For every kernel offset (row-major), the strided slices of the padded input it reads."""
    ranges = [[slice(i * d, i * d + s * (o - 1) + 1, s) for i in range(k)]
              for k, d, s, o in zip(ks, dilation, stride, osz)]
    return [(Ellipsis,) + t for t in itertools.product(*ranges)]


def _im2col(xp, xpad, ks, dilation, stride, osz, a):
    """Columns ``lead[:a] + (K,) + lead[a:] + osz`` of ``xpad`` (``lead + spatial``)."""
    n = len(ks)
    lead = xpad.shape[:-n]
    cols = xp.empty(lead[:a] + (_prod(ks),) + lead[a:] + tuple(osz), dtype=xpad.dtype)
    pre = (slice(None),) * a
    for k, sl in enumerate(_window_slices(ks, dilation, stride, osz)):
        cols[pre + (k,)] = xpad[sl]
    return cols


def _col2im(xp, cols, ks, dilation, stride, osz, padded, a):
    """The adjoint of ``_im2col``: window values summed into a zero array ``lead + padded``."""
    lead = cols.shape[:a] + cols.shape[a + 1:cols.ndim - len(ks)]
    out = xp.zeros(lead + tuple(padded), dtype=cols.dtype)
    pre = (slice(None),) * a
    for k, sl in enumerate(_window_slices(ks, dilation, stride, osz)):
        out[sl] += cols[pre + (k,)]
    return out


def _conv_out_size(size, pads, ks, dilation, stride):
    return tuple((s + lo + hi - d * (k - 1) - 1) // st + 1
                 for s, (lo, hi), k, d, st in zip(size, pads, ks, dilation, stride))


def _c_fwd(xp, x, w, stride, padding, dilation, groups):
    """The convolution of ``x`` (N, Cin, *S) with ``w`` (Cout, Cin/G, *K)."""
    n, cin = x.shape[:2]
    cout = w.shape[0]
    ks = w.shape[2:]
    osz = _conv_out_size(x.shape[2:], padding, ks, dilation, stride)
    xpad = _pad_arr(xp, x.swapaxes(0, 1), padding)
    cols = _im2col(xp, xpad, ks, dilation, stride, osz, 1).reshape(groups, cin // groups * _prod(ks), n * _prod(osz))
    w2 = w.reshape(groups, cout // groups, cin // groups * _prod(ks))
    if groups == 1:
        out = xp.matmul(w2[0], cols[0])
    else:
        out = xp.matmul(w2, cols)
    return out.reshape((cout, n) + osz)


def _t_fwd(xp, g, w, stride, padding, dilation, groups, xsize):
    """The adjoint of ``_c_fwd`` in ``x``: ``g`` (N, Cout, *O) -> (N, Cin, *xsize)."""
    n, cout = g.shape[:2]
    cin = w.shape[1] * groups
    ks = w.shape[2:]
    osz = g.shape[2:]
    if groups == 1 and all(st == 1 for st in stride) and cout <= 2 * cin:
        # stride 1: the adjoint is the convolution of g with the flipped, transposed filters padded by
        # d (k - 1) - pad on each side. Its im2col copies K windows of g (cout channels) where col2im
        # scatter-adds K windows of cin channels: measured faster whenever cout <= 2 cin (1.5-4x at
        # equal widths; benchmarks/README.md)
        pads = tuple((d * (k - 1) - lo, d * (k - 1) - hi) for k, d, (lo, hi) in zip(ks, dilation, padding))
        if all(q >= 0 for pq in pads for q in pq):
            flip = (slice(None), slice(None)) + (slice(None, None, -1),) * len(ks)
            return _c_fwd(xp, g, w.swapaxes(0, 1)[flip], stride, pads, dilation, 1)
    gt = g.swapaxes(0, 1).reshape(groups, cout // groups, n * _prod(osz))
    w2 = w.reshape(groups, cout // groups, cin // groups * _prod(ks))
    if groups == 1:
        cols = xp.matmul(w2[0].T, gt[0])
    else:
        cols = xp.matmul(w2.transpose(0, 2, 1), gt)
    cols = cols.reshape((cin, _prod(ks), n) + tuple(osz))
    padded = tuple(max(s + lo + hi, d * (k - 1) + st * (o - 1) + 1)
                   for s, (lo, hi), k, d, st, o in zip(xsize, padding, ks, dilation, stride, osz))
    buf = _col2im(xp, cols, ks, dilation, stride, osz, padded, 1)
    return buf[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(xsize, padding))]


def _w_fwd(xp, x, g, stride, padding, dilation, groups, ksize):
    """The adjoint of ``_c_fwd`` in ``w``: sum over batch and positions of g * columns of x."""
    n, cin = x.shape[:2]
    cout = g.shape[1]
    osz = g.shape[2:]
    xpad = _pad_arr(xp, x.swapaxes(0, 1), padding)
    cols = _im2col(xp, xpad, ksize, dilation, stride, osz, 1).reshape(groups, cin // groups * _prod(ksize),
                                                                       n * _prod(osz))
    gt = g.swapaxes(0, 1).reshape(groups, cout // groups, n * _prod(osz))
    # (cols @ g^T)^T: BLAS is much faster with the long reduction and the big operand first
    if groups == 1:
        dw = xp.matmul(cols[0], gt[0].T).T
    else:
        dw = xp.matmul(cols, gt.transpose(0, 2, 1)).transpose(0, 2, 1)
    return xp.ascontiguousarray(dw).reshape((cout, cin // groups) + tuple(ksize))


def _up(a):
    return a.astype(_F32) if a.dtype in _LOWP else a


# --------------------------------------------------------------------------------------
# the registered ops

@defop("convolution", grad_name="ConvolutionBackward0")
def _convolution(xp, x, w, b, *, stride, padding, dilation, groups, transposed, out_size=None):
    dt = x.dtype
    x, w = _up(x), _up(w)
    if transposed:
        out = _t_fwd(xp, x, w, stride, padding, dilation, groups, out_size)
    else:
        out = _c_fwd(xp, x, w, stride, padding, dilation, groups)
    # out is (Cout, N, *O) (possibly a view): add the bias there, return (N, Cout, *O) contiguous
    res = xp.empty((out.shape[1], out.shape[0]) + out.shape[2:], dtype=dt)
    if b is not None:
        xp.add(out.swapaxes(0, 1), _up(b).reshape((-1,) + (1,) * (out.ndim - 2)), out=res, casting="unsafe")
    else:
        res[...] = out.swapaxes(0, 1)
    return res


@_convolution.defbackward
def _(ctx, g):
    x, w, b = ctx.args
    kw = ctx.kwargs
    need = ctx.needs_input_grad
    common = dict(stride=kw["stride"], padding=kw["padding"], dilation=kw["dilation"], groups=kw["groups"])
    gx = gw = gb = None
    if kw["transposed"]:
        if need[0]:
            gx = dispatch(_convolution, g, w, None, transposed=False, **common)
        if need[1]:
            gw = dispatch(_conv_weight, g, x, ksize=tuple(w.shape[2:]), **common)
    else:
        if need[0]:
            gx = dispatch(_convolution, g, w, None, transposed=True, out_size=tuple(x.shape[2:]), **common)
        if need[1]:
            gw = dispatch(_conv_weight, x, g, ksize=tuple(w.shape[2:]), **common)
    if b is not None and need[2]:
        gb = g.sum([0] + list(range(2, g.dim())))
    return gx, gw, gb


@defop("convolution_weight_grad", grad_name="ConvolutionBackwardBackward0")
def _conv_weight(xp, x, g, *, stride, padding, dilation, groups, ksize):
    dt = x.dtype
    return _w_fwd(xp, _up(x), _up(g), stride, padding, dilation, groups, ksize).astype(dt, copy=False)


@_conv_weight.defbackward
def _(ctx, gw):
    x, g = ctx.args
    kw = ctx.kwargs
    need = ctx.needs_input_grad
    common = dict(stride=kw["stride"], padding=kw["padding"], dilation=kw["dilation"], groups=kw["groups"])
    gx = gg = None
    if need[0]:
        gx = dispatch(_convolution, g, gw, None, transposed=True, out_size=tuple(x.shape[2:]), **common)
    if need[1]:
        gg = dispatch(_convolution, x, gw, None, transposed=False, **common)
    return gx, gg


# --------------------------------------------------------------------------------------
# argument checks (PyTorch's messages)

def _tuple(v, n: int, name: str) -> tuple:
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        v = tuple(int(i) for i in v)
        if len(v) == 1 and n != 1:
            return v * n
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                               f"the convolution dimensions, but got {name}={list(v)}")
        return v
    return (int(v),) * n


_C_NAMES = {"Float": "float", "Double": "double", "Half": "c10::Half", "BFloat16": "c10::BFloat16",
            "Long": "long int", "Int": "int", "Short": "short int", "Char": "signed char", "Byte": "unsigned char",
            "Bool": "bool", "ComplexFloat": "c10::complex<float>", "ComplexDouble": "c10::complex<double>"}


def _scalar_name(t: Tensor) -> str:
    return t._dtype._torch_name


def _cname(t: Tensor) -> str:
    return _C_NAMES.get(t._dtype._torch_name, t._dtype._torch_name)


def _check_dtypes(input: Tensor, weight: Tensor, bias):
    if weight._dtype is not input._dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(weight)}")
    if bias is not None and bias._dtype is not input._dtype:
        raise RuntimeError(f"Input type ({_cname(input)}) and bias type ({_cname(bias)}) should be the same")
    if input._dtype is D.bool_:
        raise RuntimeError("\"slow_conv2d_cpu\" not implemented for 'Bool'")


def _check_rank(input, nd: int, fname: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, ...)")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, but got "
                           f"input of size: {list(input.shape)}")


def _same_pads(ks, dilation):
    pads = []
    for k, d in zip(ks, dilation):
        total = d * (k - 1)
        lo = total // 2
        pads.append((lo, total - lo))
    return tuple(pads)


def _fmt_sizes(sizes) -> str:
    return " x ".join(str(s) for s in sizes)


def _conv(input, weight, bias, stride, padding, dilation, groups, nd: int, fname: str):
    _check_rank(input, nd, fname)
    batched = input.dim() == nd + 2
    k = weight.dim() - 2
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if k != nd:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {k} values to match the "
                           f"convolution dimensions, but got stride={list(stride)}")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_pads(weight.shape[2:], dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _tuple(padding, nd, "padding")
        pads = tuple((v, v) for v in p)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    x = input if batched else input.unsqueeze(0)
    _check_dtypes(x, weight, bias)
    cout = weight.shape[0]
    if cout % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{list(weight.shape)}] instead")
    if x.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {x.shape[1]} "
                           f"channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{cout} elements, but got bias of size {list(bias.shape)} instead")
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)]
    eff = [d * (kk - 1) + 1 for kk, d in zip(weight.shape[2:], dilation)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_fmt_sizes(padded)}). Kernel size: "
                           f"({_fmt_sizes(eff)}). Kernel size can't be greater than actual input size")
    out = dispatch(_convolution, x, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups,
                   transposed=False)
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1D convolution over (N, C, L) or (C, L) input."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2D convolution over (N, C, H, W) or (C, H, W) input."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3D convolution over (N, C, D, H, W) or (C, D, H, W) input."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd: int, fname: str):
    _check_rank(input, nd, fname)
    batched = input.dim() == nd + 2
    k = weight.dim() - 2
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
    padding = _tuple(padding, nd, "padding")
    output_padding = _tuple(output_padding, nd, "output_padding")
    if k != nd:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {k} values to match the "
                           f"convolution dimensions, but got stride={list(stride)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ("depth", "height", "width")[3 - nd:] if nd > 1 else ("width",)
        if nd == 2:
            names = ("height", "width")
        parts = [f"output_padding_{n}: {v}" for n, v in zip(names, output_padding)]
        parts += [f"stride_{n}: {v}" for n, v in zip(names, stride)]
        parts += [f"dilation_{n}: {v}" for n, v in zip(names, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    x = input if batched else input.unsqueeze(0)
    _check_dtypes(x, weight, bias)
    cin = weight.shape[0]
    if x.shape[1] != cin:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(x.shape)} "
                           f"to have {cin} channels, but got {x.shape[1]} channels instead")
    if cin % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size [{list(weight.shape)}] instead")
    cout = weight.shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {cout} elements, but got bias of size {list(bias.shape)} instead")
    out_size = tuple((i - 1) * s - 2 * p + d * (kk - 1) + 1 + op for i, s, p, d, kk, op in
                     zip(x.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding))
    if any(o <= 0 for o in out_size):
        raise RuntimeError(f"Given input size per channel: ({_fmt_sizes(x.shape[2:])}). Calculated output size per "
                           f"channel: ({_fmt_sizes(out_size)}). Output size is too small")
    out = dispatch(_convolution, x, weight, bias, stride=stride, padding=tuple((p, p) for p in padding),
                   dilation=dilation, groups=groups, transposed=True, out_size=out_size)
    return out if batched else out.squeeze(0)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """1D transposed convolution ("deconvolution"); weight (Cin, Cout/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """2D transposed convolution; weight (Cin, Cout/groups, kh, kw)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1) -> Tensor:
    """3D transposed convolution; weight (Cin, Cout/groups, kd, kh, kw)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


# --------------------------------------------------------------------------------------
# unfold / fold (im2col / col2im on 4D input)

@defop("im2col", grad_name="Im2ColBackward0")
def _im2col_op(xp, x, *, kernel_size, dilation, padding, stride):
    n, c = x.shape[:2]
    pads = tuple((p, p) for p in padding)
    osz = _conv_out_size(x.shape[2:], pads, kernel_size, dilation, stride)
    cols = _im2col(xp, _pad_arr(xp, x, pads), kernel_size, dilation, stride, osz, 2)
    return cols.reshape(n, c * _prod(kernel_size), _prod(osz))


@_im2col_op.defbackward
def _(ctx, g):
    (x,) = ctx.args
    return dispatch(_col2im_op, g, output_size=tuple(x.shape[2:]), **ctx.kwargs)


@defop("col2im", grad_name="Col2ImBackward0")
def _col2im_op(xp, cols, *, output_size, kernel_size, dilation, padding, stride):
    n = cols.shape[0]
    k = _prod(kernel_size)
    c = cols.shape[1] // k
    pads = tuple((p, p) for p in padding)
    osz = _conv_out_size(output_size, pads, kernel_size, dilation, stride)
    cols = cols.reshape((n, c, k) + osz)
    padded = tuple(s + 2 * p for s, p in zip(output_size, padding))
    buf = _col2im(xp, cols, kernel_size, dilation, stride, osz, padded, 2)
    return xp.ascontiguousarray(buf[(Ellipsis,) + tuple(slice(p, p + s) for s, p in zip(output_size, padding))])


@_col2im_op.defbackward
def _(ctx, g):
    kw = {k: v for k, v in ctx.kwargs.items() if k != "output_size"}
    return (dispatch(_im2col_op, g, **kw),)


def _pair(v, name):
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * 2
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return tuple(int(i) for i in v)
    return (int(v),) * 2


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding local blocks of a (N, C, H, W) or (C, H, W) input as (N, C*kh*kw, L) columns."""
    ks, dil, pad, st = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"), _pair(padding, "padding"),
                        _pair(stride, "stride"))
    if input.dim() < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.dim()}, {input.dim() - 1}], "
                         f"but got 2)")
    if input.dim() > 4:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    if any(v <= 0 for v in ks):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {ks[0]} "
                           f"kernel_width: {ks[1]}")
    if any(v <= 0 for v in st):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {st[0]} stride_width: {st[1]}")
    if any(v <= 0 for v in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dil[0]} "
                           f"dilation_width: {dil[1]}")
    if any(v < 0 for v in pad):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {pad[0]} pad_width: {pad[1]}")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    osz = _conv_out_size(x.shape[2:], tuple((p, p) for p in pad), ks, dil, st)
    if any(o < 1 for o in osz):
        raise RuntimeError(f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), kernel_size=({ks[0]}, "
                           f"{ks[1]}), dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), calculated "
                           f"shape of the array of sliding blocks as ({osz[0]}, {osz[1]}), but its components must "
                           f"be at least one.")
    out = dispatch(_im2col_op, x, kernel_size=ks, dilation=dil, padding=pad, stride=st)
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding local blocks (N, C*kh*kw, L) or (C*kh*kw, L) back into a (N, C, H, W) tensor."""
    osize = _pair(output_size, "output_size")
    ks, dil, pad, st = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"), _pair(padding, "padding"),
                        _pair(stride, "stride"))
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    if any(v <= 0 for v in ks):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {ks[0]} "
                           f"kernel_width: {ks[1]}")
    if any(v <= 0 for v in st):
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {st[0]} stride_width: {st[1]}")
    if any(v <= 0 for v in dil):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dil[0]} "
                           f"dilation_width: {dil[1]}")
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    k = ks[0] * ks[1]
    if x.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size=({ks[0]}, {ks[1]}).")
    osz = _conv_out_size(osize, tuple((p, p) for p in pad), ks, dil, st)
    if any(o < 1 for o in osz) or x.shape[2] != osz[0] * osz[1]:
        raise RuntimeError(f"Given output_size=({osize[0]}, {osize[1]}), kernel_size=({ks[0]}, {ks[1]}), "
                           f"dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({st[0]}, "
                           f"{st[1]}), expected size of input's dimension 2 to match the calculated number of "
                           f"sliding blocks {osz[0]} * {osz[1]} = {osz[0] * osz[1]}, but got "
                           f"input.size(2)={x.shape[2]}.")
    out = dispatch(_col2im_op, x, output_size=osize, kernel_size=ks, dilation=dil, padding=pad, stride=st)
    return out if batched else out.squeeze(0)

