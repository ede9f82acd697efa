"""ember.utils.data.DataLoader (main-process loading) and default_collate / default_convert against torch."""

import collections
import warnings

import numpy as np
import pytest
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from tests.data.helpers import to_py
from tests.data.test_dataset import check_same

Point = collections.namedtuple("Point", ["x", "y"])


def samples(lib):
    """Sample lists covering default_collate's cases, built the same way for both libraries."""
    return {
        "tensors": [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0]), lib.tensor([5.0, 6.0])],
        "int_tensors": [lib.tensor([[1, 2]], dtype=lib.int16), lib.tensor([[3, 4]], dtype=lib.int16)],
        "scalars0d": [lib.tensor(1.5), lib.tensor(2.5)],
        "numpy": [np.arange(6, dtype=np.int32).reshape(2, 3), np.ones((2, 3), dtype=np.int32)],
        "numpy_f64": [np.zeros(3), np.full(3, 2.0)],
        "numpy_scalars": [np.float32(1.5), np.float32(2.5)],
        "numpy_int_scalars": [np.int64(3), np.int64(4)],
        "numpy_bool_scalars": [np.bool_(True), np.bool_(False)],
        "floats": [1.0, 2.5, -3.0],
        "ints": [1, 2, 3],
        "bools": [True, False, True],
        "mixed_int_bool": [1, True],
        "strings": ["a", "bc"],
        "bytes": [b"a", b"b"],
        "dicts": [{"a": 1, "b": lib.tensor([1.0])}, {"a": 2, "b": lib.tensor([2.0])}],
        "ordered": [collections.OrderedDict(x=1.0, y="s"), collections.OrderedDict(x=2.0, y="t")],
        "named": [Point(1, 2.0), Point(3, 4.0)],
        "tuples": [(1, "a", 2.0), (2, "b", 3.0)],
        "lists": [[1, 2], [3, 4], [5, 6]],
        "nested": [{"p": [lib.tensor([1]), (1.0, "x")]}, {"p": [lib.tensor([2]), (2.0, "y")]}],
    }


@pytest.mark.parametrize("case", [
    "tensors", "int_tensors", "scalars0d", "numpy", "numpy_f64", "numpy_scalars", "numpy_int_scalars",
    "numpy_bool_scalars", "floats", "ints", "bools", "mixed_int_bool", "strings", "bytes", "dicts", "ordered",
    "named", "tuples", "lists", "nested"])
def test_default_collate(case):
    t, e = check_same(lambda lib, m: m.default_collate(samples(lib)[case]))
    assert type(t).__name__ == type(e).__name__


def test_default_collate_preserves_mapping_and_sequence_types():
    e = edata.default_collate([collections.OrderedDict(a=1), collections.OrderedDict(a=2)])
    assert type(e) is collections.OrderedDict
    e = edata.default_collate([Point(1, 2), Point(3, 4)])
    assert type(e) is Point


@pytest.mark.parametrize("batch", [
    lambda lib: [[1, 2], [1]],
    lambda lib: [object()],
    lambda lib: [np.array(["a"])],
    lambda lib: [np.array([object()])],
    lambda lib: [lib.zeros(2), lib.zeros(3)],
    lambda lib: [lib.zeros(2, 2), lib.zeros(2, 3)],
    lambda lib: [None, None],
])
def test_default_collate_errors(batch):
    check_same(lambda lib, m: m.default_collate(batch(lib)))


def test_default_collate_stacks_without_per_element_tensors():
    arrays = [np.full((3, 4), i, dtype=np.float32) for i in range(5)]
    out = edata.default_collate(arrays)
    assert out.shape == (5, 3, 4) and out.dtype == ember.float32
    assert np.array_equal(out.numpy(), np.stack(arrays))


def test_default_collate_keeps_autograd():
    a = ember.ones(2, requires_grad=True)
    out = edata.default_collate([a, a * 2])
    assert out.requires_grad
    out.sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


@pytest.mark.parametrize("data", [
    lambda lib: np.arange(4, dtype=np.int16),
    lambda lib: np.float64(2.0),
    lambda lib: np.array(["a"]),
    lambda lib: (np.zeros(2), 1, "a"),
    lambda lib: [np.zeros(2), [np.ones(1, dtype=np.float32)]],
    lambda lib: {"a": np.zeros(2), "b": "s"},
    lambda lib: Point(np.zeros(1), 2),
    lambda lib: lib.ones(2),
    lambda lib: 3,
    lambda lib: "str",
])
def test_default_convert(data):
    t, e = check_same(lambda lib, m: m.default_convert(data(lib)))
    assert type(t).__name__ == type(e).__name__


def test_default_convert_shares_memory():
    arr = np.zeros(3)
    t = edata.default_convert(arr)
    arr[0] = 5
    assert t[0].item() == 5


class _Sq:
    def __init__(self, lib, n):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": self.lib.tensor([float(i), float(i * i)]), "i": i, "name": f"n{i}"}


@pytest.mark.parametrize("kw", [
    dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None), dict(batch_size=4),
    dict(batch_size=20),
])
def test_loader_sequential_matches_torch(kw):
    check_same(lambda lib, m: list(m.DataLoader(_Sq(lib, 10), **kw)))
    check_same(lambda lib, m: len(m.DataLoader(_Sq(lib, 10), **kw)))


def test_loader_custom_sampler_batch_sampler_collate():
    check_same(lambda lib, m: list(m.DataLoader(_Sq(lib, 6), sampler=[5, 0, 3], batch_size=2)))
    check_same(lambda lib, m: list(m.DataLoader(_Sq(lib, 6), batch_sampler=[[1, 2], [5], [0, 4, 3]])))
    check_same(lambda lib, m: len(m.DataLoader(_Sq(lib, 6), batch_sampler=[[1, 2], [5], [0, 4, 3]])))
    check_same(lambda lib, m: list(m.DataLoader(range(5), batch_size=2, collate_fn=lambda b: sum(b))))
    check_same(lambda lib, m: list(m.DataLoader(range(3), batch_size=None)))   # default_convert: ints pass
    check_same(lambda lib, m: list(m.DataLoader(m.TensorDataset(lib.arange(6).reshape(3, 2)), batch_size=2)))


def test_loader_getitems_used_for_batches():
    calls = []

    class G(edata.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            raise AssertionError("__getitems__ should be used")

        def __getitems__(self, idx):
            calls.append(list(idx))
            return [i * 2 for i in idx]

    assert [b.tolist() for b in edata.DataLoader(G(), batch_size=2)] == [[0, 2], [4, 6], [8]]
    assert calls == [[0, 1], [2, 3], [4]]


def test_loader_shuffle():
    dl = edata.DataLoader(range(20), batch_size=4, shuffle=True, generator=ember.Generator().manual_seed(0))
    e1 = [b.tolist() for b in dl]
    e2 = [b.tolist() for b in dl]
    assert sorted(sum(e1, [])) == list(range(20)) and e1 != e2
    dl2 = edata.DataLoader(range(20), batch_size=4, shuffle=True, generator=ember.Generator().manual_seed(0))
    assert [b.tolist() for b in dl2] == e1
    assert isinstance(dl.sampler, edata.RandomSampler) and isinstance(dl.batch_sampler, edata.BatchSampler)
    ember.manual_seed(3)
    a = [b.tolist() for b in edata.DataLoader(range(20), batch_size=4, shuffle=True)]
    ember.manual_seed(3)
    assert [b.tolist() for b in edata.DataLoader(range(20), batch_size=4, shuffle=True)] == a


@pytest.mark.parametrize("kw", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(num_workers=1, prefetch_factor=-1),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[1]), dict(batch_sampler=[[1]], batch_size=2),
    dict(batch_sampler=[[1]], shuffle=True), dict(batch_sampler=[[1]], drop_last=True),
    dict(batch_sampler=[[1]], sampler=[0]), dict(batch_size=None, drop_last=True),
    dict(multiprocessing_context="fork"), dict(num_workers=1, multiprocessing_context="bad"),
    dict(num_workers=1, multiprocessing_context=3), dict(batch_size=0),
])
def test_loader_argument_errors(kw):
    check_same(lambda lib, m: m.DataLoader(range(10), **kw) and None)


def test_loader_defaults_and_attributes():
    t, e = tdata.DataLoader(range(10), num_workers=2), edata.DataLoader(range(10), num_workers=2)
    for attr in ("batch_size", "num_workers", "prefetch_factor", "pin_memory", "drop_last", "timeout",
                 "persistent_workers", "in_order", "pin_memory_device"):
        assert getattr(t, attr) == getattr(e, attr), attr
    assert type(e.sampler).__name__ == type(t.sampler).__name__
    assert e.collate_fn is edata.default_collate
    assert edata.DataLoader(range(3), batch_size=None).collate_fn is edata.default_convert
    ctx = edata.DataLoader(range(3), num_workers=1, multiprocessing_context="spawn").multiprocessing_context
    assert ctx.get_start_method() == "spawn"
    for attr, val in [("batch_size", 3), ("sampler", [0]), ("drop_last", True), ("dataset", range(2)),
                      ("batch_sampler", None), ("persistent_workers", True)]:
        check_same(lambda lib, m, attr=attr, val=val: setattr(m.DataLoader(range(10)), attr, val))
    dl = edata.DataLoader(range(10))
    dl.num_workers = 3   # other attributes may change
    assert dl.num_workers == 3


class _Stream:
    def __init__(self, n, reported):
        self.n, self.reported = n, reported

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.reported


def _iterable(m, n, reported):
    return type("Stream", (_Stream, m.IterableDataset), {})(n, reported)


@pytest.mark.parametrize("kw", [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                dict(batch_size=7), dict(batch_size=2, collate_fn=list)])
def test_loader_iterable_dataset(kw):
    check_same(lambda lib, m: list(m.DataLoader(_iterable(m, 7, 7), **kw)))
    check_same(lambda lib, m: len(m.DataLoader(_iterable(m, 7, 7), **kw)))


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[1]), dict(batch_sampler=[[1]])])
def test_loader_iterable_dataset_errors(kw):
    check_same(lambda lib, m: m.DataLoader(_iterable(m, 3, 3), **kw) and None)


def test_loader_iterable_len_warning():
    def run(lib, m):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            dl = m.DataLoader(_iterable(m, 7, 3), batch_size=None)
            len(dl)
            list(dl)
        return [str(x.message).split(">", 1)[-1] for x in w if "Length of IterableDataset" in str(x.message)]

    t, e = check_same(run)
    assert len(e) == 4
    # no len() call, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        list(edata.DataLoader(_iterable(edata, 7, 3), batch_size=None))


def test_loader_pin_memory_without_accelerator_warns():
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
        got = [b.tolist() for b in edata.DataLoader(range(4), batch_size=2, pin_memory=True)]
    assert got == [[0, 1], [2, 3]]


def test_loader_iterator_protocol():
    dl = edata.DataLoader(range(5), batch_size=2)
    it = iter(dl)
    assert iter(it) is it and len(it) == 3
    assert [b.tolist() for b in it] == [[0, 1], [2, 3], [4]]
    with pytest.raises(StopIteration):
        next(it)
    import pickle
    with pytest.raises(NotImplementedError, match="cannot be pickled"):
        pickle.dumps(iter(dl))


def test_tensor_results_are_ember_tensors():
    out = next(iter(edata.DataLoader(_Sq(ember, 4), batch_size=2)))
    assert isinstance(out["x"], ember.Tensor) and isinstance(out["i"], ember.Tensor)
    assert to_py(out["i"]) == ("tensor", "int64", (2,), [0, 1])
