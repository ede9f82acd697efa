"""Recurrent-layer speed of ember against PyTorch (CPU), side by side in one run.

As benchmarks/ops.py: each framework runs in its own subprocess, alternating A B A B
(OpenBLAS's and PyTorch's thread pools busy-wait and slow each other down when they share a
process); each subprocess prints per-call medians as JSON; the parent takes the median over
rounds and prints the ratio ember/torch.

    python benchmarks/nn_rnn.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

# name: (setup, statement). `lib` is ember or torch.
CASES = {
    "lstm-32-128-fwd-bwd": ("m = lib.nn.LSTM(32, 128); x = lib.randn(50, 32, 32, requires_grad=True)",
                            "o, (h, c) = m(x); o.sum().backward()"),
    "lstm-32-128-fwd": ("m = lib.nn.LSTM(32, 128); x = lib.randn(50, 32, 32)",
                        "with lib.no_grad(): m(x)"),
    "gru-32-128-fwd-bwd": ("m = lib.nn.GRU(32, 128); x = lib.randn(50, 32, 32, requires_grad=True)",
                           "o, h = m(x); o.sum().backward()"),
    "rnn-32-128-fwd-bwd": ("m = lib.nn.RNN(32, 128); x = lib.randn(50, 32, 32, requires_grad=True)",
                           "o, h = m(x); o.sum().backward()"),
    "lstm-2l-bi-packed-fwd-bwd": (
        "m = lib.nn.LSTM(32, 64, num_layers=2, bidirectional=True); x = lib.randn(50, 16, 32, requires_grad=True); "
        "lens = [50 - 2 * i for i in range(16)]",
        "p = lib.nn.utils.rnn.pack_padded_sequence(x, lens); o, (h, c) = m(p); o.data.sum().backward()"),
}


if __name__ == "__main__":
    main(CASES)
