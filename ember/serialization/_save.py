"""``ember.save``: PyTorch's checkpoint formats written without importing torch.

The pickle names PyTorch's globals (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``, ``torch.Size``,
``torch.float32``, ...) through :class:`_Global` stand-ins that the pickler writes as ``GLOBAL module\\nname``
opcodes; the standard machinery would import the module to check the name, i.e. import torch. The pure-Python
pickler (``pickle._Pickler``) is used because its ``save_global`` can be replaced per type. Tensors become
``_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`` calls whose storage is a
persistent id ``('storage', torch.<Type>Storage, key, location, numel)``; tensors that view one NumPy base array
share one storage (found by walking ``arr.base`` to the array owning the memory and measuring byte offsets).
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import stat
import struct
import sys
from collections import OrderedDict

import numpy as np

from ember import _dtype as D
from ember._device import device as _device_cls
from ember._tensor import Size, Tensor, _make
from ember.nn.parameter import Parameter
from ember.serialization._zip import ZipWriter

STORAGE_NAMES = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage", "bfloat16": "BFloat16Storage",
    "int8": "CharStorage", "int16": "ShortStorage", "int32": "IntStorage", "int64": "LongStorage",
    "uint8": "ByteStorage", "bool": "BoolStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001


class _Global:
    """A ``module.name`` the pickle refers to (written as a GLOBAL opcode, never imported)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __repr__(self):
        return f"{self.module}.{self.name}"

    def __call__(self, *args, **kwargs):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self!r} is a name written into a checkpoint, not the function itself")


_GLOBALS: dict = {}


def _g(module: str, name: str) -> _Global:
    key = (module, name)
    g = _GLOBALS.get(key)
    if g is None:
        g = _GLOBALS[key] = _Global(module, name)
    return g


class _StorageRef:
    """A storage the pickle refers to by persistent id."""

    __slots__ = ("key", "dtype", "location", "numel")

    def __init__(self, key, dtype, location, numel):
        self.key, self.dtype, self.location, self.numel = key, dtype, location, numel


def _location(dev) -> str:
    return "cpu" if dev.type == "cpu" else f"{dev.type}:{dev.index or 0}"


def _contiguous_strides(shape) -> tuple:
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def _ptr(arr) -> int:
    if isinstance(arr, np.ndarray):
        return arr.__array_interface__["data"][0]
    return int(arr.data.ptr)


def _root(arr):
    root = arr
    if isinstance(arr, np.ndarray):
        while isinstance(root.base, np.ndarray):
            root = root.base
    else:  # cupy
        while getattr(root, "base", None) is not None:
            root = root.base
    return root


def _flat_bytes(root):
    """The memory block of a C- or F-contiguous array as a 1-D uint8 array (no copy), else None."""
    if root.flags.c_contiguous:
        flat = root.reshape(-1)
    elif root.flags.f_contiguous:
        flat = root.T.reshape(-1)
    else:
        return None
    return flat.view(np.uint8) if flat.dtype.itemsize else None


class _StorageTable:
    """Storages met while pickling: key -> (byte array, dtype, location, numel), in order of first use."""

    def __init__(self):
        self.entries: dict = {}
        self._by_root: dict = {}
        self._locations: dict = {}

    def _location(self, dev) -> str:
        # one string object per location, made afresh (not the interned literal a device also holds), so the
        # pickle memoizes locations exactly as PyTorch's writer does
        loc = self._locations.get(dev)
        if loc is None:
            loc = self._locations[dev] = "".join(list(_location(dev)))
        return loc

    def ref_for(self, t: Tensor):
        """(storage ref, storage offset, size, stride) of a tensor."""
        arr = t._data
        dt = t._dtype
        item = dt.itemsize
        loc = self._location(t._device)
        shape = tuple(int(n) for n in arr.shape)
        root = _root(arr)
        view = self._as_view_of(arr, root, item, shape)
        if view is not None:
            rid = id(root)
            known = self._by_root.get(rid)
            if known is None:
                key = str(len(self.entries))
                flat = _flat_bytes(root)
                numel = flat.size // item
                self.entries[key] = (flat, dt, loc, numel)
                self._by_root[rid] = (key, dt, root)  # root kept alive, so its id is not reused
            else:
                key = known[0]
                if known[1] is not dt:
                    raise RuntimeError("Cannot save multiple tensors or storages that view the same data as "
                                       "different types")
            offset, strides = view
            _, _, loc0, numel = self.entries[key]
            return _StorageRef(key, dt, loc0, numel), offset, shape, strides
        # memory that is not a plain block (negative strides, odd offsets): a storage of its own
        key = str(len(self.entries))
        flat = arr.copy().reshape(-1)
        self.entries[key] = (flat.view(np.uint8) if flat.size else np.empty(0, np.uint8), dt, loc, int(flat.size))
        self._by_root[("own", key)] = (key, dt, flat)
        return _StorageRef(key, dt, loc, int(flat.size)), 0, shape, _contiguous_strides(shape)

    @staticmethod
    def _as_view_of(arr, root, item, shape):
        """(element offset, element strides) of ``arr`` inside ``root``'s memory block, or None."""
        flat = _flat_bytes(root)
        if flat is None or flat.size % item:
            return None
        nbytes = flat.size
        off = _ptr(arr) - _ptr(root)
        if off % item or off < 0:
            return None
        strides = []
        extent = 0
        for n, s in zip(shape, arr.strides):
            if n <= 1:
                strides.append(None)
                continue
            if s < 0 or s % item:
                return None
            strides.append(s // item)
            extent += (n - 1) * s
        contiguous = _contiguous_strides(shape)
        strides = tuple(c if s is None else s for s, c in zip(strides, contiguous))
        if 0 in shape:
            if off > nbytes:
                return None
        elif off + extent + item > nbytes:
            return None
        return off // item, strides


def _state_of(t) -> dict:
    d = getattr(t, "__dict__", None)
    return dict(d) if d else {}


class _TorchPicklerMixin:
    """Pickles ember objects under PyTorch's global names; collects the tensors' storages."""

    def _init_torch(self, storages: _StorageTable, legacy: bool):
        self._storages = storages
        self._legacy = legacy

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            pid = ("storage", _g("torch", STORAGE_NAMES[obj.dtype.name]), obj.key, obj.location, obj.numel)
            return pid + (None,) if self._legacy else pid
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def _reduce_tensor(self, t):
        if isinstance(t, Parameter):
            data = _make(t._data, t._dtype, t._device)
            state = _state_of(t)
            if state:
                return (_g("torch._utils", "_rebuild_parameter_with_state"),
                        (data, t.requires_grad, OrderedDict(), state))
            return (_g("torch._utils", "_rebuild_parameter"), (data, t.requires_grad, OrderedDict()))
        ref, offset, shape, strides = self._storages.ref_for(t)
        args = (ref, offset, shape, strides, bool(t.requires_grad), OrderedDict())
        state = _state_of(t)
        if state:
            return (_g("torch._tensor", "_rebuild_from_type_v2"),
                    (_g("torch._utils", "_rebuild_tensor_v2"), _g("torch", "Tensor"), args, state))
        return (_g("torch._utils", "_rebuild_tensor_v2"), args)

    def _save_torch_global(self, obj):
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(_g("torch", obj.name))

    def _save_size(self, obj):
        self.save_reduce(_g("torch", "Size"), (tuple(obj),), obj=obj)

    def _save_device(self, obj):
        args = (obj.type,) if obj.index is None else (obj.type, obj.index)
        self.save_reduce(_g("torch", "device"), args, obj=obj)


_PICKLERS: dict = {}


def _pickler_class(pickle_module):
    base = getattr(pickle_module, "_Pickler", None) or pickle_module.Pickler
    cls = _PICKLERS.get(base)
    if cls is None:
        dispatch = dict(getattr(base, "dispatch", {}))
        cls = type("_TorchPickler", (_TorchPicklerMixin, base), {"dispatch": dispatch})
        dispatch[_Global] = _TorchPicklerMixin._save_torch_global
        dispatch[D.dtype] = _TorchPicklerMixin._save_dtype
        dispatch[Size] = _TorchPicklerMixin._save_size
        dispatch[_device_cls] = _TorchPicklerMixin._save_device
        _PICKLERS[base] = cls
    return cls


def _pickle(obj, pickle_module, protocol, legacy):
    storages = _StorageTable()
    buf = io.BytesIO()
    p = _pickler_class(pickle_module)(buf, protocol)
    p._init_torch(storages, legacy)
    p.dump(obj)
    return buf.getvalue(), storages


def _host_bytes(flat):
    """A little-endian host byte buffer of a storage's uint8 view (cupy arrays are copied to the host)."""
    if not isinstance(flat, np.ndarray):
        flat = flat.get()
    return flat


def _le(flat, dtype):
    if sys.byteorder == "big" and dtype.itemsize > 1:
        return flat.view(dtype.np).byteswap().view(np.uint8)
    return flat


def _write_zip(fh, archive, data_pkl, storages, disable_byteorder):
    w = ZipWriter(fh, archive)
    w.write_record("data.pkl", data_pkl)
    w.write_record(".format_version", b"1")
    w.write_record(".storage_alignment", b"64")
    if not disable_byteorder:
        w.write_record("byteorder", b"little")
    for key, (flat, dt, _loc, _numel) in storages.entries.items():
        w.write_record(f"data/{key}", _le(_host_bytes(flat), dt))
    w.write_record("version", b"3\n")
    sid = f"{secrets.randbits(64):020d}{w.records_crc:020d}"
    w.write_record(".data/serialization_id", sid.encode())
    w.finish()


def _write_legacy(fh, obj, pickle_module, protocol):
    sys_info = dict(protocol_version=LEGACY_PROTOCOL, little_endian=True,
                    type_sizes=dict(short=2, int=4, long=4))
    pickle_module.dump(LEGACY_MAGIC, fh, protocol=protocol)
    pickle_module.dump(LEGACY_PROTOCOL, fh, protocol=protocol)
    pickle_module.dump(sys_info, fh, protocol=protocol)
    data_pkl, storages = _pickle(obj, pickle_module, protocol, legacy=True)
    fh.write(data_pkl)
    pickle_module.dump(list(storages.entries), fh, protocol=protocol)
    for flat, dt, _loc, numel in storages.entries.values():
        fh.write(struct.pack("<q", numel))
        fh.write(memoryview(_le(_host_bytes(flat), dt)))


def _archive_name(path: str) -> str:
    base = os.path.basename(path)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem or "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False) -> None:
    """Save ``obj`` in PyTorch's checkpoint format (``torch.load`` reads it; so does :func:`ember.load`).

    ``f`` is a path (the file is written to a temporary file in the same folder and then renamed over ``f``, so a
    failed save never leaves a truncated checkpoint behind) or a binary file-like object.
    """
    def write(fh, archive):
        if _use_new_zipfile_serialization:
            data_pkl, storages = _pickle(obj, pickle_module, pickle_protocol, legacy=False)
            _write_zip(fh, archive, data_pkl, storages, _disable_byteorder_record)
        else:
            _write_legacy(fh, obj, pickle_module, pickle_protocol)

    if not isinstance(f, (str, bytes, os.PathLike)):
        if not hasattr(f, "write"):
            raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a 'write' "
                                 f"attribute, but got {type(f).__name__}")
        write(f, "archive")
        return
    path = os.fsdecode(os.fspath(f))
    if os.path.islink(path):
        path = os.path.realpath(path)
    parent = os.path.dirname(path) or "."
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    if _use_new_zipfile_serialization:
        # Pickle first: a failure there (an object that cannot be pickled) touches no file at all.
        data_pkl, storages = _pickle(obj, pickle_module, pickle_protocol, legacy=False)

        def write(fh, archive):  # noqa: F811
            _write_zip(fh, archive, data_pkl, storages, _disable_byteorder_record)
    tmp = os.path.join(parent, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh, _archive_name(path))
            fh.flush()
            os.fsync(fh.fileno())
        if os.path.exists(path):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
