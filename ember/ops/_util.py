"""Small helpers shared by the op families: argument parsing, ``out=``, method attachment."""

from __future__ import annotations

from ember import _dtype as D
from ember._dispatch import inplace
from ember._tensor import Size, Tensor, _wrap_dim


def wrap_dim(dim: int, ndim: int) -> int:
    return _wrap_dim(dim, ndim)


def wrap_dims(dim, ndim: int) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of non-negative dims (None or () means all dims)."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, Tensor)):
        dim = (int(dim),)
    dims = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return dims


def parse_size(size: tuple) -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(ember.Size([2, 3]))`` all mean (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, int):
            raise TypeError(f"expected a sequence of integers, but got element of type {type(s).__name__}")
        out.append(s)
    return tuple(out)


def check_tensor(x, fname: str, argname: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fname}(): argument '{argname}' (position 1) must be Tensor, not {type(x).__name__}"
        )
    return x


def write_out(out: Tensor, result: Tensor) -> Tensor:
    """PyTorch's ``out=`` contract: cast-safe dtype, resized when the shape differs."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._requires_grad and result._requires_grad:
        raise RuntimeError(
            "functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad."
        )
    if not D.can_cast(result._dtype, out._dtype):
        raise RuntimeError(
            f"result type {result._dtype._torch_name} can't be cast to the desired output "
            f"type {out._dtype._torch_name}"
        )
    if out._data.shape != result._data.shape:
        out._data = result._data.astype(out._dtype.np, copy=True)
    else:
        out._data[...] = result._data
    if out._version is None:
        out._version = [1]
    else:
        out._version[0] += 1
    return out


def methods(*funcs, names: dict | None = None) -> None:
    """Attach op functions to Tensor as methods (``t.add(o)`` is ``add(t, o)``)."""
    for f in funcs:
        setattr(Tensor, f.__name__, f)
    for name, f in (names or {}).items():
        setattr(Tensor, name, f)


def inplace_methods(**pairs) -> None:
    """Attach in-place methods: ``inplace_methods(add_=add)`` makes ``t.add_(o)``."""
    for name, fn in pairs.items():

        def method(self, *args, _fn=fn, **kwargs):
            return inplace(self, _fn, *args, **kwargs)

        method.__name__ = name
        setattr(Tensor, name, method)


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)
