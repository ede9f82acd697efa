"""nn.functional: distances and normalisation (cosine_similarity, pairwise_distance, pdist, normalize) and
gumbel_softmax. Composites of ember ops (their gradients are PyTorch's)."""

from __future__ import annotations

from ember._tensor import Tensor
from ember.ops.activation import softmax

__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "normalize", "gumbel_softmax"]


def _check_tensor(x, fname, argname, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def cosine_similarity(x1, x2, dim=1, eps=1e-8) -> Tensor:
    """``sum(x1 * x2, dim) / (max(||x1||, eps) * max(||x2||, eps))`` over the broadcast of x1 and x2.

    As in PyTorch, each input is divided by its clamped norm first, and the clamp lets the norm's gradient through."""
    _check_tensor(x1, "cosine_similarity", "x1", 1)
    _check_tensor(x2, "cosine_similarity", "x2", 2)
    if x1.dtype.category < 2 or x2.dtype.category < 2:  # integer / bool
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_common(x1, x2)._torch_name}")
    if x1.shape != x2.shape:
        from ember.ops.shape import broadcast_tensors
        x1, x2 = broadcast_tensors(x1, x2)
    nd = max(x1.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    n1 = _clamped_norm(x1, dim, eps)
    n2 = _clamped_norm(x2, dim, eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _common(a, b):
    from ember._dispatch import result_dtype
    return result_dtype((a, b))


def _clamped_norm(x, dim, eps):
    n = x.norm(2, dim, keepdim=True)
    return n + (n.clamp_min(eps) - n).detach()


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    _check_tensor(x1, "pairwise_distance", "x1", 1)
    _check_tensor(x2, "pairwise_distance", "x2", 2)
    nd = max(x1.dim(), x2.dim())
    if nd == 0:
        return (x1 - x2 + eps).abs() if not keepdim else (x1 - x2 + eps).abs()
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


def pdist(input, p=2) -> Tensor:
    """The p-norm distances between each pair of rows of a 2-D ``input`` (upper triangle, row-major)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input.dtype.category < 2:
        raise RuntimeError("pdist only supports floating-point dtypes")
    import numpy as np

    from ember.ops.creation import tensor
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    dev = input.device
    ii = tensor(i.astype(np.int64), device=dev)
    jj = tensor(j.astype(np.int64), device=dev)
    diff = input.index_select(0, ii) - input.index_select(0, jj)
    return diff.norm(p, 1)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    from ember.ops.pointwise import div
    return div(input, denom, out=out)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1) -> Tensor:
    """Samples from the Gumbel-softmax distribution; ``hard=True`` returns one-hot samples whose gradient is the
    soft sample's (straight-through)."""
    from ember.ops.creation import empty_like, zeros_like
    noise = empty_like(logits).exponential_().log().neg()
    y = softmax((logits + noise) / tau, dim)
    if not hard:
        return y
    index = y.argmax(dim, keepdim=True)
    y_hard = zeros_like(logits).scatter(dim, index, 1.0)
    return y_hard - y.detach() + y
