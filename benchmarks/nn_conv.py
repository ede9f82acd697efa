"""Convolution speed of ember against PyTorch (CPU): forward + backward of
``Conv2d(64, 64, 3, padding=1)`` on a (32, 64, 32, 32) input, plus a few smaller layers.

As in benchmarks/ops.py, each framework runs in its own subprocess, alternating A B A B
(OpenBLAS's and PyTorch's thread pools slow each other down when they share a process);
the parent takes the median over rounds and prints the ratio ember/torch.

    python benchmarks/nn_conv.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

# name: (setup, statement). `lib` is ember or torch.
CASES = {
    "conv2d-64-3x3-fwd-bwd": ("m = lib.nn.Conv2d(64, 64, 3, padding=1); "
                              "x = lib.randn(32, 64, 32, 32, requires_grad=True)", "m(x).sum().backward()"),
    "conv2d-64-3x3-fwd": ("m = lib.nn.Conv2d(64, 64, 3, padding=1); x = lib.randn(32, 64, 32, 32)",
                          "with lib.no_grad(): m(x)"),
    "conv2d-3-16-small-fwd-bwd": ("m = lib.nn.Conv2d(3, 16, 3, padding=1); x = lib.randn(8, 3, 28, 28, "
                                  "requires_grad=True)", "m(x).sum().backward()"),
    "maxpool2d-2-fwd-bwd": ("x = lib.randn(32, 64, 32, 32, requires_grad=True)",
                            "lib.nn.functional.max_pool2d(x, 2).sum().backward()"),
    "avgpool2d-2-fwd-bwd": ("x = lib.randn(32, 64, 32, 32, requires_grad=True)",
                            "lib.nn.functional.avg_pool2d(x, 2).sum().backward()"),
}


if __name__ == "__main__":
    main(CASES)
