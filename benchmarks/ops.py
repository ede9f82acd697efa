"""Op-level speed of ember against PyTorch (CPU), side by side in one run.

Each framework runs in its own subprocess, alternating A B A B: OpenBLAS's and PyTorch's
thread pools busy-wait and slow each other down (up to 3x on 2 cores) when they share a
process. Every subprocess times all cases and prints per-call medians as JSON; the parent
takes the median over rounds and prints the ratio ember/torch.

    python benchmarks/ops.py [--rounds 3] [--case NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

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


def _time(stmt: str, env: dict, budget: float = 0.4) -> float:
    """Median seconds per call over batches sized to run ~budget/7 each."""
    code = compile(stmt, "<bench>", "exec")
    exec(code, env)  # warm up
    n, t0 = 1, time.perf_counter()
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
    elif framework == "ember":
        import ember as lib
    else:
        lib = None
    import numpy as np
    results = {}
    for name in names:
        if framework == "numpy":
            if name not in NUMPY_CASES:
                continue
            setup, stmt = NUMPY_CASES[name]
        else:
            setup, stmt = CASES[name]
        env = {"lib": lib, "np": np}
        exec(CHAIN, env)
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
    runs: dict[str, dict[str, list[float]]] = {"ember": {}, "torch": {}, "numpy": {}}
    for _ in range(args.rounds):
        for fw in ("ember", "torch", "numpy"):
            out = subprocess.run([sys.executable, __file__, "--worker", fw, "--case", *args.case],
                                 capture_output=True, text=True, check=True, env=os.environ)
            for name, secs in json.loads(out.stdout.strip().splitlines()[-1]).items():
                runs[fw].setdefault(name, []).append(secs)
    fmt = lambda s: f"{s * 1e6:10.1f} us" if s < 1e-3 else f"{s * 1e3:10.2f} ms"  # noqa: E731
    print(f"{'case':24s} {'ember':>13s} {'torch':>13s} {'numpy':>13s} {'ember/torch':>12s} {'ember/numpy':>12s}")
    for name in args.case:
        e = statistics.median(runs["ember"][name])
        t = statistics.median(runs["torch"][name])
        n = statistics.median(runs["numpy"][name]) if name in runs["numpy"] else None
        nps = fmt(n) if n else f"{'-':>13s}"
        ratio_n = f"{e / n:12.2f}" if n else f"{'-':>12s}"
        print(f"{name:24s} {fmt(e)} {fmt(t)} {nps} {e / t:12.2f} {ratio_n}")


if __name__ == "__main__":
    main()
