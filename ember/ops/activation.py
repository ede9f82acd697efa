"""Activation primitives that nn.functional builds on: sigmoid-family, gelu, silu, elu, softplus, softmax, ...

Names torch exposes as ``torch.<name>`` are exported in ``__all__``; the rest (``gelu``, ``silu``, ``elu``, ...)
are public module-level functions with ``torch.nn.functional``'s signatures, for ``ember.nn.functional`` to use.

Forwards are array code on ``xp``; float16/bfloat16 inputs of multi-step formulas are computed in float32 and
rounded once, as PyTorch's CPU kernels do. Backward rules are written with ember ops (differentiable, so
``create_graph=True`` works); the hot ones (sigmoid, tanh, softmax, log_softmax, gelu) have a fused backward op
whose own rule gives the second derivative.
"""

from __future__ import annotations

import math

import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch, inplace
from ember._tensor import Tensor
from ember.ops._util import inplace_methods, methods, wrap_dim, write_out
from ember.ops.logic import logical_and, logical_or, where
from ember.ops.registry import defop

__all__ = [
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "threshold",
    "threshold_",
    "rrelu",
    "rrelu_",
    "hardshrink",
    "prelu",
    "softmax",
    "log_softmax",
]

_BY_NP = D._BY_NP
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


def _check_float(a, kernel: str):
    """PyTorch's activation kernels exist for floating dtypes only."""
    if a.dtype.kind in "biu":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_BY_NP[a.dtype]._torch_name}\'')


def _up(a):
    """float16/bfloat16 are computed in float32 (PyTorch's CPU kernels do the same); others as they are.
    A 0-d input is lifted to one element: NumPy ufuncs on 0-d arrays return scalars, which the
    in-place (``out=``) steps below cannot write into."""
    if a.ndim == 0:
        a = a.reshape(1)
    if a.dtype.itemsize == 2:
        return a.astype("float32")
    return a


def _down(r, a):
    if a.ndim == 0 and r.ndim == 1 and r.size == 1:
        r = r.reshape(())
    return r if r.dtype == a.dtype else r.astype(a.dtype)


def _scalar(xp, v, dt):
    """A Python number as a 0-d array of ``dt`` (NumPy is much faster with these than with Python scalars)."""
    return xp.asarray(v, dtype=dt)


def _erf(xp, a):
    mod = getattr(xp, "__name__", "")
    if mod.startswith("cupy"):
        from cupyx.scipy.special import erf
        return erf(a)
    try:
        from scipy.special import erf
        return erf(a)
    except ImportError:  # pragma: no cover - exact but slow fallback
        import numpy as np
        return np.vectorize(math.erf, otypes=[a.dtype])(a)


# Phi(x) (the standard normal CDF) in float32 for GELU, several times faster than scipy's erf: with
# z = |x| / sqrt(2) and t = 1 / (1 + z / 2), erfc(z) = t * exp(-z^2) * R(t), R a degree-9 polynomial
# least-squares fitted on Chebyshev nodes of t in [1/7, 1] (z in [0, 12]; relative error 5e-8 in exact
# arithmetic, a few ulp of Phi in float32). Phi(-|x|) = erfc(z) / 2 is computed directly, so the negative
# side keeps its relative accuracy; beyond z = 12 exp(-z^2) is 0 in float32. exp(-z^2) = exp(-x^2 / 2) is
# also the normal density's exponent, which GELU's backward reuses.
_PHI_R = (  # highest power first
    0.012637644725344753, -0.12391480987467897, 0.42744312839903054, -0.6639627705379668, 0.4128988708780477,
    -0.09212022832904357, 0.2228669045231446, 0.2393140181583679, 0.28276788279191384, 0.2820693473161814)
_F = np.float32
_F32_DT = np.dtype(np.float32)
_PHI_C = tuple(_F(c) for c in _PHI_R)
_PHI_S, _F_HALF, _F_ONE, _F_M2, _F_ZERO = _F(1 / math.sqrt(2.0)), _F(0.5), _F(1.0), _F(-2.0), _F(0.0)
_F_INV_SQRT_2PI = _F(1.0 / math.sqrt(2.0 * math.pi))


def _is_numpy_like(xp) -> bool:
    """NumPy or ember's threaded NumPy namespace (CuPy keeps its own erf kernel)."""
    return not getattr(xp, "__name__", "").startswith("cupy")


def _phi_f32(xp, x):
    """(Phi(x), exp(-x^2 / 2)) for the float32 array ``x``: two fresh float32 arrays, in branch-free passes."""
    z = xp.abs(x)
    z *= _PHI_S                                 # z = |x| / sqrt(2)
    t = z * _F_HALF
    t += _F_ONE
    xp.reciprocal(t, out=t)                     # t = 1 / (1 + z / 2)
    c = _PHI_C
    p = t * c[0]
    for k in c[1:]:
        p += k
        p *= t                                  # p = t * R(t)
    z *= z
    xp.negative(z, out=z)
    e = xp.exp(z, out=z)                        # exp(-z^2)
    p *= e
    p *= _F_HALF                                # h = erfc(z) / 2 = Phi(-|x|)
    # Phi = h + [x > 0] * (1 - 2h), with no data-dependent branch (np.where mispredicts on random signs)
    q = xp.greater(x, _F_ZERO, out=t, casting="unsafe")
    t = p * _F_M2
    t += _F_ONE
    t *= q
    p += t
    return p, e


def _exp(x: Tensor) -> Tensor:
    return x.exp()  # pointwise.py's op (imported after this module: it reuses our tanh)


def _relu(x: Tensor) -> Tensor:
    return x.relu()


def _inplace_or(result_fn, input, inplace_flag, *args, **kwargs):
    if inplace_flag:
        return inplace(input, result_fn, *args, **kwargs)
    return result_fn(input, *args, **kwargs)


# --- sigmoid / tanh -------------------------------------------------------------------------


@defop("sigmoid", promote="float", save_out=True)
def _sigmoid(xp, a):
    if a.dtype.kind == "c":
        return 1 / (1 + xp.exp(-a))
    x = _up(a)
    y = xp.negative(x)
    xp.exp(y, out=y)
    y += 1
    xp.reciprocal(y, out=y)
    return _down(y, a)


@_sigmoid.defbackward
def _(ctx, g):
    return dispatch(_sigmoid_backward, g, ctx.out)


@defop("sigmoid_backward", grad_name="SigmoidBackwardBackward0")
def _sigmoid_backward(xp, g, y):
    if y.dtype.kind == "c":
        return g * xp.conj(y * (1 - y))
    t = xp.subtract(1, y)
    t *= y
    t *= g
    return t


@_sigmoid_backward.defbackward
def _(ctx, gg):
    g, y = ctx.args
    need_g, need_y = ctx.needs_input_grad
    gg_g = dispatch(_sigmoid_backward, gg, y) if need_g else None
    gg_y = gg * g * (1 - 2 * y) if need_y else None
    return gg_g, gg_y


def sigmoid(input, *, out=None) -> Tensor:
    """``1 / (1 + exp(-input))``."""
    return _out(dispatch(_sigmoid, input), out)


def sigmoid_(input) -> Tensor:
    return inplace(input, sigmoid)


@defop("tanh", promote="float", save_out=True)
def _tanh(xp, a):
    return xp.tanh(a)


@_tanh.defbackward
def _(ctx, g):
    return dispatch(_tanh_backward, g, ctx.out)


@defop("tanh_backward", grad_name="TanhBackwardBackward0")
def _tanh_backward(xp, g, y):
    if y.dtype.kind == "c":
        return g * xp.conj(1 - y * y)
    t = xp.asarray(xp.multiply(y, y))  # asarray: a 0-d product is a NumPy scalar, not writable
    xp.subtract(1, t, out=t)
    t *= g
    return t


@_tanh_backward.defbackward
def _(ctx, gg):
    g, y = ctx.args
    need_g, need_y = ctx.needs_input_grad
    gg_g = dispatch(_tanh_backward, gg, y) if need_g else None
    gg_y = gg * g * y * -2 if need_y else None
    return gg_g, gg_y


def tanh(input, *, out=None) -> Tensor:
    return _out(dispatch(_tanh, input), out)


def tanh_(input) -> Tensor:
    return inplace(input, tanh)


# --- log-sigmoid, softplus --------------------------------------------------------------------


@defop("log_sigmoid", grad_name="LogSigmoidBackward0")
def _log_sigmoid(xp, a):
    _check_float(a, "log_sigmoid_cpu")
    x = _up(a)
    # log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))
    t = xp.abs(x)
    xp.negative(t, out=t)
    xp.exp(t, out=t)
    xp.log1p(t, out=t)
    return _down(xp.minimum(x, _scalar(xp, 0, x.dtype)) - t, a)


@_log_sigmoid.defbackward
def _(ctx, g):
    return g * sigmoid(-ctx.args[0])


def logsigmoid(input) -> Tensor:
    return dispatch(_log_sigmoid, input)


@defop("softplus")
def _softplus(xp, a, *, beta=1.0, threshold=20.0):
    _check_float(a, "softplus_cpu")
    x = _up(a)
    z = x * beta if beta != 1 else x
    y = xp.log1p(xp.exp(z))
    if beta != 1:
        y /= beta
    return _down(xp.where(z > threshold, x, y), a)


@_softplus.defbackward
def _(ctx, g):
    x = ctx.args[0]
    beta, thr = ctx.kwargs["beta"], ctx.kwargs["threshold"]
    z = x * beta if beta != 1 else x
    return where(z > thr, g, g * sigmoid(z))


def softplus(input, beta=1.0, threshold=20.0) -> Tensor:
    return dispatch(_softplus, input, beta=beta, threshold=threshold)


# --- piecewise-linear family ------------------------------------------------------------------


@defop("hardtanh")
def _hardtanh(xp, a, *, min_val, max_val):
    if a.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if a.dtype.kind in "iu":
        return xp.clip(a.astype("float64"), min_val, max_val).astype(a.dtype)
    return _down(xp.clip(a, _scalar(xp, min_val, a.dtype), _scalar(xp, max_val, a.dtype)), a)


@_hardtanh.defbackward
def _(ctx, g):
    x = ctx.args[0]
    return where(logical_and(x > ctx.kwargs["min_val"], x < ctx.kwargs["max_val"]), g, 0)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or(_hardtanh_fn, input, inplace, min_val=min_val, max_val=max_val)


def _hardtanh_fn(input, *, min_val, max_val):
    return dispatch(_hardtanh, input, min_val=min_val, max_val=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace=inplace)


def relu(input, inplace=False) -> Tensor:
    """``nn.functional.relu`` (the op itself is ``ember.relu``)."""
    return _inplace_or(_relu, input, inplace)


def relu_(input) -> Tensor:
    return inplace(input, _relu)


@defop("leaky_relu")
def _leaky_relu(xp, a, *, negative_slope=0.01):
    _check_float(a, "leaky_relu_cpu")
    return xp.where(a > 0, a, a * _scalar(xp, negative_slope, a.dtype))


@_leaky_relu.defbackward
def _(ctx, g):
    return where(ctx.args[0] > 0, g, g * ctx.kwargs["negative_slope"])


def _leaky_relu_fn(input, *, negative_slope):
    return dispatch(_leaky_relu, input, negative_slope=negative_slope)


def leaky_relu(input, negative_slope=0.01, inplace=False) -> Tensor:
    return _inplace_or(_leaky_relu_fn, input, inplace, negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


@defop("rrelu_with_noise", grad_name="RreluWithNoiseBackward0")
def _rrelu(xp, a, noise):
    _check_float(a, "leaky_relu_cpu")
    if isinstance(noise, float):
        noise = _scalar(xp, noise, a.dtype)
    return xp.where(a >= 0, a, a * noise)


@_rrelu.defbackward
def _(ctx, g):
    x, noise = ctx.args
    return where(x >= 0, g, g * noise), None


def _rrelu_fn(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    if not training:
        return dispatch(_rrelu, input, (lower + upper) / 2)
    import ember
    noise = ember.empty(tuple(input.shape), dtype=input.dtype, device=input.device)
    if hasattr(noise, "uniform_"):
        noise.uniform_(lower, upper)
    else:  # before the random family exists: NumPy's generator, on the host
        import numpy as np
        arr = np.random.default_rng().uniform(lower, upper, tuple(input.shape))
        noise = ember.tensor(arr, dtype=input.dtype).to(input.device)
    return dispatch(_rrelu, input, noise)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False) -> Tensor:
    return _inplace_or(_rrelu_fn, input, inplace, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


# --- elu family ---------------------------------------------------------------------------------


@defop("elu", grad_name=lambda kw: "CeluBackward0" if kw.get("celu") else "EluBackward0")
def _elu(xp, a, *, alpha=1.0, scale=1.0, input_scale=1.0, celu=False):
    _check_float(a, "elu_cpu")
    x = _up(a)
    neg = x * input_scale if input_scale != 1 else x.copy()
    xp.expm1(neg, out=neg)
    neg *= alpha * scale
    pos = x * scale if scale != 1 else x
    return _down(xp.where(x > 0, pos, neg), a)


@_elu.defbackward
def _(ctx, g):
    x = ctx.args[0]
    kw = ctx.kwargs
    alpha, scale, input_scale = kw.get("alpha", 1.0), kw.get("scale", 1.0), kw.get("input_scale", 1.0)
    neg = g * (alpha * scale * input_scale) * _exp(x * input_scale if input_scale != 1 else x)
    return where(x > 0, g * scale if scale != 1 else g, neg)


def _elu_fn(input, **kw):
    return dispatch(_elu, input, **kw)


def elu(input, alpha=1.0, inplace=False) -> Tensor:
    return _inplace_or(_elu_fn, input, inplace, alpha=alpha)


def elu_(input, alpha=1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False) -> Tensor:
    return _inplace_or(_elu_fn, input, inplace, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def selu_(input) -> Tensor:
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False) -> Tensor:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _inplace_or(_elu_fn, input, inplace, alpha=alpha, input_scale=1.0 / alpha, celu=True)


def celu_(input, alpha=1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


# --- gelu, silu, mish ---------------------------------------------------------------------------


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")


@defop("gelu")
def _gelu(xp, a, *, approximate="none"):
    _check_float(a, "GeluKernelImpl")
    x = _up(a)
    if approximate == "tanh":
        inner = x * x
        inner *= _GELU_C
        inner += 1
        inner *= x
        inner *= _GELU_K
        t = xp.tanh(inner, out=inner)
    elif x.dtype == _F32_DT and _is_numpy_like(xp):
        t = _phi_f32(xp, x)[0]
        t *= x
        return _down(t, a)
    else:
        t = _erf(xp, x / _scalar(xp, _SQRT_2, x.dtype))
    t += 1
    t *= x
    t *= 0.5
    return _down(t, a)


@_gelu.defbackward
def _(ctx, g):
    return dispatch(_gelu_backward, g, ctx.args[0], approximate=ctx.kwargs.get("approximate", "none"))


@defop("gelu_backward", grad_name="GeluBackwardBackward0")
def _gelu_backward(xp, g, a, *, approximate="none"):
    x = _up(a)
    if approximate == "tanh":
        x2 = x * x
        u = (1 + _GELU_C * x2) * x * _GELU_K
        t = xp.tanh(u)
        du = _GELU_K * (1 + 3 * _GELU_C * x2)
        d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
    elif x.dtype == _F32_DT and _is_numpy_like(xp):
        d, e = _phi_f32(xp, x)
        e *= x
        e *= _F_INV_SQRT_2PI                    # x * phi(x)
        d += e
    else:
        d = 0.5 * (1 + _erf(xp, x / _scalar(xp, _SQRT_2, x.dtype)))
        d += x * xp.exp(-0.5 * x * x) * _INV_SQRT_2PI
    d = _down(d, a)
    d *= g
    return d


@_gelu_backward.defbackward
def _(ctx, gg):
    g, x = ctx.args
    approximate = ctx.kwargs.get("approximate", "none")
    need_g, need_x = ctx.needs_input_grad
    gg_g = dispatch(_gelu_backward, gg, x, approximate=approximate) if need_g else None
    gg_x = None
    if need_x:
        if approximate == "tanh":
            x2 = x * x
            u = (1 + _GELU_C * x2) * x * _GELU_K
            t = tanh(u)
            du = _GELU_K * (1 + 3 * _GELU_C * x2)
            ddu = (6 * _GELU_K * _GELU_C) * x
            d2 = (1 - t * t) * (du - x * t * du * du + 0.5 * x * ddu)
        else:
            d2 = _exp(x * x * -0.5) * _INV_SQRT_2PI * (2 - x * x)
        gg_x = gg * g * d2
    return gg_g, gg_x


def gelu(input, approximate="none") -> Tensor:
    _check_approximate(approximate)
    if approximate == "none":
        return dispatch(_gelu, input)
    return dispatch(_gelu, input, approximate=approximate)


@defop("silu")
def _silu(xp, a):
    _check_float(a, "silu_cpu")
    x = _up(a)
    y = xp.negative(x)
    xp.exp(y, out=y)
    y += 1
    return _down(xp.divide(x, y, out=y), a)


@_silu.defbackward
def _(ctx, g):
    x = ctx.args[0]
    s = sigmoid(x)
    return g * s * (1 + x * (1 - s))


def silu(input, inplace=False) -> Tensor:
    return _inplace_or(_silu_fn, input, inplace)


def _silu_fn(input):
    return dispatch(_silu, input)


@defop("mish")
def _mish(xp, a):
    _check_float(a, "mish_cpu")
    x = _up(a)
    sp = xp.where(x > 20, x, xp.log1p(xp.exp(x)))
    xp.tanh(sp, out=sp)
    sp *= x
    return _down(sp, a)


@_mish.defbackward
def _(ctx, g):
    x = ctx.args[0]
    t = tanh(softplus(x))
    return g * (t + x * (1 - t * t) * sigmoid(x))


def _mish_fn(input):
    return dispatch(_mish, input)


def mish(input, inplace=False) -> Tensor:
    return _inplace_or(_mish_fn, input, inplace)


# --- hard sigmoid / swish, soft-sign, shrinks, threshold ------------------------------------------


@defop("hardsigmoid")
def _hardsigmoid(xp, a):
    _check_float(a, "hardsigmoid_cpu")
    x = _up(a)
    y = x + 3
    xp.clip(y, 0, 6, out=y)
    y /= 6
    return _down(y, a)


@_hardsigmoid.defbackward
def _(ctx, g):
    x = ctx.args[0]
    return where(logical_and(x > -3, x < 3), g / 6, 0)


def _hardsigmoid_fn(input):
    return dispatch(_hardsigmoid, input)


def hardsigmoid(input, inplace=False) -> Tensor:
    return _inplace_or(_hardsigmoid_fn, input, inplace)


@defop("hardswish")
def _hardswish(xp, a):
    _check_float(a, "hardswish_cpu")
    x = _up(a)
    y = x + 3
    xp.clip(y, 0, 6, out=y)
    y *= x
    y /= 6
    return _down(y, a)


@_hardswish.defbackward
def _(ctx, g):
    x = ctx.args[0]
    mid = where(x < -3, 0, g * (x / 3 + 0.5))
    return where(x > 3, g, mid)


def _hardswish_fn(input):
    return dispatch(_hardswish, input)


def hardswish(input, inplace=False) -> Tensor:
    return _inplace_or(_hardswish_fn, input, inplace)


def softsign(input) -> Tensor:
    """``input / (1 + |input|)`` (composite, as in PyTorch)."""
    return input / (input.abs() + 1)


def tanhshrink(input) -> Tensor:
    """``input - tanh(input)`` (composite, as in PyTorch)."""
    return input - tanh(input)


@defop("hardshrink")
def _hardshrink(xp, a, *, lambd=0.5):
    _check_float(a, "hardshrink_cpu")
    return xp.where((a > lambd) | (a < -lambd), a, _scalar(xp, 0, a.dtype))


@_hardshrink.defbackward
def _(ctx, g):
    x = ctx.args[0]
    lambd = ctx.kwargs.get("lambd", 0.5)
    return where(logical_or(x > lambd, x < -lambd), g, 0)


def hardshrink(input, lambd=0.5, *, out=None) -> Tensor:
    return _out(dispatch(_hardshrink, input, lambd=lambd), out)


@defop("softshrink")
def _softshrink(xp, a, *, lambd=0.5):
    _check_float(a, "softshrink_check")
    lam = _scalar(xp, lambd, a.dtype)
    return xp.where(a > lam, a - lam, xp.where(a < -lam, a + lam, _scalar(xp, 0, a.dtype)))


@_softshrink.defbackward
def _(ctx, g):
    x = ctx.args[0]
    lambd = ctx.kwargs.get("lambd", 0.5)
    return where(logical_or(x > lambd, x < -lambd), g, 0)


def softshrink(input, lambd=0.5) -> Tensor:
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{input.dtype._torch_name}, but found {lambd:g}")
    return dispatch(_softshrink, input, lambd=lambd)


@defop("threshold")
def _threshold(xp, a, *, threshold, value):
    if a.dtype.kind == "b":
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    if a.dtype.kind in "iu":
        return xp.where(a > threshold, a, xp.asarray(value).astype(a.dtype))
    return xp.where(a > _scalar(xp, threshold, a.dtype), a, _scalar(xp, value, a.dtype))


@_threshold.defbackward
def _(ctx, g):
    return where(ctx.args[0] > ctx.kwargs["threshold"], g, 0)


def _threshold_fn(input, threshold, value):
    return dispatch(_threshold, input, threshold=threshold, value=value)


def threshold(input, threshold, value, inplace=False) -> Tensor:
    """``input`` where ``input > threshold``, else ``value``."""
    return _inplace_or(_threshold_fn, input, inplace, threshold, value)


def threshold_(input, threshold, value) -> Tensor:
    return _inplace_or(_threshold_fn, input, True, threshold, value)


# --- glu, prelu ---------------------------------------------------------------------------------


@defop("glu")
def _glu(xp, a, *, dim):
    _check_float(a, "glu_cpu")
    h = a.shape[dim] // 2
    first = a[(slice(None),) * dim + (slice(0, h),)]
    second = a[(slice(None),) * dim + (slice(h, None),)]
    x = _up(second)
    s = xp.negative(x)
    xp.exp(s, out=s)
    s += 1
    s = xp.divide(_up(first), s, out=s)
    return _down(s, a)


@_glu.defbackward
def _(ctx, g):
    import ember
    x = ctx.args[0]
    dim = ctx.kwargs["dim"]
    h = x.shape[dim] // 2
    pre = (slice(None),) * dim
    a, b = x[pre + (slice(0, h),)], x[pre + (slice(h, None),)]
    s = sigmoid(b)
    ga = g * s
    return ember.cat([ga, ga * a * (1 - s)], dim)


def glu(input, dim=-1) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    return dispatch(_glu, input, dim=d)


@defop("prelu", grad_name="PreluKernelBackward0")
def _prelu(xp, a, w):
    return xp.where(a > 0, a, a * w)


@_prelu.defbackward
def _(ctx, g):
    x, wb = ctx.args
    need_x, need_w = ctx.needs_input_grad
    pos = x > 0
    gx = where(pos, g, g * wb) if need_x else None
    gw = where(pos, 0, g * x) if need_w else None
    return gx, gw


def prelu(input, weight) -> Tensor:
    """``max(0, x) + weight * min(0, x)``; ``weight`` has one value or one per channel (dim 1)."""
    if input._dtype is not weight._dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {input._dtype._torch_name} and "
                           f"{weight._dtype._torch_name}")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} "
                           f"and channel size = {channels}.")
    if input.dtype.category < D.FLOAT:
        raise NotImplementedError(f'"prelu_cpu" not implemented for \'{input._dtype._torch_name}\'')
    if n == 1 or input.ndim < 2:
        w = weight.reshape(()) if weight.ndim else weight
    else:
        w = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return dispatch(_prelu, input, w)


# --- softmax family -----------------------------------------------------------------------------


def _implicit_dim(ndim: int) -> int:
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_prep(name, input, dim, dtype):
    if type(dtype) is int:  # nn.functional's positional ``_stacklevel``
        dtype = None
    if dim is None:
        dim = _implicit_dim(input.ndim)
    d = wrap_dim(dim, input.ndim) if input.ndim else wrap_dim(dim, 1)
    if dtype is not None and dtype is not input._dtype:
        input = input.to(dtype)
    if input._dtype.category < D.FLOAT:
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for \'{input._dtype._torch_name}\'')
    return input, d


@defop("softmax", save_out=True)
def _softmax(xp, a, *, dim):
    if a.size == 0:
        return xp.empty_like(a)
    x = _up(a)
    axis = dim if x.ndim else None
    y = x - xp.max(x, axis=axis, keepdims=True)
    xp.exp(y, out=y)
    y /= xp.sum(y, axis=axis, keepdims=True)
    return _down(y, a)


@_softmax.defbackward
def _(ctx, g):
    return dispatch(_softmax_backward, g, ctx.out, dim=ctx.kwargs["dim"])


@defop("softmax_backward", grad_name="SoftmaxBackwardDataBackward0")
def _softmax_backward(xp, g, y, *, dim):
    if y.size == 0:
        return xp.zeros_like(y)
    axis = dim if y.ndim else None
    y32 = _up(y)
    gy = xp.multiply(_up(g), y32)
    s = xp.sum(gy, axis=axis, keepdims=True)
    gy -= y32 * s
    return _down(gy, y)


@_softmax_backward.defbackward
def _(ctx, gg):
    g, y = ctx.args
    dim = ctx.kwargs["dim"]
    need_g, need_y = ctx.needs_input_grad
    gg_g = dispatch(_softmax_backward, gg, y, dim=dim) if need_g else None
    gg_y = None
    if need_y:
        s = (g * y).sum(dim, keepdim=True)
        t = (gg * y).sum(dim, keepdim=True)
        gg_y = gg * (g - s) - g * t
    return gg_g, gg_y


def softmax(input, dim=None, dtype=None, *, _stacklevel=3, out=None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, computed stably; ``dtype`` casts the input first."""
    input, d = _softmax_prep("softmax", input, dim, dtype)
    return _out(dispatch(_softmax, input, dim=d), out)


@defop("log_softmax", save_out=True)
def _log_softmax(xp, a, *, dim):
    if a.size == 0:
        return xp.empty_like(a)
    x = _up(a)
    axis = dim if x.ndim else None
    y = x - xp.max(x, axis=axis, keepdims=True)
    lse = xp.log(xp.sum(xp.exp(y), axis=axis, keepdims=True))
    y -= lse
    return _down(y, a)


@_log_softmax.defbackward
def _(ctx, g):
    return dispatch(_log_softmax_backward, g, ctx.out, dim=ctx.kwargs["dim"])


@defop("log_softmax_backward", grad_name="LogSoftmaxBackwardDataBackward0")
def _log_softmax_backward(xp, g, y, *, dim):
    if y.size == 0:
        return xp.zeros_like(y)
    axis = dim if y.ndim else None
    g32 = _up(g)
    e = xp.exp(_up(y))
    e *= xp.sum(g32, axis=axis, keepdims=True)
    return _down(xp.subtract(g32, e, out=e), y)


@_log_softmax_backward.defbackward
def _(ctx, gg):
    g, y = ctx.args
    dim = ctx.kwargs["dim"]
    need_g, need_y = ctx.needs_input_grad
    e = _exp(y)
    gg_g = gg - (gg * e).sum(dim, keepdim=True) if need_g else None
    gg_y = -gg * e * g.sum(dim, keepdim=True) if need_y else None
    return gg_g, gg_y


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3, out=None) -> Tensor:
    """``log(softmax(x, dim))``, computed stably."""
    input, d = _softmax_prep("log_softmax", input, dim, dtype)
    return _out(dispatch(_log_softmax, input, dim=d), out)


def softmin(input, dim=None, dtype=None, *, _stacklevel=3) -> Tensor:
    """``softmax(-x, dim)``."""
    if dim is None:
        dim = _implicit_dim(input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


# --- Tensor methods -----------------------------------------------------------------------------


def _tensor_softmax(self, dim, dtype=None):
    return softmax(self, dim, dtype)


def _tensor_log_softmax(self, dim, dtype=None):
    return log_softmax(self, dim, dtype)


def _tensor_hardshrink(self, lambd=0.5):
    return hardshrink(self, lambd)


methods(sigmoid, tanh, prelu, names={"softmax": _tensor_softmax, "log_softmax": _tensor_log_softmax,
                                      "hardshrink": _tensor_hardshrink})
inplace_methods(sigmoid_=sigmoid, tanh_=tanh)

