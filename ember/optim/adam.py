"""Adam and AdamW (``torch.optim.Adam``, ``torch.optim.AdamW``)."""

from __future__ import annotations

import numpy as np

from ember._tensor import Tensor
from ember.optim.optimizer import (
    Optimizer,
    _apply,
    _check_fused_foreach,
    _check_lr,
    _closure_loss,
    _decayed_grad,
    _grad_of,
    _lerp_,
    _scalar_tensor,
    _to_float,
    _zeros_like,
)

__all__ = ["Adam", "AdamW"]

_add, _mul, _div, _sqrt, _maximum = np.add, np.multiply, np.divide, np.sqrt, np.maximum


def _adam_kernel(p, g, m, v, vmax, t1, t2, beta1, beta2, wd, decay_factor, maximize, bc2_sqrt, eps, neg_step_size):
    if decay_factor is not None:
        _mul(p, decay_factor, out=p)
        d = g if not maximize else np.negative(g, out=t1)
    else:
        d = _decayed_grad(p, g, wd, maximize, t1)
    _lerp_(m, d, 1.0 - beta1, t2)
    _mul(v, beta2, out=v)
    _mul(d, d, out=t2)
    _mul(t2, 1.0 - beta2, out=t2)
    _add(v, t2, out=v)
    if vmax is not None:
        _maximum(vmax, v, out=vmax)
        v = vmax
    _sqrt(v, out=t2)
    _div(t2, bc2_sqrt, out=t2)
    _add(t2, eps, out=t2)
    _div(m, t2, out=t2)
    _mul(t2, neg_step_size, out=t2)
    _add(p, t2, out=p)


def _adam_kernel_plain(p, g, m, v, t1, t2, beta1, beta2, wd, decay_factor, maximize, bc2_sqrt, eps, neg_step_size):
    _adam_kernel(p, g, m, v, None, t1, t2, beta1, beta2, wd, decay_factor, maximize, bc2_sqrt, eps, neg_step_size)


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``); ``decoupled_weight_decay=True`` makes it AdamW."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad: bool = False, *,
                 foreach=None, maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused=None, decoupled_weight_decay: bool = False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if isinstance(betas[0], Tensor):
            if not capturable and foreach:
                raise ValueError("betas[0] as a Tensor is not supported for capturable=False and foreach=True")
            if betas[0].numel() != 1:
                raise ValueError("Tensor betas[0] must be 1-element")
        if isinstance(betas[1], Tensor):
            if not capturable and foreach:
                raise ValueError("betas[1] as a Tensor is not supported for capturable=False and foreach=True")
            if betas[1].numel() != 1:
                raise ValueError("Tensor betas[1] must be 1-element")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        _check_fused_foreach(fused, foreach, differentiable)

    _group_defaults = (("amsgrad", False), ("maximize", False), ("foreach", None), ("capturable", False),
                       ("differentiable", False), ("decoupled_weight_decay", False), ("fused", None))
    _tensor_steps = True

    def step(self, closure=None):
        """One Adam step; ``closure`` re-evaluates the model and returns the loss."""
        loss = _closure_loss(closure)
        state = self.state
        for group in self.param_groups:
            lr_raw = group["lr"]
            lr = _to_float(lr_raw)
            beta1, beta2 = (_to_float(b) for b in group["betas"])
            eps = _to_float(group["eps"])
            wd = _to_float(group["weight_decay"])
            amsgrad = group["amsgrad"]
            maximize = bool(group["maximize"])
            decoupled = bool(group["decoupled_weight_decay"])
            decay_factor = 1.0 - lr * wd if (decoupled and wd != 0) else None
            cache = {}
            for p in group["params"]:
                g = _grad_of(p)
                if g is None:
                    continue
                st = state[p]
                if len(st) == 0:
                    st["step"] = _scalar_tensor(0.0)
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        st["max_exp_avg_sq"] = _zeros_like(p)
                step_t = st["step"]
                sa = step_t._data
                np.add(sa, 1, out=sa)
                step = float(sa)
                scal = cache.get(step)
                if scal is None:
                    bc1 = 1 - beta1 ** step
                    bc2_sqrt = (1 - beta2 ** step) ** 0.5
                    if isinstance(lr_raw, Tensor):
                        # a tensor lr divides in its own dtype, as in PyTorch
                        step_size = float(lr_raw._data / np.asarray(bc1, lr_raw._data.dtype))
                    else:
                        step_size = lr / bc1
                    scal = cache[step] = (bc2_sqrt, -step_size)
                bc2_sqrt, neg_step_size = scal
                args = (beta1, beta2, wd, decay_factor, maximize, bc2_sqrt, eps, neg_step_size)
                if amsgrad:
                    _apply(_adam_kernel, p, g, (st["exp_avg"], st["exp_avg_sq"], st["max_exp_avg_sq"]), 2, args)
                else:
                    _apply(_adam_kernel_plain, p, g, (st["exp_avg"], st["exp_avg_sq"]), 2, args)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach=None, capturable: bool = False, differentiable: bool = False,
                 fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
