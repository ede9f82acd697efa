"""Devices: parsing, equality, printing (against torch), cuda availability, mixed-device errors."""

import numpy as np
import pytest

import ember
from ember._tensor import _make

torch = pytest.importorskip("torch", reason="device oracle tests need PyTorch: pip install -e '.[test]'")


@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 0), ("meta",)])
def test_device_matches_torch(args):
    e, t = ember.device(*args), torch.device(*args)
    assert (e.type, e.index) == (t.type, t.index)
    assert repr(e) == repr(t)
    assert str(e) == str(t)


def test_bare_index_needs_an_accelerator():
    if ember.cuda.is_available():
        assert ember.device(0) == ember.device("cuda", 0)
        return
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is available"):
            lib.device(0)


@pytest.mark.parametrize("bad", ["gpu", "cuda:x", "cpu:-1"])
def test_bad_device_strings_raise_runtime_error(bad):
    with pytest.raises(RuntimeError):
        torch.device(bad)
    with pytest.raises(RuntimeError):
        ember.device(bad)


def test_device_equality_and_hash():
    assert ember.device("cpu") == ember.device("cpu") == "cpu"
    assert ember.device("cuda", 0) != ember.device("cuda", 1)
    assert len({ember.device("cpu"), ember.device("cpu")}) == 1


def test_tensors_live_on_cpu_by_default():
    t = ember.zeros(2)
    assert t.device == ember.device("cpu") and t.is_cpu and not t.is_cuda and t.get_device() == -1
    assert t.cpu() is t and t.to("cpu") is t


def test_cuda_availability_without_a_gpu():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present: the cuda suite covers this machine")
    assert ember.cuda.device_count() == 0
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ember.zeros(2, device="cuda")


def test_mixing_devices_in_one_op_raises_torch_error():
    a = ember.ones(3)
    fake_gpu = _make(np.ones(3, np.float32), ember.float32, ember.device("cuda", 0))  # array stands in
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but found at least "
                                           "two devices, cpu and cuda:0"):
        a + fake_gpu
