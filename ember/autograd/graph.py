"""Backward graph nodes: what ``tensor.grad_fn`` is.

A ``Node`` is made by dispatch when an op runs with grad mode on and an input that
requires grad. It keeps the op, its inputs and (when the rule needs it) its output, and
``next_functions``: one ``(node, output_nr)`` edge per positional input, ``(None, 0)``
where no gradient flows. Leaves that require grad are reached through their
``AccumulateGrad`` node, which adds the arriving gradient into ``leaf.grad``.
"""

from __future__ import annotations

import re
import sys
import threading
import weakref

from ember.autograd import grad_mode

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


# ---------------------------------------------------------------------------------------
# saved-tensor hooks: what a node keeps for its backward rule can be packed and unpacked

class _HookState(threading.local):
    stack: tuple = ()            # (pack_hook, unpack_hook) pairs, innermost last
    disabled_message: str | None = None


hook_state = _HookState()


class saved_tensors_hooks:
    """Inside this block, every tensor a recorded op saves for backward goes through
    ``pack_hook(tensor) -> packed``; the backward rule gets ``unpack_hook(packed)``. Inputs the
    rule does not read are replaced by zero-memory stand-ins of the same shape, so the block's
    activations are not kept alive by the graph (activation offloading, checkpointing)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if hook_state.disabled_message is not None:
            raise RuntimeError(hook_state.disabled_message)
        hook_state.stack = hook_state.stack + ((self.pack_hook, self.unpack_hook),)
        return self

    def __exit__(self, *exc):
        hook_state.stack = hook_state.stack[:-1]


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors in host memory and move them back for backward."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda t: (t.device, t.cpu()), lambda packed: packed[1].to(packed[0]))


class disable_saved_tensors_hooks:
    """Make ``saved_tensors_hooks`` raise ``RuntimeError(error_message)`` inside this block."""

    def __init__(self, error_message: str):
        self.error_message = error_message
        self.prev = None

    def __enter__(self):
        self.prev = hook_state.disabled_message
        hook_state.disabled_message = self.error_message

    def __exit__(self, *exc):
        hook_state.disabled_message = self.prev


def pack_saved(node, saves, outs) -> None:
    """Apply the innermost pack hook to what ``node`` saves (called by dispatch when hooks are on)."""
    from ember._device import broadcast_view, xp_of
    from ember._tensor import Tensor, _make
    pack, unpack = hook_state.stack[-1]
    args = list(node.args)
    packed = {}
    for i, a in enumerate(args):
        if not isinstance(a, Tensor):
            continue
        if i in saves:
            packed[i] = pack(a)
            args[i] = None
        else:  # the rule reads only its shape, dtype and device
            xp = xp_of(a._device)
            args[i] = _make(broadcast_view(xp, xp.zeros((), dtype=a._dtype.np), a._data.shape), a._dtype,
                            a._device)
    node.args = tuple(args)
    packed_out = None
    if node._saved_out is not None:
        packed_out = [pack(o) for o in outs]
        node._saved_out = None
    node._packed = (packed, packed_out, unpack)
    node._saved_versions = node._out_versions = None  # an unpacked tensor may be a new object


class RemovableHandle:
    """Returned by ``register_hook``-style calls; ``remove()`` takes the hook out."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self.hooks_ref = weakref.ref(hooks) if hasattr(hooks, "__weakref__") else (lambda: hooks)
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        hooks = self.hooks_ref()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _short_name(fn) -> str:
    """``MulBackward0`` -> ``Mul``, as PyTorch names nodes in version errors."""
    return re.sub(r"Backward\d*$", "", fn.name())


def _modified_message(t, where: str, now: int, expected: int) -> str:
    from ember._tensor import _LEGACY_NAMES
    desc = f"[ember.{_LEGACY_NAMES[t._dtype]} [{', '.join(map(str, t._data.shape))}]]"
    return ("one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {desc}{where} is at version {now}; expected version {expected} instead. Hint: "
            "enable anomaly detection to find the operation that failed to compute its gradient, with "
            "ember.autograd.set_detect_anomaly(True, check_nan=False).")


class Node:
    """A recorded op application in the backward graph."""

    __slots__ = ("op", "args", "kwargs", "next_functions", "_saved_out", "_out_meta", "_released",
                 "_retained", "_hooks", "_pre_hooks", "metadata", "_saved_versions", "_out_versions",
                 "_packed", "__weakref__")

    def __init__(self, op, args, kwargs, next_functions):
        self.op = op
        self.args = args
        self.kwargs = kwargs
        self.next_functions = next_functions
        self._saved_out = None      # output array(s), when op.save_out
        self._out_meta = None       # ((shape, dtype, device), ...) for multi-output ops
        self._released = False
        self._retained = None       # {output_nr: weakref to a tensor that retains its grad}
        self._hooks = None
        self._pre_hooks = None
        self.metadata = {}
        self._saved_versions = None  # [(input position, its version when recorded), ...]
        self._out_versions = None    # version counters of the outputs, when the rule reads ctx.out
        self._packed = None          # (packed inputs, packed outputs, unpack_hook) under saved_tensors_hooks

    def name(self) -> str:
        n = self.op.grad_name
        return n if type(n) is str else n(self.kwargs)

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    # --- what backward rules read ------------------------------------------------------
    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        return tuple([fn is not None for fn, _ in self.next_functions])

    @property
    def out(self):
        """The forward output as a tensor attached to this node (so rules stay differentiable)."""
        if self._released:
            raise RuntimeError(_FREED)
        from ember._tensor import _wrap_output
        saved = self._saved_out
        if isinstance(saved, tuple):
            return tuple(_wrap_output(a, self, i) for i, a in enumerate(saved))
        return _wrap_output(saved, self, 0)

    # --- hooks (full behaviour in the autograd issue) ------------------------------------
    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle.id] = fn
        return handle

    # --- running ---------------------------------------------------------------------------
    def _unpack_saved(self) -> None:
        packed, packed_out, unpack = self._packed
        args = list(self.args)
        for i, p in packed.items():
            args[i] = unpack(p)
        self.args = tuple(args)
        if packed_out is not None:
            outs = [unpack(p)._data for p in packed_out]
            self._saved_out = outs[0] if len(outs) == 1 and self._out_meta is None else tuple(outs)
        self._packed = None

    def _check_versions(self) -> None:
        """PyTorch's error when a tensor the rule reads was modified in place after recording."""
        for i, expected in self._saved_versions or ():
            t = self.args[i]
            now = 0 if t._version is None else t._version[0]
            if now != expected:
                fn = t._grad_fn
                where = "" if fn is None else f", which is output {t._out_nr} of {_short_name(fn)},"
                raise RuntimeError(_modified_message(t, where, now, expected))
        for nr, counter in self._out_versions or ():
            if counter[0] != 0:
                saved = self._saved_out[nr] if isinstance(self._saved_out, tuple) else self._saved_out
                from ember._tensor import _from_array
                where = f", which is output {nr} of {_short_name(self)},"
                raise RuntimeError(_modified_message(_from_array(saved), where, counter[0], 0))

    def release(self):
        self.args = None
        self._saved_out = None
        self._packed = None
        self._released = True

    def apply(self, grads: list):
        """Gradients of the outputs -> gradients of the positional inputs (aligned with
        ``next_functions``), reduced to each input's shape and cast to its dtype."""
        if self._released:
            raise RuntimeError(_FREED)
        if self._packed is not None:
            self._unpack_saved()
        if self._saved_versions is not None or self._out_versions is not None:
            self._check_versions()
        if self._pre_hooks:
            for hook in list(self._pre_hooks.values()):
                res = hook(tuple(grads))
                if res is not None:
                    grads = list(res)
        if self._out_meta is not None:  # multi-output: outputs with no gradient get zeros
            from ember._tensor import _zeros_like_meta
            grads = [g if g is not None else _zeros_like_meta(m) for g, m in zip(grads, self._out_meta)]
        rule = self.op.backward
        if rule is None:
            raise RuntimeError(f"the derivative for '{self.op.name}' is not implemented.")
        out = rule(self, *grads)
        if type(out) is not tuple:
            out = (out,)
        result = []
        for (fn, _), arg, g in zip(self.next_functions, self.args, out):
            if fn is None or g is None:
                result.append(None)
                continue
            if g._data.shape != arg._data.shape:
                g = g.sum_to_size(arg._data.shape)
            if g._dtype is not arg._dtype:
                g = g.to(arg._dtype)
            result.append(g)
        if self._hooks:
            for hook in list(self._hooks.values()):
                res = hook(tuple(result), tuple(grads))
                if res is not None:
                    result = list(res)
        return result


class _AccumulateGradOp:
    name = "AccumulateGrad"
    grad_name = "AccumulateGrad"


class AccumulateGrad:
    """The node at a leaf that requires grad: sums arriving gradients into ``leaf.grad``."""

    __slots__ = ("_variable", "_hooks", "_pre_hooks", "metadata", "__weakref__")
    next_functions = ()
    _out_meta = None  # one output, like a single-output Node

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self._hooks = None
        self._pre_hooks = None
        self.metadata = {}

    @property
    def variable(self):
        return self._variable()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    register_hook = Node.register_hook
    register_prehook = Node.register_prehook

    def accumulate(self, grad, create_graph: bool):
        var = self._variable()
        if var is None:
            return
        meta = var._autograd_meta()
        if meta.hooks:
            for hook in list(meta.hooks.values()):
                res = hook(grad)
                if res is not None:
                    grad = res
        old = meta.grad
        if create_graph:
            meta.grad = grad if old is None else old + grad
        elif old is None:
            meta.grad = _take_gradient(grad)
        elif grad_mode.state.enabled and old.requires_grad:
            meta.grad = old + grad.detach()
        else:
            old._inplace_accumulate(grad)
        if meta.post_acc_hooks:
            for hook in list(meta.post_acc_hooks.values()):
                hook(var)


# --- taking the first gradient into ``.grad`` without a copy ------------------------------------
#
# A leaf's first gradient becomes its ``.grad``, and later backward passes add into that array in
# place. Copying it each time costs a full pass per parameter per step (zero_grad sets ``.grad``
# to None), so, as PyTorch does, the gradient's memory is taken over when nothing else can see it:
# the tensor and its array are referenced only by the engine (their reference counts equal those
# of a gradient the engine alone holds, measured once on this interpreter), the array is
# contiguous and writable, and it owns its memory or is a full-size view of an array that only it
# references. A user's ``gradient=`` tensor, one a hook kept, or one ``retain_grad`` stored is
# referenced elsewhere, so it is copied.

_baseline = None        # (tensor refs, array refs, base refs) of an engine-only gradient; () = never take


def _ref_counts(grad):
    arr = grad._data
    base = arr.base
    return sys.getrefcount(grad), sys.getrefcount(arr), (0 if base is None else sys.getrefcount(base))


def _take_gradient(grad):
    global _baseline
    counts = _ref_counts(grad)
    if _baseline is None:
        _baseline = ()
        _baseline = _calibrate()
    arr = grad._data
    if (_baseline and arr.flags.c_contiguous and arr.flags.writeable and counts[0] <= _baseline[0]
            and counts[1] <= _baseline[1]):
        base = arr.base
        if base is None:
            return grad.detach()
        if (counts[2] <= _baseline[2] and base.base is None and base.nbytes == arr.nbytes
                and getattr(base, "flags", None) is not None and base.flags.writeable):
            return grad.detach()
    return grad.detach()._owned_copy_always()


def _calibrate():
    """Reference counts seen by ``_take_gradient`` for gradients only the engine holds."""
    if not hasattr(sys, "getrefcount"):
        return ()
    import ember
    seen = []
    global _take_gradient
    real = _take_gradient

    def probe(grad):
        seen.append(_ref_counts(grad))
        return grad.detach()._owned_copy_always()

    _take_gradient = probe
    try:
        with grad_mode.enable_grad():
            w = ember.ones(2, 2, requires_grad=True)
            (ember.ones(1, 2) @ w.t()).sum().backward()         # a full-size transposed view of a fresh array
            v = ember.ones(2, requires_grad=True)
            (v * 2.0).sum().backward()                          # a fresh array
    finally:
        _take_gradient = real
    if len(seen) != 2 or seen[0][2] == 0 or seen[1][2] != 0:
        return ()
    return max(seen[0][0], seen[1][0]), max(seen[0][1], seen[1][1]), seen[0][2]


from ember.autograd.graph_viz import to_dot  # noqa: E402,F401  (a DOT picture of the graph)
