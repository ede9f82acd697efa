"""Samples for ember/ops/linalg.py and ember.linalg."""

import math

import numpy as np

from tests.oracle.harness import DT, NG, Lib, Sl, T, case, rand

CASES = []
F64 = "float64"


def spd(*shape, dtype="float32", seed=None):
    """Well-conditioned symmetric positive-definite matrices (A A^T + n I)."""
    a = rand(*shape, dtype=dtype, seed=seed).astype(np.float64)
    n = shape[-1]
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dtype)


def wellcond(*shape, dtype="float32", seed=None):
    """Square matrices with a dominant diagonal (far from singular)."""
    a = rand(*shape, dtype=dtype, seed=seed, low=-1, high=1).astype(np.float64)
    return (a + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _rg(*ts):
    for t in ts:
        t.requires_grad_()


# --- products ---------------------------------------------------------------------------
CASES += [
    case("matmul", rand(3, 4), rand(4, 5)),
    case("matmul", rand(4), rand(4, 5)),
    case("matmul", rand(3, 4), rand(4)),
    case("matmul", rand(4), rand(4)),
    case("matmul", rand(2, 3, 4), rand(4, 5)),
    case("matmul", rand(2, 3, 4), rand(2, 4, 5)),
    case("matmul", rand(2, 3, 4), rand(4)),
    case("matmul", rand(4), rand(2, 4, 5)),
    case("matmul", rand(2, 1, 3, 4), rand(5, 4, 2)),
    case("matmul", T(rand(3, 4)), T(rand(4, 5))),
    case("matmul", Sl(rand(3, 4)), rand(4, 2)),
    case("matmul", rand(3, 4, dtype=F64), rand(4, 2, dtype=F64)),
    case("matmul", rand(0, 4), rand(4, 2)),
    case("matmul", rand(3, 0), rand(0, 2)),
    case("matmul", rand(3, 4, dtype="int64"), rand(4, 2, dtype="int64")),
    case("matmul", rand(3, 4, dtype="complex64"), rand(4, 2, dtype="complex64")),
    case("matmul", rand(3, 4), rand(5, 2), raises=True),
    case("matmul", rand(3, 4), rand(4, 2, dtype=F64), raises=True),
    case("matmul", rand(3, 4, dtype="bool"), rand(4, 2, dtype="bool"), raises=True),
    case("matmul", rand(), rand(3), raises=True),
    case("matmul", rand(3), rand(4), raises=True),
    case("matmul", rand(2, 3, 4), rand(3, 4, 5), raises=True),
    case("matmul", rand(3, 4), fn=lambda lib, a: lib.matmul(a, 2), raises=True),
    case("matmul", rand(3, 4), rand(4, 5), method=True),
    case("matmul", rand(3, 4), rand(4, 5), id="matmul_out",
         fn=lambda lib, a, b: lib.matmul(a.detach(), b.detach(), out=lib.empty(3, 5))),
    case("__matmul__", rand(3, 4), rand(4, 5), fn=lambda lib, a, b: a @ b),
    case("__matmul__", rand(2, 3, 4), rand(4), fn=lambda lib, a, b: a @ b),
    case("__rmatmul__", rand(3, 4), rand(4, 5), fn=lambda lib, a, b: b.__rmatmul__(a)),
    case("grad_fn", rand(3, 4), rand(4, 5), rand(4), rand(2, 3, 4), grad=False,
         fn=lambda lib, a, b, v, c: [_rg(a, b, v, c), (a @ b).grad_fn.name(), (a @ v).grad_fn.name(), (v @ v).grad_fn.name(),
                                     (c @ c.mT).grad_fn.name(), lib.bmm(c, c.mT).grad_fn.name(),
                                     lib.mm(a, b).grad_fn.name(), lib.mv(a, v).grad_fn.name(),
                                     lib.dot(v, v).grad_fn.name()]),
    case("mm", rand(3, 4), rand(4, 5)),
    case("mm", T(rand(3, 4)), rand(4, 5, dtype="float32")),
    case("mm", rand(3, 4, dtype=F64), T(rand(4, 5, dtype=F64))),
    case("mm", rand(3, 4, dtype="int32"), rand(4, 5, dtype="int32")),
    case("mm", rand(3, 4), rand(4, 5), method=True),
    case("mm", rand(3, 4), rand(4), raises=True),
    case("mm", rand(3), rand(3, 4), raises=True),
    case("mm", rand(3, 4), rand(5, 2), raises=True),
    case("mm", rand(3, 4), rand(4, 2, dtype=F64), raises=True),
    case("bmm", rand(2, 3, 4), rand(2, 4, 5)),
    case("bmm", T(rand(2, 3, 4)), rand(2, 4, 5)),
    case("bmm", rand(2, 3, 4, dtype=F64), rand(2, 4, 5, dtype=F64), method=True),
    case("bmm", rand(2, 3, 4, dtype="int64"), rand(2, 4, 5, dtype="int64")),
    case("bmm", rand(2, 3, 4), rand(3, 4, 5), raises=True),
    case("bmm", rand(3, 4), rand(3, 4, 5), raises=True),
    case("bmm", rand(2, 3, 4), rand(2, 4, 5, dtype=F64), raises=True),
    case("mv", rand(3, 4), rand(4)),
    case("mv", T(rand(3, 4)), Sl(rand(4))),
    case("mv", rand(3, 4, dtype=F64), rand(4, dtype=F64), method=True),
    case("mv", rand(3, 4, dtype="int64"), rand(4, dtype="int64")),
    case("mv", rand(3, 4), rand(5), raises=True),
    case("mv", rand(3, 4), rand(4, dtype=F64), raises=True),
    case("dot", rand(5), rand(5)),
    case("dot", Sl(rand(5)), rand(5, dtype="float32"), method=True),
    case("dot", rand(5, dtype="int64"), rand(5, dtype="int64")),
    case("dot", rand(0), rand(0)),
    case("dot", rand(3, dtype="complex128"), rand(3, dtype="complex128")),
    case("dot", rand(3), rand(4), raises=True),
    case("dot", rand(3, 1), rand(3), raises=True),
    case("dot", rand(3), rand(3, dtype=F64), raises=True),
    case("dot", rand(3, dtype="bool"), rand(3, dtype="bool"), raises=True),
    case("vdot", rand(5), rand(5)),
    case("vdot", rand(3, dtype="complex128"), rand(3, dtype="complex128")),
    case("vdot", rand(5, dtype="int64"), rand(5, dtype="int64"), method=True),
    case("vdot", rand(3), rand(4), raises=True),
    case("inner", rand(3, 4), rand(2, 4)),
    case("inner", rand(4), rand(4)),
    case("inner", rand(2, 3, 4), rand(4)),
    case("inner", rand(3, 4), Lib(lambda lib: lib.tensor(2.5))),
    case("inner", rand(3, 4), rand(2, 4), method=True),
    case("inner", rand(3, 4), rand(3), raises=True),
    case("inner", rand(3, 4), rand(2, 4, dtype=F64), raises=True),
    case("outer", rand(3), rand(4)),
    case("outer", rand(3, dtype=F64), rand(4, dtype="float32")),
    case("outer", rand(3, dtype="int64"), rand(4, dtype="int64"), method=True),
    case("ger", rand(3), rand(4)),
    case("ger", rand(3), rand(4), method=True),
    case("outer", rand(3, 2), rand(4), raises=True),
]

# --- einsum / tensordot -------------------------------------------------------------------
CASES += [
    case("einsum", "ij,jk->ik", rand(3, 4), rand(4, 5)),
    case("einsum", "ij,jk", rand(3, 4), rand(4, 5)),
    case("einsum", "bij,bjk->bik", rand(2, 3, 4), T(rand(2, 4, 5))),
    case("einsum", "...ij,...jk->...ik", rand(2, 3, 4), rand(4, 5)),
    case("einsum", "...ij,...jk", rand(2, 1, 3, 4), rand(5, 4, 2)),
    case("einsum", "i,i->", rand(4), rand(4)),
    case("einsum", "i,j->ij", rand(3), rand(4)),
    case("einsum", "ii->i", rand(4, 4)),
    case("einsum", "ii", rand(4, 4)),
    case("einsum", "iij->j", rand(3, 3, 2)),
    case("einsum", "ij->", rand(3, 4)),
    case("einsum", "ij->j", rand(3, 4)),
    case("einsum", "ij->ji", rand(3, 4)),
    case("einsum", "ij,ij->ij", rand(3, 4), rand(3, 4)),
    case("einsum", "ij,ik->jk", rand(1, 3), rand(2, 4)),
    case("einsum", "ij,jk,kl->il", rand(2, 3), rand(3, 4), rand(4, 5)),
    case("einsum", "b i d, b j d -> b i j", rand(2, 3, 4), rand(2, 5, 4)),
    case("einsum", "...i,...i->...", rand(2, 3), rand(3)),
    case("einsum", "i...->...", rand(3, 2, 2)),
    case("einsum", "ij,jk->ik", [rand(3, 4), rand(4, 5)]),
    case("einsum", "ij,jk->ik", rand(3, 4, dtype="int64"), rand(4, 5, dtype="int64")),
    case("einsum", "ij,jk->ik", rand(3, 4, dtype=F64), rand(4, 5, dtype=F64)),
    case("einsum", "Ab,bC->AC", rand(3, 4), rand(4, 5)),
    case("einsum", "ij,jk->ik", rand(3, 4), rand(5, 6), raises=True),
    case("einsum", "ij,jk->ik", rand(3, 4), rand(4, 5, dtype=F64), raises=True),
    case("einsum", "ij,jk->ik", rand(3, 4), raises=True),
    case("einsum", "ijk->i", rand(3, 4), raises=True),
    case("tensordot", rand(3, 4, 5), rand(4, 5, 6)),
    case("tensordot", rand(3, 4, 5), rand(5, 6), dims=1),
    case("tensordot", rand(3, 4), rand(4, 5), dims=0),
    case("tensordot", rand(3, 4, 5), rand(4, 3, 2), dims=([0, 1], [1, 0])),
    case("tensordot", T(rand(3, 4)), rand(3, 2), dims=([0], [0])),
    case("tensordot", rand(3, 4, dtype=F64), rand(4, 2, dtype=F64), dims=([-1], [0])),
    case("tensordot", rand(3, 4), rand(3, 4), dims=([0], [1]), raises=True),
    case("tensordot", rand(3, 4), rand(4, 2, dtype=F64), dims=1, raises=True),
]

# --- add*-products ------------------------------------------------------------------------
for op, args in (("addmm", (rand(3, 5), rand(3, 4), rand(4, 5))),
                 ("addmv", (rand(3), rand(3, 4), rand(4))),
                 ("baddbmm", (rand(2, 3, 5), rand(2, 3, 4), rand(2, 4, 5))),
                 ("addbmm", (rand(3, 5), rand(2, 3, 4), rand(2, 4, 5))),
                 ("addr", (rand(3, 4), rand(3), rand(4)))):
    CASES += [
        case(op, *args),
        case(op, *args, beta=0.5, alpha=2.0),
        case(op, *args, method=True),
        case(op, rand(*args[0].shape[-1:]), *args[1:]),
        case(op, NG(np.full(args[0].shape, np.nan, dtype="float32")), *args[1:], beta=0),
        case(op, *(a.astype(F64) for a in args), alpha=-1),
        case(op, *(a.astype("int64") * 0 + rand(*a.shape, dtype="int64") for a in args), beta=2, alpha=3),
        case(op, *args, fn=lambda lib, x, *r, _op=op: getattr(x.detach().clone(), _op + "_")(*(t.detach() for t in r)),
             id=op + "_"),
        case(op, rand(7, 7), *args[1:], raises=True),
    ]
CASES += [
    case("addmm", rand(3, 5), T(rand(3, 4)), T(rand(4, 5))),
    case("addmm", rand(3, 5), rand(3, 4), rand(5, 5), raises=True),
    case("addmm", rand(3, 5), rand(3, 4), rand(4, 5, dtype=F64), raises=True),
    case("addmm", rand(3, 5), rand(3, 4), rand(4, 5), id="addmm_grad_fn", grad=False,
         fn=lambda lib, i, a, b: [_rg(a), lib.addmm(i, a, b).grad_fn.name()]),
    case("addmv", rand(3), rand(3, 4), rand(5), raises=True),
    case("baddbmm", rand(2, 3, 5), rand(2, 3, 4), rand(3, 4, 5), raises=True),
    case("addr", rand(3, 4), rand(3, dtype=F64), rand(4), grad=False),  # torch's own backward fails here
    case("addr", rand(3, 4, dtype="bool"), rand(3, dtype="bool"), rand(4, dtype="bool")),
    case("addr", rand(3, 4), rand(3, 1), rand(4), raises=True),
]

# --- kron, cross, cdist -------------------------------------------------------------------
CASES += [
    case("kron", rand(2, 3), rand(4, 5)),
    case("kron", rand(2), rand(3, 4)),
    case("kron", rand(2, 2, dtype="int64"), rand(3, 2, dtype="float32")),
    case("kron", rand(2, 3), rand(2, 2, 2), method=True),
    case("cross", rand(4, 3), rand(4, 3)),
    case("cross", rand(3, 5), rand(3, 5), dim=0),
    case("cross", rand(4, 3, 5), rand(4, 3, 5)),
    case("cross", rand(2, 3), rand(1, 3), dim=-1, method=True),
    case("cross", rand(4, 3, dtype="int64"), rand(4, 3, dtype="int64"), dim=1),
    case("cross", rand(4, 4), rand(4, 4), raises=True),
    case("cross", rand(4, 3), rand(4, 3, dtype=F64), dim=1, raises=True),
    case("linalg.cross", rand(4, 3), rand(4, 3), fn=lambda lib, a, b: lib.linalg.cross(a, b)),
    case("linalg.cross", rand(3, 4), rand(3, 4), fn=lambda lib, a, b: lib.linalg.cross(a, b, dim=0)),
    case("linalg.cross", rand(2, 1, 3, dtype=F64), rand(1, 4, 3, dtype=F64),
         fn=lambda lib, a, b: lib.linalg.cross(a, b)),
    case("linalg.cross", rand(2, 1, 3, dtype=F64), rand(4, 3, dtype=F64),
         fn=lambda lib, a, b: lib.linalg.cross(a, b), raises=True),
    case("linalg.cross", rand(3, 4), rand(3, 4), fn=lambda lib, a, b: lib.linalg.cross(a, b), raises=True),
    case("cdist", rand(3, 4), rand(5, 4)),
    case("cdist", rand(2, 3, 4), rand(5, 4), p=1.0),
    case("cdist", rand(2, 3, 4, dtype=F64), rand(2, 5, 4, dtype=F64), p=3.0),
    case("cdist", rand(3, 4), rand(5, 4), p=math.inf),
    case("cdist", rand(3, 4), rand(5, 4), p=0.0),
    case("cdist", rand(30, 4, dtype=F64), rand(27, 4, dtype=F64), compute_mode="use_mm_for_euclid_dist"),
    case("cdist", rand(3, 4), rand(5, 3), raises=True),
    case("cdist", rand(4), rand(4), raises=True),
    case("cdist", rand(3, 4), rand(5, 4), p=-1.0, raises=True),
    case("cdist", rand(3, 4, dtype="int64"), rand(5, 4, dtype="int64"), raises=True),
]

# --- norms -------------------------------------------------------------------------------
_vn = lambda lib, *a, **k: lib.linalg.vector_norm(*a, **k)  # noqa: E731
_mn = lambda lib, *a, **k: lib.linalg.matrix_norm(*a, **k)  # noqa: E731
_n = lambda lib, *a, **k: lib.linalg.norm(*a, **k)  # noqa: E731
for ordv in (2, 1, 3, 0.5, math.inf, -math.inf, 0, -1):
    CASES += [
        case("linalg.vector_norm", rand(3, 4), ordv, fn=_vn),
        case("linalg.vector_norm", rand(3, 4, dtype=F64), ordv, dim=1, keepdim=True, fn=_vn),
        case("linalg.vector_norm", T(rand(2, 3, 4)), ordv, dim=(0, -1), fn=_vn),
    ]
CASES += [
    case("linalg.vector_norm", rand(5), fn=_vn),
    case("linalg.vector_norm", Lib(lambda lib: lib.tensor(-2.5)), fn=_vn),
    case("linalg.vector_norm", rand(0, 3), fn=_vn),
    case("linalg.vector_norm", rand(0, 3), math.inf, dim=1, fn=_vn),
    case("linalg.vector_norm", rand(3, 4), dtype=DT("float64"), fn=_vn),
    case("linalg.vector_norm", rand(3, 4, dtype="complex64"), fn=_vn, grad=False),
    case("linalg.vector_norm", NG(np.zeros((3, 4), dtype="float32")), fn=_vn),
    case("linalg.vector_norm", np.zeros((3, 4), dtype="float32"), dim=1, fn=_vn),
    case("linalg.vector_norm", rand(3, dtype="int64"), fn=_vn, raises=True),
    case("linalg.vector_norm", rand(0, 3), math.inf, fn=_vn, raises=True),
    case("linalg.vector_norm", rand(3, 4), "fro", fn=_vn, raises=True),
]
for ordv in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf):
    CASES += [
        case("linalg.matrix_norm", rand(3, 4, dtype=F64), ordv, fn=_mn),
        case("linalg.matrix_norm", rand(2, 3, 3), ordv, fn=_mn, rtol=1e-4, atol=1e-5),
        case("linalg.matrix_norm", rand(3, 2, 4, dtype=F64), ordv, dim=(0, 2), keepdim=True, fn=_mn),
    ]
CASES += [
    case("linalg.matrix_norm", rand(3), fn=_mn, raises=True),
    case("linalg.matrix_norm", rand(3, 3), 3, fn=_mn, raises=True),
    case("linalg.norm", rand(3, 4), fn=_n),
    case("linalg.norm", rand(2, 3, 4), fn=_n),
    case("linalg.norm", rand(2, 3, 4), keepdim=True, fn=_n),
    case("linalg.norm", rand(4), 1, fn=_n),
    case("linalg.norm", rand(3, 4, dtype=F64), "nuc", fn=_n),
    case("linalg.norm", rand(3, 4, dtype=F64), math.inf, fn=_n),
    case("linalg.norm", rand(2, 3, 4), 3, dim=1, fn=_n),
    case("linalg.norm", rand(2, 3, 4, dtype=F64), -1, dim=(2, 0), fn=_n),
    case("linalg.norm", rand(2, 3, 4), 2, fn=_n, raises=True),
    case("norm", rand(3, 4)),
    case("norm", rand(3, 4), 1),
    case("norm", rand(3, 4), 3, dim=1, keepdim=True),
    case("norm", rand(3, 4, dtype=F64), "fro", dim=(0, 1)),
    case("norm", rand(3, 4, dtype=F64), "nuc"),
    case("norm", rand(3, 4), method=True),
    case("norm", rand(3, 4), p=2, dim=-1, method=True),
    case("linalg.vecdot", rand(3, 4), rand(4), fn=lambda lib, a, b: lib.linalg.vecdot(a, b)),
    case("linalg.vecdot", rand(3, 4), rand(3, 4), fn=lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0)),
]

# --- inverse, det, solve -----------------------------------------------------------------
for dt in ("float32", F64):
    CASES += [
        case("linalg.inv", wellcond(4, 4, dtype=dt), fn=lambda lib, a: lib.linalg.inv(a)),
        case("linalg.inv", wellcond(2, 3, 3, dtype=dt), fn=lambda lib, a: lib.linalg.inv(a)),
        case("linalg.det", wellcond(4, 4, dtype=dt), fn=lambda lib, a: lib.linalg.det(a)),
        case("linalg.det", rand(2, 3, 3, dtype=dt), fn=lambda lib, a: lib.linalg.det(a)),
        case("linalg.slogdet", rand(2, 3, 3, dtype=dt), fn=lambda lib, a: lib.linalg.slogdet(a)),
        case("linalg.solve", wellcond(3, 3, dtype=dt), rand(3, 2, dtype=dt), fn=lambda lib, a, b: lib.linalg.solve(a, b)),
        case("linalg.solve", wellcond(2, 3, 3, dtype=dt), rand(3, dtype=dt), fn=lambda lib, a, b: lib.linalg.solve(a, b)),
        case("linalg.cholesky", spd(3, 3, dtype=dt), fn=lambda lib, a: lib.linalg.cholesky(a)),
        case("linalg.cholesky", spd(2, 4, 4, dtype=dt), fn=lambda lib, a: lib.linalg.cholesky(a, upper=True)),
    ]
CASES += [
    case("linalg.inv", T(wellcond(3, 3)), fn=lambda lib, a: lib.linalg.inv(a)),
    case("linalg.inv", rand(0, 0), fn=lambda lib, a: lib.linalg.inv(a)),
    case("linalg.inv", np.zeros((3, 3), dtype="float32"), fn=lambda lib, a: lib.linalg.inv(a), raises=True),
    case("linalg.inv", np.zeros((2, 3, 3), dtype="float32"), fn=lambda lib, a: lib.linalg.inv(a), raises=True),
    case("linalg.inv", rand(3, 4), fn=lambda lib, a: lib.linalg.inv(a), raises=True),
    case("linalg.inv", rand(3, 3, dtype="int64"), fn=lambda lib, a: lib.linalg.inv(a), raises=True),
    case("linalg.inv", np.zeros((3, 3), dtype="float32"), id="inv_linalgerror",
         fn=lambda lib, a: _raises_linalg_error(lib, lambda: lib.linalg.inv(a))),
    case("linalg.inv_ex", wellcond(3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.inv_ex(a)),
    case("linalg.inv_ex", NG(np.stack([np.eye(3), np.zeros((3, 3))])), fn=lambda lib, a: lib.linalg.inv_ex(a).info),
    case("inverse", wellcond(3, 3)),
    case("inverse", wellcond(3, 3, dtype=F64), method=True),
    case("det", wellcond(3, 3)),
    case("det", rand(2, 3, 3, dtype=F64), method=True),
    case("det", rand(3, 4), raises=True),
    case("logdet", spd(3, 3, dtype=F64)),
    case("logdet", NG(-np.eye(3)), grad=False),
    case("logdet", spd(2, 3, 3), method=True),
    case("slogdet", rand(3, 3, dtype=F64)),
    case("slogdet", rand(3, 3, dtype=F64), method=True),
    case("linalg.slogdet", rand(3, 3, dtype="int64"), fn=lambda lib, a: lib.linalg.slogdet(a), raises=True),
    case("linalg.det", rand(3, 3, dtype="complex128"), fn=lambda lib, a: lib.linalg.det(a)),
    case("linalg.solve", wellcond(3, 3), rand(2, 3, 4), fn=lambda lib, a, b: lib.linalg.solve(a, b)),
    case("linalg.solve", wellcond(2, 1, 3, 3, dtype=F64), rand(4, 3, 2, dtype=F64),
         fn=lambda lib, a, b: lib.linalg.solve(a, b)),
    case("linalg.solve", T(wellcond(3, 3)), T(rand(3, 3)), fn=lambda lib, a, b: lib.linalg.solve(a, b)),
    case("linalg.solve", wellcond(3, 3, dtype=F64), rand(2, 3, dtype=F64),
         fn=lambda lib, a, b: lib.linalg.solve(a, b, left=False)),
    case("linalg.solve", wellcond(3, 3), rand(3), fn=lambda lib, a, b: lib.linalg.solve_ex(a, b)),
    case("linalg.solve", np.zeros((3, 3), dtype="float32"), rand(3), fn=lambda lib, a, b: lib.linalg.solve(a, b),
         raises=True),
    case("linalg.solve", wellcond(3, 3), rand(4), fn=lambda lib, a, b: lib.linalg.solve(a, b), raises=True),
    case("linalg.solve", wellcond(3, 3), rand(3, dtype=F64), fn=lambda lib, a, b: lib.linalg.solve(a, b),
         raises=True),
    case("linalg.cholesky", T(spd(3, 3)), fn=lambda lib, a: lib.linalg.cholesky(a)),
    case("linalg.cholesky", NG(-np.eye(3)), fn=lambda lib, a: lib.linalg.cholesky(a), raises=True),
    case("linalg.cholesky", NG(np.stack([np.eye(3), -np.eye(3)])), id="cholesky_linalgerror",
         fn=lambda lib, a: _raises_linalg_error(lib, lambda: lib.linalg.cholesky(a))),
    case("linalg.cholesky", rand(3, 4), fn=lambda lib, a: lib.linalg.cholesky(a), raises=True),
    case("linalg.cholesky_ex", spd(3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.cholesky_ex(a)),
    case("linalg.cholesky_ex", NG(np.stack([np.eye(3), -np.eye(3)])),
         fn=lambda lib, a: lib.linalg.cholesky_ex(a).info),
    case("cholesky", spd(3, 3, dtype=F64)),
    case("cholesky", spd(3, 3, dtype=F64), True, method=True),
]


def _raises_linalg_error(lib, f):
    try:
        f()
    except lib.linalg.LinAlgError as e:
        return (type(e).__name__.lstrip("_"), isinstance(e, RuntimeError), str(e))
    return "no error"


# --- decompositions (compared through sign-invariant functions) ---------------------------
def _svd_parts(lib, a, **kw):
    U, S, Vh = lib.linalg.svd(a, **kw)
    k = S.shape[-1]
    U, Vh = U[..., :, :k], Vh[..., :k, :]
    return S, (U * S.unsqueeze(-2)) @ Vh, U * U, Vh * Vh


def _eigh_parts(lib, a, **kw):
    L, V = lib.linalg.eigh(a, **kw)
    return L, (V * L.unsqueeze(-2)) @ V.mT, V * V


for dt in ("float32", F64):
    CASES += [
        case("linalg.qr", rand(4, 3, dtype=dt), fn=lambda lib, a: lib.linalg.qr(a)),
        case("linalg.qr", rand(2, 3, 3, dtype=dt), fn=lambda lib, a: lib.linalg.qr(a)),
        case("linalg.svd", rand(4, 3, dtype=dt), fn=lambda lib, a: _svd_parts(lib, a, full_matrices=False)),
        case("linalg.svd", rand(2, 3, 5, dtype=dt), fn=lambda lib, a: _svd_parts(lib, a, full_matrices=False)),
        case("linalg.svdvals", rand(3, 4, dtype=dt), fn=lambda lib, a: lib.linalg.svdvals(a)),
        case("linalg.eigh", spd(4, 4, dtype=dt), fn=lambda lib, a: _eigh_parts(lib, a)),
        case("linalg.eigvalsh", rand(2, 3, 3, dtype=dt), fn=lambda lib, a: lib.linalg.eigvalsh(a)),
    ]
CASES += [
    case("linalg.qr", rand(3, 5, dtype=F64), fn=lambda lib, a: lib.linalg.qr(a)),
    case("linalg.qr", rand(4, 3, dtype=F64), fn=lambda lib, a: lib.linalg.qr(a, mode="complete"), grad=False),
    case("linalg.qr", rand(3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.qr(a, mode="complete")),
    case("linalg.qr", rand(4, 3, dtype=F64), fn=lambda lib, a: lib.linalg.qr(a, mode="r"), grad=False),
    case("linalg.qr", T(rand(3, 3, dtype=F64)), fn=lambda lib, a: lib.linalg.qr(a).Q),
    case("linalg.qr", rand(3, 3), fn=lambda lib, a: lib.linalg.qr(a, mode="bad"), raises=True),
    case("linalg.qr", rand(3), fn=lambda lib, a: lib.linalg.qr(a), raises=True),
    case("qr", rand(4, 3, dtype=F64)),
    case("qr", rand(4, 3, dtype=F64), False, grad=False),
    case("qr", rand(3, 3, dtype=F64), method=True),
    case("linalg.svd", rand(4, 3, dtype=F64), fn=lambda lib, a: lib.linalg.svd(a)[1]),
    case("linalg.svd", rand(3, 3, dtype=F64), fn=lambda lib, a: _svd_parts(lib, a)),
    case("linalg.svd", rand(4, 3, dtype=F64), fn=lambda lib, a: _svd_parts(lib, a)),
    case("linalg.svd", T(rand(3, 4, dtype=F64)), id="svd_shapes", grad=False,
         fn=lambda lib, a: [tuple(t.shape) for t in lib.linalg.svd(a)] + [tuple(t.shape) for t in
                                                                         lib.linalg.svd(a, full_matrices=False)]),
    case("linalg.svd", rand(3), fn=lambda lib, a: lib.linalg.svd(a), raises=True),
    case("linalg.svdvals", rand(2, 4, 3, dtype=F64), fn=lambda lib, a: lib.linalg.svdvals(a)),
    case("svd", rand(4, 3, dtype=F64), fn=lambda lib, a: (lambda r: (r.S, (r.U * r.S) @ r.V.mT, r.U * r.U))(
        lib.svd(a))),
    case("svd", rand(4, 3, dtype=F64), fn=lambda lib, a: (lambda r: (r.S, r.V * r.V))(a.svd())),
    case("linalg.eigh", spd(2, 3, 3, dtype=F64), fn=lambda lib, a: _eigh_parts(lib, a, UPLO="U")),
    case("linalg.eigh", rand(3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.eigh(a).eigenvalues),
    case("linalg.eigh", rand(3, 4), fn=lambda lib, a: lib.linalg.eigh(a), raises=True),
    case("linalg.eigvalsh", spd(3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.eigvalsh(a, UPLO="U")),
]

# --- pinv, lstsq, matrix_power, matrix_rank, multi_dot ------------------------------------
CASES += [
    case("linalg.pinv", rand(4, 3, dtype=F64), fn=lambda lib, a: lib.linalg.pinv(a)),
    case("linalg.pinv", rand(2, 3, 5), fn=lambda lib, a: lib.linalg.pinv(a), rtol=1e-4, atol=1e-5),
    case("linalg.pinv", spd(3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.pinv(a, hermitian=True)),
    case("linalg.pinv", NG(np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])), fn=lambda lib, a: lib.linalg.pinv(a)),
    case("linalg.pinv", NG(np.diag([3.0, 1e-3, 2.0])), fn=lambda lib, a: lib.linalg.pinv(a, atol=0.01)),
    case("linalg.pinv", NG(np.diag([3.0, 1e-3, 2.0])), fn=lambda lib, a: lib.linalg.pinv(a, rtol=0.1)),
    case("pinverse", rand(3, 4, dtype=F64)),
    case("pinverse", rand(3, 4, dtype=F64), method=True),
    case("linalg.lstsq", rand(5, 3, dtype=F64), rand(5, 2, dtype=F64), fn=lambda lib, a, b: lib.linalg.lstsq(a, b)),
    case("linalg.lstsq", rand(5, 3, dtype=F64), rand(5, dtype=F64), fn=lambda lib, a, b: lib.linalg.lstsq(a, b)),
    case("linalg.lstsq", rand(2, 5, 3), rand(2, 5, 2), fn=lambda lib, a, b: lib.linalg.lstsq(a, b),
         rtol=1e-4, atol=1e-4),
    case("linalg.lstsq", rand(3, 5, dtype=F64), rand(3, 2, dtype=F64),
         fn=lambda lib, a, b: lib.linalg.lstsq(a, b).solution, grad=False),
    case("linalg.lstsq", rand(5, 3, dtype=F64), rand(5, 2, dtype=F64),
         fn=lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd")),
    case("linalg.lstsq", rand(5, 3, dtype=F64), rand(4, 2, dtype=F64), fn=lambda lib, a, b: lib.linalg.lstsq(a, b),
         raises=True),
    case("linalg.matrix_power", wellcond(3, 3, dtype=F64), 3, fn=lambda lib, a, n: lib.linalg.matrix_power(a, n)),
    case("linalg.matrix_power", wellcond(2, 3, 3, dtype=F64), -2, fn=lambda lib, a, n: lib.linalg.matrix_power(a, n)),
    case("linalg.matrix_power", wellcond(3, 3), 1, fn=lambda lib, a, n: lib.linalg.matrix_power(a, n)),
    case("linalg.matrix_power", wellcond(3, 3), 0, fn=lambda lib, a, n: lib.linalg.matrix_power(a, n), grad=False),
    case("matrix_power", wellcond(3, 3), 4, method=True),
    case("matrix_power", rand(3, 3, dtype="int64"), 2),
    case("matrix_power", rand(3, 4), 2, raises=True),
    case("linalg.matrix_rank", rand(4, 3), fn=lambda lib, a: lib.linalg.matrix_rank(a)),
    case("linalg.matrix_rank", NG(np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]])),
         fn=lambda lib, a: lib.linalg.matrix_rank(a)),
    case("linalg.matrix_rank", NG(np.diag([3.0, 1e-3, 2.0])), fn=lambda lib, a: lib.linalg.matrix_rank(a, atol=0.01)),
    case("linalg.matrix_rank", rand(2, 3, 3, dtype=F64), fn=lambda lib, a: lib.linalg.matrix_rank(a, hermitian=True)),
    case("linalg.multi_dot", [rand(3, 4), rand(4, 5), rand(5, 2)], fn=lambda lib, ts: lib.linalg.multi_dot(ts)),
    case("linalg.multi_dot", [rand(4), rand(4, 5), rand(5)], fn=lambda lib, ts: lib.linalg.multi_dot(ts)),
    case("linalg.multi_dot", [rand(4), rand(4, 5, 2)], fn=lambda lib, ts: lib.linalg.multi_dot(ts), raises=True),
    case("linalg.matmul", rand(3, 4), rand(4, 5), fn=lambda lib, a, b: lib.linalg.matmul(a, b)),
]
