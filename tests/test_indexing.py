"""Unit tests for ember/ops/indexing.py: setitem gradients, views, version counters, grad_fn names."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(arr, requires_grad=True):
    arr = np.asarray(arr, dtype=np.float32)
    return (ember.tensor(arr).requires_grad_(requires_grad), torch.tensor(arr).requires_grad_(requires_grad))


def _close(e, t):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)


X = np.arange(12, dtype=np.float32).reshape(3, 4) / 7 - 0.5


# --- grad_fn names --------------------------------------------------------------------------
NAME_INDICES = [
    lambda lib: 1, lambda lib: slice(1, None), lambda lib: slice(None), lambda lib: (slice(None), slice(None)),
    lambda lib: None, lambda lib: Ellipsis, lambda lib: (), lambda lib: (1, slice(None)),
    lambda lib: (slice(None), 1), lambda lib: (slice(1, None), 0), lambda lib: (0, slice(1, None)),
    lambda lib: (None, 0), lambda lib: (0, None), lambda lib: (Ellipsis, None), lambda lib: (Ellipsis, 1),
    lambda lib: [0, 1], lambda lib: ([0, 1], slice(1, None)), lambda lib: True, lambda lib: False,
    lambda lib: lib.tensor(1), lambda lib: lib.tensor(True), lambda lib: (lib.tensor(1), slice(1, None)),
    lambda lib: lib.tensor([True, False, True]), lambda lib: (slice(None), [0, 0]),
]


@pytest.mark.parametrize("k", range(len(NAME_INDICES)))
def test_getitem_grad_fn_names_match_torch(k):
    e, t = _pair(X)
    ey, ty = e[NAME_INDICES[k](ember)], t[NAME_INDICES[k](torch)]
    assert ey.grad_fn.name() == ty.grad_fn.name()
    assert tuple(ey.shape) == tuple(ty.shape)
    _close(ey, ty)


def test_setitem_grad_fn_names():
    for idx, name in ((0, "CopySlices"), ((slice(None), 1), "CopySlices"), ([0, 2], "IndexPutBackward0")):
        e, t = _pair(X)
        ey, ty = e * 1, t * 1
        ey[idx] = 1.0
        ty[idx] = 1.0
        assert ey.grad_fn.name() == type(ty.grad_fn).__name__ == name  # torch's name() says torch::autograd::..


def test_sort_family_grad_fn_names():
    e, t = _pair(X)
    for fn in (lambda lib, a: lib.sort(a)[0], lambda lib, a: lib.topk(a, 2)[0], lambda lib, a: lib.kthvalue(a, 2)[0],
               lambda lib, a: a.gather(0, lib.tensor([[0, 1, 2, 0]])),
               lambda lib, a: a.scatter(0, lib.tensor([[0, 1, 2, 0]]), 1.0),
               lambda lib, a: a.index_select(1, lib.tensor([0])),
               lambda lib, a: a.masked_fill(a > 0, 1.0), lambda lib, a: a.masked_select(a > 0),
               lambda lib, a: a.take(lib.tensor([0, 3])), lambda lib, a: lib.take_along_dim(a, lib.tensor([1]))):
        assert fn(ember, e).grad_fn.name() == fn(torch, t).grad_fn.name()


# --- views: shared memory, version counters, _base --------------------------------------------
def test_basic_indexing_returns_views_sharing_memory_and_version():
    x = ember.tensor(X.copy())
    for idx in (0, (slice(None), 1), (None, Ellipsis), slice(1, 3), (Ellipsis,)):
        v = x[idx]
        assert v._base is x
        assert np.shares_memory(v.numpy(), x.numpy())
        before = v._version_value
        x.add_(1)
        assert v._version_value == x._version_value == before + 1
    adv = x[[0, 1]]
    assert not np.shares_memory(adv.numpy(), x.numpy())
    assert adv._base is None


def test_base_is_root_and_setitem_through_view_reaches_base():
    x = ember.zeros(3, 4)
    v = x[0][1:]
    assert v._base is x
    x[0][1] = 5
    x[1, 2:] = ember.tensor([1.0, 2.0])
    t = torch.zeros(3, 4)
    t[0][1] = 5
    t[1, 2:] = torch.tensor([1.0, 2.0])
    _close(x, t)
    assert v.tolist() == [5.0, 0.0, 0.0]


def test_setitem_bumps_version_of_views():
    x = ember.zeros(3, 4)
    v = x[1]
    n = x._version_value
    x[0] = 1.0
    assert x._version_value == v._version_value == n + 1
    v[2] = 3.0
    assert x._version_value == n + 2
    assert x[1, 2].item() == 3.0


# --- setitem gradients ---------------------------------------------------------------------
SET_CASES = [
    (lambda lib: 0, (4,)),
    (lambda lib: (slice(None), 1), (3,)),
    (lambda lib: (slice(None), 1), (1,)),
    (lambda lib: lib.tensor([0, 2, 0]), (4,)),        # repeated index
    (lambda lib: ([0, 1], [1, 3]), (2,)),
    (lambda lib: (slice(None), [3, 0]), (3, 2)),
    (lambda lib: lib.tensor([True, False, True]), (2, 4)),
    (lambda lib: (Ellipsis, slice(None, None, 2)), ()),
    (lambda lib: 1, (1, 4)),
]


@pytest.mark.parametrize("k", range(len(SET_CASES)))
def test_setitem_gradients_match_torch(k):
    idx_fn, vshape = SET_CASES[k]
    ex, tx = _pair(X)
    varr = np.linspace(-1, 1, int(np.prod(vshape))).reshape(vshape).astype(np.float32)
    ev, tv = _pair(varr)
    cot = np.random.default_rng(k).standard_normal((3, 4)).astype(np.float32)
    outs = []
    for lib, x, v in ((ember, ex, ev), (torch, tx, tv)):
        y = x * 2
        y[idx_fn(lib)] = v
        (y * lib.tensor(cot)).sum().backward()
        outs.append((y, x.grad, v.grad))
    for e, t in zip(*outs):
        _close(e, t)


def test_setitem_through_view_gradients_match_torch():
    ex, tx = _pair(X)
    ev, tv = _pair([1.5, -2.0])
    outs = []
    for x, v in ((ex, ev), (tx, tv)):
        y = x * 1
        z = y[1]
        z[[0, 3]] = v * 3
        y[0][2] = v[0]
        out = (y * y).sum() + (z * 2).sum()
        out.backward()
        outs.append((y, z, x.grad, v.grad))
    for e, t in zip(*outs):
        _close(e, t)


def test_setitem_value_requires_grad_only():
    ev, tv = _pair([1.0, 2.0, 3.0, 4.0])
    ey, ty = ember.zeros(3, 4), torch.zeros(3, 4)
    ey[1] = ev
    ty[1] = tv
    assert ey.requires_grad and ey.grad_fn.name() == type(ty.grad_fn).__name__
    (ey * 2).sum().backward()
    (ty * 2).sum().backward()
    _close(ev.grad, tv.grad)


def test_setitem_on_leaf_requiring_grad_raises():
    x = ember.tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 1.0
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0][1] = 1.0


def test_setitem_under_no_grad_writes_directly():
    x = ember.tensor(X.copy(), requires_grad=True)
    with ember.no_grad():
        x[0, 0] = 7.0
        x[x > 0.3] = 0.0
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    t = torch.tensor(X.copy(), requires_grad=True)
    with torch.no_grad():
        t[0, 0] = 7.0
        t[t > 0.3] = 0.0
    _close(x, t)


def test_setitem_casts_value_to_tensor_dtype():
    x = ember.zeros(3, dtype=ember.int64)
    x[0] = 2.7
    x[1] = ember.tensor(3.9)
    assert x.tolist() == [2, 3, 0] and x.dtype == ember.int64


# --- duplicates accumulate -------------------------------------------------------------------
def test_advanced_index_backward_accumulates_duplicates():
    e, t = _pair([1.0, 2.0, 3.0])
    e[ember.tensor([0, 0, 2, 0])].sum().backward()
    t[torch.tensor([0, 0, 2, 0])].sum().backward()
    _close(e.grad, t.grad)
    assert e.grad.tolist() == [3.0, 0.0, 1.0]


def test_index_put_accumulate_and_index_add_sum_duplicates():
    x = ember.zeros(3)
    r = x.index_put((ember.tensor([0, 0, 1]),), ember.tensor([1.0, 2.0, 3.0]), accumulate=True)
    assert r.tolist() == [3.0, 3.0, 0.0]
    r = ember.index_add(x, 0, ember.tensor([2, 2]), ember.tensor([1.0, 4.0]))
    assert r.tolist() == [0.0, 0.0, 5.0]
    r = ember.scatter_add(x, 0, ember.tensor([1, 1, 1]), ember.tensor([1.0, 1.0, 1.0]))
    assert r.tolist() == [0.0, 3.0, 0.0]


# --- return types ----------------------------------------------------------------------------
def test_return_types():
    x = ember.tensor([3.0, 1.0, 2.0])
    for r, name in ((ember.sort(x), "sort"), (ember.topk(x, 2), "topk"), (ember.kthvalue(x, 1), "kthvalue")):
        assert type(r).__name__ == name
        assert r._fields == ("values", "indices")
        values, indices = r
        assert r.values is values and r.indices is indices
        assert repr(r).startswith(f"ember.return_types.{name}(")
    assert ember.sort(x, descending=True).indices.tolist() == [0, 2, 1]


def test_create_graph_through_indexing():
    e, t = _pair(X)
    res = []
    for lib, x in ((ember, e), (torch, t)):
        y = (x[[0, 2], 1:] ** 2 if hasattr(x[0], "__pow__") else x[[0, 2], 1:] * x[[0, 2], 1:]).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        res.append((g, gg))
    for a, b in zip(*res):
        _close(a, b)
