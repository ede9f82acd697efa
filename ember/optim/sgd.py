"""Stochastic gradient descent (``torch.optim.SGD``), with momentum, dampening and Nesterov."""

from __future__ import annotations

import numpy as np

from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _check_fused_foreach,
    _check_lr,
    _closure_loss,
    _decayed_grad,
    _grad_of,
    _to_float,
    _zeros_like,
)

__all__ = ["SGD"]

_add, _mul, _copyto = np.add, np.multiply, np.copyto


def _sgd_kernel(p, g, buf, t1, t2, lr, wd, momentum, dampening, nesterov, maximize, init):
    d = _decayed_grad(p, g, wd, maximize, t1)
    if buf is not None:
        if init:
            _copyto(buf, d)
        else:
            _mul(buf, momentum, out=buf)
            if dampening == 0:
                _add(buf, d, out=buf)
            else:
                _mul(d, 1.0 - dampening, out=t2)
                _add(buf, t2, out=buf)
        if nesterov:
            _mul(buf, momentum, out=t2)
            _add(d, t2, out=t2)
            d = t2
        else:
            d = buf
    _mul(d, -lr, out=t2)
    _add(p, t2, out=p)


def _sgd_plain(p, g, t1, t2, lr, wd, maximize):
    _sgd_kernel(p, g, None, t1, t2, lr, wd, 0.0, 0.0, False, maximize, False)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (``torch.optim.SGD``)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize: bool = False, foreach=None, differentiable: bool = False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused_foreach(fused, foreach, differentiable)

    _group_defaults = (("nesterov", False), ("maximize", False), ("foreach", None), ("differentiable", False),
                       ("fused", False))

    def step(self, closure=None):
        """One SGD step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            wd = _to_float(group["weight_decay"])
            momentum = _to_float(group["momentum"])
            dampening = _to_float(group["dampening"])
            nesterov = bool(group["nesterov"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                if momentum != 0:
                    st = state[p]
                    buf = st.get("momentum_buffer")
                    init = buf is None
                    if init:
                        buf = st["momentum_buffer"] = _zeros_like(p)
                    _apply(_sgd_kernel, p, g, (buf,), 2,
                           (lr, wd, momentum, dampening, nesterov, maximize, init))
                else:
                    _apply(_sgd_plain, p, g, (), 2, (lr, wd, maximize))
        return loss
