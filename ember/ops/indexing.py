"""Indexing: ``t[idx]``, ``t[idx] = v``, gather/scatter, index_*, masked_*, sort, topk, ...

``t[idx]`` converts the index to the backend's form (tensors to arrays) and lets the
array library apply NumPy's rules, which PyTorch's indexing follows (basic indexing gives
a view; advanced indexing a copy).
"""

from __future__ import annotations

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops.registry import defop

__all__ = []


def _to_array_index(idx):
    """Turn an ember index (ints, slices, None, Ellipsis, tensors, lists) into a NumPy one."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tensor):
            if i._dtype.category not in (D.INT, D.BOOL):
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(i._data)
        elif isinstance(i, slice):
            if i.step is not None and int(i.step) < 0:
                raise ValueError("step must be greater than zero")
            if i.step == 0:
                raise ValueError("slice step cannot be zero")
            out.append(slice(*(int(v) if isinstance(v, Tensor) else v for v in (i.start, i.stop, i.step))))
        else:
            out.append(i)
    return tuple(out)


def _is_basic(idx) -> bool:
    return all(
        i is None or i is Ellipsis or isinstance(i, (int, slice)) and not isinstance(i, bool) for i in idx
    )


@defop("index", grad_name="IndexBackward0")
def _index(xp, a, *, index):
    try:
        return a[index]
    except IndexError as e:
        raise IndexError(str(e)) from None


@_index.defbackward
def _(ctx, g):
    a = ctx.args[0]
    return dispatch(_index_grad, g, shape=a._data.shape, index=ctx.kwargs["index"])


@defop("select_view", is_view=True, grad_name="SliceBackward0")
def _basic_index(xp, a, *, index):
    try:
        return a[index]
    except IndexError as e:
        raise IndexError(str(e)) from None


_basic_index.defbackward(_index.backward)


@defop("_index_grad", grad_name="IndexPutBackward0")
def _index_grad(xp, g, *, shape, index):
    """Scatter-add ``g`` into zeros of ``shape`` at ``index`` (the adjoint of indexing)."""
    out = xp.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        xp.add.at(out, index, g)
    return out


@_index_grad.defbackward
def _(ctx, g):
    index = ctx.kwargs["index"]
    op = _basic_index if _is_basic(index) else _index
    return dispatch(op, g, index=index)


def getitem(self: Tensor, idx) -> Tensor:
    index = _to_array_index(idx)
    if _is_basic(index):
        return dispatch(_basic_index, self, index=index)
    return dispatch(_index, self, index=index)


Tensor.__getitem__ = getitem
