"""dispatch: the one narrow waist every tensor operation passes through.

``dispatch(op, *inputs, **params)``:
1. unwraps tensors to backend arrays, checks they share a device, and applies PyTorch's
   type promotion (``op.promote``);
2. lets active modes (tracer, profiler, autocast; see ``push_mode``) see the call;
3. runs ``op.forward(xp, *arrays, **params)``;
4. wraps the result in tensors and, when grad mode is on and an input requires grad,
   records a ``Node`` so ``backward()`` can apply the op's rule.

The empty-mode path is kept short: a model step runs thousands of ops.
"""

from __future__ import annotations

import numpy as np

from ember import _dtype as D
from ember import _parallel
from ember._device import CPU, xp_of
from ember._parallel import pnp
from ember._tensor import Tensor, _make
from ember.autograd import grad_mode
from ember.autograd.anomaly_mode import forward_stack
from ember.autograd.anomaly_mode import state as _anomaly
from ember.autograd.graph import Node, pack_saved
from ember.autograd.graph import hook_state as _saved_hooks

_grad_state = grad_mode.state
_modes: list = []           # active dispatch modes, innermost last
_ndarray = np.ndarray
_FLOAT = D.FLOAT
_NO_EDGE = (None, 0)
_BF16_TYPE = D.bfloat16.np.type


def push_mode(mode) -> None:
    """Make ``mode`` see every op call: ``mode(op, inputs, params, run)`` must return ``run()``'s
    result (possibly after recording or altering it)."""
    _modes.append(mode)


def pop_mode(mode) -> None:
    _modes.remove(mode)


# --------------------------------------------------------------------------------------
# promotion

def result_dtype(args) -> D.dtype:
    """PyTorch's ``result_type`` over tensors and Python scalars."""
    dims = zero_dims = scalars = None
    for a in args:
        if isinstance(a, Tensor):
            d = a._dtype
            if a._data.ndim:
                dims = d if dims is None else D._PROMOTE[dims, d]
            else:
                zero_dims = d if zero_dims is None else D._PROMOTE[zero_dims, d]
        elif a is not None:
            d = D.scalar_dtype(a)
            scalars = d if scalars is None else D._PROMOTE[scalars, d]
    return D.result_type_of(dims, zero_dims, scalars)


def _compute_dtype(op, args) -> D.dtype:
    dt = result_dtype(args)
    if op.promote == "float" and dt.category < _FLOAT:
        return D._default.value
    return dt


def _device_mismatch(op, a, b):
    return RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"{a} and {b}! (when checking argument for argument in method {op.name})")


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast of ``shapes``; PyTorch's RuntimeError naming the clashing sizes otherwise."""
    nd = max((len(s) for s in shapes), default=0)
    out = [1] * nd
    for s in shapes:
        for j, n in enumerate(s):
            k = nd - len(s) + j
            if n == out[k] or n == 1:
                continue
            if out[k] == 1:
                out[k] = n
                continue
            raise RuntimeError(f"The size of tensor a ({out[k]}) must match the size of tensor b ({n}) at "
                               f"non-singleton dimension {k}")
    return tuple(out)


# --------------------------------------------------------------------------------------
# the waist

def dispatch(op, *args, **kwargs):
    """Run ``op`` on tensor/scalar ``args``; return tensor(s)."""
    if _modes:
        return _dispatch_with_modes(op, args, kwargs)
    return _run(op, args, kwargs)


def _dispatch_with_modes(op, args, kwargs, depth=None):
    depth = len(_modes) if depth is None else depth
    if depth == 0:
        return _run(op, args, kwargs)
    mode = _modes[depth - 1]
    return mode(op, args, kwargs, lambda: _dispatch_with_modes(op, args, kwargs, depth - 1))


# category of each Python scalar type, for the common-case promotion check in _run
_SCALAR_CATEGORY = {bool: D.BOOL, int: D.INT, float: D.FLOAT, complex: D.COMPLEX}


def _run(op, args, kwargs):
    device = None
    needs_grad = False
    arrays = []
    dt = None               # the tensors' dtype while they all agree
    simple = True           # promotion is trivially `dt` (no cast needed)
    scalar_cat = -1         # highest category among Python scalars
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._data)
            d = a._device
            if device is None:
                device = d
            elif d is not device and d != device:
                raise _device_mismatch(op, device, d)
            if a._requires_grad:
                needs_grad = True
            if dt is None:
                dt = a._dtype
            elif a._dtype is not dt:
                simple = False
        else:
            arrays.append(a)
            cat = _SCALAR_CATEGORY.get(type(a))
            if cat is None:
                simple = False
            elif cat > scalar_cat:
                scalar_cat = cat
    if op.device_kwarg:
        device = kwargs["device"]
    elif device is None:
        device = CPU
    if device is CPU:
        xp = np
        if arrays:
            a0 = arrays[0]
            if a0.__class__ is np.ndarray and a0.size >= _parallel.active_threshold:
                xp = pnp    # large work: NumPy's ufuncs split across threads
    else:
        xp = xp_of(device)

    promote = op.promote
    out_dtype = None
    if promote is not None:
        if dt is None or not simple or scalar_cat > dt.category or (
                scalar_cat == D.INT and dt.category == D.INT and dt is not D.int64) or (
                dt is D.bfloat16 and scalar_cat == _FLOAT):
            dt = _promote_and_cast(op, args, arrays)
        elif promote == "float" and dt.category < _FLOAT:
            dt = D._default.value
            _cast_arrays(arrays, dt)
        out_dtype = D.bool_ if promote == "compare" else dt

    try:
        out = op.forward(xp, *arrays, **kwargs)
    except ValueError as e:
        if "broadcast" in str(e):
            broadcast_shapes(*(a.shape for a in arrays if hasattr(a, "shape")))
        raise

    record = needs_grad and _grad_state.enabled
    if op.multi_out:
        outs = tuple(_wrap(o, None, device) for o in out)
        if record:
            _record(op, args, kwargs, outs, out)
        elif _grad_state.inference:
            _mark_inference(outs)
        return outs
    result = _wrap(out, out_dtype, device)
    if _grad_state.inference:
        _mark_inference((result,))
    if op.is_view:
        base = args[0]
        if base._version is None:
            base._version = [0]
        result._version = base._version
    if record:
        _record(op, args, kwargs, (result,), out)
    return result


def _mark_inference(outs) -> None:
    for o in outs:
        o._autograd_meta().is_inference = True


def _promote_and_cast(op, args, arrays) -> D.dtype:
    """The general promotion path: PyTorch's result type, then cast operands to it."""
    dt = _compute_dtype(op, args)
    _cast_arrays(arrays, dt)
    if dt.category == D.INT and dt is not D.int64:
        for i, a in enumerate(arrays):
            if type(a) is int:
                arrays[i] = _cast_int_scalar(a, dt)
    elif dt is D.bfloat16:  # NumPy computes bfloat16 (op) Python float in float32: make the float a bfloat16
        for i, a in enumerate(arrays):
            if type(a) is float:
                arrays[i] = _BF16_TYPE(a)
    return dt


def _cast_arrays(arrays, dt: D.dtype) -> None:
    npdt = dt.np
    for i, a in enumerate(arrays):
        if hasattr(a, "dtype") and hasattr(a, "astype") and a.dtype != npdt:
            arrays[i] = a.astype(npdt)


def _cast_int_scalar(value: int, dt: D.dtype):
    """A Python int as a NumPy scalar of the (small) integer compute dtype, wrapping around
    as PyTorch does (``uint8_tensor + 300``); NumPy would raise OverflowError instead."""
    return np.array(value).astype(dt.np)[()]


def _wrap(arr, dtype, device):
    if type(arr) is not _ndarray and not hasattr(arr, "__cuda_array_interface__"):
        arr = np.asarray(arr)
    if dtype is None or (arr.dtype is not dtype.np and arr.dtype != dtype.np):
        dtype = D._BY_NP[arr.dtype]
    return _make(arr, dtype, device)


def _record(op, args, kwargs, outs, raw_out):
    edges = []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            if a._grad_fn is not None:
                edges.append((a._grad_fn, a._out_nr))
            else:
                meta = a._meta
                acc = meta.accumulator if meta is not None else None
                edges.append((acc if acc is not None else a._accumulator(), 0))
        else:
            edges.append(_NO_EDGE)
    node = Node(op, args, kwargs, tuple(edges))
    saves = op.saves
    if saves is None:
        saves = () if op.save_out else range(len(args))
    elif type(saves) is not tuple:
        saves = saves(edges)
    versions = []
    for i in saves:
        a = args[i]
        if isinstance(a, Tensor):
            if a._meta is not None and a._meta.is_inference:
                raise RuntimeError(_INFERENCE_SAVED)
            versions.append((i, 0 if a._version is None else a._version[0]))
    if versions:
        node._saved_versions = versions
    if op.save_out:
        node._saved_out = raw_out if not op.multi_out else tuple(raw_out)
        counters = []
        for nr in (range(len(outs)) if op.save_out is True else op.save_out):
            o = outs[nr]
            o._version = [0]
            counters.append((nr, o._version))
        node._out_versions = counters
    if op.multi_out:
        node._out_meta = tuple((o._data.shape, o._dtype, o._device) for o in outs)
    for i, o in enumerate(outs):
        if o._dtype.category >= _FLOAT:
            o._requires_grad = True
            o._grad_fn = node
            o._out_nr = i
    if _anomaly.enabled:
        node.metadata["traceback_"] = forward_stack()
    if _saved_hooks.stack:
        pack_saved(node, set(saves), outs)
    return node


_INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in "
    "computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it "
    "in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")


# --------------------------------------------------------------------------------------
# in-place

def check_inplace(self) -> None:
    """PyTorch refuses to modify a leaf that requires grad while grad mode is on, and an inference
    tensor outside inference mode."""
    if self._requires_grad and self._grad_fn is None and _grad_state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    if self._meta is not None and self._meta.is_inference and not _grad_state.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
                           "clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")


def bump_version(self) -> None:
    v = self._version
    if v is None:
        self._version = [1]
    else:
        v[0] += 1


def check_writable(self, result) -> None:
    """``result`` may replace ``self``'s values: its dtype casts to ``self``'s under PyTorch's
    rules, and its shape equals ``self``'s (an in-place op never broadcasts ``self``)."""
    if not D.can_cast(result._dtype, self._dtype):
        raise RuntimeError(f"result type {result._dtype._torch_name} can't be cast to the desired "
                           f"output type {self._dtype._torch_name}")
    if result._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}")


def write_inplace(self, result) -> None:
    """Make ``self`` hold ``result``'s values (and, when recorded, its graph position)."""
    check_writable(self, result)
    arr = self._data
    if arr.flags.writeable is False:
        raise RuntimeError("The tensor is read-only and cannot be modified in place")
    arr[...] = result._data
    bump_version(self)
    if result._grad_fn is not None:
        self._grad_fn = result._grad_fn
        self._out_nr = result._out_nr
        self._requires_grad = True


def inplace(self, fn, *args, **kwargs):
    """Run the out-of-place ``fn(self, *args, **kwargs)`` and write the result into ``self``.

    When the op is recorded, ``self``'s previous value and graph position are kept in a
    snapshot tensor so the backward rule sees the inputs as they were."""
    check_inplace(self)
    if _grad_state.enabled and (self._requires_grad or _any_requires_grad(args)):
        node = self._grad_fn
        if node is not None and node.op.is_view and not node._released:
            return inplace_on_view(self, fn, args, kwargs)
        snapshot = self._snapshot()
        result = fn(snapshot, *args, **kwargs)
    else:
        result = fn(self, *args, **kwargs)
    write_inplace(self, result)
    return self


def inplace_on_view(view, fn, args, kwargs):  # bound to ember.ops.core.inplace_on_view at import
    raise NotImplementedError


def _any_requires_grad(args) -> bool:
    return any(isinstance(a, Tensor) and a._requires_grad for a in args)
