"""Samples for ember/ops/shape.py."""

from tests.oracle.harness import Sl, T, case, rand

CASES = [
    case("view", rand(3, 4), 12, method=True),
    case("view", rand(3, 4), -1, 2, method=True),
    case("view", rand(3, 4), (2, 6), method=True),
    case("view", T(rand(3, 4)), 12, method=True, raises=True),
    case("view", rand(3, 4), 5, method=True, raises=True),
    case("reshape", rand(3, 4), (4, 3)),
    case("reshape", T(rand(3, 4)), (-1,)),
    case("reshape", rand(), (1, 1)),
    case("expand", rand(3, 1), 3, 4, method=True),
    case("expand", rand(3, 1), 2, -1, 5, method=True),
    case("expand", rand(3, 2), 3, 4, method=True, raises=True),
    case("permute", rand(2, 3, 4), (2, 0, 1)),
    case("permute", rand(2, 3, 4), (0, 1), raises=True),
    case("transpose", rand(2, 3, 4), 0, -1),
    case("transpose", Sl(rand(3, 4)), 0, 1),
    case("t", rand(3, 4)),
    case("t", rand(4)),
    case("t", rand(2, 3, 4), raises=True),
    case("unsqueeze", rand(3, 4), 1),
    case("unsqueeze", rand(3, 4), -1),
    case("unsqueeze", rand(3, 4), 3, raises=True),
    case("squeeze", rand(3, 1, 4, 1)),
    case("squeeze", rand(3, 1, 4), 1),
    case("squeeze", rand(3, 1, 4), 0),
    case("squeeze", rand(3, 1, 4, 1), (1, 3)),
    case("T", rand(2, 3), fn=lambda lib, a: a.T),
    case("mT", rand(2, 3, 4), fn=lambda lib, a: a.mT),
]
