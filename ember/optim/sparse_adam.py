"""SparseAdam (``torch.optim.SparseAdam``).

ember has no sparse tensors, so the gradient is dense. It is read as the row-sparse
gradient an embedding would produce (indices along dim 0): the rows with any nonzero
entry are the gradient's indices, and, as in PyTorch, only those rows of the moments and
of the parameter are updated. A gradient that is zero in a whole row leaves that row
untouched (where Adam would keep decaying its moments)."""

from __future__ import annotations

import numpy as np

from ember._tensor import Tensor
from ember.optim._adam_family import _check_adam_args
from ember.optim.optimizer import Optimizer, _closure_loss, _grad_of, _to_float, _zeros_like

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Adam for (row-)sparse gradients (``torch.optim.SparseAdam``); see the module docstring."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize: bool = False):
        _check_adam_args(lr, betas, eps)
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One SparseAdam step over the rows of each gradient that hold a nonzero entry."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            eps = _to_float(group["eps"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = 0
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                st["step"] += 1
                step = st["step"]
                pa = p._data
                if pa.ndim == 0:
                    pa, g = pa.reshape(1), g.reshape(1)
                    m, v = st["exp_avg"]._data.reshape(1), st["exp_avg_sq"]._data.reshape(1)
                else:
                    m, v = st["exp_avg"]._data, st["exp_avg_sq"]._data
                rows = np.flatnonzero(g.reshape(g.shape[0], -1).any(axis=1))
                if rows.size == 0:
                    continue
                gv = g[rows]
                if maximize:
                    gv = -gv
                old_m = m[rows]
                upd_m = np.subtract(gv, old_m)
                upd_m *= 1 - beta1
                m[rows] = old_m + upd_m
                old_v = v[rows]
                upd_v = np.square(gv)
                upd_v -= old_v
                upd_v *= 1 - beta2
                v[rows] = old_v + upd_v
                upd_m += old_m
                upd_v += old_v
                np.sqrt(upd_v, out=upd_v)
                upd_v += eps
                upd_m /= upd_v
                step_size = lr * (1 - beta2 ** step) ** 0.5 / (1 - beta1 ** step)
                upd_m *= -step_size
                pa[rows] = pa[rows] + upd_m
                _bump(p)
        return loss


def _bump(p: Tensor) -> None:
    if p._version is None:
        p._version = [1]
    else:
        p._version[0] += 1
