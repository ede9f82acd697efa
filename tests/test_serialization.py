"""ember.save / ember.load against real torch.save / torch.load (PyTorch is the oracle for every file format detail)."""

import collections
import io
import os
import pathlib
import pickle
import stat
import zipfile

import ml_dtypes
import numpy as np
import pytest
import torch

import ember
from ember._tensor import _from_array

DTYPES = ["float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool",
          "complex64", "complex128"]


# --- helpers -----------------------------------------------------------------------------------------------------
def _np(t):
    """A torch tensor's values as a numpy array (bfloat16 through ml_dtypes)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()


def E(t):
    """The ember tensor holding a torch tensor's values (same dtype)."""
    return _from_array(np.array(_np(t)), getattr(ember, str(t.dtype).split(".")[1]))


def _random(dtype, shape=(3, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.rand(shape, generator=g) > 0.5
    if dtype.is_complex:
        return torch.randn(shape, dtype=dtype, generator=g)
    if dtype.is_floating_point:
        return (torch.randn(shape, generator=g) * 3).to(dtype)
    info = torch.iinfo(dtype)
    return torch.randint(max(info.min, -1000), min(info.max, 1000), shape, generator=g, dtype=dtype)


def same(e, t):
    """An ember object equals a torch object: tensors by dtype/shape/values/requires_grad, containers recursively."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), type(e)
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        assert tuple(e.shape) == tuple(t.shape)
        assert e.requires_grad == t.requires_grad
        assert isinstance(e, ember.nn.Parameter) == isinstance(t, torch.nn.Parameter)
        np.testing.assert_array_equal(np.asarray(e._data), _np(t))
    elif isinstance(t, torch.Size):
        assert type(e) is ember.Size and tuple(e) == tuple(t)
    elif isinstance(t, torch.dtype):
        assert e is getattr(ember, str(t).split(".")[1])
    elif isinstance(t, torch.device):
        assert isinstance(e, ember.device) and str(e) == str(t)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in t:
            same(e[k], t[k])
        if hasattr(t, "_metadata"):
            assert e._metadata == t._metadata
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            same(a, b)
    else:
        assert type(e) is type(t) and e == t


def sample_objects():
    """The same nested object built in both libraries: (ember object, torch object)."""
    tt = {d: _random(getattr(torch, d), seed=i) for i, d in enumerate(DTYPES)}
    te = {d: E(t) for d, t in tt.items()}
    sd_t = collections.OrderedDict(weight=tt["float32"], bias=tt["float64"][0])
    sd_t._metadata = collections.OrderedDict([("", {"version": 1}), ("layer", {"version": 2})])
    sd_e = collections.OrderedDict(weight=te["float32"], bias=te["float64"][0])
    sd_e._metadata = collections.OrderedDict([("", {"version": 1}), ("layer", {"version": 2})])
    pt = torch.nn.Parameter(tt["float32"] * 2)
    pe = ember.nn.Parameter(te["float32"] * 2)
    pt_frozen = torch.nn.Parameter(tt["float16"], requires_grad=False)
    pe_frozen = ember.nn.Parameter(te["float16"], requires_grad=False)
    plain = {"int": 3, "float": 2.5, "str": "hé", "none": None, "bool": True, "bytes": b"\x00\xff",
             "complex": 1 + 2j, "set": {1, 2}, "neg": -(2 ** 70)}
    obj_t = {"tensors": tt, "sd": sd_t, "params": [pt, pt_frozen], "tuple": (tt["int64"], 1, ("x", [2.0])),
             "size": torch.Size([2, 3]), "dtypes": [torch.float16, torch.bool, torch.bfloat16],
             "devices": [torch.device("cpu"), torch.device("cuda", 1)], "zero_dim": torch.tensor(4.5),
             "empty": torch.zeros(0, 3, dtype=torch.int32), "plain": plain}
    obj_e = {"tensors": te, "sd": sd_e, "params": [pe, pe_frozen], "tuple": (te["int64"], 1, ("x", [2.0])),
             "size": ember.Size([2, 3]), "dtypes": [ember.float16, ember.bool, ember.bfloat16],
             "devices": [ember.device("cpu"), ember.device("cuda", 1)], "zero_dim": ember.tensor(4.5),
             "empty": ember.zeros(0, 3, dtype=ember.int32), "plain": dict(plain)}
    return obj_e, obj_t


def _views(lib, base):
    """Views of ``base`` made by the same ops in either library."""
    return [base, base[1], base[:, 2], base.t(), base[1:3, ::2], base.view(-1)[5:], base[1:][::2],
            base[2:2], base[0:1].expand(3, 6)]


# --- ember.save -> torch.load -------------------------------------------------------------------------------------
@pytest.mark.parametrize("weights_only", [True, False])
def test_ember_save_torch_load_everything(tmp_path, weights_only):
    obj_e, obj_t = sample_objects()
    ember.save(obj_e, tmp_path / "ckpt.pt")
    loaded = torch.load(tmp_path / "ckpt.pt", weights_only=weights_only)
    # torch.load gives torch objects: compare them with the torch-built twin
    torch_path = tmp_path / "twin.pt"
    torch.save(obj_t, torch_path)
    twin = torch.load(torch_path, weights_only=weights_only)

    def cmp(a, b):
        if isinstance(b, torch.Tensor):
            assert type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
            assert a.requires_grad == b.requires_grad
            assert torch.equal(a, b)
        elif isinstance(b, dict):
            assert type(a) is type(b) and list(a) == list(b)
            for k in b:
                cmp(a[k], b[k])
            assert getattr(a, "_metadata", None) == getattr(b, "_metadata", None)
        elif isinstance(b, (list, tuple)):
            assert type(a) is type(b) and len(a) == len(b)
            for x, y in zip(a, b):
                cmp(x, y)
        else:
            assert type(a) is type(b) and a == b
    cmp(loaded, twin)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_to_torch(tmp_path, dtype):
    t = _random(getattr(torch, dtype), (5, 3))
    ember.save({"x": E(t)}, tmp_path / "d.pt")
    got = torch.load(tmp_path / "d.pt")["x"]
    assert got.dtype == t.dtype and torch.equal(got, t)


def test_views_share_one_storage_in_torch(tmp_path):
    bt = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    be = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    views_t, views_e = _views(torch, bt), _views(ember, be)
    ember.save(views_e, tmp_path / "v.pt")
    assert sum(n.split("/")[1] == "data" for n in zipfile.ZipFile(tmp_path / "v.pt").namelist()) == 1
    got = torch.load(tmp_path / "v.pt")
    ptr = got[0].untyped_storage().data_ptr()
    for g, v in zip(got, views_t):
        assert g.untyped_storage().data_ptr() == ptr
        assert g.shape == v.shape and g.stride() == v.stride()
        if v.numel():  # (NumPy puts an empty slice at offset 0: an empty view's offset is not kept)
            assert g.storage_offset() == v.storage_offset()
        assert torch.equal(g, v)
    got[0][1, 2] = -1.0  # writes through the shared storage
    assert got[1][2] == -1.0 and got[2][1] == -1.0 and got[3][2, 1] == -1.0


def test_odd_memory_layouts_to_torch(tmp_path):
    f_order = _from_array(np.asfortranarray(np.arange(12.0).reshape(3, 4)))
    flipped = ember.arange(6.0).flip(0)
    strided = _from_array(np.arange(20.0)[::3])
    ember.save([f_order, f_order[1:], flipped, strided], tmp_path / "o.pt")
    got = torch.load(tmp_path / "o.pt")
    assert torch.equal(got[0], torch.arange(12.0, dtype=torch.float64).reshape(3, 4))
    assert got[0].stride() == (1, 3)  # the Fortran-ordered memory is saved as it is
    assert got[1].untyped_storage().data_ptr() == got[0].untyped_storage().data_ptr()
    assert torch.equal(got[2], torch.arange(6.0).flip(0))
    assert torch.equal(got[3], torch.arange(20.0, dtype=torch.float64)[::3])


def test_views_as_different_dtypes_refused_like_torch(tmp_path):
    with pytest.raises(RuntimeError) as te:
        a = torch.arange(4.0)
        torch.save([a, a.view(torch.int32)], io.BytesIO())
    a = ember.arange(4.0)
    with pytest.raises(RuntimeError) as ee:
        ember.save([a, a.view(ember.int32)], io.BytesIO())
    assert str(ee.value) == str(te.value)


def test_tensor_attributes_and_requires_grad(tmp_path):
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    t = ember.arange(3.0)
    t.note = "hi"
    ember.save({"leaf": x, "nonleaf": y, "attr": t}, tmp_path / "g.pt")
    got = torch.load(tmp_path / "g.pt")
    assert got["leaf"].requires_grad and got["leaf"].is_leaf
    assert got["nonleaf"].requires_grad and torch.equal(got["nonleaf"].detach(), torch.full((3,), 2.0))
    assert got["attr"].note == "hi"
    # and back: torch's files with the same content
    tt = torch.arange(3.0)
    tt.note = "hi"
    torch.save({"attr": tt, "leaf": torch.ones(3, requires_grad=True)}, tmp_path / "h.pt")
    back = ember.load(tmp_path / "h.pt")
    assert back["attr"].note == "hi" and back["leaf"].requires_grad and back["leaf"].is_leaf


def test_layout_matches_torch_byte_for_byte(tmp_path):
    """Same object, same file name: every record, offset and padding byte equals torch's (only the random
    serialization id differs)."""
    obj_e, obj_t = sample_objects()
    (tmp_path / "e").mkdir()
    (tmp_path / "t").mkdir()
    ember.save(obj_e["sd"], tmp_path / "e" / "model.pt")
    torch.save(obj_t["sd"], tmp_path / "t" / "model.pt")
    ze, zt = zipfile.ZipFile(tmp_path / "e" / "model.pt"), zipfile.ZipFile(tmp_path / "t" / "model.pt")
    assert ze.namelist() == zt.namelist()
    for ie, it in zip(ze.infolist(), zt.infolist()):
        assert (ie.header_offset, ie.file_size, ie.flag_bits, ie.compress_type) == \
            (it.header_offset, it.file_size, it.flag_bits, it.compress_type)
        if not ie.filename.endswith("serialization_id"):
            assert ze.read(ie) == zt.read(it), ie.filename
    raw_e, raw_t = (tmp_path / "e" / "model.pt").read_bytes(), (tmp_path / "t" / "model.pt").read_bytes()
    assert len(raw_e) == len(raw_t)
    for info in ze.infolist():  # data of every record begins on a 64-byte boundary
        off = info.header_offset + 30 + len(info.filename) + int.from_bytes(raw_e[info.header_offset + 28:
                                                                                  info.header_offset + 30], "little")
        assert off % 64 == 0


@pytest.mark.parametrize("name, archive", [("model.pt", "model"), ("a.b.pt", "a.b"), ("noext", "noext"),
                                           (".hidden", "archive")])
def test_archive_name(tmp_path, name, archive):
    ember.save(1, tmp_path / name)
    assert zipfile.ZipFile(tmp_path / name).namelist()[0] == f"{archive}/data.pkl"
    buf = io.BytesIO()
    ember.save(1, buf)
    assert zipfile.ZipFile(buf).namelist()[0] == "archive/data.pkl"


def test_legacy_save_to_torch(tmp_path):
    obj_e, obj_t = sample_objects()
    be = ember.arange(24, dtype=ember.float32).reshape(4, 6)
    ember.save({"sd": obj_e["sd"], "views": _views(ember, be)}, tmp_path / "l.pt",
               _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(tmp_path / "l.pt")
    got = torch.load(tmp_path / "l.pt")
    assert torch.equal(got["sd"]["weight"], obj_t["sd"]["weight"]) and got["sd"]._metadata == obj_t["sd"]._metadata
    bt = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    for g, v in zip(got["views"], _views(torch, bt)):
        assert torch.equal(g, v) and g.untyped_storage().data_ptr() == got["views"][0].untyped_storage().data_ptr()
    same(ember.load(tmp_path / "l.pt")["sd"], got["sd"])


# --- torch.save -> ember.load -------------------------------------------------------------------------------------
@pytest.mark.parametrize("legacy", [False, True])
@pytest.mark.parametrize("weights_only", [True, False])
def test_torch_save_ember_load_everything(tmp_path, legacy, weights_only):
    obj_e, obj_t = sample_objects()
    torch.save(obj_t, tmp_path / "t.pt", _use_new_zipfile_serialization=not legacy)
    got = ember.load(tmp_path / "t.pt", weights_only=weights_only)
    same(got, obj_t)


@pytest.mark.parametrize("legacy", [False, True])
def test_torch_views_load_as_views(tmp_path, legacy):
    bt = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = _views(torch, bt)
    torch.save(views, tmp_path / "v.pt", _use_new_zipfile_serialization=not legacy)
    got = ember.load(tmp_path / "v.pt")
    for g, v in zip(got, views):
        same(g, v)
        assert g.stride() == v.stride()
        if v.numel():  # (an empty view's offset is not kept, as above)
            assert g.storage_offset() == v.storage_offset()
        assert np.shares_memory(g._data, got[0]._data) or g.numel() == 0
    got[0][1, 2] = -1.0
    assert got[1][2].item() == -1.0 and got[3][2, 1].item() == -1.0


def test_ember_round_trip_keeps_sharing(tmp_path):
    base = ember.arange(10.0)
    ember.save([base, base[2:5]], tmp_path / "r.pt")
    a, b = ember.load(tmp_path / "r.pt")
    a[3] = 100.0
    assert b[1].item() == 100.0


def _cuda_tagged_file(tmp_path):
    """A torch checkpoint whose storage is tagged 'cuda:0' (written on a CPU machine by retagging)."""
    buf = io.BytesIO()
    torch.save({"w": torch.arange(4.0)}, buf)
    zin = zipfile.ZipFile(buf)
    path = tmp_path / "cuda.pt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            zout.writestr(info.filename, data)
    return path


@pytest.mark.parametrize("form", ["str", "device", "dict", "callable", "callable_none_cpu"])
def test_map_location_forms(tmp_path, form):
    path = _cuda_tagged_file(tmp_path)
    seen = []

    def keep(storage, location):
        seen.append(location)
        return storage
    ember_ml = {"str": "cpu", "device": ember.device("cpu"), "dict": {"cuda:0": "cpu"}, "callable": keep,
                "callable_none_cpu": keep}[form]
    torch_ml = {"str": "cpu", "device": torch.device("cpu"), "dict": {"cuda:0": "cpu"},
                "callable": lambda s, loc: s, "callable_none_cpu": lambda s, loc: s}[form]
    got = ember.load(path, map_location=ember_ml)
    same(got, torch.load(path, map_location=torch_ml))
    assert got["w"].device == ember.device("cpu")
    if form.startswith("callable"):
        assert seen == ["cuda:0"]


def test_cuda_location_without_cuda(tmp_path):
    path = _cuda_tagged_file(tmp_path)
    if ember.cuda.is_available():
        assert ember.load(path)["w"].device.type == "cuda"
        return
    with pytest.raises(RuntimeError) as ee:
        ember.load(path)
    with pytest.raises(RuntimeError) as te:
        torch.load(path)
    assert str(ee.value) == str(te.value).replace("torch", "ember")
    # a dict that does not cover the location still restores to it
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.load(path, map_location={"cuda:1": "cpu"})


def test_map_location_legacy(tmp_path):
    torch.save({"w": torch.arange(3.0)}, tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    seen = []
    got = ember.load(tmp_path / "l.pt", map_location=lambda s, loc: seen.append(loc) or s)
    assert seen == ["cpu"] and torch.equal(torch.from_numpy(got["w"].numpy()), torch.arange(3.0))


def test_mmap(tmp_path):
    t = {"a": torch.arange(1000.0), "b": torch.arange(10, dtype=torch.int16)[2:], "e": torch.zeros(0)}
    torch.save(t, tmp_path / "m.pt")
    raw = (tmp_path / "m.pt").read_bytes()
    got = ember.load(tmp_path / "m.pt", mmap=True)
    same(got, t)
    import mmap as mmap_mod
    root = got["a"]._data
    while isinstance(root.base, np.ndarray):
        root = root.base
    assert isinstance(getattr(root.base, "obj", root.base), mmap_mod.mmap)
    got["a"][0] = 5.0  # copy-on-write: the file is untouched
    assert (tmp_path / "m.pt").read_bytes() == raw
    same(ember.load(tmp_path / "m.pt", mmap=True, weights_only=False), t)


def test_mmap_errors_like_torch(tmp_path):
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)
    with pytest.raises(ValueError, match="f must be a file path"):
        ember.load(io.BytesIO(buf.getvalue()), mmap=True)
    torch.save(torch.ones(2), tmp_path / "l.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        ember.load(tmp_path / "l.pt", mmap=True)


def test_file_like_and_pathlike(tmp_path):
    obj_e, obj_t = sample_objects()
    buf = io.BytesIO()
    ember.save(obj_e["sd"], buf)
    buf.seek(0)
    same(ember.load(buf), obj_t["sd"])
    buf.seek(0)
    assert torch.equal(torch.load(buf)["weight"], obj_t["sd"]["weight"])
    ember.save(obj_e["sd"], str(tmp_path / "s.pt"))
    same(ember.load(str(tmp_path / "s.pt")), obj_t["sd"])
    same(ember.load(pathlib.Path(tmp_path / "s.pt")), obj_t["sd"])
    with open(tmp_path / "s.pt", "rb") as f:
        same(ember.load(f), obj_t["sd"])


def test_unknown_pickle_module_and_weights_only_conflict(tmp_path):
    ember.save([1, 2], tmp_path / "p.pt")
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module"):
        ember.load(tmp_path / "p.pt", pickle_module=pickle, weights_only=True)
    assert ember.load(tmp_path / "p.pt", pickle_module=pickle) == [1, 2]  # weights_only defaults to False then


# --- weights_only -------------------------------------------------------------------------------------------------
class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("legacy", [False, True])
def test_weights_only_refuses_custom_class(tmp_path, legacy):
    torch.save({"p": Point(1, torch.ones(2))}, tmp_path / "c.pt", _use_new_zipfile_serialization=not legacy)
    with pytest.raises(pickle.UnpicklingError) as te:
        torch.load(tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError) as ee:
        ember.load(tmp_path / "c.pt")
    msg = str(ee.value)
    name = f"{__name__}.Point"
    assert name in str(te.value) and name in msg
    assert msg.startswith("Weights only load failed.")
    assert f"ember.serialization.add_safe_globals([{name}])" in msg
    assert f"ember.serialization.safe_globals([{name}])" in msg
    assert "torch" not in msg.replace("torch.load", "")
    with ember.serialization.safe_globals([Point]):
        assert ember.serialization.get_safe_globals() == [Point]
        got = ember.load(tmp_path / "c.pt")
    assert ember.serialization.get_safe_globals() == []
    assert type(got["p"]) is Point and got["p"].x == 1 and isinstance(got["p"].y, ember.Tensor)
    ember.serialization.add_safe_globals([Point])
    try:
        assert type(ember.load(tmp_path / "c.pt")["p"]) is Point
    finally:
        ember.serialization.clear_safe_globals()
    assert ember.serialization.get_safe_globals() == []
    got = ember.load(tmp_path / "c.pt", weights_only=False)
    assert type(got["p"]) is Point and got["p"].y.tolist() == [1.0, 1.0]


def test_safe_globals_by_name(tmp_path):
    torch.save(Point(1, 2), tmp_path / "c.pt")
    with ember.serialization.safe_globals([(Point, f"{__name__}.Point")]):
        assert ember.load(tmp_path / "c.pt").y == 2
    with pytest.raises(ValueError):
        ember.serialization.add_safe_globals([(Point, 1)])


def test_builtins_named_like_torch(tmp_path):
    torch.save({"f": frozenset([1])}, tmp_path / "f.pt")
    with pytest.raises(pickle.UnpicklingError) as te:
        torch.load(tmp_path / "f.pt")
    with pytest.raises(pickle.UnpicklingError) as ee:
        ember.load(tmp_path / "f.pt")
    assert "GLOBAL frozenset was not an allowed global" in str(te.value)
    assert "GLOBAL frozenset was not an allowed global" in str(ee.value)
    assert ember.load(tmp_path / "f.pt", weights_only=False) == {"f": frozenset([1])}


@pytest.mark.parametrize("legacy", [False, True])
def test_malicious_pickle_never_runs(tmp_path, legacy):
    marker = tmp_path / "pwned"
    torch.save({"x": torch.ones(1), "evil": Evil(marker)}, tmp_path / "e.pt",
               _use_new_zipfile_serialization=not legacy)
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError, match="system"):
        ember.load(tmp_path / "e.pt")
    assert not marker.exists()


def test_weights_only_refuses_calls_on_non_allowed_objects(tmp_path):
    # REDUCE on an object that is not an allowlisted global; BUILD on a dtype (would corrupt it)
    proto = b"\x80\x02"
    reduce_dict = proto + b"}q\x00)R."  # {}()
    build_dtype = proto + b"ctorch\nfloat32\n}X\x01\x00\x00\x00aK\x01sb."
    for data in (reduce_dict, build_dtype):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("archive/data.pkl", data)
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError):
            ember.load(buf)
    assert ember.float32.name == "float32" and not hasattr(ember.float32, "a")


# --- atomic save and corrupt files --------------------------------------------------------------------------------
class Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


def test_atomic_save_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"w": ember.arange(5.0)}, path)
    good = path.read_bytes()
    with pytest.raises(RuntimeError, match="cannot pickle this"):
        ember.save({"w": ember.ones(1000), "bad": Unpicklable()}, path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["ckpt.pt"]
    # a crash while the bytes are being written (after pickling succeeded)
    from ember.serialization import _save

    real = _save._write_zip

    def crash(fh, *args):
        real(fh, *args)
        fh.seek(100)
        fh.truncate()
        raise OSError("disk full")
    monkeypatch.setattr(_save, "_write_zip", crash)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"w": ember.ones(1000)}, path)
    assert path.read_bytes() == good and os.listdir(tmp_path) == ["ckpt.pt"]
    monkeypatch.undo()
    assert torch.equal(torch.load(path)["w"], torch.arange(5.0))


def test_save_file_mode_like_torch(tmp_path):
    torch.save(1, tmp_path / "t.pt")
    ember.save(1, tmp_path / "e.pt")
    assert stat.S_IMODE(os.stat(tmp_path / "e.pt").st_mode) == stat.S_IMODE(os.stat(tmp_path / "t.pt").st_mode)
    os.chmod(tmp_path / "e.pt", 0o640)
    ember.save(2, tmp_path / "e.pt")
    assert stat.S_IMODE(os.stat(tmp_path / "e.pt").st_mode) == 0o640
    with pytest.raises(RuntimeError, match="Parent directory"):
        ember.save(1, tmp_path / "missing" / "x.pt")


def _zip_without(raw, suffix):
    zin = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if not info.filename.endswith(suffix):
                zout.writestr(info.filename, zin.read(info))
    return out.getvalue()


def test_corrupt_files_raise_runtime_error(tmp_path):
    buf = io.BytesIO()
    torch.save({"w": torch.arange(100.0)}, buf)
    raw = buf.getvalue()
    legacy = io.BytesIO()
    torch.save({"w": torch.arange(100.0)}, legacy, _use_new_zipfile_serialization=False)
    npy = io.BytesIO()
    np.save(npy, np.ones(3))
    cases = {
        "empty": b"",
        "text": b"hello world, not a checkpoint\n",
        "npy": npy.getvalue(),
        "truncated_zip": raw[: len(raw) // 2],
        "zip_no_data_pkl": _zip_without(raw, "data.pkl"),
        "zip_missing_storage": _zip_without(raw, "data/0"),
        "truncated_legacy": legacy.getvalue()[:-50],
        "legacy_header_only": legacy.getvalue()[:40],
        "pk_magic_only": b"PK\x03\x04" + b"\x00" * 40,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(RuntimeError) as ei:
            ember.load(tmp_path / name)
        msg = str(ei.value)
        assert msg, name
        if name in ("truncated_zip", "npy", "text", "pk_magic_only"):
            assert ei.value.__cause__ is not None, name


# --- whole models -------------------------------------------------------------------------------------------------
def _models():
    from tests.nn.models import make_gpt, make_lstm_tagger, make_resnet18
    return {
        "gpt": (make_gpt, {}, lambda lib: lib.tensor(np.arange(16).reshape(2, 8) % 65)),
        "lstm": (make_lstm_tagger, {}, lambda lib: lib.tensor(np.arange(12).reshape(2, 6) % 50)),
        "resnet18": (make_resnet18, {}, lambda lib: lib.tensor(
            np.random.default_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32))),
    }


def _out(o):
    o = o[0] if isinstance(o, tuple) else o
    return o.detach().numpy()


@pytest.mark.parametrize("name", ["gpt", "lstm", "resnet18"])
def test_model_ember_to_torch(tmp_path, name):
    make, kw, inp = _models()[name]
    ember.manual_seed(1)
    em = make(ember, **kw)().eval()
    tm = make(torch, **kw)().eval()
    ember.save(em.state_dict(), tmp_path / "m.pt")
    res = tm.load_state_dict(torch.load(tmp_path / "m.pt"))
    assert not res.missing_keys and not res.unexpected_keys
    with torch.no_grad(), ember.no_grad():
        np.testing.assert_allclose(_out(em(inp(ember))), _out(tm(inp(torch))), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["gpt", "lstm", "resnet18"])
def test_model_torch_to_ember(tmp_path, name):
    make, kw, inp = _models()[name]
    torch.manual_seed(2)
    tm = make(torch, **kw)().eval()
    em = make(ember, **kw)().eval()
    torch.save(tm.state_dict(), tmp_path / "m.pt")
    sd = ember.load(tmp_path / "m.pt")
    res = em.load_state_dict(sd)
    assert not res.missing_keys and not res.unexpected_keys
    with torch.no_grad(), ember.no_grad():
        np.testing.assert_allclose(_out(em(inp(ember))), _out(tm(inp(torch))), rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("protocol", [3, 4, 5])
def test_pickle_protocols(tmp_path, protocol):
    obj_e, obj_t = sample_objects()
    ember.save(obj_e["sd"], tmp_path / "e.pt", pickle_protocol=protocol)
    # torch's own weights-only unpickler refuses protocol >= 4 (FRAME), even for files torch wrote
    got = torch.load(tmp_path / "e.pt", weights_only=protocol < 4)
    assert torch.equal(got["weight"], obj_t["sd"]["weight"]) and got._metadata == obj_t["sd"]._metadata
    same(ember.load(tmp_path / "e.pt"), obj_t["sd"])
    torch.save(obj_t, tmp_path / "t.pt", pickle_protocol=protocol)
    same(ember.load(tmp_path / "t.pt"), obj_t)
