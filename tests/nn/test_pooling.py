"""Pooling layers (max, avg, adaptive, LP, unpool) and their functional forms against torch."""

import re

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F


def ereplace(s: str) -> str:
    return s.replace("torch.", "ember.")


def _run(tmod, emod, shape, dtype=np.float64, rtol=1e-10, atol=1e-10, positive=False):
    assert repr(emod) == ereplace(repr(tmod))
    rs = np.random.RandomState(0)
    x = rs.randn(*shape).astype(dtype)
    if positive:
        x = np.abs(x) + 0.1
    for train in (True, False):
        tmod.train(train)
        emod.train(train)
        tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
        ty, ey = tmod(tx), emod(ex)
        if isinstance(ty, tuple):
            assert str(ey[1].dtype) == "ember.int64"
            np.testing.assert_array_equal(ey[1].numpy(), ty[1].numpy())
            ty, ey = ty[0], ey[0]
        assert tuple(ey.shape) == tuple(ty.shape)
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
        g = rs.randn(*ty.shape).astype(dtype)
        ty.backward(torch.tensor(g))
        ey.backward(ember.tensor(g))
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)


CASES = [
    ("MaxPool2d", (2,), {}, (2, 3, 8, 9)),
    ("MaxPool2d", (3, 2, 1), {"return_indices": True}, (2, 3, 8, 9)),
    ("MaxPool2d", ((3, 2), (2, 1), (1, 0)), {"dilation": (1, 2), "ceil_mode": True, "return_indices": True},
     (2, 3, 8, 9)),
    ("MaxPool2d", (3,), {"stride": 2, "ceil_mode": True}, (3, 8, 9)),
    ("MaxPool1d", (3, 2, 1), {"ceil_mode": True, "return_indices": True}, (2, 3, 10)),
    ("MaxPool1d", (2,), {}, (3, 10)),
    ("MaxPool3d", ((2, 3, 2), 2, (1, 1, 0)), {"return_indices": True}, (2, 2, 5, 6, 7)),
    ("MaxPool3d", (2,), {"ceil_mode": True}, (2, 5, 6, 7)),
    ("AvgPool2d", (2,), {}, (2, 3, 8, 9)),
    ("AvgPool2d", (3, 2, 1), {}, (2, 3, 8, 9)),
    ("AvgPool2d", (3, 2, 1), {"count_include_pad": False, "ceil_mode": True}, (2, 3, 8, 9)),
    ("AvgPool2d", (3, 2, 1), {"ceil_mode": True}, (2, 3, 8, 9)),
    ("AvgPool2d", ((3, 2), (2, 1), (1, 1)), {"divisor_override": 3}, (2, 3, 8, 9)),
    ("AvgPool2d", (3,), {}, (3, 8, 9)),
    ("AvgPool1d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, (2, 3, 10)),
    ("AvgPool1d", (4,), {}, (3, 10)),
    ("AvgPool3d", ((2, 3, 2), 2, (1, 1, 0)), {"ceil_mode": True}, (2, 2, 5, 6, 7)),
    ("AvgPool3d", (2,), {"divisor_override": 5, "count_include_pad": False}, (2, 5, 6, 7)),
    ("AdaptiveAvgPool2d", ((3, 5),), {}, (2, 3, 7, 8)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (3, 7, 8)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 8)),
    ("AdaptiveAvgPool2d", (10,), {}, (2, 3, 7, 8)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool3d", ((2, 3, 4),), {}, (2, 2, 5, 6, 7)),
    ("AdaptiveMaxPool2d", ((3, 5),), {"return_indices": True}, (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", ((3, None),), {}, (3, 7, 8)),
    ("AdaptiveMaxPool1d", (4,), {"return_indices": True}, (2, 3, 10)),
    ("AdaptiveMaxPool1d", (13,), {}, (2, 3, 10)),
    ("LPPool2d", (2, 3), {}, (2, 3, 7, 8)),
    ("LPPool2d", (1.5, (3, 2), 2), {"ceil_mode": True}, (2, 3, 7, 8)),
    ("LPPool1d", (3, 3, 2), {}, (2, 3, 7)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES)
def test_pool_matches_torch(cls, args, kwargs, shape):
    _run(getattr(torch.nn, cls)(*args, **kwargs), getattr(nn, cls)(*args, **kwargs), shape,
         positive=cls.startswith("LP"))


@pytest.mark.parametrize("cls,args,kwargs,shape", [c for c in CASES if not c[0].startswith("Adaptive")][:8])
def test_pool_float32(cls, args, kwargs, shape):
    _run(getattr(torch.nn, cls)(*args, **kwargs), getattr(nn, cls)(*args, **kwargs), shape, dtype=np.float32,
         rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("nd,shape,kwargs", [
    (2, (2, 3, 8, 8), {"kernel_size": 2}),
    (2, (2, 3, 9, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
    (2, (3, 8, 8), {"kernel_size": 2}),
    (2, (2, 3, 8, 9), {"kernel_size": 2}),
    (1, (2, 3, 11), {"kernel_size": 3, "stride": 2}),
])
def test_max_unpool_matches_torch(nd, shape, kwargs):
    rs = np.random.RandomState(0)
    x = rs.randn(*shape)
    pool = {1: "max_pool1d", 2: "max_pool2d"}[nd]
    unpool = {1: "MaxUnpool1d", 2: "MaxUnpool2d"}[nd]
    tv, ti = getattr(torch.nn.functional, pool)(torch.tensor(x), return_indices=True, **kwargs)
    ev, ei = getattr(F, pool)(ember.tensor(x), return_indices=True, **kwargs)
    tv.requires_grad_(True)
    ev = ev.detach().requires_grad_(True)
    tm, em = getattr(torch.nn, unpool)(**kwargs), getattr(nn, unpool)(**kwargs)
    assert repr(em) == repr(tm)
    outs = [list(shape[-nd:])] + ([list(shape)] if len(shape) == nd + 2 else []) + ([None] if shape[-1] == shape[-2] or nd == 1 else [])
    for output_size in outs:
        ty, ey = tm(tv, ti, output_size=output_size), em(ev, ei, output_size=output_size)
        assert tuple(ey.shape) == tuple(ty.shape)
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy())
        g = rs.randn(*ty.shape)
        tg, = torch.autograd.grad(ty, tv, torch.tensor(g))
        eg, = ember.autograd.grad(ey, ev, ember.tensor(g))
        np.testing.assert_allclose(eg.numpy(), tg.numpy())


def test_pool_integer_inputs():
    x = (np.arange(2 * 3 * 6 * 7).reshape(2, 3, 6, 7) * 37) % 11 - 5
    for fn, kw in (("max_pool2d", {"kernel_size": 2, "return_indices": True}),
                   ("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1})):
        t = getattr(torch.nn.functional, fn)(torch.tensor(x), **kw)
        e = getattr(F, fn)(ember.tensor(x), **kw)
        for a, b in zip(e if isinstance(e, tuple) else [e], t if isinstance(t, tuple) else [t]):
            assert str(a.dtype) == str(b.dtype).replace("torch", "ember")
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_pool_double_backward():
    rs = np.random.RandomState(2)
    x = rs.randn(2, 3, 6, 7)
    res = []
    for lib in (torch, ember):
        tx = lib.tensor(x, requires_grad=True)
        out = []
        for y in (lib.nn.functional.max_pool2d(tx, 3, 2, 1), lib.nn.functional.avg_pool2d(tx, 3, 2, 1),
                  lib.nn.functional.adaptive_max_pool2d(tx, (4, 3))):
            g, = lib.autograd.grad((y * y * y).sum(), tx, create_graph=True)
            g2, = lib.autograd.grad((g * g).sum(), tx)
            out += [g.detach().numpy(), g2.numpy()]
        res.append(out)
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-10)


def test_grad_fn_names():
    x = ember.randn(1, 2, 6, 6, requires_grad=True)
    assert F.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.MaxPool2d(2),
    lambda lib: lib.nn.MaxPool2d((2, 3), stride=1, padding=1, dilation=2, return_indices=True, ceil_mode=True),
    lambda lib: lib.nn.MaxPool1d(3),
    lambda lib: lib.nn.MaxPool3d(2, 1),
    lambda lib: lib.nn.AvgPool2d(2),
    lambda lib: lib.nn.AvgPool1d(3, 2, 1, True, False),
    lambda lib: lib.nn.AvgPool3d(2, divisor_override=3),
    lambda lib: lib.nn.AdaptiveAvgPool2d((3, None)),
    lambda lib: lib.nn.AdaptiveAvgPool1d(3),
    lambda lib: lib.nn.AdaptiveMaxPool1d(3, True),
    lambda lib: lib.nn.AdaptiveMaxPool2d((2, 2)),
    lambda lib: lib.nn.LPPool2d(2, 3),
    lambda lib: lib.nn.LPPool1d(1.5, 3, 2, True),
    lambda lib: lib.nn.MaxUnpool2d(2),
    lambda lib: lib.nn.MaxUnpool1d(3, 2, 1),
])
def test_reprs(make):
    assert repr(make(ember)) == ereplace(repr(make(torch)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(5, 5), 2),
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 2, 5, 5), 3, padding=2),
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 2, 5, 5), 2, stride=0),
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 2, 5, 5), 6),
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 2, 5, 5), (2, 2, 2)),
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 2, 5, 5), 2, dilation=0),
    lambda lib: lib.nn.functional.max_pool1d(lib.zeros(2, 3, 4, 5), 2),
    lambda lib: lib.nn.functional.max_pool3d(lib.zeros(2, 3), 2),
    lambda lib: lib.nn.functional.max_pool2d(lib.zeros(1, 2, 0, 5), 2),
    lambda lib: lib.nn.functional.avg_pool2d(lib.zeros(1, 2, 5, 5), 3, padding=2),
    lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(5, 5, 5, 5), 2),
    lambda lib: lib.nn.functional.avg_pool2d(lib.zeros(1, 2, 5, 5), 2, divisor_override=0),
    lambda lib: lib.nn.functional.adaptive_avg_pool2d(lib.zeros(5), 2),
    lambda lib: lib.nn.functional.adaptive_max_pool2d(lib.zeros(5), 2),
    lambda lib: lib.nn.functional.adaptive_avg_pool2d(lib.zeros(1, 2, 5, 5), (2, 2, 2)),
    lambda lib: lib.nn.MaxPool2d(2)(lib.zeros(3)),
])
def test_pool_errors_match_torch(call):
    with pytest.raises(RuntimeError) as te:
        call(torch)
    with pytest.raises(RuntimeError) as ee:
        call(ember)
    assert str(ee.value) == str(te.value)


def test_max_unpool_errors_match_torch():
    v, i = torch.nn.functional.max_pool2d(torch.randn(2, 3, 8, 9), 2, return_indices=True)
    ev, ei = ember.tensor(v.numpy()), ember.tensor(i.numpy())
    with pytest.raises(RuntimeError) as te:
        torch.nn.functional.max_unpool2d(v, i, 2)
    with pytest.raises(RuntimeError) as ee:
        F.max_unpool2d(ev, ei, 2)
    strip = lambda s: re.sub(r"index: \d+", "index: N", s)  # noqa: E731 - torch's pick of the index varies
    assert strip(str(ee.value)) == strip(str(te.value))
    with pytest.raises(ValueError) as te:
        torch.nn.functional.max_unpool2d(v, i, 2, output_size=(11, 9))
    with pytest.raises(ValueError) as ee:
        F.max_unpool2d(ev, ei, 2, output_size=(11, 9))
    assert str(ee.value) == str(te.value)


def test_pool_empty_batch():
    t = torch.nn.functional.max_pool2d(torch.zeros(0, 2, 4, 5), 2)
    e = F.max_pool2d(ember.zeros(0, 2, 4, 5), 2)
    assert tuple(e.shape) == tuple(t.shape)
    assert tuple(F.avg_pool2d(ember.zeros(0, 2, 4, 5), 2).shape) == (0, 2, 2, 2)
