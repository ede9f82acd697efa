"""CPU memory reuse: keep freed large blocks in the process instead of returning them to the OS.

glibc serves large allocations with fresh ``mmap`` pages and hands them back on ``free``; on
the project's VMs every first touch of a fresh page then costs a page fault (~3 us per 4 KiB).
A training step allocates and frees the same large arrays over and over, so ember raises
glibc's mmap threshold (blocks below it come from the heap) and its trim threshold (freed heap
memory up to that size is kept for reuse) when it is imported. This halves the time of a
backward-heavy chain of ops on 1e6-element tensors (benchmarks/README.md).

Linux with glibc only; elsewhere nothing happens. ``EMBER_MALLOC_TUNING=0`` in the
environment leaves the allocator alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 256 << 20  # blocks up to 256 MiB come from the reusable heap
TRIM_THRESHOLD = 1 << 30    # keep up to 1 GiB of freed heap memory for reuse


def tune_malloc(mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Set glibc's mmap and trim thresholds; returns whether both were accepted."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)) and bool(mallopt(_M_TRIM_THRESHOLD, trim_threshold))


def tune_at_import() -> bool:
    if os.environ.get("EMBER_MALLOC_TUNING", "1") == "0":
        return False
    return tune_malloc()


malloc_tuned = tune_at_import()
