"""Identity, Linear, Bilinear, Flatten, Unflatten and F.linear / F.bilinear against torch."""

import math

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


def _compare(tmod, emod, *shapes, dtype=np.float32, rtol=1e-5, atol=1e-5):
    _copy(tmod, emod)
    rs = np.random.RandomState(0)
    xs = [rs.randn(*s).astype(dtype) for s in shapes]
    txs = [torch.tensor(x, requires_grad=True) for x in xs]
    exs = [ember.tensor(x, requires_grad=True) for x in xs]
    ty, ey = tmod(*txs), emod(*exs)
    assert tuple(ey.shape) == tuple(ty.shape) and ey.dtype.is_floating_point
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    g = rs.randn(*ty.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    for tx, ex in zip(txs, exs):
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    for (n, tp), (_, ep) in zip(tmod.named_parameters(), emod.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol, err_msg=n)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4), (0, 4), (2, 1, 3, 4)])
def test_linear_matches_torch(bias, shape):
    _compare(torch.nn.Linear(4, 3, bias=bias), nn.Linear(4, 3, bias=bias), shape)


def test_linear_float64_and_dtype_device_args():
    t = torch.nn.Linear(4, 3, dtype=torch.float64)
    e = nn.Linear(4, 3, device="cpu", dtype=ember.float64)
    assert e.weight.dtype is ember.float64 and e.bias.dtype is ember.float64
    _compare(t, e, (5, 4), dtype=np.float64, rtol=1e-12, atol=1e-12)


def test_linear_attributes_and_init_bounds():
    ember.manual_seed(0)
    m = nn.Linear(200, 300)
    assert (m.in_features, m.out_features) == (200, 300)
    assert isinstance(m.weight, nn.Parameter) and m.weight.shape == (300, 200) and m.bias.shape == (300,)
    bound = 1 / math.sqrt(200)  # kaiming_uniform_(a=sqrt(5)) gives the same bound as the bias
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(b).max() <= bound
    assert nn.Linear(3, 2, bias=False).bias is None
    assert list(nn.Linear(3, 2, bias=False).state_dict()) == ["weight"]
    with pytest.warns(UserWarning, match="zero-element"):
        assert nn.Linear(0, 3).weight.shape == (3, 0)  # zero fan_in: no error


def test_linear_shape_error_type_matches_torch():
    with pytest.raises(RuntimeError) as te:
        torch.nn.Linear(4, 3)(torch.zeros(2, 5))
    with pytest.raises(RuntimeError) as ee:
        nn.Linear(4, 3)(ember.zeros(2, 5))
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(6,), (2, 3), ()])
def test_bilinear_matches_torch(bias, batch):
    _compare(torch.nn.Bilinear(3, 4, 5, bias=bias), nn.Bilinear(3, 4, 5, bias=bias), batch + (3,), batch + (4,))


def test_bilinear_init_and_errors():
    ember.manual_seed(0)
    m = nn.Bilinear(30, 40, 50)
    bound = 1 / math.sqrt(30)
    assert np.abs(m.weight.detach().numpy()).max() <= bound and np.abs(m.bias.detach().numpy()).max() <= bound
    w, b = torch.zeros(5, 3, 4), torch.zeros(5)
    ew, eb = ember.zeros(5, 3, 4), ember.zeros(5)
    for sh1, sh2, bias in (((2, 3), (2, 4, 1), True), ((2, 3), (3, 4), True), ((2, 2), (2, 4), True),
                           ((2, 3), (2, 5), True), ((2, 3), (2, 4), False)):
        tb = torch.zeros(4) if not bias else b
        ebias = ember.zeros(4) if not bias else eb
        with pytest.raises(RuntimeError) as te:
            torch.nn.functional.bilinear(torch.zeros(sh1), torch.zeros(sh2), w, tb)
        with pytest.raises(RuntimeError) as ee:
            F.bilinear(ember.zeros(sh1), ember.zeros(sh2), ew, ebias)
        assert str(ee.value) == str(te.value)


def test_identity():
    m = nn.Identity(54, unused="x")
    x = ember.randn(2, 3)
    assert m(x) is x
    assert repr(m) == "Identity()"


@pytest.mark.parametrize("args,shape", [((), (2, 3, 4, 5)), ((0, -1), (2, 3, 4)), ((1, 2), (2, 3, 4, 5)),
                                        ((-3, -2), (2, 3, 4, 5)), ((), (4, 1)), ((2, 3), (2, 3, 4, 5))])
def test_flatten_matches_torch(args, shape):
    t, e = torch.nn.Flatten(*args), nn.Flatten(*args)
    assert repr(e) == repr(t)
    _compare(t, e, shape)


@pytest.mark.parametrize("dim,size,shape", [(1, (2, 3), (4, 6)), (-1, [2, -1], (3, 8)), (0, (1, 4), (4, 2))])
def test_unflatten_matches_torch(dim, size, shape):
    t, e = torch.nn.Unflatten(dim, size), nn.Unflatten(dim, size)
    assert repr(e) == repr(t)
    _compare(t, e, shape)


def test_unflatten_constructor_errors():
    for args in ((1, 5), (1, (2, "a")), (1, ((2, 3),))):
        try:
            torch.nn.Unflatten(*args)
            texc = None
        except Exception as ex:
            texc = (type(ex), str(ex))
        try:
            nn.Unflatten(*args)
            eexc = None
        except Exception as ex:
            eexc = (type(ex), str(ex))
        assert eexc == texc


def test_functional_linear_direct():
    rs = np.random.RandomState(3)
    x, w, b = rs.randn(3, 4), rs.randn(2, 4), rs.randn(2)
    ty = torch.nn.functional.linear(torch.tensor(x), torch.tensor(w), torch.tensor(b))
    ey = F.linear(ember.tensor(x), ember.tensor(w), ember.tensor(b))
    np.testing.assert_allclose(ey.numpy(), ty.numpy(), rtol=1e-12)
    ty = torch.nn.functional.linear(torch.tensor(x), torch.tensor(w[0]))
    ey = F.linear(ember.tensor(x), ember.tensor(w[0]))
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.numpy(), ty.numpy(), rtol=1e-12)


def test_functional_reexports_activations():
    x = np.random.RandomState(0).randn(3, 4).astype(np.float32)
    for name in ("relu", "gelu", "silu", "sigmoid", "tanh", "elu", "leaky_relu", "softplus", "hardtanh", "mish",
                 "logsigmoid", "softsign", "hardswish", "relu6"):
        np.testing.assert_allclose(getattr(F, name)(ember.tensor(x)).numpy(),
                                   getattr(torch.nn.functional, name)(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    for name in ("softmax", "log_softmax", "softmin"):
        np.testing.assert_allclose(getattr(F, name)(ember.tensor(x), 1).numpy(),
                                   getattr(torch.nn.functional, name)(torch.tensor(x), 1).numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
        np.testing.assert_allclose(getattr(F, name)(ember.tensor(x), 0, dtype=ember.float64).numpy(),
                                   getattr(torch.nn.functional, name)(torch.tensor(x), 0, dtype=torch.float64).numpy(),
                                   rtol=1e-12, err_msg=name)


def test_lazy_linear_bias_false_and_state():
    m = nn.LazyLinear(4, bias=False)
    assert m.bias is None
    m(ember.randn(2, 7))
    assert type(m) is nn.Linear and m.weight.shape == (4, 7) and m.in_features == 7
    assert repr(m) == ereplace(repr(torch.nn.Linear(7, 4, bias=False)))
