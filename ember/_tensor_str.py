"""Tensor printing, formatted as PyTorch prints tensors."""

from __future__ import annotations

import numpy as np


def tensor_repr(t) -> str:
    body = np.array2string(np.asarray(t._host(), dtype=np.float64 if t._dtype.name == "bfloat16" else None),
                           separator=", ", prefix="tensor(")
    extras = []
    if t._dtype.name not in ("float32", "int64", "bool"):
        extras.append(f"dtype=ember.{t._dtype.name}")
    if t._grad_fn is not None:
        extras.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
