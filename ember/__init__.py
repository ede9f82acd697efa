"""ember: PyTorch, written in Python, on NumPy (cpu) and CuPy (cuda).

``import ember as torch``: the names here mirror ``torch``'s. Where each part lives is
described in docs/architecture.md.
"""

import builtins

import numpy as _np

# PyTorch does not warn on overflow, division by zero or invalid values; NumPy would.
_np.seterr(all="ignore")

# _allocator: freed CPU memory is reused (see ember/_allocator.py)
from ember import _allocator, _dtype, autograd, cuda, linalg, nn, ops, optim, return_types, special, utils
from ember._device import device
from ember._dtype import (
    bfloat16,
    can_cast,
    complex64,
    complex128,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    is_complex,
    is_floating_point,
    promote_types,
    set_default_dtype,
    uint8,
)
from ember._dtype import bool_ as bool
from ember._parallel import get_num_threads, set_num_threads
from ember._settings import (
    are_deterministic_algorithms_enabled,
    get_deterministic_debug_mode,
    get_float32_matmul_precision,
    is_deterministic_algorithms_warn_only_enabled,
    set_deterministic_debug_mode,
    set_float32_matmul_precision,
    use_deterministic_algorithms,
)
from ember._tensor import Size, Tensor
from ember.autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

half, float, double = float16, float32, float64
long, int, short = int64, int32, int16
cfloat, cdouble = complex64, complex128
cfloat = complex64

for _mod in (ops.core, ops.creation, ops.random, ops.pointwise, ops.logic, ops.activation, ops.reduction, ops.shape,
             ops.indexing, ops.linalg, ops.special):
    for _name in _mod.__all__:
        globals()[_name] = getattr(_mod, _name)
del _mod, _name


from ember.autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled

# nn.functional ops PyTorch also exposes as torch.<name>, where both take the same arguments in the
# same order (batch_norm, instance_norm, embedding and the losses differ at top level: not aliased)
_TOP_LEVEL_FUNCTIONAL = (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "max_pool1d",
    "max_pool2d", "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "pdist", "cosine_similarity", "pairwise_distance", "bilinear", "layer_norm", "group_norm",
    "rms_norm", "dropout", "alpha_dropout", "feature_alpha_dropout",
)
for _name in _TOP_LEVEL_FUNCTIONAL:
    globals()[_name] = getattr(nn.functional, _name)
del _name


def is_tensor(obj) -> "builtins.bool":
    """Whether ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> "builtins.int":
    return input.numel()


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an arithmetic op on the two operands would produce."""
    from ember._dispatch import result_dtype
    return result_dtype((tensor1, tensor2))


from ember import backends, multiprocessing, serialization, testing, version
from ember.serialization import load, save

__version__ = "0.1.0"
