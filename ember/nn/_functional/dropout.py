"""nn.functional: dropout (dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout).

Composites of ember ops: a mask drawn from ember's default generator (``ember.manual_seed``
makes it reproducible; the numbers differ from PyTorch's, only the distribution matches)
multiplies the input, so the gradient is ``grad * mask`` (``MulBackward0``; alpha dropout
adds a constant: ``AddBackward0``), as in PyTorch. Outside training, or with ``p == 0``,
the input itself is returned.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ember import _dtype as D
from ember._device import to_backend
from ember._tensor import Tensor, _make
from ember.ops.random import _rng, _uniform01

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766  # SELU's -scale * alpha: the value dropped units take in alpha dropout


def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: Tensor, shape, p: float, scale: float) -> Tensor:
    """A tensor of ``input``'s dtype and device: ``scale`` where kept (probability 1 - p), else 0."""
    dt = input._dtype
    udt = dt if dt in (D.float32, D.float64) else D.float32
    dev = input._device
    u = _uniform01(_rng(None, dev), tuple(shape), udt)
    mask = (u >= np.asarray(p, dtype=u.dtype)).astype(dt.np)
    if scale != 1.0:
        mask *= np.asarray(scale, dtype=mask.dtype)
    if dev.type != "cpu":
        mask = to_backend(mask, dev)
    return _make(mask, dt, dev)


def _check_dtype(input: Tensor) -> None:
    if input._dtype.category < D.FLOAT:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{input._dtype._torch_name}")


def _apply(input: Tensor, mask: Tensor, inplace: bool) -> Tensor:
    return input.mul_(mask) if inplace else input * mask


def _dropout(input, p, shape, inplace):
    _check_dtype(input)
    if p == 1.0:
        return _apply(input, input.new_zeros(shape), inplace)
    return _apply(input, _keep_mask(input, shape, p, 1.0 / (1.0 - p)), inplace)


def dropout(input, p=0.5, training=True, inplace=False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _dropout(input, p, input.shape, inplace)


def _feature_shape(input: Tensor) -> tuple:
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape)
    return shape[:2] + (1,) * (len(shape) - 2)


def _unbatched_feature_shape(input: Tensor) -> tuple:
    """The mask shape for an input without batch dimension: one value per channel (dim 0)."""
    shape = tuple(input.shape)
    return shape[:1] + (1,) * (len(shape) - 1)


def dropout1d(input, p=0.5, training=True, inplace=False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability ``p``."""
    _check_p(p)
    dim = input.dim()
    if dim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {dim}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if not training or p == 0:
        return input
    shape = _feature_shape(input) if dim == 3 else _unbatched_feature_shape(input)
    return _dropout(input, p, shape, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False) -> Tensor:
    """Zero whole channels of (N, C, H, W) inputs with probability ``p``."""
    _check_p(p)
    dim = input.dim()
    if dim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {dim}-D input to dropout2d, which is deprecated and will result in an "
                      "error in a future release. To retain the behavior and silence this warning, please use dropout "
                      "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
                      stacklevel=2)
    if dim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", stacklevel=2)
    if not training or p == 0:
        return input
    return _dropout(input, p, _feature_shape(input), inplace)


def dropout3d(input, p=0.5, training=True, inplace=False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability ``p``."""
    _check_p(p)
    dim = input.dim()
    if dim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {dim}-D input to dropout3d, which is deprecated and will result in an "
                      "error in a future release. To retain the behavior and silence this warning, please use dropout "
                      "instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
                      stacklevel=2)
    if not training or p == 0:
        return input
    shape = _feature_shape(input) if dim == 5 else _unbatched_feature_shape(input)
    return _dropout(input, p, shape, inplace)


def _alpha(input, p, shape, inplace):
    _check_dtype(input)
    if p == 1.0:
        return _apply(input, input.new_zeros(shape), inplace)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1.0) * (1.0 - p))
    keep = _keep_mask(input, shape, p, 1.0)
    noise = keep * a
    shift = keep.sub(1.0).mul(_ALPHA * a).add(_ALPHA * a * p)
    out = input.mul_(noise) if inplace else input * noise
    return out.add_(shift) if inplace else out + shift


def alpha_dropout(input, p=0.5, training=False, inplace=False) -> Tensor:
    """Dropout keeping a SELU network's mean and variance (dropped units take SELU's saturation value)."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _alpha(input, p, input.shape, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False) -> Tensor:
    """Alpha dropout of whole channels (dim 1)."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _alpha(input, p, _feature_shape(input), inplace)
