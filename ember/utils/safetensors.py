"""safetensors files for ember tensors (``safetensors.torch``'s API: ``save_file``, ``load_file``, ``save``, ``load``).

Writing goes through the ``safetensors`` package's NumPy API (``safetensors.numpy.save`` / ``save_file``), which
handles bfloat16 arrays (``ml_dtypes``) too. Reading goes through ``safetensors.deserialize`` (``load``) or a
header parse of the file (``load_file``; the format is an 8-byte little-endian header length, a JSON header mapping
names to ``dtype``/``shape``/``data_offsets``, then the raw little-endian data), because ``safetensors.numpy``'s
readers know no bfloat16. ``safetensors`` is an optional dependency, imported on first use.
"""

from __future__ import annotations

import json
import os
import struct
import sys

import numpy as np

from ember import _dtype as D
from ember._device import CPU, canonical, to_backend
from ember._tensor import Tensor, _from_array

__all__ = ["save_file", "load_file", "save", "load"]

# safetensors dtype codes; complex128 has none (safetensors itself refuses it)
_CODES = {
    "F64": D.float64, "F32": D.float32, "F16": D.float16, "BF16": D.bfloat16, "I64": D.int64, "I32": D.int32,
    "I16": D.int16, "I8": D.int8, "U8": D.uint8, "BOOL": D.bool_, "C64": D.complex64,
}
_MAX_HEADER = 100 * 1024 * 1024


def _safetensors_numpy():
    try:
        import safetensors.numpy as stn  # noqa: PLC0415  (optional dependency)
    except ImportError as e:
        raise ImportError("ember.utils.safetensors needs the safetensors package: pip install safetensors") from e
    return stn


def _to_arrays(tensors: dict) -> dict:
    if not isinstance(tensors, dict):
        raise TypeError(f"expected a dict of [str, ember.Tensor] but received {type(tensors).__name__}")
    out = {}
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, got {type(name).__name__}")
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected ember.Tensor but received {type(t).__name__}")
        if t._dtype is D.complex128:
            raise ValueError(f"Key `{name}`: safetensors has no dtype for ember.complex128")
        arr = t._host()
        if not arr.flags.c_contiguous:
            arr = arr.copy(order="C")  # (np.ascontiguousarray would make a 0-dim array 1-dim)
        if sys.byteorder == "big":
            arr = arr.astype(arr.dtype.newbyteorder("<"))
        out[name] = arr
    return out


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The safetensors encoding of a dict of tensors (``safetensors.torch.save``)."""
    return _safetensors_numpy().save(_to_arrays(tensors), metadata=metadata)


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write a dict of tensors to a safetensors file (``safetensors.torch.save_file``)."""
    _safetensors_numpy().save_file(_to_arrays(tensors), os.fspath(filename), metadata=metadata)


def _tensor(code, shape, raw, device):
    dtype = _CODES.get(code)
    if dtype is None:
        raise ValueError(f"ember cannot load safetensors dtype {code}")
    shape = tuple(int(n) for n in shape)
    arr = raw if isinstance(raw, np.ndarray) else np.frombuffer(raw, dtype=dtype.np).copy()
    if sys.byteorder == "big":
        arr = arr.byteswap()
    arr = arr.reshape(shape)
    dev = canonical(device)
    if dev != CPU:
        arr = to_backend(arr, dev)
    return _from_array(arr, dtype, dev)


def load(data: bytes) -> dict:
    """The tensors of a safetensors encoding (``safetensors.torch.load``)."""
    import safetensors  # noqa: PLC0415
    _safetensors_numpy()
    return {name: _tensor(info["dtype"], info["shape"], info["data"], "cpu")
            for name, info in safetensors.deserialize(bytes(data))}


def load_file(filename, device="cpu") -> dict:
    """The tensors of a safetensors file (``safetensors.torch.load_file``), on ``device``."""
    _safetensors_numpy()
    with open(os.fspath(filename), "rb") as f:
        size = os.fstat(f.fileno()).st_size
        raw = f.read(8)
        if len(raw) != 8:
            raise ValueError("Error while deserializing header: HeaderTooSmall")
        (n,) = struct.unpack("<Q", raw)
        if n > _MAX_HEADER or 8 + n > size:
            raise ValueError("Error while deserializing header: HeaderTooLarge")
        try:
            header = json.loads(f.read(n))
        except ValueError as e:
            raise ValueError("Error while deserializing header: InvalidHeader") from e
        if not isinstance(header, dict):
            raise ValueError("Error while deserializing header: InvalidHeader")
        header.pop("__metadata__", None)
        base = 8 + n
        entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
        out = {}
        for name, info in entries:
            begin, end = info["data_offsets"]
            dtype = _CODES.get(info["dtype"])
            count = int(np.prod(info["shape"], dtype=np.int64)) if info["shape"] else 1
            if dtype is None:
                raise ValueError(f"ember cannot load safetensors dtype {info['dtype']}")
            if not 0 <= begin <= end or base + end > size or end - begin != count * dtype.itemsize:
                raise ValueError(f"Error while deserializing header: InvalidOffset({name!r})")
            f.seek(base + begin)
            arr = np.empty(count, dtype.np)
            if f.readinto(arr.view(np.uint8)) != end - begin:
                raise ValueError(f"Error while deserializing header: InvalidOffset({name!r})")
            out[name] = _tensor(info["dtype"], info["shape"], arr, device)
        return {name: out[name] for name in header}
