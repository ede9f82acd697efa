"""Linear algebra: matmul and friends, and the ops behind ``ember.linalg``.

Products (mm, bmm, mv, dot, matmul, addmm, ...) do not promote between floating dtypes,
as in PyTorch: operands must share a dtype. Decompositions run LAPACK through ``xp.linalg``;
their backward rules are written with ember ops (matmul, einsum, solve, ...), so they are
differentiable again.
"""

from __future__ import annotations

import math
import string

import numpy as np

from ember import _dtype as D
from ember import return_types
from ember._device import xp_of
from ember._dispatch import broadcast_shapes, dispatch
from ember._tensor import Tensor, _from_array
from ember.ops._util import inplace_methods, methods, wrap_dim, wrap_dims, write_out
from ember.ops.registry import cross_saves, defop

__all__ = [
    "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "einsum", "tensordot",
    "addmm", "addmv", "addbmm", "baddbmm", "addr", "kron", "cross", "cdist",
    "det", "logdet", "slogdet", "inverse", "pinverse", "svd", "qr", "cholesky", "matrix_power",
    "chain_matmul",
]

_LinAlgNumpyError = np.linalg.LinAlgError


class LinAlgError(RuntimeError):
    """Raised for singular / non-positive-definite inputs (``torch.linalg.LinAlgError``)."""


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


_RT_linalg_slogdet = return_types.linalg_slogdet
_RT_slogdet = return_types.slogdet
_RT_linalg_inv_ex = return_types.linalg_inv_ex
_RT_linalg_cholesky_ex = return_types.linalg_cholesky_ex
_RT_linalg_qr = return_types.linalg_qr
_RT_qr = return_types.qr
_RT_linalg_svd = return_types.linalg_svd
_RT_svd = return_types.svd
_RT_linalg_eigh = return_types.linalg_eigh
_RT_linalg_lstsq = return_types.linalg_lstsq
_RT_linalg_solve_ex = return_types.linalg_solve_ex

# C type names PyTorch prints in "expected m1 and m2 to have the same dtype" messages
_CNAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
          "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
          "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
          "complex128": "c10::complex<double>"}


# --------------------------------------------------------------------------------------
# small helpers (ember ops only, so rules stay differentiable)

def _is_complex(t) -> bool:
    return isinstance(t, Tensor) and t._dtype.category == D.COMPLEX


def _conj(t):
    return t.conj() if _is_complex(t) else t


def _mH(t: Tensor) -> Tensor:
    t = t.transpose(-2, -1)
    return t.conj() if _is_complex(t) else t


def _transposed(t: Tensor) -> bool:
    """A real 2-D matrix laid out column-major (e.g. ``W.t()`` of a contiguous weight)."""
    f = t._data.flags
    return t._data.ndim == 2 and f.f_contiguous and not f.c_contiguous and not _is_complex(t)


def _grad_a(g: Tensor, b: Tensor, a: Tensor) -> Tensor:
    """``g @ b^H``, in ``a``'s memory layout (as PyTorch does), so a transposed weight gets a
    gradient that is contiguous once transposed back and can be stored as ``.grad`` without a copy."""
    return mm(b, g.t()).t() if _transposed(a) else mm(g, _mH(b))


def _grad_b(g: Tensor, a: Tensor, b: Tensor) -> Tensor:
    """``a^H @ g``, in ``b``'s memory layout (see ``_grad_a``)."""
    return mm(g.t(), a).t() if _transposed(b) else mm(_mH(a), g)


def _const(arr, like: Tensor) -> Tensor:
    return _from_array(arr, None, like._device)


def _eye(n: int, like: Tensor) -> Tensor:
    xp = xp_of(like._device)
    return _const(xp.eye(n, dtype=like._data.dtype), like)


def _tril_mask(n: int, m: int, k: int, like: Tensor) -> Tensor:
    xp = xp_of(like._device)
    return _const(xp.tri(n, m, k, dtype=like._data.dtype), like)


def _tril(t: Tensor, k: int = 0) -> Tensor:
    return t * _tril_mask(t.shape[-2], t.shape[-1], k, t)


def _triu(t: Tensor, k: int = 0) -> Tensor:
    return t * (1 - _tril_mask(t.shape[-2], t.shape[-1], k - 1, t))


def _diag_embed(v: Tensor) -> Tensor:
    return v.unsqueeze(-1) * _eye(v.shape[-1], v)


def _diagonal(t: Tensor) -> Tensor:
    return einsum("...ii->...i", t)


def _shape_str(shape) -> str:
    return "x".join(map(str, shape))


def _check_tensor(x, fname, argname, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _check_same_dtype_mm(a: Tensor, b: Tensor):
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_CNAME.get(a._dtype.name)} "
                           f"!= {_CNAME.get(b._dtype.name)}")
    if a._dtype is D.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_float(A: Tensor, fname: str):
    if A._dtype.category < D.FLOAT:
        raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. "
                           f"Got {A._dtype._torch_name}")


def _check_square(A: Tensor, fname: str):
    if A.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fname}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _check_matrix(A: Tensor, fname: str):
    if A.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")


# --------------------------------------------------------------------------------------
# matrix products

def _mm_rule(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return (_grad_a(g, b, a) if need_a else None), (_grad_b(g, a, b) if need_b else None)


@defop("mm", saves=cross_saves)
def _mm(xp, a, b):
    return xp.matmul(a, b)


_mm.defbackward(_mm_rule)


@defop("bmm", saves=cross_saves)
def _bmm(xp, a, b):
    return xp.matmul(a, b)


@_bmm.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return (bmm(g, _mH(b)) if need_a else None), (bmm(_mH(a), g) if need_b else None)


@defop("mv", saves=cross_saves)
def _mv(xp, a, v):
    return xp.matmul(a, v)


@_mv.defbackward
def _(ctx, g):
    a, v = ctx.args
    need_a, need_v = ctx.needs_input_grad
    return (g.unsqueeze(-1) * _conj(v) if need_a else None), (mv(_mH(a), g) if need_v else None)


@defop("dot", saves=cross_saves)
def _dot(xp, a, b):
    return xp.matmul(a, b)


@_dot.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return (g * _conj(b) if need_a else None), (g * _conj(a) if need_b else None)


@defop("vdot")
def _vdot(xp, a, b):
    return xp.vdot(a, b)


@_vdot.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    return (_conj(g) * b if need_a else None), (g * a if need_b else None)


@defop("matmul", saves=cross_saves, grad_name="UnsafeViewBackward0")
def _matmul(xp, a, b):
    if b.ndim == 2 and a.ndim > 2:  # (..., n, k) @ (k, m): one GEMM over the folded rows (NumPy loops otherwise)
        return xp.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + (b.shape[1],))
    return xp.matmul(a, b)


@_matmul.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    ga = gb = None
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    if b.ndim == 1:
        g2 = g2.unsqueeze(-1)
    if need_a:
        ga = matmul(g2, _mH(b2))
        if a.ndim == 1:
            ga = ga.sum_to_size(1, a.shape[0]).reshape(a.shape)
    if need_b:
        if b.ndim == 2 and a.ndim > 2:  # fold the batch dims into one GEMM instead of a batched one + sum
            gb = matmul(_mH(a.reshape(-1, a.shape[-1])), g.reshape(-1, g.shape[-1]))
        else:
            gb = matmul(_mH(a2), g2)
        if b.ndim == 1:
            gb = gb.sum_to_size(b.shape[0], 1).reshape(b.shape)
    return ga, gb


def _matmul_shapes_error(a, b):
    sa = _shape_str(a.shape if a.ndim > 1 else (1,) + tuple(a.shape))
    sb = _shape_str(b.shape if b.ndim > 1 else tuple(b.shape) + (1,))
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


def _matmul_impl(input, other):
    if not isinstance(input, Tensor):
        _check_tensor(input, "matmul", "input", 1)
    if not isinstance(other, Tensor):
        _check_tensor(other, "matmul", "other", 2)
    na, nb = input._data.ndim, other._data.ndim
    if input._dtype is not other._dtype or input._dtype is D.bool_:
        _check_same_dtype_mm(input, other)
    if na == 2 and nb == 2:
        if input._data.shape[1] != other._data.shape[0]:
            raise _matmul_shapes_error(input, other)
        return dispatch(_mm, input, other)
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if input._data.shape[-1] != other._data.shape[-2 if nb > 1 else 0]:
        if na == 1 and nb == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                               f"[{other.shape[0]}] to have the same number of elements, but got "
                               f"{input.shape[0]} and {other.shape[0]} elements respectively")
        raise _matmul_shapes_error(input, other)
    if nb == 1:
        if na == 1:
            return dispatch(_dot, input, other)
        if na == 2:
            return dispatch(_mv, input, other)
    elif na > 2 or nb > 2:
        broadcast_shapes(input._data.shape[:-2], other._data.shape[:-2])
    return dispatch(_matmul, input, other)


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with NumPy/PyTorch broadcasting of batch dims."""
    return _out(_matmul_impl(input, other), out)


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """2-D matrix product."""
    _check_tensor(input, "mm", "input", 1)
    _check_tensor(mat2, "mm", "mat2", 2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input._dtype is not mat2._dtype or input._dtype is D.bool_:
        _check_same_dtype_mm(input, mat2)
    if input._data.shape[1] != mat2._data.shape[0]:
        raise _matmul_shapes_error(input, mat2)
    return _out(dispatch(_mm, input, mat2), out)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product of 3-D tensors (no broadcasting)."""
    _check_tensor(input, "bmm", "input", 1)
    _check_tensor(mat2, "bmm", "mat2", 2)
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    b, _, k = input.shape
    if mat2.shape[0] != b or mat2.shape[1] != k:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}].")
    if input._dtype is not mat2._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._torch_name} but found {mat2._dtype._torch_name}")
    if input._dtype is D.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return _out(dispatch(_bmm, input, mat2), out)


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    """Matrix-vector product."""
    _check_tensor(input, "mv", "input", 1)
    _check_tensor(vec, "mv", "vec", 2)
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({_shape_str(input.shape)}), "
                           f"vec ({vec.shape[0]})")
    if input._dtype is not vec._dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {vec._dtype._torch_name}, "
                           f"{input._dtype._torch_name}, and {vec._dtype._torch_name}")
    if input._dtype is D.bool_:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")
    return _out(dispatch(_mv, input, vec), out)


def _check_dot(name, a, b):
    _check_tensor(a, name, "input", 1)
    _check_tensor(b, name, "other", 2)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"{name} : expected both vectors to have same dtype, but found "
                           f"{a._dtype._torch_name} and {b._dtype._torch_name}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
                           f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
                           "respectively")
    if a._dtype is D.bool_:
        raise NotImplementedError(f"\"{name}\" not implemented for 'Bool'")


def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors (no conjugation)."""
    _check_dot("dot", input, tensor)
    return _out(dispatch(_dot, input, tensor), out)


def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors, conjugating the first."""
    _check_dot("vdot", input, other)
    return _out(dispatch(_vdot, input, other), out)


def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Sum product over the last dims (a scalar operand multiplies)."""
    if input.ndim == 0 or other.ndim == 0:
        return _out(input * other, out)
    if input._dtype is not other._dtype:
        raise RuntimeError("both inputs should have same dtype")
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return _out(tensordot(input, other, ([-1], [-1])), out)


def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """Outer product of two 1-D tensors."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return _out(input.reshape(-1, 1) * vec2, out)


ger = outer


# --------------------------------------------------------------------------------------
# einsum / tensordot

@defop("einsum", grad_name="ViewBackward0")
def _einsum(xp, *arrays, equation):
    if len(arrays) == 1:
        return xp.einsum(equation, arrays[0]).copy()
    return xp.einsum(equation, *arrays, optimize=True)


@_einsum.defbackward
def _(ctx, g):
    eq = ctx.kwargs["equation"]
    lhs, rhs = eq.split("->")
    terms = lhs.split(",")
    ops = ctx.args
    fresh = [c for c in string.ascii_letters if c not in eq]
    grads = []
    for i, (t, op) in enumerate(zip(terms, ops)):
        if not ctx.needs_input_grad[i]:
            grads.append(None)
            continue
        others = [(rhs, g)] + [(terms[j], _conj(ops[j])) for j in range(len(ops)) if j != i]
        avail = set("".join(s for s, _ in others))
        uniq = "".join(dict.fromkeys(t))
        keep = "".join(c for c in uniq if c in avail)
        r = dispatch(_einsum, *(x for _, x in others), equation=",".join(s for s, _ in others) + "->" + keep)
        if len(keep) < len(uniq):  # letters summed away in the forward: broadcast the gradient back
            cur = keep
            for c in uniq:
                if c not in avail:
                    r = r.unsqueeze(-1)
                    cur += c
            r = r.expand(tuple(op.shape[t.index(c)] for c in cur))
            if cur != uniq:
                r = r.permute([cur.index(c) for c in uniq])
        if len(uniq) < len(t):  # repeated letters (diagonals): embed with identity matrices
            seen, full, extra, eyes = set(), "", [], []
            k = 0
            for c in t:
                if c in seen:
                    nc = fresh[k]
                    k += 1
                    full += nc
                    extra.append(c + nc)
                    eyes.append(_eye(op.shape[t.index(c)], r))
                else:
                    seen.add(c)
                    full += c
            r = dispatch(_einsum, r, *eyes, equation=",".join([uniq] + extra) + "->" + full)
        grads.append(r)
    return tuple(grads)


def _einsum_prepare(equation: str, operands):
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) != len(operands):
        which = "more" if len(operands) > len(terms) else "fewer"
        raise RuntimeError(f"einsum(): {which} operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    for c in eq:
        if not (c.isalpha() or c in ",.->"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(c)} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
    free = [c for c in string.ascii_letters if c not in used]
    ell_nd = 0
    ks = []
    for i, (t, op) in enumerate(zip(terms, operands)):
        _check_tensor(op, "einsum", "operands", 2)
        n = len(t.replace("...", ""))
        if "..." in t:
            k = op.ndim - n
            if k < 0:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is more than the "
                                   f"number of dimensions ({op.ndim}) for operand {i}")
        else:
            k = 0
            if op.ndim != n:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the "
                                   f"number of dimensions ({op.ndim}) for operand {i} and no ellipsis was given")
        ks.append(k)
        ell_nd = max(ell_nd, k)
    ell = "".join(free[:ell_nd])
    terms = [t.replace("...", ell[ell_nd - k:]) for t, k in zip(terms, ks)]
    if rhs is None:
        counts = {}
        for c in lhs:
            if c.isalpha():
                counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    else:
        rhs = rhs.replace("...", ell)
        for c in rhs:
            if c not in "".join(terms):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any "
                                   "input operand")
    sizes = {}
    for t, op in zip(terms, operands):
        for c, n in zip(t, op.shape):
            m = sizes.get(c)
            if m is None or m == 1:
                sizes[c] = n
            elif n != m and n != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                                   f"subscript {c} has size {n} for one operand and {m} for another")
    ops = []
    for t, op in zip(terms, operands):
        target = tuple(sizes[c] for c in t)
        if len(set(t)) == len(t) and target != tuple(op.shape):
            op = op.expand(target)
        ops.append(op)
    dt = operands[0]._dtype
    for op in operands[1:]:
        if op._dtype is not dt:
            raise RuntimeError(f"expected scalar type {dt._torch_name} but found {op._dtype._torch_name}")
    return ",".join(terms) + "->" + rhs, ops


def einsum(equation, *operands) -> Tensor:
    """Einstein summation over ``operands`` as described by ``equation`` (``...`` broadcasts)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq, ops = _einsum_prepare(equation, operands)
    return dispatch(_einsum, *ops, equation=eq)


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract ``dims`` of ``a`` with ``dims`` of ``b`` (an int: last of a with first of b)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = [wrap_dim(d, a.ndim) for d in da]
        db = [wrap_dim(d, b.ndim) for d in db]
    if a._dtype is not b._dtype:
        raise RuntimeError("both inputs should have same dtype")
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[x]} in dim {x} "
                               f"and second has size {b.shape[y]} in dim {y}")
    letters = string.ascii_letters
    sa = letters[:a.ndim]
    sb = list(letters[a.ndim:a.ndim + b.ndim])
    for x, y in zip(da, db):
        sb[y] = sa[x]
    sb = "".join(sb)
    rhs = "".join(c for i, c in enumerate(sa) if i not in da) + "".join(c for i, c in enumerate(sb) if i not in db)
    return _out(dispatch(_einsum, a, b, equation=f"{sa},{sb}->{rhs}"), out)


# --------------------------------------------------------------------------------------
# add*-products

def _scaled(xp, prod, inp, beta, alpha):
    dt = prod.dtype
    if alpha != 1:
        prod = (prod * alpha).astype(dt, copy=False)
    if beta == 0:
        return xp.broadcast_to(prod, prod.shape).copy() if prod.base is not None else prod
    return (prod + (inp if beta == 1 else inp * beta)).astype(dt, copy=False)


def _check_bcast(inp, shape, name):
    try:
        broadcast_shapes(inp.shape, shape)
        if len(inp.shape) > len(shape) or broadcast_shapes(inp.shape, shape) != tuple(shape):
            raise RuntimeError
    except RuntimeError:
        raise RuntimeError(f"The expanded size of the tensor must match the existing size: {name} input of shape "
                           f"{list(inp.shape)} cannot be broadcast to {list(shape)}") from None


def _check_same(name, *ts):
    dt = ts[0]._dtype
    for t in ts[1:]:
        if t._dtype is not dt:
            raise RuntimeError(f"{name} must have the same dtype, but got {dt._torch_name} and {t._dtype._torch_name}")


def _scale(t: Tensor, factor) -> Tensor:
    """``t * factor``, skipping the pass over ``t`` when factor is 1 (the common case)."""
    return t if factor == 1 else t * factor


@defop("addmm")
def _addmm(xp, inp, a, b, *, beta=1, alpha=1):
    return _scaled(xp, xp.matmul(a, b), inp, beta, alpha)


@_addmm.defbackward
def _(ctx, g):
    inp, a, b = ctx.args
    beta, alpha = ctx.kwargs.get("beta", 1), ctx.kwargs.get("alpha", 1)
    n = ctx.needs_input_grad
    gi = _scale(g, beta) if n[0] else None
    ga = _scale(_grad_a(g, b, a), alpha) if n[1] else None
    gb = _scale(_grad_b(g, a, b), alpha) if n[2] else None
    return gi, ga, gb


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise _matmul_shapes_error(mat1, mat2)
    _check_same("self and mat2", input, mat1, mat2)
    _check_bcast(input, (mat1.shape[0], mat2.shape[1]), "addmm")
    return _out(dispatch(_addmm, input, mat1, mat2, beta=beta, alpha=alpha), out)


@defop("addmv")
def _addmv(xp, inp, a, v, *, beta=1, alpha=1):
    return _scaled(xp, xp.matmul(a, v), inp, beta, alpha)


@_addmv.defbackward
def _(ctx, g):
    inp, a, v = ctx.args
    beta, alpha = ctx.kwargs.get("beta", 1), ctx.kwargs.get("alpha", 1)
    n = ctx.needs_input_grad
    gi = _scale(g, beta) if n[0] else None
    ga = _scale(g.unsqueeze(-1) * _conj(v), alpha) if n[1] else None
    gv = _scale(mv(_mH(a), g), alpha) if n[2] else None
    return gi, ga, gv


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    if mat.ndim != 2 or vec.ndim != 1 or input.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}")
    if mat.shape[1] != vec.shape[0] or (input.ndim == 1 and input.shape[0] not in (1, mat.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), "
                           f"mat ({_shape_str(mat.shape)}), vec ({vec.shape[0]})")
    if not (input._dtype is mat._dtype is vec._dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {input._dtype._torch_name}, "
                           f"{mat._dtype._torch_name}, and {vec._dtype._torch_name}")
    return _out(dispatch(_addmv, input, mat, vec, beta=beta, alpha=alpha), out)


@defop("baddbmm")
def _baddbmm(xp, inp, a, b, *, beta=1, alpha=1):
    return _scaled(xp, xp.matmul(a, b), inp, beta, alpha)


@_baddbmm.defbackward
def _(ctx, g):
    inp, a, b = ctx.args
    beta, alpha = ctx.kwargs.get("beta", 1), ctx.kwargs.get("alpha", 1)
    n = ctx.needs_input_grad
    gi = _scale(g, beta) if n[0] else None
    ga = _scale(bmm(g, _mH(b)), alpha) if n[1] else None
    gb = _scale(bmm(_mH(a), g), alpha) if n[2] else None
    return gi, ga, gb


def _check_bmm_args(b1, b2):
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_bmm_args(batch1, batch2)
    _check_same("self and mat2", input, batch1, batch2)
    _check_bcast(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]), "baddbmm")
    return _out(dispatch(_baddbmm, input, batch1, batch2, beta=beta, alpha=alpha), out)


@defop("addbmm")
def _addbmm(xp, inp, a, b, *, beta=1, alpha=1):
    prod = xp.matmul(a, b).sum(axis=0) if a.shape[0] else xp.zeros((a.shape[1], b.shape[2]), dtype=a.dtype)
    return _scaled(xp, prod, inp, beta, alpha)


@_addbmm.defbackward
def _(ctx, g):
    inp, a, b = ctx.args
    beta, alpha = ctx.kwargs.get("beta", 1), ctx.kwargs.get("alpha", 1)
    n = ctx.needs_input_grad
    gi = _scale(g, beta) if n[0] else None
    gb_ = g.unsqueeze(0).expand(a.shape[0], *g.shape)
    ga = _scale(bmm(gb_, _mH(b)), alpha) if n[1] else None
    gb = _scale(bmm(_mH(a), gb_), alpha) if n[2] else None
    return gi, ga, gb


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    _check_bmm_args(batch1, batch2)
    _check_same("self and mat2", input, batch1, batch2)
    _check_bcast(input, (batch1.shape[1], batch2.shape[2]), "addbmm")
    return _out(dispatch(_addbmm, input, batch1, batch2, beta=beta, alpha=alpha), out)


@defop("addr", promote="same")
def _addr(xp, inp, v1, v2, *, beta=1, alpha=1):
    if v1.dtype == bool:
        prod = xp.logical_and(v1[:, None], v2[None, :])
        if not alpha:
            prod = xp.zeros_like(prod)
        if beta:
            prod = xp.logical_or(prod, inp)
        return prod
    prod = xp.multiply(v1[:, None], v2[None, :])
    return _scaled(xp, prod, inp, beta, alpha)


@_addr.defbackward
def _(ctx, g):
    inp, v1, v2 = ctx.args
    beta, alpha = ctx.kwargs.get("beta", 1), ctx.kwargs.get("alpha", 1)
    n = ctx.needs_input_grad
    gi = _scale(g, beta) if n[0] else None
    g1 = _scale(mv(g, _conj(v2).to(g.dtype)), alpha) if n[1] else None
    g2 = _scale(mv(_mH(g), _conj(v1).to(g.dtype)), alpha) if n[2] else None
    return gi, g1, g2


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    _check_bcast(input, (vec1.shape[0], vec2.shape[0]), "addr")
    return _out(dispatch(_addr, input, vec1, vec2, beta=beta, alpha=alpha), out)


# --------------------------------------------------------------------------------------
# kron, cross, cdist

def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Kronecker product."""
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    a = input.reshape([x for s in sa for x in (s, 1)])
    b = other.reshape([x for s in sb for x in (1, s)])
    return _out((a * b).reshape([x * y for x, y in zip(sa, sb)]), out)


@defop("linalg_cross")
def _cross(xp, a, b, *, dim):
    return xp.cross(a, b, axis=dim)


@_cross.defbackward
def _(ctx, g):
    a, b = ctx.args
    dim = ctx.kwargs["dim"]
    n = ctx.needs_input_grad
    ga = dispatch(_cross, _conj(b), g, dim=dim) if n[0] else None
    gb = dispatch(_cross, g, _conj(a), dim=dim) if n[1] else None
    return ga, gb


def _cross_impl(input, other, dim, name):
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if input._dtype is not other._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._torch_name} but found {other._dtype._torch_name}")
    shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
    d = wrap_dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    return dispatch(_cross, input, other, dim=d - len(shape))


def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """Cross product along ``dim`` (default: the first dim of size 3)."""
    if dim is None:
        shape = broadcast_shapes(tuple(input.shape), tuple(other.shape))
        for i, s in enumerate(shape):
            if s == 3:
                dim = i
                break
        else:
            raise RuntimeError("no dimension of size 3 in input")
    return _out(_cross_impl(input, other, dim, "linalg.cross"), out)


def linalg_cross(input: Tensor, other: Tensor, *, dim=-1, out=None) -> Tensor:
    return _out(_cross_impl(input, other, dim, "linalg.cross"), out)


def cdist(x1: Tensor, x2: Tensor, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Pairwise p-norm distances between the rows of ``x1`` and ``x2`` (batched)."""
    for name, x in (("X1", x1), ("X2", x2)):
        if x._dtype.category != D.FLOAT:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {x._dtype._torch_name}")
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f"expected scalar type {x1._dtype._torch_name} but found {x2._dtype._torch_name}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff, p, -1)


# --------------------------------------------------------------------------------------
# norms

_INF = math.inf


def _unsqueeze_dims(t: Tensor, dims) -> Tensor:
    for d in sorted(dims):
        t = t.unsqueeze(d)
    return t


@defop("linalg_vector_norm", save_out=True)
def _vector_norm(xp, a, *, ord, dims, keepdim):
    x = xp.abs(a)
    if ord == 2:
        return xp.sqrt(xp.sum(x * x, axis=dims, keepdims=keepdim))
    if ord == _INF:
        return xp.max(x, axis=dims, keepdims=keepdim)
    if ord == -_INF:
        return xp.min(x, axis=dims, keepdims=keepdim)
    if ord == 0:
        return xp.sum(x != 0, axis=dims, keepdims=keepdim).astype(x.dtype)
    if ord == 1:
        return xp.sum(x, axis=dims, keepdims=keepdim)
    return xp.power(xp.sum(xp.power(x, ord), axis=dims, keepdims=keepdim), 1.0 / ord)


@_vector_norm.defbackward
def _(ctx, g):
    (x,) = ctx.args
    ord, dims, keepdim = ctx.kwargs["ord"], ctx.kwargs["dims"], ctx.kwargs["keepdim"]
    n = ctx.out
    if not keepdim:
        g = _unsqueeze_dims(g, dims)
        n = _unsqueeze_dims(n, dims)
    if ord == 0:
        return x * 0 if not _is_complex(x) else x.abs() * 0
    if ord == 2:
        return g * (x / (n + (n == 0)))
    sgn = x.sgn() if _is_complex(x) else x.sign()
    if ord == 1:
        return g * sgn
    ax = x.abs()
    if ord in (_INF, -_INF):
        mask = ax == n
        return g * sgn * mask / mask.sum(dims, keepdim=True)
    return g * sgn * ax.pow(ord - 1) / (n + (n == 0)).pow(ord - 1) * (n != 0)


def vector_norm(x: Tensor, ord=2, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """The ``ord``-norm of ``x`` over ``dim`` (all elements when None)."""
    _check_tensor(x, "linalg_vector_norm", "input", 1)
    if isinstance(ord, str) or isinstance(ord, complex):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if dtype is not None:
        if x._dtype.category < D.FLOAT:
            _check_float(x, "linalg.vector_norm")
        x = x.to(dtype)
    _check_float(x, "linalg.vector_norm")
    nd = x.ndim
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        dims = tuple(range(nd))
    else:
        dims = wrap_dims(dim, max(nd, 1))
        if nd == 0:
            dims = ()
    if ord < 0 or ord == _INF:
        for d in dims if dim is not None else range(nd):
            if x.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because "
                                   "the operation does not have an identity")
        if dim is None and x.numel() == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                               "operation does not have an identity")
    return _out(dispatch(_vector_norm, x, ord=float(ord), dims=dims, keepdim=keepdim), out)


def _to_end(A: Tensor, d0: int, d1: int) -> Tensor:
    nd = A.ndim
    d0, d1 = wrap_dim(d0, nd), wrap_dim(d1, nd)
    if (d0, d1) == (nd - 2, nd - 1):
        return A
    rest = [i for i in range(nd) if i not in (d0, d1)]
    return A.permute(rest + [d0, d1])


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Matrix norms: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2 over the two dims ``dim``."""
    _check_matrix(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    _check_float(A, "linalg.matrix_norm")
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " + " ".join(map(str, dim)))
    d0, d1 = wrap_dim(dim[0], A.ndim), wrap_dim(dim[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return _out(vector_norm(A, 2, (d0, d1), keepdim), out)
    if isinstance(ord, str) and ord != "nuc":
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord == "nuc" or ord in (2, -2):
        s = svdvals(_to_end(A, d0, d1))
        r = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            r = _unsqueeze_dims(r, (min(d0, d1), max(d0, d1)))
        return _out(r, out)
    if ord not in (1, -1, _INF, -_INF):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    sum_dim, max_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
    r = A.abs().sum(sum_dim, keepdim=True)
    r = r.amax(max_dim, keepdim=True) if ord > 0 else r.amin(max_dim, keepdim=True)
    if not keepdim:
        r = r.squeeze((d0, d1))
    return _out(r, out)


def linalg_norm(A: Tensor, ord=None, dim=None, keepdim=False, *, out=None, dtype=None) -> Tensor:
    """``vector_norm`` or ``matrix_norm`` depending on ``dim`` / ``A.ndim``."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {ord}")
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
        if len(dims) != 2:
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")


# --------------------------------------------------------------------------------------
# inverse, determinants, solve

def _batch_prefix(shape, idx) -> str:
    return f"(Batch element {idx}): " if len(shape) > 2 else ""


def _singular_inv_error(xp, a, fname):
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        try:
            xp.linalg.inv(m)
        except _LinAlgNumpyError:
            k = int(xp.linalg.matrix_rank(m)) + 1
            return LinAlgError(f"{fname}: {_batch_prefix(a.shape, i)}The diagonal element {k} is zero, the "
                               "inversion could not be completed because the input matrix is singular.")
    return LinAlgError(f"{fname}: The input matrix is singular.")


@defop("linalg_inv_ex", multi_out=True, save_out=True)
def _inv_ex(xp, a, *, check_errors=False, fname="linalg.inv_ex"):
    batch = a.shape[:-2]
    info = xp.zeros(batch, dtype=xp.int32)
    if a.shape[-1] == 0:
        return a.copy(), info
    try:
        return xp.linalg.inv(a), info
    except _LinAlgNumpyError:
        if check_errors:
            raise _singular_inv_error(xp, a, fname) from None
    flat = a.reshape((-1,) + a.shape[-2:])
    inv = xp.empty_like(flat)
    finfo = info.reshape(-1)
    for i, m in enumerate(flat):
        try:
            inv[i] = xp.linalg.inv(m)
        except _LinAlgNumpyError:
            inv[i] = xp.nan
            finfo[i] = int(xp.linalg.matrix_rank(m)) + 1
    return inv.reshape(a.shape), info


@_inv_ex.defbackward
def _(ctx, g, _ginfo):
    ainv = _mH(ctx.out[0])
    return -matmul(matmul(ainv, g), ainv)


def inv_ex(A: Tensor, *, check_errors=False, out=None):
    _check_square(A, "linalg.inv_ex")
    _check_float(A, "linalg.inv_ex")
    return _RT_linalg_inv_ex(*dispatch(_inv_ex, A, check_errors=check_errors))


def inv(A: Tensor, *, out=None) -> Tensor:
    """Inverse of square matrices (batched); ``LinAlgError`` when singular."""
    _check_tensor(A, "linalg_inv", "A", 1)
    _check_square(A, "linalg.inv")
    _check_float(A, "linalg.inv")
    return _out(dispatch(_inv_ex, A, check_errors=True, fname="linalg.inv")[0], out)


def inverse(input: Tensor, *, out=None) -> Tensor:
    return inv(input, out=out)


@defop("linalg_det", save_out=True)
def _det(xp, a):
    return xp.linalg.det(a)


@_det.defbackward
def _(ctx, g):
    (a,) = ctx.args
    d = ctx.out
    return (g * _conj(d)).unsqueeze(-1).unsqueeze(-1) * _mH(inv(a))


def det(A: Tensor, *, out=None) -> Tensor:
    """Determinant of square matrices (batched)."""
    _check_square(A, "linalg.det")
    _check_float(A, "linalg.det")
    return _out(dispatch(_det, A), out)


@defop("linalg_slogdet", multi_out=True)
def _slogdet(xp, a):
    sign, logabs = xp.linalg.slogdet(a)
    return sign, logabs


@_slogdet.defbackward
def _(ctx, _gsign, glog):
    (a,) = ctx.args
    return glog.unsqueeze(-1).unsqueeze(-1) * _mH(inv(a))


def linalg_slogdet(A: Tensor, *, out=None):
    """(sign, log|det|) of square matrices."""
    _check_square(A, "linalg.slogdet")
    _check_float(A, "linalg.slogdet")
    return _RT_linalg_slogdet(*dispatch(_slogdet, A))


def slogdet(input: Tensor):
    return _RT_slogdet(*linalg_slogdet(input))


def logdet(input: Tensor) -> Tensor:
    """log(det(input)): nan for a negative determinant, -inf for a singular matrix."""
    _check_square(input, "linalg.slogdet")
    _check_float(input, "logdet")
    sign, la = linalg_slogdet(input)
    return la + sign.detach().log()


@defop("linalg_solve", grad_name="LinalgSolveExBackward0", save_out=True)
def _solve(xp, a, b, *, vec=False):
    if vec:
        b = b[..., None]
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    if a.shape[:-2] != batch:
        a = xp.broadcast_to(a, batch + a.shape[-2:])
    if b.shape[:-2] != batch:
        b = xp.broadcast_to(b, batch + b.shape[-2:])
    try:
        x = xp.linalg.solve(a, b)
    except _LinAlgNumpyError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
    return x[..., 0] if vec else x


@_solve.defbackward
def _(ctx, g):
    a, b = ctx.args
    vec = ctx.kwargs.get("vec", False)
    x = ctx.out
    gb = dispatch(_solve, _mH(a), g, vec=vec)
    ga = None
    if ctx.needs_input_grad[0]:
        ga = -(gb.unsqueeze(-1) * _conj(x).unsqueeze(-2) if vec else matmul(gb, _mH(x)))
    return ga, gb


def solve(A: Tensor, B: Tensor, *, left=True, out=None) -> Tensor:
    """Solve ``A X = B`` (``X A = B`` when ``left=False``), batched with broadcasting."""
    _check_square(A, "linalg.solve")
    _check_float(A, "linalg.solve")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A._dtype._torch_name} and B of type {B._dtype._torch_name} instead")
    vec = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if not left:
        if vec:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not supported for "
                               "left=False. In this case linalg.solve is equivalent to B / A.squeeze(-1)")
        return _out(solve(A.mT, B.mT).mT, out)
    n = A.shape[-1]
    if (vec and B.shape[-1] != n) or (not vec and B.shape[-2] != n):
        bs = f"{B.shape[-1]}x1" if vec else _shape_str(B.shape[-2:])
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {bs})")
    batch_b = B.shape[:-1] if vec else B.shape[:-2]
    broadcast_shapes(tuple(A.shape[:-2]), tuple(batch_b))
    return _out(dispatch(_solve, A, B, vec=vec), out)


def solve_ex(A: Tensor, B: Tensor, *, left=True, check_errors=False, out=None):
    x = solve(A, B, left=left)
    xp = xp_of(A._device)
    info = _from_array(xp.zeros(broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]) if B.ndim >= 2 else ()),
                                dtype=xp.int32), None, A._device)
    return _RT_linalg_solve_ex(x, info)


# --------------------------------------------------------------------------------------
# decompositions

def _chol_error(xp, a, upper, fname):
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        try:
            xp.linalg.cholesky(m, upper=upper)
        except _LinAlgNumpyError:
            k = _first_nonpd_minor(xp, m)
            return LinAlgError(f"{fname}: {_batch_prefix(a.shape, i)}The factorization could not be completed "
                               f"because the input is not positive-definite (the leading minor of order {k} is not "
                               "positive-definite).")
    return LinAlgError(f"{fname}: The factorization could not be completed because the input is not "
                       "positive-definite.")


def _first_nonpd_minor(xp, m):
    for k in range(1, m.shape[-1] + 1):
        try:
            xp.linalg.cholesky(m[:k, :k])
        except _LinAlgNumpyError:
            return k
    return m.shape[-1]


@defop("linalg_cholesky_ex", multi_out=True, save_out=True)
def _cholesky_ex(xp, a, *, upper=False, check_errors=False, fname="linalg.cholesky_ex"):
    info = xp.zeros(a.shape[:-2], dtype=xp.int32)
    try:
        return xp.linalg.cholesky(a, upper=upper), info
    except _LinAlgNumpyError:
        if check_errors:
            raise _chol_error(xp, a, upper, fname) from None
    flat = a.reshape((-1,) + a.shape[-2:])
    out = xp.zeros_like(flat)
    finfo = info.reshape(-1)
    for i, m in enumerate(flat):
        try:
            out[i] = xp.linalg.cholesky(m, upper=upper)
        except _LinAlgNumpyError:
            finfo[i] = _first_nonpd_minor(xp, m)
    return out.reshape(a.shape), info


@_cholesky_ex.defbackward
def _(ctx, g, _ginfo):
    L = ctx.out[0]
    if ctx.kwargs.get("upper", False):
        L, g = _mH(L), _mH(g)
    P = matmul(_mH(L), _tril(g))
    P = _tril(P) - 0.5 * _diag_embed(_diagonal(P))
    LH = _mH(L)
    S = solve(LH, _mH(solve(LH, _mH(P))))
    return 0.5 * (S + _mH(S))


def cholesky_ex(A: Tensor, *, upper=False, check_errors=False, out=None):
    _check_square(A, "linalg.cholesky_ex")
    _check_float(A, "linalg.cholesky_ex")
    return _RT_linalg_cholesky_ex(*dispatch(_cholesky_ex, A, upper=upper, check_errors=check_errors))


def linalg_cholesky(A: Tensor, *, upper=False, out=None) -> Tensor:
    """Cholesky factor of Hermitian positive-definite matrices."""
    _check_square(A, "linalg.cholesky")
    _check_float(A, "linalg.cholesky")
    return _out(dispatch(_cholesky_ex, A, upper=upper, check_errors=True, fname="linalg.cholesky")[0], out)


def cholesky(input: Tensor, upper=False, *, out=None) -> Tensor:
    """``torch.cholesky`` (deprecated API)."""
    _check_square(input, "cholesky")
    _check_float(input, "cholesky")
    return _out(dispatch(_cholesky_ex, input, upper=upper, check_errors=True, fname="cholesky")[0], out)


@defop("linalg_qr", multi_out=True, save_out=True)
def _qr(xp, a, *, mode="reduced"):
    if mode == "r":
        r = xp.linalg.qr(a, mode="r")
        return xp.zeros((0,), dtype=a.dtype), r
    q, r = xp.linalg.qr(a, mode=mode)
    return q, r


def _qr_backward_tall(gQ, gR, Q, R):
    # A = QR with m >= n (Q: m x n, R: n x n)
    M = matmul(R, _mH(gR)) - matmul(_mH(gQ), Q)
    low = _tril(M, -1)
    M = low + _mH(low) + _diag_embed(_diagonal(M))
    rhs = gQ + matmul(Q, M)
    # rhs @ R^{-H}  ==  (R^{-1} rhs^H)^H
    return _mH(solve(R, _mH(rhs)))


@_qr.defbackward
def _(ctx, gQ, gR):
    mode = ctx.kwargs.get("mode", "reduced")
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                           "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                           "linalg.qr.")
    (A,) = ctx.args
    Q, R = ctx.out
    m, n = A.shape[-2], A.shape[-1]
    if m >= n:
        if mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               "nrows > ncols.")
        return _qr_backward_tall(gQ, gR, Q, R)
    # wide: A = [X | Y], R = [U | V]
    U = R[..., :, :m]
    gU, gV = gR[..., :, :m], gR[..., :, m:]
    Y = A[..., :, m:]
    gX = _qr_backward_tall(gQ + matmul(Y, _mH(gV)), gU, Q, U)
    gY = matmul(Q, gV)
    from ember import cat
    return cat([gX, gY], -1)


def linalg_qr(A: Tensor, mode="reduced", *, out=None):
    """QR decomposition (``mode``: 'reduced', 'complete', 'r')."""
    _check_matrix(A, "linalg.qr")
    _check_float(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    return _RT_linalg_qr(*dispatch(_qr, A, mode=mode))


def qr(input: Tensor, some=True, *, out=None):
    """``torch.qr`` (deprecated API)."""
    return _RT_qr(*linalg_qr(input, "reduced" if some else "complete"))


@defop("linalg_svd", multi_out=True, save_out=True)
def _svd(xp, a, *, full_matrices=True):
    if a.size == 0:
        m, n = a.shape[-2:]
        k = min(m, n)
        batch = a.shape[:-2]
        um, vn = (m, n) if full_matrices else (k, k)
        u = xp.zeros(batch + (m, um), dtype=a.dtype)
        vh = xp.zeros(batch + (vn, n), dtype=a.dtype)
        if full_matrices:
            u[...] = xp.eye(m, dtype=a.dtype)
            vh[...] = xp.eye(n, dtype=a.dtype)
        return u, xp.zeros(batch + (k,), dtype=xp.abs(a).dtype), vh
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return u, s, vh


@_svd.defbackward
def _(ctx, gU, gS, gVh):
    (A,) = ctx.args
    U, S, Vh = ctx.out
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    if ctx.kwargs.get("full_matrices", True) and m != n:
        U, Vh = U[..., :, :k], Vh[..., :k, :]
        gU, gVh = gU[..., :, :k], gVh[..., :k, :]
    V = _mH(Vh)
    gV = _mH(gVh)
    gA = _diag_embed(gS.to(A.dtype) if _is_complex(A) else gS)
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)   # E[i, j] = s_j^2 - s_i^2
    E = E + _eye(k, E)
    UhgU = matmul(_mH(U), gU)
    VhgV = matmul(_mH(V), gV)
    J = (UhgU - _mH(UhgU)) / E       # skew parts over the singular-value gaps
    K = (VhgV - _mH(VhgV)) / E
    Sc = S.to(A.dtype) if _is_complex(A) else S
    gA = gA + J * Sc.unsqueeze(-2) + Sc.unsqueeze(-1) * K
    gA = matmul(matmul(U, gA), Vh)
    Sinv = 1 / Sc
    if m > k:
        proj = gU - matmul(U, UhgU)
        gA = gA + matmul(proj * Sinv.unsqueeze(-2), Vh)
    if n > k:
        proj = gV - matmul(V, VhgV)
        gA = gA + matmul(U * Sinv.unsqueeze(-2), _mH(proj))
    return gA


def linalg_svd(A: Tensor, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh``."""
    _check_matrix(A, "linalg.svd")
    _check_float(A, "linalg.svd")
    return _RT_linalg_svd(*dispatch(_svd, A, full_matrices=full_matrices))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """Singular values, descending."""
    _check_matrix(A, "linalg.svdvals")
    _check_float(A, "linalg.svdvals")
    return _out(dispatch(_svd, A, full_matrices=False)[1], out)


def svd(input: Tensor, some=True, compute_uv=True, *, out=None):
    """``torch.svd``: returns (U, S, V) with reduced factors when ``some``."""
    _check_matrix(input, "linalg.svd")
    if not compute_uv:
        xp = xp_of(input._device)
        m, n = input.shape[-2], input.shape[-1]
        batch = tuple(input.shape[:-2])
        U = _from_array(xp.zeros(batch + (m, m), dtype=input._data.dtype), None, input._device)
        V = _from_array(xp.zeros(batch + (n, n), dtype=input._data.dtype), None, input._device)
        return _RT_svd(U, svdvals(input), V)
    U, S, Vh = dispatch(_svd, input, full_matrices=not some)
    return _RT_svd(U, S, _mH(Vh))


@defop("linalg_eigh", multi_out=True, save_out=True)
def _eigh(xp, a, *, UPLO="L"):
    w, v = xp.linalg.eigh(a, UPLO=UPLO)
    return w, v


@_eigh.defbackward
def _(ctx, gL, gV):
    L, V = ctx.out
    n = L.shape[-1]
    VhgV = matmul(_mH(V), gV)
    E = L.unsqueeze(-2) - L.unsqueeze(-1)   # E[i, j] = l_j - l_i
    E = E + _eye(n, E)
    Lg = gL.to(V.dtype) if _is_complex(V) else gL
    inner_ = (VhgV - _mH(VhgV)) * 0.5 / (E.to(V.dtype) if _is_complex(V) else E)
    inner_ = inner_ * (1 - _eye(n, inner_)) + _diag_embed(Lg)
    return matmul(matmul(V, inner_), _mH(V))


def eigh(A: Tensor, UPLO="L", *, out=None):
    """Eigen-decomposition of Hermitian matrices: ascending eigenvalues and eigenvectors."""
    _check_square(A, "linalg.eigh")
    _check_float(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _RT_linalg_eigh(*dispatch(_eigh, A, UPLO=UPLO))


def eigvalsh(A: Tensor, UPLO="L", *, out=None) -> Tensor:
    _check_square(A, "linalg.eigvalsh")
    _check_float(A, "linalg.eigvalsh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _out(dispatch(_eigh, A, UPLO=UPLO)[0], out)


# --------------------------------------------------------------------------------------
# composites: pinv, lstsq, matrix_power, matrix_rank, multi_dot

@defop("linalg_pinv", save_out=True)
def _pinv(xp, a, *, atol, rtol, hermitian):
    m, n = a.shape[-2:]
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
    if hermitian:
        w, v = xp.linalg.eigh(a)
        aw = xp.abs(w)
        tol = xp.maximum(atol, rtol * aw.max(axis=-1, keepdims=True))
        winv = xp.where(aw > tol, 1 / w, 0).astype(w.dtype, copy=False)
        return xp.matmul(v * winv[..., None, :], xp.conj(xp.swapaxes(v, -1, -2)))
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    tol = xp.maximum(atol, rtol * s[..., :1])
    sinv = xp.where(s > tol, 1 / s, 0).astype(s.dtype, copy=False)
    return xp.matmul(xp.conj(xp.swapaxes(vh, -1, -2)) * sinv[..., None, :], xp.conj(xp.swapaxes(u, -1, -2)))


@_pinv.defbackward
def _(ctx, g):
    (A,) = ctx.args
    P = ctx.out
    PH, gH = _mH(P), _mH(g)
    gA = -matmul(matmul(PH, g), PH)
    t = matmul(gH, matmul(P, PH))                    # m x n
    gA = gA + t - matmul(A, matmul(P, t))            # (I - A P) g^H P P^H
    u = matmul(matmul(PH, P), gH)                    # m x n
    gA = gA + u - matmul(matmul(u, P), A)            # P^H P g^H (I - P A)
    return gA


def _real_dtype(A: Tensor):
    return D.float32 if A._dtype in (D.float32, D.complex64) else D.float64


def _resolve_tol(A, atol, rtol):
    if isinstance(atol, Tensor):
        atol = float(atol)
    if isinstance(rtol, Tensor):
        rtol = float(rtol)
    if rtol is None:
        rtol = 0.0 if (atol is not None and atol > 0) else D.finfo(_real_dtype(A)).eps * max(A.shape[-2], A.shape[-1])
    return (0.0 if atol is None else float(atol)), float(rtol)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian=False, out=None) -> Tensor:
    """Moore-Penrose pseudo-inverse via the SVD (or eigh when ``hermitian``)."""
    _check_matrix(A, "linalg.pinv")
    _check_float(A, "linalg.pinv")
    atol, rtol = _resolve_tol(A, atol, rtol)
    return _out(dispatch(_pinv, A, atol=atol, rtol=rtol, hermitian=hermitian), out)


def pinverse(input: Tensor, rcond=1e-15) -> Tensor:
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian=False, tol=None, out=None) -> Tensor:
    """Number of singular values above the tolerance (int64)."""
    _check_matrix(A, "linalg.matrix_rank")
    _check_float(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    atol, rtol = _resolve_tol(A, atol, rtol)
    xp = xp_of(A._device)
    a = A._data
    if a.size == 0:
        r = xp.zeros(a.shape[:-2], dtype=xp.int64)
    else:
        s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
        t = xp.maximum(atol, rtol * s.max(axis=-1, keepdims=True))
        r = (s > t).sum(axis=-1).astype(xp.int64)
    return _out(_from_array(xp.asarray(r), D.int64, A._device), out)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` (PyTorch's CPU default driver 'gelsy' semantics)."""
    _check_matrix(A, "linalg.lstsq")
    _check_float(A, "linalg.lstsq")
    if A._dtype is not B._dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A._dtype._torch_name} and other's dtype {B._dtype._torch_name}")
    if not (A.ndim >= B.ndim and A.ndim - B.ndim <= 1):
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    vec = B.ndim == A.ndim - 1
    if driver is not None and driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    driver = driver or "gelsy"
    m, n = A.shape[-2], A.shape[-1]
    if (B.shape[-1] if vec else B.shape[-2]) != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-{1 if vec else 2})")
    Bm = B.unsqueeze(-1) if vec else B
    real = _real_dtype(A)
    if rcond is None:
        rcond = D.finfo(real).eps * max(m, n)
    X = matmul(pinv(A, rtol=rcond), Bm)
    empty = A.reshape(-1)[:0]
    empty = empty.abs() if _is_complex(A) else empty
    batch = broadcast_shapes(tuple(A.shape[:-2]), tuple(Bm.shape[:-2]))
    rank = empty.long()
    sv = empty
    res = empty
    if driver != "gels":
        rank = matrix_rank(A, rtol=rcond)
        if tuple(rank.shape) != batch:
            rank = rank.expand(batch).clone()
    if driver in ("gelsd", "gelss"):
        sv = svdvals(A)
    if m > n and driver != "gelsy":
        full = bool((rank == n).all()) if driver != "gels" else True
        if full:
            r = matmul(A, X) - Bm
            res = (r.abs() ** 2).sum(-2)
    if vec:
        X = X.squeeze(-1)
    return _RT_linalg_lstsq(X, res, rank, sv)


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A`` multiplied by itself ``n`` times (``n < 0`` uses the inverse)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim >= 2 else 1} by {A.shape[-1] if A.ndim else 1} matrices")
    if n == 0:
        return _out(A * 0 + _eye(A.shape[-1], A), out)
    if n < 0:
        A = inv(A)
        n = -n
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return _out(result.clone() if result is A else result, out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """Chain of matrix products (first / last operand may be 1-D)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first_vec = tensors[0].ndim == 1
    last_vec = tensors[-1].ndim == 1
    for i, t in enumerate(tensors):
        need = 2
        if (i == 0 and first_vec) or (i == len(tensors) - 1 and last_vec):
            need = 1
        if t.ndim != need:
            if i == 0:
                raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {t.ndim}D")
            if i == len(tensors) - 1:
                raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    ts = [t.unsqueeze(0) if i == 0 and first_vec else t for i, t in enumerate(tensors)]
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    r = ts[0]
    for t in ts[1:]:
        r = mm(r, t)
    if first_vec:
        r = r.squeeze(0)
    if last_vec:
        r = r.squeeze(-1)
    return _out(r, out)


def chain_matmul(*matrices, out=None) -> Tensor:
    if len(matrices) == 1:
        return matrices[0] * 1
    return multi_dot(matrices, out=out)


# --------------------------------------------------------------------------------------
# Tensor methods and aliases

methods(matmul, mm, bmm, mv, dot, vdot, inner, outer, ger, addmm, addmv, addbmm, baddbmm, addr, kron, cross,
        det, logdet, inverse, pinverse, matrix_power, cholesky,
        slogdet, svd, qr, names={"ger": outer})
inplace_methods(addmm_=addmm, addmv_=addmv, addbmm_=addbmm, baddbmm_=baddbmm, addr_=addr)
Tensor.__matmul__ = lambda self, other: _matmul_impl(self, other)
Tensor.__rmatmul__ = lambda self, other: _matmul_impl(other, self)


def vecdot(x: Tensor, y: Tensor, *, dim=-1, out=None) -> Tensor:
    """``sum(conj(x) * y, dim)``."""
    return _out((_conj(x) * y).sum(dim), out)
