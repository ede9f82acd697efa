"""ember.cuda: the GPU device on CuPy (its full API comes with the GPU issue).

What is here behaves as PyTorch's does on a machine without a GPU: seeding and
``empty_cache`` do nothing, queries that need a device raise PyTorch's AssertionError.
"""

from __future__ import annotations

from ember._device import cupy_module


def is_available() -> bool:
    """Whether CuPy imports and sees at least one NVIDIA GPU."""
    return cupy_module() is not None


def device_count() -> int:
    cp = cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def _require_cuda(what: str) -> None:
    if not is_available():
        raise AssertionError("Torch not compiled with CUDA enabled (ember: CuPy is not installed or sees no GPU; "
                             f"ember.cuda.{what} needs one)")


def manual_seed(seed: int) -> None:
    """Seed the GPU generators; without a GPU it does nothing, as in PyTorch (seeding is lazy)."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's generator; without a GPU it does nothing, as in PyTorch."""
    int(seed)


def empty_cache() -> None:
    """Give cached GPU memory back to the driver (CuPy's memory pool); nothing to do without a GPU."""
    cp = cupy_module()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return is_available()


def synchronize(device=None) -> None:
    _require_cuda("synchronize")
    cupy_module().cuda.Device().synchronize()


def current_device() -> int:
    _require_cuda("current_device")
    return cupy_module().cuda.Device().id
