"""NAdam (``torch.optim.NAdam``): Adam with Nesterov momentum."""

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

__all__ = ["NAdam"]


def _nadam_kernel(p, g, m, v, t1, t2, t3, beta1, beta2, wd, decay_factor, maximize, bc2, eps, c_grad, c_avg):
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
    np.divide(v, bc2, out=t2)
    np.sqrt(t2, out=t2)
    np.add(t2, eps, out=t2)
    np.divide(d, t2, out=t3)
    np.multiply(t3, c_grad, out=t3)
    np.add(p, t3, out=p)
    np.divide(m, t2, out=t3)
    np.multiply(t3, c_avg, out=t3)
    np.add(p, t3, out=p)


class NAdam(Optimizer):
    """NAdam (``torch.optim.NAdam``); ``decoupled_weight_decay=True`` gives NAdamW."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False):
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False),
                       ("decoupled_weight_decay", False))

    def step(self, closure=None):
        """One NAdam step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            eps = _to_float(group["eps"])
            wd = _to_float(group["weight_decay"])
            md = _to_float(group["momentum_decay"])
            maximize = bool(group["maximize"])
            decay_factor = 1.0 - lr * wd if (group["decoupled_weight_decay"] and wd != 0) else None
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["mu_product"] = _scalar_tensor(1.0)
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                step = float(sa)
                bc2 = 1 - beta2 ** step
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * md)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
                mp = st["mu_product"]._data
                np.multiply(mp, mu, out=mp)
                mu_product = float(mp)
                mu_product_next = mu_product * mu_next
                c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
                c_avg = (-lr * mu_next) / (1.0 - mu_product_next)
                _apply(_nadam_kernel, p, g, (st["exp_avg"], st["exp_avg_sq"]), 3,
                       (beta1, beta2, wd, decay_factor, maximize, bc2, eps, c_grad, c_avg))
        return loss
