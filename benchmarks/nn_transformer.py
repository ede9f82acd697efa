"""Speed of ember's Transformer layers against PyTorch (CPU), side by side in one run.

Each framework runs in its own subprocess, alternating A B A B (their BLAS/OpenMP thread
pools busy-wait and slow each other down when they share a process). Every subprocess
times all cases and prints per-call medians as JSON; the parent takes the median over
rounds and prints the ratio ember/torch.

    python benchmarks/nn_transformer.py [--rounds 3] [--threads 2] [--case NAME ...]

``--threads`` sets PyTorch's intra-op threads and OpenBLAS's/OpenMP's (ember's BLAS) alike; on a
loaded machine ``--threads 1`` gives steadier ratios (busy-waiting pools suffer most from contention).

Figures (2026-11-22, the project's shared 2-core VM under load, PyTorch 2.13.0+cpu, NumPy/OpenBLAS):

| case | threads | ember | torch | ember/torch |
| --- | ---: | ---: | ---: | ---: |
| TransformerEncoderLayer(128, 4) (16, 64, 128) train fwd+bwd | 1 | 168 ms | 171 ms | 0.98 |
| same, eval fwd+bwd | 1 | 123 ms | 121 ms | 1.01 |
| same, train fwd+bwd | 2 | 93 ms | 84 ms | 1.11 |
| same, eval fwd+bwd | 2 | 65 ms | 51 ms | 1.26 |
| same, eval forward under no_grad (torch: fused fast path) | 2 | 28 ms | 12 ms | 2.33 |
| MultiheadAttention self-attention fwd+bwd | 1 | 22.8 ms | 21.8 ms | 1.05 |
| scaled_dot_product_attention (16, 4, 64, 32) fwd+bwd | 1 | 9.2 ms | 7.3 ms | 1.27 |
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import main  # noqa: E402

# name: (setup, statement). `lib` is ember or torch.
_ENC = ("m = lib.nn.TransformerEncoderLayer(128, 4, batch_first=True{kw}); "
        "x = lib.randn(16, 64, 128, requires_grad=True)")
CASES = {
    # training step of one encoder layer (dropout 0.1 active)
    "enc-layer-train-fwd-bwd": (_ENC.format(kw=""), "m(x).sum().backward()"),
    # the same with dropout off (eval mode): attention + feed-forward only
    "enc-layer-eval-fwd-bwd": (_ENC.format(kw="") + "; m.eval()", "m(x).sum().backward()"),
    "enc-layer-eval-fwd-nograd": (_ENC.format(kw="") + "; m.eval(); x = x.detach()",
                                  "with lib.no_grad():\n    m(x)"),
    "mha-self-fwd-bwd": ("m = lib.nn.MultiheadAttention(128, 4, batch_first=True); "
                         "x = lib.randn(16, 64, 128, requires_grad=True)",
                         "m(x, x, x, need_weights=False)[0].sum().backward()"),
    "sdpa-fwd-bwd": ("q = lib.randn(16, 4, 64, 32, requires_grad=True); "
                     "k = lib.randn(16, 4, 64, 32, requires_grad=True); "
                     "v = lib.randn(16, 4, 64, 32, requires_grad=True)",
                     "lib.nn.functional.scaled_dot_product_attention(q, k, v).sum().backward()"),
}


if __name__ == "__main__":
    main(CASES)
