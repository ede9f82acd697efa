"""Shape ops and views: view, reshape, expand, permute, transpose, squeeze, unsqueeze, ...

View ops (``is_view=True``) return tensors that share memory and the version counter
with their input, as NumPy views do; their backward rules map the gradient back to the
input's shape.
"""

from __future__ import annotations

from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops._util import methods, parse_size, wrap_dim
from ember.ops.registry import defop

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "unsqueeze", "squeeze"]


def _infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` against ``numel``; check the sizes agree."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# --- view / reshape ---------------------------------------------------------------------


@defop("view", is_view=True)
def _view(xp, a, *, shape):
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


def view(self: Tensor, *shape) -> Tensor:
    """Same data, new shape; fails when the memory layout cannot express it without a copy."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        from ember._dtype import dtype as _dt

        if isinstance(shape[0], _dt):
            return _view_dtype(self, shape[0])
    shape = _infer_shape(parse_size(shape), self._data.size)
    return dispatch(_view, self, shape=shape)


def _view_dtype(self: Tensor, dtype) -> Tensor:
    from ember._tensor import _make

    t = _make(self._data.view(dtype.np), dtype, self._device)
    t._version = self._version
    return t


@defop("reshape", grad_name="ViewBackward0")
def _reshape(xp, a, *, shape):
    return xp.reshape(a, shape)


@_reshape.defbackward
def _(ctx, g):
    return g.reshape(ctx.args[0]._data.shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """A view when the layout allows it, else a copy."""
    shape = _infer_shape(parse_size(shape), input._data.size)
    try:
        return dispatch(_view, input, shape=shape)
    except RuntimeError:
        return dispatch(_reshape, input, shape=shape)


def view_as(self: Tensor, other: Tensor) -> Tensor:
    return view(self, other._data.shape)


def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return reshape(self, other._data.shape)


# --- expand -----------------------------------------------------------------------------


@defop("expand", is_view=True)
def _expand(xp, a, *, shape):
    return xp.broadcast_to(a, shape)


@_expand.defbackward
def _(ctx, g):
    return g.sum_to_size(ctx.args[0]._data.shape)


def expand(self: Tensor, *sizes) -> Tensor:
    """Broadcast size-1 dims to ``sizes`` (``-1`` keeps a dim) without copying."""
    sizes = parse_size(sizes)
    nd = self._data.ndim
    if len(sizes) < nd:
        raise RuntimeError(
            f"expand({self._dtype._torch_name}Type{{{list(self._data.shape)}}}, size={list(sizes)}): the "
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
                    "non-existing dimension 0"
                )
            shape.append(s)
            continue
        cur = self._data.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(self._data.shape)}"
            )
        shape.append(s)
    shape = tuple(shape)
    if shape == self._data.shape:
        return _alias(self)
    return dispatch(_expand, self, shape=shape)


def _alias(self: Tensor) -> Tensor:
    return dispatch(_expand, self, shape=self._data.shape)


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other._data.shape)


# --- permute / transpose ------------------------------------------------------------------


@defop("permute", is_view=True)
def _permute(xp, a, *, dims):
    return xp.transpose(a, dims)


@_permute.defbackward
def _(ctx, g):
    dims = ctx.kwargs["dims"]
    inverse = [0] * len(dims)
    for i, d in enumerate(dims):
        inverse[d] = i
    return g.permute(inverse)


def permute(input: Tensor, *dims) -> Tensor:
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


@defop("transpose", is_view=True)
def _transpose(xp, a, *, dim0, dim1):
    return xp.swapaxes(a, dim0, dim1)


@_transpose.defbackward
def _(ctx, g):
    return g.transpose(ctx.kwargs["dim0"], ctx.kwargs["dim1"])


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    return dispatch(_transpose, input, dim0=wrap_dim(dim0, nd), dim1=wrap_dim(dim1, nd))


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    if nd < 2:
        return _alias(input)
    return dispatch(_transpose, input, dim0=0, dim1=1)


# --- squeeze / unsqueeze --------------------------------------------------------------------


@defop("unsqueeze", is_view=True)
def _unsqueeze(xp, a, *, dim):
    return xp.expand_dims(a, dim)


@_unsqueeze.defbackward
def _(ctx, g):
    return g.squeeze(ctx.kwargs["dim"])


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return dispatch(_unsqueeze, input, dim=wrap_dim(dim, input._data.ndim + 1))


@defop("squeeze", is_view=True)
def _squeeze(xp, a, *, dims):
    return xp.squeeze(a, axis=dims) if dims else a.view()


@_squeeze.defbackward
def _(ctx, g):
    return g.reshape(ctx.args[0]._data.shape)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop size-1 dims (all of them, or those in ``dim`` that have size 1)."""
    shape = input._data.shape
    nd = input._data.ndim
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
    else:
        dd = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(sorted({wrap_dim(d, nd) for d in dd}))
        dims = tuple(d for d in dims if nd and shape[d] == 1)
    return dispatch(_squeeze, input, dims=dims)


methods(
    view,
    reshape,
    view_as,
    reshape_as,
    expand,
    expand_as,
    permute,
    transpose,
    swapaxes,
    swapdims,
    t,
    unsqueeze,
    squeeze,
)
Tensor.T = property(lambda self: self.permute(*reversed(range(self.ndim))))
Tensor.mT = property(lambda self: self.transpose(-2, -1))
