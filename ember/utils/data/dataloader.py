"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

With ``num_workers > 0`` the main process sends lists of indices to the workers round-robin,
keeping at most ``prefetch_factor * num_workers`` batches in flight, and receives batches on one
result queue (tensors through shared memory, see ``_shm``). With ``in_order=True`` batches are
yielded in sampler order, early arrivals being held back; with ``in_order=False`` as they come.
While waiting the main process polls its workers, so a dead worker raises instead of hanging.
"""

from __future__ import annotations

import atexit
import itertools
import math
import multiprocessing
import os
import queue
import signal
import time
import warnings

from ember.utils.data import _shm
from ember.utils.data._collate import default_collate, default_convert
from ember.utils.data._worker import (
    ExceptionWrapper,
    _DatasetKind,
    _IterableDatasetStopIteration,
    _ResumeIteration,
    _worker_loop,
    create_fetcher,
)
from ember.utils.data.dataset import IterableDataset
from ember.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]

_POLL_INTERVAL = 0.05   # seconds between liveness checks of the workers while waiting for a batch
_JOIN_TIMEOUT = 1.0     # seconds a worker gets to exit at shutdown before it is terminated
_uids = itertools.count()


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the index sampler of an IterableDataset."""

    def __iter__(self):
        while True:
            yield None


def _pin(data, device):
    if hasattr(data, "pin_memory"):
        return data.pin_memory(device) if device else data.pin_memory()
    if isinstance(data, dict):
        return type(data)({k: _pin(v, device) for k, v in data.items()}) if type(data) is not dict else \
            {k: _pin(v, device) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(_pin(v, device) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(_pin(v, device) for v in data)
    return data


def _accelerator_available() -> bool:
    from ember import cuda
    return cuda.is_available()


class DataLoader:
    """Iterate a dataset in batches; see the PyTorch documentation of ``torch.utils.data.DataLoader``."""

    __initialized = False

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._IterableDataset_len_called = None
        self.__initialized = True

    # --- multiprocessing context ----------------------------------------------------------
    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            if self.num_workers > 0:
                if isinstance(multiprocessing_context, str):
                    valid = multiprocessing.get_all_start_methods()
                    if multiprocessing_context not in valid:
                        raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                         f"{valid!r}, but got multiprocessing_context={multiprocessing_context!r}")
                    multiprocessing_context = multiprocessing.get_context(multiprocessing_context)
                if not isinstance(multiprocessing_context, multiprocessing.context.BaseContext):
                    raise TypeError(f"multiprocessing_context option should be a valid context object or a string "
                                    f"specifying the start method, but got "
                                    f"multiprocessing_context={multiprocessing_context}")
            else:
                raise ValueError(f"multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                           "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    # --- iteration --------------------------------------------------------------------------
    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self) -> int:
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self) -> None:
        """Warn when more workers are asked for than this machine has CPUs for."""
        try:
            max_workers, note = len(os.sched_getaffinity(0)), ""
        except (AttributeError, OSError):
            max_workers, note = os.cpu_count(), " (`cpuset` is not taken into account)"
        if max_workers is not None and self.num_workers > max_workers:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. Our suggested "
                          f"max number of worker in current system is {max_workers}{note}, which is smaller than "
                          f"what this DataLoader is going to create. Please be aware that excessive worker creation "
                          f"might get DataLoader running slow or even freeze, lower the worker number to avoid "
                          f"potential slowness/freeze if necessary.", stacklevel=3)


class _BaseDataLoaderIter:
    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._pin_memory = loader.pin_memory and _accelerator_available()
        if loader.pin_memory and not self._pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=3)
        self._pin_memory_device = loader.pin_memory_device
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        import ember
        self._base_seed = int(ember.empty((), dtype=ember.int64).random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter: bool = False) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called}"
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker. Please see "
                        "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f"{self.__class__.__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._fetcher = create_fetcher(self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
                                       self._drop_last)

    def _next_data(self):
        index = self._next_index()
        data = self._fetcher.fetch(index)
        if self._pin_memory:
            data = _pin(data, self._pin_memory_device)
        return data


class _WorkerPool:
    """A loader iterator's workers, their index pipes, the result queue, the done event and the shm prefix.

    Every live pool is held by the module-level ``_pools``, so none of these objects is ever part of
    the garbage the cycle collector finalizes: an iterator kept in a reference cycle (an exception's
    traceback reaches it) still shuts its workers down in an orderly way from ``__del__``.
    """

    def __init__(self, ctx, num_workers, prefix):
        self.owner_pid = os.getpid()
        self.prefix = prefix
        self.result_queue = ctx.Queue()
        self.done_event = ctx.Event()
        self.index_pipes = []
        self.workers = []
        self.closed = False
        _pools[id(self)] = self

    def start(self, ctx, worker_id, args):
        # one pipe per worker, written synchronously by the main process (no feeder thread)
        reader, writer = ctx.Pipe(duplex=False)
        w = ctx.Process(target=_worker_loop, args=(args[0], args[1], reader, self.result_queue, self.done_event)
                        + args[2:], daemon=True)
        self.index_pipes.append(writer)
        w.start()
        reader.close()
        self.workers.append(w)

    def shutdown(self) -> None:
        if self.closed or os.getpid() != self.owner_pid:
            return
        self.closed = True
        _pools.pop(id(self), None)
        try:
            self.done_event.set()
            reached = []
            for pipe in self.index_pipes:
                try:
                    pipe.send(None)
                    reached.append(True)
                except (OSError, ValueError):   # that worker is gone
                    reached.append(False)
            deadline = time.monotonic() + _JOIN_TIMEOUT
            for w, ok in zip(self.workers, reached):
                if ok:
                    w.join(timeout=max(0.0, deadline - time.monotonic()))
            for w in self.workers:
                if w.is_alive():
                    w.terminate()
                    w.join()
            for pipe in self.index_pipes:
                pipe.close()
            self.result_queue.cancel_join_thread()
            self.result_queue.close()
        finally:
            _shm.remove_blocks(self.prefix)


_pools: dict = {}


@atexit.register
def _shutdown_all() -> None:
    for pool in list(_pools.values()):
        pool.shutdown()


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._in_order = loader.in_order
        self._max_in_flight = max(1, self._prefetch_factor) * self._num_workers
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._pool = pool = _WorkerPool(ctx, self._num_workers, f"ember_dl_{os.getpid()}_{next(_uids)}")
        self._worker_result_queue = pool.result_queue
        self._index_queues = pool.index_pipes
        self._workers = pool.workers
        try:
            for i in range(self._num_workers):
                pool.start(ctx, i, (self._dataset_kind, self._dataset, self._auto_collation, self._collate_fn,
                                    self._drop_last, self._base_seed, loader.worker_init_fn, i, self._num_workers,
                                    self._persistent_workers, pool.prefix))
        except BaseException:
            pool.shutdown()
            raise
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter: bool = False) -> None:
        super()._reset(loader, first_iter)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for q in self._index_queues:
                q.send(_ResumeIteration())
            pending = self._num_workers
            while pending > 0:   # results of an unfinished previous epoch are read and dropped on the way
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending -= 1
        for _ in range(self._max_in_flight):
            self._try_put_index()

    def _try_put_index(self) -> None:
        if self._tasks_outstanding >= self._max_in_flight:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return   # every worker's iterable has ended
        self._index_queues[worker_id].send((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _check_workers(self) -> None:
        failed = [w for w in self._workers if not w.is_alive()]
        if not failed:
            return
        w = failed[0]
        code = w.exitcode
        if code is not None and code < 0:
            try:
                name = signal.strsignal(-code)
            except (ValueError, AttributeError):
                name = None
            cause = RuntimeError(f"DataLoader worker (pid {w.pid}) is killed by signal: {name or -code}. ")
        else:
            cause = RuntimeError(f"DataLoader worker (pid {w.pid}) exited unexpectedly with exit code {code}. "
                                 f"Details are lost due to multiprocessing. Rerunning with num_workers=0 may give "
                                 f"better error trace.")
        pids = ", ".join(str(p.pid) for p in failed)
        self._shutdown_workers()
        raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from cause

    def _get_data(self):
        """The next ``(idx, data)`` from the result queue, batches already unpacked from shared memory."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        result_queue = self._worker_result_queue
        while True:
            wait = _POLL_INTERVAL
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
                wait = min(wait, remaining)
            try:
                idx, data = result_queue.get(timeout=wait)
            except queue.Empty:
                self._check_workers()
                continue
            if isinstance(data, _shm.Packed):
                data = _shm.unpack(data)
            return idx, data

    def _next_data(self):
        while True:
            # skip tasks that were returned early (in_order=False) or will never be answered (their worker's
            # iterable dataset ended before it got to them)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                    self._tasks_outstanding -= 1
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                self._try_put_index()
                return self._process_data(info[1])
            if self._shutdown:
                raise StopIteration
            idx, data = self._get_data()
            if isinstance(idx, _ResumeIteration):
                continue
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                del self._task_info[idx]
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if self._in_order:
                    self._task_info[idx] += (data,)
                    continue
                del self._task_info[idx]
                self._try_put_index()
                return self._process_data(data)
            del self._task_info[idx]
            self._rcvd_idx += 1
            self._try_put_index()
            return self._process_data(data)

    def _process_data(self, data):
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        if self._pin_memory:
            data = _pin(data, self._pin_memory_device)
        return data

    @property
    def _shutdown(self) -> bool:
        return self._pool.closed

    def _shutdown_workers(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:
            pass
