"""Samples for ember/ops/creation.py (deterministic factories; random ones are tested by statistics)."""

import numpy as np

from tests.oracle.harness import DT, case

CASES = [
    case("tensor", [1, 2, 3]),
    case("tensor", [1.0, 2]),
    case("tensor", [[True, False]]),
    case("tensor", 3.5),
    case("tensor", [1, 2], dtype=DT("float64")),
    case("tensor", np.arange(3, dtype=np.int16)),
    case("zeros", 2, 3),
    case("zeros", (2, 3), dtype=DT("int32")),
    case("ones", [4]),
    case("full", (2, 2), 7),
    case("full", (2, 2), 7.5),
    case("full", (2,), True),
    case("arange", 5),
    case("arange", 1, 4, 0.5),
    case("arange", 0, 1, 0.1),
    case("arange", 5, dtype=DT("float32")),
    case("arange", 0, 5, 0, raises=True),
]
