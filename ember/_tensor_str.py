"""Tensor printing, formatted exactly as PyTorch prints tensors.

The layout rules (as observed from PyTorch's output):
- one width for every element of a tensor (right-aligned), chosen from the values that
  are shown (only the edge items when the tensor is summarised);
- floating tensors print in one of three modes: *integer* mode when every finite non-zero
  value is a whole number (``1.``), *fixed* mode with ``precision`` decimals, or
  *scientific* mode when the magnitudes span more than 1000x, exceed 1e8, or (fixed mode
  only) go below 1e-4; ``sci_mode`` in the print options forces or forbids scientific;
- float16/bfloat16 print through float32; complex tensors format their real and imaginary
  parts with separate widths;
- tensors with more than ``threshold`` elements are summarised to ``edgeitems`` items at
  each end of every dimension, with ``...`` between;
- rows wrap at ``linewidth``; nested rows are indented by one more column per level;
- suffixes: ``size=`` (empty tensors not of shape (0,)), ``dtype=`` (when not the default
  float dtype, its complex partner, int64 or bool), ``device=`` (not cpu), ``grad_fn=`` or
  ``requires_grad=True``; a suffix that would pass ``linewidth`` goes on its own line.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np

from ember import _dtype as D

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None) -> None:
    """Set options for printing (``torch.set_printoptions``).

    ``profile`` ("default", "short", "full") sets a group of options first; the other
    arguments override it. ``sci_mode`` is always set (None: chosen automatically)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"Unknown profile: {profile}")
        for k, v in _PROFILES[profile].items():
            setattr(PRINT_OPTS, k, v)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options as a dict (keys as ``set_printoptions``'s arguments)."""
    return dict(precision=PRINT_OPTS.precision, threshold=PRINT_OPTS.threshold, edgeitems=PRINT_OPTS.edgeitems,
                linewidth=PRINT_OPTS.linewidth, sci_mode=PRINT_OPTS.sci_mode)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager: ``set_printoptions(**kwargs)`` inside, the old options restored after."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------------------
# element formatting

class _Formatter:
    """Chooses the mode and the common width for a set of values (a NumPy array)."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        prec = PRINT_OPTS.precision
        flat = values.reshape(-1)
        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absd = np.abs(vals.astype(np.float64))
        lo, hi = float(absd.min()), float(absd.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        else:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or (not self.int_mode and lo < 1.0e-4)
        pyvals = vals.tolist()
        if self.sci_mode:
            width = max(len(f"{v:.{prec}e}") for v in pyvals)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") + 1 for v in pyvals)
        else:
            width = max(len(f"{v:.{prec}f}") for v in pyvals)
        self.max_width = max(self.max_width, width)

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                s = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."
            else:
                s = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            s = str(value)
        return " " * (self.max_width - len(s)) + s


def _join_complex(real_str: str, imag_str: str) -> str:
    imag_str = (imag_str + "j").lstrip()
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The values shown when ``arr`` is summarised (edge items of every dimension)."""
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * e:
            return np.concatenate((arr[:e], arr[arr.shape[0] - e:] if e else arr))
        return arr
    if not e:
        return arr[tuple(slice(0, 0) for _ in arr.shape)]
    index = [np.r_[0:e, n - e:n] if n > 2 * e else np.arange(n) for n in arr.shape]
    return arr[np.ix_(*index)]


class _Printer:
    def __init__(self, fmt1: _Formatter, fmt2: _Formatter | None, summarize: bool):
        self.fmt1, self.fmt2, self.summarize = fmt1, fmt2, summarize

    def value(self, v) -> str:
        if self.fmt2 is None:
            return self.fmt1.format(v)
        return _join_complex(self.fmt1.format(v.real), self.fmt2.format(v.imag))

    def scalar(self, arr) -> str:
        return self.value(arr.item())

    def vector(self, arr, indent: int) -> str:
        e = PRINT_OPTS.edgeitems
        elem_len = self.fmt1.width() + 2
        if self.fmt2 is not None:
            elem_len += self.fmt2.width() + 1
        per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / elem_len)))
        n = arr.shape[0]
        if self.summarize and not e:
            data = ["..."]
        elif self.summarize and n > 2 * e:
            data = ([self.value(v) for v in arr[:e].tolist()] + [" ..."]
                    + [self.value(v) for v in arr[n - e:].tolist()])
        else:
            data = [self.value(v) for v in arr.tolist()]
        lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"

    def nested(self, arr, indent: int) -> str:
        nd = arr.ndim
        if nd == 0:
            return self.scalar(arr)
        if nd == 1:
            return self.vector(arr, indent)
        e = PRINT_OPTS.edgeitems
        n = arr.shape[0]
        if self.summarize and n > 2 * e:
            parts = ([self.nested(arr[i], indent + 1) for i in range(e)] + ["..."]
                     + [self.nested(arr[i], indent + 1) for i in range(n - e, n)])
        else:
            parts = [self.nested(arr[i], indent + 1) for i in range(n)]
        return "[" + ("," + "\n" * (nd - 1) + " " * (indent + 1)).join(parts) + "]"


def _body(arr: np.ndarray, dtype: D.dtype, indent: int) -> str:
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    if dtype is D.float16 or dtype is D.bfloat16:
        arr = arr.astype(np.float32)
    shown = _summarized(arr) if summarize else arr
    if dtype.category == D.COMPLEX:
        fmt1 = _Formatter(np.ascontiguousarray(shown.real), True)
        fmt2 = _Formatter(np.ascontiguousarray(shown.imag), True)
    else:
        fmt1 = _Formatter(shown, dtype.category == D.FLOAT)
        fmt2 = None
    return _Printer(fmt1, fmt2, summarize).nested(arr, indent)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    parts = [text]
    last_len = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last_len + len(s) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + s)
            last_len = indent + len(s)
        else:
            parts.append(", " + s)
            last_len += len(s) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    cls = type(t)
    plain = cls.__name__ in ("Tensor", "Parameter")
    prefix = "tensor(" if plain else f"{cls.__name__}("
    indent = len(prefix)
    suffixes = []
    dtype = t._dtype
    if t._device.type != "cpu":
        suffixes.append(f"device='{t._device}'")
    default = D._default.value
    arr = t._host()
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append("size=" + str(tuple(arr.shape)))
        if dtype is not default:
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(arr.shape)))
        if dtype not in (default, D.default_complex_dtype(), D.int64, D.bool_):
            suffixes.append(f"dtype={dtype!r}")
        body = _body(arr, dtype, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
