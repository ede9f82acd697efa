"""Samples for ember/ops/indexing.py."""


from tests.oracle.harness import case, rand

CASES = [
    case("getitem", rand(3, 4), fn=lambda lib, a: a[1]),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[:, 1:3]),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[None, ..., 0]),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[lib.tensor([0, 2, 0])]),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[a > 0]),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[5], raises=True),
]
