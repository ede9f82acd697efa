"""``Optimizer``: the base of every algorithm in ``ember.optim`` (``torch.optim.Optimizer``).

Parameter groups, per-parameter state, ``state_dict`` / ``load_state_dict`` in PyTorch's
format, and the hooks. The algorithms update the parameters' NumPy arrays in place (see
``_apply``): each parameter's elements are walked in cache-sized chunks, so the several
element-wise passes of an update stay in cache instead of streaming the whole tensor from
memory once per pass.

``foreach``, ``fused``, ``capturable`` and ``differentiable`` are accepted and kept in the
param groups like PyTorch, but change nothing: there is one NumPy implementation, computed
in the parameter's dtype in the order of PyTorch's default (single-tensor) CPU path. With
``differentiable=True`` the update is not recorded by autograd.
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain

import numpy as np

from ember import _dtype as D
from ember._device import CPU
from ember._parallel import split_range
from ember._tensor import Tensor, _make
from ember.autograd.grad_mode import enable_grad
from ember.nn.modules.module import RemovableHandle, _typename

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook", "required"]


class _RequiredParameter:
    """Singleton marking a default that every param group must give."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """A pre-step hook for every optimizer: ``hook(optimizer, args, kwargs) -> None or (args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """A post-step hook for every optimizer: ``hook(optimizer, args, kwargs) -> None``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _hook_step(func):
    """Wrap an optimizer's ``step`` so the step hooks run around it (once, even when a
    subclass's ``step`` calls ``super().step()``)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        self = args[0]
        d = self.__dict__
        if d.get("_in_hooked_step"):
            return func(*args, **kwargs)
        d["_in_hooked_step"] = True
        try:
            pre = self.__dict__.get("_optimizer_step_pre_hooks")
            for hook in chain(_global_optimizer_pre_hooks.values(), pre.values() if pre else ()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(f"{func} must return None or a tuple of (new_args, new_kwargs), but got "
                                           f"{result}.")
            out = func(*args, **kwargs)
            self._optimizer_step_code()
            post = self.__dict__.get("_optimizer_step_post_hooks")
            for hook in chain(post.values() if post else (), _global_optimizer_post_hooks.values()):
                hook(self, args, kwargs)
            return out
        finally:
            d["_in_hooked_step"] = False

    wrapper.hooked = True
    return wrapper


def _get_scalar_dtype():
    return D.float64 if D.get_default_dtype() is D.float64 else D.float32


def _scalar_tensor(value, dtype=None) -> Tensor:
    """A 0-dim CPU tensor (PyTorch keeps ``step`` and similar counters like this)."""
    dt = dtype or _get_scalar_dtype()
    return _make(np.array(value, dtype=dt.np), dt, CPU)


def _zeros_like(p: Tensor) -> Tensor:
    return _make(np.zeros(p._data.shape, dtype=p._data.dtype), p._dtype, p._device)


def _full_like(p: Tensor, value) -> Tensor:
    return _make(np.full(p._data.shape, value, dtype=p._data.dtype), p._dtype, p._device)


def _to_float(x) -> float:
    """A group hyper-parameter as a Python float (a NumPy float64 would make NumPy compute in
    float64 instead of the parameter's dtype)."""
    if isinstance(x, Tensor):
        return float(x._data)
    return float(x)


def _check_lr(lr) -> None:
    if isinstance(lr, Tensor):
        if lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        lr = float(lr._data.reshape(-1)[0])
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_fused_foreach(fused, foreach, differentiable) -> None:
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


# --- the in-place update machinery --------------------------------------------------------

CHUNK = 1 << 17  # elements per cache-resident block of an update
_tls = threading.local()


def _temps(dtype, count: int, n: int) -> list:
    """``count`` scratch arrays of ``n`` elements (n <= CHUNK), reused across steps (per thread)."""
    cache = getattr(_tls, "scratch", None)
    if cache is None:
        cache = _tls.scratch = {}
    bufs = cache.get(dtype)
    if bufs is None or len(bufs) < count:
        bufs = cache[dtype] = [np.empty(CHUNK, dtype) for _ in range(count)]
    if n == CHUNK:
        return bufs[:count]
    return [b[:n] for b in bufs[:count]]


def _state_flat(t: Tensor):
    arr = t._data
    if not arr.flags.c_contiguous:
        arr = t._data = np.ascontiguousarray(arr)
    return arr.reshape(-1)


def _apply(kernel, p: Tensor, g, states: tuple, ntemp: int, args: tuple) -> None:
    """Run ``kernel(p, g, *states, *temps, *args)`` (a state may be None) over flat views of the parameter's array
    ``p``, its gradient array ``g`` and the state tensors, in chunks of ``CHUNK`` elements,
    then bump the parameter's version counter like any in-place op.

    Complex parameters are updated through their real view (as PyTorch does)."""
    pa = p._data
    if pa.flags.c_contiguous:
        pf = pa.reshape(-1)
        writeback = None
    else:
        pf = np.ascontiguousarray(pa).reshape(-1)
        writeback = pf
    gf = g.reshape(-1)
    sf = [None if t is None else _state_flat(t) for t in states]
    if pf.dtype.kind == "c":
        real = pf.real.dtype
        pf = pf.view(real)
        gf = np.ascontiguousarray(gf).view(real)
        sf = [s.view(real) if s is not None and s.dtype.kind == "c" else s for s in sf]
    n = pf.size
    if n <= CHUNK:
        kernel(pf, gf, *sf, *_temps(pf.dtype, ntemp, n), *args)
    else:
        def run(lo, hi):               # blocks [lo, hi); scratch arrays are per thread
            full = _temps(pf.dtype, ntemp, CHUNK)
            for s in range(lo, hi, CHUNK):
                e = s + CHUNK
                if e > hi:
                    e = hi
                    full = [b[:e - s] for b in full]
                kernel(pf[s:e], gf[s:e], *[None if x is None else x[s:e] for x in sf], *full, *args)

        # large parameters: one share of the blocks per thread (memory bandwidth of both cores)
        split_range(n, run, align=CHUNK)
    if writeback is not None:
        pa[...] = writeback.reshape(pa.shape)
    v = p._version
    if v is None:
        p._version = [1]
    else:
        v[0] += 1


def _grad_of(p: Tensor):
    """``p.grad``'s array, or None (without the non-leaf warning of the ``grad`` property)."""
    m = p._meta
    if m is None:
        return None
    g = m.grad
    return None if g is None else g._data


def _lerp_(m, d, w: float, t) -> None:
    """``m.lerp_(d, w)`` as PyTorch computes it (``t`` is scratch)."""
    np.subtract(d, m, out=t)
    if w < 0.5:
        np.multiply(t, w, out=t)
        np.add(m, t, out=m)
    else:
        np.multiply(t, 1.0 - w, out=t)
        np.subtract(d, t, out=m)


def _decayed_grad(p, g, wd: float, maximize: bool, t):
    """``grad`` after ``maximize`` (negation) and coupled weight decay (``grad + wd * param``)."""
    if wd != 0:
        np.multiply(p, wd, out=t)
        if maximize:
            np.subtract(t, g, out=t)
        else:
            np.add(t, g, out=t)
        return t
    if maximize:
        np.negative(g, out=t)
        return t
    return g


def _closure_loss(closure):
    if closure is None:
        return None
    with enable_grad():
        return closure()


class Optimizer:
    """Base class for all optimizers (``torch.optim.Optimizer``).

    ``params``: an iterable of tensors, of dicts (param groups), or of ``(name, tensor)``
    pairs; ``defaults``: the hyper-parameters groups take when they do not give their own."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if callable(step) and not getattr(step, "hooked", False):
            cls.step = _hook_step(step)

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)
        self._warned_capturable_if_run_uncaptured = True

    # --- pickling / printing ------------------------------------------------------------
    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    # (option, default) pairs filled into param groups restored by pickle, and whether ``step`` is a tensor
    _group_defaults: tuple = ()
    _tensor_steps = False

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                     "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                self.__dict__[name] = OrderedDict()
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:          # groups pickled by older versions lack newer options
            for k, v in self._group_defaults:
                group.setdefault(k, v)
        if self._tensor_steps:                   # old pickles kept ``step`` as a number
            for st in self.state.values():
                if "step" in st and not isinstance(st["step"], Tensor):
                    st["step"] = _scalar_tensor(float(st["step"]))

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # --- step patching and hooks ----------------------------------------------------------
    def _patch_step_function(self) -> None:
        """Make sure this optimizer's class ``step`` runs the step hooks (classes defined
        the usual way are wrapped when they are created; this catches a ``step`` assigned
        to the class later)."""
        cls = self.__class__
        if not getattr(cls.step, "hooked", False):
            cls.step = _hook_step(cls.step)

    def _optimizer_step_code(self) -> None:
        """Runs after every step (a marker for profilers; does nothing)."""

    @staticmethod
    def profile_hook_step(func):
        return _hook_step(func)

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)`` before each step."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None`` after each step."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(hooks: OrderedDict, hook, prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer) -> None`` before ``state_dict()`` builds the dict."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict) -> state_dict or None`` after ``state_dict()`` built it."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer, state_dict) -> state_dict or None`` before ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(optimizer) -> None`` after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state dict -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``; the
        state tensors are this optimizer's own (not copies), as in PyTorch."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping: dict = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param: Tensor, value: Tensor, param_id, param_groups, key=None):
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=D.float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a dict made by ``state_dict()`` (state tensors are cast to each parameter's
        dtype and device, except ``step``, which is kept as it is)."""
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, param_id=None, param_groups=None, key=None):
            if isinstance(value, Tensor):
                return self._process_value_according_to_param_policy(param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id=param_id, param_groups=param_groups, key=k)
                        for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, param_id=param_id, param_groups=param_groups) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, param_id=k, param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # --- gradients and groups -------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                m = p._meta
                if m is None or m.grad is None:
                    continue
                if set_to_none:
                    m.grad = None
                else:
                    g = m.grad
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    def step(self, closure=None):
        """Perform one optimization step (subclasses implement it)."""
        raise NotImplementedError

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own hyper-parameters) to ``param_groups``."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(param)}")
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. cannot add param group "
                                 f"{which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)
