"""Indexing: ``t[idx]``, ``t[idx] = v``, gather/scatter, index_*, masked_*, sort, topk, ...

``t[idx]`` follows PyTorch's two steps: the basic part of the index (ints, slices, None,
``...``) is applied first as one view (``select``/``slice``/``unsqueeze``), then the
advanced part (integer and bool tensors, lists, bools) on that view, with NumPy's placement
rules for the advanced dims (which are PyTorch's). ``t[idx] = v`` runs the same two stages
on a copy (``index_put``) and writes it back through the in-place protocol, so it is
differentiable for both ``t`` and ``v``; writing into a view made by basic indexing
rewrites the base, so the base's graph sees the write as PyTorch's ``CopySlices`` does.
"""

from __future__ import annotations

import numpy as np

from ember import _dtype as D
from ember import return_types
from ember._dispatch import bump_version, dispatch, inplace
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.ops._util import methods, wrap_dim, write_out
from ember.ops.registry import defop

__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
    "index_fill", "index_put", "masked_fill", "masked_scatter", "masked_select", "take", "take_along_dim",
    "put", "nonzero", "argwhere", "sort", "argsort", "msort", "topk", "kthvalue", "searchsorted", "bucketize",
]

_grad_state = grad_mode.state
_ndarray = np.ndarray
_FULL = slice(None)


# named tuple return types (``torch.return_types.sort`` and friends)
sort_rt = return_types.sort
topk_rt = return_types.topk
kthvalue_rt = return_types.kthvalue


# ======================================================================================
# small helpers

def _zeros(shape, like: Tensor) -> Tensor:
    from ember.ops.creation import zeros
    return zeros(tuple(shape), dtype=like._dtype, device=like._device)


def _is_basic_stage(stage) -> bool:
    if type(stage) is slice:
        return True
    for i in stage:
        if not (i is None or i is Ellipsis or type(i) is slice or type(i) is int):
            return False
    return True


def _np_index_error(e: IndexError) -> IndexError:
    return IndexError(str(e).replace("for axis", "for dimension"))


def _check_index_dtype(index, fname: str, allow_int32: bool = True):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._dtype is not D.int64 and not (allow_int32 and index._dtype is D.int32):
        want = "int32 or int64" if allow_int32 else "int64"
        raise RuntimeError(f"{fname}(): Expected dtype {want} for index, but got {index._dtype._torch_name}")


def _check_bounds(xp, idx, size: int, dim: int, exc=RuntimeError, negative_ok: bool = False):
    if idx.size == 0:
        return
    lo = -size if negative_ok else 0
    bad = (idx < lo) | (idx >= size)
    if bad.any():
        v = int(idx[bad].ravel()[0])
        raise exc(f"index {v} is out of bounds for dimension {dim} with size {size}")


def _out(result, out):
    return result if out is None else write_out(out, result)


def _pad_to(t: Tensor, shape: tuple) -> Tensor:
    """``t`` placed at the front corner of zeros of ``shape`` (gradient of cropping)."""
    if t._data.shape == tuple(shape):
        return t
    region = tuple(slice(0, s) for s in t._data.shape) + (Ellipsis,)
    return dispatch(_index_put, _zeros(shape, t), t, index=(region,))


def _crop(xp, src, shape):
    if src.shape == tuple(shape):
        return src
    return src[tuple(slice(0, s) for s in shape)]


# ======================================================================================
# __getitem__ / __setitem__: parsing the index

def _scalar_int_tensor(t: Tensor) -> bool:
    return t._data.ndim == 0 and t._dtype.category == D.INT and t._dtype is not D.uint8


def _as_index_array(i):
    """An advanced index element as (array, is_bool)."""
    if isinstance(i, Tensor):
        cat = i._dtype.category
        if cat == D.BOOL:
            return i._data, True
        if cat != D.INT:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if i._dtype is D.uint8:
            return i._data.astype(bool), True
        return i._data, False
    arr = np.asarray(i._data if isinstance(i, Tensor) else _unwrap_list(i))
    if arr.dtype == np.bool_:
        return arr, True
    if arr.size == 0:
        return arr.astype(np.int64), False
    if arr.dtype.kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return arr.astype(np.int64, copy=False), False


def _unwrap_list(x):
    if isinstance(x, Tensor):
        return x._data.tolist() if x._data.ndim else x.item()
    if isinstance(x, (list, tuple)):
        return [_unwrap_list(v) for v in x]
    return x


def _slice_value(v):
    if v is None or type(v) is int:
        return v
    if isinstance(v, Tensor):
        return int(v)
    return v.__index__()


def _parse_index(self: Tensor, idx):
    """Split a PyTorch index into (basic stage, advanced stage or None).

    The basic stage is a NumPy basic index (a tuple ending in ``...``, or a lone slice for
    ``t[a:b]``) applied as one view; the advanced stage indexes that view."""
    t = type(idx)
    if t is int:
        return (idx, Ellipsis), None
    if t is slice:
        step = idx.step
        if step is not None:
            step = _slice_value(step)
            if step <= 0:
                raise ValueError("step must be greater than zero" if step < 0 else "slice step cannot be zero")
        return slice(_slice_value(idx.start), _slice_value(idx.stop), step), None
    if t is not tuple:
        # a short list holding sequences, tensors, slices, None or ... means a tuple (NumPy's legacy rule)
        if t is list and len(idx) < 32 and any(
                isinstance(i, (list, tuple, Tensor, slice)) or i is None or i is Ellipsis for i in idx):
            idx = tuple(idx)
        else:
            idx = (idx,)
    ndim = self._data.ndim
    shape = self._data.shape
    basic = []
    adv = []
    has_adv = False
    has_ellipsis = False
    consumed = 0  # dims of self the index consumes
    for i in idx:
        ti = type(i)
        if ti is int:
            basic.append(i)
            consumed += 1
        elif ti is slice:
            step = i.step
            if step is not None:
                step = _slice_value(step)
                if step <= 0:
                    raise ValueError("step must be greater than zero" if step < 0 else "slice step cannot be zero")
            s = slice(_slice_value(i.start), _slice_value(i.stop), step)
            basic.append(s)
            adv.append(_FULL)
            consumed += 1
        elif i is None:
            basic.append(None)
            adv.append(_FULL)
        elif i is Ellipsis:
            if has_ellipsis:
                raise IndexError("an index can only have a single ellipsis ('...')")
            has_ellipsis = True
            basic.append(Ellipsis)
            adv.append(Ellipsis)
        elif ti is bool or isinstance(i, np.bool_):
            basic.append(None)
            adv.append(np.array([bool(i)]))
            has_adv = True
        elif isinstance(i, Tensor) and _scalar_int_tensor(i):
            basic.append(int(i._data))
            consumed += 1
        elif isinstance(i, (Tensor, list, np.ndarray)) or (ti is tuple):
            arr, is_bool = _as_index_array(i)
            if is_bool and arr.ndim == 0:
                basic.append(None)
                adv.append(arr.reshape(1))
                has_adv = True
                continue
            k = arr.ndim if is_bool else 1
            if is_bool:
                arr = (consumed, arr)  # checked against self's shape below
            basic.extend([_FULL] * k)
            adv.append(arr)
            consumed += k
            has_adv = True
        elif isinstance(i, (np.integer,)) or (hasattr(i, "__index__") and not isinstance(i, float)):
            basic.append(int(i.__index__()))
            consumed += 1
        elif isinstance(i, str):
            raise TypeError(f"new(): invalid data type '{type(i).__name__}'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                             f"are valid indices (got {type(i).__name__})")
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    if has_adv:
        # bool masks: check their shape against the dims they cover
        skip = ndim - consumed
        for j, a in enumerate(adv):
            if type(a) is tuple:
                pos, mask = a
                if has_ellipsis and _ellipsis_before(idx, a, adv):
                    pos += skip
                want = shape[pos:pos + mask.ndim]
                if tuple(want) != mask.shape:
                    raise IndexError(
                        f"The shape of the mask {list(mask.shape)} at index {pos} does not match the shape of "
                        f"the indexed tensor {list(shape)} at index {pos}")
                adv[j] = mask
    if not has_ellipsis:
        basic.append(Ellipsis)
    basic = tuple(basic)
    if not has_adv:
        return basic, None
    trivial = all(b is Ellipsis or (type(b) is slice and b == _FULL) for b in basic)
    return (None if trivial else basic), tuple(adv)


def _ellipsis_before(idx, marker, adv) -> bool:
    for a in adv:
        if a is Ellipsis:
            return True
        if a is marker:
            return False
    return False


# ======================================================================================
# getitem ops

def _basic_name(kwargs) -> str:
    index = kwargs["index"]
    if type(index) is slice:
        return "SliceBackward0"
    for i in reversed(index):
        if type(i) is int:
            return "SelectBackward0"
        if i is None:
            return "UnsqueezeBackward0"
        if type(i) is slice and i != _FULL:
            return "SliceBackward0"
    return "AliasBackward0"


@defop("getitem_view", saves=(), is_view=True, grad_name=_basic_name)
def _basic_index(xp, a, *, index):
    try:
        return a[index]
    except IndexError as e:
        raise _np_index_error(e) from None


@_basic_index.defbackward
def _(ctx, g):
    a = ctx.args[0]
    return dispatch(_index_put, _zeros(a._data.shape, g), g, index=(ctx.kwargs["index"],))


@defop("index", saves=(), grad_name="IndexBackward0")
def _index(xp, a, *, index):
    try:
        return a[index]
    except IndexError as e:
        raise _np_index_error(e) from None


@_index.defbackward
def _(ctx, g):
    a = ctx.args[0]
    return dispatch(_index_put, _zeros(a._data.shape, g), g, index=(ctx.kwargs["index"],), accumulate=True)


def _index_put_name(kwargs) -> str:
    index = kwargs["index"]
    if not kwargs.get("accumulate") and all(_is_basic_stage(s) for s in index):
        return "CopySlices"
    return "IndexPutBackward0"


@defop("index_put", saves=(), grad_name=_index_put_name)
def _index_put(xp, a, v, *, index, accumulate=False):
    """A copy of ``a`` with ``v`` written (or added) at ``a[index[0]][index[1]]...``."""
    out = a.copy()
    view = out
    for s in index[:-1]:
        view = view[s]
    last = index[-1]
    try:
        if accumulate:
            if _is_basic_stage(last) or all(type(i) is not _ndarray or i.dtype == np.bool_ for i in last):
                view[last] += v
            else:
                xp.add.at(view, last, v)
        else:
            view[last] = v
    except IndexError as e:
        raise _np_index_error(e) from None
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast "
                           f"to indexing result ({e})") from None
    return out


@_index_put.defbackward
def _(ctx, g):
    a, v = ctx.args
    index = ctx.kwargs["index"]
    need_a, need_v = ctx.needs_input_grad
    ga = gv = None
    if need_a:
        ga = g if ctx.kwargs.get("accumulate") else dispatch(_index_put, g, 0, index=index)
    if need_v:
        gv = g
        for s in index:
            gv = dispatch(_basic_index if _is_basic_stage(s) else _index, gv, index=s)
        vnd = v._data.ndim
        if gv._data.ndim < vnd:
            gv = gv.reshape((1,) * (vnd - gv._data.ndim) + tuple(gv._data.shape))
    return ga, gv


def getitem(self: Tensor, idx) -> Tensor:
    basic, adv = _parse_index(self, idx)
    t = self
    if basic is not None:
        t = dispatch(_basic_index, t, index=basic)
        meta = t._autograd_meta()
        meta.base = self._meta.base if self._meta is not None and self._meta.base is not None else self
    if adv is not None:
        t = dispatch(_index, t, index=adv)
    return t


def _value_for(self: Tensor, value):
    if isinstance(value, Tensor):
        if value._dtype is not self._dtype or value._device != self._device:
            value = value.to(dtype=self._dtype, device=self._device)
        return value
    if isinstance(value, (bool, int, float, complex, np.generic)):
        npdt = self._dtype.np
        if type(value) is int and npdt.kind in "iu":
            info = np.iinfo(npdt)
            if not info.min <= value <= info.max:
                raise RuntimeError(f"value cannot be converted to type {self._dtype._torch_name} without overflow")
        return np.array(value).astype(npdt)[()]
    raise TypeError(f"can't assign a {type(value).__name__} to a {self._dtype._torch_name} tensor")


def _write_direct(self: Tensor, stages, value) -> None:
    view = self._data
    for s in stages[:-1]:
        view = view[s]
    v = value._data if isinstance(value, Tensor) else value
    try:
        view[stages[-1]] = v
    except IndexError as e:
        raise _np_index_error(e) from None
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast to "
                           f"indexing result ({e})") from None
    bump_version(self)


def _index_put_fn(t, v, *, index, accumulate=False):
    return dispatch(_index_put, t, v, index=index, accumulate=accumulate) if accumulate else \
        dispatch(_index_put, t, v, index=index)


def _put_stages(self: Tensor, stages, value, accumulate: bool = False) -> None:
    """``self[stages...] = value`` (or ``+=`` when accumulate), recorded for autograd when needed."""
    recorded = _grad_state.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))
    if not recorded:
        if accumulate:
            res = dispatch(_index_put, self, value, index=stages, accumulate=True)
            self._data[...] = res._data
            bump_version(self)
        else:
            _write_direct(self, stages, value)
        return
    # a write into a view is recorded through its base by the in-place protocol (CopySlices)
    inplace(self, _index_put_fn, value, index=tuple(stages), accumulate=accumulate)


def setitem(self: Tensor, idx, value) -> None:
    basic, adv = _parse_index(self, idx)
    stages = tuple(s for s in (basic, adv) if s is not None)
    _put_stages(self, stages, _value_for(self, value))


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


# ======================================================================================
# index_put / take / put

def _tensor_indices(indices) -> tuple:
    if isinstance(indices, Tensor):
        indices = (indices,)
    out = []
    for i in indices:
        if i is None:
            out.append(_FULL)
            continue
        arr, _ = _as_index_array(i)
        out.append(arr)
    return tuple(out)


def _check_same_dtype(self: Tensor, values, what="Index put"):
    if isinstance(values, Tensor) and values._dtype is not self._dtype:
        raise RuntimeError(f"{what} requires the source and destination dtypes match, got "
                           f"{self._dtype._torch_name.capitalize()} for the destination and "
                           f"{values._dtype._torch_name.capitalize()} for the source.")


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """``input`` with ``values`` put (or added, ``accumulate=True``) at the tensor ``indices``."""
    _check_same_dtype(input, values)
    stage = _tensor_indices(indices)
    if len(stage) - sum(1 for s in stage if type(s) is _ndarray and s.dtype == np.bool_) + \
            sum(s.ndim for s in stage if type(s) is _ndarray and s.dtype == np.bool_) > input._data.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input._data.ndim} (got {len(stage)})")
    return _index_put_fn(input, values, index=(stage,), accumulate=accumulate)


def index_put_(self: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    _check_same_dtype(self, values)
    _put_stages(self, (_tensor_indices(indices),), values, accumulate)
    return self


@defop("take", saves=(1,))
def _take(xp, a, index):
    n = a.size
    _check_flat_bounds(index, n)
    return xp.take(a.reshape(-1), index)


def _check_flat_bounds(index, n):
    if index.size:
        bad = (index < -n) | (index >= n)
        if bad.any():
            v = int(index[bad].ravel()[0])
            raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")


@_take.defbackward
def _(ctx, g):
    a, index = ctx.args
    return dispatch(_put, _zeros(a._data.shape, g), index, g, accumulate=True), None


def take(input: Tensor, index: Tensor, *, out=None) -> Tensor:
    """Elements of the flattened ``input`` at ``index``; the result has ``index``'s shape."""
    if not isinstance(index, Tensor) or index._dtype is not D.int64:
        got = index._dtype._torch_name.capitalize() if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {got}")
    return _out(dispatch(_take, input, index), out)


@defop("put")
def _put(xp, a, index, src, *, accumulate=False):
    n = a.size
    _check_flat_bounds(index, n)
    out = a.copy()
    flat = out.reshape(-1)
    idx = index.reshape(-1)
    idx = xp.where(idx < 0, idx + n, idx)
    if accumulate:
        xp.add.at(flat, idx, src.reshape(-1))
    else:
        flat[idx] = src.reshape(-1)
    return out


@_put.defbackward
def _(ctx, g):
    a, index, src = ctx.args
    acc = ctx.kwargs.get("accumulate", False)
    need_a, _, need_s = ctx.needs_input_grad
    ga = (g if acc else dispatch(_put, g, index, _zeros(src._data.shape, g))) if need_a else None
    gs = dispatch(_take, g, index).reshape(src._data.shape) if need_s else None
    return ga, None, gs


def _check_put(input, index, source):
    if not isinstance(index, Tensor) or index._dtype is not D.int64:
        raise RuntimeError("put_(): Expected a long tensor for index")
    if index._data.size != source._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {input._dtype._torch_name} and source.dtype = {source._dtype._torch_name}")


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """Out-of-place ``put_``: ``input`` (flattened) with ``source`` written at ``index``."""
    _check_put(input, index, source)
    if accumulate:
        return dispatch(_put, input, index, source, accumulate=True)
    return dispatch(_put, input, index, source)


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    _check_put(self, index, source)
    return inplace(self, put, index, source, accumulate=accumulate)


# ======================================================================================
# gather / scatter

def _grid(xp, index, dim):
    grids = list(xp.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _check_gather_shapes(fname, input: Tensor, dim: int, index: Tensor, src: Tensor | None = None):
    nd = max(input._data.ndim, 1)
    if max(index._data.ndim, 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           + ("input tensor" if fname == "gather" else "self tensor"))
    if index._data.ndim == 0 or index._data.size == 0:
        return
    ish = index._data.shape
    sh = input._data.shape if input._data.ndim else (1,)
    for d in range(nd):
        if d != dim and ish[d] > sh[d]:
            if fname == "gather":
                raise RuntimeError(f"Size does not match at dimension {d} expected index {list(ish)} to be no "
                                   f"larger than self {list(sh)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {list(ish)} to be no larger than self {list(sh)} apart from "
                               f"dimension {dim}" + ("" if src is None else f" and to be no larger size than src "
                                                                              f"{list(src._data.shape)}"))
    if src is not None:
        ssh = src._data.shape if src._data.ndim else (1,)
        if len(ssh) != nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if any(ish[d] > ssh[d] for d in range(nd)):
            raise RuntimeError(f"Expected index {list(ish)} to be no larger than self {list(sh)} apart from "
                               f"dimension {dim} and to be no larger size than src {list(ssh)}")


def _gather_fwd(xp, a, index, *, dim):
    if a.ndim == 0:
        return _gather_fwd(xp, a.reshape(1), index.reshape(1), dim=0).reshape(index.shape)
    _check_bounds(xp, index, a.shape[dim], dim)
    if index.ndim == 0:
        index = index.reshape(1)
    sl = tuple(_FULL if d == dim else slice(0, s) for d, s in enumerate(index.shape))
    return xp.take_along_axis(a[sl], index, axis=dim)


_gather = defop("gather", saves=(1,))(_gather_fwd)


@_gather.defbackward
def _(ctx, g):
    a, index = ctx.args
    return dispatch(_scatter_add, _zeros(a._data.shape, g), index, g, dim=ctx.kwargs["dim"]), None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False, out=None) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` (dim 0) and so on: values picked along ``dim``."""
    _check_index_dtype(index, "gather")
    dim = wrap_dim(dim, input._data.ndim)
    _check_gather_shapes("gather", input, dim, index)
    return _out(dispatch(_gather, input, index, dim=dim), out)


def _scatter_core(xp, a, index, src, dim, how):
    """a copy of ``a`` with ``src`` (array or scalar) scattered at ``index`` along ``dim``."""
    zero_d = a.ndim == 0
    if zero_d:
        a = a.reshape(1)
        index = index.reshape(1)
        if type(src) is _ndarray or hasattr(src, "__cuda_array_interface__"):
            src = src.reshape(1)
    elif index.ndim == 0:
        index = index.reshape(1)
    _check_bounds(xp, index, a.shape[dim], dim)
    out = a.copy()
    idx = _grid(xp, index, dim)
    if type(src) is _ndarray or hasattr(src, "__cuda_array_interface__"):
        src = _crop(xp, src, index.shape)
    if how is None:
        out[idx] = src
    elif how == "add":
        xp.add.at(out, idx, src)
    else:
        xp.multiply.at(out, idx, src)
    return out.reshape(()) if zero_d else out


def _scatter_name(kwargs) -> str:
    return "ScatterBackward1" if "value" in kwargs else "ScatterBackward0"


@defop("scatter", grad_name=_scatter_name)
def _scatter(xp, a, index, src=None, *, dim, value=None, reduce=None):
    if src is None:
        src = np.array(value).astype(a.dtype)[()]
    return _scatter_core(xp, a, index, src, dim, reduce)


@_scatter.defbackward
def _(ctx, g):
    if ctx.kwargs.get("reduce") is not None:
        raise RuntimeError("derivative for aten::scatter is not implemented")
    a, index = ctx.args[:2]
    dim = ctx.kwargs["dim"]
    need = ctx.needs_input_grad
    ga = dispatch(_scatter, g, index, dim=dim, value=0) if need[0] else None
    if len(ctx.args) == 2:
        return ga, None
    src = ctx.args[2]
    gs = _pad_to(dispatch(_gather, g, index, dim=dim), src._data.shape) if need[2] else None
    return ga, None, gs


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None, out=None) -> Tensor:
    """``input`` with ``src`` (a tensor) or ``value`` written at ``index`` along ``dim``."""
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    _check_index_dtype(index, "scatter")
    dim = wrap_dim(dim, input._data.ndim)
    _check_gather_shapes("scatter", input, dim, index, src)
    if src is not None and src._dtype is not input._dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    kw = {}
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        kw["reduce"] = reduce
    if src is None:
        res = dispatch(_scatter, input, index, dim=dim, value=value, **kw)
    else:
        res = dispatch(_scatter, input, index, src, dim=dim, **kw)
    return _out(res, out)


@defop("scatter_add")
def _scatter_add(xp, a, index, src, *, dim):
    return _scatter_core(xp, a, index, src, dim, "add")


@_scatter_add.defbackward
def _(ctx, g):
    a, index, src = ctx.args
    dim = ctx.kwargs["dim"]
    need = ctx.needs_input_grad
    gs = _pad_to(dispatch(_gather, g, index, dim=dim), src._data.shape) if need[2] else None
    return (g if need[0] else None), None, gs


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor, *, out=None) -> Tensor:
    """``input`` with ``src`` added at ``index`` along ``dim`` (duplicates sum)."""
    _check_index_dtype(index, "scatter_add")
    dim = wrap_dim(dim, input._data.ndim)
    _check_gather_shapes("scatter_add", input, dim, index, src)
    if src._dtype is not input._dtype:
        raise RuntimeError("scatter_add(): Expected self.dtype to be equal to src.dtype")
    return _out(dispatch(_scatter_add, input, index, src, dim=dim), out)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


@defop("scatter_reduce", save_out=True)
def _scatter_reduce(xp, a, index, src, *, dim, reduce, include_self=True):
    zero_d = a.ndim == 0
    if zero_d:
        a, index, src = a.reshape(1), index.reshape(1), src.reshape(1)
    _check_bounds(xp, index, a.shape[dim], dim)
    out = a.copy()
    idx = _grid(xp, index, dim)
    s = _crop(xp, src, index.shape)
    if not include_self:
        if reduce in ("sum", "mean"):
            ident = 0
        elif reduce == "prod":
            ident = 1
        else:
            kind = a.dtype.kind
            if kind in "iu":
                info = np.iinfo(a.dtype)
                ident = info.min if reduce == "amax" else info.max
            elif kind == "b":
                ident = reduce == "amin"
            else:
                ident = -np.inf if reduce == "amax" else np.inf
        out[idx] = ident
    if reduce in ("sum", "mean"):
        xp.add.at(out, idx, s)
    elif reduce == "prod":
        xp.multiply.at(out, idx, s)
    elif reduce == "amax":
        xp.maximum.at(out, idx, s)
    else:
        xp.minimum.at(out, idx, s)
    if reduce == "mean":
        cnt = xp.ones(a.shape, dtype=np.int64) if include_self else xp.zeros(a.shape, dtype=np.int64)
        xp.add.at(cnt, idx, 1)
        cnt = xp.maximum(cnt, 1)
        if a.dtype.kind in "iub":
            out = xp.floor_divide(out, cnt).astype(a.dtype)
        else:
            out = (out / cnt).astype(a.dtype)
    return out.reshape(()) if zero_d else out


@_scatter_reduce.defbackward
def _(ctx, g):
    a, index, src = ctx.args
    kw = ctx.kwargs
    dim, reduce, include_self = kw["dim"], kw["reduce"], kw.get("include_self", True)
    need_a, _, need_s = ctx.needs_input_grad
    if a._data.ndim == 0:
        a1, s1, i1, g1 = a.reshape(1), src.reshape(1), index.reshape(1), g.reshape(1)
        ga, _, gs = _scatter_reduce_grad(a1, i1, s1, g1, ctx.out.reshape(1), dim, reduce, include_self,
                                         need_a, need_s)
        return (ga.reshape(()) if ga is not None else None), None, (gs.reshape(()) if gs is not None else None)
    return _scatter_reduce_grad(a, index, src, g, ctx.out, dim, reduce, include_self, need_a, need_s)


def _scatter_reduce_grad(a, index, src, g, result, dim, reduce, include_self, need_a, need_s):
    def gath(t):
        return dispatch(_gather, t, index, dim=dim)

    srcc = src if src._data.shape == index._data.shape else dispatch(
        _basic_index, src, index=tuple(slice(0, s) for s in index._data.shape) + (Ellipsis,))
    scattered = dispatch(_scatter, _zeros(a._data.shape, g), index, dim=dim, value=1)  # 1 where written
    ga = gs = None
    if reduce == "sum":
        ga = g if include_self else g * (1 - scattered)
        gs = gath(g)
    elif reduce == "mean":
        ones = g * 0 + 1
        cnt = dispatch(_scatter_add, ones if include_self else g * 0, index, gath(ones), dim=dim)
        cnt = cnt + (cnt == 0)
        gn = g / cnt
        ga = gn if include_self else g * (1 - scattered)
        gs = gath(gn)
    elif reduce in ("amax", "amin"):
        self_mask = a == result
        src_mask = srcc == gath(result)
        n = dispatch(_scatter_add, self_mask * 1.0, index, src_mask * 1.0, dim=dim).to(g._dtype)
        gn = g / n
        ga = gn * self_mask if include_self else g * (1 - scattered)
        gs = gath(gn) * src_mask
    else:  # prod
        az, anz = a == 0, a != 0
        sz, snz = srcc == 0, srcc != 0
        zeros_in = dispatch(_scatter_add, (az * 1.0 if include_self else g * 0).to(g._dtype), index,
                            (sz * 1.0).to(g._dtype), dim=dim)
        a1 = a + az  # zeros replaced by ones
        s1 = srcc + sz
        prod1 = dispatch(_scatter_reduce, a1, index, s1, dim=dim, reduce="prod", include_self=include_self)
        pz = gath(prod1)
        zg = gath(zeros_in)
        if include_self:
            ga = g * ((az * (zeros_in == 1)) * prod1 + (anz * (zeros_in == 0)) * prod1 / a1)
        else:
            ga = g * (1 - scattered)
        gs = gath(g) * ((sz * (zg == 1)) * pz + (snz * (zg == 0)) * pz / s1)
    if gs is not None:
        gs = _pad_to(gs, src._data.shape)
    return (ga if need_a else None), None, (gs if need_s else None)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True, out=None) -> Tensor:
    """``input`` with ``src`` reduced into it at ``index`` along ``dim`` (sum/prod/mean/amax/amin)."""
    _check_index_dtype(index, "scatter_reduce")
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    dim = wrap_dim(dim, input._data.ndim)
    _check_gather_shapes("scatter_reduce", input, dim, index, src)
    if src._dtype is not input._dtype:
        raise RuntimeError("scatter_reduce(): Expected self.dtype to be equal to src.dtype")
    kw = {} if include_self else {"include_self": False}
    return _out(dispatch(_scatter_reduce, input, index, src, dim=dim, reduce=reduce, **kw), out)


# ======================================================================================
# index_select / index_add / index_copy / index_fill

def _check_vector_index(index: Tensor, fname: str):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._dtype is not D.int64 and index._dtype is not D.int32:
        raise RuntimeError(f"{fname}(): Expected dtype int32 or int64 for index")
    if index._data.ndim > 1:
        raise IndexError(f"{fname}(): Index is supposed to be a vector")


def _dim_index(dim, index):
    return (_FULL,) * dim + (index.reshape(-1),)


@defop("index_select", saves=(1,))
def _index_select(xp, a, index, *, dim):
    if a.ndim == 0:
        a = a.reshape(1)
        if index.size > 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index.size} value(s)")
        if index.size and (index != 0).any():
            raise IndexError("index out of range in self")
        return a[index.reshape(-1)].reshape(index.shape)
    n = a.shape[dim]
    idx = index.reshape(-1)
    if idx.size and ((idx < 0) | (idx >= n)).any():
        raise IndexError("index out of range in self")
    return xp.take(a, idx, axis=dim)


@_index_select.defbackward
def _(ctx, g):
    a, index = ctx.args
    dim = ctx.kwargs["dim"]
    if a._data.ndim == 0:
        return g.sum(), None
    return dispatch(_index_add, _zeros(a._data.shape, g), index, g, dim=dim), None


def index_select(input: Tensor, dim: int, index: Tensor, *, out=None) -> Tensor:
    """The entries of ``input`` at ``index`` (a vector) along ``dim``."""
    _check_vector_index(index, "index_select")
    dim = wrap_dim(dim, input._data.ndim)
    return _out(dispatch(_index_select, input, index, dim=dim), out)


def _check_index_op(fname, input: Tensor, dim: int, index: Tensor, source: Tensor | None):
    _check_vector_index(index, fname)
    if source is None:
        return
    if source._dtype is not input._dtype:
        raise RuntimeError(f"{fname}(): self ({input._dtype._torch_name.capitalize()}) and source "
                           f"({source._dtype._torch_name.capitalize()}) must have the same scalar type")
    ssh = source._data.shape
    n_src = ssh[dim] if source._data.ndim else 1
    if n_src != index._data.size:
        exc = IndexError if fname == "index_copy_" else RuntimeError
        raise exc(f"{fname}(): Number of indices ({index._data.size}) should be equal to "
                  f"source.size(dim): ({n_src}), for dim: {dim}")
    ish = input._data.shape
    if source._data.ndim != input._data.ndim or any(
            ssh[d] != ish[d] for d in range(len(ish)) if d != dim):
        if source._data.ndim > 0 or input._data.ndim > 1:
            raise RuntimeError(f"{fname}(): Source/destination tensor must have same slice shapes. Destination "
                               f"slice shape: {list(ish)} at dimension {dim} and source slice shape: {list(ssh)} "
                               f"at dimension 0.")


def _check_dim_bounds(xp, a, index, dim, exc=IndexError, prefix=""):
    n = a.shape[dim] if a.ndim else 1
    idx = index.reshape(-1)
    if idx.size and ((idx < -n) | (idx >= n)).any():
        v = int(idx[(idx < -n) | (idx >= n)][0])
        raise exc(f"{prefix}index {v} is out of bounds for dimension {dim} with size {n}")


@defop("index_add")
def _index_add(xp, a, index, src, *, dim, alpha=1):
    _check_dim_bounds(xp, a, index, dim, RuntimeError)
    out = a.copy()
    if alpha != 1:
        src = src * alpha
    if out.ndim == 0:
        xp.add.at(out.reshape(1), index.reshape(-1), src.reshape(-1))
        return out
    xp.add.at(out, _dim_index(dim, index), src.reshape(out.shape[:dim] + (index.size,) + out.shape[dim + 1:]))
    return out


@_index_add.defbackward
def _(ctx, g):
    a, index, src = ctx.args
    dim = ctx.kwargs["dim"]
    alpha = ctx.kwargs.get("alpha", 1)
    need = ctx.needs_input_grad
    gs = None
    if need[2]:
        gs = dispatch(_index_select, g, index, dim=dim).reshape(src._data.shape)
        if alpha != 1:
            gs = gs * alpha
    return (g if need[0] else None), None, gs


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1, out=None) -> Tensor:
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (duplicates sum)."""
    dim = wrap_dim(dim, input._data.ndim)
    _check_index_op("index_add_", input, dim, index, source)
    res = dispatch(_index_add, input, index, source, dim=dim, alpha=alpha) if alpha != 1 else \
        dispatch(_index_add, input, index, source, dim=dim)
    return _out(res, out)


@defop("index_copy")
def _index_copy(xp, a, index, src, *, dim):
    _check_dim_bounds(xp, a, index, dim, IndexError, "index_copy_(): ")
    out = a.copy()
    if out.ndim == 0:
        out.reshape(1)[index.reshape(-1)] = src.reshape(-1)
        return out
    out[_dim_index(dim, index)] = src.reshape(out.shape[:dim] + (index.size,) + out.shape[dim + 1:])
    return out


@_index_copy.defbackward
def _(ctx, g):
    a, index, src = ctx.args
    dim = ctx.kwargs["dim"]
    need = ctx.needs_input_grad
    ga = dispatch(_index_fill, g, index, dim=dim, value=0) if need[0] else None
    gs = dispatch(_index_select, g, index, dim=dim).reshape(src._data.shape) if need[2] else None
    return ga, None, gs


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor, *, out=None) -> Tensor:
    """``input`` with ``source``'s slices copied to ``index`` along ``dim``."""
    dim = wrap_dim(dim, input._data.ndim)
    if isinstance(index, Tensor) and index._dtype is not D.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{index._dtype._torch_name.capitalize()}")
    _check_index_op("index_copy_", input, dim, index, source)
    return _out(dispatch(_index_copy, input, index, source, dim=dim), out)


def _index_fill_name(kwargs):
    return "IndexFillBackward0" if "value" in kwargs else "IndexFillBackward1"


@defop("index_fill", grad_name=_index_fill_name)
def _index_fill(xp, a, index, v=None, *, dim, value=None):
    _check_dim_bounds(xp, a, index, dim)
    out = a.copy()
    fill = np.array(value).astype(a.dtype)[()] if v is None else v.astype(a.dtype)
    if out.ndim == 0:
        if index.size:
            out[...] = fill
        return out
    out[_dim_index(dim, index)] = fill
    return out


@_index_fill.defbackward
def _(ctx, g):
    index = ctx.args[1]
    dim = ctx.kwargs["dim"]
    need = ctx.needs_input_grad
    ga = dispatch(_index_fill, g, index, dim=dim, value=0) if need[0] else None
    if len(ctx.args) == 2:
        return ga, None
    gv = None
    if need[2]:
        gv = g.sum() if g._data.ndim == 0 else dispatch(_index_select, g, index, dim=dim).sum()
    return ga, None, gv


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    dim = wrap_dim(dim, input._data.ndim)
    if isinstance(index, Tensor) and index._dtype is not D.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    _check_vector_index(index, "index_fill_")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return dispatch(_index_fill, input, index, value, dim=dim)
    return dispatch(_index_fill, input, index, dim=dim, value=value)


# ======================================================================================
# masked_fill / masked_scatter / masked_select

def _check_mask(mask, fname):
    if not isinstance(mask, Tensor) or mask._dtype is not D.bool_:
        got = mask._dtype._torch_name if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"{fname} only supports boolean masks, but got mask with dtype {got}")


def _masked_fill_name(kwargs):
    return "MaskedFillBackward0" if "value" in kwargs else "MaskedFillBackward1"


@defop("masked_fill", saves=(1,), grad_name=_masked_fill_name)
def _masked_fill(xp, a, mask, v=None, *, value=None):
    fill = xp.asarray(value).astype(a.dtype) if v is None else v.astype(a.dtype)
    return xp.where(mask, fill, a)


@_masked_fill.defbackward
def _(ctx, g):
    mask = ctx.args[1]
    need = ctx.needs_input_grad
    ga = dispatch(_masked_fill, g, mask, value=0) if need[0] else None
    if len(ctx.args) == 2:
        return ga, None
    gv = dispatch(_masked_select, g, mask).sum() if need[2] else None
    return ga, None, gv


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts)."""
    _check_mask(mask, "masked_fill_")
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return dispatch(_masked_fill, input, mask, value)
    return dispatch(_masked_fill, input, mask, value=value)


def masked_fill_(self: Tensor, mask: Tensor, value) -> Tensor:
    _check_mask(mask, "masked_fill_")
    return inplace(self, masked_fill, mask, value)


@defop("masked_scatter")
def _masked_scatter(xp, a, mask, src):
    shape = np.broadcast_shapes(a.shape, mask.shape)
    out = xp.array(xp.broadcast_to(a, shape))
    m = xp.broadcast_to(mask, shape)
    n = int(m.sum())
    if src.size < n:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements as ones in mask")
    out[m] = src.reshape(-1)[:n]
    return out


@_masked_scatter.defbackward
def _(ctx, g):
    a, mask, src = ctx.args
    need = ctx.needs_input_grad
    ga = dispatch(_masked_fill, g, mask, value=0) if need[0] else None
    gs = None
    if need[2]:
        sel = dispatch(_masked_select, g, mask)
        flat = _zeros((src._data.size,), g)
        gs = dispatch(_index_put, flat, sel, index=((slice(0, sel._data.size),),)).reshape(src._data.shape)
    return ga, None, gs


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with ``source``'s elements (in order) copied where ``mask`` is True."""
    _check_mask(mask, "masked_scatter_")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"masked_scatter_: expected self and source to have same dtypes but got "
                           f"{input._dtype._torch_name.capitalize()} and {source._dtype._torch_name.capitalize()}")
    return dispatch(_masked_scatter, input, mask, source)


def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    _check_mask(mask, "masked_scatter_")
    return inplace(self, masked_scatter, mask, source)


@defop("masked_select")
def _masked_select(xp, a, mask):
    if a.shape != mask.shape:
        a, mask = xp.broadcast_arrays(a, mask)
    return a[mask]


@_masked_select.defbackward
def _(ctx, g):
    a, mask = ctx.args
    shape = np.broadcast_shapes(a._data.shape, mask._data.shape)
    return dispatch(_masked_scatter, _zeros(shape, g), mask, g), None


def masked_select(input: Tensor, mask: Tensor, *, out=None) -> Tensor:
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (both broadcast)."""
    if not isinstance(mask, Tensor) or mask._dtype is not D.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    return _out(dispatch(_masked_select, input, mask), out)


# ======================================================================================
# take_along_dim

def take_along_dim(input: Tensor, indices: Tensor, dim=None, *, out=None) -> Tensor:
    """``gather`` with ``input`` and ``indices`` broadcast against each other (apart from ``dim``)."""
    if dim is not None and indices._dtype is not D.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{indices._dtype._torch_name.capitalize()}")
    if dim is None:
        return _out(gather(input.reshape(-1), 0, indices.reshape(-1)), out)
    nd = input._data.ndim
    if indices._data.ndim != nd:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {nd} dimensions for input, and {indices._data.ndim} dimensions for indices")
    dim = wrap_dim(dim, nd)
    ish, xsh = list(input._data.shape), list(indices._data.shape)
    ish[dim] = xsh[dim] = 1
    from ember._dispatch import broadcast_shapes
    b = list(broadcast_shapes(tuple(ish), tuple(xsh)))
    bi, bx = list(b), list(b)
    bi[dim] = input._data.shape[dim]
    bx[dim] = indices._data.shape[dim]
    if tuple(bi) != input._data.shape:
        input = input.expand(*bi)
    if tuple(bx) != indices._data.shape:
        indices = indices.expand(*bx)
    return _out(gather(input, dim, indices), out)


# ======================================================================================
# nonzero / argwhere

@defop("nonzero")
def _nonzero(xp, a):
    if a.ndim == 0:
        return xp.zeros((1 if a else 0, 0), dtype=np.int64)
    return xp.argwhere(a).astype(np.int64, copy=False)


def nonzero(input: Tensor, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an ``(n, ndim)`` tensor, or one 1-D tensor per dim."""
    res = dispatch(_nonzero, input)
    if as_tuple:
        if input._data.ndim == 0:
            from ember.ops.creation import zeros
            return (zeros(res._data.shape[0], dtype=D.int64, device=input._device),)
        return tuple(res[:, j] for j in range(input._data.ndim))
    return _out(res, out)


def argwhere(input: Tensor) -> Tensor:
    return dispatch(_nonzero, input)


# ======================================================================================
# sort / argsort / msort / topk / kthvalue

def _sort_arrays(xp, a, dim, descending):
    """Stable sort along ``dim``; NaN sorts as the largest value (as PyTorch's)."""
    if descending:
        n = a.shape[dim]
        r = xp.flip(a, axis=dim)
        idx = xp.argsort(r, axis=dim, kind="stable")
        idx = (n - 1) - xp.flip(idx, axis=dim)
    else:
        idx = xp.argsort(a, axis=dim, kind="stable")
    idx = idx.astype(np.int64, copy=False)
    return xp.take_along_axis(a, idx, axis=dim), idx


def _check_sortable(input: Tensor, fname="Sort"):
    if input._dtype.category == D.COMPLEX:
        raise RuntimeError(f"{fname} does not support complex dtypes on CPU")


@defop("sort", multi_out=True, save_out=True)
def _sort(xp, a, *, dim, descending=False):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=np.int64)
    return _sort_arrays(xp, a, dim, descending)


def _select_backward(ctx, g, _gi=None):
    """Gradient of values picked out of the input at the saved ``indices`` along ``dim``."""
    a = ctx.args[0]
    dim = ctx.kwargs["dim"]
    idx = ctx.out[1]
    if a._data.ndim == 0:
        return g
    if not ctx.kwargs.get("keepdim", True):
        g = g.unsqueeze(dim)
        idx = idx.unsqueeze(dim)
    return dispatch(_scatter, _zeros(a._data.shape, g), idx, g, dim=dim)


_sort.defbackward(_select_backward)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False, out=None):
    """(values, indices) of ``input`` sorted along ``dim``; ties keep their order."""
    _check_sortable(input)
    dim = wrap_dim(dim, input._data.ndim)
    v, i = (dispatch(_sort, input, dim=dim, descending=True) if descending else dispatch(_sort, input, dim=dim))
    return _pair(sort_rt, v, i, out)


def _pair(rt, v, i, out):
    if out is not None:
        ov, oi = out
        write_out(ov, v)
        write_out(oi, i)
        return rt((ov, oi))
    return rt((v, i))


@defop("argsort")
def _argsort(xp, a, *, dim, descending=False):
    if a.ndim == 0:
        return xp.zeros((), dtype=np.int64)
    return _sort_arrays(xp, a, dim, descending)[1]


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim``."""
    _check_sortable(input)
    dim = wrap_dim(dim, input._data.ndim)
    return dispatch(_argsort, input, dim=dim, descending=descending)


def msort(input: Tensor, *, out=None) -> Tensor:
    """``input`` sorted along its first dim (values only)."""
    return _out(sort(input, 0).values, out)


@defop("topk", multi_out=True, save_out=True)
def _topk(xp, a, *, k, dim, largest=True):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=np.int64)
    v, i = _sort_arrays(xp, a, dim, largest)
    sl = (_FULL,) * dim + (slice(0, k),)
    return v[sl].copy(), i[sl].copy()


_topk.defbackward(_select_backward)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None):
    """The ``k`` largest (or smallest) entries along ``dim`` and their indices, in sorted order."""
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim] if input._data.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    v, i = dispatch(_topk, input, k=k, dim=dim, largest=largest)
    return _pair(topk_rt, v, i, out)


@defop("kthvalue", multi_out=True, save_out=True)
def _kthvalue(xp, a, *, k, dim, keepdim=False):
    if a.ndim == 0:
        return a.copy(), xp.zeros((), dtype=np.int64)
    v, i = _sort_arrays(xp, a, dim, False)
    sl = (_FULL,) * dim + (slice(k - 1, k) if keepdim else k - 1, Ellipsis)
    return v[sl].copy(), i[sl].copy()


_kthvalue.defbackward(_select_backward)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest entry (1-based) along ``dim`` and its index."""
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim] if input._data.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    v, i = dispatch(_kthvalue, input, k=k, dim=dim, keepdim=keepdim)
    return _pair(kthvalue_rt, v, i, out)


# ======================================================================================
# searchsorted / bucketize

@defop("searchsorted", promote="same")
def _searchsorted(xp, seq, values, sorter=None, *, right=False, out_int32=False):
    side = "right" if right else "left"
    odt = np.int32 if out_int32 else np.int64
    values = xp.asarray(values)
    if seq.ndim <= 1:
        return xp.searchsorted(seq, values, side=side, sorter=sorter).astype(odt)
    lead = seq.shape[:-1]
    s2 = seq.reshape(-1, seq.shape[-1])
    v2 = values.reshape(-1, values.shape[-1])
    srt = None if sorter is None else sorter.reshape(-1, sorter.shape[-1])
    out = xp.empty(v2.shape, dtype=odt)
    for r in range(s2.shape[0]):
        out[r] = xp.searchsorted(s2[r], v2[r], side=side, sorter=None if srt is None else srt[r])
    return out.reshape(lead + values.shape[-1:])


def searchsorted(sorted_sequence: Tensor, values, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, out=None, sorter=None) -> Tensor:
    """Indices where ``values`` would be inserted into ``sorted_sequence`` to keep it sorted."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    sd = sorted_sequence._data
    if isinstance(values, Tensor) and sd.ndim > 1:
        vd = values._data
        if vd.ndim != sd.ndim or vd.shape[:-1] != sd.shape[:-1]:
            raise RuntimeError(
                f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
                f"{list(sd.shape)} and input value tensor {list(vd.shape)}")
    if sorter is not None:
        if sorter._dtype is not D.int64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but got "
                               f"{sorter._dtype._torch_name}")
        if sorter._data.shape != sd.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(sd.shape)}and got sorter tensor {list(sorter._data.shape)}")
    kw = {}
    if right:
        kw["right"] = True
    if out_int32:
        kw["out_int32"] = True
    args = (sorted_sequence, values) if sorter is None else (sorted_sequence, values, sorter)
    if sorter is not None:
        res = dispatch(_searchsorted_sorter, *args, **kw)
    else:
        res = dispatch(_searchsorted, *args, **kw)
    return _out(res, out)


@defop("searchsorted_sorter")
def _searchsorted_sorter(xp, seq, values, sorter, *, right=False, out_int32=False):
    dt = np.result_type(seq, values)
    return _searchsorted.forward(xp, seq.astype(dt, copy=False), xp.asarray(values).astype(dt, copy=False),
                                 sorter, right=right, out_int32=out_int32)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False, out=None) -> Tensor:
    """The bucket of each element of ``input`` given 1-D ``boundaries``."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ======================================================================================
# Tensor methods

def _inplace(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


def _scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return inplace(self, scatter, dim, index, src, value=value, reduce=reduce)


methods(gather, scatter, scatter_add, scatter_reduce, index_select, index_add, index_copy, index_fill, index_put,
        masked_fill, masked_scatter, masked_select, take, take_along_dim, put, nonzero, argwhere, sort, argsort,
        msort, topk, kthvalue)
methods(names={
    "scatter_": _scatter_,
    "scatter_add_": _inplace(scatter_add),
    "scatter_reduce_": _inplace(scatter_reduce),
    "index_add_": _inplace(index_add),
    "index_copy_": _inplace(index_copy),
    "index_fill_": _inplace(index_fill),
    "index_put_": index_put_,
    "masked_fill_": masked_fill_,
    "masked_scatter_": masked_scatter_,
    "put_": put_,
})
