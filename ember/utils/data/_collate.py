"""``default_collate`` / ``default_convert``: turning lists of samples into batches of tensors.

Tensor and NumPy fields are stacked with one ``np.stack`` per field; Python numbers become
tensors with PyTorch's dtypes (float -> float64, int -> int64, bool -> bool); strings pass
through; mappings, named tuples and sequences are collated field by field.
"""

from __future__ import annotations

import collections.abc
import copy
import re

import numpy as np

from ember import _dtype as D
from ember._tensor import Tensor, _make
from ember.ops.creation import tensor as _tensor

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

_STRING_DTYPE = re.compile(r"[SaUO]")
_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _cpu():
    from ember._device import canonical
    return canonical("cpu")


_CPU = _cpu()


def _shape_list(t: Tensor) -> str:
    return "[" + ", ".join(str(s) for s in t._data.shape) + "]"


def collate_tensor_fn(batch, *, collate_fn_map=None) -> Tensor:
    """Stack tensors along a new first dimension (one ``np.stack``)."""
    elem = batch[0]
    dt, dev = elem._dtype, elem._device
    shape = elem._data.shape
    for i, t in enumerate(batch):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {_shape_list(elem)} at entry 0 "
                               f"and {_shape_list(t)} at entry {i}")
    if dev.type != "cpu" or any(t._dtype is not dt or t._device != dev or t._requires_grad for t in batch):
        from ember.ops.shape import stack
        return stack(batch, 0)
    return _make(np.stack([t._data for t in batch]), dt, dev)


def collate_numpy_array_fn(batch, *, collate_fn_map=None) -> Tensor:
    elem = batch[0]
    if _STRING_DTYPE.search(elem.dtype.str) is not None:
        raise TypeError(_ERR.format(elem.dtype))
    shape = elem.shape
    if any(a.shape != shape for a in batch):
        return collate_tensor_fn([_make(np.asarray(a), D.from_numpy_dtype(a.dtype), _CPU) for a in batch])
    arr = np.stack(batch)
    return _make(arr, D.from_numpy_dtype(arr.dtype), _CPU)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None) -> Tensor:
    if isinstance(batch[0], (np.str_, np.bytes_)):
        return batch
    arr = np.array(batch)
    return _make(arr, D.from_numpy_dtype(arr.dtype), _CPU)


def collate_float_fn(batch, *, collate_fn_map=None) -> Tensor:
    return _make(np.array(batch, dtype=np.float64), D.float64, _CPU)


def collate_int_fn(batch, *, collate_fn_map=None) -> Tensor:
    return _tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    np.generic: collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def _is_numpy_value(elem) -> bool:
    return type(elem).__module__ == "numpy" and not isinstance(elem, (np.str_, np.bytes_))


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate ``batch`` (a list of samples of one structure) using ``collate_fn_map`` (type -> function)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        values = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(values)
                return clone
            return elem_type(values)
        except TypeError:
            return values
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence) and not isinstance(elem, (str, bytes)):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, col in enumerate(columns):
                    clone[i] = col
                return clone
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch):
    """Batch a list of samples: tensors/arrays stacked, numbers to tensors, containers collated per field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data):
    """Convert NumPy arrays (and scalars) anywhere inside ``data`` to tensors, sharing memory; no batching."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(data):
        if isinstance(data, np.ndarray) and _STRING_DTYPE.search(data.dtype.str) is not None:
            return data
        if isinstance(data, (np.ndarray, np.generic)):
            arr = np.asarray(data)
            return _make(arr, D.from_numpy_dtype(arr.dtype), _CPU)
        return data
    if isinstance(data, collections.abc.Mapping):
        values = {key: default_convert(data[key]) for key in data}
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update(values)
                return clone
            return type(data)(values)
        except TypeError:
            return values
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        values = [default_convert(d) for d in data]
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, v in enumerate(values):
                    clone[i] = v
                return clone
            return type(data)(values)
        except TypeError:
            return values
    return data
