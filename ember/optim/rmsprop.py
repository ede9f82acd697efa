"""RMSprop (``torch.optim.RMSprop``), optionally centered and with momentum."""

from __future__ import annotations

import numpy as np

from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _check_lr,
    _closure_loss,
    _decayed_grad,
    _grad_of,
    _lerp_,
    _scalar_tensor,
    _to_float,
    _zeros_like,
)

__all__ = ["RMSprop"]

_add, _mul, _div, _sqrt = np.add, np.multiply, np.divide, np.sqrt


def _rmsprop_kernel(p, g, sq, buf, gavg, t1, t2, t3, alpha, eps, wd, lr, momentum, maximize):
    d = _decayed_grad(p, g, wd, maximize, t1)
    _mul(sq, alpha, out=sq)
    _mul(d, d, out=t2)
    _mul(t2, 1.0 - alpha, out=t2)
    _add(sq, t2, out=sq)
    if gavg is not None:
        _lerp_(gavg, d, 1.0 - alpha, t2)
        _mul(gavg, gavg, out=t2)
        np.subtract(sq, t2, out=t2)
        _sqrt(t2, out=t2)
    else:
        _sqrt(sq, out=t2)
    _add(t2, eps, out=t2)
    _div(d, t2, out=t3)
    if buf is not None:
        _mul(buf, momentum, out=buf)
        _add(buf, t3, out=buf)
        _mul(buf, -lr, out=t3)
    else:
        _mul(t3, -lr, out=t3)
    _add(p, t3, out=p)


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize: bool = False, differentiable: bool = False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = (("momentum", 0), ("centered", False), ("foreach", None), ("maximize", False),
                       ("differentiable", False), ("capturable", False))
    _tensor_steps = True

    def step(self, closure=None):
        """One RMSprop step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            alpha = _to_float(group["alpha"])
            eps = _to_float(group["eps"])
            wd = _to_float(group["weight_decay"])
            momentum = _to_float(group["momentum"])
            centered = group["centered"]
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        st["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        st["grad_avg"] = _zeros_like(p)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                states = (st["square_avg"], st["momentum_buffer"] if momentum > 0 else None,
                          st["grad_avg"] if centered else None)
                _apply(_rmsprop_kernel, p, g, states, 3, (alpha, eps, wd, lr, momentum, maximize))
        return loss
