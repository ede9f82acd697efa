"""Samples for ember/ops/pointwise.py."""


from tests.oracle.harness import NG, Sl, T, case, positive, rand

CASES = []

FLOATS = ("float32", "float64")
ALL_NUMERIC = ("uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")

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
    case("div", rand(5), rand(5), rounding_mode="floor"),
    case("div", rand(5), rand(5), rounding_mode="trunc"),
    case("div", rand(5), rand(5), rounding_mode="round", raises=True),
    case("neg", rand(3, 4)),
    case("neg", T(rand(3, 4))),
    case("neg", rand(3, dtype="int32")),
    case("neg", rand(3, dtype="bool"), raises=True),
    case("exp", rand(3, 4)),
    case("exp", rand(3, dtype="int64")),
    case("exp", rand(3, dtype="float64")),
    case("log", positive(3, 4)),
    case("log", positive(2, 3, dtype="float64")),
    case("relu", rand(3, 4)),
    case("relu", rand(3, dtype="int32")),
]
for op in ("eq", "ne", "lt", "le", "gt", "ge"):
    CASES += [
        case(op, rand(3, 4, low=-2, high=2, dtype="int64"), rand(4, low=-2, high=2, dtype="int64")),
        case(op, rand(3, 4), 0.5),
        case(op, rand(3, dtype="int32"), rand(3, dtype="float32")),
    ]
# operators and their reflected / in-place forms
CASES += [
    case("__add__", rand(3), rand(3), fn=lambda lib, a, b: a + b),
    case("__radd__", rand(3), fn=lambda lib, a: 2 + a),
    case("__sub__", rand(3), fn=lambda lib, a: 1.5 - a),
    case("__mul__", rand(3), fn=lambda lib, a: 3 * a),
    case("__truediv__", rand(3), fn=lambda lib, a: 1 / a),
    case("__neg__", rand(3), fn=lambda lib, a: -a),
    case("__iadd__", NG(rand(3)), rand(3), fn=lambda lib, a, b: a.clone().add_(b)),
    case("add_", rand(3), rand(3), fn=lambda lib, a, b: (a * 1).add_(b, alpha=2)),
    case("mul_", rand(3), rand(3), fn=lambda lib, a, b: (a * 1).mul_(b)),
    case("add_", NG(rand(3, dtype="int64")), fn=lambda lib, a: a.add_(1.5), raises=True),
    case("add_", NG(rand(3)), NG(rand(2, 3)), fn=lambda lib, a, b: a.add_(b), raises=True),
    case("out=", rand(3), rand(3), fn=lambda lib, a, b: lib.add(a.detach(), b.detach(), out=lib.empty(3))),
]
CASES += [
    case("conj", rand(3, dtype="complex64")),
    case("conj", rand(3)),
    case("mul", rand(3, dtype="complex64"), rand(3, dtype="complex64")),
]
