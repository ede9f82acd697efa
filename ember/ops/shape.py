"""Shape ops and views: view, reshape, expand, permute, transpose, squeeze, split, cat, ...

View ops (``is_view=True``) return tensors that share memory and the version counter
with their input, as NumPy views do; their backward rules map the gradient back to the
input's shape. Multi-output views (split, chunk, unbind) are one ``multi_out`` node whose
outputs share the input's version counter.
"""

from __future__ import annotations

import builtins
import warnings

from ember import _dtype as D
from ember._device import broadcast_view, xp_of
from ember._dispatch import broadcast_shapes as _broadcast_shapes
from ember._dispatch import bump_version, check_inplace, dispatch
from ember._tensor import AutogradMeta, Size, Tensor, _make
from ember.ops._util import inplace_methods, methods, parse_size, wrap_dim, write_out
from ember.ops.registry import defop

__all__ = [
    "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "unsqueeze", "squeeze", "flatten",
    "unflatten", "adjoint", "movedim", "moveaxis", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
    "repeat_interleave", "tile", "flip", "fliplr", "flipud", "roll", "rot90", "narrow", "select", "chunk",
    "split", "tensor_split", "unbind", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack",
    "dstack", "column_stack", "tril", "triu", "diag", "diagonal", "diag_embed", "diagflat", "trace", "meshgrid",
    "atleast_1d", "atleast_2d", "atleast_3d", "as_strided", "ravel", "hsplit", "vsplit", "dsplit",
]

_slice_all = slice(None)


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


def _shape_str(shape) -> str:
    return str(list(shape))


def _check_tensor(x, fname: str, argname: str = "input", pos: int = 1) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")
    return x


def _int(v) -> int:
    return int(v) if isinstance(v, Tensor) else v


def _infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` against ``numel``; check the sizes agree."""
    infer = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if infer >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                    f"dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape[:infer] + (numel // known,) + shape[infer + 1:]
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# --- in-place shape changes (t_, transpose_, squeeze_, unsqueeze_, ...) -----------------


def _inplace_alias(self: Tensor) -> Tensor:
    """An alias of ``self`` at its graph position, fed to the out-of-place op so the recorded
    node keeps the input's old shape while ``self`` takes the new one."""
    check_inplace(self)
    a = _make(self._data, self._dtype, self._device)
    a._requires_grad = self._requires_grad
    if self._grad_fn is not None:
        a._grad_fn, a._out_nr = self._grad_fn, self._out_nr
    elif self._requires_grad:
        a._meta = AutogradMeta()
        a._meta.accumulator = self._accumulator()
    if self._version is None:
        self._version = [0]
    a._version = self._version
    return a


def _inplace_commit(self: Tensor, result: Tensor) -> Tensor:
    self._data = result._data
    if result._grad_fn is not None:
        self._grad_fn, self._out_nr, self._requires_grad = result._grad_fn, result._out_nr, True
    bump_version(self)
    return self


# --- view / reshape ---------------------------------------------------------------------


@defop("view", saves=(), is_view=True)
def _view(xp, a, *, shape):
    if a.flags.c_contiguous:
        return a.reshape(shape)
    try:
        return xp.reshape(a, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) "
            "instead."
        ) from None


@_view.defbackward
def _(ctx, g):
    return g.reshape(ctx.args[0]._data.shape)


def view(self: Tensor, *shape, dtype=None) -> Tensor:
    """Same data, new shape; fails when the memory layout cannot express it without a copy.
    ``view(dtype)`` reinterprets the bytes."""
    if dtype is not None:
        return _view_dtype(self, dtype)
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(self, shape[0])
    shape = _infer_shape(parse_size(shape), self._data.size)
    return dispatch(_view, self, shape=shape)


def _view_dtype(self: Tensor, dtype: D.dtype) -> Tensor:
    arr = self._data
    old, new = self._dtype.itemsize, dtype.itemsize
    if old != new:
        names = f"{self._dtype._torch_name} as {dtype._torch_name}"
        if arr.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names} (different element sizes)")
        st = self.stride(-1)
        if st != 1 and arr.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names} (different element sizes), but got {st}")
        if new > old and arr.shape[-1] % (new // old):
            raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to view {names} (different "
                               f"element sizes), but got {arr.shape[-1]}")
    t = _make(arr.view(dtype.np), dtype, self._device)
    if self._version is None:
        self._version = [0]
    t._version = self._version
    return t


@defop("reshape", saves=(), grad_name="UnsafeViewBackward0")
def _reshape(xp, a, *, shape):
    return xp.reshape(a, shape)


@_reshape.defbackward
def _(ctx, g):
    return g.reshape(ctx.args[0]._data.shape)


def reshape(input: Tensor, *shape, **kwargs) -> Tensor:
    """A view when the layout allows it, else a copy."""
    if kwargs:
        shape = (kwargs.pop("shape"),)
    shape = _infer_shape(parse_size(shape), input._data.size)
    if input._data.flags.c_contiguous:
        return dispatch(_view, input, shape=shape)
    try:
        return dispatch(_view, input, shape=shape)
    except RuntimeError:
        return dispatch(_reshape, input, shape=shape)


def view_as(self: Tensor, other: Tensor) -> Tensor:
    return view(self, other._data.shape)


def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return reshape(self, other._data.shape)


def ravel(input: Tensor) -> Tensor:
    return reshape(input, (-1,))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    nd = len(shape)
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = parse_size((sizes,))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = shape[d] if shape else 1
    try:
        sizes = _infer_shape(sizes, n)
    except RuntimeError:
        if sizes.count(-1) > 1:
            raise
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({n}) in the input tensor") from None
    return dispatch(_view, input, shape=shape[:d] + sizes + shape[d + 1:])


# --- expand / broadcasting ------------------------------------------------------------------


@defop("expand", saves=(), is_view=True)
def _expand(xp, a, *, shape):
    if a.shape == shape:
        return a.view()
    return broadcast_view(xp, a, shape)


@_expand.defbackward
def _(ctx, g):
    return g.sum_to_size(ctx.args[0]._data.shape)


def expand(self: Tensor, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` (``-1`` keeps a dim) without copying."""
    sizes = parse_size(sizes)
    cur_shape = self._data.shape
    nd = len(cur_shape)
    if len(sizes) < nd:
        raise RuntimeError(
            f"expand({self._dtype._torch_name}Type{{{list(cur_shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({nd})"
        )
    lead = len(sizes) - nd
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            shape.append(s)
            continue
        cur = cur_shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and (cur != 1 or s < 0):
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(cur_shape)}"
            )
        shape.append(s)
    return dispatch(_expand, self, shape=tuple(shape))


def _alias(self: Tensor) -> Tensor:
    return dispatch(_expand, self, shape=self._data.shape)


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other._data.shape)


def broadcast_to(input: Tensor, *size) -> Tensor:
    return expand(input, *size)


def broadcast_shapes(*shapes) -> Size:
    """The shape ``shapes`` broadcast to (ints stand for 1-D shapes)."""
    norm = []
    for s in shapes:
        if isinstance(s, (int, Tensor)) and not isinstance(s, bool):
            s = (int(s),)
        s = tuple(int(v) for v in s)
        if any(v < 0 for v in s):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        norm.append(s)
    out: list = []
    for i, s in enumerate(norm):
        if len(s) > len(out):
            out = [1] * (len(s) - len(out)) + out
        for j in range(1, len(s) + 1):
            n, cur = s[-j], out[-j]
            if n == cur or n == 1:
                continue
            if cur == 1:
                out[-j] = n
                continue
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {n} at {-j}! Mismatching argument at index {i} "
                f"had {s}; but expected shape should be broadcastable to {out}")
    return Size(out)


def broadcast_tensors(*tensors) -> tuple:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = _broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else dispatch(_expand, t, shape=shape) for t in tensors)


# --- permute / transpose ------------------------------------------------------------------


@defop("permute", saves=(), is_view=True)
def _permute(xp, a, *, dims):
    return xp.transpose(a, dims)


@_permute.defbackward
def _(ctx, g):
    dims = ctx.kwargs["dims"]
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return g.permute(inverse)


def permute(input: Tensor, *dims, **kwargs) -> Tensor:
    if "dims" in kwargs:
        dims = (kwargs.pop("dims"),)
    nd = input._data.ndim
    dims = parse_size(dims)
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return dispatch(_permute, input, dims=dims)


@defop("transpose", saves=(), is_view=True,
       grad_name=lambda kw: "TransposeBackward1" if kw.get("inplace") else "TransposeBackward0")
def _transpose(xp, a, *, dim0, dim1, inplace=False):
    return xp.swapaxes(a, dim0, dim1) if dim0 != dim1 else a.view()


@_transpose.defbackward
def _(ctx, g):
    return g.transpose(ctx.kwargs["dim0"], ctx.kwargs["dim1"])


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    return dispatch(_transpose, input, dim0=wrap_dim(dim0, nd), dim1=wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = self._data.ndim
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    return _inplace_commit(self, dispatch(_transpose, _inplace_alias(self), dim0=d0, dim1=d1, inplace=True))


@defop("t", saves=(), is_view=True, grad_name=lambda kw: "TBackward1" if kw.get("inplace") else "TBackward0")
def _t(xp, a, *, inplace=False):
    return a.T


@_t.defbackward
def _(ctx, g):
    return g.t()


def _check_t(nd: int) -> None:
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    _check_t(input._data.ndim)
    return dispatch(_t, input)


def t_(self: Tensor) -> Tensor:
    _check_t(self._data.ndim)
    return _inplace_commit(self, dispatch(_t, _inplace_alias(self), inplace=True))


def _T(self: Tensor) -> Tensor:
    nd = self._data.ndim
    if nd != 2:
        if nd == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
        else:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
                "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
                "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                UserWarning, stacklevel=2)
    return dispatch(_permute, self, dims=tuple(range(nd - 1, -1, -1)))


def _mT(self: Tensor) -> Tensor:
    nd = self._data.ndim
    if nd < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {nd}-D tensor.")
    return dispatch(_transpose, self, dim0=nd - 2, dim1=nd - 1)


def _conj_if_complex(x: Tensor) -> Tensor:
    return x.conj() if x._dtype.category == D.COMPLEX else x


def _H(self: Tensor) -> Tensor:
    nd = self._data.ndim
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
        return _conj_if_complex(_alias(self))
    if nd != 2:
        extra = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{extra}")
    return _conj_if_complex(dispatch(_transpose, self, dim0=0, dim1=1))


def _mH(self: Tensor, what: str = "mH") -> Tensor:
    nd = self._data.ndim
    if nd < 2:
        raise RuntimeError(f"tensor.{what} is only supported on matrices or batches of matrices. Got {nd}-D tensor.")
    return _conj_if_complex(dispatch(_transpose, self, dim0=nd - 2, dim1=nd - 1))


def adjoint(input: Tensor) -> Tensor:
    return _mH(input, "adjoint()")


def movedim(input: Tensor, source, destination) -> Tensor:
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain the same "
            f"number of dims as destination ({list(dst)} dims)")
    s = [wrap_dim(d, nd) for d in src]
    e = [wrap_dim(d, nd) for d in dst]
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(e)) != len(e):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [None] * max(nd, 1)
    for a, b in zip(s, e):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in s)
    perm = tuple(o if o is not None else next(rest) for o in order[:nd])
    return dispatch(_permute, input, dims=perm)


moveaxis = movedim


# --- squeeze / unsqueeze --------------------------------------------------------------------


@defop("unsqueeze", saves=(), is_view=True,
       grad_name=lambda kw: "UnsqueezeBackward1" if kw.get("inplace") else "UnsqueezeBackward0")
def _unsqueeze(xp, a, *, dim, inplace=False):
    shape = a.shape
    return a.reshape(shape[:dim] + (1,) + shape[dim:])  # inserting a 1 never needs a copy


@_unsqueeze.defbackward
def _(ctx, g):
    return g.squeeze(ctx.kwargs["dim"])


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return dispatch(_unsqueeze, input, dim=wrap_dim(dim, input._data.ndim + 1))


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    d = wrap_dim(dim, self._data.ndim + 1)
    return _inplace_commit(self, dispatch(_unsqueeze, _inplace_alias(self), dim=d, inplace=True))


@defop("squeeze", saves=(), is_view=True,
       grad_name=lambda kw: f"SqueezeBackward{kw['variant'] + 3 * kw.get('inplace', 0)}")
def _squeeze(xp, a, *, dims, variant, inplace=False):
    if not dims:
        return a.view()
    return a.reshape(tuple(n for i, n in enumerate(a.shape) if i not in dims))  # never needs a copy


@_squeeze.defbackward
def _(ctx, g):
    return g.reshape(ctx.args[0]._data.shape)


def _squeeze_args(input: Tensor, dim):
    shape = input._data.shape
    nd = len(shape)
    if dim is None:
        return tuple(i for i, s in enumerate(shape) if s == 1), 0
    if isinstance(dim, (int, Tensor)):
        d = wrap_dim(int(dim), nd)
        return ((d,) if nd and shape[d] == 1 else ()), 1
    seen = set()
    for d in dim:
        w = wrap_dim(d, nd)
        if w in seen:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        seen.add(w)
    return tuple(sorted(d for d in seen if nd and shape[d] == 1)), 2


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all of them, or those in ``dim`` that have size 1)."""
    dims, variant = _squeeze_args(input, dim)
    return dispatch(_squeeze, input, dims=dims, variant=variant)


def squeeze_(self: Tensor, dim=None) -> Tensor:
    dims, variant = _squeeze_args(self, dim)
    return _inplace_commit(self, dispatch(_squeeze, _inplace_alias(self), dims=dims, variant=variant, inplace=True))


# --- repeat / tile / repeat_interleave ------------------------------------------------------


@defop("repeat", saves=())
def _repeat(xp, a, *, repeats):
    return xp.tile(a, repeats)


@_repeat.defbackward
def _(ctx, g):
    reps = ctx.kwargs["repeats"]
    shape = ctx.args[0]._data.shape
    if not reps:
        return g
    padded = (1,) * (len(reps) - len(shape)) + shape
    inter = []
    for r, s in zip(reps, padded):
        inter += [r, s]
    return g.reshape(inter).sum(tuple(range(0, 2 * len(reps), 2))).reshape(shape)


def repeat(self: Tensor, *repeats) -> Tensor:
    reps = parse_size(repeats)
    shape = self._data.shape
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(reps) - len(shape)) + shape
    target = [r * s for r, s in zip(reps, padded)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {target}")
    return dispatch(_repeat, self, repeats=reps)


def tile(input: Tensor, dims) -> Tensor:
    reps = parse_size((dims,)) if not isinstance(dims, int) else (dims,)
    nd = input._data.ndim
    if len(reps) < nd:
        reps = (1,) * (nd - len(reps)) + reps
    return repeat(input, reps)


@defop("repeat_interleave", saves=(),
       grad_name=lambda kw: "ViewBackward0" if isinstance(kw["repeats"], int) else "IndexSelectBackward0")
def _repeat_interleave(xp, a, *, repeats, dim):
    if dim is None:
        return xp.repeat(a.reshape(-1), repeats)
    return xp.repeat(a, repeats, axis=dim)


@_repeat_interleave.defbackward
def _(ctx, g):
    a = ctx.args[0]
    shape = a._data.shape
    reps, dim = ctx.kwargs["repeats"], ctx.kwargs["dim"]
    if dim is None:
        flat = (a._data.size,)
        if isinstance(reps, int):
            return g.reshape(flat + (reps,)).sum(1).reshape(shape)
        return dispatch(_repeat_interleave_grad, g, repeats=reps, dim=0, size=flat[0]).reshape(shape)
    if isinstance(reps, int):
        return g.reshape(shape[:dim] + (shape[dim], reps) + shape[dim + 1:]).sum(dim + 1)
    return dispatch(_repeat_interleave_grad, g, repeats=reps, dim=dim, size=shape[dim])


@defop("repeat_interleave_grad", saves=(), grad_name="IndexAddBackward0")
def _repeat_interleave_grad(xp, g, *, repeats, dim, size):
    """Sum the gradient over each run of repeated slices (the adjoint of repeat_interleave)."""
    idx = xp.repeat(xp.arange(size), repeats)
    gm = xp.moveaxis(g, dim, 0)
    out = xp.zeros((size,) + gm.shape[1:], dtype=g.dtype)
    xp.add.at(out, idx, gm)
    return xp.moveaxis(out, 0, dim)


@_repeat_interleave_grad.defbackward
def _(ctx, gg):
    return dispatch(_repeat_interleave, gg, repeats=ctx.kwargs["repeats"], dim=ctx.kwargs["dim"])


def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    if repeats is None:  # repeat_interleave(repeats): each index repeated repeats[i] times
        r = input
        if r._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r._dtype.category != D.INT:
            raise RuntimeError(f"repeat_interleave only supports Int or Long, but got {r._dtype._torch_name}")
        if r._data.size and int(r._data.min()) < 0:
            raise RuntimeError("repeats can not be negative")
        xp = xp_of(r._device)
        return _make(xp.repeat(xp.arange(r._data.shape[0], dtype=D.int64.np), r._data), r._dtype, r._device)
    shape = input._data.shape
    if dim is not None:
        dim = wrap_dim(dim, len(shape))
        n = shape[dim] if shape else 1
        if not shape:
            dim = None
    else:
        n = input._data.size
    if isinstance(repeats, Tensor):
        if repeats._data.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if repeats._dtype.category != D.INT:
            raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{repeats._dtype._torch_name}'")
        vals = repeats._host().reshape(-1).tolist()
        if len(vals) == 1:
            vals = vals * n
        elif len(vals) != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{len(vals)} and input.size({dim or 0}) = {n}")
        if any(v < 0 for v in vals):
            raise RuntimeError("repeats can not be negative")
        reps = tuple(vals)
        total = builtins.sum(vals)
    else:
        reps = int(repeats)
        if reps < 0:
            raise RuntimeError("Repeats must be non-negative")
        total = reps * n
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {total} but got {output_size}")
    return dispatch(_repeat_interleave, input, repeats=reps, dim=dim)


# --- flip / roll / rot90 ----------------------------------------------------------------------


def _dims_list(dims, nd: int) -> tuple:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    out = []
    for d in dims:
        w = wrap_dim(d, nd)
        if w in out:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        out.append(w)
    return tuple(out)


@defop("flip", saves=())
def _flip(xp, a, *, dims):
    return xp.flip(a, axis=dims).copy() if dims and a.ndim else a.copy()


@_flip.defbackward
def _(ctx, g):
    return g.flip(ctx.kwargs["dims"])


def flip(input: Tensor, *dims, **kwargs) -> Tensor:
    if "dims" in kwargs:
        dims = kwargs.pop("dims")
    if kwargs:
        raise TypeError(f"flip() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(dims) == 1 and not isinstance(dims[0], int):
        dims = dims[0]
    return dispatch(_flip, input, dims=_dims_list(dims, input._data.ndim))


def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return dispatch(_flip, input, dims=(1,))


def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return dispatch(_flip, input, dims=(0,))


@defop("roll", saves=())
def _roll(xp, a, *, shifts, dims):
    return xp.roll(a, shifts, axis=dims) if a.ndim else a.copy()


@_roll.defbackward
def _(ctx, g):
    shifts, dims = ctx.kwargs["shifts"], ctx.kwargs["dims"]
    neg = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
    return dispatch(_roll, g, shifts=neg, dims=dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    shifts = (_int(shifts),) if isinstance(shifts, (int, Tensor)) else tuple(_int(s) for s in shifts)
    nd = input._data.ndim
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return dispatch(_roll, input, shifts=shifts[0], dims=None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if nd == 0 and dims:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return dispatch(_roll, input, shifts=shifts, dims=tuple(wrap_dim(d, nd) for d in dims))


@defop("rot90", saves=())
def _rot90(xp, a, *, k, dims):
    return xp.rot90(a, k, axes=dims).copy()


@_rot90.defbackward
def _(ctx, g):
    return dispatch(_rot90, g, k=-ctx.kwargs["k"], dims=ctx.kwargs["dims"])


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    return dispatch(_rot90, input, k=int(k) % 4, dims=(d0, d1))


# --- slicing views: narrow, select ---------------------------------------------------------


@defop("slice", saves=(), is_view=True)
def _slice(xp, a, *, dim, start, end, step=1):
    return a[(_slice_all,) * dim + (slice(start, end, step),)]


@_slice.defbackward
def _(ctx, g):
    kw = ctx.kwargs
    return dispatch(_slice_backward, g, shape=ctx.args[0]._data.shape, dim=kw["dim"], start=kw["start"],
                    end=kw["end"], step=kw.get("step", 1))


@defop("slice_backward", saves=(), grad_name="SliceBackwardBackward0")
def _slice_backward(xp, g, *, shape, dim, start, end, step):
    out = xp.zeros(shape, dtype=g.dtype)
    out[(_slice_all,) * dim + (slice(start, end, step),)] = g
    return out


@_slice_backward.defbackward
def _(ctx, gg):
    kw = ctx.kwargs
    return dispatch(_slice, gg, dim=kw["dim"], start=kw["start"], end=kw["end"], step=kw["step"])


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    start, length = _int(start), _int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return dispatch(_slice, input, dim=d, start=start, end=start + length)


@defop("select", saves=(), is_view=True)
def _select(xp, a, *, dim, index):
    return a[(_slice_all,) * dim + (index, Ellipsis)]


@_select.defbackward
def _(ctx, g):
    kw = ctx.kwargs
    return dispatch(_select_backward, g, shape=ctx.args[0]._data.shape, dim=kw["dim"], index=kw["index"])


@defop("select_backward", saves=(), grad_name="SelectBackwardBackward0")
def _select_backward(xp, g, *, shape, dim, index):
    out = xp.zeros(shape, dtype=g.dtype)
    out[(_slice_all,) * dim + (index, Ellipsis)] = g
    return out


@_select_backward.defbackward
def _(ctx, gg):
    return dispatch(_select, gg, dim=ctx.kwargs["dim"], index=ctx.kwargs["index"])


def select(input: Tensor, dim: int, index) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    index = _int(index)
    size = shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} at dimension {d}")
    return dispatch(_select, input, dim=d, index=index + size if index < 0 else index)


# --- split / chunk / unbind / tensor_split -------------------------------------------------


def _share_version(base: Tensor, outs: tuple) -> tuple:
    v = base._version
    if v is None:
        v = base._version = [0]
    for o in outs:
        o._version = v
    return outs


@defop("split", saves=(), is_view=True, multi_out=True,
       grad_name=lambda kw: "SplitWithSizesBackward0" if kw["with_sizes"] else "SplitBackward0")
def _split(xp, a, *, sizes, dim, with_sizes):
    pre = (_slice_all,) * dim
    outs = []
    start = 0
    for s in sizes:
        outs.append(a[pre + (slice(start, start + s),)])
        start += s
    return tuple(outs)


@_split.defbackward
def _(ctx, *grads):
    return cat(grads, ctx.kwargs["dim"])


def _split_sizes(size: int, split_size: int) -> list:
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size}")
    if split_size == 0:
        if size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        return [0]
    n = builtins.max((size + split_size - 1) // split_size, 1)
    return [split_size] * (n - 1) + [size - split_size * (n - 1)]


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    if isinstance(split_size_or_sections, (int, Tensor)) and not (
            isinstance(split_size_or_sections, Tensor) and split_size_or_sections._data.ndim):
        sizes = _split_sizes(size, _int(split_size_or_sections))
        with_sizes = False
    else:
        sizes = [_int(s) for s in split_size_or_sections]
        if builtins.sum(sizes) != size or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
        with_sizes = True
    return _share_version(tensor, dispatch(_split, tensor, sizes=tuple(sizes), dim=d, with_sizes=with_sizes))


def split_with_sizes(self: Tensor, split_sizes, dim: int = 0) -> tuple:
    return split(self, list(split_sizes), dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    if size == 0:
        sizes = [0] * chunks
    else:
        sizes = _split_sizes(size, (size + chunks - 1) // chunks)
    return _share_version(input, dispatch(_split, input, sizes=tuple(sizes), dim=d, with_sizes=False))


@defop("unbind", saves=(), is_view=True, multi_out=True)
def _unbind(xp, a, *, dim):
    pre = (_slice_all,) * dim
    return tuple(a[pre + (i, Ellipsis)] for i in range(a.shape[dim]))


@_unbind.defbackward
def _(ctx, *grads):
    return stack(grads, ctx.kwargs["dim"])


def unbind(input: Tensor, dim: int = 0) -> tuple:
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return _share_version(input, dispatch(_unbind, input, dim=wrap_dim(dim, nd)))


def tensor_split(input: Tensor, indices_or_sections=None, dim: int = 0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None) -> tuple:
    ios = indices_or_sections
    for alt in (sections, indices, tensor_indices_or_sections):
        if alt is not None:
            ios = alt
    shape = input._data.shape
    if not shape:
        raise RuntimeError(f"tensor_split expected at least a 1-dimensional tensor, but got a tensor with "
                           f"{len(shape)} dims")
    if isinstance(ios, Tensor):
        if ios._dtype is not D.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{ios._dtype._torch_name}")
        if ios._data.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        ios = int(ios) if ios._data.ndim == 0 else ios._host().tolist()
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(size, ios)
        bounds, start = [], 0
        for i in range(ios):
            n = q + (1 if i < r else 0)
            bounds.append((start, start + n))
            start += n
    else:
        idx = [_int(i) for i in ios]
        edges = [0] + idx + [size]
        bounds = []
        for a, b in zip(edges[:-1], edges[1:]):
            a = builtins.min(builtins.max(a + size if a < 0 else a, 0), size)
            b = builtins.min(builtins.max(b + size if b < 0 else b, 0), size)
            bounds.append((a, builtins.max(a, b)))
    return tuple(dispatch(_slice, input, dim=d, start=a, end=b) for a, b in bounds)


def _nsplit(name: str, input: Tensor, ios, min_nd: int, dim: int) -> tuple:
    nd = input._data.ndim
    if nd < min_nd:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_nd} dimension"
                           f"{'s' if min_nd > 1 else ''}, but got a tensor with {nd} dimensions!")
    if isinstance(ios, int):
        size = input._data.shape[dim]
        if ios == 0 or size % ios:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {size} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input: Tensor, indices_or_sections) -> tuple:
    return _nsplit("hsplit", input, indices_or_sections, 1, 0 if input._data.ndim == 1 else 1)


def vsplit(input: Tensor, indices_or_sections) -> tuple:
    return _nsplit("vsplit", input, indices_or_sections, 2, 0)


def dsplit(input: Tensor, indices_or_sections) -> tuple:
    return _nsplit("dsplit", input, indices_or_sections, 3, 2)


# --- cat / stack and friends ----------------------------------------------------------------


def _tensor_list(tensors, fname: str) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}")
    return tensors


def _is_legacy_empty(shape) -> bool:
    return len(shape) == 1 and shape[0] == 0


@defop("cat", saves=(), promote="same")
def _cat(xp, *arrays, dim):
    keep = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)]
    if len(keep) != len(arrays):
        if not keep:
            return xp.concatenate(arrays)
        if len(keep) == 1:
            return keep[0].copy()
    return xp.concatenate(keep, axis=dim)


@_cat.defbackward
def _(ctx, g):
    dim = ctx.kwargs["dim"]
    grads = []
    off = 0
    out_nd = g._data.ndim
    for a, needs in zip(ctx.args, ctx.needs_input_grad):
        shp = a._data.shape
        if _is_legacy_empty(shp) and out_nd != 1:
            grads.append(g.new_zeros((0,)) if needs else None)
            continue
        n = shp[dim]
        grads.append(dispatch(_slice, g, dim=dim, start=off, end=off + n) if needs else None)
        off += n
    return tuple(grads)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenate along ``dim``; 1-D empty tensors are skipped (PyTorch's legacy rule)."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    ref = None
    for i, x in enumerate(tensors):
        shp = x._data.shape
        if not shp:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if ref is None and not _is_legacy_empty(shp):
            ref = i
    if ref is None:
        d = wrap_dim(dim, 1)
    else:
        rshape = tensors[ref]._data.shape
        nd = len(rshape)
        d = wrap_dim(dim, nd)
        for i, x in enumerate(tensors):
            shp = x._data.shape
            if _is_legacy_empty(shp):
                continue
            if len(shp) != nd:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {len(shp)}")
            for k in range(nd):
                if k != d and shp[k] != rshape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size {rshape[k]} but got "
                        f"size {shp[k]} for tensor number {i} in the list.")
    return _out(dispatch(_cat, *tensors, dim=d), out)


def concat(tensors, dim: int = 0, *, out=None) -> Tensor:
    return cat(tensors, dim, out=out)


def concatenate(tensors, axis: int = 0, out=None) -> Tensor:
    return cat(tensors, axis, out=out)


@defop("stack", saves=(), promote="same")
def _stack(xp, *arrays, dim):
    return xp.stack(arrays, axis=dim)


@_stack.defbackward
def _(ctx, g):
    return g.unbind(ctx.kwargs["dim"])


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                               f"{list(x._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(s0) + 1)
    return _out(dispatch(_stack, *tensors, dim=d), out)


def hstack(tensors, *, out=None) -> Tensor:
    ts = atleast_1d(_tensor_list(tensors, "hstack"))
    if not ts:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    ts = atleast_2d(_tensor_list(tensors, "vstack"))
    if not ts:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(ts, 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    ts = atleast_3d(_tensor_list(tensors, "dstack"))
    if not ts:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(ts, 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    ts = _tensor_list(tensors, "column_stack")
    if not ts:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    ts = [reshape(x, (x._data.size, 1)) if x._data.ndim <= 1 else x for x in ts]
    return cat(ts, 1, out=out)


def _atleast(tensors, n: int, fn):
    if len(tensors) == 1:
        x = tensors[0]
        if isinstance(x, Tensor):
            return fn(x)
        return tuple(fn(_check_tensor(t, f"atleast_{n}d")) for t in x)
    return tuple(fn(_check_tensor(t, f"atleast_{n}d")) for t in tensors)


def _at1(x: Tensor) -> Tensor:
    return reshape(x, (1,)) if x._data.ndim == 0 else x


def _at2(x: Tensor) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return reshape(x, (1, 1))
    return unsqueeze(x, 0) if nd == 1 else x


def _at3(x: Tensor) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return reshape(x, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(x, 0), -1)
    return unsqueeze(x, -1) if nd == 2 else x


def atleast_1d(*tensors):
    return _atleast(tensors, 1, _at1)


def atleast_2d(*tensors):
    return _atleast(tensors, 2, _at2)


def atleast_3d(*tensors):
    return _atleast(tensors, 3, _at3)


# --- triangles, diagonals, trace --------------------------------------------------------------


@defop("tril", saves=())
def _tril(xp, a, *, diagonal):
    return xp.tril(a, diagonal)


@_tril.defbackward
def _(ctx, g):
    return g.tril(ctx.kwargs["diagonal"])


@defop("triu", saves=())
def _triu(xp, a, *, diagonal):
    return xp.triu(a, diagonal)


@_triu.defbackward
def _(ctx, g):
    return g.triu(ctx.kwargs["diagonal"])


def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _out(dispatch(_tril, input, diagonal=int(diagonal)), out)


def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _out(dispatch(_triu, input, diagonal=int(diagonal)), out)


def _fill_diagonal(xp, out, src, offset: int, dim1: int, dim2: int):
    """Write ``src`` (its last axis running along the diagonal) onto ``out``'s diagonal."""
    view = xp.moveaxis(out, (dim1, dim2), (-2, -1))
    idx = xp.arange(src.shape[-1])
    view[..., idx + builtins.max(-offset, 0), idx + builtins.max(offset, 0)] = src
    return out


@defop("diagonal", saves=(), is_view=True)
def _diagonal(xp, a, *, offset, dim1, dim2):
    d = xp.diagonal(a, offset, dim1, dim2)
    try:  # NumPy hands out read-only diagonals; PyTorch's are writable views
        if not d.flags.writeable and a.flags.writeable:
            d.flags.writeable = True
    except (AttributeError, ValueError):
        pass
    return d


@_diagonal.defbackward
def _(ctx, g):
    kw = ctx.kwargs
    return dispatch(_diagonal_backward, g, shape=ctx.args[0]._data.shape, offset=kw["offset"], dim1=kw["dim1"],
                    dim2=kw["dim2"])


@defop("diagonal_backward", saves=(), grad_name="DiagonalBackwardBackward0")
def _diagonal_backward(xp, g, *, shape, offset, dim1, dim2):
    return _fill_diagonal(xp, xp.zeros(shape, dtype=g.dtype), g, offset, dim1, dim2)


@_diagonal_backward.defbackward
def _(ctx, gg):
    kw = ctx.kwargs
    return dispatch(_diagonal, gg, offset=kw["offset"], dim1=kw["dim1"], dim2=kw["dim2"])


def _diag_dims(nd: int, dim1: int, dim2: int):
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    d1, d2 = _diag_dims(input._data.ndim, dim1, dim2)
    return dispatch(_diagonal, input, offset=int(offset), dim1=d1, dim2=d2)


@defop("diagonal_copy", saves=(), grad_name="DiagonalBackward0_copy")
def _diagonal_copy(xp, a, *, offset, dim1, dim2):
    return xp.diagonal(a, offset, dim1, dim2).copy()


_diagonal_copy.defbackward(_diagonal.backward)


@defop("diag_embed", saves=())
def _diag_embed(xp, a, *, offset, dim1, dim2):
    n = a.shape[-1] + abs(offset)
    shape = list(a.shape[:-1])
    for d in sorted((dim1, dim2)):
        shape.insert(d, n)
    return _fill_diagonal(xp, xp.zeros(shape, dtype=a.dtype), a, offset, dim1, dim2)


@_diag_embed.defbackward
def _(ctx, g):
    kw = ctx.kwargs
    return dispatch(_diagonal, g, offset=kw["offset"], dim1=kw["dim1"], dim2=kw["dim2"])


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    d1, d2 = _diag_dims(input._data.ndim + 1, dim1, dim2)
    if input._data.ndim == 0:
        input = reshape(input, (1,))
    return dispatch(_diag_embed, input, offset=int(offset), dim1=d1, dim2=d2)


def diag(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    nd = input._data.ndim
    if nd == 1:
        r = dispatch(_diag_embed, input, offset=int(diagonal), dim1=0, dim2=1)
    elif nd == 2:
        r = dispatch(_diagonal_copy, input, offset=int(diagonal), dim1=0, dim2=1)
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return _out(r, out)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    return dispatch(_diag_embed, reshape(input, (-1,)), offset=int(offset), dim1=0, dim2=1)


@defop("trace", saves=())
def _trace(xp, a):
    if a.dtype.kind in "iub":
        return xp.trace(a, dtype=xp.int64)
    return xp.trace(a)


@_trace.defbackward
def _(ctx, g):
    shape = ctx.args[0]._data.shape
    k = builtins.min(shape)
    return dispatch(_diagonal_backward, g.expand(k), shape=shape, offset=0, dim1=0, dim2=1)


def trace(input: Tensor) -> Tensor:
    nd = input._data.ndim
    if nd != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {nd}")
    if input._dtype is D.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return dispatch(_trace, input)


# --- meshgrid ------------------------------------------------------------------------------


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for x in tensors:
        _check_tensor(x, "meshgrid", "tensors")
        if x._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {x}")
    dt, dev = tensors[0]._dtype, tensors[0]._device
    for x in tensors[1:]:
        if x._dtype is not dt:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if x._device != dev:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    n = len(tensors)
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * n
    for x, p in zip(tensors, pos):
        shape[p] = x._data.size
    shape = tuple(shape)
    outs = []
    for x, p in zip(tensors, pos):
        vs = [1] * n
        vs[p] = -1
        outs.append(expand(reshape(x, tuple(vs)), shape))
    return tuple(outs)


# --- unfold / as_strided --------------------------------------------------------------------


@defop("unfold", saves=(), is_view=True)
def _unfold(xp, a, *, dim, size, step):
    n = (a.shape[dim] - size) // step + 1
    shape = a.shape[:dim] + (n,) + a.shape[dim + 1:] + (size,)
    st = a.strides
    strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


@_unfold.defbackward
def _(ctx, g):
    kw = ctx.kwargs
    return dispatch(_unfold_backward, g, shape=ctx.args[0]._data.shape, dim=kw["dim"], size=kw["size"],
                    step=kw["step"])


@defop("unfold_backward", saves=(), grad_name="UnfoldBackwardBackward0")
def _unfold_backward(xp, g, *, shape, dim, size, step):
    out = xp.zeros(shape, dtype=g.dtype)
    n = g.shape[dim]
    pre = (_slice_all,) * dim
    for j in range(size):  # for each offset in the window the covered positions are distinct
        out[pre + (slice(j, j + step * (n - 1) + 1, step),)] += g[..., j]
    return out


@_unfold_backward.defbackward
def _(ctx, gg):
    kw = ctx.kwargs
    return dispatch(_unfold, gg, dim=kw["dim"], size=kw["size"], step=kw["step"])


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    shape = self._data.shape
    nd = len(shape)
    d = wrap_dim(dimension, nd)
    n = shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if nd == 0:
        return reshape(self, (size,))
    return dispatch(_unfold, self, dim=d, size=size, step=step)


def _ptr(arr) -> int:
    try:
        return arr.data.ptr  # CuPy
    except AttributeError:
        return arr.__array_interface__["data"][0]


def _storage_of(arr):
    """The array owning ``arr``'s memory, flattened, and ``arr``'s element offset in it."""
    root = arr
    kind = type(arr)
    while isinstance(root.base, kind):
        root = root.base
    if not root.flags.c_contiguous:
        return None, 0
    return root.reshape(-1), (_ptr(arr) - _ptr(root)) // arr.itemsize


def _positions(xp, shape, strides, offset):
    pos = xp.full(tuple(shape), offset, dtype=xp.int64)
    nd = len(shape)
    for i, (n, s) in enumerate(zip(shape, strides)):
        view = [1] * nd
        view[i] = n
        pos = pos + xp.arange(n, dtype=xp.int64).reshape(view) * s
    return pos


@defop("as_strided", saves=(), is_view=True)
def _as_strided(xp, a, *, size, stride, storage_offset):
    flat, own = _storage_of(a)
    if flat is None:
        flat, own = a.reshape(-1), 0
    off = own if storage_offset is None else storage_offset
    item = a.itemsize
    return xp.lib.stride_tricks.as_strided(flat[off:], shape=size, strides=tuple(s * item for s in stride))


@_as_strided.defbackward
def _(ctx, g):
    a = ctx.args[0]
    kw = ctx.kwargs
    xp = xp_of(a._device)
    _, own = _storage_of(a._data)
    off = own if kw["storage_offset"] is None else kw["storage_offset"]
    src = _positions(xp, kw["size"], kw["stride"], off).reshape(-1)
    dst = _positions(xp, a._data.shape, a.stride(), own)
    return dispatch(_strided_scatter, g, src=src, dst=dst)


@defop("as_strided_backward", saves=(), grad_name="AsStridedBackwardBackward0")
def _strided_scatter(xp, g, *, src, dst):
    """Add ``g``'s elements into a storage buffer at ``src`` positions; read it back at ``dst``."""
    hi = 1 + builtins.max(int(src.max()) if src.size else 0, int(dst.max()) if dst.size else 0)
    buf = xp.zeros(hi, dtype=g.dtype)
    xp.add.at(buf, src, g.reshape(-1))
    return buf[dst]


@_strided_scatter.defbackward
def _(ctx, gg):
    kw = ctx.kwargs
    src, dst = kw["src"], kw["dst"]
    shape = tuple(ctx.args[0]._data.shape)
    return dispatch(_strided_scatter, gg, src=dst.reshape(-1), dst=src.reshape(shape))


def as_strided(input: Tensor, size, stride, storage_offset=None) -> Tensor:
    size, stride = parse_size((size,)), parse_size((stride,))
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    flat, own = _storage_of(input._data)
    n = flat.size if flat is not None else input._data.size
    off = own if storage_offset is None else int(storage_offset)
    if 0 not in size:
        need = off + builtins.sum((s - 1) * st for s, st in zip(size, stride)) + 1
        if need > n:
            item = input._dtype.itemsize
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {off}, and itemsize {item} "
                f"requiring a storage size of {need * item} are out of bounds for storage of size {n * item}")
    return dispatch(_as_strided, input, size=size, stride=stride,
                    storage_offset=None if storage_offset is None else int(storage_offset))


def as_strided_(self: Tensor, size, stride, storage_offset=None) -> Tensor:
    return _inplace_commit(self, as_strided(_inplace_alias(self), size, stride, storage_offset))


# --- Tensor methods ----------------------------------------------------------------------


def _tensor_repeat_interleave(self: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    return repeat_interleave(self, repeats, dim, output_size=output_size)


def _tensor_split(self: Tensor, split_size, dim: int = 0) -> tuple:
    return split(self, split_size, dim)


def _tensor_flip(self: Tensor, *dims, **kwargs) -> Tensor:
    return flip(self, *dims, **kwargs)


methods(
    view, reshape, view_as, reshape_as, expand, expand_as, broadcast_to, permute, transpose, t,
    unsqueeze, squeeze, flatten, unflatten, ravel, adjoint, movedim, repeat, tile, fliplr, flipud, roll,
    rot90, narrow, select, chunk, split_with_sizes, unbind, tensor_split, tril, triu, diag, diagonal, diag_embed,
    diagflat, trace, unfold, as_strided, hsplit, vsplit, dsplit,
    names={"swapaxes": transpose, "swapdims": transpose, "moveaxis": movedim,
           "repeat_interleave": _tensor_repeat_interleave, "split": _tensor_split, "flip": _tensor_flip,
           "t_": t_, "transpose_": transpose_, "swapaxes_": transpose_, "swapdims_": transpose_,
           "squeeze_": squeeze_, "unsqueeze_": unsqueeze_, "as_strided_": as_strided_},
)
inplace_methods(tril_=tril, triu_=triu)
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(_H)
Tensor.mH = property(_mH)
