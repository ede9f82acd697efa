"""Samples for ember/ops/core.py."""

from tests.oracle.harness import DT, T, case, rand

CASES = [
    case("clone", rand(3, 4)),
    case("clone", T(rand(3, 4))),
    case("contiguous", T(rand(3, 4)), method=True),
    case("to", rand(3, 4), DT("float64"), method=True),
    case("to", rand(3, 4, dtype="float64"), DT("float16"), method=True),
    case("to", rand(3, 4), DT("int32"), method=True),
    case("double", rand(3), method=True),
    case("long", rand(3, low=-5, high=5), method=True),
    case("bool", rand(3), method=True),
]
