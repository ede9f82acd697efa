"""Padding, upsampling, pixel/channel shuffle and distance modules + F.pad / F.interpolate / F.grid_sample /
F.affine_grid against torch (values, input gradients, reprs, errors)."""

import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F


def _compare(tmod, emod, *shapes, dtype=np.float64, tol=1e-10, seed=0):
    assert repr(emod) == repr(tmod)
    rs = np.random.RandomState(seed)
    xs = [rs.randn(*s).astype(dtype) for s in shapes]
    txs = [torch.tensor(x, requires_grad=True) for x in xs]
    exs = [ember.tensor(x, requires_grad=True) for x in xs]
    ty, ey = tmod(*txs), emod(*exs)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    g = rs.randn(*ty.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    for tx, ex in zip(txs, exs):
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)


PADS = [("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad1d", ((1, -1),), (3, 5)), ("ZeroPad2d", (1,), (2, 3, 4, 5)),
        ("ZeroPad2d", ((1, 2, 0, 3),), (3, 4, 5)), ("ZeroPad3d", ((1, 2, 3, 4, 5, 6),), (1, 2, 3, 4, 5)),
        ("ConstantPad1d", ((1, 2), 3.5), (2, 3, 5)), ("ConstantPad2d", (2, -1.0), (2, 3, 4, 5)),
        ("ConstantPad3d", (1, 0.5), (2, 2, 3, 4)), ("ReflectionPad1d", (2,), (2, 3, 5)),
        ("ReflectionPad1d", ((3, 1),), (3, 5)), ("ReflectionPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)),
        ("ReflectionPad2d", (1,), (3, 4, 5)), ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)),
        ("ReplicationPad1d", ((4, 1),), (2, 3, 5)), ("ReplicationPad2d", ((1, 2, 3, 6),), (2, 3, 4, 5)),
        ("ReplicationPad3d", ((1, 0, 2, 1, 0, 3),), (2, 3, 4, 5)), ("CircularPad1d", (2,), (2, 3, 5)),
        ("CircularPad2d", ((1, 2, 3, 0),), (2, 3, 4, 5)), ("CircularPad3d", (1,), (1, 2, 3, 4, 5)),
        ("CircularPad2d", ((-1, 2, 1, -2),), (2, 3, 4, 5))]


@pytest.mark.parametrize("name,args,shape", PADS, ids=[f"{n}{a}{s}" for n, a, s in PADS])
def test_padding_modules_match_torch(name, args, shape):
    _compare(getattr(torch.nn, name)(*args), getattr(nn, name)(*args), shape)


def test_padding_errors_match_torch():
    for name, args, shape in [("ReflectionPad2d", (1,), (2, 3)), ("ReflectionPad1d", (5,), (2, 3, 4)),
                              ("CircularPad2d", (1,), (2, 3)), ("CircularPad1d", (5,), (2, 3, 4)),
                              ("ReplicationPad2d", (1,), (2, 3, 4, 5, 6)), ("ZeroPad2d", ((1, 2, 3),), (2, 3))]:
        with pytest.raises(Exception) as te:
            getattr(torch.nn, name)(*args)(torch.zeros(shape))
        with pytest.raises(Exception) as ee:
            getattr(nn, name)(*args)(ember.zeros(shape))
        assert type(ee.value) is type(te.value) and str(ee.value) == str(te.value), name


def test_pad_dtypes_and_value():
    for dt in (torch.int64, torch.int32, torch.bool, torch.float16):
        t = torch.ones(2, 3, dtype=dt)
        e = ember.ones(2, 3, dtype=getattr(ember, str(dt).split(".")[1]))
        r, er = torch.nn.functional.pad(t, (1, 2, 1, 0), value=1.7), F.pad(e, (1, 2, 1, 0), value=1.7)
        assert str(er.dtype).split(".")[1] == str(r.dtype).split(".")[1]
        np.testing.assert_array_equal(er.numpy(), r.numpy())


UPS = [((), {"scale_factor": 2}, (2, 3, 4, 5)), ((), {"size": (3, 7)}, (2, 3, 4, 5)),
       ((), {"scale_factor": 1.5, "mode": "bilinear"}, (2, 3, 4, 5)),
       ((), {"size": 7, "mode": "bilinear", "align_corners": True}, (2, 3, 4, 5)),
       ((), {"scale_factor": (2, 0.5), "mode": "bicubic"}, (1, 2, 4, 6)),
       ((), {"scale_factor": 2.5, "mode": "linear", "recompute_scale_factor": True}, (2, 3, 5)),
       ((), {"size": (2, 3, 4), "mode": "trilinear"}, (1, 2, 3, 4, 5)),
       ((), {"scale_factor": 3, "mode": "nearest-exact"}, (2, 3, 5)),
       ((), {"size": (2, 3), "mode": "area"}, (2, 3, 5, 7))]


@pytest.mark.parametrize("args,kw,shape", UPS)
def test_upsample_matches_torch(args, kw, shape):
    _compare(torch.nn.Upsample(*args, **kw), nn.Upsample(*args, **kw), shape)
    _compare(torch.nn.Upsample(*args, **kw), nn.Upsample(*args, **kw), shape, dtype=np.float32, tol=2e-5)


@pytest.mark.parametrize("cls,kw", [("UpsamplingNearest2d", {"scale_factor": 2}), ("UpsamplingNearest2d", {"size": 7}),
                                    ("UpsamplingBilinear2d", {"scale_factor": 2}),
                                    ("UpsamplingBilinear2d", {"size": (3, 8)})])
def test_upsampling_2d_modules(cls, kw):
    _compare(getattr(torch.nn, cls)(**kw), getattr(nn, cls)(**kw), (2, 3, 4, 5))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear", "area"])
@pytest.mark.parametrize("n", [1, 3, 10, 33])
@pytest.mark.parametrize("sf", [1.7, 0.37, 3.0, 1 / 3, 4.9])
@pytest.mark.parametrize("rsf", [None, True])
def test_interpolate_index_conventions_float32(mode, n, sf, rsf):
    x = np.random.RandomState(n).randn(1, 2, n).astype(np.float32)
    kw = {"scale_factor": sf, "mode": mode, "recompute_scale_factor": rsf}
    if int(n * sf) == 0 and mode != "area":
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.interpolate(torch.tensor(x), **kw)
        with pytest.raises(RuntimeError) as ee:
            F.interpolate(ember.tensor(x), **kw)
        assert str(ee.value) == str(te.value)
        return
    t = torch.nn.functional.interpolate(torch.tensor(x), **kw)
    e = F.interpolate(ember.tensor(x), **kw)
    # linear: PyTorch's float32 source-index arithmetic can differ from ours by an ulp of the index
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=2e-5 if mode == "linear" else 1e-6)


def test_interpolate_errors_match_torch():
    x, ex = torch.zeros(2, 3, 4, 5), ember.zeros(2, 3, 4, 5)
    for kw in [{}, {"size": 3, "scale_factor": 2}, {"size": (3, 4, 5)}, {"scale_factor": (3, 4, 5)},
               {"size": 3, "mode": "linear"}, {"size": 3, "mode": "trilinear"}, {"size": 3, "mode": "foo"},
               {"size": 3, "align_corners": True}, {"size": 3, "mode": "area", "align_corners": False},
               {"size": (0, 3)}, {"scale_factor": 0.1}, {"size": (3.5, 2)},
               {"size": 3, "recompute_scale_factor": True}, {"size": 3, "mode": "nearest", "antialias": True}]:
        with pytest.raises(Exception) as te:
            torch.nn.functional.interpolate(x, **kw)
        with pytest.raises(Exception) as ee:
            F.interpolate(ex, **kw)
        assert type(ee.value) is type(te.value) and str(ee.value) == str(te.value), kw
    with pytest.raises(NotImplementedError) as te:
        torch.nn.functional.interpolate(x[0, 0], size=3)
    with pytest.raises(NotImplementedError) as ee:
        F.interpolate(ex[0, 0], size=3)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("r,shape", [(2, (2, 8, 3, 4)), (3, (9, 2, 3)), (2, (2, 2, 4, 2, 3))])
def test_pixel_shuffle_modules(r, shape):
    _compare(torch.nn.PixelShuffle(r), nn.PixelShuffle(r), shape)
    ushape = shape[:-3] + (shape[-3] // (r * r), shape[-2] * r, shape[-1] * r)
    _compare(torch.nn.PixelUnshuffle(r), nn.PixelUnshuffle(r), ushape)


@pytest.mark.parametrize("g,shape", [(2, (2, 6, 3)), (3, (2, 6, 3, 2)), (1, (1, 4, 2))])
def test_channel_shuffle_module(g, shape):
    _compare(torch.nn.ChannelShuffle(g), nn.ChannelShuffle(g), shape)


def test_shuffle_errors_match_torch():
    for tf, ef, shape, arg in [("pixel_shuffle", F.pixel_shuffle, (4, 4), 2), ("pixel_shuffle", F.pixel_shuffle,
                                                                               (5, 4, 4), 2),
                               ("pixel_shuffle", F.pixel_shuffle, (4, 4, 4), 0),
                               ("pixel_unshuffle", F.pixel_unshuffle, (4, 5, 4), 2),
                               ("pixel_unshuffle", F.pixel_unshuffle, (4, 4, 5), 2),
                               ("channel_shuffle", F.channel_shuffle, (4, 4, 5), 3),
                               ("channel_shuffle", F.channel_shuffle, (4, 4, 5), 0),
                               ("channel_shuffle", F.channel_shuffle, (4, 4), 2)]:
        with pytest.raises(RuntimeError) as te:
            getattr(torch.nn.functional, tf)(torch.zeros(shape), arg)
        with pytest.raises(RuntimeError) as ee:
            ef(ember.zeros(shape), arg)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("three_d", [False, True])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners, three_d):
    if three_d and mode == "bicubic":
        return
    rs = np.random.RandomState(3)
    x = rs.randn(*((2, 3, 4, 5, 6) if three_d else (2, 3, 5, 6)))
    g = rs.uniform(-1.6, 1.6, (2, 3, 4, 5, 3) if three_d else (2, 4, 7, 2))
    tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    ex, eg = ember.tensor(x, requires_grad=True), ember.tensor(g, requires_grad=True)
    ty = torch.nn.functional.grid_sample(tx, tg, mode, padding_mode, align_corners)
    ey = F.grid_sample(ex, eg, mode, padding_mode, align_corners)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    cot = rs.randn(*ty.shape)
    ty.backward(torch.tensor(cot))
    ey.backward(ember.tensor(cot))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    egrad = eg.grad.numpy() if eg.grad is not None else np.zeros_like(g)  # nearest: no gradient reaches the grid
    np.testing.assert_allclose(egrad, tg.grad.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [[2, 3, 4, 5], [2, 3, 1, 5], [2, 3, 4, 5, 3], [2, 1, 1, 3, 2]])
def test_affine_grid_matches_torch(align_corners, size):
    rs = np.random.RandomState(0)
    theta = rs.randn(2, 2, 3) if len(size) == 4 else rs.randn(2, 3, 4)
    tt, et = torch.tensor(theta, requires_grad=True), ember.tensor(theta, requires_grad=True)
    ty = torch.nn.functional.affine_grid(tt, size, align_corners)
    ey = F.affine_grid(et, size, align_corners)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    cot = rs.randn(*ty.shape)
    ty.backward(torch.tensor(cot))
    ey.backward(ember.tensor(cot))
    np.testing.assert_allclose(et.grad.numpy(), tt.grad.numpy(), rtol=1e-10)


def test_grid_sample_affine_grid_errors_and_warning():
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.affine_grid(ember.zeros(1, 2, 3), [1, 1, 2, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ta, ea in [((torch.zeros(2, 3, 3), [2, 3, 4, 5]), (ember.zeros(2, 3, 3), [2, 3, 4, 5])),
                       ((torch.zeros(2, 2, 3), [2, 3, 4]), (ember.zeros(2, 2, 3), [2, 3, 4]))]:
            with pytest.raises(Exception) as te:
                torch.nn.functional.affine_grid(*ta)
            with pytest.raises(Exception) as ee:
                F.affine_grid(*ea)
            assert type(ee.value) is type(te.value) and str(ee.value) == str(te.value).replace("torch.", "ember.")
        for kw in [{"mode": "foo"}, {"padding_mode": "foo"}]:
            with pytest.raises(ValueError) as te:
                torch.nn.functional.grid_sample(torch.zeros(1, 1, 2, 2), torch.zeros(1, 2, 2, 2), **kw)
            with pytest.raises(ValueError) as ee:
                F.grid_sample(ember.zeros(1, 1, 2, 2), ember.zeros(1, 2, 2, 2), **kw)
            assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("args,shapes", [((), [(4, 5), (4, 5)]), ((0, 1e-3), [(3, 4, 5), (1, 4, 5)]),
                                         ((-1,), [(3, 4, 5), (3, 4, 5)])])
def test_cosine_similarity_module(args, shapes):
    _compare(torch.nn.CosineSimilarity(*args), nn.CosineSimilarity(*args), *shapes)


def test_cosine_similarity_clamped_norms():
    a = np.array([[1e-5, 2e-5, 0.0], [1.0, 2.0, 3.0], [0, 0, 0]])
    b = np.array([[3e-5, 1e-5, 1e-5], [1e-9, 0, 0], [1, 1, 1.0]])
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    t, e = torch.nn.functional.cosine_similarity(ta, tb, 1, 1e-3), F.cosine_similarity(ea, eb, 1, 1e-3)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    t.sum().backward()
    e.sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(eb.grad.numpy(), tb.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("args,shapes", [((), [(4, 5), (4, 5)]), ((1.0, 1e-3, True), [(3, 4, 5), (5,)]),
                                         ((3.0,), [(4, 5), (1, 5)]), ((float("inf"),), [(4, 5), (4, 5)])])
def test_pairwise_distance_module(args, shapes):
    _compare(torch.nn.PairwiseDistance(*args), nn.PairwiseDistance(*args), *shapes)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.0, float("inf")])
def test_pdist_and_normalize(p):
    x = np.random.RandomState(0).randn(5, 3)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    t, e = torch.nn.functional.pdist(tx, p), F.pdist(ex, p)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    t.sum().backward()
    e.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    if p > 0:
        for dim in (0, 1, -1):
            t = torch.nn.functional.normalize(torch.tensor(x), p, dim)
            e = F.normalize(ember.tensor(x), p, dim)
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)
