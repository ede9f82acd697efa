"""Moving batches from worker processes to the main process through shared memory.

A worker pickles its batch with every CPU tensor taken out (``persistent_id``): the tensors'
bytes are written (``pwrite``), 64-byte aligned, into one file-backed shared block per batch (a
file in ``/dev/shm``), and only ``(block name, [(offset, shape, dtype)], pickled
structure)`` travels through the result queue. The main process maps the block, unlinks its
name at once (the mapping lives on until the last tensor using it is freed), and rebuilds the
batch with tensors that *wrap* the mapping: one copy in all (the worker's write).

Block names start with a per-iterator prefix, so whatever is left behind by a worker that
died, or by results never read, is removed by ``remove_blocks(prefix)`` at shutdown.
"""

from __future__ import annotations

import glob
import io
import mmap
import os
import pickle
import tempfile

import numpy as np

from ember import _dtype as D
from ember._tensor import Tensor, _make

__all__ = ["Packed", "pack", "unpack", "discard", "remove_blocks", "block_dir"]

_ALIGN = 64


def _block_dir() -> str:
    d = "/dev/shm"
    if os.path.isdir(d) and os.access(d, os.W_OK):
        return d
    return tempfile.gettempdir()


block_dir = _block_dir()


class Packed:
    """A batch in transit: the shared block's path (None when it holds no tensor bytes), the tensor table, the
    pickled structure."""

    __slots__ = ("path", "size", "table", "payload")

    def __init__(self, path, size, table, payload):
        self.path = path
        self.size = size
        self.table = table
        self.payload = payload

    def __reduce__(self):
        return (Packed, (self.path, self.size, self.table, self.payload))


class _Pickler(pickle.Pickler):
    def __init__(self, file, tensors):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._tensors = tensors

    def persistent_id(self, obj):
        if type(obj) is Tensor and obj._device.type == "cpu":
            self._tensors.append(obj)
            return len(self._tensors) - 1
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, arrays):
        super().__init__(file)
        self._arrays = arrays

    def persistent_load(self, pid):
        return self._arrays[pid]


def pack(data, prefix: str, counter: int) -> Packed:
    """Write ``data``'s CPU tensors into a new shared block named from ``prefix`` and ``counter``."""
    tensors: list = []
    buf = io.BytesIO()
    _Pickler(buf, tensors).dump(data)
    table = []
    size = 0
    for t in tensors:
        nbytes = t._data.nbytes
        table.append((size, t._data.shape, t._dtype.name, t._requires_grad))
        size += (nbytes + _ALIGN - 1) // _ALIGN * _ALIGN
    path = None
    if size:
        path = os.path.join(block_dir, f"{prefix}_{counter}")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, size)
            for t, (offset, _, _, _) in zip(tensors, table):
                if t._data.nbytes:
                    _write_all(fd, t._data, offset)
        finally:
            os.close(fd)
    return Packed(path, size, table, buf.getvalue())


def _write_all(fd: int, arr: np.ndarray, offset: int) -> None:
    """Write ``arr``'s bytes (C order) at ``offset``: ``pwrite`` fills tmpfs pages without the page faults a
    mapping would take."""
    view = memoryview(np.ascontiguousarray(arr).reshape(-1).view(np.uint8))
    done = 0
    while done < len(view):
        done += os.pwrite(fd, view[done:], offset + done)


def unpack(packed: Packed):
    """Rebuild the batch; its tensors wrap the shared block, whose name is removed here."""
    mm = None
    if packed.path is not None:
        fd = os.open(packed.path, os.O_RDWR)
        try:
            mm = mmap.mmap(fd, packed.size)
        finally:
            os.close(fd)
            os.unlink(packed.path)
    arrays = []
    for offset, shape, dtype_name, requires_grad in packed.table:
        dt = D._lookup_name(dtype_name)
        if mm is not None and int(np.prod(shape)):
            arr = np.ndarray(shape, dtype=dt.np, buffer=mm, offset=offset)
        else:
            arr = np.empty(shape, dtype=dt.np)
        t = _make(arr, dt, _CPU)
        if requires_grad:
            t.requires_grad_(True)
        arrays.append(t)
    return _Unpickler(io.BytesIO(packed.payload), arrays).load()


def discard(packed) -> None:
    """Drop a batch that will never be read: remove its block."""
    if isinstance(packed, Packed) and packed.path is not None:
        try:
            os.unlink(packed.path)
        except FileNotFoundError:
            pass


def remove_blocks(prefix: str) -> None:
    """Remove every block whose name starts with ``prefix`` (left by dead workers or unread results)."""
    for path in glob.glob(os.path.join(block_dir, glob.escape(prefix) + "_*")):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _cpu():
    from ember._device import canonical
    return canonical("cpu")


_CPU = _cpu()
