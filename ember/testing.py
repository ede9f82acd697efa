"""``ember.testing``: ``assert_close`` and ``make_tensor`` (``torch.testing``).

``assert_close`` compares tensors, Python scalars and (nested) sequences / mappings of them
with PyTorch's default tolerances per dtype and PyTorch's failure messages.
"""

from __future__ import annotations

import collections.abc
import math

import numpy as np

from ember import _dtype as D
from ember._tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype, as torch.testing picks them when both are None
_TOLERANCES = {
    D.float16: (1e-3, 1e-5), D.bfloat16: (1.6e-2, 1e-5), D.float32: (1.3e-6, 1e-5), D.float64: (1e-7, 1e-7),
    D.complex64: (1.3e-6, 1e-5), D.complex128: (1e-7, 1e-7),
}


def _tolerances(dtype, rtol, atol):
    if (rtol is None) != (atol is None):
        missing = "atol" if rtol is not None else "rtol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    if rtol is not None:
        return rtol, atol
    return _TOLERANCES.get(dtype, (0.0, 0.0))


def _fail(msg, default: str, path: str):
    text = default + (f"\n\nThe failure occurred for item {path}" if path else "")
    if callable(msg):
        text = msg(text)
    elif msg is not None:
        text = msg
    raise AssertionError(text)


def _index(flat_pos: int, shape) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat_pos, shape)) if shape else ()


def _compare_tensors(actual: Tensor, expected: Tensor, rtol, atol, equal_nan, check_device, check_dtype,
                     check_stride, msg, path):
    for attr, a, e in (("shape", actual.shape, expected.shape),
                       ("device", actual.device if check_device else None, expected.device if check_device else None),
                       ("dtype", actual.dtype if check_dtype else None, expected.dtype if check_dtype else None)):
        if a != e:
            _fail(msg, f"The values for attribute '{attr}' do not match: {a} != {e}.", path)
    if check_stride and actual.stride() != expected.stride():
        _fail(msg, f"The values for attribute 'stride()' do not match: {actual.stride()} != {expected.stride()}.",
              path)
    dtype = actual.dtype if actual.dtype == expected.dtype else D.promote_types(actual.dtype, expected.dtype)
    rtol, atol = _tolerances(dtype, rtol, atol)
    a = actual.detach().cpu().numpy()
    e = expected.detach().cpu().numpy()
    exact = dtype.category < D.FLOAT
    # differences are computed as PyTorch does: in the common dtype, integers and bools in the default float
    work = (D._default.value if exact else dtype).np
    if work == D.bfloat16.np or work == D.float16.np:
        work = np.dtype(np.float32)
    a, e = a.astype(work), e.astype(work)
    with np.errstate(all="ignore"):
        diff = np.abs(a - e)
        close = diff <= atol + rtol * np.abs(e)
        close |= a == e                                        # equal infinities
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
    if close.all():
        return
    total = close.size
    bad = int(total - close.sum())
    with np.errstate(all="ignore"):
        rel = (diff / np.abs(e)).ravel()
    diff = diff.ravel()

    def worst(v):                                              # max, NaN winning as in torch's max()
        nans = np.flatnonzero(np.isnan(v))
        i = int(nans[0]) if nans.size else int(v.argmax())
        return v[i], i

    (da, ia), (dr, ir) = worst(diff), worst(rel)

    def num(v):
        v = float(v)
        return str(int(v)) if exact and math.isfinite(v) and v == int(v) else repr(v)

    word = "equal" if exact else "close"
    lines = [f"Tensor-likes are not {word}!", "", f"Mismatched elements: {bad} / {total} ({bad / total:.1%})"]
    allowed_a = "" if exact else f" (up to {atol} allowed)"
    allowed_r = "" if exact else f" (up to {rtol} allowed)"
    lines.append(f"Greatest absolute difference: {num(da)} at index {_index(ia, a.shape)}{allowed_a}")
    lines.append(f"Greatest relative difference: {float(dr)!r} at index {_index(ir, a.shape)}{allowed_r}")
    _fail(msg, "\n".join(lines), path)


def _compare_scalars(actual, expected, rtol, atol, equal_nan, msg, path):
    if type(actual) is not type(expected) and not (isinstance(actual, bool) == isinstance(expected, bool)):
        _fail(msg, f"The values for attribute 'type' do not match: {type(actual)} != {type(expected)}.", path)
    dtype = {bool: D.bool_, int: D.int64, float: D.float64, complex: D.complex128}[type(expected)]
    rtol, atol = _tolerances(dtype, rtol, atol)
    if actual == expected or (equal_nan and actual != actual and expected != expected):
        return
    diff = abs(actual - expected)
    if diff <= atol + rtol * abs(expected):
        return
    rel = diff / abs(expected) if expected else math.inf
    exact = dtype.category < D.FLOAT
    if exact:
        text = (f"Scalars are not equal!\n\nExpected {expected} but got {actual}.\n"
                f"Absolute difference: {diff}\nRelative difference: {rel}")
    else:
        text = (f"Scalars are not close!\n\nExpected {expected} but got {actual}.\n"
                f"Absolute difference: {diff} (up to {atol} allowed)\n"
                f"Relative difference: {rel} (up to {rtol} allowed)")
    _fail(msg, text, path)


def _is_scalar(x) -> bool:
    return isinstance(x, (bool, int, float, complex))


def _compare(actual, expected, path, kw):
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        _compare_tensors(actual, expected, kw["rtol"], kw["atol"], kw["equal_nan"], kw["check_device"],
                         kw["check_dtype"], kw["check_stride"], kw["msg"], path)
    elif isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray):
        from ember.ops.creation import from_numpy
        _compare(from_numpy(np.ascontiguousarray(actual)), from_numpy(np.ascontiguousarray(expected)), path, kw)
    elif _is_scalar(actual) and _is_scalar(expected):
        _compare_scalars(actual, expected, kw["rtol"], kw["atol"], kw["equal_nan"], kw["msg"], path)
    elif isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            _fail(kw["msg"], f"The keys of the mappings do not match:\n{sorted(map(repr, actual))} != "
                  f"{sorted(map(repr, expected))}", path)
        for key in expected:
            _compare(actual[key], expected[key], f"{path}[{key!r}]", kw)
    elif (isinstance(actual, collections.abc.Sequence) and isinstance(expected, collections.abc.Sequence)
          and not isinstance(actual, str) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            _fail(kw["msg"], f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, f"{path}[{i}]", kw)
    elif actual is None and expected is None:
        return
    else:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def assert_close(actual, expected, *, allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False, msg=None) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close (``torch.testing.assert_close``)."""
    _compare(actual, expected, "", dict(rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device,
                                        check_dtype=check_dtype, check_stride=check_stride, msg=msg))


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False, memory_format=None) -> Tensor:
    """A random tensor for tests (``torch.testing.make_tensor``): uniform in ``[low, high)``."""
    import ember
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    if dtype is D.bool_:
        t = ember.randint(0, 2, shape, device=device).to(D.bool_)
    elif dtype.category < D.FLOAT:
        info = ember.iinfo(dtype)
        lo = max(-9 if low is None else math.ceil(low), info.min)
        hi = min(10 if high is None else math.ceil(high), info.max + 1)
        if dtype is D.uint8:
            lo = max(lo, 0)
        t = ember.randint(lo, hi, shape, dtype=dtype, device=device)
    else:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        if lo > hi:
            raise ValueError(f"The value for `low` ({lo}) must be lower than or equal to the value for `high` ({hi}).")
        real = D.float32 if dtype is D.complex64 else D.float64 if dtype is D.complex128 else dtype
        t = ember.empty(shape, dtype=real, device=device).uniform_(lo, hi)
        if dtype.category == D.COMPLEX:
            t = ember.complex(t, ember.empty(shape, dtype=real, device=device).uniform_(lo, hi))
    if exclude_zero:
        t = ember.where(t == 0, ember.ones((), dtype=dtype, device=device), t)
    if noncontiguous and t.numel() > 1:
        t = ember.repeat_interleave(t, 2, dim=-1)[..., ::2]
    if requires_grad:
        t.requires_grad_(True)
    return t
