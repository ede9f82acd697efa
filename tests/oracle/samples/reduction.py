"""Samples for ember/ops/reduction.py."""

from tests.oracle.harness import DT, T, case, rand

CASES = []
for op in ("sum", "mean"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1, keepdim=True),
        case(op, rand(2, 3, 4), (0, 2)),
        case(op, T(rand(3, 4)), 1),
        case(op, rand()),
        case(op, rand(0, 3), 0),
        case(op, rand(3, 4, dtype="float64"), 1),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), dtype=DT("float64")),
    ]
CASES += [
    case("sum", rand(3, 4, dtype="int32")),
    case("sum", rand(3, 4, dtype="bool")),
    case("sum", rand(3, 4, dtype="uint8", low=0, high=200), 1),
    case("mean", rand(3, 4, dtype="int64"), raises=True),
    case("sum_to_size", rand(3, 4), (1, 4), method=True),
    case("sum_to_size", rand(2, 3, 4), 3, 1, method=True),
]
