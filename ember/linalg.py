"""ember.linalg: norms, inverses, decompositions, solvers (``torch.linalg``)."""

from __future__ import annotations

from ember.ops.linalg import (
    LinAlgError,
    cholesky_ex,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    lstsq,
    matmul,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    pinv,
    solve,
    solve_ex,
    svdvals,
    vecdot,
    vector_norm,
)
from ember.ops.linalg import linalg_cholesky as cholesky  # noqa: I001
from ember.ops.linalg import linalg_cross as cross
from ember.ops.linalg import linalg_norm as norm
from ember.ops.linalg import linalg_qr as qr
from ember.ops.linalg import linalg_slogdet as slogdet
from ember.ops.linalg import linalg_svd as svd

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "eigh", "eigvalsh", "inv", "inv_ex", "lstsq",
    "matmul", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet",
    "solve", "solve_ex", "svd", "svdvals", "vecdot", "vector_norm",
]
