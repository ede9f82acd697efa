"""Tensor factories: tensor, as_tensor, from_numpy, zeros, ones, full, empty, arange, ...

Factories make arrays directly on the requested device's backend; they are not
differentiable ops, so they do not pass through the op registry.
"""

from __future__ import annotations

import numpy as np

from ember import _dtype as D
from ember._device import canonical, device_of_array, to_backend, xp_of
from ember._tensor import Tensor, _from_array, _make
from ember.autograd import grad_mode
from ember.ops._util import parse_size

__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "from_dlpack",
    "zeros",
    "ones",
    "empty",
    "full",
    "arange",
]


def _finish(arr, dtype: D.dtype, device, requires_grad: bool) -> Tensor:
    t = _make(arr, dtype, device)
    if requires_grad:
        t.requires_grad_(True)
    if grad_mode.state.inference:
        t._autograd_meta().is_inference = True
    return t


def _infer_dtype(data) -> D.dtype | None:
    """PyTorch's dtype for nested Python data: bool < int64 < default float < default complex."""
    best = None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            d = x._dtype
        elif isinstance(x, np.ndarray):
            d = D.from_numpy_dtype(x.dtype)
        elif isinstance(x, np.generic):
            d = D.from_numpy_dtype(x.dtype)
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        else:
            d = D.scalar_dtype(x)
        if (
            best is None
            or d.category > best.category
            or (d.category == best.category and d.category >= D.FLOAT and d.itemsize > best.itemsize)
        ):
            best = d
    return best


def _to_host_nested(data):
    if isinstance(data, Tensor):
        return data._host()
    if isinstance(data, (list, tuple)):
        return [_to_host_nested(x) for x in data]
    return data


def tensor(
    data, *, dtype: D.dtype | None = None, device=None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, arrays or tensors)."""
    dev = (
        canonical(device)
        if device is not None
        else (data._device if isinstance(data, Tensor) else canonical(None))
    )
    if isinstance(data, Tensor):
        arr = data._host()
        dt = dtype or data._dtype
    elif isinstance(data, np.ndarray):
        arr = data
        dt = dtype or D.from_numpy_dtype(data.dtype)
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        inferred = _infer_dtype(data)
        dt = dtype or inferred or D._default.value
        arr = np.array(_to_host_nested(data), dtype=None if inferred is None else None)
        if arr.dtype == object:
            raise ValueError("expected sequence of length ... at dim ... : ragged nested sequences")
    arr = np.array(arr, dtype=dt.np, copy=True)
    return _finish(to_backend(arr, dev), dt, dev, requires_grad)


def as_tensor(data, dtype: D.dtype | None = None, device=None) -> Tensor:
    """Share memory with ``data`` where possible (tensors, NumPy arrays of the same dtype)."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype or data._dtype, device=device or data._device)
    if isinstance(data, np.ndarray) and device is None:
        dt = dtype or D.from_numpy_dtype(data.dtype)
        if data.dtype == dt.np:
            return _make(data, dt, canonical(None))
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    if copy:
        t = tensor(obj, dtype=dtype, device=device)
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _make(ndarray, D.from_numpy_dtype(ndarray.dtype), canonical(None))


def from_dlpack(ext_tensor) -> Tensor:
    """Zero-copy import of any object implementing ``__dlpack__`` (NumPy, CuPy, PyTorch, JAX)."""
    dev_type, _ = ext_tensor.__dlpack_device__()
    if int(dev_type) == 1:  # kDLCPU
        arr = np.from_dlpack(ext_tensor)
    else:
        arr = xp_of(canonical("cuda")).from_dlpack(ext_tensor)
    return _from_array(arr, D.from_numpy_dtype(arr.dtype), device_of_array(arr))


def _factory(fill, size, dtype, device, requires_grad, out=None) -> Tensor:
    shape = parse_size(size)
    dt = dtype or D._default.value
    dev = canonical(device)
    xp = xp_of(dev)
    if fill is None:
        arr = xp.empty(shape, dtype=dt.np)
    elif fill == 0:
        arr = xp.zeros(shape, dtype=dt.np)
    else:
        arr = xp.full(shape, fill, dtype=dt.np)
    t = _finish(arr, dt, dev, requires_grad)
    if out is not None:
        from ember.ops._util import write_out

        return write_out(out, t)
    return t


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    return _factory(0, size, dtype, device, requires_grad, out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    return _factory(1, size, dtype, device, requires_grad, out)


def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
) -> Tensor:
    return _factory(None, size, dtype, device, requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    if dtype is None:
        dtype = D.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _factory(fill_value, (size,), dtype, device, requires_grad, out)


def arange(
    start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    vals = [float(v) if isinstance(v, Tensor) and v.is_floating_point() else v for v in (start, end, step)]
    vals = [int(v) if isinstance(v, Tensor) else v for v in vals]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = D._default.value if any(isinstance(v, float) for v in vals) else D.int64
    dev = canonical(device)
    xp = xp_of(dev)
    n = int(np.ceil((end - start) / step))
    arr = (
        (xp.arange(n, dtype=np.float64) * step + start)
        if dtype.category >= D.FLOAT
        else xp.arange(start, end, step, dtype=np.int64)
    )
    t = _finish(arr.astype(dtype.np), dtype, dev, requires_grad)
    if out is not None:
        from ember.ops._util import write_out

        return write_out(out, t)
    return t
