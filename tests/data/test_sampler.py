"""ember.utils.data samplers against torch.utils.data: deterministic orders equal, random ones by their properties."""

import math

import numpy as np
import pytest
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from tests.data.test_dataset import check_same


def test_sampler_base():
    check_same(lambda lib, m: m.Sampler(range(3)))    # takes no arguments (TypeError)
    with pytest.raises(NotImplementedError):
        iter(edata.Sampler())


def test_sequential_sampler():
    check_same(lambda lib, m: (list(m.SequentialSampler(range(5))), len(m.SequentialSampler(range(5)))))


def test_random_sampler_permutation_properties():
    s = edata.RandomSampler(range(20), generator=ember.Generator().manual_seed(3))
    a, b = list(s), list(s)
    assert sorted(a) == list(range(20)) and sorted(b) == list(range(20))
    assert a != b                                  # the generator advances between epochs
    assert list(edata.RandomSampler(range(20), generator=ember.Generator().manual_seed(3))) == a
    assert len(s) == 20


def test_random_sampler_num_samples_and_replacement():
    s = edata.RandomSampler(range(7), num_samples=17, generator=ember.Generator().manual_seed(0))
    got = list(s)
    assert len(got) == len(s) == 17
    assert sorted(got[:7]) == list(range(7)) and sorted(got[7:14]) == list(range(7))   # whole permutations first
    assert len(set(got[14:])) == 3
    r = edata.RandomSampler(range(5), replacement=True, num_samples=70, generator=ember.Generator().manual_seed(0))
    drawn = list(r)
    assert len(drawn) == 70 and set(drawn) == set(range(5))
    assert all(isinstance(i, int) for i in drawn)


def test_random_sampler_default_generator_follows_manual_seed():
    ember.manual_seed(11)
    a = list(edata.RandomSampler(range(30)))
    ember.manual_seed(11)
    b = list(edata.RandomSampler(range(30)))
    assert a == b and sorted(a) == list(range(30))


@pytest.mark.parametrize("kw", [dict(replacement=1), dict(num_samples=0), dict(num_samples=-2), dict(num_samples=2.5),
                                dict(num_samples=True)])
def test_random_sampler_errors(kw):
    check_same(lambda lib, m: len(m.RandomSampler(range(3), **kw)))
    check_same(lambda lib, m: m.RandomSampler([], **kw) and None)


def test_subset_random_sampler():
    idx = [10, 4, 7, 22, 3]
    s = edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(0))
    got = list(s)
    assert sorted(got) == sorted(idx) and len(s) == 5
    assert list(edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(0))) == got
    check_same(lambda lib, m: len(m.SubsetRandomSampler(idx)))


def test_weighted_random_sampler():
    w = [0.0, 1.0, 3.0, 0.0]
    s = edata.WeightedRandomSampler(w, 4000, generator=ember.Generator().manual_seed(0))
    got = np.array(list(s))
    assert len(s) == 4000 and set(got.tolist()) == {1, 2}
    assert abs((got == 2).mean() - 0.75) < 0.04
    no_rep = list(edata.WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], 4, replacement=False,
                                              generator=ember.Generator().manual_seed(1)))
    assert sorted(no_rep) == [0, 1, 2, 3]
    assert list(edata.WeightedRandomSampler(w, 10, generator=ember.Generator().manual_seed(2))) == \
        list(edata.WeightedRandomSampler(w, 10, generator=ember.Generator().manual_seed(2)))
    t = tdata.WeightedRandomSampler(w, 5)
    e = edata.WeightedRandomSampler(w, 5)
    assert str(t.weights.dtype).split(".")[-1] == str(e.weights.dtype).split(".")[-1]
    assert t.weights.tolist() == e.weights.tolist()
    check_same(lambda lib, m: m.WeightedRandomSampler([1.0, 2.0], 3, replacement=False).__iter__().__next__())


@pytest.mark.parametrize("kw", [dict(num_samples=0), dict(num_samples=True), dict(num_samples=2.0),
                                dict(num_samples=3, replacement=1), dict(num_samples=2, weights=[[1.0, 2.0]])])
def test_weighted_random_sampler_errors(kw):
    kw.setdefault("weights", [1.0, 2.0])
    check_same(lambda lib, m: m.WeightedRandomSampler(**kw))


@pytest.mark.parametrize("n, bs, drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (2, 5, True),
                                         (0, 2, False)])
def test_batch_sampler(n, bs, drop):
    check_same(lambda lib, m: list(m.BatchSampler(m.SequentialSampler(range(n)), bs, drop)))
    check_same(lambda lib, m: len(m.BatchSampler(range(n), bs, drop)))
    check_same(lambda lib, m: list(m.BatchSampler([5, 1, 4, 1, 5, 9, 2, 6][:n], bs, drop)))


@pytest.mark.parametrize("bs, drop", [(0, False), (True, False), (2.0, False), (-1, False), (2, 1), (2, None)])
def test_batch_sampler_errors(bs, drop):
    check_same(lambda lib, m: m.BatchSampler(range(4), bs, drop))


@pytest.mark.parametrize("n", [10, 11, 3, 7])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_no_shuffle(n, replicas, drop_last):
    def run(lib, m):
        out = []
        for rank in range(replicas):
            s = m.DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
            out.append((list(s), len(s), s.num_samples, s.total_size))
        return out

    check_same(run)


@pytest.mark.parametrize("n, replicas, drop_last", [(10, 3, False), (10, 3, True), (2, 5, False), (12, 4, False)])
def test_distributed_sampler_shuffle_properties(n, replicas, drop_last):
    def shards(epoch, seed=0):
        out = []
        for rank in range(replicas):
            s = edata.DistributedSampler(range(n), num_replicas=replicas, rank=rank, seed=seed, drop_last=drop_last)
            s.set_epoch(epoch)
            out.append(list(s))
        return out

    a = shards(0)
    t = tdata.DistributedSampler(range(n), num_replicas=replicas, rank=0, drop_last=drop_last)
    assert all(len(x) == len(t) for x in a)
    flat = [i for x in a for i in x]
    if drop_last:
        assert len(set(flat)) == len(flat)                          # no index twice
    else:
        assert set(flat) == set(range(n))                           # every index, padding repeats some
        assert len(flat) == math.ceil(n / replicas) * replicas
    assert shards(0) == a                                           # deterministic for (seed, epoch)
    if n >= 10:
        assert shards(1) != a and shards(0, seed=7) != a            # set_epoch / seed change the order
    # the shuffle is a randperm from Generator().manual_seed(seed + epoch), as PyTorch draws it
    perm = ember.randperm(n, generator=ember.Generator().manual_seed(1)).tolist()
    s = edata.DistributedSampler(range(n), num_replicas=replicas, rank=0, drop_last=drop_last)
    s.set_epoch(1)
    total = s.total_size
    padded = (perm * (total // n + 1))[:total] if not drop_last else perm[:total]
    assert list(s) == padded[0:total:replicas]


def test_distributed_sampler_errors():
    check_same(lambda lib, m: m.DistributedSampler(range(10), num_replicas=2, rank=2))
    check_same(lambda lib, m: m.DistributedSampler(range(10), num_replicas=2, rank=-1))
    # no process group initialized: num_replicas / rank cannot be inferred
    check_same(lambda lib, m: m.DistributedSampler(range(10)))
    check_same(lambda lib, m: m.DistributedSampler(range(10), num_replicas=2))
    # (rank given but not num_replicas also needs the group)
    check_same(lambda lib, m: m.DistributedSampler(range(10), rank=0))
