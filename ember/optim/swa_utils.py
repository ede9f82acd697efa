"""Stochastic Weight Averaging and EMA utilities, as ``torch.optim.swa_utils``."""

from __future__ import annotations

import itertools
import math
import warnings
from copy import deepcopy

import numpy as np

from ember._dtype import int64 as _long
from ember._tensor import Tensor, _from_array
from ember.autograd.grad_mode import no_grad
from ember.nn.modules.module import Module
from ember.nn.modules.normalization import _BatchNorm
from ember.ops.creation import tensor as _tensor

from .lr_scheduler import _GET_LR_WARNING, LRScheduler, _per_group

__all__ = [
    "AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
    "get_swa_avg_fn",
]


def _is_float_or_complex(t: Tensor) -> bool:
    return t.is_floating_point() or t.is_complex()


def _lerp_lists_(starts: list, ends: list, weight: float) -> None:
    """In place ``start = lerp(start, end, weight)`` with the rounding of PyTorch's CPU ``_foreach_lerp_``.

    PyTorch computes in (at least) float32 with the weight rounded to it, as one fused multiply-add:
    ``fma(weight, end - start, start)`` for ``|weight| < 0.5``, else ``fma(weight - 1, end - start, end)``.
    For float32 and narrower, the product and sum are exact in float64 and rounded once, which reproduces
    the fused result; float64 and complex tensors use the two-rounding ``Tensor.lerp_``.
    """
    w32 = np.float32(weight)
    small = abs(w32) < 0.5
    coeff = np.float64(w32 if small else w32 - np.float32(1))
    for a, b in zip(starts, ends, strict=True):
        arr = a._data
        if arr.dtype.itemsize > 4 or arr.dtype.kind == "c":
            a.lerp_(b, weight)
            continue
        lo = arr.astype(np.float32)
        hi = b._data.astype(np.float32)
        diff = (hi - lo).astype(np.float64)
        out = (coeff * diff + (lo if small else hi)).astype(np.float32).astype(arr.dtype, copy=False)
        a.copy_(_from_array(out, a.dtype, a.device))


def _check_decay(decay) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """In-place EMA over lists of tensors: ``ema = decay * ema + (1 - decay) * current``."""
    _check_decay(decay)
    weight = 1 - decay

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            if _is_float_or_complex(ema_param_list[0]):
                _lerp_lists_(ema_param_list, current_param_list, weight)
            else:
                for e, c in zip(ema_param_list, current_param_list, strict=True):
                    e.copy_(e * decay + c * weight)

    return ema_update


def get_swa_multi_avg_fn():
    """In-place running mean over lists of tensors: ``avg += (current - avg) / (n + 1)``."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            if _is_float_or_complex(averaged_param_list[0]):
                w = 1 / (num_averaged + 1)
                _lerp_lists_(averaged_param_list, current_param_list, w.item() if isinstance(w, Tensor) else w)
            else:
                for a, c in zip(averaged_param_list, current_param_list, strict=True):
                    diff = c - a
                    if isinstance(num_averaged, Tensor):
                        a.addcdiv_(diff, num_averaged + 1)
                    else:
                        a.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: returns ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """Running mean of one tensor: returns ``avg + (current - avg) / (n + 1)``."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _by_device_and_dtype(avg: list, cur: list) -> dict:
    groups: dict = {}
    for a, c in zip(avg, cur):
        pair = groups.setdefault((a.device, a.dtype), ([], []))
        pair[0].append(a)
        pair[1].append(c)
    return groups


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and, with ``use_buffers``, buffers) hold a running SWA/EMA average.

    ``n_averaged`` counts the models averaged so far; the first :meth:`update_parameters` copies.
    """

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _tensor(0, dtype=_long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) into the average."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine = self.parameters()
            theirs = model.parameters()
        first = bool(self.n_averaged == 0)
        avg, cur = [], []
        with no_grad():
            for p_avg, p_model in zip(mine, theirs):
                a = p_avg.detach()
                c = p_model.detach().to(p_avg.device)
                avg.append(a)
                cur.append(c)
                if first:
                    a.copy_(c)
            if not first:
                if self.multi_avg_fn is not None or self.avg_fn is None:
                    for (dev, _), (a_list, c_list) in _by_device_and_dtype(avg, cur).items():
                        n = self.n_averaged.to(dev)
                        if self.multi_avg_fn is not None:
                            self.multi_avg_fn(a_list, c_list, n)
                        elif dev.type == "cuda":
                            get_swa_multi_avg_fn()(a_list, c_list, n)
                        else:
                            fn = get_swa_avg_fn()
                            for a, c in zip(a_list, c_list, strict=True):
                                a.copy_(fn(a, c, n))
                else:
                    for a, c in zip(avg, cur, strict=True):
                        a.copy_(self.avg_fn(a, c, self.n_averaged.to(a.device)))
            if not self.use_buffers:
                # buffers are not averaged: keep them in sync with the source model
                for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    b_avg.detach().copy_(b_model.detach().to(b_avg.device))
            self.n_averaged += 1


def update_bn(loader, model: Module, device=None) -> None:
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    Each batch is a tensor or a list/tuple whose first element is the input. The running mean and variance
    become the cumulative average over the batches (momentum None); momenta and train mode are restored.
    """
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to its ``swa_lr`` over ``anneal_epochs`` epochs (cosine or linear), then holds it."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1) -> None:
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        # the lr the previous step annealed from, recovered from the current one
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn(_GET_LR_WARNING, UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        alpha = self.anneal_func(max(0, min(1, step / span)))
        groups = self.optimizer.param_groups
        starts = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, starts, strict=True)]

    def _set_anneal_func(self, anneal_strategy) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)

