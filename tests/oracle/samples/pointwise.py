"""Samples for ember/ops/pointwise.py."""

import numpy as np

from tests.oracle.harness import DT, NG, Lib, Sl, T, case, positive, rand

CASES = []

FLOATS = ("float32", "float64")
ALL_NUMERIC = ("uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
LOWP = ("float16", "bfloat16")

# binary arithmetic: broadcasting, scalars, 0-dim, empty, non-contiguous, dtypes, alpha
for op in ("add", "sub", "mul", "div"):
    CASES += [
        case(op, rand(3, 4), rand(3, 4)),
        case(op, rand(3, 4), rand(4)),
        case(op, rand(2, 1, 4), rand(3, 1)),
        case(op, rand(3, 4), 2.5),
        case(op, rand(3, 4), 2),
        case(op, rand(3, 4), rand()),
        case(op, rand(), rand()),
        case(op, rand(0, 3), rand(3)),
        case(op, T(rand(3, 4)), Sl(rand(3, 4))),
        case(op, rand(3, 4, dtype="float64"), rand(4, dtype="float32")),
        case(op, rand(3, dtype="int32", low=1, high=5), rand(3, dtype="int64", low=1, high=5)),
        case(op, rand(3, dtype="int32", low=1, high=5), 2.5),
        case(op, rand(3, dtype="float16"), rand(dtype="float64")),
        case(op, rand(3, dtype="int8", low=1, high=5), rand(dtype="float64")),
        case(op, rand(3, 4), rand(5), raises=True),
    ]
    for dt in ALL_NUMERIC:
        CASES.append(case(op, rand(4, dtype=dt, low=1, high=5), rand(4, dtype=dt, low=1, high=5)))
for op in ("add", "sub"):
    CASES += [case(op, rand(3), rand(3), alpha=2.5),
              case(op, rand(3, dtype="int64", high=9), rand(3, dtype="int64", high=9), alpha=2),
              case(op, rand(3, dtype="int64", high=9), rand(3, dtype="int64", high=9), alpha=2.5, raises=True)]
CASES += [
    case("add", rand(3, dtype="uint8", low=0, high=200), 300),
    case("add", rand(3, dtype="bool"), rand(3, dtype="bool")),
    case("add", rand(3, dtype="bool"), 1),
    case("mul", rand(3, dtype="bool"), rand(3, dtype="bool")),
    case("sub", rand(3, dtype="bool"), rand(3, dtype="bool"), raises=True),
    case("sub", rand(3, dtype="uint8", low=0, high=3), 2),
    case("div", rand(3, dtype="int64", low=-9, high=9), rand(3, dtype="int64", low=1, high=4), rounding_mode="floor"),
    case("div", rand(3, dtype="int64", low=-9, high=9), rand(3, dtype="int64", low=1, high=4), rounding_mode="trunc"),
    case("div", rand(3, dtype="int64", low=-9, high=9), -2, rounding_mode="trunc"),
    case("div", rand(5), rand(5), rounding_mode="floor"),
    case("div", rand(5), rand(5), rounding_mode="trunc"),
    case("div", rand(5), rand(5), rounding_mode="round", raises=True),
    case("div", rand(3, dtype="int64"), np.zeros(3, dtype="int64"), rounding_mode="floor", raises=True),
    case("div", rand(3, dtype="bool"), rand(3, dtype="bool"), rounding_mode="trunc", raises=True),
    case("true_divide", rand(3, dtype="int32"), rand(3, dtype="int32", low=1, high=4)),
    case("true_divide", rand(3, 4), 2.0),
    case("neg", rand(3, 4)),
    case("neg", T(rand(3, 4))),
    case("neg", rand(3, dtype="int32")),
    case("neg", rand(3, dtype="bool"), raises=True),
    case("relu", rand(3, 4)),
    case("relu", rand(3, dtype="int32")),
    case("relu", rand(3, dtype="bool"), raises=True),
]
for op in ("eq", "ne", "lt", "le", "gt", "ge"):
    CASES += [
        case(op, rand(3, 4, low=-2, high=2, dtype="int64"), rand(4, low=-2, high=2, dtype="int64")),
        case(op, rand(3, 4), 0.5),
        case(op, rand(3, dtype="int32"), rand(3, dtype="float32")),
    ]

# --- floor_divide, remainder, fmod ------------------------------------------------------------
for op in ("floor_divide", "remainder", "fmod"):
    grad = op != "floor_divide"
    CASES += [
        case(op, rand(3, 4, low=-5, high=5), positive(3, 4) * np.where(rand(3, 4) > 0, 1, -1).astype("float32"),
             grad=grad),
        case(op, rand(3, 4, low=-5, high=5), positive(4), grad=grad),
        case(op, rand(3, 4, low=-5, high=5), 1.5, grad=grad),
        case(op, rand(3, 4, low=-5, high=5), -1.5, grad=grad),
        case(op, rand(low=-5, high=5), positive(), grad=grad),
        case(op, rand(0, 3), positive(3), grad=grad),
        case(op, T(rand(3, 4, low=-5, high=5)), Sl(positive(3, 4)), grad=grad),
        case(op, rand(3, dtype="float64", low=-5, high=5), positive(3, dtype="float64"), grad=grad),
        case(op, rand(6, dtype="int64", low=-9, high=9), rand(6, dtype="int64", low=1, high=4)),
        case(op, rand(6, dtype="int64", low=-9, high=9), rand(6, dtype="int64", low=-4, high=-1)),
        case(op, rand(6, dtype="int32", low=-9, high=9), 3),
        case(op, rand(6, dtype="int32", low=-9, high=9), -3),
        case(op, rand(6, dtype="uint8", low=0, high=200), rand(6, dtype="uint8", low=1, high=9)),
        case(op, rand(6, dtype="int16", low=-9, high=9), 2.5, grad=grad),
        case(op, rand(4, dtype="float16", low=-5, high=5), positive(4, dtype="float16"), grad=grad),
        case(op, rand(4, dtype="bfloat16", low=-5, high=5), positive(4, dtype="bfloat16"), grad=grad),
        case(op, rand(4, dtype="int64"), np.array([1, 0, 2, 3]), raises=True),
        case(op, rand(4, dtype="int64"), 0, raises=True),
        case(op, rand(4, dtype="bool"), rand(4, dtype="bool"), raises=True),
        case(op, rand(4, dtype="complex64"), rand(4, dtype="complex64"), raises=True),
        case(op, rand(3, 4), rand(5), raises=True),
        case(op, rand(3, 4, low=-5, high=5), positive(3, 4), method=True, grad=grad),
        case(op + "_", NG(rand(3, 4, low=-5, high=5)), NG(positive(4)),
             fn=lambda lib, a, b, op=op: getattr(a, op + "_")(b)),
        case(op + "_", rand(3, 4, low=-5, high=5), positive(4), grad=grad,
             fn=lambda lib, a, b, op=op: getattr(a * 1, op + "_")(b)),
        case(op, rand(3, low=-5, high=5), positive(3),
             fn=lambda lib, a, b, op=op: getattr(lib, op)(a.detach(), b.detach(), out=lib.empty(3))),
    ]
CASES += [
    case("remainder", 7.5, positive(4, low=1, high=3), grad=False),
    case("remainder", 7, rand(4, dtype="int32", low=1, high=5)),
    case("floor_divide", 7, rand(4, dtype="int32", low=1, high=5)),
    case("fmod", 2, rand(4, dtype="int32", low=1, high=5), raises=True),
    case("floor_divide_backward", rand(3), positive(3), raises=True,
         fn=lambda lib, a, b: lib.autograd.grad(lib.floor_divide(a, b).sum(), a)),
    case("__floordiv__", rand(3, 4, low=-5, high=5), positive(4), fn=lambda lib, a, b: a // b, grad=False),
    case("__floordiv__", rand(3, dtype="int32", low=-9, high=9), fn=lambda lib, a: a // 2),
    case("__floordiv__", rand(3, dtype="int32", low=-9, high=9), fn=lambda lib, a: a // 2.5),
    case("__rfloordiv__", rand(3, dtype="int32", low=1, high=9), fn=lambda lib, a: 7 // a),
    case("__ifloordiv__", rand(3, dtype="int32", low=-9, high=9), fn=lambda lib, a: a.__ifloordiv__(2)),
    case("__mod__", rand(3, 4, low=-5, high=5), positive(4), fn=lambda lib, a, b: a % b),
    case("__mod__", rand(3, dtype="int64", low=-9, high=9), fn=lambda lib, a: a % 4),
    case("__rmod__", rand(3, dtype="int64", low=1, high=9), fn=lambda lib, a: 17 % a),
    case("__rmod__", positive(3), fn=lambda lib, a: 7.5 % a, grad=False),
    case("__imod__", rand(3, dtype="int64", low=-9, high=9), fn=lambda lib, a: a.__imod__(4)),
    case("__imod__", NG(rand(3)), fn=lambda lib, a: a.__imod__(0.7)),
]

# --- pow --------------------------------------------------------------------------------------
CASES += [
    case("pow", positive(3, 4), 2),
    case("pow", rand(3, 4), 3),
    case("pow", positive(3, 4), 2.5),
    case("pow", positive(3, 4), -1.5),
    case("pow", positive(3, 4), 0.5),
    case("pow", rand(3, 4), 0),
    case("pow", rand(3, 4), -2),
    case("pow", positive(), 1.7),
    case("pow", positive(0, 3), 2.0),
    case("pow", T(positive(3, 4)), 1.3),
    case("pow", Sl(positive(3, 4)), 2),
    case("pow", positive(3, dtype="float64"), 2.2),
    case("pow", positive(3, dtype="float16"), 2.2),
    case("pow", positive(3, dtype="bfloat16"), 2),
    case("pow", rand(3, dtype="int32", low=-5, high=5), 2),
    case("pow", rand(3, dtype="int64", low=-5, high=5), 3),
    case("pow", rand(3, dtype="uint8", low=0, high=9), 2),
    case("pow", rand(3, dtype="int32", low=0, high=5), 2.5),
    case("pow", rand(3, dtype="int32", low=1, high=5), -1.0),
    case("pow", rand(3, dtype="int32", low=1, high=5), -1, raises=True),
    case("pow", rand(3, dtype="uint8", low=1, high=5), -2, raises=True),
    case("pow", rand(3, dtype="bool"), 2),
    case("pow", rand(3, dtype="bool"), 0.5),
    case("pow", rand(3, dtype="bool"), rand(3, dtype="bool"), raises=True),
    case("pow", positive(3, 4), rand(3, 4)),
    case("pow", positive(3, 4), rand(4)),
    case("pow", positive(3, 1), rand(1, 4)),
    case("pow", positive(3), rand()),
    case("pow", positive(3), np.array(2.0, dtype="float32")),
    case("pow", np.array([0.0, 0.0, 2.0, 1.5], dtype="float32"), np.array([0.0, 2.0, -1.0, 0.0], dtype="float32")),
    case("pow", T(positive(3, 4)), Sl(rand(3, 4))),
    case("pow", positive(3, dtype="float64"), rand(3, dtype="float32")),
    case("pow", positive(3, dtype="float16"), rand(3, dtype="float16")),
    case("pow", rand(5, dtype="int64", low=-3, high=4), rand(5, dtype="int64", low=0, high=4)),
    case("pow", np.array([-1, 2, 0, -2, 1, -1]), np.array([-1, -1, -1, -3, -2, -2])),
    case("pow", rand(4, dtype="int32", low=-3, high=4), np.array(-1)),
    case("pow", rand(3, dtype="int32", low=1, high=4), rand(3, dtype="float32")),
    case("pow", 2.0, rand(3, 4)),
    case("pow", 0.5, rand(3, 4)),
    case("pow", 2, rand(3, dtype="int32", low=0, high=5)),
    case("pow", 2, rand(3, dtype="float64")),
    case("pow", 3, np.array([-2, -1, 0, 2])),
    case("pow", rand(3, dtype="complex64"), 2),
    case("pow", rand(3, dtype="complex128"), rand(3, dtype="complex128")),
    case("pow", rand(3, 4), rand(5), raises=True),
    case("pow", positive(3, 4), 1.5, method=True),
    case("pow", positive(3, 4), rand(3, 4), method=True),
    case("pow", positive(3), rand(3), fn=lambda lib, a, b: lib.pow(a.detach(), b.detach(), out=lib.empty(3))),
    case("pow_", positive(3, 4), 2.5, fn=lambda lib, a, e: (a * 1).pow_(e)),
    case("pow_", positive(3, 4), rand(3, 4), fn=lambda lib, a, e: (a * 1).pow_(e)),
    case("pow_", rand(3, dtype="int32", low=1, high=4), fn=lambda lib, a: a.pow_(2.5), raises=True),
    case("__pow__", positive(3, 4), fn=lambda lib, a: a ** 2),
    case("__pow__", positive(3, 4), rand(3, 4), fn=lambda lib, a, b: a ** b),
    case("__pow__", rand(3, dtype="int32", low=0, high=5), fn=lambda lib, a: a ** 2.5),
    case("__pow__", rand(3, dtype="int32", low=0, high=5), fn=lambda lib, a: a ** 2),
    case("__rpow__", rand(3, 4), fn=lambda lib, a: 2 ** a),
    case("__rpow__", rand(3, 4), fn=lambda lib, a: 0.5 ** a),
    case("__rpow__", rand(3, dtype="int32", low=0, high=5), fn=lambda lib, a: 2 ** a),
    case("__rpow__", rand(3, dtype="int32", low=0, high=5), fn=lambda lib, a: 2.5 ** a),
    case("__ipow__", rand(3, dtype="int64", low=0, high=5), fn=lambda lib, a: a.__ipow__(2)),
    case("__ipow__", positive(3), fn=lambda lib, a: (a * 1).__ipow__(1.5)),
    case("float_power", positive(3, 4), 2),
    case("float_power", positive(3, 4), rand(3, 4)),
    case("float_power", 2, rand(3, 4)),
    case("float_power", rand(3, dtype="int32", low=1, high=5), 2),
    case("float_power", rand(3, dtype="int32", low=1, high=5), -1),
    case("float_power", 2, rand(3, dtype="int32", low=0, high=5)),
    case("float_power", positive(3, dtype="float16"), rand(3, dtype="bfloat16")),
    case("float_power", rand(3, dtype="complex64"), 2),
    case("float_power", positive(3, 4), 1.5, method=True),
    case("float_power", positive(3), 2, fn=lambda lib, a, e: lib.float_power(a.detach(), e, out=lib.empty(3)),
         raises=True),
    case("float_power", positive(3), 2,
         fn=lambda lib, a, e: lib.float_power(a.detach(), e, out=lib.empty(3, dtype=lib.float64))),
    case("float_power_", positive(3, dtype="float64"), 2.5, fn=lambda lib, a, e: (a * 1).float_power_(e)),
    case("float_power_", positive(3), 2, fn=lambda lib, a, e: (a * 1).float_power_(e), raises=True),
    case("square", rand(3, 4)),
    case("square", T(rand(3, 4))),
    case("square", rand(3, dtype="int32")),
    case("square", rand(3, dtype="bool")),
    case("square", rand(3, dtype="float16")),
    case("square", rand(3, dtype="complex64")),
    case("square", rand(3, 4), method=True),
    case("square_", rand(3, 4), fn=lambda lib, a: (a * 1).square_()),
    case("square", 2.0, raises=True),
]

# --- unary math functions -------------------------------------------------------------------
DOMAIN = {
    "default": dict(low=-2.0, high=2.0),
    "positive": dict(low=0.5, high=3.0),
    "unit": dict(low=-0.9, high=0.9),
    "acosh": dict(low=1.2, high=4.0),
    "logit": dict(low=0.05, high=0.95),
    "tan": dict(low=-1.2, high=1.2),
    "log1p": dict(low=-0.5, high=3.0),
}
# name: (domain, integer inputs low/high, bool ok, complex ok)
UNARY = {
    "exp": ("default", (-3, 4), True, True),
    "exp2": ("default", (-3, 4), True, True),
    "expm1": ("default", (-3, 4), True, True),
    "log": ("positive", (1, 9), True, True),
    "log2": ("positive", (1, 9), True, True),
    "log10": ("positive", (1, 9), True, True),
    "log1p": ("log1p", (0, 9), True, True),
    "sqrt": ("positive", (0, 9), True, True),
    "rsqrt": ("positive", (1, 9), True, True),
    "reciprocal": ("positive", (1, 9), True, True),
    "sin": ("default", (-3, 4), True, True),
    "cos": ("default", (-3, 4), True, True),
    "tan": ("tan", (-1, 2), True, True),
    "asin": ("unit", (-1, 2), True, True),
    "acos": ("unit", (-1, 2), True, True),
    "atan": ("default", (-3, 4), True, True),
    "sinh": ("default", (-3, 4), True, True),
    "cosh": ("default", (-3, 4), True, True),
    "asinh": ("default", (-3, 4), True, True),
    "acosh": ("acosh", (1, 9), True, True),
    "atanh": ("unit", (0, 1), True, True),
    "arcsin": ("unit", (-1, 2), False, False),
    "arccos": ("unit", (-1, 2), False, False),
    "arctan": ("default", (-3, 4), False, False),
    "arcsinh": ("default", (-3, 4), False, False),
    "arccosh": ("acosh", (1, 9), False, False),
    "arctanh": ("unit", (0, 1), False, False),
    "sigmoid_free_logit": None,
    "logit": ("logit", None, False, False),
    "erf": ("default", (-3, 4), True, False),
    "erfc": ("default", (-3, 4), True, False),
    "erfinv": ("unit", (-1, 2), True, False),
    "lgamma": ("positive", (1, 9), True, False),
    "digamma": ("positive", (1, 9), True, False),
    "deg2rad": ("default", (-90, 90), True, False),
    "rad2deg": ("default", (-3, 4), True, False),
    "angle": ("default", (-3, 4), True, True),
}
del UNARY["sigmoid_free_logit"]
INPLACE_UNARY = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin",
                 "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
                 "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "logit", "erf", "erfc", "erfinv",
                 "lgamma", "digamma", "deg2rad", "rad2deg"}
for op, (dom, ints, bool_ok, complex_ok) in UNARY.items():
    d = DOMAIN[dom]
    CASES += [
        case(op, rand(3, 4, **d)),
        case(op, rand(**d)),
        case(op, rand(0, 3, **d)),
        case(op, T(rand(3, 4, **d))),
        case(op, Sl(rand(3, 4, **d))),
        case(op, rand(2, 3, dtype="float64", **d)),
        case(op, rand(5, dtype="float16", **d)),
        case(op, rand(5, dtype="bfloat16", **d)),
        case(op, rand(3, 4, **d), method=True),
        case(op, rand(3, **d), fn=lambda lib, a, op=op: getattr(lib, op)(a.detach(), out=lib.empty(3))),
    ]
    CASES.append(case(op, 0.5, raises=True))
    if ints is not None:
        CASES += [case(op, rand(4, dtype="int64", low=ints[0], high=ints[1])),
                  case(op, rand(4, dtype="int32", low=ints[0], high=ints[1])),
                  case(op, rand(4, dtype="uint8", low=max(ints[0], 0), high=max(ints[1], 1)))]
    if bool_ok:
        CASES.append(case(op, rand(4, dtype="bool")))
    if complex_ok:
        CASES.append(case(op, rand(4, dtype="complex64", low=0.2, high=0.8)))
        CASES.append(case(op, rand(4, dtype="complex128", low=0.2, high=0.8)))
    if op in INPLACE_UNARY:
        CASES += [
            # PyTorch has no derivative for the in-place inverse hyperbolics
            case(op + "_", rand(3, 4, **d), fn=lambda lib, a, op=op: getattr(a * 1, op + "_")(),
                 grad=op not in ("asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh")),
            case(op + "_", NG(T(rand(3, 4, **d))), fn=lambda lib, a, op=op: getattr(a, op + "_")()),
        ]
        if ints is not None:
            CASES.append(case(op + "_", rand(4, dtype="int64", low=ints[0], high=ints[1]),
                              fn=lambda lib, a, op=op: getattr(a, op + "_")(), raises=True))
CASES += [
    case("erf", rand(3, dtype="complex64"), raises=True),
    case("lgamma", rand(3, dtype="complex64"), raises=True),
    case("deg2rad", rand(3, dtype="complex64"), raises=True),
    case("logit", rand(3, dtype="complex64"), raises=True),
    case("logit", rand(4, dtype="int64", low=0, high=2)),
    case("logit", rand(3, 4, low=0.01, high=0.99), eps=0.1),
    case("logit", np.array([0.05, 0.5, 0.97], dtype="float32"), 0.1),
    case("logit", rand(3, 4, low=0.01, high=0.99), 0.2, method=True),
    case("logit_", rand(3, 4, low=0.01, high=0.99), fn=lambda lib, a: (a * 1).logit_(eps=0.05)),
    case("lgamma", np.array([-0.5, -1.5, -2.3, 0.2, 7.5, 25.0], dtype="float64")),
    case("lgamma", np.array([0.0, -1.0, -2.0], dtype="float64"), grad=False),
    case("digamma", np.array([-0.5, -1.5, -2.3, 0.2, 7.5, 25.0], dtype="float64")),
    case("digamma", np.array([0.0, -0.0, -1.0, -3.0], dtype="float64"), grad=False),
    case("erfinv", np.array([-1.0, 1.0, 0.0, 1.5], dtype="float32"), grad=False),
    case("erf", rand(5, dtype="float64", low=-6, high=6)),
    case("erfc", rand(5, dtype="float64", low=-6, high=6)),
    case("erfc", rand(5, dtype="float64", low=2, high=20)),
    case("angle", np.array([-1.0, 0.0, 2.0, -3.0], dtype="float32")),
    case("angle", np.array([-1.0, 0.0, 2.0, np.nan], dtype="float32"), grad=False),
    case("angle", np.array([1 + 2j, -3 + 0.5j, -1 - 1j], dtype="complex64")),
    case("angle", np.array([1 + 2j, -3 + 0.5j, 0j], dtype="complex128"), grad=False),
    case("angle", np.array([1, -2, 0], dtype="int32")),
    case("exp", rand(3, dtype="complex64", low=-2, high=2)),
    case("log", rand(3, dtype="complex64", low=-2, high=2)),
    case("sqrt", rand(3, dtype="complex128", low=-2, high=2)),
    case("exp_", NG(rand(3, dtype="int64")), fn=lambda lib, a: lib.exp_(a), raises=True),
    case("exp_", rand(3), fn=lambda lib, a: lib.exp_(a * 1)),
    case("sqrt_", positive(3), fn=lambda lib, a: lib.sqrt_(a * 1)),
    case("sin_", rand(3), fn=lambda lib, a: lib.sin_(a * 1)),
    case("exp_", rand(3), fn=lambda lib, a: a.exp_(), raises=True),  # leaf requiring grad
]

# polygamma, mvlgamma
CASES += [
    case("polygamma", 0, positive(3, 4), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 1, positive(3, 4), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 2, positive(3, dtype="float64"), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 3, T(positive(3, 4, dtype="float64")), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 1, positive(dtype="float64"), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 1, positive(0, 2), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 2, rand(4, dtype="int64", low=1, high=6), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 1, positive(4, dtype="float16"), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", 1, np.array([-1.5, -0.3, 0.3], dtype="float64"), fn=lambda lib, n, x: lib.polygamma(n, x)),
    case("polygamma", -1, positive(3), fn=lambda lib, n, x: lib.polygamma(n, x), raises=True),
    case("polygamma", positive(3, 4), 1, fn=lambda lib, x, n: x.polygamma(n)),
    case("polygamma_", positive(3, 4), 1, fn=lambda lib, x, n: (x * 1).polygamma_(n)),
    case("polygamma", 1, positive(3),
         fn=lambda lib, n, x: lib.polygamma(n, x.detach(), out=lib.empty(3))),
    case("mvlgamma", positive(3, 4, low=2.0, high=5.0), p=1),
    case("mvlgamma", positive(3, 4, low=2.0, high=5.0), p=3),
    case("mvlgamma", positive(3, dtype="float64", low=2.0, high=5.0), 2),
    case("mvlgamma", positive(3, 4, low=2.0, high=5.0), 2, method=True),
]

# --- abs, sign, sgn, rounding ----------------------------------------------------------------
for op in ("abs", "absolute", "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac"):
    g = op != "sgn"  # PyTorch's sgn gradient for real inputs is a ZeroTensor the harness cannot read
    CASES += [
        case(op, rand(3, 4, low=-3, high=3), grad=g),
        case(op, rand(low=-3, high=3), grad=g),
        case(op, rand(0, 3), grad=g),
        case(op, T(rand(3, 4, low=-3, high=3)), grad=g),
        case(op, Sl(rand(3, 4, low=-3, high=3)), grad=g),
        case(op, rand(3, dtype="float64", low=-3, high=3), grad=g),
        case(op, rand(5, dtype="float16", low=-3, high=3), grad=g),
        case(op, rand(5, dtype="bfloat16", low=-3, high=3), grad=g),
        case(op, rand(3, 4, low=-3, high=3), method=True, grad=g),
        case(op + "_", rand(3, 4, low=-3, high=3), fn=lambda lib, a, op=op: getattr(a * 1, op + "_")(), grad=g),
        case(op, rand(3), fn=lambda lib, a, op=op: getattr(lib, op)(a.detach(), out=lib.empty(3))),
        case(op, 1.5, raises=True),
    ]
    for dt in ("int8", "int16", "int32", "int64", "uint8"):
        CASES.append(case(op, rand(5, dtype=dt, low=0 if dt == "uint8" else -9, high=9), raises=op == "frac"))
    CASES.append(case(op, rand(4, dtype="bool"), raises=op not in ("sign", "sgn")))
    CASES.append(case(op, rand(4, dtype="complex64"), raises=op not in ("abs", "absolute", "sgn")))
CASES += [
    case("abs", np.array([-128, 0, 127], dtype="int8")),
    case("abs", rand(4, dtype="complex128")),
    case("sgn", np.array([3 + 4j, 0j, -1j, 2 - 1j], dtype="complex64")),
    case("sign", np.array([np.nan, -0.0, 0.0, 2.0, -np.inf], dtype="float32"), grad=False),
    case("round", np.array([0.5, 1.5, 2.5, -0.5, -1.5, 3.49], dtype="float32")),
    case("round", np.array([1.2345, 2.5555, -7.0371, 0.125], dtype="float64"), decimals=2),
    case("round", np.array([1234.5678, 15.0, 25.0, -35.0], dtype="float32"), decimals=-1),
    case("round", rand(3, 4, low=-10, high=10), decimals=1),
    case("round", rand(3, 4, low=-10, high=10), decimals=3, method=True),
    case("round_", rand(3, 4, low=-10, high=10), fn=lambda lib, a: (a * 1).round_(decimals=1)),
    case("round", rand(4, dtype="int32", low=-9, high=9), decimals=1, raises=True),
    case("round", rand(4, dtype="int32", low=-9, high=9), decimals=0, raises=True),
    case("round", rand(3, 4, low=-10, high=10), decimals=0),
    case("frac", np.array([-1.5, 2.25, -0.0, 3.0], dtype="float32")),
    case("__abs__", rand(3, 4), fn=lambda lib, a: abs(a)),
    case("__abs__", rand(3, dtype="int32"), fn=lambda lib, a: abs(a)),
    case("abs_", NG(rand(3, dtype="int32")), fn=lambda lib, a: lib.abs_(a)),
    case("floor_", NG(rand(3)), fn=lambda lib, a: lib.floor_(a)),
]

# --- clamp / clip -----------------------------------------------------------------------------
for op in ("clamp", "clip"):
    CASES += [
        case(op, rand(3, 4), -0.5, 0.5),
        case(op, rand(3, 4), min=-0.5),
        case(op, rand(3, 4), max=0.5),
        case(op, rand(3, 4), None, 0.5),
        case(op, rand(3, 4), 1.0, -1.0),
        case(op, rand(), -0.5, 0.5),
        case(op, rand(0, 4), -0.5, 0.5),
        case(op, T(rand(3, 4)), -0.5, 0.5),
        case(op, Sl(rand(3, 4)), -0.5, 0.5),
        case(op, rand(3, dtype="float64"), -0.5, 0.5),
        case(op, rand(5, dtype="float16"), -0.5, 0.5),
        case(op, rand(5, dtype="bfloat16"), -0.5, 0.5),
        case(op, rand(5, dtype="int32", low=-9, high=9), -3, 3),
        case(op, rand(5, dtype="int32", low=-9, high=9), 1.5),
        case(op, rand(5, dtype="uint8", low=0, high=9), 2, 5),
        case(op, rand(5, dtype="bool"), 0, 1),
        case(op, rand(5, dtype="bool"), True, True, raises=True),
        case(op, rand(3, dtype="complex64"), 0, 1, raises=True),
        case(op, rand(3, 4), raises=True),
        case(op, rand(3, 4), rand(3, 4), rand(3, 4, low=1, high=3)),
        case(op, rand(3, 4), rand(4), None),
        case(op, rand(3, 4), None, rand(3, 1)),
        case(op, rand(3, 4), rand(3, 4), 0.5, raises=True),
        case(op, rand(3, 4), rand(3, 4), rand(3, 4)),  # some min > max
        case(op, rand(3), rand(2, 3), None),
        case(op, rand(4, dtype="int32", low=-9, high=9), NG(np.array(1.5, dtype="float32"))),
        case(op, rand(3, 4), -0.5, 0.5, method=True),
        case(op, rand(3, 4), max=rand(4), method=True),
        case(op + "_", rand(3, 4), fn=lambda lib, a, op=op: getattr(a * 1, op + "_")(-0.5, 0.5)),
        case(op + "_", rand(3, 4), rand(4), fn=lambda lib, a, b, op=op: getattr(a * 1, op + "_")(min=b)),
        case(op + "_", NG(rand(3)), NG(rand(2, 3)), fn=lambda lib, a, b, op=op: getattr(a, op + "_")(b),
             raises=True),
        case(op, rand(3), fn=lambda lib, a, op=op: getattr(lib, op)(a.detach(), -0.5, 0.5, out=lib.empty(3))),
        case(op, rand(3), fn=lambda lib, a, op=op: getattr(lib, op + "_")(a * 1, -0.5, 0.5)),
    ]
for op in ("clamp_min", "clamp_max"):
    CASES += [
        case(op, rand(3, 4), 0.3),
        case(op, rand(3, 4), rand(4)),
        case(op, T(rand(3, 4)), rand(3, 4)),
        case(op, rand(), 0.1),
        case(op, rand(4, dtype="int64", low=-9, high=9), 2),
        case(op, rand(4, dtype="float16"), 0.25),
        case(op, rand(3, 4), 0.3, method=True),
        case(op + "_", rand(3, 4), fn=lambda lib, a, op=op: getattr(a * 1, op + "_")(0.3)),
        case(op + "_", rand(3, 4), rand(4), fn=lambda lib, a, b, op=op: getattr(a * 1, op + "_")(b)),
        case(op, rand(3), fn=lambda lib, a, op=op: getattr(lib, op + "_")(a * 1, 0.2)),
        case(op, rand(3, dtype="bool"), True, raises=True),
    ]

# --- lerp, addcmul, addcdiv -------------------------------------------------------------------
CASES += [
    case("lerp", rand(3, 4), rand(3, 4), 0.3),
    case("lerp", rand(3, 4), rand(3, 4), 0.8),
    case("lerp", rand(3, 4), rand(4), -0.5),
    case("lerp", rand(3, 4), rand(3, 4), rand(3, 4, low=-0.5, high=1.5)),
    case("lerp", rand(3, 4), rand(4), rand(3, 1)),
    case("lerp", rand(), rand(), rand()),
    case("lerp", rand(0, 4), rand(4), 0.5),
    case("lerp", T(rand(3, 4)), Sl(rand(3, 4)), T(rand(3, 4))),
    case("lerp", rand(3, dtype="float64"), rand(3, dtype="float64"), 0.25),
    case("lerp", rand(3, dtype="float16"), rand(3, dtype="float16"), 0.75),
    case("lerp", rand(3, dtype="bfloat16"), rand(3, dtype="bfloat16"), rand(3, dtype="bfloat16")),
    case("lerp", rand(3, dtype="complex64"), rand(3, dtype="complex64"), 0.3, grad=False),
    case("lerp", rand(3, dtype="int32"), rand(3, dtype="int32"), 0.5, raises=True),
    case("lerp", rand(3), rand(3, dtype="float64"), 0.5, raises=True),
    case("lerp", rand(3), rand(3), rand(3, dtype="float64"), raises=True),
    case("lerp", rand(3, 4), rand(5), 0.5, raises=True),
    case("lerp", rand(3, 4), rand(3, 4), 0.3, method=True),
    case("lerp_", rand(3, 4), rand(3, 4), rand(4), fn=lambda lib, a, b, w: (a * 1).lerp_(b, w)),
    case("lerp_", rand(3, 4), rand(3, 4), fn=lambda lib, a, b: (a * 1).lerp_(b, 0.6)),
    case("lerp", rand(3), rand(3), fn=lambda lib, a, b: lib.lerp(a.detach(), b.detach(), 0.5, out=lib.empty(3))),
]
for op, t2 in (("addcmul", rand), ("addcdiv", positive)):
    CASES += [
        case(op, rand(3, 4), rand(3, 4), t2(3, 4)),
        case(op, rand(3, 4), rand(3, 4), t2(3, 4), value=0.5),
        case(op, rand(3, 4), rand(4), t2(3, 1), value=-2),
        case(op, rand(4), rand(3, 1), t2(4)),
        case(op, rand(), rand(), t2()),
        case(op, rand(0, 4), rand(4), t2(4)),
        case(op, T(rand(3, 4)), Sl(rand(3, 4)), T(t2(3, 4))),
        case(op, rand(3, dtype="float64"), rand(3, dtype="float64"), t2(3, dtype="float64"), value=3),
        case(op, rand(3, dtype="float16"), rand(3, dtype="float16"), t2(3, dtype="float16")),
        case(op, rand(3, dtype="bfloat16"), rand(3, dtype="bfloat16"), t2(3, dtype="bfloat16"), value=0.5),
        case(op, rand(3, dtype="float64"), rand(3), t2(3)),
        case(op, rand(3), rand(3, dtype="int32", low=1, high=5), rand(3, dtype="int32", low=1, high=5),
             raises=op == "addcdiv", grad=False),
        case(op, rand(3, 4), rand(3, 4), t2(5), raises=True),
        case(op, rand(3, 4), rand(3, 4), t2(3, 4), value=2, method=True),
        case(op + "_", rand(3, 4), rand(3, 4), t2(4), fn=lambda lib, a, b, c, op=op: getattr(a * 1, op + "_")(
            b, c, value=0.5)),
        case(op, rand(3), rand(3), t2(3),
             fn=lambda lib, a, b, c, op=op: getattr(lib, op)(a.detach(), b.detach(), c.detach(), out=lib.empty(3))),
    ]
CASES += [
    case("addcmul", rand(3, dtype="int32"), rand(3, dtype="int32"), rand(3, dtype="int32"), value=2),
    case("addcmul", rand(3, dtype="int64"), rand(3, dtype="int64"), rand(3, dtype="int64")),
    case("addcdiv", rand(3, dtype="int32"), rand(3, dtype="int32", low=1, high=4),
         rand(3, dtype="int32", low=1, high=4), raises=True),
    case("addcdiv", rand(3, dtype="int32"), rand(3), positive(3), grad=False),
]

# --- binary math: maximum, minimum, fmax, fmin, hypot, logaddexp(2), atan2, copysign, xlogy --------
NANS = np.array([np.nan, 1.0, np.nan, -2.0, 0.5], dtype="float32")
NANS2 = np.array([1.0, np.nan, np.nan, 3.0, 0.5], dtype="float32")
for op in ("maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp", "logaddexp2", "atan2", "arctan2"):
    CASES += [
        case(op, rand(3, 4), rand(3, 4)),
        case(op, rand(3, 4), rand(4)),
        case(op, rand(2, 1, 4), rand(3, 1)),
        case(op, rand(3, 4), rand()),
        case(op, rand(), rand()),
        case(op, rand(0, 3), rand(3)),
        case(op, T(rand(3, 4)), Sl(rand(3, 4))),
        case(op, rand(3, dtype="float64"), rand(3, dtype="float64")),
        case(op, rand(3, dtype="float64"), rand(3, dtype="float32")),
        case(op, rand(4, dtype="float16"), rand(4, dtype="float16")),
        case(op, rand(4, dtype="bfloat16"), rand(4, dtype="bfloat16")),
        case(op, rand(4, dtype="float16"), rand(4, dtype="bfloat16")),
        case(op, rand(3, 4), rand(3, 4), method=True),
        case(op, rand(3), rand(3), fn=lambda lib, a, b, op=op: getattr(lib, op)(a.detach(), b.detach(),
                                                                             out=lib.empty(3))),
        case(op, rand(3, 4), 0.5, raises=True),
        case(op, rand(3, 4), rand(5), raises=True),
        case(op, rand(3, dtype="complex64"), rand(3, dtype="complex64"), raises=op != "logaddexp"),
        case(op, NANS, NANS2, grad=False),
    ]
    int_ok = op in ("maximum", "minimum", "fmax", "fmin", "atan2", "arctan2")
    CASES += [
        case(op, rand(5, dtype="int32", low=-9, high=9), rand(5, dtype="int32", low=-9, high=9), raises=not int_ok),
        case(op, rand(5, dtype="uint8", low=0, high=9), rand(5, dtype="int8", low=-9, high=9), raises=not int_ok),
        case(op, rand(5, dtype="int64", low=-9, high=9), rand(dtype="float32"), grad=False),
        case(op, rand(5, dtype="bool"), rand(5, dtype="bool"), raises=not int_ok),
    ]
CASES += [
    case("maximum", np.array([1.0, 2.0, 3.0], dtype="float32"), np.array([1.0, 3.0, 3.0], dtype="float32")),
    case("minimum", np.array([1.0, 2.0, 3.0], dtype="float32"), np.array([1.0, 3.0, 3.0], dtype="float32")),
    case("fmax", np.array([1.0, 2.0, 3.0], dtype="float32"), np.array([1.0, 3.0, 3.0], dtype="float32")),
    case("fmin", np.array([1.0, 2.0, 3.0], dtype="float32"), np.array([1.0, 3.0, 3.0], dtype="float32")),
    case("logaddexp", rand(3, dtype="complex128"), rand(3, dtype="complex128")),
    case("hypot_", rand(3, 4), rand(4), fn=lambda lib, a, b: (a * 1).hypot_(b)),
    case("atan2_", rand(3, 4), rand(4), fn=lambda lib, a, b: (a * 1).atan2_(b)),
    case("arctan2_", rand(3, 4), rand(4), fn=lambda lib, a, b: (a * 1).arctan2_(b)),
]
for op in ("copysign", "xlogy"):
    oth = rand if op == "copysign" else positive
    CASES += [
        case(op, rand(3, 4), oth(3, 4)),
        case(op, rand(3, 4), oth(4)),
        case(op, rand(3, 1), oth(1, 4)),
        case(op, rand(3, 4), 2.5),
        case(op, rand(3, 4), -2 if op == "copysign" else 2),
        case(op, rand(), oth()),
        case(op, rand(0, 3), oth(3)),
        case(op, T(rand(3, 4)), Sl(oth(3, 4))),
        case(op, rand(3, dtype="float64"), oth(3, dtype="float64")),
        case(op, rand(3, dtype="float64"), oth(3, dtype="float32")),
        case(op, rand(4, dtype="float16"), oth(4, dtype="float16")),
        case(op, rand(4, dtype="bfloat16"), oth(4, dtype="bfloat16")),
        case(op, rand(5, dtype="int32", low=-9, high=9), rand(5, dtype="int32", low=1, high=9)),
        case(op, rand(5, dtype="int64", low=-9, high=9), -1),
        case(op, rand(5, dtype="bool"), rand(5, dtype="bool")),
        case(op, rand(3, dtype="complex64"), rand(3, dtype="complex64"), raises=True),
        case(op, rand(3, 4), rand(5), raises=True),
        case(op, rand(3, 4), oth(3, 4), method=True),
        case(op + "_", rand(3, 4), oth(4), fn=lambda lib, a, b, op=op: getattr(a * 1, op + "_")(b)),
        case(op, rand(3), oth(3), fn=lambda lib, a, b, op=op: getattr(lib, op)(a.detach(), b.detach(),
                                                                            out=lib.empty(3))),
    ]
CASES += [
    case("copysign", np.array([0.0, 0.0, 1.5, -2.0], dtype="float32"), np.array([-1.0, 1.0, -0.0, 0.0], dtype="float32")),
    case("xlogy", 2.0, positive(3, 4)),
    case("xlogy", 3, positive(3, 4)),
    case("xlogy", np.array([0.0, 0.0, 1.0, 2.0, 0.0], dtype="float32"),
         np.array([0.0, np.nan, np.nan, 3.0, 2.0], dtype="float32"), grad=False),
    case("xlogy", np.array([0.0, 0.0, 2.0], dtype="float64"), np.array([0.0, 2.0, -1.0], dtype="float64")),
    case("xlogy", np.array([0.0, 1.0], dtype="float32"), np.array([-1.0, 0.0], dtype="float32"), grad=False),
    case("xlogy", 2.0, 3.0, raises=True),
]

# heaviside
CASES += [
    case("heaviside", np.array([-1.5, 0.0, 2.0, 0.0, np.nan], dtype="float32"), np.array(0.5, dtype="float32"),
         grad=False),
    case("heaviside", rand(3, 4), rand(4), grad=False),
    case("heaviside", T(np.array([[-1.0, 0.0], [0.0, 3.0]])), np.array([[7.0, 8.0]]), grad=False),
    case("heaviside", np.array([-2, 0, 3, 0], dtype="int32"), np.array([5, 6, 7, 8], dtype="int32")),
    case("heaviside", rand(4, dtype="bool"), rand(4, dtype="bool")),
    case("heaviside", rand(4, dtype="bfloat16"), rand(4, dtype="bfloat16"), grad=False),
    case("heaviside", rand(4, dtype="int32"), rand(dtype="int64"), raises=True),
    case("heaviside", rand(4), rand(dtype="float64"), raises=True),
    case("heaviside", rand(4, dtype="complex64"), rand(4, dtype="complex64"), raises=True),
    case("heaviside", rand(4), 0.5, raises=True),
    case("heaviside", rand(3, 4), rand(4), method=True, grad=False),
    case("heaviside_", NG(rand(3, 4)), NG(rand(4)), fn=lambda lib, a, b: a.heaviside_(b)),
    case("heaviside_backward", rand(3), rand(3), raises=True,
         fn=lambda lib, a, b: lib.autograd.grad(lib.heaviside(a, b).sum(), a)),
]

# --- nan_to_num, positive, real / imag --------------------------------------------------------
SPECIAL = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0, 0.0], dtype="float32")
CASES += [
    case("nan_to_num", SPECIAL),
    case("nan_to_num", SPECIAL, nan=1.0, posinf=100.0, neginf=-100.0),
    case("nan_to_num", SPECIAL, 2.0, 3.0),
    case("nan_to_num", SPECIAL.astype("float64"), posinf=7.0),
    case("nan_to_num", SPECIAL.astype("float16")),
    case("nan_to_num", SPECIAL.astype("float32"), fn=lambda lib, a: lib.nan_to_num(a.to(lib.bfloat16), neginf=-5.0)),
    case("nan_to_num", SPECIAL.astype("float32"), fn=lambda lib, a: lib.nan_to_num(a.to(lib.bfloat16))),
    case("nan_to_num", T(np.array([[np.nan, 1.0], [np.inf, -np.inf]], dtype="float32"))),
    case("nan_to_num", rand(0, 3)),
    case("nan_to_num", rand()),
    case("nan_to_num", rand(4, dtype="int32"), nan=1.5),
    case("nan_to_num", rand(4, dtype="bool")),
    case("nan_to_num", np.array([np.nan + 1j, complex(np.inf, np.nan), 1 - 1j], dtype="complex64"), grad=False),
    case("nan_to_num", SPECIAL, method=True),
    case("nan_to_num_", SPECIAL, fn=lambda lib, a: (a * 1).nan_to_num_(nan=3.0)),
    case("nan_to_num_", SPECIAL, fn=lambda lib, a: lib.nan_to_num_(a * 1)),
    case("nan_to_num", SPECIAL, fn=lambda lib, a: lib.nan_to_num(a.detach(), out=lib.empty(6))),
    case("positive", rand(3, 4)),
    case("positive", rand(3, dtype="int32")),
    case("positive", rand(3, dtype="bool"), raises=True),
    case("positive", rand(3, 4), method=True),
    case("__pos__", rand(3, 4), fn=lambda lib, a: +a),
    case("positive", 2.0, raises=True),
    case("deg2rad_", rand(3), fn=lambda lib, a: lib.deg2rad_(a * 1)),
]
CX = rand(3, 4, dtype="complex64")
CASES += [
    case("real", CX),
    case("imag", CX),
    case("real", rand(3, dtype="complex128")),
    case("imag", T(rand(3, 4, dtype="complex128"))),
    case("real", rand(3, 4)),
    case("real", rand(3, dtype="int32")),
    case("imag", rand(3, 4), raises=True),
    case("real", rand(0, 2, dtype="complex64")),
    case(".real", CX, fn=lambda lib, a: a.real),
    case(".imag", CX, fn=lambda lib, a: a.imag),
    case(".real", rand(3), fn=lambda lib, a: a.real),
    case(".imag", rand(3), fn=lambda lib, a: a.imag, raises=True),
    case("real_view", NG(CX), fn=lambda lib, a: (a.real.mul_(2), a)[1]),
    case("imag_view", NG(CX), fn=lambda lib, a: (a.imag.mul_(0), a)[1]),
    case("real_grad", CX, fn=lambda lib, a: a.real * 2 + a.imag * 3),
    case("conj", rand(3, dtype="complex64")),
    case("conj", rand(3)),
    case("mul", rand(3, dtype="complex64"), rand(3, dtype="complex64")),
]

# --- operators and their reflected / in-place forms -------------------------------------------
CASES += [
    case("__add__", rand(3), rand(3), fn=lambda lib, a, b: a + b),
    case("__radd__", rand(3), fn=lambda lib, a: 2 + a),
    case("__sub__", rand(3), fn=lambda lib, a: 1.5 - a),
    case("__mul__", rand(3), fn=lambda lib, a: 3 * a),
    case("__truediv__", rand(3), fn=lambda lib, a: 1 / a),
    case("__truediv__", rand(3, dtype="int32"), fn=lambda lib, a: a / 2),
    case("__neg__", rand(3), fn=lambda lib, a: -a),
    case("__iadd__", NG(rand(3)), rand(3), fn=lambda lib, a, b: a.clone().add_(b)),
    case("add_", rand(3), rand(3), fn=lambda lib, a, b: (a * 1).add_(b, alpha=2)),
    case("mul_", rand(3), rand(3), fn=lambda lib, a, b: (a * 1).mul_(b)),
    case("div_", rand(3), positive(3), fn=lambda lib, a, b: (a * 1).div_(b, rounding_mode="floor")),
    case("true_divide_", rand(3), positive(3), fn=lambda lib, a, b: (a * 1).true_divide_(b)),
    case("add_", NG(rand(3, dtype="int64")), fn=lambda lib, a: a.add_(1.5), raises=True),
    case("add_", NG(rand(3)), NG(rand(2, 3)), fn=lambda lib, a, b: a.add_(b), raises=True),
    case("out=", rand(3), rand(3), fn=lambda lib, a, b: lib.add(a.detach(), b.detach(), out=lib.empty(3))),
    case("out=", rand(3), rand(3), fn=lambda lib, a, b: lib.atan2(a.detach(), b.detach(),
                                                                 out=lib.empty(3, dtype=lib.int64)), raises=True),
    case("out=", rand(3), fn=lambda lib, a: lib.sqrt(a.detach(), out=lib.empty(3, dtype=lib.float64))),
    case("out=", rand(3), fn=lambda lib, a: lib.sqrt(a.detach(), out=lib.empty(2))),
    case("negative", rand(3, 4)),
    case("negative_", rand(3, 4), fn=lambda lib, a: (a * 1).negative_()),
    case("rsub", rand(3, 4), rand(4)),
    case("multiply", rand(3, 4), rand(4)),
    case("divide", rand(3, 4), positive(4), rounding_mode="trunc"),
    case("subtract", rand(3, 4), rand(4), alpha=2),
    case("result_dtype", rand(3, dtype="int32"), fn=lambda lib, a: (a * 2.5, a // 2, a % 2, a ** 2, 2 ** a,
                                                                     a / a.clamp(min=1), (a + True))),
    case("second_order", rand(3), fn=lambda lib, a: lib.autograd.grad((a.sin() * a.exp() + a.abs().sqrt()).sum(), a,
                                                                     create_graph=True)[0]),
    case("second_order_pow", positive(3), positive(3),
         fn=lambda lib, a, b: lib.autograd.grad((a ** b).sum(), (a, b), create_graph=True)),
    case("clamp", rand(3, 4), NG(rand(4)), Lib(lambda lib: None)),
    case("sqrt", rand(3), fn=lambda lib, a: lib.sqrt(a.to(lib.float64) + 3), id="sqrt_cast"),
    case("clamp", rand(3), DT("float32"), raises=True),
]

# in-place comparison aliases write 0/1 into the input's dtype
for _name in ("greater_", "greater_equal_", "less_", "less_equal_", "not_equal_"):
    CASES.append(case(_name, NG(rand(3, 4)), rand(4), grad=False,
                      fn=lambda lib, a, b, _n=_name: getattr(a.clone(), _n)(b)))
