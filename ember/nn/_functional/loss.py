"""nn.functional: the loss functions (``torch.nn.functional.*_loss``, ``cross_entropy``, ``ctc_loss``, ...).

Registered ops (forward on ``xp`` arrays, backward rules in ember ops):
- ``cross_entropy_loss``: log_softmax + nll in one pass for class-index targets without label
  smoothing; the softmax it computes is kept for the backward ``(softmax - onehot) * w / denom``;
- ``nll_loss`` (+ ``nll_loss_backward``, linear in the gradient, so its own backward is ``nll_loss``);
- ``mse_loss``, ``smooth_l1_loss``, ``huber_loss``, ``binary_cross_entropy``: one op each, reduction inside;
- ``ctc_loss`` (+ ``ctc_loss_backward``): the forward-backward algorithm in log space, vectorised over
  batch and extended labels, looping over time; the gradient is the closed form PyTorch uses.
Everything else is a composite of ember ops (differentiable automatically).
"""

from __future__ import annotations

import math
import warnings

import ml_dtypes
import numpy as np

from ember import _dtype as D
from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.ops import activation as _act
from ember.ops.creation import tensor as _tensor
from ember.ops.logic import where as _where
from ember.ops.registry import defop

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "multilabel_margin_loss", "multi_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "ctc_loss",
]

_LOWP = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
_F32 = np.dtype(np.float32)


def _up(a):
    """float16/bfloat16 arrays are computed in float32 (as PyTorch's CPU kernels do)."""
    return a.astype(_F32) if a.dtype in _LOWP else a


# --------------------------------------------------------------------------------------
# reduction arguments


class _Reduction:
    """PyTorch's mapping of ``reduction`` strings and the deprecated ``size_average``/``reduce`` flags."""

    @staticmethod
    def get_enum(reduction: str) -> int:
        if reduction == "none":
            return 0
        if reduction == "mean":
            return 1
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                          stacklevel=3)
            return 1
        if reduction == "sum":
            return 2
        raise ValueError(f"{reduction} is not a valid value for reduction")

    @staticmethod
    def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
        warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
        if size_average is None:
            size_average = True
        if reduce is None:
            reduce = True
        if size_average and reduce:
            ret = "mean"
        elif reduce:
            ret = "sum"
        else:
            ret = "none"
        if emit_warning:
            warnings.warn(warning.format(ret), stacklevel=3)
        return ret

    @staticmethod
    def legacy_get_enum(size_average, reduce, emit_warning: bool = True) -> int:
        return _Reduction.get_enum(_Reduction.legacy_get_string(size_average, reduce, emit_warning))


_NAMES = ("none", "mean", "sum")


def _reduction(size_average, reduce, reduction) -> str:
    """The reduction as one of 'none'/'mean'/'sum' (legacy flags mapped, invalid names rejected)."""
    if size_average is not None or reduce is not None:
        return _Reduction.legacy_get_string(size_average, reduce)
    return _NAMES[_Reduction.get_enum(reduction)]


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _size_warning(input, target) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


def _tname(t: Tensor) -> str:
    return t._dtype._torch_name


_SCALAR_NAME = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _scalar_name(t: Tensor) -> str:
    return _SCALAR_NAME.get(_tname(t), _tname(t))


def _not_differentiable(t, fname: str, arg: str) -> None:
    """PyTorch refuses (at the call) an argument its kernel has no derivative for when it requires grad."""
    if t is not None and t._requires_grad and grad_mode.state.enabled:
        raise RuntimeError(f"The function '{fname}' is not differentiable with respect to argument '{arg}'. "
                           "This input cannot have requires_grad True.")


def _check_float(t: Tensor, kernel: str) -> None:
    if t._dtype.category < D.FLOAT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_name(t)}'")


def _scalar_like(xp, v, a):
    return xp.asarray(v, dtype=a.dtype)


def _red_array(xp, loss, reduction):
    if reduction == "mean":
        return xp.mean(loss) if loss.size else xp.asarray(np.nan, dtype=loss.dtype)
    if reduction == "sum":
        return xp.sum(loss)
    return loss


def _red_scale(g: Tensor, reduction: str, n: int) -> Tensor:
    """The upstream gradient of an elementwise loss before reduction ('mean' divides by ``n``)."""
    return g / n if reduction == "mean" else g


# --------------------------------------------------------------------------------------
# elementwise regression losses: one registered op each


@defop("mse_loss", promote="same")
def _mse(xp, x, y, *, reduction):
    d = xp.subtract(_up(x), _up(y))
    d *= d
    return _red_array(xp, d, reduction).astype(x.dtype, copy=False)


@_mse.defbackward
def _(ctx, g):
    x, y = ctx.args
    red = ctx.kwargs["reduction"]
    d = x - y
    gx = d * (2 * _red_scale(g, red, d.numel()))
    return gx, -gx


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None) -> Tensor:
    """Mean squared error ``(input - target)**2``, optionally weighted (weighted 'mean' divides by ``weight.sum()``)."""
    _size_warning(input, target)
    if weight is not None:
        if size_average is not None or reduce is not None:
            reduction = _Reduction.legacy_get_string(size_average, reduce)
        if tuple(weight.shape) != tuple(input.shape):
            raise ValueError("Weights and input must have the same size.")
        return _weighted((input - target) ** 2 * weight, weight, reduction, "sum_w")
    reduction = _reduction(size_average, reduce, reduction)
    return dispatch(_mse, input, target, reduction=reduction)


def _weighted(loss, weight, reduction, mean_mode):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_mode == "sum_w" else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None) -> Tensor:
    """Mean absolute error ``|input - target|``, optionally weighted."""
    _size_warning(input, target)
    if weight is not None:
        if size_average is not None or reduce is not None:
            reduction = _Reduction.legacy_get_string(size_average, reduce)
        if tuple(weight.shape) != tuple(input.shape):
            raise ValueError("Weights and input must have the same size.")
        return _weighted((input - target).abs() * weight, weight, reduction, "sum_w")
    reduction = _reduction(size_average, reduce, reduction)
    return _reduce((input - target).abs(), reduction)


@defop("smooth_l1_loss", promote="same")
def _smooth_l1(xp, x, y, *, reduction, beta):
    d = xp.abs(xp.subtract(_up(x), _up(y)))
    if beta == 0:
        loss = d
    else:
        loss = xp.where(d < beta, (0.5 / beta) * d * d, d - 0.5 * beta)
    return _red_array(xp, loss, reduction).astype(x.dtype, copy=False)


@_smooth_l1.defbackward
def _(ctx, g):
    x, y = ctx.args
    red, beta = ctx.kwargs["reduction"], ctx.kwargs["beta"]
    d = x - y
    if beta == 0:
        gd = d.sign()
    else:
        gd = _where(d.abs() < beta, d / beta, d.sign())
    gx = gd * _red_scale(g, red, d.numel())
    return gx, -gx


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``)."""
    _size_warning(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return dispatch(_smooth_l1, input, target, reduction=reduction, beta=float(beta))


@defop("huber_loss", promote="same")
def _huber(xp, x, y, *, reduction, delta):
    d = xp.abs(xp.subtract(_up(x), _up(y)))
    loss = xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _red_array(xp, loss, reduction).astype(x.dtype, copy=False)


@_huber.defbackward
def _(ctx, g):
    x, y = ctx.args
    red, delta = ctx.kwargs["reduction"], ctx.kwargs["delta"]
    d = x - y
    gd = d.clamp(-delta, delta)
    gx = gd * _red_scale(g, red, d.numel())
    return gx, -gx


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None) -> Tensor:
    """Squared error below ``delta``, ``delta``-scaled absolute error above it."""
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return dispatch(_huber, input, target, reduction=_NAMES[_Reduction.get_enum(reduction)], delta=float(delta))
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = dispatch(_huber, input, target, reduction="none", delta=float(delta))
    return _weighted(loss * weight, weight, reduction, "mean")


# --------------------------------------------------------------------------------------
# nll_loss and cross_entropy


def _class_dim(input) -> int:
    return 0 if input.dim() == 1 else 1


def _check_target_shape(input, target) -> None:
    nd = input.dim()
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd == 1:
        if target.dim() > 1 or (target.dim() == 1 and target.shape[0] != 1):
            if target.dim() == 1:
                raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if target.dim() >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if nd == 2:
        if target.dim() != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if nd == 4 and target.dim() != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{target.dim()}")
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")


def _check_index_target(input, target, weight, ignore_index, kernel) -> None:
    if not isinstance(target, Tensor):
        raise TypeError(f"{kernel}(): argument 'target' (position 2) must be Tensor, not {type(target).__name__}")
    if target._dtype is not D.int64 and target._dtype is not D.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_scalar_name(target)}")
    _check_target_shape(input, target)
    if input._dtype.category < D.FLOAT:
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{_scalar_name(input)}'")
    n_classes = input.shape[_class_dim(input)]
    if weight is not None:
        if weight.numel() != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                               f"got weight tensor of shape: {list(weight.shape)}")
        if weight._dtype is not input._dtype:
            raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(weight)}")
        _not_differentiable(weight, "nll_loss_forward", "weight")
    t = target._data
    if t.size:
        bad = (t != ignore_index) & ((t < 0) | (t >= n_classes)) if t.dtype.kind == "i" else (
            (t != ignore_index) & (t >= n_classes))
        if bad.any():
            raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")


def _pick(xp, x, t, weight, ignore_index, cdim):
    """(safe target indices, per-position weights incl. the ignore mask), shaped like ``t``."""
    mask = t != ignore_index
    t_safe = xp.where(mask, t, 0).astype(np.int64, copy=False)
    if weight is None:
        w = mask.astype(x.dtype)
    else:
        w = xp.take(weight.reshape(-1), t_safe) * mask
        w = w.astype(x.dtype, copy=False)
    return t_safe, w


def _finish(xp, loss, w, reduction, dtype):
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    total = xp.sum(loss)
    if reduction == "sum":
        return total.astype(dtype)
    return (total / xp.sum(w)).astype(dtype)


def _onehot(xp, t_safe, n, cdim, ndim, dtype):
    shape = [1] * ndim
    shape[cdim] = n
    return (xp.arange(n).reshape(shape) == xp.expand_dims(t_safe, cdim)).astype(dtype)


@defop("nll_loss", grad_name="NllLossBackward0")
def _nll(xp, x, t, weight=None, *, reduction, ignore_index, cdim):
    t_safe, w = _pick(xp, x, t, weight, ignore_index, cdim)
    picked = xp.take_along_axis(x, xp.expand_dims(t_safe, cdim), cdim)
    loss = -(xp.squeeze(picked, cdim) * w)
    return _finish(xp, loss, w, reduction, x.dtype)


@_nll.defbackward
def _(ctx, g):
    x, t, weight = ctx.args
    return dispatch(_nll_backward, g, t, weight, shape=tuple(x.shape), **ctx.kwargs), None, None


@defop("nll_loss_backward", grad_name="NllLossBackwardBackward0")
def _nll_backward(xp, g, t, weight=None, *, shape, reduction, ignore_index, cdim):
    t_safe, w = _pick(xp, g, t, weight, ignore_index, cdim)
    coef = w * (g / xp.sum(w)) if reduction == "mean" else w * g
    if reduction == "mean":
        coef = xp.where(t != ignore_index, coef, 0)
    return -(_onehot(xp, t_safe, shape[cdim], cdim, len(shape), g.dtype) * xp.expand_dims(coef, cdim))


@_nll_backward.defbackward
def _(ctx, gg):
    g, t, weight = ctx.args
    kw = {k: v for k, v in ctx.kwargs.items() if k != "shape"}
    return dispatch(_nll, gg, t, weight, **kw), None, None


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean") -> Tensor:
    """Negative log likelihood of the target classes: ``-input[n, target[n]] * weight[target[n]]``."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_index_target(input, target, weight, ignore_index, "nll_loss")
    return dispatch(_nll, input, target, weight, reduction=reduction, ignore_index=int(ignore_index),
                    cdim=_class_dim(input))


@defop("cross_entropy_loss", multi_out=True, save_out=True, grad_name="NllLossBackward0")
def _ce(xp, x, t, weight=None, *, reduction, ignore_index, cdim):
    xu = _up(x)
    y = xu - xp.max(xu, axis=cdim, keepdims=True)
    e = xp.exp(y)
    s = xp.sum(e, axis=cdim, keepdims=True)
    t_safe, w = _pick(xp, xu, t, weight, ignore_index, cdim)
    yt = xp.take_along_axis(y, xp.expand_dims(t_safe, cdim), cdim)
    loss = xp.squeeze(xp.log(s) - yt, cdim) * w
    e /= s
    return _finish(xp, loss, w, reduction, x.dtype), e.astype(x.dtype, copy=False)


@_ce.defbackward
def _(ctx, g, _g_softmax):
    x, t, weight = ctx.args
    return dispatch(_ce_backward, g, x, t, weight, softmax=ctx._saved_out[1], **ctx.kwargs), None, None


@defop("cross_entropy_loss_backward", grad_name="NllLossBackwardBackward0")
def _ce_backward(xp, g, x, t, weight=None, *, softmax, reduction, ignore_index, cdim):
    t_safe, w = _pick(xp, softmax, t, weight, ignore_index, cdim)
    coef = w * (g / xp.sum(w)) if reduction == "mean" else w * g
    if reduction == "mean":
        coef = xp.where(t != ignore_index, coef, 0)
    out = softmax - _onehot(xp, t_safe, x.shape[cdim], cdim, x.ndim, softmax.dtype)
    out *= xp.expand_dims(coef.astype(softmax.dtype, copy=False), cdim)
    return out


@_ce_backward.defbackward
def _(ctx, gg):
    g, x, t, weight = ctx.args
    kw = ctx.kwargs
    red, ignore_index, cdim = kw["reduction"], kw["ignore_index"], kw["cdim"]
    need_g, need_x = ctx.needs_input_grad[:2]
    # coefficient per position: w_t / denom (the gradient is (softmax - onehot) * coef * g)
    mask = t != ignore_index
    t_safe = _where(mask, t, 0).long()
    wt = mask.to(x.dtype) if weight is None else weight.take(t_safe) * mask
    if red == "mean":
        wt = wt / wt.sum()
    sm = _act.softmax(x, cdim)
    oh = _onehot_t(t_safe, x.shape[cdim], cdim, x)
    gg_g = gx = None
    if need_g:
        per = (gg * (sm - oh)).sum(cdim) * wt
        gg_g = per if red == "none" else per.sum()
    if need_x:
        u = gg * (wt * g).unsqueeze(cdim)
        gx = sm * (u - (u * sm).sum(cdim, keepdim=True))
    return gg_g, gx, None, None


def _onehot_t(t_safe, n, cdim, like):
    from ember.ops.creation import arange
    shape = [1] * like.dim()
    shape[cdim] = n
    return (arange(n, device=like.device).reshape(shape) == t_safe.unsqueeze(cdim)).to(like.dtype)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0) -> Tensor:
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; ``-(target * log_softmax).sum(1)`` for
    class probabilities; with optional label smoothing."""
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if isinstance(target, Tensor) and target.dim() == input.dim() and target._dtype.category < D.FLOAT:
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{_scalar_name(target)}")
    if input.dim() < 1:
        if isinstance(target, Tensor) and target._dtype.category >= D.FLOAT:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    cdim = _class_dim(input)
    n_classes = input.shape[cdim]
    if isinstance(target, Tensor) and target._dtype.category >= D.FLOAT:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, cdim, n_classes)
    _check_index_target(input, target, weight, ignore_index, "cross_entropy")
    if label_smoothing > 0:
        return _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, label_smoothing, cdim,
                                       n_classes)
    return dispatch(_ce, input, target, weight, reduction=reduction, ignore_index=int(ignore_index), cdim=cdim)[0]


def _weight_view(weight, ndim, cdim):
    shape = [1] * ndim
    shape[cdim] = weight.numel()
    return weight.reshape(shape)


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing, cdim, n_classes):
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                           f"({target.shape[0]}).") if target.dim() >= 1 and input.dim() >= 1 and \
            target.shape[0] != input.shape[0] else RuntimeError(
            f"Expected target size {list(input.shape)}, got {list(target.shape)}")
    if target._dtype is not input._dtype:
        raise RuntimeError(f"expected scalar type {_scalar_name(input)} but found {_scalar_name(target)}")
    if weight is not None:
        if weight.numel() != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                               f"but got weight tensor of shape: {list(weight.shape)}")
    lsm = _act.log_softmax(input, cdim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = lsm * target
    if weight is not None:
        prod = prod * _weight_view(weight, input.dim(), cdim)
    if reduction == "none":
        return -prod.sum(cdim)
    if reduction == "sum":
        return -prod.sum()
    n = input.numel() // n_classes if n_classes else 0
    return -prod.sum() / n


def _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, eps, cdim, n_classes):
    lsm = _act.log_softmax(input, cdim)
    nll = dispatch(_nll, lsm, target, weight, reduction=reduction, ignore_index=int(ignore_index), cdim=cdim)
    mask = target != ignore_index
    if weight is not None:
        smooth = -(lsm * _weight_view(weight, input.dim(), cdim)).sum(cdim)
    else:
        smooth = -lsm.sum(cdim)
    smooth = smooth.masked_fill(~mask, 0.0)
    if reduction == "mean":
        if weight is not None:
            t_safe = _where(mask, target, 0).long()
            denom = (weight.take(t_safe) * mask).sum()
        else:
            denom = mask.sum()
        smooth = smooth.sum() / denom
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - eps) + smooth * (eps / n_classes)


# --------------------------------------------------------------------------------------
# binary cross entropy


@defop("binary_cross_entropy")
def _bce(xp, x, y, weight=None, *, reduction):
    xu, yu = _up(x), _up(y)
    lo = _scalar_like(xp, -100, xu)
    loss = -(yu * xp.maximum(xp.log(xu), lo) + (1 - yu) * xp.maximum(xp.log1p(-xu), lo))
    if weight is not None:
        loss = loss * _up(weight)
    return _red_array(xp, loss, reduction).astype(x.dtype, copy=False)


@_bce.defbackward
def _(ctx, g):
    x, y, weight = ctx.args
    red = ctx.kwargs["reduction"]
    g = _red_scale(g, red, x.numel())
    if weight is not None:
        g = g * weight
    need_x, need_y = ctx.needs_input_grad[:2]
    gx = g * (x - y) / ((1 - x) * x).clamp_min(1e-12) if need_x else None
    gy = g * ((-x).log1p().clamp_min(-100) - x.log().clamp_min(-100)) if need_y else None
    return gx, gy, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """``-(t log(x) + (1 - t) log(1 - x))`` with the logs clamped to ``>= -100``."""
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    _check_float(input, "binary_cross_entropy")
    _not_differentiable(weight, "binary_cross_entropy", "weight")
    xa = input._data
    if xa.size and ((xa < 0) | (xa > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        weight = weight.expand(input.shape)
    return dispatch(_bce, input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None) -> Tensor:
    """``-(pos_weight * t * log(sigmoid(x)) + (1 - t) * log(1 - sigmoid(x)))``, computed stably."""
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    _not_differentiable(weight, "binary_cross_entropy_with_logits", "weight")
    _not_differentiable(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    ls = _act.logsigmoid(input)
    if pos_weight is not None:
        loss = (1 - target) * input - (1 + (pos_weight - 1) * target) * ls
    else:
        loss = (1 - target) * input - ls
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# --------------------------------------------------------------------------------------
# divergences and likelihoods


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False) -> Tensor:
    """Pointwise KL divergence ``target * (log(target) - input)`` (input given as log-probabilities)."""
    if size_average is not None or reduce is not None:
        red = _Reduction.legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                stacklevel=2)
        red = "sum" if reduction == "batchmean" else _NAMES[_Reduction.get_enum(reduction)]
    if log_target:
        loss = target.exp() * (target - input)
    else:
        from ember.ops.pointwise import xlogy
        loss = xlogy(target, target) - target * input
    out = _reduce(loss, red)
    if reduction == "batchmean" and input.dim() != 0 and size_average is None and reduce is None:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean") -> Tensor:
    """Poisson negative log likelihood: ``exp(x) - t*x`` (log_input) or ``x - t*log(x + eps)``."""
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    if reduction not in _NAMES:
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean") -> Tensor:
    """Gaussian negative log likelihood ``0.5 * (log(var) + (input - target)**2 / var)``."""
    if isinstance(var, (float, int)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        from ember.ops.creation import ones_like
        var = ones_like(input) * var
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(b for a, b in zip(input.shape, var.shape) if a != b) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _NAMES:
        raise ValueError(reduction + " is not valid")
    var = _clamp_no_grad(var, eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _clamp_no_grad(var, eps):
    """``var`` with values below ``eps`` raised to ``eps``, the gradient passing straight through (as PyTorch's
    ``var.clone(); with no_grad(): var.clamp_(min=eps)``)."""
    low = (var.detach() < eps)
    if not bool(low.any()):
        return var
    return var + (var.detach().clamp_min(eps) - var.detach())


# --------------------------------------------------------------------------------------
# margin and embedding losses


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction="mean") -> Tensor:
    """``1 - cos(x1, x2)`` for ``target == 1``, ``max(0, cos(x1, x2) - margin)`` for ``target == -1``."""
    reduction = _reduction(size_average, reduce, reduction)
    tdim = target.dim()
    if tdim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1:
        if input1.dim() != 2 or input2.dim() != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                               f"{list(input1.shape)} and {list(input2.shape)}.")
    else:
        if input1.dim() != 1 or input2.dim() != 1:
            raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                               f"{list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    dot = (input1 * input2).sum(-1)
    m1 = (input1 * input1).sum(-1) + eps
    m2 = (input2 * input2).sum(-1) + eps
    cos = dot / (m1 * m2).sqrt()
    zeros = cos.new_zeros(())
    pos = _where(target == 1, 1 - cos, zeros)
    neg = _where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction="mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """``x`` where ``target == 1``, ``max(0, margin - x)`` where ``target == -1``."""
    reduction = _reduction(size_average, reduce, reduction)
    zeros = input.new_zeros(())
    margin_part = _where(target != 1, (margin - input).clamp_min(0), zeros)
    self_part = _where(target != -1, input, zeros)
    return _reduce(margin_part + self_part, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """``log(1 + exp(-target * input))``."""
    reduction = _reduction(size_average, reduce, reduction)
    _not_differentiable(target, "soft_margin_loss", "target")
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean") -> Tensor:
    """Per-class logistic loss averaged over classes: ``-(t log sigmoid(x) + (1-t) log sigmoid(-x)).mean(-1)``."""
    if size_average is not None or reduce is not None:
        reduction = _Reduction.legacy_get_string(size_average, reduce)
    loss = -(target * _act.logsigmoid(input) + (1 - target) * _act.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input.dim() - 1
    loss = loss.sum(cdim) / input.shape[cdim]
    if reduction not in _NAMES:
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """``sum_{j in targets, i not in targets} max(0, 1 - (x[j] - x[i])) / C``; the target lists stop at -1."""
    reduction = _reduction(size_average, reduce, reduction)
    nd = input.dim()
    if target._dtype is not D.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_name(target)}")
    if nd > 2 or (nd <= 1 and target.dim() > 1) or (nd == 2 and (target.dim() != 2 or tuple(target.shape) !=
                                                                 tuple(input.shape))) or \
            (nd <= 1 and target.numel() != max(input.numel(), 1) and not (nd == 0 and target.numel() == 1)):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    x = input.reshape(1, -1) if nd <= 1 else input
    t = target.reshape(1, -1) if nd <= 1 else target
    n_classes = x.shape[1]
    ta = t._data
    # valid[n, k]: target k is before the first -1
    valid_np = np.cumprod(np.asarray(ta) >= 0, axis=1).astype(bool) if ta.size else np.zeros(ta.shape, bool)
    if ta.size and ((np.asarray(ta)[valid_np] >= n_classes).any()):
        raise RuntimeError("multilabel_margin_loss: target index out of range")
    t_safe = np.where(valid_np, np.asarray(ta), 0)
    is_target = np.zeros(x.shape, dtype=bool)
    rows = np.nonzero(valid_np)
    is_target[rows[0], t_safe[rows]] = True
    xt = x.gather(1, _tensor(t_safe, device=x.device))                      # (N, K)
    margins = (1 - xt.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)           # (N, K, C)
    pair_mask = _tensor(valid_np[:, :, None] & ~is_target[:, None, :], device=x.device)
    loss = (margins * pair_mask.to(margins.dtype)).sum((1, 2)) / n_classes
    if nd <= 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean") -> Tensor:
    """``sum_{i != y} max(0, margin - x[y] + x[i])**p * w[y] / C``."""
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nd = input.dim()
    if nd > 2:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    x = input.reshape(1, -1) if nd <= 1 else input
    n_classes = x.shape[1]
    t = target.reshape(-1)
    if t.numel() != x.shape[0] or (nd == 2 and target.dim() > 1):
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got {list(target.shape)}")
    ta = np.asarray(t._data)
    if ta.size and ((ta < 0) | (ta >= n_classes)).any():
        raise RuntimeError("target out of range")
    _not_differentiable(weight, "multi_margin_loss", "weight")
    if weight is not None and weight.numel() != n_classes:
        raise RuntimeError(f"inconsistent weight size, expected {n_classes} but got {list(weight.shape)}")
    tl = t.long().unsqueeze(1)
    xt = x.gather(1, tl)
    z = (margin - xt + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight.take(tl)
    z = z.masked_fill(_onehot_t(tl.squeeze(1), n_classes, 1, x).bool(), 0)
    loss = z.sum(1) / n_classes
    if nd <= 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def _pairwise_distance(x1, x2, p=2.0, eps=1e-6):
    from ember.ops.linalg import vector_norm
    return vector_norm(x1 - x2 + eps, p, dim=-1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean") -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the ``p``-norm distance (``swap``: the closer negative)."""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(_pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean") -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with a user distance function (default: pairwise_distance)."""
    if reduction not in _NAMES:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    dist = distance_function if distance_function is not None else _pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


# --------------------------------------------------------------------------------------
# CTC


def _lse3(xp, a, b, c):
    m = xp.maximum(xp.maximum(a, b), c)
    ms = xp.where(xp.isinf(m), 0, m)
    return ms + xp.log(xp.exp(a - ms) + xp.exp(b - ms) + xp.exp(c - ms))


def _ctc_setup(xp, lp, targets, tl, blank):
    n_batch = lp.shape[1]
    s_max = int(targets.shape[1]) if targets.ndim == 2 else 0
    L = 2 * s_max + 1
    ext = xp.full((n_batch, L), blank, dtype=np.int64)
    if s_max:
        ext[:, 1::2] = targets[:, :s_max]
    pos = xp.arange(L)
    valid = pos[None, :] < (2 * tl[:, None] + 1)                       # (N, L)
    skip = xp.zeros((n_batch, L), dtype=bool)
    if L > 2:
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    lp_ext = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (lp.shape[0], n_batch, L)), 2)
    lp_ext = xp.where(valid[None], lp_ext, -xp.inf)
    return ext, valid, skip, lp_ext


@defop("ctc_loss", multi_out=True, save_out=True, grad_name="CtcLossBackward0")
def _ctc(xp, lp, targets, il, tl, *, blank, zero_infinity):
    lpu = lp.astype(np.float64)
    T, n_batch, _ = lpu.shape
    ext, valid, skip, lp_ext = _ctc_setup(xp, lpu, targets, tl, blank)
    L = ext.shape[1]
    ninf = -xp.inf
    alpha = xp.full((T, n_batch, L), ninf)
    if T:
        alpha[0, :, 0] = lp_ext[0, :, 0]
        if L > 1:
            alpha[0, :, 1] = lp_ext[0, :, 1]
    pad = xp.full((n_batch, 2), ninf)
    for t in range(1, T):
        prev = alpha[t - 1]
        p1 = xp.concatenate([pad[:, :1], prev[:, :-1]], axis=1)
        p2 = xp.concatenate([pad, prev[:, :-2]], axis=1)[:, :L]
        p2 = xp.where(skip, p2, ninf)
        alpha[t] = _lse3(xp, prev, p1, p2) + lp_ext[t]
    idx_t = xp.clip(il - 1, 0, max(T - 1, 0)).astype(np.int64)
    ar = xp.arange(n_batch)
    if T:
        last = alpha[idx_t, ar]                                               # (N, L)
        e1 = xp.take_along_axis(last, (2 * tl)[:, None].astype(np.int64), 1)[:, 0]
        e2 = xp.take_along_axis(last, xp.maximum(2 * tl - 1, 0)[:, None].astype(np.int64), 1)[:, 0]
        e2 = xp.where(tl > 0, e2, ninf)
        ll = xp.logaddexp(e1, e2)
        ll = xp.where(il > 0, ll, xp.where(tl == 0, 0.0, ninf))
    else:
        ll = xp.where(tl == 0, 0.0, ninf)
    nll = -ll
    if zero_infinity:
        nll = xp.where(xp.isinf(nll), 0.0, nll)
    return nll.astype(lp.dtype), alpha


@_ctc.defbackward
def _(ctx, g, _g_alpha):
    lp, targets, il, tl = ctx.args
    return (dispatch(_ctc_backward, g, lp, targets, il, tl, alpha=ctx._saved_out[1], **ctx.kwargs),
            None, None, None)


@defop("ctc_loss_backward")
def _ctc_backward(xp, g, lp, targets, il, tl, *, alpha, blank, zero_infinity):
    lpu = lp.astype(np.float64)
    T, n_batch, C = lpu.shape
    ext, valid, skip, lp_ext = _ctc_setup(xp, lpu, targets, tl, blank)
    L = ext.shape[1]
    ninf = -xp.inf
    beta = xp.full((T, n_batch, L), ninf)
    pos = xp.arange(L)
    init = valid & ((pos[None, :] == 2 * tl[:, None]) | (pos[None, :] == 2 * tl[:, None] - 1))
    skip_next = xp.zeros((n_batch, L), dtype=bool)    # the s -> s+2 transition is allowed
    if L > 2:
        skip_next[:, :-2] = skip[:, 2:]
    pad = xp.full((n_batch, 2), ninf)
    nxt = xp.full((n_batch, L), ninf)
    for t in range(T - 1, -1, -1):
        n1 = xp.concatenate([nxt[:, 1:], pad[:, :1]], axis=1)
        n2 = xp.concatenate([nxt[:, 2:], pad], axis=1)[:, :L]
        n2 = xp.where(skip_next, n2, ninf)
        rec = _lse3(xp, nxt, n1, n2) + lp_ext[t]
        start = xp.where(init, lp_ext[t], ninf)
        cur = xp.where((il - 1 == t)[:, None], start, xp.where((t < il - 1)[:, None], rec, ninf))
        beta[t] = cur
        nxt = cur
    ab = alpha + beta                                                         # (T, N, L)
    # log of the per-class sums of exp(alpha + beta) (grouped over extended positions with the same label)
    m = xp.max(ab, axis=2, keepdims=True)
    ms = xp.where(xp.isinf(m), 0.0, m)
    occ = xp.exp(ab - ms)
    idx = ((xp.arange(T)[:, None, None] * n_batch + xp.arange(n_batch)[None, :, None]) * C + ext[None]).reshape(-1)
    sums = xp.bincount(idx, weights=occ.reshape(-1), minlength=T * n_batch * C).reshape(T, n_batch, C)
    idx_t = xp.clip(il - 1, 0, max(T - 1, 0)).astype(np.int64)
    # -nll = log-likelihood, recomputed from alpha
    last = alpha[idx_t, xp.arange(n_batch)]
    e1 = xp.take_along_axis(last, (2 * tl)[:, None].astype(np.int64), 1)[:, 0]
    e2 = xp.where(tl > 0, xp.take_along_axis(last, xp.maximum(2 * tl - 1, 0)[:, None].astype(np.int64), 1)[:, 0],
                  ninf)
    nll = -xp.logaddexp(e1, e2)
    with np.errstate(divide="ignore", invalid="ignore"):
        lcab = xp.log(sums) + ms
        grad = xp.exp(lpu) - xp.exp(lcab + nll[None, :, None] - lpu)
    tmask = xp.arange(T)[:, None] < il[None, :]                              # (T, N)
    grad = xp.where(tmask[:, :, None], grad, 0.0)
    if zero_infinity:
        grad = xp.where(xp.isinf(nll)[None, :, None], 0.0, grad)
    grad = grad * g.astype(np.float64)[None, :, None]
    return grad.astype(lp.dtype)


def _as_long_tensor(v, device):
    if isinstance(v, Tensor):
        return v
    return _tensor(list(v) if not isinstance(v, int) else v, dtype=D.int64, device=device)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False) -> Tensor:
    """Connectionist Temporal Classification loss (``log_probs``: (T, N, C) or (T, C) log-softmax outputs)."""
    red = _NAMES[_Reduction.get_enum(reduction)]
    unbatched = log_probs.dim() == 2
    il = _as_long_tensor(input_lengths, log_probs.device)
    tl = _as_long_tensor(target_lengths, log_probs.device)
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        if targets.dim() == 1 and tl.dim() == 0:
            targets = targets.unsqueeze(0)
        il = il.reshape(1)
        tl = tl.reshape(1)
    if log_probs.dim() != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 3-D (T, N, C) or 2-D (T, C), got "
                           f"{log_probs.dim()}-D")
    T, n_batch, n_classes = log_probs.shape
    if not 0 <= blank < n_classes:
        raise RuntimeError("blank must be in label range")
    il = il.reshape(-1)
    tl = tl.reshape(-1)
    if il.numel() != n_batch:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got {il.numel()} and {n_batch}")
    if tl.numel() != n_batch:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got {tl.numel()} and {n_batch}")
    il_np = np.asarray(il._data).astype(np.int64)
    tl_np = np.asarray(tl._data).astype(np.int64)
    if (il_np > T).any():
        bad = int(np.nonzero(il_np > T)[0][0])
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {il_np[bad]} "
                           f"(while checking arguments for ctc_loss_cpu)")
    tg = np.asarray(targets._data)
    if targets.dim() == 1 and not unbatched or (targets.dim() == 1 and n_batch == 1 and tl_np.size and
                                                 targets.numel() == tl_np.sum() and unbatched is False):
        offs = np.concatenate([[0], np.cumsum(tl_np)])
        if offs[-1] > tg.size:
            raise RuntimeError(f"Expected tensor to have size at least {offs[-1]} at dimension 1, but got size "
                               f"{tg.size} for argument #2 'targets' (while checking arguments for ctc_loss_cpu)")
        s_max = int(tl_np.max()) if tl_np.size else 0
        padded = np.zeros((n_batch, s_max), dtype=np.int64)
        for n in range(n_batch):
            padded[n, :tl_np[n]] = tg[offs[n]:offs[n + 1]]
    else:
        if targets.dim() != 2:
            raise RuntimeError("ctc_loss: targets must be 1-D (concatenated) or 2-D (padded)")
        padded = tg.astype(np.int64)
        if tl_np.size and tl_np.max() > padded.shape[1]:
            bad = int(np.nonzero(tl_np > padded.shape[1])[0][0])
            raise RuntimeError(f"Expected tensor to have size at least {tl_np[bad]} at dimension 1, but got size "
                               f"{padded.shape[1]} for argument #2 'targets' (while checking arguments for "
                               f"ctc_loss_cpu)")
        padded = padded[:, :int(tl_np.max()) if tl_np.size else 0]
    xp_dev = log_probs.device
    t_pad = _tensor(padded, dtype=D.int64, device=xp_dev)
    il_t = _tensor(il_np, dtype=D.int64, device=xp_dev)
    tl_t = _tensor(tl_np, dtype=D.int64, device=xp_dev)
    nll, _ = dispatch(_ctc, log_probs, t_pad, il_t, tl_t, blank=int(blank), zero_infinity=bool(zero_infinity))
    if red == "mean":
        out = (nll / tl_t.clamp_min(1).to(nll.dtype)).mean()
    elif red == "sum":
        out = nll.sum()
    else:
        out = nll
    if unbatched and red == "none":
        out = out.reshape(())
    return out
