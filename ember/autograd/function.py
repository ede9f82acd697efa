"""Custom autograd Functions: ``class MyFn(ember.autograd.Function)`` with static ``forward``
and ``backward``, called as ``MyFn.apply(*args)``.

Each Function subclass gets its own backward node class ``<Name>Backward`` (a ``Node``
subclass, also the ``ctx`` the user's ``forward``/``setup_context`` receives). The engine
runs it like any other node: its ``apply`` turns output gradients into input gradients by
calling the user's ``backward``, then checks and reduces them as PyTorch does. Function
classes are not registry ops.
"""

from __future__ import annotations

import functools
import inspect

from ember.autograd import grad_mode
from ember.autograd.graph import _FREED, Node

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable", "InplaceFunction"]

_state = grad_mode.state


def _tensor_cls():
    from ember._tensor import Tensor
    return Tensor


class _FunctionOp:
    """What ``node.op`` is for a custom Function node (not registered in REGISTRY)."""

    __slots__ = ("name", "grad_name", "forward_cls", "__weakref__")
    save_out = False
    multi_out = True
    is_view = False
    promote = None

    def __init__(self, forward_cls, grad_name: str):
        self.name = forward_cls.__name__
        self.grad_name = grad_name
        self.forward_cls = forward_cls

    @property
    def backward(self):
        return self.forward_cls.backward

    def __repr__(self):
        return f"<ember custom Function {self.name}>"


class FunctionCtx:
    """The methods a Function's ``forward``/``setup_context`` can call on ``ctx``."""

    def save_for_backward(self, *tensors) -> None:
        Tensor = _tensor_cls()
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of type "
                                f"{type(t).__name__}")
        self.to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        Tensor = _tensor_cls()
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise AssertionError("save_for_forward expects all arguments to be tensors; you should "
                                     "save non-tensors as attributes on ctx.")
        self.saved_for_forward = tensors

    def mark_dirty(self, *args) -> None:
        self.dirty_tensors = args

    def mark_shared_storage(self, *pairs) -> None:
        raise RuntimeError("mark_shared_storage is deprecated. Tensors with shared storages are automatically "
                           "tracked. Note that calls to `set_()` are not tracked")

    def mark_non_differentiable(self, *args) -> None:
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


class BackwardCFunction(FunctionCtx, Node):
    """Base of every ``<Name>Backward`` node class; instances are the Functions' ``ctx``."""

    _forward_cls = None
    _fn_op = None

    def __init__(self):
        Node.__init__(self, self._fn_op, None, None, ())
        self.to_save = None
        self.dirty_tensors = None
        self.non_differentiable = None
        self.materialize_grads = True
        self._needs_input_grad = ()
        self._saved = None
        self._saved_versions = None
        self._tensor_pos = ()       # argument positions of the tensor inputs (one per next_functions)
        self._in_meta = ()          # (shape, dtype) of each tensor input

    def name(self) -> str:
        return self._fn_op.grad_name

    def __repr__(self):
        return f"<{self.__class__.__module__}.{self.__class__.__name__} object at {id(self):#x}>"

    @property
    def needs_input_grad(self) -> tuple:
        return self._needs_input_grad

    @needs_input_grad.setter
    def needs_input_grad(self, value) -> None:
        self._needs_input_grad = tuple(value)

    # --- saved tensors ---------------------------------------------------------------------
    @property
    def saved_tensors(self) -> tuple:
        if self._released:
            raise RuntimeError(_FREED)
        saved = self._saved
        if saved is None:  # inside forward/setup_context, before the outputs are wrapped
            return tuple(self.to_save) if self.to_save is not None else ()
        for t, v in zip(saved, self._saved_versions):
            if t is not None and t._version_value != v:
                raise RuntimeError(_modified_message(t, v))
        return saved

    @property
    def saved_variables(self) -> tuple:
        return self.saved_tensors

    def release(self):
        self._saved = None
        self.to_save = None
        self._released = True

    # --- running ---------------------------------------------------------------------------
    def apply(self, grads: list):
        if self._pre_hooks:
            for hook in list(self._pre_hooks.values()):
                res = hook(tuple(grads))
                if res is not None:
                    grads = list(res)
        if self.materialize_grads:
            from ember._tensor import _zeros_like_meta
            grads = [g if g is not None or m is None else _zeros_like_meta(m)
                     for g, m in zip(grads, self._out_meta)]
        out = self._forward_cls._backward_fn()(self, *grads)
        if type(out) is not tuple:
            out = (out,)
        expected = len(self._needs_input_grad)
        if len(out) != expected:
            if len(out) > expected and all(g is None for g in out[expected:]):
                out = out[:expected]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                                   f"(expected {expected}, got {len(out)})")
        Tensor = _tensor_cls()
        positions = self._tensor_pos
        result = []
        k = 0
        for pos, g in enumerate(out):
            if k >= len(positions) or positions[k] != pos:
                if g is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different than None at "
                                       f"position {pos + 1}, but the corresponding forward input was not a "
                                       "Variable")
                continue
            fn = self.next_functions[k][0]
            shape, dtype = self._in_meta[k]
            k += 1
            if g is None or fn is None:
                if g is not None and not isinstance(g, Tensor):
                    raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
                result.append(None)
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            gshape = g._data.shape
            if gshape != shape:
                if not _expandable(shape, gshape):
                    raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index {k - 1} - "
                                       f"got {list(gshape)} but expected shape compatible with {list(shape)}")
                g = g.sum_to_size(shape)
            if g._dtype is not dtype:
                g = g.to(dtype)
            result.append(g)
        if self._hooks:
            for hook in list(self._hooks.values()):
                res = hook(tuple(result), tuple(grads))
                if res is not None:
                    result = list(res)
        return result


def _expandable(shape, target) -> bool:
    """Whether ``shape`` broadcasts to ``target`` (a gradient of that shape sums back to it)."""
    if len(shape) > len(target):
        return False
    for a, b in zip(reversed(shape), reversed(target)):
        if a != b and a != 1:
            return False
    return True


def _modified_message(t, expected: int) -> str:
    desc = f"[{t.type()} [{', '.join(str(s) for s in t._data.shape)}]]"
    if t._grad_fn is not None:
        nm = t._grad_fn.name()
        nm = nm[:-9] if nm.endswith("Backward0") else nm.replace("Backward", "", 1)
        where = f", which is output {t._out_nr} of {nm},"
    else:
        where = ""
    return (f"one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"{desc}{where} is at version {t._version_value}; expected version {expected} instead. Hint: enable "
            "anomaly detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class _FunctionBase:
    pass


class Function(_FunctionBase):
    """Base class of custom autograd Functions (PyTorch's ``torch.autograd.Function``).

    Subclasses define ``forward(ctx, *args, **kwargs)`` (or ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)``, all static,
    and are used through ``apply``."""

    _backward_cls = None
    _sig = None
    generate_vmap_rule = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        grad_name = cls.__name__ + "Backward"
        node_cls = type(grad_name, (BackwardCFunction,), {"_forward_cls": cls, "__module__": __name__})
        node_cls._fn_op = _FunctionOp(cls, grad_name)
        cls._backward_cls = node_cls
        cls._sig = None

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
                      "static, so you should invoke them on the class itself. Instantiating an autograd "
                      "function will raise an error in a future version of PyTorch.", DeprecationWarning,
                      stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @staticmethod
    def vmap(info, in_dims, *args):
        raise NotImplementedError("To use autograd.Function with vmap, you must either override the vmap "
                                  "staticmethod or set generate_vmap_rule=True.")

    @classmethod
    def _backward_fn(cls):
        bw = cls.backward
        if bw is Function.backward and cls.vjp is not Function.vjp:
            return cls.vjp
        return bw

    @classmethod
    def _signature(cls):
        sig = cls.__dict__.get("_sig")
        if sig is None:
            sig = inspect.signature(cls.forward)
            cls._sig = sig
        return sig

    @classmethod
    def apply(cls, *args, **kwargs):
        if cls._backward_cls is None:
            raise RuntimeError("Function.apply must be called on a subclass of Function")
        has_setup = cls.setup_context is not Function.setup_context
        if cls.forward is Function.forward:
            raise NotImplementedError("You must implement the forward function for custom autograd.Function.")
        if has_setup or kwargs:
            bound = (cls._signature().bind(*args, **kwargs) if has_setup
                     else cls._signature().bind(None, *args, **kwargs))
            if has_setup:
                bound.apply_defaults()
                args, kwargs = bound.args, bound.kwargs
            else:
                args, kwargs = bound.args[1:], bound.kwargs
        Tensor = _tensor_cls()
        ctx = cls._backward_cls()
        tensor_pos = []
        needs = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                tensor_pos.append(i)
                needs.append(a._requires_grad)
            else:
                needs.append(False)
        ctx._needs_input_grad = tuple(needs)
        prev = _state.enabled
        _state.enabled = False
        try:
            if has_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            _state.enabled = prev
        return _wrap_outputs(ctx, args, tensor_pos, out, prev and any(needs))


def _alias(t):
    """A new tensor object sharing ``t``'s memory and version counter, outside the graph."""
    from ember._tensor import _make
    a = _make(t._data, t._dtype, t._device)
    if t._version is None:
        t._version = [0]
    a._version = t._version
    return a


def _wrap_outputs(ctx, args, tensor_pos, out, record: bool):
    from ember import _dtype as D
    Tensor = _tensor_cls()
    is_tuple = type(out) is tuple
    outs = out if is_tuple else (out,)
    inputs = {id(args[i]): args[i] for i in tensor_pos}
    dirty = ctx.dirty_tensors or ()
    dirty_ids = {id(t) for t in dirty}
    if dirty:
        out_ids = {id(o) for o in outs}
        if any(i not in out_ids for i in dirty_ids):
            raise RuntimeError("Some elements marked as dirty during the forward method were not returned as "
                               "output. The inputs that are modified inplace must all be outputs of the Function.")
        if _state.enabled:
            for t in dirty:
                if t._requires_grad and t._grad_fn is None:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    non_diff = {id(t) for t in (ctx.non_differentiable or ())}

    if record:
        edges = []
        in_meta = []
        for i in tensor_pos:
            a = args[i]
            if a._requires_grad:
                edges.append((a._grad_fn, a._out_nr) if a._grad_fn is not None else (a._accumulator(), 0))
            else:
                edges.append((None, 0))
            in_meta.append((a._data.shape, a._dtype))
        ctx.next_functions = tuple(edges)
        ctx._tensor_pos = tuple(tensor_pos)
        ctx._in_meta = tuple(in_meta)

    new_outs = []
    out_meta = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            new_outs.append(o)
            out_meta.append(None)
            continue
        oid = id(o)
        is_dirty = oid in dirty_ids
        if oid in inputs and not is_dirty:
            o = _alias(o)
        if is_dirty:
            if o._version is None:
                o._version = [1]
            else:
                o._version[0] += 1
        out_meta.append((o._data.shape, o._dtype, o._device))
        if record:
            if oid in non_diff or o._dtype.category < D.FLOAT:
                if is_dirty:
                    o._grad_fn, o._out_nr, o._requires_grad = None, 0, False
            else:
                o._requires_grad = True
                o._grad_fn = ctx
                o._out_nr = i
        new_outs.append(o)

    if record:
        ctx._out_meta = tuple(out_meta)
        saved = ctx.to_save
        if saved is not None:
            saved = tuple(saved)
            ctx._saved = saved
            ctx._saved_versions = tuple(t._version_value if t is not None else 0 for t in saved)
    return tuple(new_outs) if is_tuple else new_outs[0]


class InplaceFunction(Function):
    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace


# --------------------------------------------------------------------------------------
# once_differentiable

class _DelayedErrorOp:
    name = "Error"
    grad_name = "torch::autograd::Error"
    backward = None
    save_out = False
    multi_out = False
    is_view = False
    promote = None


class _DelayedError(Node):
    """Node standing for a backward that must not be differentiated again: running it raises."""

    __slots__ = ("_msg",)

    def __init__(self, msg, next_functions):
        Node.__init__(self, _DelayedErrorOp, None, None, next_functions)
        self._msg = msg

    def name(self) -> str:
        return "torch::autograd::Error"

    def __repr__(self):
        return f"<Error object at {id(self):#x}>"

    def apply(self, grads):
        raise RuntimeError(self._msg)


_ONCE_MSG = "trying to differentiate twice a function that was marked with @once_differentiable"


def once_differentiable(fn):
    """Run a Function's ``backward`` without recording; differentiating its result again raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _state.enabled = prev
        if not prev:
            return outputs
        Tensor = _tensor_cls()
        edges = []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                edges.append((a._grad_fn, a._out_nr) if a._grad_fn is not None else (a._accumulator(), 0))
        if not edges:
            return outputs
        from ember import _dtype as D
        is_tuple = type(outputs) is tuple
        outs = outputs if is_tuple else (outputs,)
        node = _DelayedError(_ONCE_MSG, tuple(edges))
        wrapped = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor) and o._dtype.category >= D.FLOAT:
                o = _alias(o)
                o._requires_grad = True
                o._grad_fn = node
                o._out_nr = i
            wrapped.append(o)
        return tuple(wrapped) if is_tuple else wrapped[0]

    return wrapper
