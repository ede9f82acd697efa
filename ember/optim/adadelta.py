"""Adadelta (``torch.optim.Adadelta``)."""

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

__all__ = ["Adadelta"]

_add, _mul, _div, _sqrt = np.add, np.multiply, np.divide, np.sqrt


def _adadelta_kernel(p, g, sq, acc, t1, t2, t3, rho, eps, wd, lr, maximize):
    d = _decayed_grad(p, g, wd, maximize, t1)
    _mul(sq, rho, out=sq)
    _mul(d, d, out=t2)
    _mul(t2, 1.0 - rho, out=t2)
    _add(sq, t2, out=sq)
    _add(sq, eps, out=t2)
    _sqrt(t2, out=t2)
    _add(acc, eps, out=t3)
    _sqrt(t3, out=t3)
    _div(t3, t2, out=t3)
    _mul(t3, d, out=t3)
    _mul(acc, rho, out=acc)
    _mul(t3, t3, out=t2)
    _mul(t2, 1.0 - rho, out=t2)
    _add(acc, t2, out=acc)
    _mul(t3, -lr, out=t3)
    _add(p, t3, out=p)


class Adadelta(Optimizer):
    """Adadelta (``torch.optim.Adadelta``)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize: bool = False, differentiable: bool = False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def step(self, closure=None):
        """One Adadelta step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            rho = _to_float(group["rho"])
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
                    st["square_avg"] = _zeros_like(p)
                    st["acc_delta"] = _zeros_like(p)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                _apply(_adadelta_kernel, p, g, (st["square_avg"], st["acc_delta"]), 3, (rho, eps, wd, lr, maximize))
        return loss
