"""Pointwise ops: arithmetic, math and special functions, comparisons eq..ge; Tensor's operators.

Each op: a forward on arrays (``xp`` is the device's array namespace) and its backward
rule written with ember ops. Broadcasting of gradients back to input shapes and casts to
input dtypes happen in the engine, so rules are written for the broadcast shape.

Complex gradients follow PyTorch's convention: for a holomorphic ``f`` the rule returns
``grad * conj(f'(z))``.

Special functions (erf, erfc, erfinv, lgamma, digamma, polygamma) use ``scipy.special``
(``cupyx.scipy.special`` on cuda) when importable, else the vectorised fallbacks at the
end of this module (accuracy documented there).
"""

from __future__ import annotations

import builtins
import cmath
import math

import ml_dtypes
import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch, inplace
from ember._parallel import pnp
from ember._tensor import Tensor
from ember.ops._util import inplace_methods, methods, write_out
from ember.ops.registry import REGISTRY, cross_saves, defop

try:  # optional: full-precision special functions
    import scipy.special as _scipy_special
except ImportError:  # pragma: no cover - exercised by tests/test_special_fallback.py via monkeypatch
    _scipy_special = None

__all__ = [
    "conj", "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "float_power", "neg", "negative", "abs", "absolute",
    "sign", "sgn", "reciprocal", "sqrt", "rsqrt", "square", "exp", "exp2", "expm1", "log", "log2",
    "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan",
    "atan2", "arctan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "logit", "erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma",
    "floor", "ceil", "round", "trunc", "fix", "frac", "clamp", "clip", "clamp_min", "clamp_max",
    "lerp", "addcmul", "addcdiv", "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp",
    "logaddexp2", "xlogy", "nan_to_num", "copysign", "heaviside", "deg2rad", "rad2deg", "positive",
    "real", "imag", "angle", "relu",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
]

_LOWP = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI = math.sqrt(math.pi)


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


def _need_tensor(fname: str, x, argname: str = "input", pos: int = 1) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _tname(dtype) -> str:
    return D._BY_NP[dtype]._torch_name


def _not_impl(kernel: str, dtype) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(dtype)}'")


def _dtype_of(*xs):
    for x in xs:
        dt = getattr(x, "dtype", None)
        if dt is not None:
            return dt
    return None


def _up(a):
    """float16/bfloat16 arrays computed in float32 (as PyTorch's CPU kernels do)."""
    return a.astype(_F32) if a.dtype in _LOWP else a


def _conj(x):
    if isinstance(x, Tensor) and x._dtype.category == D.COMPLEX:
        return x.conj()
    if isinstance(x, complex):
        return x.conjugate()
    return x


def _zeros(g: Tensor) -> Tensor:
    return g.new_zeros(g.shape)


def _no_derivative(name: str):
    def rule(ctx, *grads):
        raise RuntimeError(f"the derivative for '{name}' is not implemented.")
    return rule


def _inplace_fn(name: str, fn):
    """``ember.<name>_(t, ...)``: the in-place form as a function."""
    def f(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    f.__name__ = name
    return f


# --- arithmetic -------------------------------------------------------------------------


@defop("add", saves=(), promote="same")
def _add(xp, a, b, *, alpha=1):
    if alpha == 1:
        return xp.add(a, b)
    return xp.add(a, b * alpha).astype(_dtype_of(a, b), copy=False)


@_add.defbackward
def _(ctx, g):
    alpha = ctx.kwargs.get("alpha", 1)
    return g, (g if alpha == 1 else g * alpha)


def _check_alpha(input, other, alpha):
    if alpha != 1 and isinstance(alpha, float):
        cats = [
            x._dtype.category if isinstance(x, Tensor) else D.scalar_dtype(x).category for x in (input, other)
        ]
        if max(cats) < D.FLOAT:
            raise RuntimeError(
                "For integral input tensors, argument alpha must not be a floating point number."
            )


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other``, broadcast, with PyTorch's type promotion."""
    if alpha != 1:
        _check_alpha(input, other, alpha)
        return _out(dispatch(_add, input, other, alpha=alpha), out)
    return _out(dispatch(_add, input, other), out)


@defop("sub", saves=(), promote="same")
def _sub(xp, a, b, *, alpha=1):
    if alpha == 1:
        return xp.subtract(a, b)
    return xp.subtract(a, b * alpha).astype(_dtype_of(a, b), copy=False)


@_sub.defbackward
def _(ctx, g):
    alpha = ctx.kwargs.get("alpha", 1)
    return g, (-g if alpha == 1 else g * -alpha)


def _check_sub_bool(input, other):
    a_bool = isinstance(input, Tensor) and input._dtype is D.bool_ or type(input) is bool
    b_bool = isinstance(other, Tensor) and other._dtype is D.bool_ or type(other) is bool
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if a_bool or b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
            "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    if (isinstance(input, Tensor) and input._dtype is D.bool_) or (
        isinstance(other, Tensor) and other._dtype is D.bool_
    ):
        _check_sub_bool(input, other)
    if alpha != 1:
        _check_alpha(input, other, alpha)
        return _out(dispatch(_sub, input, other, alpha=alpha), out)
    return _out(dispatch(_sub, input, other), out)


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    return sub(other, input, alpha=alpha)


@defop("mul", saves=cross_saves, promote="same")
def _mul(xp, a, b):
    return xp.multiply(a, b)


@_mul.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return (g * _conj(b) if need_a else None), (g * _conj(a) if need_b else None)


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product."""
    return _out(dispatch(_mul, input, other), out)


multiply = mul


@defop("div", promote="float")
def _div(xp, a, b):
    return xp.true_divide(a, b)


@_div.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    ga = g / _conj(b) if need_a else None
    gb = -g * _conj(a / b / b) if need_b else None
    return ga, gb


def _check_int_divisor(xp, b) -> None:
    if getattr(b, "ndim", 0) == 0:
        if b == 0:
            raise RuntimeError("ZeroDivisionError")
    elif (b == 0).any():
        raise RuntimeError("ZeroDivisionError")


def _floor_div(xp, a, b, kernel="div_floor_cpu"):
    dt = _dtype_of(a, b)
    kind = dt.kind
    if kind in "iu":
        _check_int_divisor(xp, b)
        return xp.floor_divide(a, b)
    if kind in "bc":
        raise _not_impl(kernel, dt)
    return xp.floor_divide(a, b)


def _trunc_div(xp, a, b):
    dt = _dtype_of(a, b)
    kind = dt.kind
    if kind in "iu":
        _check_int_divisor(xp, b)
        q = xp.floor_divide(a, b)
        fix = (q < 0) & (q * b != a)
        return q + fix.astype(q.dtype)
    if kind in "bc":
        raise _not_impl("div_trunc_cpu", dt)
    return xp.trunc(xp.true_divide(a, b))


@defop("div_rounding", promote="same", grad_name="DivBackward2")
def _div_rounding(xp, a, b, *, rounding_mode):
    if rounding_mode == "floor":
        return _floor_div(xp, a, b)
    return _trunc_div(xp, a, b)


@_div_rounding.defbackward
def _(ctx, g):
    return _zeros(g), _zeros(g)


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """``input / other``; ``rounding_mode`` 'trunc' or 'floor' rounds (and keeps integer dtypes)."""
    if rounding_mode is None:
        return _out(dispatch(_div, input, other), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    return _out(dispatch(_div_rounding, input, other, rounding_mode=rounding_mode), out)


divide = div


def true_divide(input, other, *, out=None) -> Tensor:
    return _out(dispatch(_div, input, other), out)


@defop("floor_divide", promote="same", grad_name="NotImplemented")
def _floor_divide(xp, a, b):
    return _floor_div(xp, a, b)


_floor_divide.defbackward(_no_derivative("floor_divide"))


def floor_divide(input, other, *, out=None) -> Tensor:
    """``input // other`` rounded toward negative infinity (Python's ``//``)."""
    return _out(dispatch(_floor_divide, input, other), out)


@defop("remainder", promote="same", grad_name="RemainderBackward1")
def _remainder(xp, a, b):
    dt = _dtype_of(a, b)
    if dt.kind in "iu":
        _check_int_divisor(xp, b)
    elif dt.kind in "bc":
        raise _not_impl("remainder_cpu", dt)
    return xp.remainder(a, b)


@_remainder.defbackward
def _(ctx, g):
    a, b = ctx.args
    if not isinstance(a, Tensor):
        raise RuntimeError("the derivative for 'remainder' is not implemented.")
    need_a, need_b = ctx.needs_input_grad
    return g if need_a else None, (-g * div(a, b, rounding_mode="floor") if need_b else None)


def remainder(input, other, *, out=None) -> Tensor:
    """Python's ``%``: the result has the sign of ``other``."""
    return _out(dispatch(_remainder, input, other), out)


@defop("fmod", promote="same", grad_name="FmodBackward1")
def _fmod(xp, a, b):
    dt = _dtype_of(a, b)
    if dt.kind in "iu":
        _check_int_divisor(xp, b)
    elif dt.kind in "bc":
        raise _not_impl("fmod_cpu", dt)
    return xp.fmod(a, b)


@_fmod.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return g if need_a else None, (-g * div(a, b, rounding_mode="trunc") if need_b else None)


def fmod(input, other, *, out=None) -> Tensor:
    """C's ``fmod``: the result has the sign of ``input``."""
    _need_tensor("fmod", input)
    return _out(dispatch(_fmod, input, other), out)


# --- pow ----------------------------------------------------------------------------------


def _pow_fwd(xp, a, b):
    dt = _dtype_of(a, b)
    if dt.kind == "b":
        raise _not_impl("pow", dt)
    if dt.kind == "i" and getattr(b, "ndim", None) is not None:
        neg = b < 0
        if neg.any():  # PyTorch: 1 ** -n = 1, (-1) ** -n = +-1, anything else ** -n = 0
            r = xp.power(a, xp.where(neg, 0, b))
            odd = (b % 2) != 0
            negval = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
            return xp.where(neg, negval, r).astype(r.dtype)
    return xp.power(a, b)


@defop("pow", promote="same", grad_name="PowBackward0")
def _pow_ts(xp, a, e):
    if e == 2 and a.dtype.kind != "b":
        return xp.multiply(a, a)  # the common square: exact, and faster than power
    return _pow_fwd(xp, a, e)


@_pow_ts.defbackward
def _(ctx, g):
    x, e = ctx.args
    if e == 0:
        return _zeros(g), None
    return g * _conj(e * x ** (e - 1)), None


@defop("pow_tensor", promote="same", save_out=True, grad_name="PowBackward1")
def _pow_tt(xp, a, b):
    return _pow_fwd(xp, a, b)


@_pow_tt.defbackward
def _(ctx, g):
    x, y = ctx.args
    need_x, need_y = ctx.needs_input_grad
    gx = gy = None
    if need_x:  # y == 0 contributes 0 even where x ** -1 is infinite
        gx = g * _conj(y * x ** (y + (y == 0) - 1))
    if need_y:  # x == 0 with y >= 0 contributes 0 (log(0) = -inf)
        yr = y.real if y._dtype.category == D.COMPLEX else y
        safe_x = x + (x == 0) * (yr >= 0)
        gy = g * _conj(ctx.out * log(safe_x))
    return gx, gy


@defop("pow_scalar_base", promote="same", save_out=True, grad_name="PowBackward2")
def _pow_st(xp, a, b):
    return _pow_fwd(xp, a, b)


@_pow_st.defbackward
def _(ctx, g):
    base, y = ctx.args
    if base == 0:
        return None, _zeros(g)
    lb = cmath.log(base) if isinstance(base, complex) or base < 0 else math.log(base)
    return None, g * _conj(ctx.out * lb)


def _check_int_pow(input: Tensor, exponent) -> None:
    if input._dtype.category <= D.INT and type(exponent) is int and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent``; either may be a Python number (not both)."""
    if isinstance(input, Tensor):
        if isinstance(exponent, Tensor):
            return _out(dispatch(_pow_tt, input, exponent), out)
        _check_int_pow(input, exponent)
        return _out(dispatch(_pow_ts, input, exponent), out)
    if isinstance(exponent, Tensor):
        return _out(dispatch(_pow_st, input, exponent), out)
    raise TypeError(f"pow() received an invalid combination of arguments - got ({type(input).__name__}, "
                    f"{type(exponent).__name__})")


def _is_complex_arg(x) -> bool:
    return x._dtype.category == D.COMPLEX if isinstance(x, Tensor) else isinstance(x, complex)


def _to_double(x, dt):
    if isinstance(x, Tensor):
        return x if x._dtype is dt else x.to(dt)
    return complex(x) if dt is D.complex128 else float(x)


def float_power(input, exponent, *, out=None) -> Tensor:
    """``pow`` computed in double precision (float64, or complex128 for complex operands)."""
    dt = D.complex128 if _is_complex_arg(input) or _is_complex_arg(exponent) else D.float64
    if out is not None and out._dtype is not dt:
        raise RuntimeError(f"the output given to float_power has dtype {out._dtype._torch_name} but the "
                           f"operation's result requires dtype {dt._torch_name}")
    return pow(_to_double(input, dt), _to_double(exponent, dt), out=out)


def _float_power_(self, exponent):
    dt = D.complex128 if _is_complex_arg(self) or _is_complex_arg(exponent) else D.float64
    if self._dtype is not dt:
        raise RuntimeError(f"the base given to float_power_ has dtype {self._dtype._torch_name} but the "
                           f"operation's result requires dtype {dt._torch_name}")
    return inplace(self, pow, _to_double(exponent, dt))


def square(input, *, out=None) -> Tensor:
    _need_tensor("square", input)
    return pow(input, 2, out=out)


# --- unary math -------------------------------------------------------------------------


def _unary(name, forward, rule, *, promote="float", save_out=False, grad_name=None):
    """Register a one-input op and return its ``fn(input, *, out=None)`` front end."""
    op = defop(name, promote=promote, save_out=save_out, grad_name=grad_name)(forward)
    op.defbackward(rule)

    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            _need_tensor(name, input)
        r = dispatch(op, input)
        return r if out is None else write_out(out, r)

    fn.__name__ = name
    fn.op = op
    return fn


def _no_complex(kernel):
    def check(a):
        if a.dtype.kind == "c":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(a.dtype)}'")
    return check


# exp and log keep their historic op names
@defop("exp", promote="float", save_out=True)
def _exp(xp, a):
    return xp.exp(a)


@_exp.defbackward
def _(ctx, g):
    return g * _conj(ctx.out)


def exp(input, *, out=None) -> Tensor:
    _need_tensor("exp", input)
    return _out(dispatch(_exp, input), out)


@defop("log", promote="float")
def _log(xp, a):
    return xp.log(a)


@_log.defbackward
def _(ctx, g):
    return g / _conj(ctx.args[0])


def log(input, *, out=None) -> Tensor:
    _need_tensor("log", input)
    return _out(dispatch(_log, input), out)


@defop("neg", saves=(), promote="same")
def _neg(xp, a):
    if a.dtype == bool:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return xp.negative(a)


@_neg.defbackward
def _(ctx, g):
    return -g


def neg(input, *, out=None) -> Tensor:
    return _out(dispatch(_neg, input), out)


negative = neg


def _abs_fwd(xp, a):
    if a.dtype.kind == "b":
        raise _not_impl("abs_cpu", a.dtype)
    return xp.abs(a)


abs = _unary("abs", _abs_fwd, lambda ctx, g: g * sgn(ctx.args[0]), promote=None)
absolute = abs


def _sign_fwd(xp, a):
    k = a.dtype.kind
    if k == "c":
        raise NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                                  "Please use torch.sgn instead.")
    if k == "b":
        return a.copy()
    r = xp.sign(a)
    if k == "f" or a.dtype in _LOWP:
        r = xp.where(a == a, r, xp.zeros((), a.dtype))  # sign(nan) is 0 in PyTorch
    return r


sign = _unary("sign", _sign_fwd, lambda ctx, g: _zeros(g), promote=None)


def _sgn_fwd(xp, a):
    if a.dtype.kind != "c":
        return _sign_fwd(xp, a)
    m = xp.abs(a)
    return xp.where(m == 0, xp.zeros((), a.dtype), a / xp.where(m == 0, xp.ones((), m.dtype), m))


def _sgn_rule(ctx, g):
    z = ctx.args[0]
    if z._dtype.category != D.COMPLEX:
        return _zeros(g)
    m = abs(z)
    zero = m == 0
    s = ctx.out
    return (g - s * s * g.conj()) / (2 * (m + zero)) * (m != 0)


sgn = _unary("sgn", _sgn_fwd, _sgn_rule, promote=None, save_out=True)


reciprocal = _unary("reciprocal", lambda xp, a: xp.reciprocal(a),
                    lambda ctx, g: -g * _conj(ctx.out * ctx.out), save_out=True)
sqrt = _unary("sqrt", lambda xp, a: xp.sqrt(a), lambda ctx, g: g / (2 * _conj(ctx.out)), save_out=True)
rsqrt = _unary("rsqrt", lambda xp, a: xp.reciprocal(xp.sqrt(a)),
               lambda ctx, g: g * _conj(ctx.out * ctx.out * ctx.out) * -0.5, save_out=True)
exp2 = _unary("exp2", lambda xp, a: xp.exp2(a), lambda ctx, g: g * _conj(ctx.out) * _LN2, save_out=True)
expm1 = _unary("expm1", lambda xp, a: xp.expm1(a), lambda ctx, g: g * _conj(ctx.out + 1), save_out=True)
log2 = _unary("log2", lambda xp, a: xp.log2(a), lambda ctx, g: g / (_conj(ctx.args[0]) * _LN2))
log10 = _unary("log10", lambda xp, a: xp.log10(a), lambda ctx, g: g / (_conj(ctx.args[0]) * _LN10))
log1p = _unary("log1p", lambda xp, a: xp.log1p(a), lambda ctx, g: g / _conj(ctx.args[0] + 1),
               grad_name="Log1PBackward0")
sin = _unary("sin", lambda xp, a: xp.sin(a), lambda ctx, g: g * _conj(cos(ctx.args[0])))
cos = _unary("cos", lambda xp, a: xp.cos(a), lambda ctx, g: g * -_conj(sin(ctx.args[0])))
tan = _unary("tan", lambda xp, a: xp.tan(a), lambda ctx, g: g * _conj(1 + ctx.out * ctx.out), save_out=True)
asin = _unary("asin", lambda xp, a: xp.arcsin(a),
              lambda ctx, g: g / _conj(sqrt(1 - ctx.args[0] * ctx.args[0])))
acos = _unary("acos", lambda xp, a: xp.arccos(a),
              lambda ctx, g: -g / _conj(sqrt(1 - ctx.args[0] * ctx.args[0])))
atan = _unary("atan", lambda xp, a: xp.arctan(a), lambda ctx, g: g / _conj(1 + ctx.args[0] * ctx.args[0]))
sinh = _unary("sinh", lambda xp, a: xp.sinh(a), lambda ctx, g: g * _conj(cosh(ctx.args[0])))
cosh = _unary("cosh", lambda xp, a: xp.cosh(a), lambda ctx, g: g * _conj(sinh(ctx.args[0])))
if "tanh" in REGISTRY:  # defined by the activation family
    from ember.ops.activation import tanh  # noqa: E402
else:
    tanh = _unary("tanh", lambda xp, a: xp.tanh(a), lambda ctx, g: g * _conj(1 - ctx.out * ctx.out),
                  save_out=True)
asinh = _unary("asinh", lambda xp, a: xp.arcsinh(a),
               lambda ctx, g: g / _conj(sqrt(ctx.args[0] * ctx.args[0] + 1)))


def _acosh_rule(ctx, g):
    x = ctx.args[0]
    if x._dtype.category == D.COMPLEX:
        return g / _conj(sqrt(x * x - 1))
    return g / (sqrt(x - 1) * sqrt(x + 1))


acosh = _unary("acosh", lambda xp, a: xp.arccosh(a), _acosh_rule)
atanh = _unary("atanh", lambda xp, a: xp.arctanh(a), lambda ctx, g: g / _conj(1 - ctx.args[0] * ctx.args[0]))
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def _deg_rad(name, factor, grad_name):
    def fwd(xp, a):
        if a.dtype.kind == "c":
            raise RuntimeError(f"{name} is not supported for complex tensors.")
        return (_up(a) * factor).astype(a.dtype, copy=False)
    return _unary(name, fwd, lambda ctx, g: g * factor, grad_name=grad_name)


deg2rad = _deg_rad("deg2rad", math.pi / 180.0, "Deg2RadBackward0")
rad2deg = _deg_rad("rad2deg", 180.0 / math.pi, "Rad2DegBackward0")


# --- logit --------------------------------------------------------------------------------


@defop("logit", promote="float")
def _logit(xp, a, *, eps=None):
    _no_complex("logit_cpu")(a)
    x = a
    if eps is not None:
        x = xp.clip(x, eps, 1 - eps)
    return xp.log(x / (1 - x)).astype(a.dtype, copy=False)


@_logit.defbackward
def _(ctx, g):
    x = ctx.args[0]
    eps = ctx.kwargs.get("eps")
    if eps is None:
        return g / (x * (1 - x))
    xc = clamp(x, eps, 1 - eps)
    return g / (xc * (1 - xc)) * ((x >= eps) * (x <= 1 - eps))


def logit(input, eps=None, *, out=None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    _need_tensor("logit", input)
    r = dispatch(_logit, input) if eps is None else dispatch(_logit, input, eps=float(eps))
    return _out(r, out)


# --- special functions ------------------------------------------------------------------


def _special(xp):
    """The special-function namespace for ``xp``: scipy.special / cupyx.scipy.special, or None."""
    if xp is np or xp is pnp:
        return _scipy_special
    try:
        import cupyx.scipy.special as sp
        return sp
    except ImportError:  # pragma: no cover
        return None


def _special_fwd(name, kernel, fallback):
    def fwd(xp, a):
        if a.dtype.kind == "c":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(a.dtype)}'")
        sp = _special(xp)
        x = _up(a)
        r = getattr(sp, name)(x) if sp is not None else fallback(xp, x)
        return r.astype(a.dtype, copy=False)
    return fwd


def _erf_fb(xp, x):
    return _fb_erf(xp, x.astype(_F64)).astype(x.dtype, copy=False)


def _erfc_fb(xp, x):
    return _fb_erfc(xp, x.astype(_F64)).astype(x.dtype, copy=False)


def _erfinv_fb(xp, x):
    return _fb_erfinv(xp, x.astype(_F64)).astype(x.dtype, copy=False)


def _lgamma_fb(xp, x):
    return _fb_lgamma(xp, x.astype(_F64)).astype(x.dtype, copy=False)


def _digamma_fb(xp, x):
    return _fb_digamma(xp, x.astype(_F64)).astype(x.dtype, copy=False)


erf = _unary("erf", _special_fwd("erf", "erf_vml_cpu", _erf_fb),
             lambda ctx, g: g * exp(-ctx.args[0] * ctx.args[0]) * _TWO_OVER_SQRT_PI)
erfc = _unary("erfc", _special_fwd("erfc", "erfc_vml_cpu", _erfc_fb),
              lambda ctx, g: g * exp(-ctx.args[0] * ctx.args[0]) * -_TWO_OVER_SQRT_PI)
erfinv = _unary("erfinv", _special_fwd("erfinv", "erfinv_vml_cpu", _erfinv_fb),
                lambda ctx, g: g * exp(ctx.out * ctx.out) * (_SQRT_PI / 2), save_out=True)
lgamma = _unary("lgamma", _special_fwd("gammaln", "lgamma_vml_cpu", _lgamma_fb),
                lambda ctx, g: g * digamma(ctx.args[0]))
digamma = _unary("digamma", _special_fwd("digamma", "digamma", _digamma_fb),
                 lambda ctx, g: g * polygamma(1, ctx.args[0]))


@defop("polygamma", promote="float")
def _polygamma(xp, a, *, n):
    if a.dtype.kind == "c":
        raise _not_impl("polygamma", a.dtype)
    sp = _special(xp)
    x = _up(a)
    if sp is not None:
        r = sp.digamma(x) if n == 0 else sp.polygamma(n, x)
    elif n == 0:
        r = _fb_digamma(xp, x.astype(_F64))
    else:
        r = _fb_polygamma(xp, n, x.astype(_F64))
    return r.astype(a.dtype, copy=False)


@_polygamma.defbackward
def _(ctx, g):
    return g * polygamma(ctx.kwargs["n"] + 1, ctx.args[0])


def polygamma(n, input, *, out=None) -> Tensor:
    """The ``n``-th derivative of the digamma function."""
    _need_tensor("polygamma", input, pos=2)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(dispatch(_polygamma, input, n=int(n)), out)


def _polygamma_method(self, n):
    return polygamma(n, self)


def mvlgamma(input, p, *, out=None) -> Tensor:
    """The multivariate log-gamma function of dimension ``p``."""
    _need_tensor("mvlgamma", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    r = lgamma(input)
    for i in range(1, p):
        r = r + lgamma(input - i / 2)
    return _out(r + p * (p - 1) / 4 * math.log(math.pi), out)


# --- rounding -----------------------------------------------------------------------------


def _rounding(name, fn):
    def fwd(xp, a):
        k = a.dtype.kind
        if k == "b":
            raise _not_impl(f"{name}_vml_cpu", a.dtype)
        if k == "c":
            raise NotImplementedError(f"{name} is not supported for complex inputs")
        if k in "iu":
            return a.copy()
        return fn(xp)(a)
    return _unary(name, fwd, lambda ctx, g: _zeros(g), promote=None)


floor = _rounding("floor", lambda xp: xp.floor)
ceil = _rounding("ceil", lambda xp: xp.ceil)
trunc = _rounding("trunc", lambda xp: xp.trunc)
fix = trunc


def _frac_fwd(xp, a):
    if a.dtype.kind in "biuc":
        raise _not_impl("frac_cpu", a.dtype)
    return a - xp.trunc(a)


frac = _unary("frac", _frac_fwd, lambda ctx, g: g, promote=None)


@defop("round", grad_name=lambda kw: "RoundBackward1" if "decimals" in kw else "RoundBackward0")
def _round(xp, a, *, decimals=None):
    k = a.dtype.kind
    if k in "bc" or (k in "iu" and decimals is not None):
        raise _not_impl("round_cpu" if decimals else "round_vml_cpu", a.dtype)
    if k in "iu":
        return a.copy()
    if not decimals:
        return xp.rint(a)
    x = _up(a)
    p = x.dtype.type(10.0 ** builtins.abs(decimals))
    r = xp.rint(x * p) / p if decimals > 0 else xp.rint(x / p) * p
    return r.astype(a.dtype, copy=False)


@_round.defbackward
def _(ctx, g):
    return _zeros(g)


def round(input, *, decimals=None, out=None) -> Tensor:
    """Round half to even; ``decimals`` digits after the point (negative: before it)."""
    _need_tensor("round", input)
    r = dispatch(_round, input) if decimals is None else dispatch(_round, input, decimals=int(decimals))
    return _out(r, out)


# --- clamp --------------------------------------------------------------------------------


def _clamp_fwd(xp, a, lo, hi):
    k = a.dtype.kind
    if k == "b":
        raise _not_impl("clamp_scalar_cpu", a.dtype)
    if k == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    if lo is not None:
        a = xp.maximum(a, lo if getattr(lo, "ndim", None) is not None else xp.asarray(lo, dtype=a.dtype))
    if hi is not None:
        a = xp.minimum(a, hi if getattr(hi, "ndim", None) is not None else xp.asarray(hi, dtype=a.dtype))
    return a


def _clamp_scalar_rule(ctx, g):
    x, lo, hi = ctx.args
    if lo is not None and hi is not None:
        return g * ((x >= lo) * (x <= hi)), None, None
    if lo is not None:
        return g * (x >= lo), None, None
    return g * (x <= hi), None, None


def _clamp_tensor_rule(ctx, g):
    x, lo, hi = ctx.args
    need = ctx.needs_input_grad
    gx = glo = ghi = None
    if lo is not None and hi is not None:
        if need[0]:
            gx = g * ((x >= lo) * (x <= hi))
        if need[1]:
            glo = g * ((x < lo) * (lo <= hi))
        if need[2]:
            ghi = g * ((x > hi) + (lo > hi))
    elif lo is not None:
        gx = g * (x >= lo) if need[0] else None
        glo = g * (x < lo) if need[1] else None
    else:
        gx = g * (x <= hi) if need[0] else None
        ghi = g * (x > hi) if need[2] else None
    return gx, glo, ghi


def _clamp_ops(name, scalar_grad, tensor_grad):
    s = defop(name, promote="same", grad_name=scalar_grad)(_clamp_fwd)
    s.defbackward(_clamp_scalar_rule)
    t = defop(name + "_tensor", promote="same", grad_name=tensor_grad)(_clamp_fwd)
    t.defbackward(_clamp_tensor_rule)
    return s, t


_clamp_s, _clamp_t = _clamp_ops("clamp", "ClampBackward1", "ClampBackward0")
_clamp_min_s, _clamp_min_t = _clamp_ops("clamp_min", "ClampMinBackward0", "ClampMinBackward1")
_clamp_max_s, _clamp_max_t = _clamp_ops("clamp_max", "ClampMaxBackward0", "ClampMaxBackward1")


def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit ``input`` to ``[min, max]`` (either bound may be None, a number or a tensor)."""
    _need_tensor("clamp", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if tmin or tmax:
        if (not tmin and min is not None) or (not tmax and max is not None):
            raise TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, "
                            f"{type(min).__name__}, {type(max).__name__})")
        return _out(dispatch(_clamp_t, input, min, max), out)
    return _out(dispatch(_clamp_s, input, min, max), out)


clip = clamp


def clamp_min(input, min, *, out=None) -> Tensor:
    _need_tensor("clamp_min", input)
    op = _clamp_min_t if isinstance(min, Tensor) else _clamp_min_s
    return _out(dispatch(op, input, min, None), out)


def clamp_max(input, max, *, out=None) -> Tensor:
    _need_tensor("clamp_max", input)
    op = _clamp_max_t if isinstance(max, Tensor) else _clamp_max_s
    return _out(dispatch(op, input, None, max), out)


# --- lerp, addcmul, addcdiv -----------------------------------------------------------------


def _lerp_fwd(xp, a, b, w):
    if a.dtype.kind not in "fc" and a.dtype not in _LOWP:
        raise _not_impl("lerp_kernel_scalar" if getattr(w, "ndim", None) is None else "lerp_kernel_tensor",
                        a.dtype)
    dt = a.dtype
    a, b = _up(a), _up(b)
    w = _up(w) if getattr(w, "ndim", None) is not None else w
    d = b - a
    small = xp.abs(w) < 0.5
    r = xp.where(small, a + w * d, b - d * (1 - w))
    return r.astype(dt, copy=False)


@defop("lerp", grad_name="LerpBackward0")
def _lerp_s(xp, a, b, *, weight):
    return _lerp_fwd(xp, a, b, weight)


@_lerp_s.defbackward
def _(ctx, g):
    w = ctx.kwargs["weight"]
    need_a, need_b = ctx.needs_input_grad
    return (g * _conj(1 - w) if need_a else None), (g * _conj(w) if need_b else None)


@defop("lerp_tensor", grad_name="LerpBackward1")
def _lerp_t(xp, a, b, w):
    return _lerp_fwd(xp, a, b, w)


@_lerp_t.defbackward
def _(ctx, g):
    a, b, w = ctx.args
    need = ctx.needs_input_grad
    return ((g * _conj(1 - w)) if need[0] else None, (g * _conj(w)) if need[1] else None,
            (g * _conj(b - a)) if need[2] else None)


def _dtname(dt: D.dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "Half", "bfloat16": "BFloat16"}.get(dt.name, dt.name)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``."""
    _need_tensor("lerp", input)
    _need_tensor("lerp", end, "end", 2)
    if end._dtype is not input._dtype:
        raise RuntimeError(f"expected dtype {_dtname(input._dtype)} for `end` but got dtype {_dtname(end._dtype)}")
    if isinstance(weight, Tensor):
        if weight._dtype is not input._dtype:
            raise RuntimeError(f"expected dtype {_dtname(input._dtype)} for `weight` but got dtype "
                               f"{_dtname(weight._dtype)}")
        return _out(dispatch(_lerp_t, input, end, weight), out)
    return _out(dispatch(_lerp_s, input, end, weight=weight), out)


@defop("addcmul", promote="same")
def _addcmul(xp, a, t1, t2, *, value=1):
    if value == 1:
        return a + t1 * t2
    dt = _dtype_of(a, t1, t2)
    if dt.kind in "iub":
        value = int(value)
    return (a + value * (t1 * t2)).astype(dt, copy=False)


@_addcmul.defbackward
def _(ctx, g):
    a, t1, t2 = ctx.args
    v = ctx.kwargs.get("value", 1)
    need = ctx.needs_input_grad
    return (g if need[0] else None, (g * _conj(t2 * v)) if need[1] else None,
            (g * _conj(t1 * v)) if need[2] else None)


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    _need_tensor("addcmul", input)
    r = dispatch(_addcmul, input, tensor1, tensor2) if value == 1 else \
        dispatch(_addcmul, input, tensor1, tensor2, value=value)
    return _out(r, out)


@defop("addcdiv", promote="same")
def _addcdiv(xp, a, t1, t2, *, value=1):
    dt = _dtype_of(a, t1, t2)
    q = t1 / t2
    return (a + (q if value == 1 else value * q)).astype(dt, copy=False)


@_addcdiv.defbackward
def _(ctx, g):
    a, t1, t2 = ctx.args
    v = ctx.kwargs.get("value", 1)
    need = ctx.needs_input_grad
    return (g if need[0] else None, (g * v / _conj(t2)) if need[1] else None,
            (-g * v * _conj(t1 / (t2 * t2))) if need[2] else None)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    _need_tensor("addcdiv", input)
    if (isinstance(tensor1, Tensor) and tensor1._dtype.category <= D.INT and isinstance(tensor2, Tensor)
            and tensor2._dtype.category <= D.INT):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior "
            "is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    r = dispatch(_addcdiv, input, tensor1, tensor2) if value == 1 else \
        dispatch(_addcdiv, input, tensor1, tensor2, value=value)
    return _out(r, out)


# --- binary math: maximum, hypot, atan2, ... -----------------------------------------------


def _binary(name, forward, rule, *, promote="same", save_out=False, grad_name=None, tensor_other=True,
            same_dtype=False):
    op = defop(name, promote=promote, save_out=save_out, grad_name=grad_name)(forward)
    op.defbackward(rule)

    def fn(input, other, *, out=None):
        _need_tensor(name, input)
        if tensor_other:
            _need_tensor(name, other, "other", 2)
        return _out(dispatch(op, input, other), out)

    fn.__name__ = name
    fn.op = op
    return fn


def _minmax_fwd(name, f):
    def fwd(xp, a, b):
        if a.dtype.kind == "c":
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        return f(xp)(a, b)
    return fwd


def _maximum_rule(ctx, g):
    a, b = ctx.args
    need = ctx.needs_input_grad
    return ((g * ((a > b) + (a == b) * 0.5)) if need[0] else None,
            (g * ((b > a) + (a == b) * 0.5)) if need[1] else None)


def _minimum_rule(ctx, g):
    a, b = ctx.args
    need = ctx.needs_input_grad
    return ((g * ((a < b) + (a == b) * 0.5)) if need[0] else None,
            (g * ((b < a) + (a == b) * 0.5)) if need[1] else None)


def _fmax_rule(ctx, g):
    a, b = ctx.args
    keep_a = (a >= b) + (b != b)
    return g * keep_a, g * (keep_a == 0)


def _fmin_rule(ctx, g):
    a, b = ctx.args
    keep_a = (a <= b) + (b != b)
    return g * keep_a, g * (keep_a == 0)


maximum = _binary("maximum", _minmax_fwd("maximum", lambda xp: xp.maximum), _maximum_rule)
minimum = _binary("minimum", _minmax_fwd("minimum", lambda xp: xp.minimum), _minimum_rule)
fmax = _binary("fmax", _minmax_fwd("fmax", lambda xp: xp.fmax), _fmax_rule)
fmin = _binary("fmin", _minmax_fwd("fmin", lambda xp: xp.fmin), _fmin_rule)


def _float_only(kernel, f, allow_complex=False):
    def fwd(xp, a, b):
        dt = _dtype_of(a, b)
        if dt.kind in "biu" or (dt.kind == "c" and not allow_complex):
            raise _not_impl(kernel, dt)
        return f(xp)(a, b)
    return fwd


hypot = _binary("hypot", _float_only("hypot_cpu", lambda xp: xp.hypot),
                lambda ctx, g: (g * ctx.args[0] / ctx.out, g * ctx.args[1] / ctx.out), save_out=True)


def _logaddexp_rule(ctx, g):
    a, b = ctx.args
    need = ctx.needs_input_grad
    return ((g / _conj(1 + exp(b - a))) if need[0] else None, (g / _conj(1 + exp(a - b))) if need[1] else None)


def _logaddexp2_rule(ctx, g):
    a, b = ctx.args
    need = ctx.needs_input_grad
    return ((g / (1 + exp2(b - a))) if need[0] else None, (g / (1 + exp2(a - b))) if need[1] else None)


def _logaddexp_fwd(xp):
    def f(a, b):
        if a.dtype.kind != "c":
            return xp.logaddexp(a, b)
        first = a.real >= b.real
        hi, lo = xp.where(first, a, b), xp.where(first, b, a)
        return hi + xp.log1p(xp.exp(lo - hi))
    return f


logaddexp = _binary("logaddexp", _float_only("logaddexp_cpu", _logaddexp_fwd, allow_complex=True), _logaddexp_rule)
logaddexp2 = _binary("logaddexp2", _float_only("logaddexp2_cpu", lambda xp: xp.logaddexp2), _logaddexp2_rule)


def _atan2_rule(ctx, g):
    a, b = ctx.args
    d = a * a + b * b
    need = ctx.needs_input_grad
    return ((g * b / d) if need[0] else None, (g * -a / d) if need[1] else None)


atan2 = _binary("atan2", _float_only("atan2_cpu", lambda xp: xp.arctan2), _atan2_rule, promote="float")
arctan2 = atan2


def _copysign_rule(ctx, g):
    x = ctx.args[0]
    need = ctx.needs_input_grad
    zero = x == 0
    ratio = ctx.out / (x + zero) * (x != 0)
    return g * ratio if need[0] else None, _zeros(g) if need[1] else None


def _copysign_fwd(xp, a, b):
    dt = _dtype_of(a, b)
    if dt.kind == "c":
        raise _not_impl("copysign_cpu", dt)
    return xp.copysign(a, b)


copysign = _binary("copysign", _copysign_fwd, _copysign_rule, promote="float", save_out=True, tensor_other=False)


@defop("xlogy", promote="float")
def _xlogy(xp, a, b):
    dt = _dtype_of(a, b)
    if dt.kind == "c":
        raise _not_impl("xlogy_cpu", dt)
    if getattr(b, "ndim", None) is None:
        b = xp.asarray(b, dtype=dt)
    r = xp.multiply(a, xp.log(b))
    zero = xp.zeros((), r.dtype)
    return xp.where((a == 0) & (b == b), zero, r)


@_xlogy.defbackward
def _(ctx, g):
    a, b = ctx.args
    need = ctx.needs_input_grad
    ga = gb = None
    if need[0]:
        m = (a == 0) * (b <= 0)
        ga = xlogy(g, b * (m == 0) + m) * (m == 0)
    if need[1]:
        gb = g * a / b
    return ga, gb


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is nan)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        _need_tensor("xlogy", input)
    return _out(dispatch(_xlogy, input, other), out)


@defop("heaviside", grad_name="NotImplemented")
def _heaviside(xp, a, v):
    if a.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if a.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    return xp.where(a == 0, v, a > 0).astype(a.dtype, copy=False)


_heaviside.defbackward(_no_derivative("heaviside"))


def heaviside(input, values, *, out=None) -> Tensor:
    """0 where ``input < 0``, ``values`` where ``input == 0``, 1 where ``input > 0``."""
    _need_tensor("heaviside", input)
    _need_tensor("heaviside", values, "values", 2)
    return _out(dispatch(_heaviside, input, values), out)


# --- nan_to_num, positive, real/imag/angle ---------------------------------------------------


@defop("nan_to_num")
def _nan_to_num(xp, a, *, nan=0.0, posinf=None, neginf=None):
    k = a.dtype.kind
    if k in "biu":
        return a.copy()
    if a.dtype == ml_dtypes.bfloat16:
        info = ml_dtypes.finfo(a.dtype)
        hi = info.max if posinf is None else posinf
        lo = info.min if neginf is None else neginf
        x = a.astype(_F32)
        r = xp.where(x != x, nan, xp.where(x == xp.inf, hi, xp.where(x == -xp.inf, lo, x)))
        return r.astype(a.dtype)
    return xp.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)


@_nan_to_num.defbackward
def _(ctx, g):
    x = ctx.args[0]
    return g * ((x - x) == 0)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """Replace nan, +inf and -inf by ``nan``, ``posinf`` (default: the dtype's max) and ``neginf``."""
    _need_tensor("nan_to_num", input)
    return _out(dispatch(_nan_to_num, input, nan=nan, posinf=posinf, neginf=neginf), out)


def positive(input) -> Tensor:
    _need_tensor("positive", input)
    if input._dtype is D.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@defop("real", saves=(), is_view=True, grad_name="SelectBackward0")
def _real(xp, a):
    return a.real


@_real.defbackward
def _(ctx, g):
    return g


@defop("imag", saves=(), is_view=True, grad_name="SelectBackward0")
def _imag(xp, a):
    return a.imag


@_imag.defbackward
def _(ctx, g):
    return g * 1j


def real(input) -> Tensor:
    """The real part (a view) of a complex tensor; a real tensor itself."""
    _need_tensor("real", input)
    if input._dtype.category != D.COMPLEX:
        return input
    return dispatch(_real, input)


def imag(input) -> Tensor:
    """The imaginary part (a view) of a complex tensor."""
    _need_tensor("imag", input)
    if input._dtype.category != D.COMPLEX:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return dispatch(_imag, input)


@defop("angle", promote="float")
def _angle(xp, a):
    if a.dtype.kind == "c":
        return xp.angle(a)
    pi = xp.asarray(math.pi, dtype=a.dtype)
    zero = xp.zeros((), a.dtype)
    return xp.where(a < 0, pi, xp.where(a == a, zero, a))


@_angle.defbackward
def _(ctx, g):
    z = ctx.args[0]
    if z._dtype.category != D.COMPLEX:
        return _zeros(g)
    m2 = real(z * z.conj())
    zero = m2 == 0
    return g * 1j * z / (m2 + zero) * (m2 != 0)


def angle(input, *, out=None) -> Tensor:
    """The argument of each element (0 or pi for real tensors)."""
    _need_tensor("angle", input)
    return _out(dispatch(_angle, input), out)


# --- relu ---------------------------------------------------------------------------------


@defop("relu", promote="same", save_out=True)
def _relu(xp, a):
    if a.dtype == bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    if a.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    return xp.maximum(a, xp.zeros((), dtype=a.dtype))


@_relu.defbackward
def _(ctx, g):
    return g * (ctx.out > 0)


def relu(input) -> Tensor:
    return dispatch(_relu, input)


# --- complex ------------------------------------------------------------------------------


@defop("conj", saves=())
def _conj_op(xp, a):
    return xp.conj(a)


@_conj_op.defbackward
def _(ctx, g):
    return g.conj()


def conj(input: Tensor) -> Tensor:
    """The complex conjugate; real tensors are returned as they are."""
    if input._dtype.category != D.COMPLEX:
        return input
    return dispatch(_conj_op, input)


# --- comparisons --------------------------------------------------------------------------


def _comparison(name, fn):
    op = defop(name, promote="compare")(lambda xp, a, b: fn(xp)(a, b))

    def compare(input, other, *, out=None) -> Tensor:
        return _out(dispatch(op, input, other), out)

    compare.__name__ = name
    return compare


eq = _comparison("eq", lambda xp: xp.equal)
ne = _comparison("ne", lambda xp: xp.not_equal)
lt = _comparison("lt", lambda xp: xp.less)
le = _comparison("le", lambda xp: xp.less_equal)
gt = _comparison("gt", lambda xp: xp.greater)
ge = _comparison("ge", lambda xp: xp.greater_equal)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


# --- Tensor methods and operators ---------------------------------------------------------

methods(
    conj, add, sub, subtract, mul, multiply, div, divide, true_divide, floor_divide, remainder, fmod, pow,
    float_power, neg, negative, abs, absolute, sign, sgn, reciprocal, sqrt, rsqrt, square, exp, exp2, expm1,
    log, log2, log10, log1p, sin, cos, tan, asin, acos, atan, atan2, sinh, cosh, asinh, acosh, atanh,
    logit, erf, erfc, erfinv, lgamma, digamma, mvlgamma, floor, ceil, round, trunc, fix, frac, clamp, clip,
    clamp_min, clamp_max, lerp, addcmul, addcdiv, maximum, minimum, fmax, fmin, hypot, logaddexp,
    logaddexp2, xlogy, nan_to_num, copysign, heaviside, deg2rad, rad2deg, positive, angle, relu,
    eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal, not_equal,
    names={"arcsin": asin, "arccos": acos, "arctan": atan, "arcsinh": asinh, "arccosh": acosh,
           "arctanh": atanh, "arctan2": atan2, "polygamma": _polygamma_method, "absolute": abs, "fix": trunc,
           "clip": clamp, "negative": neg, "subtract": sub, "multiply": mul, "divide": div, "greater": gt,
           "greater_equal": ge, "less": lt, "less_equal": le, "not_equal": ne},
)
if "tanh" not in Tensor.__dict__:
    methods(tanh)

_INPLACE = dict(
    add_=add, sub_=sub, subtract_=sub, mul_=mul, multiply_=mul, div_=div, divide_=div, true_divide_=true_divide,
    floor_divide_=floor_divide, remainder_=remainder, fmod_=fmod, pow_=pow, neg_=neg, negative_=neg,
    abs_=abs, absolute_=abs, sign_=sign, sgn_=sgn, reciprocal_=reciprocal, sqrt_=sqrt, rsqrt_=rsqrt,
    square_=square, exp_=exp, exp2_=exp2, expm1_=expm1, log_=log, log2_=log2, log10_=log10, log1p_=log1p,
    sin_=sin, cos_=cos, tan_=tan, asin_=asin, acos_=acos, atan_=atan, arcsin_=asin, arccos_=acos,
    arctan_=atan, atan2_=atan2, arctan2_=atan2, sinh_=sinh, cosh_=cosh, tanh_=tanh, asinh_=asinh,
    acosh_=acosh, atanh_=atanh, arcsinh_=asinh, arccosh_=acosh, arctanh_=atanh, logit_=logit, erf_=erf,
    erfc_=erfc, erfinv_=erfinv, lgamma_=lgamma, digamma_=digamma, polygamma_=_polygamma_method,
    mvlgamma_=mvlgamma, floor_=floor, ceil_=ceil, round_=round, trunc_=trunc, fix_=trunc, frac_=frac,
    clamp_=clamp, clip_=clamp, clamp_min_=clamp_min, clamp_max_=clamp_max, lerp_=lerp, addcmul_=addcmul,
    addcdiv_=addcdiv, hypot_=hypot, xlogy_=xlogy, nan_to_num_=nan_to_num, copysign_=copysign,
    heaviside_=heaviside, deg2rad_=deg2rad, rad2deg_=rad2deg, relu_=relu,
    eq_=eq, ne_=ne, lt_=lt, le_=le, gt_=gt, ge_=ge, greater_=gt, greater_equal_=ge, less_=lt, less_equal_=le,
    not_equal_=ne,
)
inplace_methods(**{k: v for k, v in _INPLACE.items() if not (k == "tanh_" and k in Tensor.__dict__)})
Tensor.float_power_ = _float_power_

# torch.<name>_ functions (torch.exp_(t), ...)
for _name in ("abs_", "reciprocal_", "sqrt_", "rsqrt_", "square_", "exp_", "exp2_", "expm1_", "log_", "log2_",
              "log10_", "log1p_", "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "arcsin_", "arccos_",
              "arctan_", "sinh_", "cosh_", "asinh_", "acosh_", "atanh_", "arcsinh_", "arccosh_", "arctanh_",
              "logit_", "erf_", "erfc_", "floor_", "ceil_", "round_", "trunc_", "fix_", "frac_", "clamp_",
              "clip_", "clamp_min_", "clamp_max_", "xlogy_", "nan_to_num_", "deg2rad_", "rad2deg_", "neg_",
              "negative_", "relu_"):
    globals()[_name] = _inplace_fn(_name, _INPLACE[_name])
    __all__.append(_name)
del _name


Tensor.real = property(real)
Tensor.imag = property(imag)


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _iop(fn):
    return lambda self, other: Tensor.__dict__[fn](self, other)


def _rpow(self, other):
    return dispatch(_pow_st, other, self)


Tensor.__add__ = lambda self, other: dispatch(_add, self, other)
Tensor.__radd__ = lambda self, other: dispatch(_add, other, self)
Tensor.__iadd__ = _iop("add_")
Tensor.__sub__ = lambda self, other: sub(self, other)
Tensor.__rsub__ = _reflected(sub)
Tensor.__isub__ = _iop("sub_")
Tensor.__mul__ = lambda self, other: dispatch(_mul, self, other)
Tensor.__rmul__ = lambda self, other: dispatch(_mul, other, self)
Tensor.__imul__ = _iop("mul_")
Tensor.__truediv__ = lambda self, other: dispatch(_div, self, other)
Tensor.__rtruediv__ = lambda self, other: dispatch(_div, other, self)
Tensor.__itruediv__ = _iop("div_")
Tensor.__floordiv__ = lambda self, other: dispatch(_floor_divide, self, other)
Tensor.__rfloordiv__ = lambda self, other: dispatch(_floor_divide, other, self)
Tensor.__ifloordiv__ = _iop("floor_divide_")
Tensor.__mod__ = lambda self, other: dispatch(_remainder, self, other)
Tensor.__rmod__ = lambda self, other: dispatch(_remainder, other, self)
Tensor.__imod__ = _iop("remainder_")
Tensor.__pow__ = lambda self, other: pow(self, other)
Tensor.__rpow__ = _rpow
Tensor.__ipow__ = _iop("pow_")
Tensor.__abs__ = lambda self: abs(self)
Tensor.__neg__ = lambda self: dispatch(_neg, self)
Tensor.__pos__ = positive
Tensor.__eq__ = lambda self, other: eq(self, other) if _comparable(other) else NotImplemented
Tensor.__ne__ = lambda self, other: ne(self, other) if _comparable(other) else NotImplemented
Tensor.__lt__ = lt
Tensor.__le__ = le
Tensor.__gt__ = gt
Tensor.__ge__ = ge
Tensor.__hash__ = lambda self: id(self)


def _comparable(other) -> bool:
    return isinstance(other, (Tensor, int, float, complex, bool))


# --------------------------------------------------------------------------------------
# Pure-array fallbacks for the special functions (used when scipy is not importable).
#
# All take and return float64 arrays of namespace ``xp`` (NumPy or CuPy) and are fully
# vectorised (a fixed number of whole-array passes, no per-element Python). Accuracy,
# checked against scipy.special in tests/test_special_fallback.py:
#   erf            relative error < 1e-14
#   erfc           relative error < 5e-12 for x < 26 (larger only in erfc's subnormal range)
#   erfinv         relative error < 1e-12 on (-1, 1); +-inf at +-1, nan outside
#   lgamma         absolute error < 2e-12 where |lgamma| < 1, relative < 2e-12 elsewhere; inf at poles
#   digamma        absolute error < 1e-12 (relative < 1e-10 next to its root x = 1.4616...)
#   polygamma n>=1 relative error < 1e-12 (x <= 0 through the recurrence: slower, less accurate)
# --------------------------------------------------------------------------------------

_ERF_SWITCH = 2.5


def _fb_erf_series(xp, x):
    """erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)); all terms positive."""
    x2 = 2.0 * x * x
    term = x
    total = x
    for n in range(1, 70):
        term = term * x2 / (2 * n + 1)
        total = total + term
    return _TWO_OVER_SQRT_PI * xp.exp(-x * x) * total


def _fb_erfc_cf(xp, x):
    """erfc(x) for x >= 2.5 from its continued fraction, evaluated bottom-up."""
    t = x
    for k in range(90, 0, -1):
        t = x + (k / 2.0) / t
    return xp.exp(-x * x) / (_SQRT_PI * t)


def _fb_erf(xp, x):
    ax = xp.abs(x)
    small = ax < _ERF_SWITCH
    s = _fb_erf_series(xp, xp.where(small, x, 0.0))
    c = 1.0 - _fb_erfc_cf(xp, xp.where(small, _ERF_SWITCH, ax))
    r = xp.where(small, s, xp.copysign(c, x))
    return xp.where(x != x, x, r)


def _fb_erfc(xp, x):
    big = x >= _ERF_SWITCH
    s = 1.0 - _fb_erf_series(xp, xp.where(xp.abs(x) < _ERF_SWITCH, x, 0.0))
    c = _fb_erfc_cf(xp, xp.where(big, x, _ERF_SWITCH))
    r = xp.where(big, c, xp.where(x <= -_ERF_SWITCH, 2.0 - _fb_erfc_cf(xp, xp.where(big, _ERF_SWITCH, -x)), s))
    return xp.where(x != x, x, r)


def _fb_erfinv(xp, y):
    a = xp.abs(y)
    ok = a < 1
    a = xp.where(ok, a, 0.5)
    # Winitzki's closed form (relative error ~2e-3) refined by Halley steps on erf / erfc
    w = xp.log((1.0 - a) * (1.0 + a))
    k = 0.147
    t = 2.0 / (math.pi * k) + w / 2.0
    x = xp.sqrt(xp.sqrt(t * t - w / k) - t)
    upper = a > 0.5
    for _ in range(4):
        f = xp.where(upper, (1.0 - a) - _fb_erfc(xp, x), _fb_erf(xp, x) - a)
        r = f / (_TWO_OVER_SQRT_PI * xp.exp(-x * x))
        x = x - r / (1.0 + x * r)
    x = xp.copysign(x, y)
    x = xp.where(a == 0, y, x)
    ay = xp.abs(y)
    return xp.where(ok, x, xp.where(ay == 1, xp.copysign(xp.inf, y), xp.nan))


_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _fb_lgamma_pos(xp, x):
    """lgamma for x >= 0.5 (Lanczos, g = 7)."""
    z = x - 1.0
    s = _LANCZOS[0]
    for i in range(1, 9):
        s = s + _LANCZOS[i] / (z + i)
    t = z + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (z + 0.5) * xp.log(t) - t + xp.log(s)


def _fb_sinpi(xp, x):
    r = x - 2.0 * xp.floor(x / 2.0)  # exact reduction to [0, 2)
    return xp.sin(math.pi * r)


def _fb_lgamma(xp, x):
    refl = x < 0.5
    xr = xp.where(refl, 1.0 - x, x)
    xr = xp.where(xr == xp.inf, 2.0, xr)
    lg = _fb_lgamma_pos(xp, xr)
    lg_refl = math.log(math.pi) - xp.log(xp.abs(_fb_sinpi(xp, x))) - lg
    r = xp.where(refl, lg_refl, lg)
    pole = refl & (x == xp.floor(x))
    r = xp.where(pole | (xp.abs(x) == xp.inf), xp.inf, r)
    return xp.where(x != x, x, r)


def _fb_digamma_pos(xp, x):
    """digamma for x >= 0.5: recurrence up to x >= 10, then the asymptotic series."""
    acc = xp.zeros_like(x)
    for _ in range(10):
        m = x < 10.0
        acc = acc - xp.where(m, 1.0 / x, 0.0)
        x = xp.where(m, x + 1.0, x)
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (
        691 / 32760))))))
    return xp.log(x) - 0.5 * inv - series + acc


def _fb_digamma(xp, x):
    refl = x < 0.5
    xr = xp.where(refl, 1.0 - x, x)
    xr = xp.where(xr == xp.inf, 1.0, xr)
    psi = _fb_digamma_pos(xp, xr)
    frac_part = x - xp.round(x)  # tan(pi x) has period 1
    psi_refl = psi - math.pi / xp.tan(math.pi * frac_part)
    r = xp.where(refl, psi_refl, psi)
    r = xp.where(refl & (x == xp.floor(x)), xp.nan, r)
    r = xp.where(x == 0, xp.where(xp.signbit(x), xp.inf, -xp.inf), r)
    r = xp.where(x == xp.inf, xp.inf, r)
    return xp.where(x != x, x, r)


_BERNOULLI_2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _fb_polygamma(xp, n: int, x):
    """polygamma(n, x) = (-1)^(n+1) n! zeta(n+1, x), the Hurwitz zeta by Euler-Maclaurin summation."""
    s = n + 1
    shift = 12 + n
    lo = float(xp.min(x)) if x.size else 0.0
    if lo < 0 and math.isfinite(lo):
        shift += int(math.ceil(-lo))
    total = xp.zeros_like(x)
    for k in range(shift):
        total = total + (x + k) ** (-s)
    a = x + shift
    total = total + a ** (1 - s) / (s - 1) + 0.5 * a ** (-s)
    rising = float(s)  # s (s+1) ... (s+2j-2)
    fact = 2.0  # (2j)!
    for j, b in enumerate(_BERNOULLI_2K, start=1):
        total = total + b / fact * rising * a ** (-s - 2 * j + 1)
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        fact *= (2 * j + 1) * (2 * j + 2)
    r = (-1.0) ** (n + 1) * math.factorial(n) * total
    pole = (x <= 0) & (x == xp.floor(x))
    return xp.where(pole, xp.inf if n % 2 else xp.nan, r)
