"""Fuzzing ember.load with mutated real checkpoints.

Allowed outcomes: a successful load, a ``RuntimeError`` (corrupt, truncated or foreign data; the cause chained), or a
``pickle.UnpicklingError`` from the weights-only guard (a mutated global name is not on the allowlist). Anything else
(KeyError, struct.error, zipfile.BadZipFile, EOFError, ...) leaking out, or a hang, is a bug.
"""

import collections
import io
import pickle

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember


def _checkpoints():
    sd = collections.OrderedDict(w=torch.arange(12.0).reshape(3, 4), b=torch.ones(3, dtype=torch.int64),
                                 h=torch.tensor(1.5, dtype=torch.bfloat16))
    sd._metadata = {"": {"version": 1}}
    obj = {"sd": sd, "view": sd["w"][1:], "size": torch.Size([2]), "dt": torch.float16, "p": torch.nn.Parameter(
        torch.zeros(2)), "list": [1, "a", (2.5, None)]}
    out = []
    for legacy in (False, True):
        buf = io.BytesIO()
        torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
        out.append(buf.getvalue())
    buf = io.BytesIO()
    ember.save({"w": ember.arange(6.0), "v": ember.arange(6.0)[2:]}, buf)
    out.append(buf.getvalue())
    return out


CHECKPOINTS = _checkpoints()


def _mutate(data: bytes, kind: int, pos: int, payload: bytes, length: int) -> bytes:
    pos %= len(data)
    if kind == 0:  # flip bytes
        b = bytearray(data)
        for i, x in enumerate(payload or b"\xff"):
            if pos + i < len(b):
                b[pos + i] ^= x or 1
        return bytes(b)
    if kind == 1:  # truncate
        return data[:pos]
    if kind == 2:  # insert
        return data[:pos] + payload + data[pos:]
    return data[:pos] + data[pos + length:]  # delete a range


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pickletools decoding mutated STRING opcodes
@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, len(CHECKPOINTS) - 1), kind=st.integers(0, 3), pos=st.integers(0, 1 << 20),
       payload=st.binary(min_size=0, max_size=8), length=st.integers(1, 64))
def test_mutated_checkpoints_fail_cleanly(which, kind, pos, payload, length):
    data = _mutate(CHECKPOINTS[which], kind, pos, payload, length)
    try:
        ember.load(io.BytesIO(data))
    except pickle.UnpicklingError as e:
        assert str(e).startswith("Weights only load failed."), e
    except RuntimeError as e:
        assert str(e)


@pytest.mark.parametrize("which", range(len(CHECKPOINTS)))
def test_unmutated_checkpoints_load(which):
    assert ember.load(io.BytesIO(CHECKPOINTS[which]))
