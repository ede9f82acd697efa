"""Speed of ember's normalisation layers against PyTorch (CPU): forward + backward.

Each framework runs in its own subprocess, alternating A B A B (thread pools of OpenBLAS and
PyTorch slow each other down when they share a process); every subprocess times all cases
and prints per-call medians as JSON; the parent takes the median over rounds and prints the
ratio ember/torch.

    python benchmarks/nn_norm.py [--rounds 3] [--case NAME ...]
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


def _time(stmt: str, env: dict, budget: float = 0.6) -> float:
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
        lib.set_num_threads(2)
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
    fmt = lambda s: f"{s * 1e6:10.1f} us" if s < 1e-3 else f"{s * 1e3:10.2f} ms"  # noqa: E731
    print(f"{'case':26s} {'ember':>13s} {'torch':>13s} {'ember/torch':>12s}")
    for name in args.case:
        e = statistics.median(runs["ember"][name])
        t = statistics.median(runs["torch"][name])
        print(f"{name:26s} {fmt(e)} {fmt(t)} {e / t:12.2f}")


if __name__ == "__main__":
    main()
