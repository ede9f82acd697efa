"""What runs inside a DataLoader worker process, and the messages it exchanges with the main process.

A worker seeds ``random``, NumPy and ember from ``base_seed + worker_id``, publishes its
``WorkerInfo`` (``get_worker_info()``), runs ``worker_init_fn``, then answers ``(idx, index)``
requests from its index pipe with ``(idx, batch)`` on the shared result queue, batches
packed into shared memory (``_shm``). ``None`` ends it; ``_ResumeIteration`` starts a new epoch
for persistent workers. Exceptions travel as ``ExceptionWrapper`` and are re-raised in the main
process with the worker's traceback.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import random
import sys
import traceback

import numpy as np

from ember.utils.data import _shm

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

# how often (seconds) an idle worker checks that the main process is still alive
_STATUS_CHECK_INTERVAL = 5.0


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed`` and its copy of the ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The current worker's ``WorkerInfo`` inside a DataLoader worker process; ``None`` in the main process."""
    return _worker_info


class _KeyErrorMessage(str):
    """KeyError shows ``repr`` of its argument; this keeps the multi-line message readable."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried as its type and formatted traceback."""

    def __init__(self, exc_info=None, where: str = "in background", note: str = ""):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        if note:
            self.exc_msg += note
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            exc = None  # no frame -> exception -> traceback -> frame cycle keeping the iterator (and workers) alive


@dataclasses.dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclasses.dataclass(frozen=True)
class _ResumeIteration:
    seed: int | None = None


class _DatasetKind:
    Map = 0
    Iterable = 1


class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if getitems else None

    def fetch(self, index):
        if self.auto_collation:
            if self.getitems is not None:
                data = self.getitems(index)
            else:
                ds = self.dataset
                data = [ds[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.it = iter(dataset)
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(next(self.it))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.it)
        return self.collate_fn(data)


def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
    cls = _MapFetcher if kind == _DatasetKind.Map else _IterableFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _seed_all(seed: int) -> None:
    from ember.ops.random import manual_seed
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(seed % (1 << 32))


def _picklable(wrapper: ExceptionWrapper) -> ExceptionWrapper:
    try:
        pickle.dumps(wrapper.exc_type)
    except Exception:  # e.g. an exception class defined inside a function: send a RuntimeError instead
        wrapper.exc_type = RuntimeError
    return wrapper


def _worker_loop(kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers, persistent_workers, shm_prefix):
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = base_seed + worker_id
        _seed_all(seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = _picklable(ExceptionWrapper(where=where))
        prefix = f"{shm_prefix}_w{worker_id}"
        counter = 0
        iteration_end = False
        parent = os.getppid()
        while True:
            try:
                if not index_queue.poll(_STATUS_CHECK_INTERVAL):
                    if os.getppid() != parent:  # the main process is gone
                        break
                    continue
                r = index_queue.recv()
            except (EOFError, OSError):  # the main process closed its end
                break
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if init_error is None:
                    try:
                        fetcher = create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last)
                    except Exception:
                        init_error = _picklable(ExceptionWrapper(where=where))
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                    data = _shm.pack(data, prefix, counter)
                    counter += 1
                except StopIteration:
                    if kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = _picklable(ExceptionWrapper(where=where, note=_index_note(index)))
                except Exception:
                    data = _picklable(ExceptionWrapper(where=where, note=_index_note(index)))
            data_queue.put((idx, data))
            del data, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()


def _index_note(index) -> str:
    if index is None or (isinstance(index, list) and all(i is None for i in index)):
        return ""
    return f"(raised while fetching dataset index {index})\n" if not isinstance(index, list) else \
        f"(raised while fetching dataset indices {index})\n"
