"""Adagrad (``torch.optim.Adagrad``)."""

from __future__ import annotations

import numpy as np

from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _check_fused_foreach,
    _check_lr,
    _closure_loss,
    _decayed_grad,
    _full_like,
    _grad_of,
    _scalar_tensor,
    _to_float,
)

__all__ = ["Adagrad"]

_add, _mul, _div, _sqrt = np.add, np.multiply, np.divide, np.sqrt


def _adagrad_kernel(p, g, acc, t1, t2, eps, wd, neg_clr, maximize):
    d = _decayed_grad(p, g, wd, maximize, t1)
    _mul(d, d, out=t2)
    _add(acc, t2, out=acc)
    _sqrt(acc, out=t2)
    _add(t2, eps, out=t2)
    _div(d, t2, out=t2)
    _mul(t2, neg_clr, out=t2)
    _add(p, t2, out=p)


class Adagrad(Optimizer):
    """Adagrad (``torch.optim.Adagrad``); the state is created at construction, as in PyTorch."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize: bool = False, differentiable: bool = False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        _check_fused_foreach(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["step"] = _scalar_tensor(0.0)
                iav = initial_accumulator_value  # the constructor's, not the group's (as PyTorch)
                st["sum"] = _full_like(p, complex(iav, iav) if p.is_complex() else iav)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("fused", None))
    _tensor_steps = True

    def share_memory(self) -> None:
        """Nothing to do for NumPy-backed state (kept for API compatibility)."""

    def step(self, closure=None):
        """One Adagrad step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            lr_decay = _to_float(group["lr_decay"])
            eps = _to_float(group["eps"])
            wd = _to_float(group["weight_decay"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                step = float(sa)
                clr = lr / (1 + (step - 1) * lr_decay)
                _apply(_adagrad_kernel, p, g, (st["sum"],), 2, (eps, wd, -clr, maximize))
        return loss
