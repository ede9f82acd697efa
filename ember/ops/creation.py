"""Tensor factories: tensor, as_tensor, from_numpy, zeros, ones, full, empty, arange, linspace, ...

Factories make arrays directly on the requested device's backend; they are not
differentiable ops, so they do not pass through the op registry (``complex`` and
``polar``, which are differentiable, are registered ops).

Known differences from PyTorch:
- floating ``arange`` values are ``start + i * step`` computed in float64 and rounded
  once; PyTorch's vectorised kernel adds ``i * step`` in float32 within each SIMD group,
  so large float32 ranges can differ in the last bit;
- there is no complex32: where PyTorch would pick it (float16 default dtype with complex
  data), ember uses complex64.
"""

from __future__ import annotations

import math

import numpy as np

from ember import _dtype as D
from ember._device import canonical, device_of_array, to_backend, xp_of
from ember._dispatch import dispatch
from ember._tensor import Size, Tensor, _from_array, _make
from ember._tensor_str import get_printoptions, printoptions, set_printoptions
from ember.autograd import grad_mode
from ember.ops._util import parse_size, write_out
from ember.ops.registry import defop

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
    "range",
    "linspace",
    "logspace",
    "eye",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "complex",
    "polar",
    "scalar_tensor",
    "empty_strided",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
]

_builtin_range = range
_builtin_complex = complex


def _finish(arr, dtype: D.dtype, device, requires_grad: bool) -> Tensor:
    t = _make(arr, dtype, device)
    if requires_grad:
        t.requires_grad_(True)
    if grad_mode.state.inference:
        t._autograd_meta().is_inference = True
    return t


def _maybe_out(t: Tensor, out) -> Tensor:
    return t if out is None else write_out(out, t)


# ---------------------------------------------------------------------------------------
# tensor(): nested Python data

_SEQ_TYPES = (list, tuple, _builtin_range, Size)


def _leaf_dtype(x) -> D.dtype:
    t = type(x)
    if t is float:
        return D._default.value
    if t is int:
        return D.int64
    if t is bool:
        return D.bool_
    if isinstance(x, np.generic):
        return D.from_numpy_dtype(x.dtype)
    if isinstance(x, Tensor):
        if x._data.ndim:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return x._dtype
    if isinstance(x, (bool, int, float, _builtin_complex)):
        return D.scalar_dtype(x)
    if isinstance(x, (str, bytes)):
        raise ValueError(f"too many dimensions '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _scan(data):
    """Shape and inferred dtype of nested sequences; PyTorch's errors for ragged data."""
    shape = []
    x = data
    while isinstance(x, _SEQ_TYPES) or isinstance(x, np.ndarray):
        if isinstance(x, np.ndarray):
            shape.extend(x.shape)
            break
        shape.append(len(x))
        if not len(x):
            break
        x = x[0]
    ndim = len(shape)
    best = None
    has_tensor = False
    stack = [(data, 0)]
    while stack:
        x, depth = stack.pop()
        if depth < ndim:
            if isinstance(x, np.ndarray):
                if x.shape != tuple(shape[depth:]):
                    raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} "
                                     f"(got {x.shape[0] if x.ndim else 0})")
                d = D.from_numpy_dtype(x.dtype)
                best = d if best is None else D._PROMOTE[best, d]
                continue
            if not isinstance(x, _SEQ_TYPES):
                raise TypeError("not a sequence")
            if len(x) != shape[depth]:
                raise ValueError(f"expected sequence of length {shape[depth]} at dim {depth} (got {len(x)})")
            t0 = type(x[0]) if len(x) else None
            if depth + 1 == ndim and t0 in (float, int, bool) and all(type(v) is t0 for v in x):
                d = _leaf_dtype(x[0])  # fast path: a flat run of one Python scalar type
                best = d if best is None else D._PROMOTE[best, d]
                continue
            stack.extend((v, depth + 1) for v in x)
            continue
        if isinstance(x, np.ndarray) and x.ndim == 0:
            raise TypeError("len() of unsized object")
        if isinstance(x, _SEQ_TYPES) or isinstance(x, np.ndarray):
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
        if isinstance(x, Tensor):
            has_tensor = True
        d = _leaf_dtype(x)
        best = d if best is None else D._PROMOTE[best, d]
    return tuple(shape), best, has_tensor


def _unwrap_tensors(x):
    if isinstance(x, Tensor):
        return x.item()
    if isinstance(x, _SEQ_TYPES):
        return [_unwrap_tensors(v) for v in x]
    return x


def _host_array(data, dt: D.dtype, shape) -> np.ndarray:
    try:
        arr = np.array(data, dtype=dt.np)
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow") from None
    except ValueError as e:
        if "NaN" in str(e) or "infinity" in str(e):
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow") from None
        raise
    except TypeError:
        raise TypeError("must be real number, not complex") from None
    if arr.shape != shape:
        arr = arr.reshape(shape)
    return arr


def tensor(data, *, dtype: D.dtype | None = None, device=None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested sequences, scalars, arrays or tensors).

    The dtype is inferred as PyTorch does: the promotion of every element's type (Python
    bool/int/float/complex: bool, int64, the default float, the default complex; NumPy
    scalars, arrays and 0-dim tensors: their own dtype)."""
    if isinstance(data, Tensor):
        dev = data._device if device is None else canonical(device)
        dt = dtype or data._dtype
        arr = to_backend(data._data, dev).astype(dt.np, copy=True)
        return _finish(arr, dt, dev, requires_grad)
    dev = canonical(device)
    if isinstance(data, np.ndarray):
        if any(st < 0 for st in data.strides):
            raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                             "strides are not currently supported. (You can probably work around this by making "
                             "a copy of your array  with array.copy().) ")
        dt = dtype or D.from_numpy_dtype(data.dtype)
        arr = np.array(data, dtype=dt.np, copy=True, order="C")
    else:
        if isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if hasattr(data, "__cuda_array_interface__") or (
                not isinstance(data, _SEQ_TYPES) and hasattr(data, "__array__")):
            return tensor(np.asarray(data) if not hasattr(data, "__cuda_array_interface__") else
                          _from_array(data), dtype=dtype, device=device, requires_grad=requires_grad)
        shape, inferred, has_tensor = _scan(data)
        dt = dtype or inferred or D._default.value
        if has_tensor:
            data = _unwrap_tensors(data)
        arr = _host_array(data, dt, shape)
    if dev.type != "cpu":
        arr = to_backend(arr, dev)
    return _finish(arr, dt, dev, requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A 0-dim tensor holding ``s`` (default float dtype unless ``dtype`` is given)."""
    return tensor(_unwrap_tensors(s), dtype=dtype or D._default.value, device=device, requires_grad=requires_grad)


def as_tensor(data, dtype: D.dtype | None = None, device=None) -> Tensor:
    """Share memory with ``data`` where possible (tensors, NumPy arrays of the same dtype)."""
    if isinstance(data, Tensor):
        return data.to(dtype=dtype or data._dtype, device=device or data._device)
    if isinstance(data, np.ndarray):
        dt = dtype or D.from_numpy_dtype(data.dtype)
        dev = canonical(device)
        if data.dtype == dt.np and dev.type == "cpu":
            return _make(data, dt, dev)
        return tensor(data, dtype=dt, device=dev)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    """``obj`` as a tensor, sharing memory unless ``copy=True`` or a copy is needed."""
    if copy:
        t = tensor(obj, dtype=dtype, device=device)
    else:
        if not isinstance(obj, (Tensor, np.ndarray)) and hasattr(obj, "__dlpack__") and dtype is None:
            t = from_dlpack(obj)
            if device is not None:
                t = t.to(device)
        else:
            t = as_tensor(obj, dtype=dtype, device=device)
        if copy is False and isinstance(obj, (Tensor, np.ndarray)):
            base = obj._data if isinstance(obj, Tensor) else obj
            if t._data is not base and t._data.base is not base:
                src = D.from_numpy_dtype(base.dtype)
                raise ValueError(f"can't alias tensor with dtype '{src._torch_name}' into dtype "
                                 f"'{t._dtype._torch_name}'.")
    if requires_grad:
        if t._requires_grad or isinstance(obj, Tensor):
            t = t.detach()
        t.requires_grad_(True)
    return t


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray``; writes through either are seen by both."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__module__}.{type(ndarray).__name__})")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with "
                         "negative strides are not currently supported. (You can probably work around "
                         "this by making a copy of your array  with array.copy().) ")
    if not ndarray.dtype.isnative:
        raise TypeError("given numpy array has byte order different from the native byte order. Conversion "
                        "between byte orders is currently not supported.")
    return _make(ndarray, D.from_numpy_dtype(ndarray.dtype), canonical(None))


def from_dlpack(ext_tensor) -> Tensor:
    """Zero-copy import of any object implementing ``__dlpack__`` (NumPy, CuPy, PyTorch, JAX)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor.detach()
    dev_type, _ = ext_tensor.__dlpack_device__()
    if int(dev_type) == 1:  # kDLCPU
        arr = np.from_dlpack(ext_tensor)
    else:
        arr = xp_of(canonical("cuda")).from_dlpack(ext_tensor)
    return _from_array(arr, D.from_numpy_dtype(arr.dtype), device_of_array(arr))


# ---------------------------------------------------------------------------------------
# filled tensors

def _shape(sizes, size, fname: str) -> tuple:
    if size is not None:
        sizes = (size,)
    elif not sizes:
        raise TypeError(f"{fname}() missing 1 required positional arguments: \"size\"")
    for s in sizes:
        if isinstance(s, float) or (isinstance(s, (tuple, list)) and any(isinstance(v, float) for v in s)):
            raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not float")
    shape = parse_size(sizes)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    return shape


def _factory(fill, shape, dtype, device, requires_grad, out=None) -> Tensor:
    dt = dtype or (out._dtype if out is not None else D._default.value)
    dev = canonical(device)
    xp = xp_of(dev)
    if fill is None:
        arr = xp.empty(shape, dtype=dt.np)
    elif type(fill) is int and fill == 0:
        arr = xp.zeros(shape, dtype=dt.np)
    elif type(fill) is int and fill == 1:
        arr = xp.ones(shape, dtype=dt.np)
    else:
        arr = xp.full(shape, _fill_value(fill, dt), dtype=dt.np)
    return _maybe_out(_finish(arr, dt, dev, requires_grad), out)


def _fill_value(v, dt: D.dtype):
    if isinstance(v, Tensor):
        v = v.item()
    if dt.category < D.COMPLEX and isinstance(v, _builtin_complex) and not isinstance(v, (int, float)):
        v = v.real
    if dt.category == D.INT and isinstance(v, float) and math.isfinite(v):
        v = int(v)
    return v


def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, names=None) -> Tensor:
    return _factory(0, _shape(sizes, size, "zeros"), dtype, device, requires_grad, out)


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, names=None) -> Tensor:
    return _factory(1, _shape(sizes, size, "ones"), dtype, device, requires_grad, out)


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None, names=None) -> Tensor:
    return _factory(None, _shape(sizes, size, "empty"), dtype, device, requires_grad, out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """An uninitialised tensor (ember arrays are always dense; ``stride`` is not kept)."""
    return _factory(None, _shape((size,), None, "empty_strided"), dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, names=None) -> Tensor:
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if dtype is None:
        dtype = D.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _factory(fill_value, _shape((size,), None, "full"), dtype, device, requires_grad, out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False) -> Tensor:
    """A 2-D tensor with ones on the diagonal (``n`` x ``m``, ``m`` defaulting to ``n``)."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is None:
        m = n
    elif m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = dtype or (out._dtype if out is not None else D._default.value)
    dev = canonical(device)
    arr = xp_of(dev).eye(int(n), int(m), dtype=dt.np)
    return _maybe_out(_finish(arr, dt, dev, requires_grad), out)


# ---------------------------------------------------------------------------------------
# ranges

def _scalar_arg(v):
    if isinstance(v, Tensor):
        return v.item()
    if isinstance(v, np.generic):
        return v.item()
    return v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless an argument is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = _scalar_arg(start), _scalar_arg(end), _scalar_arg(step)
    if dtype is None:
        if out is not None:
            dtype = out._dtype
        else:
            dtype = D._default.value if any(isinstance(v, float) for v in (start, end, step)) else D.int64
    if dtype is D.bool_ or dtype.category == D.COMPLEX:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dtype._torch_name}'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    for v in (start, end):
        if isinstance(v, float) and not math.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dev = canonical(device)
    xp = xp_of(dev)
    if dtype.category == D.INT:
        istart, iend, istep = int(start), int(end), int(step)
        if istep == 0:
            raise ValueError("step must be nonzero")
        if dtype is D.int64:
            sgn = (istep > 0) - (istep < 0)
            n = _int_div_trunc(iend - istart + istep - sgn, istep)
        else:
            n = math.ceil((end - start) / step)
        n = max(n, 0)
        arr = (xp.arange(n, dtype=np.int64) * istep + istart).astype(dtype.np, copy=False)
    else:
        n = max(math.ceil((end - start) / step), 0)
        arr = (xp.arange(n, dtype=np.float64) * float(step) + float(start)).astype(dtype.np, copy=False)
    return _maybe_out(_finish(arr, dtype, dev, requires_grad), out)


def _int_div_trunc(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: like arange but ``end`` is included; float by default."""
    if end is None:
        start, end = 0, start
    start, end, step = _scalar_arg(start), _scalar_arg(end), _scalar_arg(step)
    dtype = dtype or D._default.value
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = int(math.floor((end - start) / step)) + 1
    if n < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    dev = canonical(device)
    arr = (xp_of(dev).arange(n, dtype=np.float64) * step + start).astype(dtype.np)
    return _maybe_out(_finish(arr, dtype, dev, requires_grad), out)


def _linspace_values(xp, start, end, steps: int, dtype: D.dtype):
    """``steps`` evenly spaced values, filled from both ends (PyTorch's symmetric scheme)."""
    if dtype.category == D.INT:
        start, end = int(start), int(end)
    work = np.complex128 if dtype.category == D.COMPLEX else np.float64
    if steps == 1:
        return xp.full((1,), start, dtype=work)
    step = (end - start) / (steps - 1)
    i = xp.arange(steps, dtype=np.float64)
    half = steps // 2
    vals = xp.empty(steps, dtype=work)
    vals[:half] = start + i[:half] * step
    vals[half:] = end - (steps - 1 - i[half:]) * step
    return vals


def _range_dtype(dtype, out, start, end):
    if dtype is not None:
        return dtype
    if out is not None:
        return out._dtype
    if any(isinstance(v, _builtin_complex) and not isinstance(v, (int, float)) for v in (start, end)):
        return D.default_complex_dtype()
    return D._default.value


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive."""
    start, end = _scalar_arg(start), _scalar_arg(end)
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _range_dtype(dtype, out, start, end)
    dev = canonical(device)
    xp = xp_of(dev)
    if steps == 0:
        arr = xp.empty((0,), dtype=dt.np)
    else:
        vals = _linspace_values(xp, start, end, steps, dt)
        arr = (xp.trunc(vals) if dt.category == D.INT else vals).astype(dt.np)
    return _maybe_out(_finish(arr, dt, dev, requires_grad), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    start, end = _scalar_arg(start), _scalar_arg(end)
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = _range_dtype(dtype, out, start, end)
    dev = canonical(device)
    xp = xp_of(dev)
    if steps == 0:
        arr = xp.empty((0,), dtype=dt.np)
    else:
        exps = _linspace_values(xp, start, end, steps, D.float64 if dt.category != D.COMPLEX else dt)
        vals = xp.power(base, exps)
        arr = (xp.trunc(vals) if dt.category == D.INT else vals).astype(dt.np)
    return _maybe_out(_finish(arr, dt, dev, requires_grad), out)


# ---------------------------------------------------------------------------------------
# *_like

def _like(input: Tensor, fill, dtype, device, requires_grad) -> Tensor:
    dt = dtype or input._dtype
    dev = input._device if device is None else canonical(device)
    xp = xp_of(dev)
    src = input._data
    order = "K" if dev == input._device and 0 not in src.strides else "C"
    if fill is None:
        arr = xp.empty_like(src, dtype=dt.np, order=order) if dev == input._device else xp.empty(src.shape, dt.np)
    else:
        fill = _fill_value(fill, dt)
        if dev == input._device:
            arr = xp.full_like(src, fill, dtype=dt.np, order=order)
        else:
            arr = xp.full(src.shape, fill, dtype=dt.np)
    return _finish(arr, dt, dev, requires_grad)


def zeros_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like(input, 0, dtype, device, requires_grad)


def ones_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like(input, 1, dtype, device, requires_grad)


def empty_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    return _like(input, None, dtype, device, requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _like(input, fill_value, dtype, device, requires_grad)


# ---------------------------------------------------------------------------------------
# complex numbers from parts (differentiable)

@defop("complex")
def _complex(xp, real, imag):
    if real.dtype != imag.dtype:
        raise RuntimeError(f"Expected object of scalar type {_torch_name(real)} but got scalar type "
                           f"{_torch_name(imag)} for second argument")
    out_dt = np.complex128 if real.dtype == np.float64 else np.complex64
    if real.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_torch_name(real)} and {_torch_name(imag)}")
    out = xp.empty(xp.broadcast_shapes(real.shape, imag.shape), dtype=out_dt)
    out.real = real
    out.imag = imag
    return out


def _torch_name(arr) -> str:
    return D.from_numpy_dtype(arr.dtype)._torch_name


@_complex.defbackward
def _(ctx, g):
    return g.real, g.imag


def complex(real: Tensor, imag: Tensor, *, out=None) -> Tensor:
    """A complex tensor from its real and imaginary parts (float32 -> complex64, float64 -> complex128)."""
    return _maybe_out(dispatch(_complex, real, imag), out)


@defop("polar")
def _polar(xp, abs, angle):
    if abs.dtype != angle.dtype:
        raise RuntimeError(f"Expected object of scalar type {_torch_name(abs)} but got scalar type "
                           f"{_torch_name(angle)} for second argument")
    if abs.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"Expected both inputs to be Float or Double tensors but got "
                           f"{_torch_name(abs)} and {_torch_name(angle)}")
    out_dt = np.complex128 if abs.dtype == np.float64 else np.complex64
    out = xp.empty(xp.broadcast_shapes(abs.shape, angle.shape), dtype=out_dt)
    out.real = abs * xp.cos(angle)
    out.imag = abs * xp.sin(angle)
    return out


@_polar.defbackward
def _(ctx, g):
    abs_, angle = ctx.args
    c, s = angle.cos(), angle.sin()
    gr, gi = g.real, g.imag
    # d out/d abs = cos + i sin;  d out/d angle = abs * (-sin + i cos)
    return gr * c + gi * s, abs_ * (gi * c - gr * s)


def polar(abs: Tensor, angle: Tensor, *, out=None) -> Tensor:
    """``abs * (cos(angle) + i sin(angle))`` as a complex tensor."""
    return _maybe_out(dispatch(_polar, abs, angle), out)
