"""Op-level speed of ember against PyTorch (CPU), side by side in one run.

Each framework runs in its own subprocess, alternating A B A B: OpenBLAS's and PyTorch's
thread pools busy-wait and slow each other down (up to 3x on 2 cores) when they share a
process. Every subprocess times all cases and prints per-call medians as JSON; the parent
takes the median over rounds and prints the ratio ember/torch.

    python benchmarks/ops.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

# name: (setup, statement). `lib` is ember, torch or numpy (the plain-NumPy floor).
CASES = {
    "add-100": ("a = lib.rand(100); b = lib.rand(100)", "a + b"),
    "matmul-64": ("a = lib.rand(64, 64); b = lib.rand(64, 64)", "a @ b"),
    "relu-1e6": ("x = lib.randn(1_000_000)", "lib.relu(x)"),
    "matmul-1024": ("a = lib.rand(1024, 1024); b = lib.rand(1024, 1024)", "a @ b"),
    "tiny-fwd-bwd": ("a = lib.rand(100, requires_grad=True); b = lib.rand(100, requires_grad=True); "
                     "c = lib.rand(100, requires_grad=True)",
                     "((a * b + c).sum()).backward()"),
    "chain20-fwd-bwd-100": ("x = lib.rand(100, requires_grad=True)", "chain(x)"),
    "chain20-fwd-bwd-1e6": ("x = lib.rand(1_000_000, requires_grad=True)", "chain(x)"),
}

# The plain-NumPy way to do the same work, for cases where "as fast as NumPy" is the target.
NUMPY_CASES = {
    "add-100": ("a = np.random.rand(100).astype(np.float32); b = np.random.rand(100).astype(np.float32)",
                "np.add(a, b)"),
    "relu-1e6": ("x = np.random.randn(1_000_000).astype(np.float32); z = np.zeros((), np.float32)",
                 "np.maximum(x, z)"),
    "matmul-1024": ("a = np.random.rand(1024, 1024).astype(np.float32); "
                    "b = np.random.rand(1024, 1024).astype(np.float32)", "a @ b"),
}

CHAIN = """
def chain(x):
    y = x
    for _ in range(5):
        y = (y * 0.5 + 1.0).sin() * y.tanh() - y.exp() * 0.01
    y.sum().backward()
"""


if __name__ == "__main__":
    main(CASES, NUMPY_CASES, prelude=CHAIN, budget=0.4)
