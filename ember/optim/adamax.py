"""Adamax (``torch.optim.Adamax``): Adam with the infinity norm."""

from __future__ import annotations

import numpy as np

from ember.optim._adam_family import _check_adam_args
from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _closure_loss,
    _decayed_grad,
    _grad_of,
    _lerp_,
    _scalar_tensor,
    _to_float,
    _zeros_like,
)

__all__ = ["Adamax"]


def _adamax_kernel(p, g, m, u, t1, t2, beta1, beta2, eps, wd, neg_clr, maximize):
    d = _decayed_grad(p, g, wd, maximize, t1)
    _lerp_(m, d, 1.0 - beta1, t2)
    np.multiply(u, beta2, out=u)
    np.abs(d, out=t2)
    np.add(t2, eps, out=t2)
    np.maximum(u, t2, out=u)
    np.divide(m, u, out=t2)
    np.multiply(t2, neg_clr, out=t2)
    np.add(p, t2, out=p)


class Adamax(Optimizer):
    """Adamax (``torch.optim.Adamax``)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def step(self, closure=None):
        """One Adamax step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            eps = _to_float(group["eps"])
            wd = _to_float(group["weight_decay"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_inf"] = _zeros_like(p)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                clr = lr / (1 - beta1 ** float(sa))
                _apply(_adamax_kernel, p, g, (st["exp_avg"], st["exp_inf"]), 2,
                       (beta1, beta2, eps, wd, -clr, maximize))
        return loss
