"""Conv1d/2d/3d, ConvTranspose1d/2d/3d, LazyConv*, Fold/Unfold and their functional forms against torch."""

import math
import re

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F


def E(t):
    return ember.tensor(t.detach().numpy())


def ereplace(s: str) -> str:
    return s.replace("torch.", "ember.")


def _copy(tmod, emod):
    emod.load_state_dict({k: E(v) for k, v in tmod.state_dict().items()})


def _compare(tmod, emod, shape, dtype=np.float32, rtol=1e-4, atol=1e-5, fwd_kwargs=None):
    _copy(tmod, emod)
    assert [(k, tuple(v.shape)) for k, v in emod.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tmod.state_dict().items()]
    assert repr(emod) == ereplace(repr(tmod))
    fwd_kwargs = fwd_kwargs or {}
    rs = np.random.RandomState(0)
    x = rs.randn(*shape).astype(dtype)
    for train in (True, False):
        tmod.train(train)
        emod.train(train)
        tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
        ty, ey = tmod(tx, **fwd_kwargs), emod(ex, **fwd_kwargs)
        assert tuple(ey.shape) == tuple(ty.shape)
        assert str(ey.dtype) == str(ty.dtype).replace("torch", "ember")
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
        g = rs.randn(*ty.shape).astype(dtype)
        for p in tmod.parameters():
            p.grad = None
        for p in emod.parameters():
            p.grad = None
        ty.backward(torch.tensor(g))
        ey.backward(ember.tensor(g))
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
        for (n, tp), (_, ep) in zip(tmod.named_parameters(), emod.named_parameters()):
            np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol, err_msg=n)


CONV_CASES = [
    # (dim, args, kwargs, input shape)
    (2, (3, 8, 3), {}, (2, 3, 9, 10)),
    (2, (3, 8, 3), {"padding": 1}, (2, 3, 9, 10)),
    (2, (3, 8, (3, 2)), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2)}, (2, 3, 9, 10)),
    (2, (4, 8, 3), {"groups": 2, "bias": False}, (2, 4, 7, 7)),
    (2, (4, 4, 3), {"groups": 4, "padding": 1}, (2, 4, 7, 7)),          # depthwise
    (2, (4, 8, 3), {"groups": 4, "stride": 2}, (2, 4, 7, 7)),            # depthwise multiplier 2
    (2, (3, 5, 3), {"padding": "same"}, (2, 3, 6, 7)),
    (2, (3, 5, (4, 2)), {"padding": "same", "dilation": (1, 3)}, (2, 3, 8, 9)),
    (2, (3, 5, 3), {"padding": "valid"}, (2, 3, 6, 7)),
    (2, (3, 5, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 3, 6, 7)),
    (2, (3, 5, 3), {"padding": (2, 1), "padding_mode": "replicate"}, (2, 3, 6, 7)),
    (2, (3, 5, 3), {"padding": 1, "padding_mode": "circular", "stride": 2}, (2, 3, 6, 7)),
    (2, (3, 5, 4), {"padding": "same", "padding_mode": "reflect"}, (2, 3, 6, 7)),
    (2, (3, 8, 3), {"padding": 1}, (3, 9, 10)),                           # unbatched
    (2, (3, 8, 1), {}, (2, 3, 5, 5)),                                     # 1x1
    (1, (3, 6, 3), {}, (2, 3, 11)),
    (1, (4, 6, 5), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}, (2, 4, 20)),
    (1, (3, 6, 3), {"padding": "same", "padding_mode": "circular"}, (3, 11)),
    (3, (2, 4, 3), {"padding": 1}, (2, 2, 5, 6, 4)),
    (3, (2, 4, (2, 3, 1)), {"stride": (1, 2, 1), "padding_mode": "replicate", "padding": 1}, (2, 2, 5, 6, 4)),
    (3, (2, 4, 3), {"padding": "same"}, (2, 5, 6, 4)),
]


@pytest.mark.parametrize("dim,args,kwargs,shape", CONV_CASES)
def test_conv_matches_torch(dim, args, kwargs, shape):
    torch.manual_seed(0)
    cls = f"Conv{dim}d"
    _compare(getattr(torch.nn, cls)(*args, **kwargs), getattr(nn, cls)(*args, **kwargs), shape)


TRANSPOSE_CASES = [
    (2, (3, 5, 3), {}, (2, 3, 6, 7), None),
    (2, (3, 5, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 6, 7), None),
    (2, (4, 6, (3, 2)), {"stride": (2, 3), "groups": 2, "dilation": (2, 1), "output_padding": (1, 2)},
     (2, 4, 5, 5), None),
    (2, (4, 4, 3), {"groups": 4, "bias": False}, (2, 4, 5, 5), None),
    (2, (3, 5, 3), {"stride": 2, "padding": 1}, (2, 3, 6, 7), (12, 14)),   # output_size= in forward
    (2, (3, 5, 3), {"stride": 2, "padding": 1}, (3, 6, 7), (5, 12, 13)),   # unbatched
    (1, (3, 5, 4), {"stride": 3, "padding": 1, "output_padding": 2}, (2, 3, 7), None),
    (1, (3, 5, 4), {"stride": 3}, (2, 3, 7), [2, 5, 23]),
    (3, (2, 3, 3), {"stride": 2, "padding": (1, 0, 1)}, (2, 2, 3, 4, 3), None),
]


@pytest.mark.parametrize("dim,args,kwargs,shape,output_size", TRANSPOSE_CASES)
def test_conv_transpose_matches_torch(dim, args, kwargs, shape, output_size):
    torch.manual_seed(0)
    cls = f"ConvTranspose{dim}d"
    fk = {"output_size": output_size} if output_size is not None else None
    _compare(getattr(torch.nn, cls)(*args, **kwargs), getattr(nn, cls)(*args, **kwargs), shape, fwd_kwargs=fk)


def test_conv_float64_and_factory_kwargs():
    t = torch.nn.Conv2d(3, 4, 3, padding=1, dtype=torch.float64)
    e = nn.Conv2d(3, 4, 3, padding=1, device="cpu", dtype=ember.float64)
    assert e.weight.dtype is ember.float64 and e.bias.dtype is ember.float64
    _compare(t, e, (2, 3, 5, 5), dtype=np.float64, rtol=1e-10, atol=1e-10)
    t = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, dtype=torch.float64)
    e = nn.ConvTranspose2d(3, 4, 3, stride=2, dtype=ember.float64)
    _compare(t, e, (2, 3, 5, 5), dtype=np.float64, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("transposed", [False, True])
def test_conv_double_backward_matches_torch(transposed):
    rs = np.random.RandomState(1)
    if transposed:
        x, w, b = rs.randn(2, 4, 4, 5), rs.randn(4, 3, 3, 3), rs.randn(6)
        kw = dict(stride=2, padding=1, groups=2, output_padding=1)
    else:
        x, w, b = rs.randn(2, 4, 6, 6), rs.randn(6, 2, 3, 3), rs.randn(6)
        kw = dict(stride=2, padding=1, groups=2)
    res = []
    for lib in (torch, ember):
        fn = lib.nn.functional.conv_transpose2d if transposed else lib.nn.functional.conv2d
        xs = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = fn(*xs, **kw)
        gs = lib.autograd.grad((y * y).sum(), xs, create_graph=True)
        s = sum((g * g).sum() for g in gs)
        res.append([g.detach().numpy() for g in gs] + [g.detach().numpy() for g in lib.autograd.grad(s, xs)])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, rtol=1e-8, atol=1e-8)


def test_conv_grad_fn_name():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    assert F.conv2d(x, ember.randn(3, 2, 3, 3)).grad_fn.name() == "ConvolutionBackward0"
    assert F.conv_transpose2d(x, ember.randn(2, 3, 3, 3)).grad_fn.name() == "ConvolutionBackward0"
    assert F.unfold(x, 2).grad_fn.name() == "Im2ColBackward0"


def test_conv_default_init_statistics():
    ember.manual_seed(0)
    m = nn.Conv2d(64, 128, 5)
    fan_in = 64 * 25
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound as the bias
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(b).max() <= bound
    t = nn.ConvTranspose2d(16, 32, 3, groups=2)
    assert t.weight.shape == (16, 16, 3, 3)
    tb = 1 / math.sqrt(16 * 9)  # fan_in from weight.size(1) * k*k
    assert np.abs(t.weight.detach().numpy()).max() <= tb and np.abs(t.bias.detach().numpy()).max() <= tb
    assert list(nn.Conv2d(3, 2, 3, bias=False).state_dict()) == ["weight"]


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(3, 16, 3, padding=1),
    lambda lib: lib.nn.Conv2d(3, 16, (3, 5), stride=2, padding="valid", dilation=2, bias=False,
                              padding_mode="reflect"),
    lambda lib: lib.nn.Conv2d(4, 8, 3, groups=2, padding="same", padding_mode="circular"),
    lambda lib: lib.nn.Conv1d(3, 16, 3),
    lambda lib: lib.nn.Conv3d(3, 16, 3, stride=(1, 2, 3)),
    lambda lib: lib.nn.ConvTranspose2d(3, 16, 3, output_padding=1, stride=2),
    lambda lib: lib.nn.ConvTranspose1d(3, 6, 3, groups=3, bias=False, dilation=2),
    lambda lib: lib.nn.ConvTranspose3d(3, 6, 2),
    lambda lib: lib.nn.Unfold(2, stride=2),
    lambda lib: lib.nn.Fold((4, 5), 2),
    lambda lib: lib.nn.LazyConv2d(8, 3),
])
def test_reprs(make):
    assert repr(make(nn.__class__ and ember)) == ereplace(repr(make(torch)))


def test_lazy_conv():
    torch.manual_seed(0)
    e = nn.LazyConv2d(8, 3, padding=1)
    x = ember.randn(2, 5, 9, 9)
    y = e(x)
    assert type(e) is nn.Conv2d and e.in_channels == 5 and e.weight.shape == (8, 5, 3, 3) and y.shape == (2, 8, 9, 9)
    t = torch.nn.Conv2d(5, 8, 3, padding=1)
    _compare(t, e, (2, 5, 9, 9))
    e = nn.LazyConv1d(4, 3, bias=False)
    assert e(ember.randn(3, 10)).shape == (4, 8) and e.bias is None and e.weight.shape == (4, 3, 3)
    e = nn.LazyConvTranspose2d(4, 3, stride=2)
    assert e(ember.randn(1, 6, 5, 5)).shape == (1, 4, 11, 11) and e.weight.shape == (6, 4, 3, 3)


def _sorted_sets(message: str) -> str:
    """Messages that print a Python set list its items in per-process hash order: sort them."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


def _same_error(tfn, efn, exc=RuntimeError):
    with pytest.raises(exc) as te:
        tfn(torch)
    with pytest.raises(exc) as ee:
        efn(ember)
    assert _sorted_sets(str(ee.value)) == _sorted_sets(ereplace(str(te.value)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.conv2d(lib.zeros(2, 3), lib.zeros(16, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv1d(lib.zeros(5, 5, 5, 5), lib.zeros(3, 2, 3)),
    lambda lib: lib.nn.functional.conv3d(lib.zeros(5, 5, 5, 5, 5, 5), lib.zeros(3, 2, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 4, 8, 8), lib.zeros(16, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 2, 2), lib.zeros(16, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), stride=2, padding="same"),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), padding="foo"),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5, dtype=lib.float64), lib.zeros(16, 3, 3, 3)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), lib.zeros(3)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3),
                                         lib.zeros(16, dtype=lib.float64)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), groups=2),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 2, 3, 3), groups=4),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), stride=0),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), padding=-1),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), dilation=0),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3, 3), stride=(1, 1, 1)),
    lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 3, 5, 5), lib.zeros(16, 3, 3)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.zeros(1, 3, 5, 5), lib.zeros(3, 2, 3, 3), stride=2,
                                                   output_padding=2),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(3, 2, 3, 3)),
    lambda lib: lib.nn.functional.conv_transpose2d(lib.zeros(5, 5), lib.zeros(3, 2, 3, 3)),
    lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(2, 3)),
    lambda lib: lib.nn.ConvTranspose2d(3, 4, 3)(lib.zeros(2, 3)),
    lambda lib: lib.nn.functional.unfold(lib.zeros(1, 2, 3, 3), 4),
    lambda lib: lib.nn.functional.fold(lib.zeros(1, 5, 9), (4, 4), 2),
    lambda lib: lib.nn.functional.fold(lib.zeros(1, 8, 8), (4, 4), 2),
])
def test_conv_errors_match_torch(call):
    _same_error(call, call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.Conv2d(3, 4, 3, stride=2, padding="same"),
    lambda lib: lib.nn.Conv2d(3, 4, 3, padding_mode="foo"),
    lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding="abc"),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, stride=2)(lib.zeros(1, 4, 5, 5), output_size=(20, 20)),
])
def test_conv_constructor_errors_match_torch(call):
    _same_error(call, call, ValueError)


@pytest.mark.parametrize("kwargs,shape", [
    ({"kernel_size": 2}, (2, 3, 5, 6)),
    ({"kernel_size": (2, 3), "stride": (1, 2), "padding": 1, "dilation": (2, 1)}, (2, 3, 5, 6)),
    ({"kernel_size": 3, "padding": 1}, (3, 5, 6)),
])
def test_unfold_fold_match_torch(kwargs, shape):
    rs = np.random.RandomState(0)
    x = rs.randn(*shape)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tu, eu = torch.nn.Unfold(**kwargs)(tx), nn.Unfold(**kwargs)(ex)
    np.testing.assert_allclose(eu.detach().numpy(), tu.detach().numpy(), rtol=1e-12, atol=1e-12)
    tf, ef = torch.nn.Fold(shape[-2:], **kwargs)(tu), nn.Fold(shape[-2:], **kwargs)(eu)
    assert tuple(ef.shape) == tuple(tf.shape)
    np.testing.assert_allclose(ef.detach().numpy(), tf.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rs.randn(*tf.shape)
    tf.backward(torch.tensor(g))
    ef.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_conv_integer_input():
    x = np.arange(2 * 3 * 5 * 5).reshape(2, 3, 5, 5) % 7
    w = np.arange(4 * 3 * 3 * 3).reshape(4, 3, 3, 3) % 5
    t = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1)
    e = F.conv2d(ember.tensor(x), ember.tensor(w), padding=1)
    assert str(e.dtype) == "ember.int64"
    np.testing.assert_array_equal(e.numpy(), t.numpy())


# --- the input gradient of stride-1 convolutions runs as a forward convolution with flipped filters ---

@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-4)])
@pytest.mark.parametrize("size,kernel,padding,dilation", [((9, 7), 3, 1, 1), ((8, 8), 3, 0, 1), ((5, 6), 3, 2, 1),
                                                          ((6, 9), 3, (2, 0), 1), ((7, 7), 3, "same", 1),
                                                          ((9, 8), 5, 1, 2), ((6, 6), (1, 3), (0, 1), 1),
                                                          ((8, 7), 3, 4, 1)])
def test_stride1_input_gradient_matches_torch_to_second_order(size, kernel, padding, dilation, dtype, tol):
    rs = np.random.RandomState(1)
    x = rs.randn(2, 5, *size).astype(dtype)
    ks = (kernel, kernel) if isinstance(kernel, int) else kernel
    w = (rs.randn(6, 5, *ks) / 6).astype(dtype)
    ins = [(lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)) for lib in (torch, ember)]
    (tx, tw), (ex, ew) = ins
    ty = torch.nn.functional.conv2d(tx, tw, padding=padding, dilation=dilation)
    ey = F.conv2d(ex, ew, padding=padding, dilation=dilation)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    gy = rs.randn(*ty.shape).astype(dtype)
    tg = torch.autograd.grad(ty, (tx, tw), torch.tensor(gy), create_graph=True)
    eg = ember.autograd.grad(ey, (ex, ew), ember.tensor(gy), create_graph=True)
    for e, t in zip(eg, tg):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol * 10)
    tgg = torch.autograd.grad((tg[0] ** 2).sum() + (tg[1] ** 2).sum(), (tx, tw))
    egg = ember.autograd.grad((eg[0] ** 2).sum() + (eg[1] ** 2).sum(), (ex, ew))
    for e, t in zip(egg, tgg):
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=tol * 10, atol=tol * 100)


@pytest.mark.parametrize("padding,output_padding,dilation", [(1, 0, 1), (0, 0, 2), (2, 0, 1)])
def test_stride1_conv_transpose2d_matches_torch(padding, output_padding, dilation):
    rs = np.random.RandomState(2)
    x = rs.randn(2, 7, 6, 5)
    w = rs.randn(7, 4, 3, 3) / 6
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ex, ew = ember.tensor(x, requires_grad=True), ember.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv_transpose2d(tx, tw, padding=padding, output_padding=output_padding,
                                              dilation=dilation)
    ey = F.conv_transpose2d(ex, ew, padding=padding, output_padding=output_padding, dilation=dilation)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    ty.sum().backward()
    ey.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ew.grad.numpy(), tw.grad.numpy(), rtol=1e-10, atol=1e-10)
