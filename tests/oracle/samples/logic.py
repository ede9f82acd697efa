"""Samples for ember/ops/logic.py."""

import numpy as np

from tests.oracle.harness import DT, NG, Lib, Sl, T, case, rand

CASES = []

INTS = ("uint8", "int8", "int16", "int32", "int64")
ALL = ("bool",) + INTS + ("float16", "bfloat16", "float32", "float64")


def special(*shape, dtype="float32"):
    """Values with nan, +inf, -inf and ordinary numbers."""
    a = rand(*shape, dtype="float64").ravel()
    vals = np.array([np.nan, np.inf, -np.inf, 0.0, 1.0])
    a[: min(len(a), 5)] = vals[: min(len(a), 5)]
    return a.reshape(shape).astype(dtype)


def zd(dtype="float32"):
    """A 0-dim array (``rand()`` with no shape gives a NumPy scalar, which the harness passes as a number)."""
    return np.asarray(rand(1, dtype=dtype, low=-2, high=99).reshape(()))


def tol(op, *args, **kw):
    """A closeness sample with rtol/atol (those names are the harness's own options, so go through fn)."""
    extra = {k: kw.pop(k) for k in ("rtol", "atol") if k in kw}
    return case(op, *args, fn=lambda lib, *a, **k: getattr(lib, op)(*a, **k, **extra), **kw)


# --- isclose / allclose / equal ---------------------------------------------------------------
x = rand(3, 4)
near = (x + np.float32(1e-6)).astype("float32")
far = (x + np.float32(1e-3)).astype("float32")
nans = special(3, 4)
CASES += [
    case("isclose", x, near),
    case("isclose", x, far),
    tol("isclose", x, far, rtol=1e-2),
    tol("isclose", x, far, atol=1e-2),
    tol("isclose", x, far, rtol=0.0, atol=0.0),
    case("isclose", nans, nans),
    case("isclose", nans, nans, equal_nan=True),
    case("isclose", nans, special(3, 4)[::-1].copy()),
    case("isclose", rand(3, 4, dtype="float64"), rand(4, dtype="float64")),
    case("isclose", T(x), Sl(near)),
    case("isclose", zd(), zd()),
    case("isclose", rand(0, 3), rand(3)),
    case("isclose", rand(3, 4), zd(), id="isclose_0dim_other"),
    tol("isclose", rand(4, dtype="int64", low=-5, high=5), rand(4, dtype="int64", low=-5, high=5), atol=2),
    tol("isclose", rand(4, dtype="int64", low=1, high=20), rand(4, dtype="int64", low=1, high=20), rtol=0.5, atol=0),
    tol("isclose", np.array([1, 2], dtype="uint8"), np.array([3, 0], dtype="uint8"), atol=1, rtol=0),
    case("isclose", rand(5, dtype="bool"), rand(5, dtype="bool")),
    tol("isclose", rand(5, dtype="bool"), rand(5, dtype="bool"), atol=1.5),
    case("isclose", rand(4, dtype="float16"), rand(4, dtype="float16")),
    case("isclose", x, x, method=True),
    case("isclose", x, rand(3, 4, dtype="float64"), raises=True),
    case("isclose", x, rand(5), raises=True),
    tol("isclose", x, x, rtol=-1.0, raises=True),
    tol("isclose", x, x, atol=-1.0, raises=True),
    case("isclose", x, 1.0, raises=True),
    case("allclose", x, near),
    case("allclose", x, far),
    tol("allclose", x, far, atol=1e-2),
    case("allclose", nans, nans),
    case("allclose", nans, nans, equal_nan=True),
    case("allclose", x, rand(4)),
    case("allclose", rand(0, 2), rand(0, 2)),
    case("allclose", rand(3, dtype="int32"), rand(3, dtype="int32")),
    case("allclose", x, near, method=True),
    case("allclose", x, rand(3, 4, dtype="float64"), raises=True),
    case("equal", x, x),
    case("equal", x, far),
    case("equal", x, x[:2]),
    case("equal", nans, nans),
    case("equal", rand(3, dtype="int64"), rand(3, dtype="int64").astype("float64")),
    case("equal", rand(3, dtype="int64"), rand(1, 3, dtype="int64")),
    case("equal", T(x), x),
    case("equal", zd(), zd()),
    case("equal", rand(0), rand(0)),
    case("equal", x, x, method=True),
    case("equal", x, 1.0, raises=True),
]

# --- classification -----------------------------------------------------------------------------
for op in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal"):
    CASES += [
        case(op, special(3, 4)),
        case(op, special(3, 4, dtype="float64")),
        case(op, special(5, dtype="float16")),
        case(op, special(5, dtype="bfloat16")),
        case(op, T(special(3, 4))),
        case(op, special(6)[::2].copy()),
        case(op, rand(4, dtype="int64")),
        case(op, rand(4, dtype="bool")),
        case(op, np.array(np.inf, "float32")),
        case(op, rand(0, 2)),
        case(op, special(3, 4), method=True),
        case(op, 1.0, raises=True),
    ]
CASES += [
    case("isreal", np.array([1 + 0j, 1 + 1j, 2 - 0j], dtype="complex64")),
    case("isnan", np.array([1 + 0j, complex(np.nan, 0)], dtype="complex128")),
    case("isposinf", np.array([1 + 0j], dtype="complex64"), raises=True),
    case("isneginf", np.array([1 + 0j], dtype="complex64"), raises=True),
    case("isposinf", special(5), fn=lambda lib, a: lib.isposinf(a, out=lib.empty(5, dtype=lib.bool))),
    case("isnan", special(5), fn=lambda lib, a: lib.isnan(a, out=lib.empty(5, dtype=lib.bool)), raises=True),
    case("isneginf", special(5), fn=lambda lib, a: lib.isneginf(a, out=lib.empty(0, dtype=lib.bool))),
]

# --- logical --------------------------------------------------------------------------------------
for op in ("logical_and", "logical_or", "logical_xor"):
    CASES += [
        case(op, rand(3, 4, dtype="bool"), rand(3, 4, dtype="bool")),
        case(op, rand(3, 4, dtype="bool"), rand(4, dtype="bool")),
        case(op, rand(3, 4, low=-1, high=2, dtype="int64"), rand(3, 4, dtype="bool")),
        case(op, special(3, 4), rand(3, 4, low=0, high=2, dtype="int32")),
        case(op, np.array([0.0, 1.0, -0.0, 2.0], "float64"), np.array([0.0, 0.0, 3.0, 1.0], "float16")),
        case(op, rand(4, dtype="bfloat16"), np.zeros(4, "bfloat16")),
        case(op, T(rand(3, 4, dtype="bool")), Sl(rand(3, 4, dtype="bool"))),
        case(op, zd("bool"), zd("bool")),
        case(op, rand(0, 3, dtype="bool"), rand(3, dtype="bool")),
        case(op, rand(3, dtype="bool"), rand(3, dtype="bool"), method=True),
        case(op, rand(3, dtype="bool"), rand(2, dtype="bool"), raises=True),
        case(op, rand(3), 1, raises=True),
        case(op + "_", NG(rand(3)), rand(3, dtype="int64", low=0, high=2),
             fn=lambda lib, a, b, op=op: getattr(a.clone(), op + "_")(b)),
        case(op + "_", rand(3, dtype="bool"), rand(3, dtype="bool"),
             fn=lambda lib, a, b, op=op: getattr(a.clone(), op + "_")(b)),
        case("out=", rand(3), rand(3), fn=lambda lib, a, b, op=op: getattr(lib, op)(a, b, out=lib.empty(3))),
        case("out=", rand(3), rand(3),
             fn=lambda lib, a, b, op=op: getattr(lib, op)(a, b, out=lib.empty(3, dtype=lib.int32))),
    ]
CASES += [
    case("logical_not", rand(3, 4, dtype="bool")),
    case("logical_not", special(3, 4)),
    case("logical_not", rand(3, 4, low=-1, high=2, dtype="int8")),
    case("logical_not", T(rand(3, 4, dtype="bool"))),
    case("logical_not", zd("bool")),
    case("logical_not", rand(0, dtype="bool")),
    case("logical_not", np.array([0, 1, 2], "float16")),
    case("logical_not", rand(3), method=True),
    case("logical_not_", NG(rand(3)), fn=lambda lib, a: a.clone().logical_not_()),
    case("logical_not", rand(3), fn=lambda lib, a: lib.logical_not(a, out=lib.empty(3, dtype=lib.int32))),
    case("logical_not", 1, raises=True),
]

# --- bitwise ----------------------------------------------------------------------------------------
for op in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    for dt in ("bool",) + INTS:
        CASES.append(case(op, rand(3, 4, dtype=dt, low=-50, high=100), rand(3, 4, dtype=dt, low=-50, high=100)))
    CASES += [
        case(op, rand(3, 4, dtype="int64", high=64), rand(4, dtype="int8", high=64)),
        case(op, rand(3, dtype="int8", high=64), 3),
        case(op, 6, rand(3, dtype="int32", high=64)),
        case(op, rand(3, dtype="bool"), True),
        case(op, rand(3, dtype="bool"), 1),
        case(op, rand(3, dtype="bool"), rand(3, dtype="uint8", low=0, high=9)),
        case(op, T(rand(3, 4, dtype="int64", high=99)), Sl(rand(3, 4, dtype="int64", high=99))),
        case(op, zd("int64"), zd("int64")),
        case(op, rand(0, 2, dtype="int64"), rand(2, dtype="int64")),
        case(op, rand(3, dtype="int16", high=99), zd("int64")),
        case(op, rand(3, dtype="int32", high=9), rand(3, dtype="int32", high=9), method=True),
        case(op, rand(3), rand(3), raises=True),
        case(op, rand(3, dtype="int64"), 1.5, raises=True),
        case(op, rand(3, dtype="int64"), rand(4, dtype="int64"), raises=True),
        case(op + "_", rand(3, dtype="int8", high=99), rand(3, dtype="int64", high=99),
             fn=lambda lib, a, b, op=op: getattr(a.clone(), op + "_")(b)),
        case("out=", rand(3, dtype="int64", high=99), rand(3, dtype="int64", high=99),
             fn=lambda lib, a, b, op=op: getattr(lib, op)(a, b, out=lib.empty(3, dtype=lib.int64))),
    ]
for dt in ("bool",) + INTS:
    CASES.append(case("bitwise_not", rand(3, 4, dtype=dt, low=-50, high=100)))
CASES += [
    case("bitwise_not", T(rand(3, 4, dtype="int32"))),
    case("bitwise_not", zd("int64")),
    case("bitwise_not", rand(0, dtype="int64")),
    case("bitwise_not", rand(3, dtype="int16"), method=True),
    case("bitwise_not_", rand(3, dtype="int16"), fn=lambda lib, a: a.clone().bitwise_not_()),
    case("bitwise_not", rand(3), raises=True),
    case("bitwise_not", rand(3, dtype="float64"), raises=True),
]
for op in ("bitwise_left_shift", "bitwise_right_shift"):
    for dt in INTS:
        CASES.append(case(op, rand(3, 4, dtype=dt, low=-50, high=100), rand(3, 4, dtype=dt, low=0, high=5)))
    CASES += [
        case(op, np.array([1, -2, 3, -4, 5, -6], "int8"), np.array([-1, 7, 8, 9, 100, 3], "int8")),
        case(op, np.array([200, 7, 1], "uint8"), np.array([9, 8, 7], "uint8")),
        case(op, np.array([1, -2, 3], "int64"), np.array([63, 64, -1], "int64")),
        case(op, rand(3, 4, dtype="int64", low=-99, high=99), 2),
        case(op, rand(3, dtype="int8", low=-99, high=99), 9),
        case(op, rand(3, dtype="int8", low=-99, high=99), -1),
        case(op, rand(3, dtype="uint8", low=0, high=99), 8),
        case(op, rand(3, dtype="int64", low=-99, high=99), 64),
        case(op, 5, rand(3, dtype="int32", low=0, high=5)),
        case(op, rand(3, dtype="int16", high=99), NG(np.array(3, "int64"))),
        case(op, rand(3, dtype="bool"), 1),
        case(op, T(rand(3, 4, dtype="int32", high=99)), Sl(rand(3, 4, dtype="int32", low=0, high=4))),
        case(op, rand(0, dtype="int64"), 1),
        case(op, rand(3, dtype="int32", high=99), 1, method=True),
        case(op + "_", rand(3, dtype="int32", high=99), fn=lambda lib, a, op=op: getattr(a.clone(), op + "_")(2)),
        case(op, rand(3, dtype="bool"), rand(3, dtype="bool"), raises=True),
        case(op, rand(3), 1, raises=True),
        case(op, rand(3, dtype="int64"), 2.0, raises=True),
    ]

# --- operators ----------------------------------------------------------------------------------------
B, I8, I64 = rand(3, 4, dtype="bool"), rand(3, 4, dtype="int8", low=-50, high=50), rand(4, dtype="int64", high=99)
CASES += [
    case("__and__", B, rand(3, 4, dtype="bool"), fn=lambda lib, a, b: a & b),
    case("__or__", B, rand(4, dtype="bool"), fn=lambda lib, a, b: a | b),
    case("__xor__", B, rand(3, 4, dtype="bool"), fn=lambda lib, a, b: a ^ b),
    case("__and__", I8, I64, fn=lambda lib, a, b: a & b),
    case("__or__", I8, fn=lambda lib, a: a | 3),
    case("__or__", B, fn=lambda lib, a: a | 1),
    case("__xor__", I8, fn=lambda lib, a: a ^ -1),
    case("__rand__", I8, fn=lambda lib, a: 3 & a),
    case("__ror__", B, fn=lambda lib, a: True | a),
    case("__rxor__", I64, fn=lambda lib, a: 5 ^ a),
    case("__invert__", B, fn=lambda lib, a: ~a),
    case("__invert__", I8, fn=lambda lib, a: ~a),
    case("__invert__", rand(3), fn=lambda lib, a: ~a, raises=True),
    case("__and__", rand(3), rand(3), fn=lambda lib, a, b: a & b, raises=True),
    case("__lshift__", I64, fn=lambda lib, a: a << 2),
    case("__lshift__", I8, fn=lambda lib, a: a << 7),
    case("__rshift__", I8, fn=lambda lib, a: a >> 2),
    case("__rlshift__", rand(4, dtype="int64", low=0, high=9), fn=lambda lib, a: 2 << a),
    case("__rrshift__", rand(4, dtype="int64", low=0, high=9), fn=lambda lib, a: 1000 >> a),
    case("__lshift__", B, fn=lambda lib, a: a << 1),
    case("__lshift__", rand(3), fn=lambda lib, a: a << 1, raises=True),
    case("__iand__", I8, I64, fn=lambda lib, a, b: a.clone().__iand__(b)),
    case("__ior__", B, rand(3, 4, dtype="bool"), fn=lambda lib, a, b: a.clone().__ior__(b)),
    case("__ixor__", I64, fn=lambda lib, a: a.clone().__ixor__(7)),
    case("__ior__", B, fn=lambda lib, a: a.clone().__ior__(2), raises=True),
    case("__ilshift__", I64, fn=lambda lib, a: a.clone().__ilshift__(3)),
    case("__irshift__", I8, fn=lambda lib, a: a.clone().__irshift__(1)),
]

# --- where ---------------------------------------------------------------------------------------------
C = rand(3, 4, dtype="bool")
CASES += [
    case("where", C, rand(3, 4), rand(3, 4)),
    case("where", C, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64")),
    case("where", C, rand(4), rand(3, 1)),
    case("where", rand(4, dtype="bool"), rand(3, 1), rand(3, 4)),
    case("where", C, rand(3, 4), 0.0),
    case("where", C, 1.5, rand(3, 4)),
    case("where", C, 1.0, 0),
    case("where", C, 1, 0),
    case("where", C, True, False),
    case("where", C, rand(3, 4), rand(3, 4, dtype="float64")),
    case("where", C, rand(3, 4), rand(3, 4, dtype="int64")),
    case("where", C, rand(3, 4, dtype="int8"), 2),
    case("where", C, rand(3, 4, dtype="int8"), 2.5),
    case("where", C, rand(3, 4), zd("float64")),
    case("where", C, rand(3, 4, dtype="float16"), 2.0),
    case("where", C, rand(3, 4, dtype="float16"), rand(3, 4, dtype="bfloat16")),
    case("where", C, NG(np.array(1, "int8")), rand(3, 4, dtype="uint8", low=0, high=200)),
    case("where", T(C), T(rand(3, 4)), Sl(rand(3, 4))),
    case("where", zd("bool"), zd(), zd()),
    case("where", NG(np.array(True)), rand(3), 1),
    case("where", rand(0, 4, dtype="bool"), rand(4), rand(0, 4)),
    case("where", C.astype("uint8"), rand(3, 4), rand(3, 4)),
    case("where", rand(3, 4, dtype="int64"), rand(3, 4), rand(3, 4), raises=True),
    case("where", C, rand(3, 5), rand(3, 4), raises=True),
    case("where", C, rand(3, 4), rand(3, 4), fn=lambda lib, c, a, b: a.where(c, b)),
    case("where", C, rand(3, 4), fn=lambda lib, c, a: a.where(c, 0.0)),
    case("where", C, rand(3, 4), rand(3, 4),
         fn=lambda lib, c, a, b: lib.where(c, a.detach(), b.detach(), out=lib.empty(3, 4))),
    case("where", C, rand(3, 4), fn=lambda lib, c, a: lib.where(c, a, 1.0, out=lib.empty(3, 4)), raises=True),
    case("where_1arg", C, fn=lambda lib, c: lib.where(c)),
    case("where_1arg", rand(2, 3, 2, dtype="int64", low=0, high=2), fn=lambda lib, c: lib.where(c)),
    case("where_1arg", NG(np.array(1.0, "float32")), fn=lambda lib, c: lib.where(c)),
    case("where_1arg", rand(0, 3, dtype="bool"), fn=lambda lib, c: lib.where(c)),
    case("where_dtype", Lib(lambda lib: lib.tensor([True, False])), DT("float64"),
         fn=lambda lib, c, dt: lib.where(c, lib.ones(2, dtype=dt), lib.zeros(2, dtype=lib.float32))),
]
