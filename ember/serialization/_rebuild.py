"""What PyTorch's pickled names turn into when ember loads a checkpoint.

``TORCH_GLOBALS`` maps the ``module.name`` of every global that ``torch.load(weights_only=True)`` accepts by default
to its ember equivalent (rebuild functions, storage types, dtypes, ``Size``, ``device``, ``Tensor``, ``Parameter``
and a few builtins).
"""

from __future__ import annotations

import builtins
import codecs
from collections import Counter, OrderedDict

import numpy as np

from ember import _dtype as D
from ember._device import CPU, canonical, cupy_module, to_backend
from ember._device import device as _device_cls
from ember._tensor import Size, Tensor, _make
from ember.nn.parameter import Parameter
from ember.serialization._save import STORAGE_NAMES


class StorageType:
    """``torch.<Type>Storage`` as named in a pickle: it only carries the element dtype."""

    __slots__ = ("name", "dtype")

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


class LoadedStorage:
    """A storage being loaded: a flat array of ``dtype`` on ``device`` (what ``map_location`` callables receive)."""

    __slots__ = ("array", "dtype", "device")

    def __init__(self, array, dtype, device):
        self.array, self.dtype, self.device = array, dtype, device

    def size(self) -> int:
        return int(self.array.size)

    __len__ = size

    def nbytes(self) -> int:
        return int(self.array.size) * self.dtype.itemsize

    def element_size(self) -> int:
        return self.dtype.itemsize

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def to(self, device=None, non_blocking=False):
        dev = canonical(device)
        if dev == self.device:
            return self
        return LoadedStorage(to_backend(self.array, dev), self.dtype, dev)

    def cpu(self):
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False):
        if isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device or "cuda")

    def __repr__(self):
        return f"LoadedStorage(dtype={self.dtype}, size={self.size()}, device={self.device})"


def _check_storage(storage):
    if not isinstance(storage, LoadedStorage):
        raise RuntimeError(f"expected a storage to rebuild a tensor from, got {type(storage).__name__}")


def _int_tuple(x, what):
    if not isinstance(x, (tuple, list)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in x):
        raise RuntimeError(f"invalid tensor {what} in checkpoint: {x!r}")
    return tuple(x)


def _view(storage: LoadedStorage, dtype, storage_offset, size, stride):
    """The tensor ``as_strided(storage, size, stride, storage_offset)``, sharing the storage's memory."""
    _check_storage(storage)
    size = _int_tuple(size, "size")
    stride = _int_tuple(stride, "stride")
    if not isinstance(storage_offset, int) or storage_offset < 0:
        raise RuntimeError(f"invalid storage offset in checkpoint: {storage_offset!r}")
    if len(size) != len(stride) or any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"invalid tensor geometry in checkpoint: sizes {list(size)}, strides {list(stride)}")
    arr = storage.array
    if dtype is not storage.dtype:
        if arr.nbytes % dtype.itemsize:
            raise RuntimeError(f"storage of {arr.nbytes} bytes cannot hold elements of {dtype}")
        arr = arr.view(dtype.np)
    numel = int(arr.size)
    item = dtype.itemsize
    if 0 in size:
        needed = storage_offset
    else:
        needed = storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if needed > numel:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{storage_offset}, and itemsize {item} requiring a storage size of {needed * item} are "
                           f"out of bounds for storage of size {numel * item}")
    byte_strides = tuple(s * item for s in stride)
    if 0 in size:
        out = arr[storage_offset:storage_offset].reshape(size)
    elif isinstance(arr, np.ndarray):
        out = np.ndarray(size, dtype.np, arr, storage_offset * item, byte_strides)
    else:
        out = cupy_module().ndarray(size, dtype.np, arr.data + storage_offset * item, byte_strides)
    return _make(out, dtype, storage.device)


def _rebuild_tensor(storage, storage_offset, size, stride):
    _check_storage(storage)
    return _view(storage, storage.dtype, storage_offset, size, stride)


def _set_requires_grad(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _set_requires_grad(_rebuild_tensor(storage, storage_offset, size, stride), requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    if not isinstance(dtype, D.dtype):
        raise RuntimeError(f"invalid dtype in checkpoint: {dtype!r}")
    return _set_requires_grad(_view(storage, dtype, storage_offset, size, stride), requires_grad)


def _check_tensor(data):
    if not isinstance(data, Tensor):
        raise RuntimeError(f"expected a tensor to rebuild a parameter from, got {type(data).__name__}")


def _rebuild_parameter(data, requires_grad, backward_hooks):
    _check_tensor(data)
    return Parameter(data, bool(requires_grad))


def _set_state(obj, state):
    if not state:
        return obj
    slots = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
    for mapping in (state, slots):
        if mapping:
            if not isinstance(mapping, dict):
                raise RuntimeError(f"invalid object state in checkpoint: {type(mapping).__name__}")
            for k, v in mapping.items():
                setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if isinstance(new_type, type) and issubclass(new_type, Tensor) and isinstance(ret, Tensor) \
            and type(ret) is not new_type:
        ret.__class__ = new_type
    return _set_state(ret, state)


def _unsupported(what):
    def rebuild(*args, **kwargs):
        raise RuntimeError(f"ember cannot load {what} from a checkpoint")
    rebuild.__name__ = rebuild.__qualname__ = f"_unsupported_{what.replace(' ', '_')}"
    return rebuild


def _bytearray(*args):
    if args and isinstance(args[0], int):  # bytearray(n) would allocate n bytes from a number in the file
        raise RuntimeError("refusing bytearray(int) while loading a checkpoint")
    return bytearray(*args)


def _encode(obj, encoding="utf-8", errors="strict"):
    return codecs.encode(obj, encoding, errors)


def _build_table() -> dict:
    table = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": _device_cls,
        "_codecs.encode": _encode,
        "builtins.bytearray": _bytearray,
        "builtins.set": builtins.set,
        "builtins.complex": builtins.complex,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    }
    for name, what in (("_rebuild_qtensor", "quantized tensors"), ("_rebuild_sparse_tensor", "sparse tensors"),
                       ("_rebuild_meta_tensor_no_storage", "meta tensors"),
                       ("_rebuild_nested_tensor", "nested tensors"),
                       ("_rebuild_wrapper_subclass", "tensor wrapper subclasses"),
                       ("_rebuild_device_tensor_from_numpy", "device tensors saved from numpy"),
                       ("_rebuild_device_tensor_from_cpu_tensor", "device tensors saved from cpu tensors")):
        table[f"torch._utils.{name}"] = _unsupported(what)
    for dt in D.ALL_DTYPES:
        table[f"torch.{dt.name}"] = dt
        table[f"torch.{STORAGE_NAMES[dt.name]}"] = StorageType(STORAGE_NAMES[dt.name], dt)
    for name in ("UntypedStorage", "storage.UntypedStorage"):
        table[f"torch.{name}"] = StorageType(name, D.uint8)
    return table


TORCH_GLOBALS = _build_table()
