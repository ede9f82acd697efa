"""ember.Tensor: a backend array plus autograd metadata.

Tensors are created millions of times, so the class uses ``__slots__`` and keeps the
rarely used autograd fields (``grad``, hooks, the leaf's ``AccumulateGrad``, the view
base) in a side object made on first use. Op methods (``add``, ``sum``, ``view``, ...)
are attached to the class by the op modules in ``ember/ops/`` that define them.
"""

from __future__ import annotations

import weakref

import numpy as np

from ember import _dtype as D
from ember._device import CPU, canonical, device_of_array, xp_of
from ember.autograd import grad_mode


class Size(tuple):
    """The shape of a tensor: a tuple of ints (``torch.Size``)."""

    def __repr__(self):
        return f"ember.Size([{', '.join(str(int(s)) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


class AutogradMeta:
    """Autograd fields most tensors never use."""

    __slots__ = ("grad", "accumulator", "hooks", "post_acc_hooks", "retains_grad", "base",
                 "is_inference", "name")

    def __init__(self):
        self.grad = None
        self.accumulator = None
        self.hooks = None
        self.post_acc_hooks = None
        self.retains_grad = False
        self.base = None
        self.is_inference = False
        self.name = None


def _check_requires_grad_dtype(dtype):
    if dtype.category < D.FLOAT:
        raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")


class Tensor:
    __slots__ = ("_data", "_dtype", "_device", "_requires_grad", "_grad_fn", "_out_nr", "_version",
                 "_meta", "__weakref__", "__dict__")

    # ``torch.Tensor(...)`` legacy constructor: a float tensor from data or from sizes.
    def __new__(cls, *args, **kwargs):
        self = object.__new__(cls)
        self._data = np.empty((0,), dtype=D._default.value.np)
        self._dtype = D._default.value
        self._device = CPU
        self._requires_grad = False
        self._grad_fn = None
        self._out_nr = 0
        self._version = None
        self._meta = None
        if args and not (len(args) == 1 and isinstance(args[0], Tensor) and cls is not Tensor):
            if all(isinstance(a, int) for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
                shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], tuple) else args
                self._data = np.empty(shape, dtype=self._dtype.np)
            elif len(args) == 1:
                src = args[0]
                data = src._data if isinstance(src, Tensor) else src
                self._data = np.array(data, dtype=self._dtype.np)
        return self

    def __init__(self, *args, **kwargs):
        pass

    # --- autograd plumbing ---------------------------------------------------------------
    def _autograd_meta(self) -> AutogradMeta:
        m = self._meta
        if m is None:
            m = self._meta = AutogradMeta()
        return m

    def _accumulator(self):
        from ember.autograd.graph import AccumulateGrad
        m = self._autograd_meta()
        acc = m.accumulator
        if acc is None:
            acc = m.accumulator = AccumulateGrad(self)
        return acc

    def _snapshot(self) -> Tensor:
        """A copy of this tensor's value that keeps its graph position (for in-place ops)."""
        t = _from_array(self._data.copy(), self._dtype, self._device)
        t._requires_grad = self._requires_grad
        if self._grad_fn is not None:
            t._grad_fn, t._out_nr = self._grad_fn, self._out_nr
        elif self._requires_grad:
            # a leaf under no-grad-check (e.g. created requires_grad then modified in no_grad)
            t._meta = AutogradMeta()
            t._meta.accumulator = self._accumulator()
        return t

    def _owned_copy_always(self) -> Tensor:
        """A contiguous copy of this tensor's values in memory of its own."""
        return _from_array(self._data.copy(), self._dtype, self._device)

    def _owned_copy(self) -> Tensor:
        """This tensor if it owns contiguous, writable memory; else a copy that does."""
        arr = self._data
        if arr.flags.c_contiguous and arr.flags.writeable and arr.base is None:
            return self
        return _from_array(arr.copy(), self._dtype, self._device)

    def _inplace_accumulate(self, other: Tensor) -> None:
        xp = xp_of(self._device)
        o = other._data
        if o.dtype != self._data.dtype:
            o = o.astype(self._data.dtype)
        xp.add(self._data, o, out=self._data)

    # --- attributes ------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> D.dtype:
        return self._dtype

    @property
    def device(self):
        return self._device

    @property
    def is_cuda(self) -> bool:
        return self._device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self._device.type == "cpu"

    def get_device(self) -> int:
        return -1 if self._device.type == "cpu" else (self._device.index or 0)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self._dtype.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.size) * self._dtype.itemsize

    def stride(self, dim: int | None = None):
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if self._data.size <= 1 or 0 in self._data.shape:
            strides = _contiguous_strides(self._data.shape) if 0 in self._data.shape else strides
        if dim is None:
            return strides
        return strides[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def data_ptr(self) -> int:
        if self._device.type == "cpu":
            return self._data.__array_interface__["data"][0]
        return int(self._data.data.ptr)

    def is_floating_point(self) -> bool:
        return self._dtype.category == D.FLOAT

    def is_complex(self) -> bool:
        return self._dtype.category == D.COMPLEX

    def is_signed(self) -> bool:
        return self._dtype.is_signed

    def is_inference(self) -> bool:
        return self._meta is not None and self._meta.is_inference

    # --- autograd attributes ------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                               "use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if value:
            _check_requires_grad_dtype(self._dtype)
            if self._meta is not None and self._meta.is_inference and not grad_mode.state.inference:
                raise RuntimeError("Setting requires_grad=True on inference tensor outside InferenceMode is not "
                                   "allowed.")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not (self._meta and self._meta.retains_grad):
            import warnings
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                UserWarning, stacklevel=2)
        return None if self._meta is None else self._meta.grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._dtype is not self._dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._autograd_meta().grad = value

    @grad.deleter
    def grad(self) -> None:
        self._autograd_meta().grad = None

    def retain_grad(self) -> None:
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        meta = self._autograd_meta()
        if meta.retains_grad:
            return
        meta.retains_grad = True
        node = self._grad_fn
        if node._retained is None:
            node._retained = {}
        node._retained[self._out_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self._grad_fn is not None and self._meta is not None and self._meta.retains_grad

    @property
    def _base(self):
        return None if self._meta is None else self._meta.base

    @property
    def _version_value(self) -> int:
        return 0 if self._version is None else self._version[0]

    @property
    def name(self):
        return None if self._meta is None else self._meta.name

    def detach(self) -> Tensor:
        """A tensor sharing this one's memory (and version counter), outside the graph."""
        t = _from_array(self._data, self._dtype, self._device)
        if self._version is None:
            self._version = [0]
        t._version = self._version
        return t

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._out_nr = 0
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        return _from_array(self._data, self._dtype, self._device)

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data
        self._dtype = value._dtype
        self._device = value._device

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from ember.autograd.graph import RemovableHandle
        if self._grad_fn is not None:
            node, nr = self._grad_fn, self._out_nr

            def prehook(grads, hook=hook, nr=nr):
                res = hook(grads[nr])
                if res is None:
                    return None
                grads = list(grads)
                grads[nr] = res
                return tuple(grads)
            return node.register_prehook(prehook)
        meta = self._autograd_meta()
        if meta.hooks is None:
            meta.hooks = {}
        handle = RemovableHandle(meta.hooks)
        meta.hooks[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        from ember.autograd.graph import RemovableHandle
        meta = self._autograd_meta()
        if meta.post_acc_hooks is None:
            meta.post_acc_hooks = {}
        handle = RemovableHandle(meta.post_acc_hooks)
        meta.post_acc_hooks[handle.id] = hook
        return handle

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        from ember.autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- conversion to Python and NumPy ----------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._host().reshape(()).item()

    def tolist(self):
        return self._host().tolist()

    def _host(self) -> np.ndarray:
        return self._data if self._device.type == "cpu" else self._data.get()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if not force:
            if self._requires_grad:
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   "tensor.detach().numpy() instead.")
            if self._device.type != "cpu":
                raise TypeError(f"can't convert {self._device.type}:{self._device.index or 0} device type "
                                "tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first.")
            return self._data
        return self._host()

    def __array__(self, dtype=None, copy=None):
        arr = self._host()
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def __dlpack__(self, *args, **kwargs):
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        n = self._data.size
        if n != 1:
            raise RuntimeError("Boolean value of Tensor with " + ("no values" if n == 0 else "more than one value")
                               + " is ambiguous")
        return bool(self.item())

    def _python_scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self) -> float:
        return float(self._python_scalar())

    def __int__(self) -> int:
        return int(self._python_scalar())

    def __complex__(self) -> complex:
        return complex(self._python_scalar())

    def __index__(self) -> int:
        if self._dtype.category > D.INT or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    # NumPy defers binary operators with a tensor operand to the tensor (``np.float64(2) * t``)
    __array_priority__ = 1000

    def __contains__(self, element) -> bool:
        if isinstance(element, (Tensor, bool, int, float, complex, np.number, np.bool_)):
            return bool((self == element).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                           f"{type(element)}.")

    def __reversed__(self) -> Tensor:
        if self._data.ndim == 0:
            return self
        return self.flip(0)

    def storage_offset(self) -> int:
        """Offset of this tensor's first element in its underlying memory, in elements."""
        arr = self._data
        if self._device.type != "cpu":
            return (int(arr.data.ptr) - int(arr.data.mem.ptr)) // arr.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        return (arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // arr.itemsize

    @property
    def output_nr(self) -> int:
        return self._out_nr

    def is_conj(self) -> bool:
        return False

    def is_neg(self) -> bool:
        return False

    def resolve_conj(self) -> Tensor:
        return self

    def resolve_neg(self) -> Tensor:
        return self

    is_sparse = is_quantized = is_meta = is_mkldnn = is_nested = False

    def is_shared(self) -> bool:
        return False

    def share_memory_(self) -> Tensor:
        return self

    def is_pinned(self, device=None) -> bool:
        return False

    def pin_memory(self, device=None) -> Tensor:
        return self

    def apply_(self, callable) -> Tensor:
        """Apply a Python function to every element in place (cpu only, as PyTorch)."""
        if self._device.type != "cpu":
            raise TypeError("apply_ is only implemented on CPU tensors")
        flat = self._data.reshape(-1).tolist()
        self._data[...] = np.array([callable(v) for v in flat], dtype=self._data.dtype).reshape(self._data.shape)
        return self

    def map_(self, tensor, callable) -> Tensor:
        other = np.broadcast_to(tensor._host(), self._data.shape).reshape(-1).tolist()
        flat = self._data.reshape(-1).tolist()
        self._data[...] = np.array([callable(a, b) for a, b in zip(flat, other)],
                                   dtype=self._data.dtype).reshape(self._data.shape)
        return self

    def __repr__(self) -> str:
        from ember._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                               "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        new._data = self._data.copy()
        new._dtype, new._device = self._dtype, self._device
        new._requires_grad, new._grad_fn, new._out_nr = self._requires_grad, None, 0
        new._version, new._meta = None, None
        if self._meta is not None and self._meta.grad is not None:
            new._autograd_meta().grad = self._meta.grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):
            import copy
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._host(), self._dtype.name, str(self._device), self._requires_grad))

    # --- dtype / device conversion ---------------------------------------------------------
    def to(self, *args, **kwargs) -> Tensor:
        """``to(dtype)``, ``to(device, dtype=None)``, ``to(other)``; ``copy=True`` forces a copy."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        flags = []
        for a in args:
            if isinstance(a, D.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, device = a._dtype, a._device
            elif isinstance(a, bool):
                flags.append(a)  # non_blocking, copy
            elif isinstance(a, (str, int)) or type(a).__name__ == "device":
                device = a
            elif a is not None:
                raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
        if len(flags) > 1:
            copy = flags[1]
        from ember.ops.core import to_copy
        dev = self._device if device is None else canonical(device)
        dt = self._dtype if dtype is None else dtype
        if not copy and dev == self._device and dt is self._dtype:
            return self
        return to_copy(self, dtype=dt, device=dev)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking: bool = False) -> Tensor:
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def bfloat16(self) -> Tensor:
        return self.to(D.bfloat16)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool_)

    def cfloat(self) -> Tensor:
        return self.to(D.complex64)

    def cdouble(self) -> Tensor:
        return self.to(D.complex128)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other._dtype)

    def type(self, dtype=None, non_blocking: bool = False):
        if dtype is None:
            return "torch." + {"cpu": ""}.get(self._device.type, "cuda.") + _LEGACY_NAMES[self._dtype]
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1]
            dtype = {v: k for k, v in _LEGACY_NAMES.items()}[name]
        return self.to(dtype)

    # --- new_* -----------------------------------------------------------------------------
    def _new_kwargs(self, dtype, device, requires_grad):
        return dict(dtype=self._dtype if dtype is None else dtype,
                    device=self._device if device is None else device, requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ember.ops.creation import tensor
        if dtype is None and not isinstance(data, (Tensor, np.ndarray)):
            dtype = self._dtype
        return tensor(data, **self._new_kwargs(dtype, device, requires_grad))

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ember.ops.creation import zeros
        return zeros(*size, **self._new_kwargs(dtype, device, requires_grad))

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ember.ops.creation import ones
        return ones(*size, **self._new_kwargs(dtype, device, requires_grad))

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ember.ops.creation import empty
        return empty(*size, **self._new_kwargs(dtype, device, requires_grad))

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
        from ember.ops.creation import full
        return full(size, fill_value, **self._new_kwargs(dtype, device, requires_grad))


_LEGACY_NAMES = {D.float32: "FloatTensor", D.float64: "DoubleTensor", D.float16: "HalfTensor",
                 D.bfloat16: "BFloat16Tensor", D.int64: "LongTensor", D.int32: "IntTensor",
                 D.int16: "ShortTensor", D.int8: "CharTensor", D.uint8: "ByteTensor",
                 D.bool_: "BoolTensor", D.complex64: "ComplexFloatTensor",
                 D.complex128: "ComplexDoubleTensor"}


def _rebuild(arr, dtype_name, device_str, requires_grad):
    t = _from_array(np.array(arr, dtype=D._BY_NAME[dtype_name].np), D._BY_NAME[dtype_name], CPU)
    if device_str != "cpu":
        t = t.to(device_str)
    t._requires_grad = requires_grad
    return t


def _contiguous_strides(shape) -> tuple:
    strides, acc = [], 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _wrap_dim(dim: int, ndim: int) -> int:
    """A dim in ``[-ndim, ndim)`` as a non-negative index (0-dim tensors accept -1 and 0)."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


_new_object = object.__new__


def _make(arr, dtype: D.dtype, device) -> Tensor:
    """The fast constructor: wrap a backend array whose dtype and device are known."""
    t = _new_object(Tensor)
    t._data = arr
    t._dtype = dtype
    t._device = device
    t._requires_grad = False
    t._grad_fn = None
    t._out_nr = 0
    t._version = None
    t._meta = None
    return t


def _from_array(arr, dtype: D.dtype | None = None, device=None) -> Tensor:
    """Wrap a backend array (no copy); dtype and device are read off it when not given."""
    if type(arr) is not np.ndarray and not hasattr(arr, "__cuda_array_interface__"):
        arr = np.asarray(arr)
    return _make(arr, dtype if dtype is not None else D.from_numpy_dtype(arr.dtype),
                 device if device is not None else device_of_array(arr))


def _wrap_output(arr, node, nr: int) -> Tensor:
    t = _from_array(arr)
    if t._dtype.category >= D.FLOAT and grad_mode.state.enabled:
        t._requires_grad = True
        t._grad_fn = node
        t._out_nr = nr
    return t


def _zeros_like_meta(meta) -> Tensor:
    shape, dtype, device = meta
    return _from_array(xp_of(device).zeros(shape, dtype=dtype.np), dtype, device)
