"""Averaged SGD (``torch.optim.ASGD``)."""

from __future__ import annotations

import numpy as np

from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _check_lr,
    _closure_loss,
    _decayed_grad,
    _grad_of,
    _scalar_tensor,
    _to_float,
    _zeros_like,
)

__all__ = ["ASGD"]


def _asgd_kernel(p, g, ax, t1, t2, wd, maximize, decay, neg_eta, mu):
    d = _decayed_grad(p, g, wd, maximize, t1)
    np.multiply(p, decay, out=p)
    np.multiply(d, neg_eta, out=t2)
    np.add(p, t2, out=p)
    if mu != 1:
        np.subtract(p, ax, out=t2)
        np.multiply(t2, mu, out=t2)
        np.add(ax, t2, out=ax)
    else:
        np.copyto(ax, p)


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (``torch.optim.ASGD``)."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def step(self, closure=None):
        """One ASGD step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            lambd = _to_float(group["lambd"])
            alpha = _to_float(group["alpha"])
            t0 = _to_float(group["t0"])
            wd = _to_float(group["weight_decay"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["eta"] = _scalar_tensor(lr)
                    st["mu"] = _scalar_tensor(1.0)
                    st["ax"] = _zeros_like(p)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                step = float(sa)
                eta_a, mu_a = st["eta"]._data, st["mu"]._data
                eta = float(eta_a)
                _apply(_asgd_kernel, p, g, (st["ax"],), 2, (wd, maximize, 1 - lambd * eta, -eta, float(mu_a)))
                eta_a[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu_a[...] = 1 / max(1, step - t0)
        return loss
