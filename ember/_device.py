"""Devices and the array backends behind them.

A device names where a tensor's array lives: ``cpu`` arrays are NumPy arrays, ``cuda``
arrays are CuPy arrays. Op code never branches on the device: it takes the array
namespace ``xp`` (``numpy`` or ``cupy``) that dispatch hands it from the inputs' device.
"""

from __future__ import annotations

import functools

import numpy as np


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            if cupy_module() is None:  # a bare index means the current accelerator
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed "
                                   f"explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta device type at start of device string: " + type)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


@functools.cache
def cupy_module():
    """CuPy when it imports and sees a GPU, else None."""
    try:
        import cupy  # noqa: PLC0415
        if cupy.cuda.runtime.getDeviceCount() > 0:
            return cupy
    except Exception:  # ImportError, or CUDA present but unusable
        return None
    return None


def canonical(dev) -> device:
    """The device a tensor is put on: ``'cuda'`` means the current GPU (index 0 for now)."""
    if dev is None:
        return CPU
    if not isinstance(dev, device):
        dev = device(dev)
    if dev.type == "cpu":
        return CPU
    if dev.type == "cuda":
        if cupy_module() is None:
            raise AssertionError("Torch not compiled with CUDA enabled")
        return _cuda_device(dev.index or 0)
    raise NotImplementedError(f"ember has no backend for device type '{dev.type}'")


@functools.cache
def _cuda_device(index: int) -> device:
    return device("cuda", index)


def broadcast_view(xp, a, shape: tuple):
    """A read-only view of ``a`` broadcast to ``shape`` (as ``xp.broadcast_to``).

    For C-contiguous NumPy arrays the view is built directly from the strides, which costs
    a fifth of ``np.broadcast_to`` (5 us): ``expand`` runs in every full reduction's backward."""
    if type(a) is np.ndarray and a.flags.c_contiguous:
        lead = len(shape) - a.ndim
        strides = (0,) * lead + tuple(0 if n == 1 and m != 1 else s
                                      for n, m, s in zip(a.shape, shape[lead:], a.strides))
        out = np.ndarray(shape, a.dtype, a, 0, strides)
        out.flags.writeable = False
        return out
    return xp.broadcast_to(a, shape)


def xp_of(dev: device):
    """The array namespace for a device."""
    return np if dev.type == "cpu" else cupy_module()


def device_of_array(arr) -> device:
    if isinstance(arr, np.ndarray):
        return CPU
    cp = cupy_module()
    if cp is not None and isinstance(arr, cp.ndarray):
        return _cuda_device(arr.device.id)
    raise TypeError(f"not an array ember can hold: {type(arr).__name__}")


def to_backend(arr, dev: device):
    """Move an array to the backend of ``dev`` (a copy when the device changes)."""
    if dev.type == "cpu":
        if isinstance(arr, np.ndarray):
            return arr
        return arr.get()
    cp = cupy_module()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(arr)
