"""Recurrent-layer speed of ember against PyTorch (CPU), side by side in one run.

As benchmarks/ops.py: each framework runs in its own subprocess, alternating A B A B
(OpenBLAS's and PyTorch's thread pools busy-wait and slow each other down when they share a
process); each subprocess prints per-call medians as JSON; the parent takes the median over
rounds and prints the ratio ember/torch.

    python benchmarks/nn_rnn.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

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


def _time(stmt: str, env: dict, budget: float = 1.0) -> float:
    """Median seconds per call over batches sized to run ~budget/7 each."""
    code = compile(stmt, "<bench>", "exec")
    exec(code, env)  # warm up
    t0 = time.perf_counter()
    exec(code, env)
    once = max(time.perf_counter() - t0, 1e-7)
    n = max(1, int(budget / 7 / once))
    samples = []
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(n):
            exec(code, env)
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def worker(framework: str, names: list[str]) -> None:
    if framework == "torch":
        import torch as lib
        lib.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "2")))
    else:
        import ember as lib
    results = {}
    for name in names:
        setup, stmt = CASES[name]
        env = {"lib": lib}
        exec(setup, env)
        results[name] = _time(stmt, env)
    print(json.dumps(results))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--case", nargs="*", default=list(CASES))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.case)
        return
    runs: dict[str, dict[str, list[float]]] = {"ember": {}, "torch": {}}
    for _ in range(args.rounds):
        for fw in ("ember", "torch"):
            out = subprocess.run([sys.executable, __file__, "--worker", fw, "--case", *args.case],
                                 capture_output=True, text=True, check=True, env=os.environ)
            for name, secs in json.loads(out.stdout.strip().splitlines()[-1]).items():
                runs[fw].setdefault(name, []).append(secs)
    print(f"{'case':28s} {'ember':>11s} {'torch':>11s} {'ember/torch':>12s}")
    for name in args.case:
        e = statistics.median(runs["ember"][name])
        t = statistics.median(runs["torch"][name])
        print(f"{name:28s} {e * 1e3:8.2f} ms {t * 1e3:8.2f} ms {e / t:12.2f}")


if __name__ == "__main__":
    main()
