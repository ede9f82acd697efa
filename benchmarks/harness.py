"""The side-by-side runner every benchmark script uses.

Each framework runs in its own subprocess, alternating A B A B: OpenBLAS's and PyTorch's
thread pools busy-wait and slow each other down (up to 3x on 2 cores) when they share a
process. Every subprocess times all cases and prints per-call medians as JSON; the parent
takes the median over rounds and prints the ratio ember/torch (and ember/numpy where a case
has a plain-NumPy counterpart).

A script defines ``CASES = {name: (setup, statement)}`` with ``lib`` standing for ember or
torch, optionally ``NUMPY_CASES`` (the same work in plain NumPy, ``np``), and calls
``main(CASES, NUMPY_CASES)``. Options: ``--rounds N``, ``--case NAME ...``, ``--threads N``
(PyTorch's intra-op threads and OpenBLAS's alike; ``1`` gives steadier ratios on a loaded
machine).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def _time(stmt: str, env: dict, budget: float) -> float:
    """Median seconds per call over 7 batches sized to run ~budget/7 each."""
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


def _worker(framework: str, names: list[str], cases: dict, numpy_cases: dict, threads: int, prelude: str,
            budget: float) -> None:
    import numpy as np
    if framework == "torch":
        import torch as lib
        lib.set_num_threads(threads)
    elif framework == "ember":
        import ember as lib
    else:
        lib = None
    results = {}
    for name in names:
        table = numpy_cases if framework == "numpy" else cases
        if name not in table:
            continue
        setup, stmt = table[name]
        env = {"lib": lib, "np": np}
        exec(prelude, env)
        exec(setup, env)
        results[name] = _time(stmt, env, budget)
    print(json.dumps(results))


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:10.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:10.2f} ms"


def main(cases: dict, numpy_cases: dict | None = None, *, prelude: str = "", budget: float = 0.5) -> None:
    numpy_cases = numpy_cases or {}
    script = sys.argv[0]
    ap = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--case", nargs="*", default=list(cases))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker(args.worker, args.case, cases, numpy_cases, args.threads, prelude, budget)
        return
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    frameworks = ["ember", "torch"] + (["numpy"] if any(c in numpy_cases for c in args.case) else [])
    runs: dict[str, dict[str, list[float]]] = {fw: {} for fw in frameworks}
    for _ in range(args.rounds):
        for fw in frameworks:
            out = subprocess.run([sys.executable, script, "--worker", fw, "--threads", str(args.threads),
                                  "--case", *args.case], capture_output=True, text=True, check=True, env=env)
            for name, secs in json.loads(out.stdout.strip().splitlines()[-1]).items():
                runs[fw].setdefault(name, []).append(secs)
    header = f"{'case':28s} {'ember':>13s} {'torch':>13s} {'ember/torch':>12s}"
    if "numpy" in frameworks:
        header += f" {'numpy':>13s} {'ember/numpy':>12s}"
    print(header)
    for name in args.case:
        e = statistics.median(runs["ember"][name])
        t = statistics.median(runs["torch"][name])
        line = f"{name:28s} {_fmt(e)} {_fmt(t)} {e / t:12.2f}"
        if "numpy" in frameworks:
            n = statistics.median(runs["numpy"][name]) if name in runs["numpy"] else None
            line += f" {_fmt(n)} {e / n:12.2f}" if n else f" {'-':>13s} {'-':>12s}"
        print(line)
