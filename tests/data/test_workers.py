"""DataLoader with worker processes: same batches as num_workers=0, ordering, prefetch bound, seeding,
worker info, sharding, failures (exceptions, killed workers, timeouts), clean shutdown, fork/spawn, persistence."""

import dataclasses
import gc
import math
import mmap
import multiprocessing
import os
import random
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from ember.utils.data import _shm
from tests.data import helpers as H
from tests.data.helpers import to_py

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="worker tests use the fork start method")


def segments():
    return sorted(f for f in os.listdir(_shm.block_dir) if f.startswith("ember_dl_"))


@pytest.fixture(autouse=True)
def no_leaks():
    before = segments()
    yield
    if multiprocessing.active_children():
        gc.collect()   # pytest.raises(...) as info: the test frame <-> traceback cycle holds the iterator
    deadline = time.monotonic() + 3
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert multiprocessing.active_children() == []
    assert segments() == before


def loader(ds, **kw):
    kw.setdefault("num_workers", 2)
    if kw["num_workers"]:
        kw.setdefault("multiprocessing_context", "fork")
    return edata.DataLoader(ds, **kw)


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                dict(batch_size=4, sampler=[9, 1, 8, 2, 7, 3])])
def test_workers_match_main_process(kw):
    ds = H.DictDataset(10)
    ref = [to_py(b) for b in loader(ds, num_workers=0, **kw)]
    got = [to_py(b) for b in loader(ds, **kw)]
    assert got == ref


def test_tensors_travel_through_shared_memory():
    batch = edata.default_collate([H.BigDataset(4)[i] for i in range(4)])
    packed = _shm.pack({"x": batch, "y": [batch[1:, ::2], "s"]}, "ember_dl_unit", 0)
    assert packed.size >= batch.numel() * 4
    assert len(packed.payload) < 1000                   # the structure only, not the tensors' bytes
    assert os.path.exists(packed.path)
    out = _shm.unpack(packed)
    assert not os.path.exists(packed.path)              # unlinked on arrival; the mapping lives on
    assert np.array_equal(out["x"].numpy(), batch.numpy())
    assert np.array_equal(out["y"][0].numpy(), batch.numpy()[1:, ::2]) and out["y"][1] == "s"
    assert isinstance(out["x"]._data.base, mmap.mmap)   # wrapped, not copied

    odd = {"bf": ember.ones(3, dtype=ember.bfloat16), "empty": ember.zeros(0, 2), "g": ember.ones(2, requires_grad=True),
           "i": ember.tensor(7), "np": np.arange(3)}
    back = _shm.unpack(_shm.pack(odd, "ember_dl_unit", 1))
    assert to_py(back["bf"].float()) == to_py(odd["bf"].float()) and back["bf"].dtype == ember.bfloat16
    assert back["empty"].shape == (0, 2) and back["g"].requires_grad and back["i"].item() == 7
    assert back["np"].tolist() == [0, 1, 2]

    got = list(loader(H.BigDataset(6), batch_size=2))
    assert [b[:, 0, 0].tolist() for b in got] == [[0, 1], [2, 3], [4, 5]]
    assert isinstance(got[0]._data.base, mmap.mmap)


def wait_for(cond, limit=5.0):
    deadline = time.monotonic() + limit
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.01)
    return cond()


def test_in_order_and_out_of_order(tmp_path):
    delays = [0.3, 0, 0, 0, 0, 0]
    in_order = [b.item() for b in loader(H.SlowDataset(delays), batch_size=None)]
    assert in_order == list(range(6))
    # in_order=False: index 0 is held back until the main process has received another batch
    it = iter(loader(H.GateDataset(tmp_path, 6), batch_size=None, in_order=False))
    first = next(it)
    (tmp_path / "go").touch()
    rest = list(it)
    assert first != 0 and sorted([first] + rest) == list(range(6))


def test_prefetch_bound(tmp_path):
    dl = loader(H.TouchDataset(tmp_path, 20), batch_size=None, prefetch_factor=1)
    it = iter(dl)
    assert wait_for(lambda: len(os.listdir(tmp_path)) >= 2)
    time.sleep(0.2)
    assert len(os.listdir(tmp_path)) == 2               # prefetch_factor * num_workers in flight, no more
    assert next(it) == 0
    assert wait_for(lambda: len(os.listdir(tmp_path)) >= 3)
    time.sleep(0.1)
    assert len(os.listdir(tmp_path)) == 3
    del it
    assert edata.DataLoader(range(3), num_workers=2).prefetch_factor == 2


def test_worker_seeding():
    ember.manual_seed(0)
    first = list(loader(H.SeedDataset(4), batch_size=None))
    ember.manual_seed(0)
    assert list(loader(H.SeedDataset(4), batch_size=None)) == first        # base seed from ember's generator
    by_worker = {}
    for wid, seed, e, n, r in first:
        by_worker.setdefault(wid, []).append((seed, e, n, r))
    assert sorted(by_worker) == [0, 1]
    s0, s1 = by_worker[0][0][0], by_worker[1][0][0]
    assert s1 == s0 + 1                                                   # base_seed + worker_id
    assert by_worker[0][0][1:] != by_worker[1][0][1:]
    # each worker seeded ember, NumPy (seed reduced to 32 bits) and random from its seed
    for wid, seed in ((0, s0), (1, s1)):
        ember.manual_seed(seed)
        np.random.seed(seed % 2 ** 32)
        random.seed(seed)
        assert by_worker[wid][0][1:] == (float(ember.rand(()).item()), float(np.random.rand()), random.random())
    # a new epoch draws a new base seed; the loader's generator decides it
    dl = loader(H.SeedDataset(2), batch_size=None, generator=ember.Generator().manual_seed(5))
    e1, e2 = list(dl), list(dl)
    assert e1[0][1] != e2[0][1]
    again = list(loader(H.SeedDataset(2), batch_size=None, generator=ember.Generator().manual_seed(5)))
    assert again == e1


def test_get_worker_info_and_init_fn():
    assert edata.get_worker_info() is None
    rows = list(loader(H.WorkerDataset(4), batch_size=None, worker_init_fn=H.init_fn))
    assert [r[1] for r in rows] == [0, 1, 0, 1]
    assert [r[2] for r in rows] == [100, 101, 100, 101]
    assert len({r[0] for r in rows}) == 2 and os.getpid() not in {r[0] for r in rows}
    info = edata.WorkerInfo(id=0, num_workers=2, seed=3, dataset=None)
    t_info = tdata._utils.worker.WorkerInfo(id=0, num_workers=2, seed=3, dataset=None)
    assert repr(info) == repr(t_info)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.id = 1
    with pytest.raises(ValueError, match="(?s)Caught ValueError in DataLoader worker process 0.*init failed in 0"):
        list(loader(H.WorkerDataset(4), worker_init_fn=H.failing_init_fn))


class _TorchSharded(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = tdata.get_worker_info()
        return iter(range(info.id, self.n, info.num_workers))


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)])
def test_iterable_sharding_matches_torch(kw):
    ref = [to_py(b) for b in tdata.DataLoader(_TorchSharded(11), num_workers=2, multiprocessing_context="fork", **kw)]
    got = [to_py(b) for b in loader(H.ShardedRange(11), **kw)]
    assert got == ref


def test_iterable_without_sharding_duplicates_and_warns():
    dl = loader(H.UnshardedRange(3), batch_size=None)
    assert len(dl) == 3
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = [b for b in dl]
    assert sorted(got) == [0, 0, 1, 1, 2, 2]
    msgs = [str(x.message) for x in w if "Length of IterableDataset" in str(x.message)]
    assert len(msgs) == 3 and "For multiprocessing data-loading" in msgs[0]


def test_worker_exception_is_reraised_with_traceback():
    with pytest.raises(ValueError) as info:
        list(loader(H.FailingDataset(8, 3), batch_size=2))
    msg = str(info.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\nOriginal Traceback (most recent call "
                          "last):\n")
    assert "ValueError: bad index 3" in msg and "helpers.py" in msg and "[2, 3]" in msg
    with pytest.raises(KeyError) as info:
        list(loader(H.KeyErrorDataset(), batch_size=2))
    assert str(info.value).startswith("Caught KeyError in DataLoader worker process 0.")
    with pytest.raises(RuntimeError, match="Caught NoMessageError in DataLoader worker process 0"):
        list(loader(H.NoMessageDataset(), batch_size=None))


def test_exception_then_iteration_goes_on():
    it = iter(loader(H.FailingDataset(6, 1), batch_size=None))
    assert next(it) == 0
    with pytest.raises(ValueError, match="bad index 1"):
        next(it)
    assert list(it) == [2, 3, 4, 5]


def test_killed_worker_raises():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly") as info:
        list(loader(H.KillingDataset(8, 3), batch_size=2))
    cause = info.value.__cause__
    assert isinstance(cause, RuntimeError)
    assert str(cause).startswith("DataLoader worker (pid ") and str(cause).endswith("is killed by signal: Killed. ")
    assert time.monotonic() - start < 5


def test_timeout():
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.2 seconds$"):
        list(loader(H.SlowDataset([0.8, 0.8]), batch_size=None, timeout=0.2))


def test_early_break_and_del_clean_up():
    dl = loader(H.BigDataset(40), batch_size=2)
    for i, _ in enumerate(dl):
        if i == 2:
            break
    it = iter(dl)
    next(it)
    time.sleep(0.1)
    assert multiprocessing.active_children()
    del it
    # the fixture checks: no worker left, no shared-memory block left


def test_spawn_context():
    # one spawn worker (a spawned worker imports ember afresh: a second or more): batches of tensors, worker info,
    # worker_init_fn, with a dataset class the worker imports from tests.data.helpers
    got = list(loader(H.WorkerDataset(4), batch_size=2, multiprocessing_context="spawn", worker_init_fn=H.init_fn,
                      num_workers=1))
    assert [b[1].tolist() for b in got] == [[0, 0], [0, 0]]
    assert [b[2].tolist() for b in got] == [[100, 100], [100, 100]]
    assert os.getpid() not in {p for b in got for p in b[0].tolist()}
    ctx = loader(range(3), multiprocessing_context=multiprocessing.get_context("spawn")).multiprocessing_context
    assert ctx.get_start_method() == "spawn"


def test_persistent_workers():
    dl = loader(H.WorkerDataset(6), batch_size=2, persistent_workers=True, worker_init_fn=H.init_fn)
    first = [to_py(b) for b in dl]
    pids = {p for b in dl for p in b[0].tolist()}
    assert [to_py(b) for b in dl] == first and len(pids) == 2
    it = iter(dl)
    next(it)                                            # leave an epoch unfinished ...
    assert [to_py(b) for b in dl] == first              # ... the next one still sees every batch once
    assert {p for b in dl for p in b[0].tolist()} == pids
    stream = loader(H.ShardedRange(5), batch_size=None, persistent_workers=True)
    assert sorted(stream) == [0, 1, 2, 3, 4] and sorted(stream) == [0, 1, 2, 3, 4]
    del dl, it, stream


def test_multiprocess_len_and_shuffle():
    dl = loader(range(10), batch_size=3, shuffle=True, generator=ember.Generator().manual_seed(0))
    assert len(dl) == 4
    got = [b.tolist() for b in dl]
    assert len(iter(dl)) == 4
    assert sorted(sum(got, [])) == list(range(10))
    assert got == [b.tolist() for b in loader(range(10), batch_size=3, shuffle=True, num_workers=0,
                                             generator=ember.Generator().manual_seed(0))]
    assert math.ceil(10 / 3) == len(got)
    assert torch.utils.data.DataLoader(range(10), batch_size=3).__len__() == len(dl)
