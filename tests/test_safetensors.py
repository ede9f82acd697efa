"""ember.utils.safetensors against safetensors.torch (files and bytes, both directions, bfloat16 included)."""

import sys

import ml_dtypes
import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors import torch as st

import ember
import ember.utils.safetensors as es
from ember._tensor import _from_array

DTYPES = ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool",
          "complex64"]


def _np(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def _random(dtype, shape, seed):
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.rand(shape, generator=g) > 0.5
    if dtype.is_complex or dtype.is_floating_point:
        return (torch.randn(shape, generator=g, dtype=torch.complex64 if dtype.is_complex else torch.float32)
                * 3).to(dtype)
    return torch.randint(0, 100, shape, generator=g, dtype=dtype)


def _pair():
    tt = {d: _random(getattr(torch, d), (3, 2), i) for i, d in enumerate(DTYPES)}
    tt["scalar"] = torch.tensor(2.5)
    tt["empty"] = torch.zeros(0, 4)
    te = {k: _from_array(np.array(_np(v)), getattr(ember, str(v.dtype).split(".")[1])) for k, v in tt.items()}
    return te, tt


def _check(e: dict, t: dict):
    assert sorted(e) == sorted(t)
    for k in t:
        assert str(e[k].dtype).split(".")[1] == str(t[k].dtype).split(".")[1], k
        assert tuple(e[k].shape) == tuple(t[k].shape), k
        np.testing.assert_array_equal(np.asarray(e[k]._data), _np(t[k]))


def test_save_file_read_by_safetensors_torch(tmp_path):
    te, tt = _pair()
    te["noncontig"] = te["float32"].t()  # a transposed view is written as its values
    tt["noncontig"] = tt["float32"].t()
    es.save_file(te, tmp_path / "e.safetensors", metadata={"format": "pt", "k": "v"})
    got = st.load_file(tmp_path / "e.safetensors")
    for k in tt:
        assert got[k].dtype == tt[k].dtype and torch.equal(got[k], tt[k]), k
    with safe_open(tmp_path / "e.safetensors", framework="pt") as f:
        assert f.metadata() == {"format": "pt", "k": "v"}


def test_load_file_of_safetensors_torch(tmp_path):
    te, tt = _pair()
    st.save_file(tt, tmp_path / "t.safetensors")
    got = es.load_file(tmp_path / "t.safetensors")
    _check(got, tt)
    assert got["float32"].device == ember.device("cpu")
    got["float32"][0, 0] = 7.0  # loaded tensors own writable memory
    assert got["float32"][0, 0].item() == 7.0


def test_bytes_both_ways():
    te, tt = _pair()
    _check(es.load(st.save(tt)), tt)
    got = st.load(es.save(te))
    for k in tt:
        assert got[k].dtype == tt[k].dtype and torch.equal(got[k], tt[k]), k


def test_same_bytes_as_safetensors_torch():
    te, tt = _pair()
    assert es.save(te, metadata={"a": "b"}) == st.save(tt, metadata={"a": "b"})


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="complex128"):
        es.save({"c": ember.zeros(2, dtype=ember.complex128)})
    with pytest.raises(KeyError):  # safetensors.torch has no complex128 either
        st.save({"c": torch.zeros(2, dtype=torch.complex128)})
    with pytest.raises(ValueError):
        es.save({"x": [1, 2]})
    (tmp_path / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    with pytest.raises(ValueError):
        es.load_file(tmp_path / "bad.safetensors")
    with pytest.raises(Exception):  # noqa: B017  (safetensors' own error type)
        st.load_file(tmp_path / "bad.safetensors")


def test_missing_package_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        es.save({"x": ember.ones(1)})
