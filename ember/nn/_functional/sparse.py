"""nn.functional: embedding, embedding_bag, one_hot.

``embedding`` is a registered op (``EmbeddingBackward0``): a row gather whose backward
(``embedding_dense_backward``) scatter-adds the output gradient into a dense weight gradient, so repeated indices
accumulate; ``padding_idx`` rows get no gradient and ``scale_grad_by_freq`` divides by each index's count in the
batch. ``sparse=True`` is accepted but the gradient is dense. ``embedding_bag`` is built on ``embedding``.
"""

from __future__ import annotations

from ember import _dtype as D
from ember._dispatch import bump_version, dispatch
from ember._tensor import Tensor, _make
from ember.autograd import grad_mode
from ember.ops.registry import defop

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _index_type_error(t, fname, arg="indices", pos=1):
    name = t.dtype._torch_name.split(".")[-1]
    legacy = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int16": "Short",
              "int8": "Char", "uint8": "Byte", "bool": "Bool", "int32": "Int", "int64": "Long",
              "complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(name, name)
    return RuntimeError(f"Expected tensor for argument #{pos} '{arg}' to have one of the following scalar types: "
                        f"Long, Int; but got torch.{legacy}Tensor instead (while checking arguments for {fname})")


@defop("embedding")
def _embedding(xp, w, idx, *, padding_idx=-1, scale_grad_by_freq=False):
    n = w.shape[0]
    if idx.size:
        if (idx < 0).any() or (idx >= n).any():
            raise IndexError("index out of range in self")
    return xp.take(w, idx, axis=0)


@_embedding.defbackward
def _(ctx, g):
    w, idx = ctx.args
    kw = ctx.kwargs
    gw = dispatch(_embedding_backward, g, idx, num_weights=w.shape[0], padding_idx=kw.get("padding_idx", -1),
                  scale_grad_by_freq=kw.get("scale_grad_by_freq", False))
    return gw, None


def _counts(xp, idx, n):
    return xp.bincount(idx.reshape(-1), minlength=n)


@defop("embedding_dense_backward", grad_name="EmbeddingDenseBackwardBackward0")
def _embedding_backward(xp, g, idx, *, num_weights, padding_idx=-1, scale_grad_by_freq=False):
    d = g.shape[-1]
    flat_i = idx.reshape(-1)
    flat_g = g.reshape(-1, d)
    if scale_grad_by_freq:
        cnt = _counts(xp, flat_i, num_weights).astype(g.dtype)
        flat_g = flat_g / cnt[flat_i][:, None]
    out = xp.zeros((num_weights, d), dtype=g.dtype)
    xp.add.at(out, flat_i, flat_g)
    if padding_idx >= 0:
        out[padding_idx] = 0
    return out


@_embedding_backward.defbackward
def _(ctx, gg):
    # PyTorch's double backward: the rows of gg at the indices, padding rows zeroed; it does not re-apply the
    # scale_grad_by_freq scaling (kept so, to give PyTorch's numbers)
    g, idx = ctx.args
    from ember.ops.logic import where
    r = dispatch(_embedding, gg, idx)
    pad = ctx.kwargs.get("padding_idx", -1)
    if pad >= 0:
        r = where((idx == pad).unsqueeze(-1), 0, r)
    return r, None


def _renorm_(weight, idx, max_norm, norm_type):
    """PyTorch's ``embedding_renorm_``: rows of ``weight`` looked up by ``idx`` whose ``norm_type``-norm exceeds
    ``max_norm`` are scaled (in place) to norm ``max_norm``."""
    arr = weight._data
    xp = _xp(arr)
    rows = xp.unique(idx._data.reshape(-1))
    if rows.size == 0:
        return
    sub = arr[rows]
    if norm_type == float("inf"):
        norms = xp.abs(sub).max(axis=1)
    elif norm_type == 0:
        norms = (sub != 0).sum(axis=1).astype(sub.dtype)
    else:
        norms = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        scale = (max_norm / (norms[big] + 1e-7)).astype(arr.dtype)
        arr[rows[big]] = sub[big] * scale[:, None]
        bump_version(weight)


def _xp(arr):
    import numpy as np
    if isinstance(arr, np.ndarray):
        return np
    import cupy
    return cupy


def _check_indices(input, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__}")
    if input.dtype not in (D.int64, D.int32):
        raise _index_type_error(input, fname)


def _norm_padding_idx(padding_idx, n):
    if padding_idx is None:
        return -1
    if padding_idx > 0:
        if padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = n + padding_idx
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False) -> Tensor:
    """The rows of ``weight`` at the integer ``input``: output shape ``input.shape + (embedding_dim,)``."""
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    padding_idx = _norm_padding_idx(padding_idx, weight.shape[0])
    _check_indices(input, "embedding")
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_(weight, input, max_norm, norm_type)
    return dispatch(_embedding, weight, input, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None) -> Tensor:
    """Sums / means / maxes of bags of embeddings: ``input`` 2-D (B, L) holds B bags of length L; 1-D ``input``
    is split into bags at ``offsets``. ``per_sample_weights`` (mode 'sum' only) scale each looked-up row."""
    import numpy as np

    import ember
    if weight.dtype != input.dtype and weight.dtype.category < D.FLOAT and input.dtype.category >= D.FLOAT:
        input, weight = weight, input  # the old (weight, input) argument order
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if scale_grad_by_freq and mode == "max":
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  f"GitHub.")
    if input.dtype not in (D.int64, D.int32):
        raise _index_type_error(input, "embedding_bag")
    if offsets is not None and offsets.dtype not in (D.int64, D.int32):
        raise _index_type_error(offsets, "embedding_bag")
    if per_sample_weights is not None and per_sample_weights.dtype is not weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument "
                           f"#1 'per_sample_weights'; but type {_legacy(weight)} does not equal "
                           f"{_legacy(per_sample_weights)} (while checking arguments for embedding_bag)")
    n = weight.shape[0]
    padding_idx = _norm_padding_idx(padding_idx, n)
    idx_np = input.detach().cpu().numpy().astype(np.int64)
    flat = idx_np.reshape(-1)
    bad = np.nonzero((flat < 0) | (flat >= n))[0]
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {flat[bad[0]]} which is not in the valid range "
                           f"[0, {n})")
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_(weight, input, max_norm, norm_type)
    dev = weight.device
    if input.dim() == 2:
        b, length = idx_np.shape
        pos = np.arange(b * length).reshape(b, length)
        valid = np.ones((b, length), dtype=bool)
    else:
        offs = offsets.detach().cpu().numpy().astype(np.int64)
        total = flat.size
        if offs.size and offs[0] != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                               f"position 0. However, got {offs[0]}")
        if offs.size and offs[-1] > total:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {total} but got offsets[-1] of "
                               f"{offs[-1]}")
        if include_last_offset:
            starts, ends = offs[:-1], offs[1:]
        else:
            starts, ends = offs, np.append(offs[1:], total)
        if (ends < starts).any():
            raise RuntimeError("offsets must be non-decreasing")
        b = starts.size
        lens = ends - starts
        length = int(lens.max()) if b else 0
        ar = np.arange(length)[None, :]
        valid = ar < lens[:, None]
        pos = np.where(valid, starts[:, None] + ar, 0)
        flat = flat if flat.size else np.zeros(1, np.int64)
    if padding_idx >= 0:
        valid = valid & (flat[pos] != padding_idx) if flat.size else valid
    gather_idx = flat[pos] if flat.size else np.zeros(pos.shape, np.int64)
    gi = ember.tensor(gather_idx, device=dev)
    emb = dispatch(_embedding, weight, gi, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq)
    mask = ember.tensor(valid, device=dev).unsqueeze(-1)
    if mode == "max":
        neg = ember.tensor(float("-inf"), dtype=weight.dtype, device=dev)
        vals = ember.where(mask, emb, neg).amax(1) if length else emb.sum(1)
        nonempty = ember.tensor(valid.any(1), device=dev).unsqueeze(-1)
        return ember.where(nonempty, vals, 0)
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)
        if psw.shape[0]:
            psw = psw[ember.tensor(pos, device=dev)]
        else:
            psw = ember.zeros(pos.shape, dtype=weight.dtype, device=dev)
        emb = emb * psw.unsqueeze(-1)
    out = ember.where(mask, emb, 0).sum(1)
    if mode == "mean":
        cnt = valid.sum(1).clip(1, None).astype(np.float64)
        out = out / ember.tensor(cnt, dtype=weight.dtype, device=dev).unsqueeze(-1)
    return out


def _legacy(t):
    name = t.dtype._torch_name.split(".")[-1]
    legacy = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}.get(name, name)
    return f"torch.{legacy}Tensor"


def one_hot(tensor, num_classes=-1) -> Tensor:
    """int64 one-hot encoding: shape ``tensor.shape + (num_classes,)`` (``-1``: ``max + 1``)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not {type(tensor).__name__}")
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    arr = tensor._data
    if num_classes == -1:
        if arr.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        if (arr < 0).any():
            raise RuntimeError("Class values must be non-negative.")
        num_classes = int(arr.max()) + 1
    else:
        if arr.size and (arr < 0).any():
            raise RuntimeError("Class values must be non-negative.")
        if arr.size and int(arr.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
        if num_classes < 0:
            raise RuntimeError("Class values must be smaller than num_classes.")
    xp = _xp(arr)
    out = (arr[..., None] == xp.arange(num_classes)).astype("int64")
    return _make(out, D.int64, tensor.device)
