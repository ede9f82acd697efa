"""nn.functional: attention (``scaled_dot_product_attention``, ``multi_head_attention_forward``).

Both are composites of ember ops (matmul on (N, H, L, D) tensors, softmax, masked_fill), so their
gradients are PyTorch's. The multi-head core works on either layout ((L, N, E) or (N, L, E)) without
transposing the input first: the in-projection is one GEMM over the flattened input (q, k and v in a
single GEMM when they are the same tensor), then a view + permute splits the heads.
"""

from __future__ import annotations

import math
import warnings

from ember import _dtype as D
from ember._tensor import Tensor, _make
from ember.autograd import grad_mode
from ember.ops.activation import softmax as _softmax
from ember.ops.creation import ones, zeros
from ember.ops.linalg import addmm
from ember.ops.random import rand
from ember.ops.shape import cat

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")

# the C++ type names PyTorch's attention errors print for dtypes
_TYPE_META = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}


def _tname(dt) -> str:
    return _TYPE_META.get(dt.name, dt.name) if hasattr(dt, "name") else str(dt)


# --------------------------------------------------------------------------------------------------
# helpers


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """``x @ w.T + b`` as a single 2-D GEMM over all leading dims."""
    x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
    y = addmm(b, x2, w.t()) if b is not None else x2.matmul(w.t())
    return y if x.ndim == 2 else y.view(tuple(x.shape[:-1]) + (w.shape[0],))


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """Bool masks (True = masked out) become additive float masks with -inf; float masks pass through."""
    if mask is None:
        return None
    dt = mask.dtype
    is_float = dt.is_floating_point
    if dt is not D.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and dt is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      f"instead.", stacklevel=3)
    if not is_float:
        mask = zeros(tuple(mask.shape), dtype=target_type, device=mask.device).masked_fill(mask, _NEG_INF)
    return mask


def _causal_bool(L: int, S: int, device) -> Tensor:
    """tril(ones(L, S)) as bool: True where attention is allowed."""
    return ones((L, S), dtype=D.bool_, device=device).tril()


def _dropout(p_attn: Tensor, p: float) -> Tensor:
    if p <= 0.0:
        return p_attn
    if p >= 1.0:
        return p_attn * 0.0
    keep = rand(tuple(p_attn.shape), dtype=p_attn.dtype, device=p_attn.device) >= p
    return p_attn * keep * (1.0 / (1.0 - p))


def _safe_softmax(s: Tensor) -> Tensor:
    """softmax over the last dim; rows that are entirely -inf give zeros (not NaN), with zero gradient."""
    arr = s._data
    full = None
    if arr.size:
        dead = arr.max(axis=-1, keepdims=True) == _NEG_INF
        if dead.any():
            full = _make(dead, D.bool_, s._device)
            s = s.masked_fill(full, 0.0)
    p = _softmax(s, -1)
    if full is not None:
        p = p.masked_fill(full, 0.0)
    return p


# --------------------------------------------------------------------------------------------------
# scaled_dot_product_attention


def _sdpa_core(q, k, v, mask, dropout_p, causal, scale, safe=True):
    """q (..., L, E), k (..., S, E), v (..., S, Ev); ``mask`` an additive float mask or None.
    Returns (output, attention probabilities)."""
    L, S = q.shape[-2], k.shape[-2]
    s = (q * scale).matmul(k.transpose(-2, -1))
    if causal:
        s = s.masked_fill(_causal_bool(L, S, q.device).logical_not(), _NEG_INF)
    if mask is not None:
        s = s + mask
    p = _safe_softmax(s) if safe and (mask is not None or (causal and L > S)) else _softmax(s, -1)
    p = _dropout(p, dropout_p)
    return p.matmul(v), p


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False) -> Tensor:
    """``softmax(q @ k^T * scale + mask) @ v`` over the last two dims.

    Bool ``attn_mask``: True = attend; float masks are added. ``is_causal``: lower-triangular (top-left) mask.
    ``enable_gqa``: key/value heads (dim -3) are repeated to match the query's heads."""
    qd, kd, vd = query.dtype, key.dtype, value.dtype
    if qd is not kd or qd is not vd:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_tname(qd)} key.dtype: {_tname(kd)} and value.dtype: {_tname(vd)} instead.")
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if not qd.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {qd._torch_name.capitalize()}")
    mask = None
    if attn_mask is not None:
        md = attn_mask.dtype
        if md is not D.bool_ and md is not D.float32 and md is not qd:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {_tname(md)} and  query.dtype: {_tname(qd)} instead.")
        if is_causal:
            # PyTorch's fused CPU kernel (4-D inputs, no dropout, equal head dims, no mask gradient) applies
            # both masks; its math fallback refuses them together.
            if (query.ndim != 4 or dropout_p > 0.0 or value.shape[-1] != query.shape[-1]
                    or (attn_mask.requires_grad and grad_mode.state.enabled)):
                raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                                   "is_causal=True")
        if md is D.bool_:
            if is_causal:
                attn_mask = attn_mask.logical_and(_causal_bool(query.shape[-2], key.shape[-2], query.device))
            mask = _canonical_mask(attn_mask.logical_not(), "attn_mask", None, "", qd, check_other=False)
        else:
            mask = attn_mask if md is qd else attn_mask.to(qd)
            if is_causal:
                mask = mask.masked_fill(_causal_bool(query.shape[-2], key.shape[-2], query.device).logical_not(),
                                        _NEG_INF)
        is_causal = False
    if enable_gqa and query.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        if hk != hq:
            key = key.repeat_interleave(hq // hk, -3)
        if hv != hq:
            value = value.repeat_interleave(hq // hv, -3)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    out, _ = _sdpa_core(query, key, value, mask, dropout_p, is_causal, scale)
    return out


# --------------------------------------------------------------------------------------------------
# multi-head attention


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    qd = query.ndim
    if qd == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if qd == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            if attn_mask.ndim == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {qd}-D query tensor")


def _mha_core(query, key, value, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
              out_proj_weight, out_proj_bias, key_padding_mask, need_weights, attn_mask, use_separate_proj_weight,
              q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v, average_attn_weights, is_causal,
              batch_first, embed_dim_to_check):
    """Batched multi-head attention on (L, N, E) inputs, or (N, L, E) with ``batch_first``; masks are already
    canonical (additive float or None). Returns (output in the input's layout, weights or None)."""
    if batch_first:
        bsz, tgt_len, embed_dim = query.shape
        src_len = key.shape[1]
    else:
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # -- in-projection (one GEMM for self-attention with packed weights)
    E = embed_dim
    H, Dh = num_heads, head_dim
    # (A, B) are the input's two leading dims; heads go to (N, H, T, Dh)
    perm = (0, 2, 1, 3) if batch_first else (1, 2, 0, 3)
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:
            qkv = _linear(query, in_proj_weight, in_proj_bias)
            A, B = qkv.shape[0], qkv.shape[1]
            q, k, v = qkv.view(A, B, 3, H, Dh).permute((2,) + tuple(p + (p > 1) for p in perm)).unbind(0)
        else:
            bq = bk = bv = None
            if in_proj_bias is not None:
                bq, bk, bv = in_proj_bias.chunk(3)
            wq, wk, wv = in_proj_weight.chunk(3)
            q = _linear(query, wq, bq)
            if key is value:
                bkv = None if in_proj_bias is None else in_proj_bias[E:]
                kv = _linear(key, in_proj_weight[E:], bkv)
                A, B = kv.shape[0], kv.shape[1]
                k, v = kv.view(A, B, 2, H, Dh).permute((2,) + tuple(p + (p > 1) for p in perm)).unbind(0)
            else:
                k = _heads(_linear(key, wk, bk), H, Dh, perm)
                v = _heads(_linear(value, wv, bv), H, Dh, perm)
            q = _heads(q, H, Dh, perm)
    else:
        if q_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight is None")
        if k_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but k_proj_weight is None")
        if v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but v_proj_weight is None")
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q = _heads(_linear(query, q_proj_weight, bq), H, Dh, perm)
        k = _heads(_linear(key, k_proj_weight, bk), H, Dh, perm)
        v = _heads(_linear(value, v_proj_weight, bv), H, Dh, perm)

    # -- attention mask shapes
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
            attn_mask = attn_mask.view(bsz, H, tgt_len, src_len)
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    # -- extra key/value slots
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.reshape(1, H, 1, Dh).expand(bsz, H, 1, Dh)], 2)
        v = cat([v, bias_v.reshape(1, H, 1, Dh).expand(bsz, H, 1, Dh)], 2)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be given or both be None")

    if static_k is not None:
        if static_k.shape[0] != bsz * num_heads:
            raise AssertionError(f"expecting static_k.size(0) of {bsz * num_heads}, but got {static_k.shape[0]}")
        if static_k.shape[2] != head_dim:
            raise AssertionError(f"expecting static_k.size(2) of {head_dim}, but got {static_k.shape[2]}")
        k = static_k.view(bsz, H, static_k.shape[1], Dh)
    if static_v is not None:
        if static_v.shape[0] != bsz * num_heads:
            raise AssertionError(f"expecting static_v.size(0) of {bsz * num_heads}, but got {static_v.shape[0]}")
        if static_v.shape[2] != head_dim:
            raise AssertionError(f"expecting static_v.size(2) of {head_dim}, but got {static_v.shape[2]}")
        v = static_v.view(bsz, H, static_v.shape[1], Dh)

    if add_zero_attn:
        z = zeros((bsz, H, 1, Dh), dtype=k.dtype, device=k.device)
        k = cat([k, z], 2)
        v = cat([v, z], 2)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)

    src_len = k.shape[2]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = key_padding_mask.view(bsz, 1, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    scale = 1.0 / math.sqrt(Dh)
    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        out, w = _sdpa_core(q, k, v, attn_mask, dropout_p, False, scale, safe=False)
    else:
        out, w = _sdpa_core(q, k, v, attn_mask, dropout_p, is_causal and attn_mask is None, scale)
        w = None
    # (N, H, L, Dh) -> input layout, heads merged
    out = out.permute(0, 2, 1, 3) if batch_first else out.permute(2, 0, 1, 3)
    out = _linear(out.reshape(out.shape[0], out.shape[1], E), out_proj_weight, out_proj_bias)
    if w is not None and average_attn_weights:
        w = w.mean(1)
    return out, w


def _heads(x: Tensor, H: int, Dh: int, perm) -> Tensor:
    return x.view(x.shape[0], x.shape[1], H, Dh).permute(perm)


def _pad_last(mask):
    """Append one zero column on the last dim (the extra key slot is never masked)."""
    if mask is None:
        return None
    return cat([mask, zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype, device=mask.device)], -1)


def _mha_prepare_masks(query, key_padding_mask, attn_mask, need_weights, is_causal):
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    return key_padding_mask, attn_mask, is_causal


def _mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
         add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True, key_padding_mask=None,
         need_weights=True, attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
         v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True, is_causal=False,
         batch_first=False):
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        batch_first = False
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    key_padding_mask, attn_mask, is_causal = _mha_prepare_masks(query, key_padding_mask, attn_mask, need_weights,
                                                                 is_causal)
    if not training:
        dropout_p = 0.0
    out, w = _mha_core(query, key, value, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                       dropout_p, out_proj_weight, out_proj_bias, key_padding_mask, need_weights, attn_mask,
                       use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
                       average_attn_weights, is_causal, batch_first, embed_dim_to_check)
    if not is_batched:
        out = out.squeeze(1)
        if w is not None:
            w = w.squeeze(0)
    return out, w


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """``torch.nn.functional.multi_head_attention_forward``: inputs are (L, N, E) (or unbatched (L, E)).

    Returns ``(attn_output, attn_output_weights)``; the weights are averaged over heads when
    ``average_attn_weights`` and None when not ``need_weights``."""
    return _mha(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
                add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask, need_weights,
                attn_mask, use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
                average_attn_weights, is_causal)
