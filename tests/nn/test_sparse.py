"""Embedding / EmbeddingBag / F.embedding / F.embedding_bag / F.one_hot against torch."""

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F


def E(t):
    return ember.tensor(t.detach().numpy())


def _copy(tmod, emod):
    emod.load_state_dict({k: E(v) for k, v in tmod.state_dict().items()})


IDX = [np.array([1, 2, 2, 5, 1]), np.array([[0, 3, 3], [9, 1, 0]]), np.array(4), np.zeros((0, 2), np.int64)]


@pytest.mark.parametrize("padding_idx", [None, 0, 2, -1])
@pytest.mark.parametrize("sg", [False, True])
@pytest.mark.parametrize("max_norm,norm_type", [(None, 2.0), (1.0, 2.0), (0.5, 1.0), (0.8, float("inf"))])
@pytest.mark.parametrize("i", range(len(IDX)))
def test_embedding_matches_torch(padding_idx, sg, max_norm, norm_type, i):
    torch.manual_seed(0)
    t = torch.nn.Embedding(10, 4, padding_idx, max_norm, norm_type, sg, dtype=torch.float64)
    e = nn.Embedding(10, 4, padding_idx, max_norm, norm_type, sg, dtype=ember.float64)
    _copy(t, e)
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())
    idx = IDX[i]
    ty, ey = t(torch.tensor(idx)), e(ember.tensor(idx))
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    # max_norm renormalises the weight in place, as torch does
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-12)
    g = np.random.RandomState(1).randn(*ty.shape)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(e.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert ey.grad_fn.name() == "EmbeddingBackward0"


def test_embedding_init_padding_and_float32():
    ember.manual_seed(0)
    e = nn.Embedding(2000, 64, padding_idx=3)
    w = e.weight.detach().numpy()
    assert e.weight.dtype is ember.float32 and (w[3] == 0).all()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01
    assert nn.Embedding(5, 2, padding_idx=-2).padding_idx == 3


def test_embedding_from_pretrained_and_weight():
    w = ember.tensor(np.arange(12.0).reshape(4, 3))
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and e(ember.tensor([2])).tolist() == [[6.0, 7.0, 8.0]]
    e = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
    assert e.weight.requires_grad and e.padding_idx == 1 and e.weight[1].tolist() == [3.0, 4.0, 5.0]
    e(ember.tensor([1, 2, 1])).sum().backward()
    assert e.weight.grad[1].tolist() == [0.0, 0.0, 0.0] and e.weight.grad[2].tolist() == [1.0, 1.0, 1.0]
    b = nn.EmbeddingBag.from_pretrained(w, mode="sum")
    assert not b.weight.requires_grad and b(ember.tensor([[0, 1]])).tolist() == [[3.0, 5.0, 7.0]]
    e = nn.Embedding(4, 3, _weight=w)
    assert e.weight.tolist() == w.tolist()
    e = nn.Embedding(3, 2, sparse=True)
    e(ember.tensor([0, 0])).sum().backward()  # sparse=True: accepted, dense gradient
    assert e.weight.grad.tolist()[0] == [2.0, 2.0]


def test_embedding_errors_match_torch():
    w, ew = torch.zeros(10, 3), ember.zeros(10, 3)
    for args in [([1, 10],), ([1, -1],)]:
        with pytest.raises(IndexError) as te:
            torch.nn.functional.embedding(torch.tensor(*args), w)
        with pytest.raises(IndexError) as ee:
            F.embedding(ember.tensor(*args), ew)
        assert str(ee.value) == str(te.value)
    for idx in [torch.tensor([1.0]), torch.tensor([1], dtype=torch.int16)]:
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.embedding(idx, w)
        with pytest.raises(RuntimeError) as ee:
            F.embedding(E(idx), ew)
        assert str(ee.value) == str(te.value)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(10, 3, padding_idx=10)
    with pytest.raises(AssertionError, match="Shape of weight"):
        nn.Embedding(10, 3, _weight=ember.zeros(3, 3))
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(ember.zeros(3))
    assert F.embedding(ember.tensor([1, 2], dtype=ember.int32), ew).shape == (2, 3)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("sg", [False])  # torch's scale_grad_by_freq for bags mis-scales rows (not replicated)
@pytest.mark.parametrize("inp,offsets,ilo", [
    ([[1, 2, 2], [5, 2, 0]], None, False), ([1, 2, 2, 5, 7], [0, 2, 2, 4], False), ([1, 2, 2, 5, 7], [0], False),
    ([1, 2, 2, 5, 7], [0, 3, 5], True), ([1, 2, 2, 5, 7], [0, 0, 5], True)])
def test_embedding_bag_matches_torch(mode, padding_idx, sg, inp, offsets, ilo):
    torch.manual_seed(0)
    t = torch.nn.EmbeddingBag(10, 4, scale_grad_by_freq=sg, mode=mode, include_last_offset=ilo,
                              padding_idx=padding_idx, dtype=torch.float64)
    e = nn.EmbeddingBag(10, 4, scale_grad_by_freq=sg, mode=mode, include_last_offset=ilo, padding_idx=padding_idx,
                        dtype=ember.float64)
    _copy(t, e)
    assert repr(e) == repr(t)
    to = None if offsets is None else torch.tensor(offsets)
    eo = None if offsets is None else ember.tensor(offsets)
    ty, ey = t(torch.tensor(inp), to), e(ember.tensor(inp), eo)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    g = np.random.RandomState(1).randn(*ty.shape)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(e.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("inp,offsets", [([1, 2, 2, 5, 7], [0, 2]), ([[1, 2], [3, 2]], None)])
def test_embedding_bag_per_sample_weights(inp, offsets):
    rs = np.random.RandomState(0)
    w = rs.randn(10, 3)
    psw = rs.randn(*np.array(inp).shape)
    tw, ew = torch.tensor(w, requires_grad=True), ember.tensor(w, requires_grad=True)
    tp, ep = torch.tensor(psw, requires_grad=True), ember.tensor(psw, requires_grad=True)
    to = None if offsets is None else torch.tensor(offsets)
    eo = None if offsets is None else ember.tensor(offsets)
    ty = torch.nn.functional.embedding_bag(torch.tensor(inp), tw, to, mode="sum", per_sample_weights=tp,
                                           padding_idx=2)
    ey = F.embedding_bag(ember.tensor(inp), ew, eo, mode="sum", per_sample_weights=ep, padding_idx=2)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    ty.sum().backward()
    ey.sum().backward()
    np.testing.assert_allclose(ew.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-12)


def test_embedding_bag_max_norm_and_float32():
    torch.manual_seed(0)
    t = torch.nn.EmbeddingBag(10, 4, max_norm=1.0, mode="mean")
    e = nn.EmbeddingBag(10, 4, max_norm=1.0, mode="mean")
    _copy(t, e)
    inp = [[1, 2, 3], [4, 4, 1]]
    np.testing.assert_allclose(e(ember.tensor(inp)).detach().numpy(), t(torch.tensor(inp)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_embedding_bag_errors_match_torch():
    w, ew = torch.zeros(10, 3), ember.zeros(10, 3)
    cases = [
        (([[1, 2]], [0]), {}), (([1, 2], None), {}), (([1, 2], [1]), {}), (([1, 2], [0, 3]), {}),
        (([1, 2], [0]), {"mode": "foo"}), (([1, 2], [0]), {"mode": "mean", "psw": 2}),
        (([1, 2], [0]), {"mode": "sum", "psw": 3}), (([[[1, 2]]], None), {}), (([1, 12], [0]), {}),
    ]
    for (inp, off), kw in cases:
        kw = dict(kw)
        psw = kw.pop("psw", None)
        targs = (torch.tensor(inp), w, None if off is None else torch.tensor(off))
        eargs = (ember.tensor(inp), ew, None if off is None else ember.tensor(off))
        tk = dict(kw, per_sample_weights=None if psw is None else torch.ones(psw))
        ek = dict(kw, per_sample_weights=None if psw is None else ember.ones(psw))
        with pytest.raises(Exception) as te:
            torch.nn.functional.embedding_bag(*targs, **tk)
        with pytest.raises(Exception) as ee:
            F.embedding_bag(*eargs, **ek)
        tmsg = str(te.value).replace("torch.Tensor", "ember._tensor.Tensor").replace("torch.", "ember.")
        assert type(ee.value) is type(te.value) and tmsg.startswith(str(ee.value)), (inp, off, kw)


def test_one_hot_matches_torch():
    for args in [([1, 0, 3],), ([[1, 0], [2, 2]], 5), (2, 4), ([3], -1)]:
        t = torch.nn.functional.one_hot(torch.tensor(args[0]), *args[1:])
        e = F.one_hot(ember.tensor(args[0]), *args[1:])
        assert e.dtype is ember.int64 and e.tolist() == t.tolist()
    assert F.one_hot(ember.zeros(0, dtype=ember.int64), 3).shape == (0, 3)
    for args in [([1, 4], 3), ([1, -1],), ([1, 2], -2)]:
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.one_hot(torch.tensor(args[0]), *args[1:])
        with pytest.raises(RuntimeError) as ee:
            F.one_hot(ember.tensor(args[0]), *args[1:])
        assert str(ee.value) == str(te.value)
    for t, e in [(torch.tensor([1], dtype=torch.int32), ember.tensor([1], dtype=ember.int32)),
                 (torch.zeros(0, dtype=torch.long), ember.zeros(0, dtype=ember.int64))]:
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.one_hot(t)
        with pytest.raises(RuntimeError) as ee:
            F.one_hot(e)
        assert str(ee.value) == str(te.value)
