"""Resilient backpropagation (``torch.optim.Rprop``)."""

from __future__ import annotations

import numpy as np

from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _check_lr,
    _closure_loss,
    _full_like,
    _grad_of,
    _scalar_tensor,
    _to_float,
    _zeros_like,
)

__all__ = ["Rprop"]


def _rprop_kernel(p, g, prev, step_size, t1, t2, t3, etaminus, etaplus, smin, smax, maximize):
    d = np.negative(g, out=t1) if maximize else g
    np.multiply(d, prev, out=t2)
    np.sign(t2, out=t2)
    np.copyto(t2, etaplus, where=t2 > 0)
    np.copyto(t2, etaminus, where=t2 < 0)
    np.copyto(t2, 1.0, where=t2 == 0)
    np.multiply(step_size, t2, out=step_size)
    np.clip(step_size, smin, smax, out=step_size)
    np.copyto(t3, d)
    np.copyto(t3, 0.0, where=t2 == np.asarray(etaminus, t2.dtype))
    np.sign(t3, out=t2)
    np.multiply(t2, step_size, out=t2)
    np.subtract(p, t2, out=p)
    np.copyto(prev, t3)


class Rprop(Optimizer):
    """Rprop (``torch.optim.Rprop``)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable: bool = False,
                 foreach=None, maximize: bool = False, differentiable: bool = False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    _group_defaults = (("foreach", None), ("maximize", False), ("differentiable", False), ("capturable", False))

    def step(self, closure=None):
        """One Rprop step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr = _to_float(group["lr"])
            etaminus, etaplus = (_to_float(e) for e in group["etas"])
            smin, smax = (_to_float(s) for s in group["step_sizes"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["prev"] = _zeros_like(p)
                    st["step_size"] = _full_like(p, complex(lr, lr) if p.is_complex() else lr)
                sa = st["step"]._data
                np.add(sa, 1, out=sa)
                _apply(_rprop_kernel, p, g, (st["prev"], st["step_size"]), 3,
                       (etaminus, etaplus, smin, smax, maximize))
        return loss
