"""Convolution speed of ember against PyTorch (CPU): forward + backward of
``Conv2d(64, 64, 3, padding=1)`` on a (32, 64, 32, 32) input, plus a few smaller layers.

As in benchmarks/ops.py, each framework runs in its own subprocess, alternating A B A B
(OpenBLAS's and PyTorch's thread pools slow each other down when they share a process);
the parent takes the median over rounds and prints the ratio ember/torch.

    python benchmarks/nn_conv.py [--rounds 3] [--case NAME ...]
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


def _time(stmt: str, env: dict, budget: float = 2.0) -> float:
    """Median seconds per call over 5 batches sized to run ~budget/5 each."""
    code = compile(stmt, "<bench>", "exec")
    exec(code, env)  # warm up
    t0 = time.perf_counter()
    exec(code, env)
    once = max(time.perf_counter() - t0, 1e-7)
    n = max(1, int(budget / 5 / once))
    samples = []
    for _ in range(5):
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
    print(f"{'case':28s} {'ember':>13s} {'torch':>13s} {'ember/torch':>12s}")
    for name in args.case:
        e = statistics.median(runs["ember"][name])
        t = statistics.median(runs["torch"][name])
        print(f"{name:28s} {fmt(e)} {fmt(t)} {e / t:12.2f}")


if __name__ == "__main__":
    main()
