"""``ember.multiprocessing`` (``torch.multiprocessing``): Python's ``multiprocessing``, re-exported.

PyTorch wraps multiprocessing so tensors travel through shared memory when put on a queue.
ember's DataLoader moves tensors through shared memory itself (ember/utils/data/_shm.py);
tensors sent through these queues are pickled (their bytes copied), which is correct but
slower for large tensors.
"""

from multiprocessing import *  # noqa: F401,F403
from multiprocessing import get_context


def spawn(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False, start_method: str = "spawn"):
    """Run ``fn(i, *args)`` in ``nprocs`` processes (``torch.multiprocessing.spawn``); raise if one fails."""
    ctx = get_context(start_method)
    procs = [ctx.Process(target=fn, args=(i, *args), daemon=daemon) for i in range(nprocs)]
    for p in procs:
        p.start()
    if not join:
        return procs
    for p in procs:
        p.join()
    for i, p in enumerate(procs):
        if p.exitcode != 0:
            raise RuntimeError(f"process {i} terminated with exit code {p.exitcode}")
    return None
