"""Datasets for the DataLoader tests, importable by name so ``spawn`` workers can unpickle them."""

import os
import random
import signal
import time

import numpy as np

import ember
from ember.utils.data import Dataset, IterableDataset, get_worker_info

_INIT_VALUE = -1


class SquareDataset(Dataset):
    """Sample i: (tensor [i, i*i] float32, i)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ember.tensor([float(i), float(i * i)]), i


class DictDataset(Dataset):
    """Sample i: a dict with a tensor, a NumPy array, a float and a string."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": ember.full((2, 3), float(i)), "a": np.arange(4, dtype=np.int32) + i, "f": i / 2,
                "s": f"s{i}"}


class SeedDataset(Dataset):
    """Sample i: the worker id and one draw from each of ember's, NumPy's and Python's global generators."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id if info is not None else -1, info.seed if info is not None else -1,
                float(ember.rand(()).item()), float(np.random.rand()), random.random())


class WorkerDataset(Dataset):
    """Sample i: (pid, worker id, the value worker_init_fn stored)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        info = get_worker_info()
        return os.getpid(), info.id, _INIT_VALUE


def init_fn(worker_id):
    global _INIT_VALUE
    _INIT_VALUE = 100 + worker_id


def failing_init_fn(worker_id):
    raise ValueError(f"init failed in {worker_id}")


class ShardedRange(IterableDataset):
    """0 .. n-1, each worker taking every num_workers-th element starting at its id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class UnshardedRange(IterableDataset):
    """0 .. n-1 in every worker (so every sample is loaded num_workers times)."""

    def __init__(self, n, reported_len=None):
        self.n = n
        self.reported_len = n if reported_len is None else reported_len

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.reported_len


class FailingDataset(Dataset):
    def __init__(self, n, bad):
        self.n = n
        self.bad = bad

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"bad index {i}")
        return i


class KeyErrorDataset(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        raise KeyError(i)


class KillingDataset(Dataset):
    """Kills its own process (SIGKILL) when asked for index ``bad``."""

    def __init__(self, n, bad):
        self.n = n
        self.bad = bad

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.bad:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class SlowDataset(Dataset):
    """Sleeps ``delays[i]`` seconds before returning i."""

    def __init__(self, delays):
        self.delays = delays

    def __len__(self):
        return len(self.delays)

    def __getitem__(self, i):
        time.sleep(self.delays[i])
        return ember.tensor([i])


class BigDataset(Dataset):
    """Samples large enough that pickling their bytes would show: (64, 64) float32 filled with i."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return ember.full((64, 64), float(i))


def to_py(obj):
    """A plain, comparable form of a batch from either library: tensors become ("tensor", dtype, shape, values);
    container types are kept by name (so a tuple vs list difference shows)."""
    if hasattr(obj, "detach") and hasattr(obj, "dtype") and hasattr(obj, "shape"):
        arr = obj.detach().numpy() if type(obj).__module__.startswith("torch") else obj.numpy()
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(arr.shape), arr.tolist())
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: to_py(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, tuple(to_py(v) for v in obj))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [to_py(v) for v in obj])
    return obj


class TouchDataset(Dataset):
    """Records each fetch by creating a file named after the index in ``directory``."""

    def __init__(self, directory, n):
        self.directory = str(directory)
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        with open(os.path.join(self.directory, str(i)), "w"):
            pass
        return i


class NoMessageError(Exception):
    def __init__(self, a, b):
        super().__init__(a, b)


class NoMessageDataset(Dataset):
    """Raises an exception type that cannot be built from one message."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        raise NoMessageError(1, 2)


class GateDataset(Dataset):
    """Index 0 waits (up to 10 s) until a file named ``go`` exists in ``directory``; other indices return at once."""

    def __init__(self, directory, n):
        self.directory = str(directory)
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == 0:
            deadline = time.monotonic() + 10
            while not os.path.exists(os.path.join(self.directory, "go")) and time.monotonic() < deadline:
                time.sleep(0.01)
        return i
