"""Pointwise ops: arithmetic, math functions, comparisons, logic; and Tensor's operators.

Each op: a forward on arrays (``xp`` is the device's array namespace) and its backward
rule written with ember ops. Broadcasting of gradients back to input shapes and casts to
input dtypes happen in the engine, so rules are written for the broadcast shape.
"""

from __future__ import annotations

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops._util import inplace_methods, methods, write_out
from ember.ops.registry import defop

__all__ = [
    "conj",
    "add",
    "sub",
    "subtract",
    "rsub",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "neg",
    "negative",
    "exp",
    "log",
    "relu",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "not_equal",
]


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


# --- arithmetic -------------------------------------------------------------------------


@defop("add", promote="same")
def _add(xp, a, b, *, alpha=1):
    return xp.add(a, b if alpha == 1 else b * alpha)


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


@defop("sub", promote="same")
def _sub(xp, a, b, *, alpha=1):
    return xp.subtract(a, b if alpha == 1 else b * alpha)


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


@defop("mul", promote="same")
def _mul(xp, a, b):
    return xp.multiply(a, b)


@_mul.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return (g * _conj(b) if need_a else None), (g * _conj(a) if need_b else None)


def _conj(x):
    if isinstance(x, Tensor) and x._dtype.category == D.COMPLEX:
        return x.conj()
    if isinstance(x, complex):
        return x.conjugate()
    return x


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
    gb = -g * _conj(a) / _conj(b * b) if need_b else None
    return ga, gb


@defop("div_rounding", promote="same", grad_name="DivBackward1")
def _div_rounding(xp, a, b, *, rounding_mode):
    if a.dtype.kind in "iub":
        if xp.any(xp.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        if rounding_mode == "floor":
            return xp.floor_divide(a, b)
        q = xp.floor_divide(a, b)
        fix = (q < 0) & (q * b != a)
        return q + fix.astype(q.dtype)
    q = xp.true_divide(a, b)
    return xp.floor(q) if rounding_mode == "floor" else xp.trunc(q)


@_div_rounding.defbackward
def _(ctx, g):
    return g * 0, g * 0


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
true_divide = div


@defop("neg", promote="same")
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


# --- math functions -----------------------------------------------------------------------


@defop("exp", promote="float", save_out=True)
def _exp(xp, a):
    return xp.exp(a)


@_exp.defbackward
def _(ctx, g):
    return g * _conj(ctx.out)


def exp(input, *, out=None) -> Tensor:
    return _out(dispatch(_exp, input), out)


@defop("log", promote="float")
def _log(xp, a):
    return xp.log(a)


@_log.defbackward
def _(ctx, g):
    return g / _conj(ctx.args[0])


def log(input, *, out=None) -> Tensor:
    return _out(dispatch(_log, input), out)


@defop("relu", promote="same", save_out=True)
def _relu(xp, a):
    if a.dtype == bool:
        raise RuntimeError("\"clamp_min_scalar_cpu\" not implemented for 'Bool'")
    return xp.maximum(a, xp.zeros((), dtype=a.dtype))


@_relu.defbackward
def _(ctx, g):
    return g * (ctx.out > 0)


def relu(input) -> Tensor:
    return dispatch(_relu, input)


# --- complex ------------------------------------------------------------------------------


@defop("conj")
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
    conj,
    add,
    sub,
    subtract,
    mul,
    multiply,
    div,
    divide,
    true_divide,
    neg,
    negative,
    exp,
    log,
    relu,
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    greater,
    greater_equal,
    less,
    less_equal,
    not_equal,
)
inplace_methods(
    add_=add,
    sub_=sub,
    subtract_=sub,
    mul_=mul,
    multiply_=mul,
    div_=div,
    divide_=div,
    true_divide_=div,
    neg_=neg,
    negative_=neg,
    exp_=exp,
    log_=log,
    relu_=relu,
    eq_=eq,
    ne_=ne,
    lt_=lt,
    le_=le,
    gt_=gt,
    ge_=ge,
)


def _reflected(fn):
    return lambda self, other: fn(other, self)


def _iop(fn):
    return lambda self, other: Tensor.__dict__[fn](self, other)


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
Tensor.__neg__ = lambda self: dispatch(_neg, self)
Tensor.__pos__ = lambda self: self
Tensor.__eq__ = lambda self, other: eq(self, other) if _comparable(other) else NotImplemented
Tensor.__ne__ = lambda self, other: ne(self, other) if _comparable(other) else NotImplemented
Tensor.__lt__ = lt
Tensor.__le__ = le
Tensor.__gt__ = gt
Tensor.__ge__ = ge
Tensor.__hash__ = lambda self: id(self)


def _comparable(other) -> bool:
    return isinstance(other, (Tensor, int, float, complex, bool))
