"""ember.cuda: the GPU device on CuPy (its full API comes with the GPU issue)."""

from __future__ import annotations

from ember._device import cupy_module


def is_available() -> bool:
    """Whether CuPy imports and sees at least one NVIDIA GPU."""
    return cupy_module() is not None


def device_count() -> int:
    cp = cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()
