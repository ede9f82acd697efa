"""RAdam (``torch.optim.RAdam``): Adam with a rectified adaptive learning rate."""

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

__all__ = ["RAdam"]


def _radam_kernel(p, g, m, v, t1, t2, t3, beta1, beta2, wd, decay_factor, maximize, bc1, lr, eps, bc2_sqrt, rect):
    if decay_factor is not None:
        np.multiply(p, decay_factor, out=p)
        d = g if not maximize else np.negative(g, out=t1)
    else:
        d = _decayed_grad(p, g, wd, maximize, t1)
    _lerp_(m, d, 1.0 - beta1, t2)
    np.multiply(v, beta2, out=v)
    np.multiply(d, d, out=t2)
    np.multiply(t2, 1.0 - beta2, out=t2)
    np.add(v, t2, out=v)
    np.divide(m, bc1, out=t2)
    np.multiply(t2, lr, out=t2)
    if rect is not None:
        np.sqrt(v, out=t3)
        np.add(t3, eps, out=t3)
        np.divide(bc2_sqrt, t3, out=t3)
        np.multiply(t2, t3, out=t2)
        np.multiply(t2, rect, out=t2)
    np.subtract(p, t2, out=p)


class RAdam(Optimizer):
    """RAdam (``torch.optim.RAdam``); ``decoupled_weight_decay=True`` gives RAdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False):
        _check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False),
                       ("decoupled_weight_decay", False))

    def step(self, closure=None):
        """One RAdam step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            eps = _to_float(group["eps"])
            wd = _to_float(group["weight_decay"])
            maximize = bool(group["maximize"])
            decay_factor = 1.0 - lr * wd if (group["decoupled_weight_decay"] and wd != 0) else None
            rho_inf = 2 / (1 - beta2) - 1
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                step = float(sa)
                bc1 = 1 - beta1 ** step
                bc2 = 1 - beta2 ** step
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
                rect = None
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                _apply(_radam_kernel, p, g, (st["exp_avg"], st["exp_avg_sq"]), 3,
                       (beta1, beta2, wd, decay_factor, maximize, bc1, lr, eps, bc2 ** 0.5, rect))
        return loss
