"""Intra-op parallelism for large elementwise work on the CPU.

NumPy runs every ufunc on one core; PyTorch splits large elementwise kernels across its
intra-op thread pool. NumPy's ufunc loops release the GIL, so plain Python threads give the
same speed-up: split the output along its first axis into one chunk per thread and let each
thread run the ufunc on its chunk with ``out=``.

The dispatcher (``ember/_dispatch.py``) hands op forwards the namespace ``pnp`` instead of
``numpy`` when an op's first operand is large (``THRESHOLD`` elements or more). ``pnp`` is
NumPy's namespace with the costly ufuncs (``HEAVY_UFUNCS``) replaced by a ``ParallelUfunc`` that
splits large calls and passes small or unusual ones (``where=``, ``dtype=``, a first axis
too short to split) straight to NumPy. Forwards therefore stay plain ``xp.sin(a)`` code, and
small tensors never pay for any of this.

``ember.set_num_threads(n)`` / ``get_num_threads()`` set and read the number of threads, as
in PyTorch (default: the cores this process may run on). Elementwise results do not depend
on the number of threads.
"""

from __future__ import annotations

import os
import threading
import types
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["get_num_threads", "set_num_threads", "pnp", "THRESHOLD", "split_range"]

THRESHOLD = 1 << 18     # elements in the first operand before an op runs on several threads
_GRAIN = 1 << 17        # the fewest elements worth giving one thread

# Waking a sleeping thread costs ~100 us on the project's VMs (PyTorch's OpenMP threads spin
# instead of sleeping), which is more than a cheap ufunc (add, multiply: ~0.2 ns/element)
# saves on 1e6 elements. Only the transcendental ufuncs (2-3 ns/element) are split.
HEAVY_UFUNCS = ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
                "arcsinh", "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
                "power", "float_power", "cbrt", "logaddexp", "logaddexp2", "hypot")


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class _State:
    threads = _default_threads()
    pool: ThreadPoolExecutor | None = None
    lock = threading.Lock()


# the first-operand size from which the dispatcher hands forwards ``pnp`` (never with one thread)
active_threshold = THRESHOLD if _State.threads > 1 else float("inf")


def get_num_threads() -> int:
    """The number of threads ember uses for large elementwise operations on the CPU."""
    return _State.threads


def set_num_threads(num: int) -> None:
    """Set the number of threads used for large elementwise operations on the CPU."""
    global active_threshold
    if not isinstance(num, int) or isinstance(num, bool):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    active_threshold = THRESHOLD if num > 1 else float("inf")
    with _State.lock:
        if _State.pool is not None:
            _State.pool.shutdown(wait=True)
            _State.pool = None
        _State.threads = num


def _pool() -> ThreadPoolExecutor:
    pool = _State.pool
    if pool is None:
        with _State.lock:
            if _State.pool is None:
                _State.pool = ThreadPoolExecutor(max_workers=max(1, _State.threads - 1),
                                                 thread_name_prefix="ember-intraop")
            pool = _State.pool
    return pool


def _chunk_bounds(n: int, parts: int) -> list[tuple[int, int]]:
    step, extra = divmod(n, parts)
    bounds, start = [], 0
    for i in range(parts):
        stop = start + step + (1 if i < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


class ParallelUfunc:
    """A NumPy ufunc that runs large calls on several threads (see the module docstring)."""

    __slots__ = ("ufunc", "__name__")

    def __init__(self, ufunc: np.ufunc):
        self.ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __getattr__(self, name):        # reduce, accumulate, at, outer, nin, ... stay NumPy's
        return getattr(self.ufunc, name)

    def __repr__(self) -> str:
        return f"<parallel ufunc {self.__name__!r}>"

    def __call__(self, *args, out=None, **kwargs):
        ufunc = self.ufunc
        threads = _State.threads
        if kwargs or threads < 2 or len(args) != ufunc.nin:
            return _call(ufunc, args, out, kwargs)
        shapes = [a.shape for a in args if isinstance(a, np.ndarray)]
        if not shapes:
            return _call(ufunc, args, out, kwargs)
        shape = shapes[0] if all(s == shapes[0] for s in shapes) else np.broadcast_shapes(*shapes)
        if not shape:
            return _call(ufunc, args, out, kwargs)
        rows = shape[0]
        size = 1
        for n in shape:
            size *= n
        parts = min(threads, rows, size // _GRAIN)
        if parts < 2:
            return _call(ufunc, args, out, kwargs)
        nd = len(shape)
        if isinstance(out, tuple):
            out = out[0] if len(out) == 1 else out
        if out is None:
            # the result dtype exactly as NumPy's full call would pick it: run on one element
            probe = ufunc(*(a[(slice(0, 1),) * a.ndim] if isinstance(a, np.ndarray) and a.ndim else a
                            for a in args))
            out = np.empty(shape, dtype=probe.dtype)
        elif (not isinstance(out, np.ndarray) or out.shape != shape
              or any(isinstance(a, np.ndarray) and a is not out and np.may_share_memory(a, out) for a in args)):
            return _call(ufunc, args, out, kwargs)
        # operands with the output's rank and its first-axis length are split with it;
        # the rest (lower rank, or a first axis of 1) broadcast whole against every chunk
        split = [isinstance(a, np.ndarray) and a.ndim == nd and a.shape[0] == rows for a in args]
        bounds = _chunk_bounds(rows, parts)
        errors = np.geterr()            # NumPy's error settings are per thread: carry the caller's over

        def run(lo, hi):
            ufunc(*(a[lo:hi] if s else a for a, s in zip(args, split)), out=out[lo:hi])

        def run_in_worker(lo, hi):
            with np.errstate(**errors):
                run(lo, hi)

        pool = _pool()
        futures = [pool.submit(run_in_worker, lo, hi) for lo, hi in bounds[1:]]
        run(*bounds[0])
        for f in futures:
            f.result()
        return out


def split_range(n: int, fn, align: int = 1, min_size: int = 1 << 20) -> None:
    """Run ``fn(lo, hi)`` over ``[0, n)``: in one call, or, for ``n >= min_size`` with several
    threads, one contiguous share per thread (cut on multiples of ``align``).

    For kernels that stream large arrays in many NumPy calls (optimizer updates): each thread
    is woken once per call, and its share is big enough that the GIL, held only between NumPy
    calls, is rarely contended. ``fn`` must only touch its own share.
    """
    threads = _State.threads
    if threads < 2 or n < min_size:
        fn(0, n)
        return
    blocks = -(-n // align)
    cuts = [min(n, (blocks * i // threads) * align) for i in range(threads + 1)]
    errors = np.geterr()

    def share(lo, hi):
        with np.errstate(**errors):
            fn(lo, hi)

    pool = _pool()
    futures = [pool.submit(share, cuts[i], cuts[i + 1]) for i in range(1, threads) if cuts[i] < cuts[i + 1]]
    fn(cuts[0], cuts[1])
    for f in futures:
        f.result()


def _call(ufunc, args, out, kwargs):
    if out is None:
        return ufunc(*args, **kwargs)
    return ufunc(*args, out=out, **kwargs)


def _make_namespace() -> types.ModuleType:
    ns = types.ModuleType("ember._parallel.pnp", "NumPy with elementwise ufuncs split across threads.")
    ns.__dict__.update({k: v for k, v in vars(np).items() if not k.startswith("__")})
    for name in HEAVY_UFUNCS:
        ns.__dict__[name] = ParallelUfunc(getattr(np, name))
    return ns


pnp = _make_namespace()
