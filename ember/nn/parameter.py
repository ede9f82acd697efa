"""``nn.Parameter``, ``nn.Buffer`` and the uninitialized (lazy) parameter and buffer.

A ``Parameter`` is a Tensor subclass that shares its data's array and version counter; a
``Module`` registers every Parameter assigned to one of its attributes. Results of ops on
Parameters are plain Tensors (ops build their outputs with ``_make``), as in PyTorch.
``Buffer(t)`` returns a plain tensor marked as a buffer (``isinstance(x, Buffer)`` checks the mark).
"""

from __future__ import annotations

import numpy as np

from ember import _dtype as D
from ember._device import CPU, canonical, xp_of
from ember._tensor import Tensor, _from_array

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


def _empty0():
    return _from_array(np.empty((0,), dtype=D._default.value.np), D._default.value, CPU)


class Parameter(Tensor):
    """A tensor that is a module parameter (``requires_grad=True`` by default)."""

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty0()
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter.__new__(): argument 'data' (position 1) must be Tensor, not "
                            f"{type(data).__name__}")
        if requires_grad and data._dtype.category < D.FLOAT:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        self = object.__new__(cls)
        self._data = data._data
        self._dtype = data._dtype
        self._device = data._device
        self._requires_grad = bool(requires_grad)
        self._grad_fn = None
        self._out_nr = 0
        if data._version is None:
            data._version = [0]
        self._version = data._version
        self._meta = None
        return self

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(_from_array(self._data.copy(), self._dtype, self._device), self._requires_grad)
        if self._meta is not None and self._meta.grad is not None:
            import copy
            result._autograd_meta().grad = copy.deepcopy(self._meta.grad, memo)
        if self.__dict__:
            import copy
            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.data, self._requires_grad, dict(self.__dict__)))


def _rebuild_parameter(data, requires_grad, state):
    p = Parameter(data, requires_grad)
    p.__dict__.update(state)
    return p


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and bool(getattr(instance, "_is_buffer", False))
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """``Buffer(data, *, persistent=True)``: a plain tensor marked for registration as a module buffer."""

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty0()
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


_UNINIT_MSG = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
               "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
               "`forward` to initialize the parameters before accessing their attributes.")


class UninitializedTensorMixin:
    """What uninitialized parameters and buffers share: no shape until ``materialize``."""

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor ``shape`` (uninitialized values) and turn it into ``cls_to_become``."""
        if device is None:
            device = self._device
        if dtype is None:
            dtype = self._dtype
        dev = canonical(device)
        if isinstance(shape, int):
            shape = (shape,)
        self._data = xp_of(dev).empty(tuple(shape), dtype=dtype.np)
        self._dtype = dtype
        self._device = dev
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINIT_MSG)

    def size(self, dim=None):
        raise RuntimeError(_UNINIT_MSG)

    def numel(self):
        raise RuntimeError(_UNINIT_MSG)

    nelement = numel

    def dim(self):
        raise RuntimeError(_UNINIT_MSG)

    ndimension = dim

    @property
    def ndim(self):
        raise RuntimeError(_UNINIT_MSG)

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto):
        return (self.__class__, (self._requires_grad,))


def is_lazy(param) -> bool:
    """Whether ``param`` is an uninitialized parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (``LazyLinear``'s weight before its first call)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        dt = D._default.value if dtype is None else dtype
        dev = CPU if device is None else canonical(device)
        data = _from_array(xp_of(dev).empty((0,), dtype=dt.np), dt, dev)
        return Parameter.__new__(cls, data, requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self._requires_grad, self._device, self._dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        dt = D._default.value if dtype is None else dtype
        dev = CPU if device is None else canonical(device)
        self = object.__new__(cls)
        self._data = xp_of(dev).empty((0,), dtype=dt.np)
        self._dtype, self._device = dt, dev
        self._requires_grad = bool(requires_grad)
        self._grad_fn, self._out_nr, self._version, self._meta = None, 0, None, None
        self.persistent = persistent
        self._is_buffer = True
        return self

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass
