"""The differential harness: run one sample in ember and in real PyTorch, compare everything.

A sample (``Case``) names an op and gives its inputs as NumPy arrays, Python values and
markers; the harness builds the same tensors in both libraries, calls the op, and
compares values (PyTorch's ``assert_close`` tolerances per dtype), result dtypes, shapes,
and, for floating inputs, gradients against ``torch.autograd.grad`` with a random
cotangent. Error samples check both libraries raise the same exception type.

Markers for inputs:
- ``T(arr)``: a non-contiguous (transposed) tensor holding ``arr``'s values;
- ``Sl(arr)``: a non-contiguous (strided slice) tensor holding ``arr``'s values;
- ``NG(arr)``: a floating tensor that does not require grad;
- ``DT("float64")``: the dtype object of that name in each library;
- ``L(...)`` / lists and tuples: containers whose array items become tensors;
- ``Lib(lambda lib: ...)``: any value built from the library module.
"""

from __future__ import annotations

import builtins
import math
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    BF16 = None

TOLERANCES = {  # PyTorch's assert_close defaults (rtol, atol)
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}
GRAD_TOLERANCES = {"float32": (1e-5, 1e-5), "float64": (1e-7, 1e-7), "complex64": (1e-5, 1e-5),
                   "complex128": (1e-7, 1e-7), "float16": (1e-2, 1e-3), "bfloat16": (5e-2, 1e-2)}


@dataclass
class T:
    arr: np.ndarray


@dataclass
class Sl:
    arr: np.ndarray


@dataclass
class NG:
    arr: Any


@dataclass
class DT:
    name: str


@dataclass
class Lib:
    make: Callable


@dataclass
class Case:
    op: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    fn: Callable | None = None      # fn(lib, *args, **kwargs); default getattr(lib, op)(...)
    method: bool = False            # call args[0].<op>(*args[1:], **kwargs)
    grad: bool = True               # compare gradients for floating inputs
    rtol: float | None = None
    atol: float | None = None
    raises: bool = False            # both libraries must raise the same exception type
    compare_dtype: bool = True
    id: str = ""

    def call(self, lib, args, kwargs):
        if self.fn is not None:
            return self.fn(lib, *args, **kwargs)
        if self.method:
            return getattr(args[0], self.op)(*args[1:], **kwargs)
        return getattr(lib, self.op)(*args, **kwargs)


def case(op, *args, **options) -> Case:
    kw = {k: options.pop(k) for k in list(options) if k not in Case.__dataclass_fields__}
    return Case(op, args, kw, **options)


# ---------------------------------------------------------------------------------------
# inputs

def rand(*shape, dtype="float32", low=-2.0, high=2.0, seed=None) -> np.ndarray:
    """Deterministic random array; integers in [low, high), floats uniform, bools 50/50."""
    if seed is None:  # stable across processes (str hashing is randomised per process)
        seed = zlib.crc32(repr((shape, dtype, low, high)).encode())
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)  # 0-d stays an array, not a NumPy scalar
    if dtype in ("int8", "int16", "int32", "int64", "uint8"):
        return np.asarray(rng.integers(int(low), int(high), size=shape).astype(dtype))
    if dtype.startswith("complex"):
        return np.asarray((rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)).astype(dtype))
    arr = rng.uniform(low, high, shape)
    if dtype == "bfloat16":
        return arr.astype(BF16)
    return arr.astype(dtype)


def positive(*shape, dtype="float32", low=0.5, high=3.0, seed=None) -> np.ndarray:
    return rand(*shape, dtype=dtype, low=low, high=high, seed=seed)


def _is_float_dtype_name(name: str) -> bool:
    return name.startswith("float") or name.startswith("complex") or name == "bfloat16"


def _np_to_lib(lib, arr: np.ndarray, requires_grad: bool):
    if arr.dtype == BF16:
        t = lib.tensor(arr.astype(np.float32)).to(lib.bfloat16)
    else:
        t = lib.tensor(np.array(arr, order="C"))  # (np.ascontiguousarray would make 0-d arrays 1-d)
    if requires_grad and _is_float_dtype_name(str(arr.dtype) if arr.dtype != BF16 else "bfloat16"):
        t.requires_grad_(True)
    return t


def _leaf_from_transposed(lib, arr, requires_grad):
    if arr.ndim < 2:
        return _leaf_from_sliced(lib, arr, requires_grad)
    base = _np_to_lib(lib, np.ascontiguousarray(np.swapaxes(arr, -1, -2)), False)
    t = base.transpose(-1, -2)
    if requires_grad and t.is_floating_point():
        t = t.detach().requires_grad_(True)  # still a non-contiguous leaf
    return t


def _leaf_from_sliced(lib, arr, requires_grad):
    if arr.ndim == 0:
        return _np_to_lib(lib, arr, requires_grad)
    big = np.repeat(arr, 2, axis=-1)
    base = _np_to_lib(lib, big, False)
    t = base[..., ::2]
    if requires_grad and t.is_floating_point():
        t = t.detach().requires_grad_(True)
    return t


def build(lib, x, grad: bool, leaves: list):
    """Turn a sample input into the library's object, collecting tensors that require grad."""
    if isinstance(x, np.ndarray):
        t = _np_to_lib(lib, x, grad)
    elif isinstance(x, T):
        t = _leaf_from_transposed(lib, x.arr, grad)
    elif isinstance(x, Sl):
        t = _leaf_from_sliced(lib, x.arr, grad)
    elif isinstance(x, NG):
        return build(lib, x.arr, False, leaves)
    elif isinstance(x, DT):
        return getattr(lib, x.name)
    elif isinstance(x, Lib):
        return x.make(lib)
    elif isinstance(x, list):
        return [build(lib, v, grad, leaves) for v in x]
    elif isinstance(x, tuple):
        return tuple(build(lib, v, grad, leaves) for v in x)
    elif isinstance(x, dict):
        return {k: build(lib, v, grad, leaves) for k, v in x.items()}
    else:
        return x
    if getattr(t, "requires_grad", False):
        leaves.append(t)
    return t


# ---------------------------------------------------------------------------------------
# comparison

def dtype_name(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


def to_numpy(t) -> np.ndarray:
    """A tensor of either library as a float64/complex128/int/bool NumPy array."""
    t = t.detach()
    if hasattr(t, "resolve_conj"):
        t = t.resolve_conj().resolve_neg()
    name = dtype_name(t.dtype)
    if name in ("bfloat16", "float16"):
        t = t.float()
    arr = np.asarray(t.cpu().numpy() if hasattr(t, "cpu") else t.numpy())
    return arr


def _is_tensor(x) -> bool:
    return type(x).__name__ in ("Tensor", "Parameter") and hasattr(x, "dtype") and hasattr(x, "shape")


def assert_same(e, t, rtol=None, atol=None, compare_dtype=True, path="out"):
    """Assert ember's result ``e`` equals torch's result ``t`` (structure, dtype, shape, values)."""
    if _is_tensor(t):
        assert _is_tensor(e), f"{path}: expected a tensor, got {type(e).__name__}"
        tn, en = dtype_name(t.dtype), dtype_name(e.dtype)
        if compare_dtype:
            assert en == tn, f"{path}: dtype {en} != torch's {tn}"
        assert tuple(e.shape) == tuple(t.shape), f"{path}: shape {tuple(e.shape)} != torch's {tuple(t.shape)}"
        ea, ta = to_numpy(e), to_numpy(t)
        r, a = TOLERANCES.get(tn, (0, 0))
        r = r if rtol is None else rtol
        a = a if atol is None else atol
        if ea.dtype.kind in "biu" and ta.dtype.kind in "biu" and rtol is None and atol is None:
            np.testing.assert_array_equal(ea, ta, err_msg=path)
        else:
            np.testing.assert_allclose(ea, ta, rtol=r, atol=a, equal_nan=True, err_msg=path)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{path}: expected a sequence, got {type(e).__name__}"
        assert len(e) == len(t), f"{path}: length {len(e)} != torch's {len(t)}"
        if hasattr(t, "_fields") and not type(t).__name__ == "Size":
            assert getattr(e, "_fields", None) == t._fields, f"{path}: named fields differ"
        for i, (ei, ti) in enumerate(zip(e, t)):
            assert_same(ei, ti, rtol, atol, compare_dtype, f"{path}[{i}]")
    elif isinstance(t, float):
        assert isinstance(e, (float, int)), f"{path}: expected float, got {type(e).__name__}"
        if math.isnan(t):
            assert math.isnan(e), f"{path}: {e} != nan"
        else:
            assert math.isclose(e, t, rel_tol=rtol or 1e-6, abs_tol=atol or 1e-6), f"{path}: {e} != {t}"
    elif type(t).__name__ == "dtype":
        assert dtype_name(e) == dtype_name(t), f"{path}: {e} != {t}"
    else:
        assert e == t, f"{path}: {e!r} != torch's {t!r}"


def _flat_tensors(x) -> list:
    if _is_tensor(x):
        return [x]
    if isinstance(x, (tuple, list)):
        return [t for v in x for t in _flat_tensors(v)]
    return []


def _builtin_base(exc_type):
    for k in exc_type.__mro__:
        if k.__module__ == "builtins":
            return k
    return Exception


def run_case(c: Case, ember, torch):
    """Run one sample in both libraries and compare outputs and gradients."""
    t_leaves, e_leaves = [], []
    t_args = build(torch, c.args, c.grad, t_leaves)
    e_args = build(ember, c.args, c.grad, e_leaves)
    t_kwargs = build(torch, c.kwargs, False, [])
    e_kwargs = build(ember, c.kwargs, False, [])

    if c.raises:
        try:
            c.call(torch, t_args, t_kwargs)
        except Exception as te:  # noqa: BLE001
            expected = _builtin_base(type(te))
        else:
            raise AssertionError("torch did not raise for this error sample")
        try:
            c.call(ember, e_args, e_kwargs)
        except expected:
            return
        except Exception as ee:  # noqa: BLE001
            raise AssertionError(
                f"ember raised {type(ee).__name__}: {ee}; torch raised {expected.__name__}") from ee
        raise AssertionError(f"ember did not raise; torch raised {expected.__name__}")

    t_out = c.call(torch, t_args, t_kwargs)
    e_out = c.call(ember, e_args, e_kwargs)
    assert_same(e_out, t_out, c.rtol, c.atol, c.compare_dtype)

    if not (c.grad and t_leaves):
        return
    t_outs = [o for o in _flat_tensors(t_out) if o.requires_grad]
    e_flat = _flat_tensors(e_out)
    t_flat = _flat_tensors(t_out)
    e_outs = [e for e, t in zip(e_flat, t_flat) if t.requires_grad]
    if not t_outs:
        return
    assert builtins.all(e.requires_grad for e in e_outs), "ember output does not require grad"
    rng = np.random.default_rng(1234)
    cots = [rng.standard_normal(tuple(o.shape)).astype(np.float64) for o in t_outs]
    t_cots = [torch.tensor(g).to(o.dtype) for g, o in zip(cots, t_outs)]
    e_cots = [ember.tensor(g).to(o.dtype) for g, o in zip(cots, e_outs)]
    t_grads = torch.autograd.grad(t_outs, t_leaves, t_cots, allow_unused=True)
    e_grads = ember.autograd.grad(e_outs, e_leaves, e_cots, allow_unused=True)
    for i, (eg, tg) in enumerate(zip(e_grads, t_grads)):
        if tg is None:
            assert eg is None or not to_numpy(eg).any(), f"grad[{i}]: torch has no gradient, ember has one"
            continue
        assert eg is not None, f"grad[{i}]: ember has no gradient, torch has one"
        r, a = GRAD_TOLERANCES.get(dtype_name(tg.dtype), (1e-5, 1e-5))
        assert_same(eg, tg, c.rtol or r, c.atol or a, True, f"grad[{i}]")
