"""Every sample of every op, run in ember and in real PyTorch and compared."""

import pytest

import ember
from tests.oracle.harness import run_case
from tests.oracle.samples import ALL_CASES, FAMILY

torch = pytest.importorskip("torch", reason="the oracle suite needs PyTorch: pip install -e '.[test]'")


def _ids():
    seen = {}
    ids = []
    for c in ALL_CASES:
        base = f"{FAMILY[id(c)]}/{c.id or c.op}"
        seen[base] = seen.get(base, -1) + 1
        ids.append(f"{base}-{seen[base]}")
    return ids


@pytest.mark.parametrize("c", ALL_CASES, ids=_ids())
def test_matches_torch(c):
    run_case(c, ember, torch)
