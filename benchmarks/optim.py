"""Optimizer step speed of ember against PyTorch (CPU): one step over the parameters of a
~10M-parameter MLP (784-2048-2048-2048-10 weights and biases) with gradients already set.
PyTorch runs its default CPU implementation.

    python benchmarks/optim.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

PRELUDE = """
SIZES = [(2048, 784), (2048,), (2048, 2048), (2048,), (2048, 2048), (2048,), (10, 2048), (10,)]

def mlp_params():
    ps = [lib.nn.Parameter(lib.randn(*s) * 0.01) for s in SIZES]
    for p in ps:
        p.grad = lib.randn(*p.shape) * 0.01
    return ps
"""

CASES = {
    "sgd-momentum-10M": ("ps = mlp_params(); opt = lib.optim.SGD(ps, lr=0.01, momentum=0.9); opt.step()",
                         "opt.step()"),
    "adam-10M": ("ps = mlp_params(); opt = lib.optim.Adam(ps, lr=1e-3); opt.step()", "opt.step()"),
    "adamw-10M": ("ps = mlp_params(); opt = lib.optim.AdamW(ps, lr=1e-3); opt.step()", "opt.step()"),
}


if __name__ == "__main__":
    main(CASES, prelude=PRELUDE, budget=1.0)
