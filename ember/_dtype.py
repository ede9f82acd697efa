"""ember dtypes: objects mapped to NumPy dtypes, and PyTorch's type-promotion rules.

PyTorch promotes differently from NumPy:
- categories are ordered bool < integer < floating < complex; across categories the
  higher category's dtype wins (int64 + float16 -> float16), except that a complex
  dtype widens to hold a float64 partner (complex64 + float64 -> complex128);
- Python scalars and 0-dim tensors take part by category only (see `result_type`);
- a Python float is the default dtype, a Python int is int64.
"""

from __future__ import annotations

import threading

import ml_dtypes
import numpy as np

BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32``, ...). Compare with ``is`` or ``==``."""

    __slots__ = ("name", "np", "itemsize", "category", "is_signed", "_torch_name")

    def __init__(self, name: str, np_dtype, category: int, torch_name: str):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_signed = category != BOOL and not name.startswith("uint")
        self._torch_name = torch_name  # PyTorch's ScalarType name, used in error messages

    @property
    def is_floating_point(self) -> bool:
        return self.category == FLOAT

    @property
    def is_complex(self) -> bool:
        return self.category == COMPLEX

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> dtype:
        if self.category == COMPLEX:
            return self
        if self is float64:
            return complex128
        if self is float32:
            return complex64
        if self.category == FLOAT:  # torch gives complex32 for float16, which ember lacks
            raise RuntimeError(f"Unsupported Complex ScalarType for {self._torch_name} (ember has no complex32)")
        raise RuntimeError(f"Unknown Complex ScalarType for {self._torch_name}")

    def __repr__(self) -> str:
        return "ember." + self.name

    def __reduce__(self):
        return (_lookup_name, (self.name,))


bool_ = dtype("bool", np.bool_, BOOL, "Bool")
uint8 = dtype("uint8", np.uint8, INT, "Byte")
int8 = dtype("int8", np.int8, INT, "Char")
int16 = dtype("int16", np.int16, INT, "Short")
int32 = dtype("int32", np.int32, INT, "Int")
int64 = dtype("int64", np.int64, INT, "Long")
float16 = dtype("float16", np.float16, FLOAT, "Half")
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, FLOAT, "BFloat16")
float32 = dtype("float32", np.float32, FLOAT, "Float")
float64 = dtype("float64", np.float64, FLOAT, "Double")
complex64 = dtype("complex64", np.complex64, COMPLEX, "ComplexFloat")
complex128 = dtype("complex128", np.complex128, COMPLEX, "ComplexDouble")

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
              complex64, complex128)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NP = {d.np: d for d in ALL_DTYPES}


def _lookup_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; raises TypeError for unsupported ones."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, bfloat16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool.") from None


# ---------------------------------------------------------------------------------------
# default dtype

class _DefaultDtype(threading.local):
    value = float32


_default = _DefaultDtype()


def get_default_dtype() -> dtype:
    return _default.value


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or d not in (float16, bfloat16, float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default.value = d


def default_complex_dtype() -> dtype:
    return complex128 if _default.value is float64 else complex64


# ---------------------------------------------------------------------------------------
# promotion

def _promote_same_category(a: dtype, b: dtype) -> dtype:
    if a.category == FLOAT and {a, b} == {float16, bfloat16}:
        return float32
    if a.category == BOOL:
        return bool_
    return _BY_NP[np.promote_types(a.np, b.np)]


def _compute_promote(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a.category == b.category:
        return _promote_same_category(a, b)
    hi, lo = (a, b) if a.category > b.category else (b, a)
    if hi.category == COMPLEX and lo is float64:
        return complex128
    return hi


_PROMOTE = {(a, b): _compute_promote(a, b) for a in ALL_DTYPES for b in ALL_DTYPES}


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype to which both arguments can be promoted (``torch.promote_types``)."""
    return _PROMOTE[type1, type2]


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Fold a lower-priority participant (0-dim tensors, scalars) into a higher one.

    The lower one only matters when it is of a higher category."""
    if higher is None:
        return lower
    if lower is None or lower.category <= higher.category:
        return higher
    if lower.category == COMPLEX and higher.category == FLOAT:
        return complex128 if higher is float64 else complex64
    return lower


def scalar_dtype(value) -> dtype:
    """The dtype a Python scalar takes part with."""
    t = type(value)
    if t is bool:
        return bool_
    if t is int:
        return int64
    if t is float:
        return _default.value
    if t is complex:
        return default_complex_dtype()
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _default.value
    if isinstance(value, (complex, np.complexfloating)):
        return default_complex_dtype()
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type_of(dims: dtype | None, zero_dims: dtype | None, scalars: dtype | None) -> dtype:
    """Combine the three participation tiers in PyTorch's order of priority."""
    return _combine(dims, _combine(zero_dims, scalars))


def is_floating_point(t) -> bool:
    return t.dtype.category == FLOAT


def is_complex(t) -> bool:
    return t.dtype.category == COMPLEX


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether ``from_`` may be cast to ``to`` under PyTorch's casting rules (no lower category)."""
    return from_.category <= to.category


# ---------------------------------------------------------------------------------------
# finfo / iinfo

class finfo:
    """Machine limits of a floating dtype (``torch.finfo``)."""

    def __init__(self, type: dtype | None = None):
        type = type or _default.value
        if type.category not in (FLOAT, COMPLEX):
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to "
                            "handle 'torch.finfo'")
        info = ml_dtypes.finfo(type.to_real().np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = type.to_real().name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (``torch.iinfo``)."""

    def __init__(self, type: dtype):
        if type is bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category != INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(type.np)
        self.bits = type.itemsize * 8
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
