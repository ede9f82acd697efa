"""``ember.load``: checkpoints written by ``torch.save`` (zip and legacy formats) or by ``ember.save``."""

from __future__ import annotations

import io
import mmap as _mmap
import os
import pickle
import struct
import zipfile

import numpy as np

from ember._device import CPU, cupy_module
from ember._device import device as _device_cls
from ember.serialization._rebuild import TORCH_GLOBALS, LoadedStorage, StorageType
from ember.serialization._save import LEGACY_MAGIC, LEGACY_PROTOCOL
from ember.serialization._weights_only import (
    WEIGHTS_ONLY_FOOTER,
    WEIGHTS_ONLY_HEADER,
    WeightsOnlyError,
    weights_only_load,
)
from ember.serialization._zip import record_data_offset


class _LoadError(RuntimeError):
    """A load failure whose message already says what is wrong (not wrapped again)."""


# --- map_location ----------------------------------------------------------------------------------------------
def _default_restore(storage: LoadedStorage, location) -> LoadedStorage:
    loc = str(location)
    if loc == "cpu":
        return storage.cpu()
    if loc == "cuda" or loc.startswith("cuda:"):
        cp = cupy_module()
        if cp is None:
            raise _LoadError("Attempting to deserialize object on a CUDA device but ember.cuda.is_available() is "
                             "False. If you are running on a CPU-only machine, please use ember.load with "
                             "map_location=ember.device('cpu') to map your storages to the CPU.")
        index = _device_cls(loc).index or 0
        count = cp.cuda.runtime.getDeviceCount()
        if index >= count:
            raise _LoadError(f"Attempting to deserialize object on CUDA device {index} but "
                             f"ember.cuda.device_count() is {count}. Please use ember.load with map_location to "
                             "map your storages to an existing device.")
        return storage.to(f"cuda:{index}")
    raise _LoadError(f"don't know how to restore data location of storage (tagged with {loc})")


def _restore_fn(map_location):
    if map_location is None:
        return _default_restore
    if isinstance(map_location, (str, _device_cls)):
        target = str(map_location)
        _device_cls(target)  # a bad device string fails here, before reading anything
        return lambda storage, location: _default_restore(storage, target)
    if isinstance(map_location, dict):
        return lambda storage, location: _default_restore(storage, map_location.get(location, location))
    if callable(map_location):
        def restore(storage, location):
            result = map_location(storage, location)
            if result is None:
                result = _default_restore(storage, location)
            if not isinstance(result, LoadedStorage):
                raise _LoadError(f"map_location callable must return a storage or None, got "
                                 f"{type(result).__name__}")
            return result
        return restore
    raise TypeError(f"map_location must be None, a string, an ember.device, a dict or a callable, "
                    f"got {type(map_location).__name__}")


# --- unpicklers --------------------------------------------------------------------------------------------------
_UNPICKLERS: dict = {}


def _full_unpickler_class(pickle_module):
    base = pickle_module.Unpickler
    cls = _UNPICKLERS.get(base)
    if cls is None:
        class _Unpickler(base):
            def find_class(self, module, name):
                full = f"{module}.{name}"
                obj = TORCH_GLOBALS.get(full)
                if obj is not None:
                    return obj
                if module == "torch" or module.startswith("torch."):
                    try:
                        return super().find_class("ember" + module[5:], name)
                    except (ImportError, AttributeError) as e:
                        raise pickle.UnpicklingError(f"ember has no equivalent of {full}") from e
                return super().find_class(module, name)

            def persistent_load(self, pid):
                return self._ember_persistent_load(pid)

        cls = _UNPICKLERS[base] = _Unpickler
    return cls


def _unpickle(file, persistent_load, weights_only, pickle_module, pickle_load_args):
    if weights_only:
        return weights_only_load(file, persistent_load)
    up = _full_unpickler_class(pickle_module)(file, **pickle_load_args)
    up._ember_persistent_load = persistent_load
    return up.load()


def _no_persistent(pid):
    raise _LoadError("unexpected persistent id in checkpoint header")


def _readinto(src, buf: np.ndarray) -> None:
    mv = memoryview(buf.view(np.uint8))
    got = 0
    while got < len(mv):
        n = src.readinto(mv[got:])
        if not n:
            raise _LoadError(f"checkpoint is truncated: storage data ends after {got} of {len(mv)} bytes")
        got += n


def _storage_header(pid, length):
    if not isinstance(pid, tuple) or len(pid) != length or pid[0] != "storage":
        raise _LoadError(f"Unknown typename for persistent_load, expected 'storage' but got "
                         f"'{pid[0] if isinstance(pid, tuple) and pid else pid!r}'")
    stype, key, location, numel = pid[1:5]
    if not isinstance(stype, StorageType) or not isinstance(key, str) or not isinstance(location, str) \
            or not isinstance(numel, int) or numel < 0:
        raise _LoadError(f"invalid storage reference in checkpoint: {pid!r}")
    return stype.dtype, key, location, numel


def _retype(storage: LoadedStorage, dtype) -> LoadedStorage:
    if storage.dtype is dtype:
        return storage
    arr = storage.array
    if arr.nbytes % dtype.itemsize:
        raise _LoadError(f"storage of {arr.nbytes} bytes cannot be viewed as {dtype}")
    return LoadedStorage(arr.view(dtype.np), dtype, storage.device)


# --- formats -----------------------------------------------------------------------------------------------------
def _file_size(fh) -> int:
    pos = fh.tell()
    end = fh.seek(0, io.SEEK_END)
    fh.seek(pos)
    return end


def _load_zip(fh, restore, weights_only, use_mmap, pickle_module, pickle_load_args):
    total = _file_size(fh)
    zf = zipfile.ZipFile(fh)
    infos = zf.infolist()
    if not infos:
        raise _LoadError("checkpoint archive holds no records")
    prefix = infos[0].filename.split("/", 1)[0]
    records = {i.filename: i for i in infos}
    pkl = records.get(f"{prefix}/data.pkl")
    if pkl is None:
        raise _LoadError("PytorchStreamReader failed locating file data.pkl: file not found")
    byteorder = "little"
    if f"{prefix}/byteorder" in records:
        byteorder = zf.read(records[f"{prefix}/byteorder"]).decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise _LoadError(f"Unknown endianness type: {byteorder}")
    data_pkl = zf.read(pkl)
    mm = _mmap.mmap(fh.fileno(), 0, access=_mmap.ACCESS_COPY) if use_mmap else None
    loaded: dict = {}

    def persistent_load(pid):
        dtype, key, location, numel = _storage_header(pid, 5)
        hit = loaded.get(key)
        if hit is not None:
            return _retype(hit, dtype)
        info = records.get(f"{prefix}/data/{key}")
        if info is None:
            raise _LoadError(f"PytorchStreamReader failed locating file data/{key}: file not found")
        nbytes = numel * dtype.itemsize
        if info.file_size != nbytes or nbytes > total:
            raise _LoadError(f"record data/{key} holds {info.file_size} bytes but its storage needs {nbytes}")
        if mm is not None:
            if info.compress_type != zipfile.ZIP_STORED:
                raise _LoadError(f"record data/{key} is compressed and cannot be memory-mapped")
            offset = record_data_offset(fh, info)
            arr = np.frombuffer(mm, dtype.np, numel, offset) if numel else np.empty(0, dtype.np)
        else:
            arr = np.empty(numel, dtype.np)
            if numel:
                with zf.open(info) as src:
                    _readinto(src, arr)
        if byteorder == "big" and dtype.itemsize > 1:
            arr.byteswap(inplace=True)
        storage = restore(LoadedStorage(arr, dtype, CPU), location)
        loaded[key] = storage
        return storage

    return _unpickle(io.BytesIO(data_pkl), persistent_load, weights_only, pickle_module, pickle_load_args)


def _load_legacy(fh, restore, weights_only, pickle_module, pickle_load_args):
    def header():
        if weights_only:
            return weights_only_load(fh, _no_persistent)
        return pickle_module.load(fh, **pickle_load_args)

    total = _file_size(fh)
    magic = header()
    if type(magic) is not int or magic != LEGACY_MAGIC:
        raise _LoadError("Invalid magic number; corrupt file?")
    protocol = header()
    if type(protocol) is not int or protocol != LEGACY_PROTOCOL:
        raise _LoadError(f"Invalid protocol version: {protocol}")
    sys_info = header()
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    start = fh.tell()
    pending: dict = {}  # key -> [cpu storage, location]
    restored: dict = {}

    def persistent_load(pid):
        dtype, key, location, numel = _storage_header(pid, 6)
        view = pid[5]
        if restored:
            storage = restored[key]
        else:
            entry = pending.get(key)
            if entry is None:
                if numel * dtype.itemsize > total:
                    raise _LoadError(f"storage {key} needs {numel * dtype.itemsize} bytes, more than the file holds")
                entry = pending[key] = [LoadedStorage(np.empty(numel, dtype.np), dtype, CPU), location]
            storage = entry[0]
        storage = _retype(storage, dtype)
        if view is not None:
            _view_key, offset, size = view
            storage = LoadedStorage(storage.array[offset:offset + size], dtype, storage.device)
        return storage

    result = _unpickle(fh, persistent_load, weights_only, pickle_module, pickle_load_args)
    keys = header()
    if not isinstance(keys, list):
        raise _LoadError("invalid storage key list in checkpoint")
    for key in keys:
        if key not in pending:
            raise _LoadError(f"checkpoint lists storage {key!r} that no tensor uses")
        arr = pending[key][0].array
        raw = fh.read(8)
        if len(raw) != 8:
            raise _LoadError("checkpoint is truncated: storage header missing")
        (numel,) = struct.unpack("<q", raw)
        if numel != arr.size:
            raise _LoadError(f"storage {key!r} holds {numel} elements, expected {arr.size}")
        _readinto(fh, arr)
        if not little and arr.itemsize > 1:
            arr.byteswap(inplace=True)
    moved = {key: restore(st, loc) for key, (st, loc) in pending.items()}
    if all(moved[key] is pending[key][0] for key in pending):
        return result
    # some storage went to another device: rebuild the objects from the moved storages
    restored.update(moved)
    fh.seek(start)
    return _unpickle(fh, persistent_load, weights_only, pickle_module, pickle_load_args)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved with ``torch.save`` or :func:`ember.save` (PyTorch's ``torch.load``).

    ``weights_only`` (the default unless ``pickle_module`` is given) only builds tensors, containers, dtypes, sizes,
    devices and globals marked safe with :func:`ember.serialization.add_safe_globals`; anything else raises
    ``pickle.UnpicklingError``. A corrupt, truncated or foreign file raises ``RuntimeError``. ``mmap=True`` maps the
    storages of a zip checkpoint from the file instead of reading them (copy-on-write: writes stay in memory).
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_module is None:
        pickle_module = pickle
    restore = _restore_fn(map_location)
    opened = None
    if isinstance(f, (str, bytes, os.PathLike)):
        fh = opened = open(os.fsdecode(os.fspath(f)), "rb")
    else:
        fh = f
        if not (hasattr(fh, "seekable") and fh.seekable()):
            fh = io.BytesIO(fh.read())
    try:
        start = fh.tell()
        magic = fh.read(4)
        fh.seek(start)
        is_zip = magic == b"PK\x03\x04"
        if mmap:
            if not is_zip:
                raise RuntimeError("mmap can only be used with files saved with "
                                   "`ember.save(_use_new_zipfile_serialization=True), please ember.save your "
                                   "checkpoint with this option in order to use mmap.")
            if opened is None:
                raise ValueError("f must be a file path in order to use the mmap argument")
        try:
            if is_zip:
                return _load_zip(fh, restore, weights_only, bool(mmap), pickle_module, pickle_load_args)
            if not magic:
                raise _LoadError("cannot load an empty file: it is not a checkpoint")
            return _load_legacy(fh, restore, weights_only, pickle_module, pickle_load_args)
        except WeightsOnlyError as e:
            raise pickle.UnpicklingError(WEIGHTS_ONLY_HEADER + str(e) + WEIGHTS_ONLY_FOOTER) from None
        except RuntimeError:
            raise
        except Exception as e:
            raise RuntimeError(f"failed to load checkpoint: the file is corrupt, truncated or not written by "
                               f"torch.save / ember.save ({type(e).__name__}: {e})") from e
    finally:
        if opened is not None:
            opened.close()
