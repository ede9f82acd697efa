"""Linear algebra: matmul and friends, and the ops behind ``ember.linalg``."""

from __future__ import annotations

from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops._util import methods, write_out
from ember.ops.registry import defop

__all__ = ["matmul", "mm"]


def _out(result: Tensor, out):
    return result if out is None else write_out(out, result)


@defop("matmul", promote="same", grad_name="MmBackward0")
def _matmul(xp, a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        sa = "x".join(map(str, a.shape if a.ndim > 1 else (1,) + a.shape))
        sb = "x".join(map(str, b.shape if b.ndim > 1 else b.shape + (1,)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    return xp.matmul(a, b)


@_matmul.defbackward
def _(ctx, g):
    a, b = ctx.args
    need_a, need_b = ctx.needs_input_grad
    ga = gb = None
    if a.ndim == 1 and b.ndim == 1:
        return (g * b.conj() if need_a else None), (g * a.conj() if need_b else None)
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    g2 = g
    if a.ndim == 1:
        g2 = g2.unsqueeze(-2)
    if b.ndim == 1:
        g2 = g2.unsqueeze(-1)
    if need_a:
        ga = matmul(g2, b2.mT.conj())
        if a.ndim == 1:
            ga = ga.sum_to_size(1, a.shape[0]).reshape(a.shape)
    if need_b:
        gb = matmul(a2.mT.conj(), g2)
        if b.ndim == 1:
            gb = gb.sum_to_size(b.shape[0], 1).reshape(b.shape)
    return ga, gb


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with NumPy/PyTorch broadcasting of batch dims."""
    return _out(dispatch(_matmul, input, other), out)


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """2-D matrix product."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


methods(matmul, mm)
Tensor.__matmul__ = lambda self, other: dispatch(_matmul, self, other)
Tensor.__rmatmul__ = lambda self, other: dispatch(_matmul, other, self)
