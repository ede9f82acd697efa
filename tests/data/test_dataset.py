"""ember.utils.data datasets against torch.utils.data: contents, lengths, errors, random_split's properties."""

import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata
from tests.data.helpers import to_py


def both(fn):
    """Run ``fn(lib, data_module)`` for torch and ember; return (torch result, ember result) or their exceptions."""
    out = []
    for lib, mod in ((torch, tdata), (ember, edata)):
        try:
            out.append(fn(lib, mod))
        except Exception as e:  # noqa: BLE001 - compared below
            out.append(e)
    return out


def check_same(fn):
    t, e = both(fn)
    if isinstance(t, Exception) or isinstance(e, Exception):
        assert type(t) is type(e), (t, e)
        assert str(t) == str(e)
        return t, e
    assert to_py(t) == to_py(e)
    return t, e


def test_namespace():
    assert ember.utils.data is edata
    for name in ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
                 "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
                 "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate",
                 "default_convert", "get_worker_info", "random_split"]:
        assert hasattr(edata, name), name
    from ember.utils.data.distributed import DistributedSampler
    assert DistributedSampler is edata.DistributedSampler


def test_dataset_base_errors_and_add():
    check_same(lambda lib, m: m.Dataset()[0])
    check_same(lambda lib, m: m.IterableDataset())   # abstract: TypeError
    check_same(lambda lib, m: m.Dataset() + m.Dataset())   # ConcatDataset needs len(): TypeError

    class R(edata.Dataset):
        def __init__(self, n):
            self.n = n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return i * 10

    c = R(2) + R(3)
    assert isinstance(c, edata.ConcatDataset) and [c[i] for i in range(5)] == [0, 10, 0, 10, 20]

    class It(edata.IterableDataset):
        def __iter__(self):
            return iter(range(2))

    ch = It() + It()
    assert isinstance(ch, edata.ChainDataset) and list(ch) == [0, 1, 0, 1]


def test_tensor_dataset():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    t, e = check_same(lambda lib, m: [m.TensorDataset(lib.tensor(x), lib.tensor(y))[i] for i in (0, 5, -1)])
    check_same(lambda lib, m: len(m.TensorDataset(lib.tensor(x), lib.tensor(y))))
    check_same(lambda lib, m: m.TensorDataset(lib.tensor(x), lib.tensor(y))[1:3])
    check_same(lambda lib, m: m.TensorDataset(lib.zeros(2), lib.zeros(3)))


def test_stack_dataset():
    a, b = list(range(4)), [f"s{i}" for i in range(4)]
    check_same(lambda lib, m: [m.StackDataset(a, b)[i] for i in range(4)])
    check_same(lambda lib, m: [m.StackDataset(x=a, y=b)[i] for i in range(4)])
    check_same(lambda lib, m: m.StackDataset(x=a, y=b).__getitems__([3, 1]))
    check_same(lambda lib, m: m.StackDataset(a, b).__getitems__([0, 2]))
    check_same(lambda lib, m: len(m.StackDataset(a, b)))
    check_same(lambda lib, m: m.StackDataset(a, x=b))
    check_same(lambda lib, m: m.StackDataset(a, [1]))
    check_same(lambda lib, m: m.StackDataset())


def test_concat_dataset():
    check_same(lambda lib, m: [m.ConcatDataset([range(3), range(10, 14)])[i] for i in range(-7, 7)])
    check_same(lambda lib, m: m.ConcatDataset([range(3), range(10, 14), range(2)]).cumulative_sizes)
    check_same(lambda lib, m: len(m.ConcatDataset([range(3), range(4)])))
    check_same(lambda lib, m: m.ConcatDataset([range(3), range(4)])[-8])
    check_same(lambda lib, m: m.ConcatDataset([range(3), range(4)])[7])
    check_same(lambda lib, m: m.ConcatDataset([]))

    class It(edata.IterableDataset):
        def __iter__(self):
            return iter(())

    class TIt(tdata.IterableDataset):
        def __iter__(self):
            return iter(())

    check_same(lambda lib, m: m.ConcatDataset([TIt() if lib is torch else It()]))
    with pytest.warns(DeprecationWarning):
        assert edata.ConcatDataset([range(2)]).cummulative_sizes == [2]


def test_chain_dataset():
    def make(lib, m):
        class It(m.IterableDataset):
            def __init__(self, r):
                self.r = r

            def __iter__(self):
                return iter(self.r)

            def __len__(self):
                return len(self.r)

        return It

    def run(lib, m):
        It = make(lib, m)
        c = m.ChainDataset([It(range(3)), It(range(5, 7))])
        return list(c), len(c)

    check_same(run)
    check_same(lambda lib, m: list(m.ChainDataset([range(3)])))
    check_same(lambda lib, m: len(m.ChainDataset([range(3)])))


def test_subset():
    check_same(lambda lib, m: [m.Subset(range(10, 20), [4, 2, 7])[i] for i in range(3)])
    check_same(lambda lib, m: len(m.Subset(range(10, 20), [4, 2, 7])))
    check_same(lambda lib, m: m.Subset(m.StackDataset(range(10)), [4, 2, 7]).__getitems__([0, 2]))
    check_same(lambda lib, m: m.Subset(list(range(10, 20)), [4, 2, 7]).__getitems__([1, 2]))

    class ListIndexable:
        def __getitem__(self, idx):
            return ("many", idx) if isinstance(idx, list) else ("one", idx)

    s = edata.Subset(ListIndexable(), [5, 6, 7])
    assert s[[0, 2]] == ("many", [5, 7]) and s[1] == ("one", 6)


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (10, [0.33, 0.33, 0.34]), (3, [0.1, 0.1, 0.8]), (11, [0.5, 0.5]),
                                        (7, [1.0]), (100, [0.2, 0.3, 0.5])])
def test_random_split_sizes_and_properties(n, lengths):
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        tsplits = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    with warnings.catch_warnings(record=True) as ew:
        warnings.simplefilter("always")
        esplits = edata.random_split(range(n), lengths, generator=ember.Generator().manual_seed(0))
    assert [str(w.message) for w in tw] == [str(w.message) for w in ew]
    assert [len(s) for s in tsplits] == [len(s) for s in esplits]
    got = [i for s in esplits for i in s]
    assert sorted(got) == list(range(n))           # disjoint and covering
    assert all(isinstance(s, edata.Subset) for s in esplits)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        again = edata.random_split(range(n), lengths, generator=ember.Generator().manual_seed(0))
    assert [list(s) for s in again] == [list(s) for s in esplits]   # deterministic per seed
    if n >= 10:
        other = edata.random_split(range(n), lengths, generator=ember.Generator().manual_seed(1))
        assert [list(s) for s in other] != [list(s) for s in esplits]


def test_random_split_default_generator_follows_manual_seed():
    ember.manual_seed(5)
    a = [list(s) for s in edata.random_split(range(20), [10, 10])]
    ember.manual_seed(5)
    b = [list(s) for s in edata.random_split(range(20), [10, 10])]
    assert a == b


@pytest.mark.parametrize("lengths", [[3, 3], [0.5, 0.6], [-0.5, 1.5], [11], [0.3, 0.3]])
def test_random_split_errors(lengths):
    check_same(lambda lib, m: m.random_split(range(10), lengths, generator=lib.Generator().manual_seed(0)))
