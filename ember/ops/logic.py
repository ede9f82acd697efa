"""Logic and tests: isclose, allclose, equal, isnan/isinf/isfinite, logical_*, bitwise_*, shifts, where.

Also Tensor's bitwise operators ``& | ^ ~ << >>`` with their reflected and in-place forms.
(The comparisons eq/ne/lt/... live in pointwise.py.)
"""

from __future__ import annotations

from ember import _dtype as D
from ember._dispatch import dispatch, result_dtype
from ember._tensor import Tensor
from ember.ops._util import inplace_methods, methods, write_out
from ember.ops.registry import defop

__all__ = [
    "isclose",
    "allclose",
    "equal",
    "isnan",
    "isinf",
    "isfinite",
    "isposinf",
    "isneginf",
    "isreal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "where",
]

_BY_NP = D._BY_NP


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


def _need_tensor(x, fname: str, argname: str, pos: int):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _torch_name(arr) -> str:
    return _BY_NP[arr.dtype]._torch_name


# --- closeness ------------------------------------------------------------------------------


@defop("isclose")
def _isclose(xp, a, b, *, rtol=1e-05, atol=1e-08, equal_nan=False):
    close = a == b
    kind = a.dtype.kind
    if kind == "b":
        a = a.astype("int8")
        b = b.astype("int8")
    elif kind in "fcV" and equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    if rtol == 0 and atol == 0:
        return close
    diff = xp.abs(a - b)
    allowed = xp.abs(b) * rtol
    allowed += atol
    ok = diff <= allowed
    if kind in "fcV":
        ok &= xp.isfinite(diff)
    close |= ok
    return close


def _check_close_args(input, other, rtol, atol, fname):
    _need_tensor(input, fname, "input", 1)
    _need_tensor(other, fname, "other", 2)
    if input._dtype is not other._dtype:
        raise RuntimeError(f"{input._dtype._torch_name} did not match {other._dtype._torch_name}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol:g}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol:g}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (bool), broadcast."""
    _check_close_args(input, other, rtol, atol, "isclose")
    return dispatch(_isclose, input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element of ``input`` is close to ``other`` (a Python bool)."""
    _check_close_args(input, other, rtol, atol, "allclose")
    return bool(dispatch(_isclose, input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)._data.all())


def equal(input, other) -> bool:
    """True when both tensors have the same shape and elements (a Python bool; NaN is never equal)."""
    _need_tensor(input, "equal", "input", 1)
    _need_tensor(other, "equal", "other", 2)
    if input._device != other._device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{input._device} and {other._device}!")
    a, b = input._data, other._data
    if a.shape != b.shape:
        return False
    return bool((a == b).all())


# --- classification -------------------------------------------------------------------------


def _classifier(name, fn, complex_ok=True):
    def forward(xp, a):
        if not complex_ok and a.dtype.kind == "c":
            raise RuntimeError(f"{name} does not support complex inputs.")
        return fn(xp, a)

    op = defop(name)(forward)

    if complex_ok:  # isnan, isinf, isfinite, isreal: no out=
        def classify(input) -> Tensor:
            _need_tensor(input, name, "input", 1)
            return dispatch(op, input)
    else:
        def classify(input, *, out=None) -> Tensor:
            _need_tensor(input, name, "input", 1)
            return _out(dispatch(op, input), out)

    classify.__name__ = name
    return classify


def _isreal_fn(xp, a):
    if a.dtype.kind == "c":
        return a.imag == 0
    return xp.ones(a.shape, dtype=bool)


isnan = _classifier("isnan", lambda xp, a: xp.isnan(a))
isinf = _classifier("isinf", lambda xp, a: xp.isinf(a))
isfinite = _classifier("isfinite", lambda xp, a: xp.isfinite(a))
isposinf = _classifier("isposinf", lambda xp, a: xp.isinf(a) & (a > 0), complex_ok=False)
isneginf = _classifier("isneginf", lambda xp, a: xp.isinf(a) & (a < 0), complex_ok=False)
isreal = _classifier("isreal", _isreal_fn)


# --- logical ----------------------------------------------------------------------------------


def _logical(name, fn):
    op = defop(name)(lambda xp, a, b: fn(xp)(a, b))

    def logical(input, other, *, out=None) -> Tensor:
        _need_tensor(input, name, "input", 1)
        _need_tensor(other, name, "other", 2)
        return _out(dispatch(op, input, other), out)

    logical.__name__ = name
    return logical


logical_and = _logical("logical_and", lambda xp: xp.logical_and)
logical_or = _logical("logical_or", lambda xp: xp.logical_or)
logical_xor = _logical("logical_xor", lambda xp: xp.logical_xor)


@defop("logical_not")
def _logical_not(xp, a):
    return xp.logical_not(a)


def logical_not(input, *, out=None) -> Tensor:
    _need_tensor(input, "logical_not", "input", 1)
    return _out(dispatch(_logical_not, input), out)


# --- bitwise ----------------------------------------------------------------------------------


def _integral_kind(kernel, a, b=None):
    """The dtype kind of the (promoted) operands; PyTorch's NotImplementedError for floating ones."""
    arr = a if hasattr(a, "dtype") and getattr(a, "ndim", None) is not None else b
    dt = arr.dtype
    if dt.kind not in "biu":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_name(arr)}\'')
    return dt


def _bitwise(name, fn):
    kernel = f"{name}_cpu"

    def forward(xp, a, b):
        _integral_kind(kernel, a, b)
        return fn(xp)(a, b)

    op = defop(name, promote="same")(forward)

    def bitwise(input, other, *, out=None) -> Tensor:
        return _out(dispatch(op, input, other), out)

    bitwise.__name__ = name
    bitwise.op = op
    return bitwise


bitwise_and = _bitwise("bitwise_and", lambda xp: xp.bitwise_and)
bitwise_or = _bitwise("bitwise_or", lambda xp: xp.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", lambda xp: xp.bitwise_xor)


@defop("bitwise_not")
def _bitwise_not(xp, a):
    _integral_kind("bitwise_not_cpu", a)
    return xp.invert(a)


def bitwise_not(input, *, out=None) -> Tensor:
    _need_tensor(input, "bitwise_not", "input", 1)
    return _out(dispatch(_bitwise_not, input), out)


def _shift_parts(xp, kernel, a, b):
    dt = _integral_kind(kernel, a, b)
    if dt.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    bits = dt.itemsize * 8
    if not hasattr(b, "ndim") or b.ndim == 0:  # a scalar shift: decide once
        s = int(b)
        return dt, bits, (s < 0 or s >= bits), s
    bad = (b < 0) | (b >= bits) if dt.kind == "i" else b >= bits
    return dt, bits, bad, b


@defop("bitwise_left_shift", promote="same")
def _lshift(xp, a, b):
    dt, bits, bad, s = _shift_parts(xp, "lshift_cpu", a, b)
    if bad is True:
        return xp.zeros_like(xp.asarray(a), dtype=dt)
    if bad is False:
        return xp.left_shift(a, s)
    r = xp.left_shift(a, xp.where(bad, 0, b))
    return xp.where(bad, xp.zeros((), dtype=dt), r)


@defop("bitwise_right_shift", promote="same")
def _rshift(xp, a, b):
    dt, bits, bad, s = _shift_parts(xp, "rshift_cpu", a, b)
    if bad is False:
        return xp.right_shift(a, s)
    if dt.kind == "u":
        if bad is True:
            return xp.zeros_like(xp.asarray(a), dtype=dt)
        r = xp.right_shift(a, xp.where(bad, 0, b))
        return xp.where(bad, xp.zeros((), dtype=dt), r)
    # signed: out-of-range shifts fill with the sign bit
    fill = xp.asarray(bits - 1, dtype=dt)
    return xp.right_shift(a, fill if bad is True else xp.where(bad, fill, b))


def bitwise_left_shift(input, other, *, out=None) -> Tensor:
    return _out(dispatch(_lshift, input, other), out)


def bitwise_right_shift(input, other, *, out=None) -> Tensor:
    return _out(dispatch(_rshift, input, other), out)


bitwise_left_shift.op = _lshift
bitwise_right_shift.op = _rshift


# --- where --------------------------------------------------------------------------------------


@defop("where", saves=(0,))
def _where(xp, c, a, b, *, dtype):
    npdt = dtype.np
    if c.dtype != bool:
        c = c.astype(bool)
    if not hasattr(a, "dtype") or a.dtype != npdt:
        a = xp.asarray(a).astype(npdt)
    if not hasattr(b, "dtype") or b.dtype != npdt:
        b = xp.asarray(b).astype(npdt)
    return xp.where(c, a, b)


@_where.defbackward
def _(ctx, g):
    c = ctx.args[0]
    need_a, need_b = ctx.needs_input_grad[1:]
    dt = g._dtype
    ga = dispatch(_where, c, g, 0, dtype=dt) if need_a else None
    gb = dispatch(_where, c, 0, g, dtype=dt) if need_b else None
    return None, ga, gb


def _nonzero_tuple(cond: Tensor):
    import ember
    nz = getattr(ember, "nonzero", None)
    if nz is not None:
        if cond.ndim == 0:
            cond = cond.reshape(1)
        return nz(cond, as_tuple=True)
    arr = cond._data
    if arr.ndim == 0:
        arr = arr.reshape(1)
    from ember._tensor import _make
    return tuple(_make(ix.astype("int64"), D.int64, cond._device) for ix in arr.nonzero())


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` else ``other`` (broadcast; the two branches promote together).

    ``where(condition)`` is ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        _need_tensor(condition, "where", "condition", 1)
        return _nonzero_tuple(condition)
    if input is None or other is None:
        raise TypeError("where() missing required argument 'input' or 'other'")
    if not isinstance(condition, Tensor):
        _need_tensor(condition, "where", "condition", 1)
    cdt = condition._dtype
    if cdt is not D.bool_ and cdt is not D.uint8:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{cdt._torch_name}")
    if out is not None:
        _need_tensor(input, "where", "input", 2)
        _need_tensor(other, "where", "other", 3)
    dt = result_dtype((input, other))
    return _out(dispatch(_where, condition, input, other, dtype=dt), out)


def _tensor_where(self, condition, other):
    return where(condition, self, other)


# --- Tensor methods and operators ---------------------------------------------------------------

methods(
    isclose,
    allclose,
    equal,
    isnan,
    isinf,
    isfinite,
    isposinf,
    isneginf,
    isreal,
    logical_and,
    logical_or,
    logical_xor,
    logical_not,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    bitwise_not,
    bitwise_left_shift,
    bitwise_right_shift,
    names={"where": _tensor_where},
)
inplace_methods(
    logical_and_=logical_and,
    logical_or_=logical_or,
    logical_xor_=logical_xor,
    logical_not_=logical_not,
    bitwise_and_=bitwise_and,
    bitwise_or_=bitwise_or,
    bitwise_xor_=bitwise_xor,
    bitwise_not_=bitwise_not,
    bitwise_left_shift_=bitwise_left_shift,
    bitwise_right_shift_=bitwise_right_shift,
)


def _invert(self):
    if self._dtype.category >= D.FLOAT:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return dispatch(_bitwise_not, self)


def _binary_operator(op):
    def forward(self, other):
        return dispatch(op, self, other) if _operand(other) else NotImplemented

    def reflected(self, other):
        return dispatch(op, other, self) if _operand(other) else NotImplemented

    return forward, reflected


def _operand(other) -> bool:
    return isinstance(other, (Tensor, int, float, bool, complex))


def _iop(name):
    def method(self, other):
        return getattr(self, name)(other)

    return method


for _name, _fn in (("and", bitwise_and), ("or", bitwise_or), ("xor", bitwise_xor),
                  ("lshift", bitwise_left_shift), ("rshift", bitwise_right_shift)):
    _f, _r = _binary_operator(_fn.op)
    setattr(Tensor, f"__{_name}__", _f)
    setattr(Tensor, f"__r{_name}__", _r)
    setattr(Tensor, f"__i{_name}__", _iop(_fn.__name__ + "_"))
del _name, _fn, _f, _r
Tensor.__invert__ = _invert
