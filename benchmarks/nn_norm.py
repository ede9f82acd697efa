"""Speed of ember's normalisation layers against PyTorch (CPU): forward + backward.

Each framework runs in its own subprocess, alternating A B A B (thread pools of OpenBLAS and
PyTorch slow each other down when they share a process); every subprocess times all cases
and prints per-call medians as JSON; the parent takes the median over rounds and prints the
ratio ember/torch.

    python benchmarks/nn_norm.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

# name: (setup, statement). `lib` is ember or torch.
CASES = {
    "batchnorm2d-64-fwd-bwd": ("m = lib.nn.BatchNorm2d(64); x = lib.randn(32, 64, 32, 32, requires_grad=True); "
                               "g = lib.randn(32, 64, 32, 32)",
                               "m(x).backward(g)"),
    "batchnorm2d-64-eval-fwd": ("m = lib.nn.BatchNorm2d(64).eval(); x = lib.randn(32, 64, 32, 32)", "m(x)"),
    "layernorm-128-fwd-bwd": ("m = lib.nn.LayerNorm(128); x = lib.randn(16, 64, 128, requires_grad=True); "
                              "g = lib.randn(16, 64, 128)",
                              "m(x).backward(g)"),
    "groupnorm-8-64-fwd-bwd": ("m = lib.nn.GroupNorm(8, 64); x = lib.randn(8, 64, 32, 32, requires_grad=True); "
                               "g = lib.randn(8, 64, 32, 32)",
                               "m(x).backward(g)"),
    "dropout-0.1-1e6-fwd-bwd": ("m = lib.nn.Dropout(0.1); x = lib.randn(1000, 1000, requires_grad=True); "
                                "g = lib.randn(1000, 1000)",
                                "m(x).backward(g)"),
}


if __name__ == "__main__":
    main(CASES)
