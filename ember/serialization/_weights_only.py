"""The restricted unpickler behind ``ember.load(weights_only=True)`` and the user's allowlist.

The unpickler interprets the pickle's opcodes itself (decoded by ``pickletools.genops``) instead of running
``pickle.Unpickler``: GLOBAL names resolve only through the default table (``_rebuild.TORCH_GLOBALS``) or the
objects registered with :func:`add_safe_globals`; REDUCE only calls such objects, NEWOBJ only instantiates such
classes, BUILD only sets the state of an OrderedDict or of an allowlisted class's instance, APPEND(S) only extends
lists and SETITEM(S) only fills dicts. Nothing else in the file can make code run. A refusal raises
``pickle.UnpicklingError`` naming the offending global; malformed data raises whatever the operation raised, and
``load`` turns that into a ``RuntimeError``.
"""

from __future__ import annotations

import _compat_pickle
import pickle
import pickletools
from collections import OrderedDict

from ember.nn.parameter import Parameter
from ember.serialization._rebuild import TORCH_GLOBALS

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]

_user_globals: list = []


def _qualified_name(obj) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', ''))}"


def add_safe_globals(safe_globals: list) -> None:
    """Mark globals as safe for ``weights_only`` loads: each item is an object, or ``(object, "module.name")``
    when the checkpoint names it differently from ``obj.__module__ + "." + obj.__qualname__``."""
    for item in safe_globals:
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[1], str):
                raise ValueError(f"Expected tuple of (object, str) in safe_globals, but got {item!r}")
        _user_globals.append(item)


def get_safe_globals() -> list:
    """The objects marked safe with :func:`add_safe_globals`."""
    return list(_user_globals)


def clear_safe_globals() -> None:
    """Forget every global marked safe with :func:`add_safe_globals`."""
    _user_globals.clear()


class safe_globals:
    """Context manager: the given globals are safe for ``weights_only`` loads inside the ``with`` block."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        self._saved = list(_user_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _user_globals[:] = self._saved
        return False


def _user_table() -> dict:
    table = {}
    for item in _user_globals:
        if isinstance(item, tuple):
            table[item[1]] = item[0]
        else:
            table[_qualified_name(item)] = item
    return table


def _display_name(full: str) -> str:
    if full.startswith("builtins."):
        return full[len("builtins."):]
    return full


class WeightsOnlyError(pickle.UnpicklingError):
    """A refusal by the weights-only unpickler (a global, call or build that is not allowed)."""


def _unsupported_global(full: str):
    name = _display_name(full)
    return WeightsOnlyError(
        f"Unsupported global: GLOBAL {name} was not an allowed global by default. Please use "
        f"`ember.serialization.add_safe_globals([{name}])` or the `ember.serialization.safe_globals([{name}])` "
        "context manager to allowlist this global if you trust this class/function.")


WEIGHTS_ONLY_HEADER = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, do those steps only "
    "if you trust the source of the checkpoint. \n\t(1) Re-running `ember.load` with `weights_only` set to `False` "
    "will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in "
    "the following error message.\n\tWeightsUnpickler error: ")
WEIGHTS_ONLY_FOOTER = ("\n\nCheck the documentation of ember.load (torch.load) to learn more about types accepted "
                       "by default with weights_only.")


def _resolve(module: str, name: str, user: dict):
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    full = f"{module}.{name}"
    if full in user:
        return user[full]
    if full.startswith("torch.") and "ember." + full[6:] in user:
        return user["ember." + full[6:]]
    if full in TORCH_GLOBALS:
        return TORCH_GLOBALS[full]
    raise _unsupported_global(full)


def weights_only_load(file, persistent_load):
    """Unpickle one pickle from ``file`` (positioned at its start), allowing only safe globals."""
    user = _user_table()
    allowed = {id(v) for v in TORCH_GLOBALS.values()} | {id(v) for v in user.values()}
    user_ids = {id(v) for v in user.values()}
    stack: list = []
    metastack: list = []
    memo: dict = {}

    def pop_mark():
        nonlocal stack
        items = stack
        stack = metastack.pop()
        return items

    for op, arg, _pos in pickletools.genops(file):
        name = op.name
        if name in ("PROTO", "FRAME"):
            continue
        if name == "STOP":
            return stack.pop()
        if name == "MARK":
            metastack.append(stack)
            stack = []
        elif name in ("BINPUT", "PUT", "LONG_BINPUT"):
            memo[arg] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("BINGET", "GET", "LONG_BINGET"):
            stack.append(memo[arg])
        elif name in ("NONE",):
            stack.append(None)
        elif name == "NEWTRUE":
            stack.append(True)
        elif name == "NEWFALSE":
            stack.append(False)
        elif name in ("INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT",
                      "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "STRING", "BINSTRING",
                      "SHORT_BINSTRING", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8"):
            stack.append(arg)
        elif name == "BYTEARRAY8":
            stack.append(bytearray(arg))
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name == "TUPLE1":
            stack[-1] = (stack[-1],)
        elif name == "TUPLE2":
            stack[-2:] = [(stack[-2], stack[-1])]
        elif name == "TUPLE3":
            stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
        elif name == "TUPLE":
            items = pop_mark()
            stack.append(tuple(items))
        elif name == "EMPTY_LIST":
            stack.append([])
        elif name == "LIST":
            items = pop_mark()
            stack.append(items)
        elif name == "APPEND":
            item = stack.pop()
            if type(stack[-1]) is not list:
                raise WeightsOnlyError(f"Can only append to lists, but got {type(stack[-1])}")
            stack[-1].append(item)
        elif name == "APPENDS":
            items = pop_mark()
            if type(stack[-1]) is not list:
                raise WeightsOnlyError(f"Can only extend lists, but got {type(stack[-1])}")
            stack[-1].extend(items)
        elif name == "EMPTY_DICT":
            stack.append({})
        elif name == "DICT":
            items = pop_mark()
            stack.append({items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)})
        elif name == "SETITEM":
            v, k = stack.pop(), stack.pop()
            if not isinstance(stack[-1], dict):
                raise WeightsOnlyError(f"Can only SETITEM for dict, but got {type(stack[-1])}")
            stack[-1][k] = v
        elif name == "SETITEMS":
            items = pop_mark()
            target = stack[-1]
            if not isinstance(target, dict):
                raise WeightsOnlyError(f"Can only SETITEMS for dict, but got {type(target)}")
            for i in range(0, len(items) - 1, 2):
                target[items[i]] = items[i + 1]
        elif name == "EMPTY_SET":
            stack.append(set())
        elif name == "ADDITEMS":
            items = pop_mark()
            if type(stack[-1]) is not set:
                raise WeightsOnlyError(f"Can only add items to sets, but got {type(stack[-1])}")
            stack[-1].update(items)
        elif name == "FROZENSET":
            items = pop_mark()
            stack.append(frozenset(items))
        elif name == "POP":
            if stack:
                stack.pop()
            else:
                pop_mark()
        elif name == "POP_MARK":
            pop_mark()
        elif name == "DUP":
            stack.append(stack[-1])
        elif name == "GLOBAL":
            module, _, gname = arg.partition(" ")
            stack.append(_resolve(module, gname, user))
        elif name == "STACK_GLOBAL":
            gname, module = stack.pop(), stack.pop()
            if not isinstance(gname, str) or not isinstance(module, str):
                raise WeightsOnlyError("STACK_GLOBAL requires str")
            stack.append(_resolve(module, gname, user))
        elif name == "REDUCE":
            args = stack.pop()
            func = stack[-1]
            if id(func) not in allowed:
                raise WeightsOnlyError(f"Trying to call reduce for unrecognized function {func!r}")
            if not isinstance(args, tuple):
                raise RuntimeError("REDUCE arguments must be a tuple")
            stack[-1] = func(*args)
        elif name in ("NEWOBJ", "NEWOBJ_EX"):
            kwargs = stack.pop() if name == "NEWOBJ_EX" else {}
            args = stack.pop()
            cls = stack.pop()
            if id(cls) not in allowed or not isinstance(cls, type):
                raise WeightsOnlyError("Can only create new object for nn.Parameter or classes allowlisted via "
                                       f"`add_safe_globals` but got {cls!r}")
            if cls is Parameter:
                stack.append(Parameter(*args, **kwargs))
            else:
                stack.append(cls.__new__(cls, *args, **kwargs))
        elif name == "BUILD":
            state = stack.pop()
            inst = stack[-1]
            t = type(inst)
            if t is OrderedDict:
                if not isinstance(state, dict):
                    raise RuntimeError("OrderedDict state must be a dict")
                inst.__dict__.update(state)
            elif id(t) in user_ids:
                setstate = getattr(inst, "__setstate__", None)
                if setstate is not None:
                    setstate(state)
                else:
                    slotstate = None
                    if isinstance(state, tuple) and len(state) == 2:
                        state, slotstate = state
                    if state:
                        inst.__dict__.update(state)
                    if slotstate:
                        for k, v in slotstate.items():
                            setattr(inst, k, v)
            else:
                raise WeightsOnlyError("Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                                       f"`add_safe_globals`, but got {t}")
        elif name == "BINPERSID":
            stack.append(persistent_load(stack.pop()))
        elif name == "PERSID":
            stack.append(persistent_load(arg))
        else:
            raise WeightsOnlyError(f"Unsupported operand {op.code!r} ({name})")
    raise RuntimeError("pickle data ended without a STOP opcode")
