"""Shared construction checks of the Adam-like optimizers (Adamax, NAdam, RAdam, SparseAdam)."""

from __future__ import annotations

from ember.optim.optimizer import _check_lr


def _check_adam_args(lr, betas, eps, weight_decay=0.0) -> None:
    _check_lr(lr)
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
