"""Samples for ember/ops/linalg.py."""

from tests.oracle.harness import T, case, rand

CASES = [
    case("matmul", rand(3, 4), rand(4, 5)),
    case("matmul", rand(4), rand(4, 5)),
    case("matmul", rand(3, 4), rand(4)),
    case("matmul", rand(4), rand(4)),
    case("matmul", rand(2, 3, 4), rand(4, 5)),
    case("matmul", rand(2, 1, 3, 4), rand(5, 4, 2)),
    case("matmul", T(rand(3, 4)), T(rand(4, 5))),
    case("matmul", rand(3, 4, dtype="float64"), rand(4, 2, dtype="float64")),
    case("matmul", rand(3, 4), rand(5, 2), raises=True),
    case("mm", rand(3, 4), rand(4, 5)),
    case("mm", rand(3, 4), rand(4), raises=True),
    case("__matmul__", rand(3, 4), rand(4, 5), fn=lambda lib, a, b: a @ b),
]
