"""``ember.nn.functional``: the functional forms of the layers (``torch.nn.functional``).

For now: ``linear``, ``bilinear`` and the activation functions of ``ember/ops/activation.py``.
"""

from __future__ import annotations

from ember._tensor import Tensor
from ember.ops import activation as _act
from ember.ops.activation import (
    celu,
    celu_,
    elu,
    elu_,
    gelu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    hardtanh,
    hardtanh_,
    leaky_relu,
    leaky_relu_,
    logsigmoid,
    mish,
    prelu,
    relu,
    relu6,
    relu_,
    rrelu,
    rrelu_,
    selu,
    selu_,
    sigmoid,
    silu,
    softplus,
    softshrink,
    softsign,
    tanh,
    tanhshrink,
    threshold,
    threshold_,
)

__all__ = [
    "linear", "bilinear",
    "celu", "celu_", "elu", "elu_", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish", "hardtanh",
    "hardtanh_", "leaky_relu", "leaky_relu_", "logsigmoid", "mish", "prelu", "relu", "relu6", "relu_", "rrelu",
    "rrelu_", "selu", "selu_", "sigmoid", "silu", "softplus", "softshrink", "softsign", "tanh", "tanhshrink",
    "threshold", "threshold_", "softmax", "log_softmax", "softmin",
]


def softmax(input, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    """``torch.nn.functional.softmax`` (argument order: input, dim, _stacklevel, dtype)."""
    return _act.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    return _act.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    return _act.softmin(input, dim, dtype)


def linear(input, weight, bias=None) -> Tensor:
    """``input @ weight.T + bias``."""
    wt = weight.t() if weight.dim() == 2 else weight
    if bias is not None and input.dim() == 2 and weight.dim() == 2:
        from ember.ops.linalg import addmm
        return addmm(bias, input, wt)
    out = input.matmul(wt)
    if bias is not None:
        out = out + bias
    return out


def bilinear(input1, input2, weight, bias=None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    for i in range(input1.dim() - 1):
        if input1.size(i) != input2.size(i):
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {input1.size(i)} and "
                               f"{input2.size(i)}")
    if input1.size(-1) != weight.size(1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.size(-1)} but "
                           f"expected {weight.size(1)}")
    if input2.size(-1) != weight.size(2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.size(-1)} but "
                           f"expected {weight.size(2)}")
    if bias is not None and bias.size(0) != weight.size(0):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias.size(0)} but expected "
                           f"{weight.size(0)}")
    o, i, j = weight.shape
    batch = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, i)
    x2 = input2.reshape(-1, j)
    tmp = x1.matmul(weight.permute(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    out = (tmp * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(batch + (o,))


# the families implemented in ember/nn/_functional/
from ember.nn._functional import attention as _attention  # noqa: E402
from ember.nn._functional import conv as _conv  # noqa: E402
from ember.nn._functional import distance as _distance  # noqa: E402
from ember.nn._functional import dropout as _dropout  # noqa: E402
from ember.nn._functional import loss as _loss  # noqa: E402
from ember.nn._functional import normalization as _normalization  # noqa: E402
from ember.nn._functional import pooling as _pooling  # noqa: E402
from ember.nn._functional import sparse as _sparse  # noqa: E402
from ember.nn._functional import vision as _vision  # noqa: E402

for _family in (_attention, _conv, _distance, _dropout, _loss, _normalization, _pooling, _sparse, _vision):
    for _name in _family.__all__:
        globals()[_name] = getattr(_family, _name)
    __all__ += _family.__all__
del _family
