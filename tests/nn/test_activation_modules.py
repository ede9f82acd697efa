"""Activation modules (ember.nn.ReLU ...) against torch.nn: values, gradients, in-place, reprs, PReLU params."""

import numpy as np
import pytest
import torch

import ember
from ember import nn

CASES = [
    ("ReLU", ()), ("ReLU", (True,)), ("ReLU6", ()), ("ReLU6", (True,)), ("LeakyReLU", ()), ("LeakyReLU", (0.2, True)),
    ("ELU", ()), ("ELU", (0.5, True)), ("SELU", ()), ("SELU", (True,)), ("CELU", (1.5,)), ("CELU", (0.7, True)),
    ("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()), ("SiLU", (True,)), ("Mish", ()), ("Mish", (True,)),
    ("Sigmoid", ()), ("LogSigmoid", ()), ("Tanh", ()), ("Hardtanh", ()), ("Hardtanh", (-2.0, 3.0, True)),
    ("Hardsigmoid", ()), ("Hardsigmoid", (True,)), ("Hardswish", ()), ("Hardswish", (True,)), ("Hardshrink", ()),
    ("Hardshrink", (0.3,)), ("Softshrink", ()), ("Softshrink", (1.0,)), ("Tanhshrink", ()), ("Threshold", (0.1, 20.0)),
    ("Threshold", (-0.5, 2.0, True)), ("Softplus", ()), ("Softplus", (2.0, 1.0)), ("Softsign", ()),
    ("Softmax", (1,)), ("Softmax", (-1,)), ("Softmax", ()), ("Softmin", (0,)), ("LogSoftmax", (2,)), ("LogSoftmax", ()),
    ("Softmax2d", ()), ("GLU", ()), ("GLU", (1,)), ("RReLU", ()), ("RReLU", (0.1, 0.3, True)),
]


def _x(shape=(2, 4, 3, 6), dtype=np.float64, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.randn(*shape) * 2
    x[np.abs(x) < 0.05] = 0.3  # keep away from kinks
    return x.astype(dtype)


@pytest.mark.parametrize("name,args", CASES, ids=[f"{n}{a}" for n, a in CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_module_matches_torch(name, args, dtype):
    tm, em = getattr(torch.nn, name)(*args), getattr(nn, name)(*args)
    assert repr(em) == repr(tm)
    tm.eval()
    em.eval()  # RReLU is deterministic in eval mode
    x = _x(dtype=dtype)
    tol = 1e-7 if dtype == np.float64 else 1e-5
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    # in-place modules modify their input: feed a non-leaf
    ty, ey = tm(tx * 1), em(ex * 1)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.RandomState(1).randn(*ty.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=tol * 10, atol=tol * 10)


@pytest.mark.parametrize("name,args", [c for c in CASES if any(a is True for a in c[1])])
def test_inplace_modules_write_into_input(name, args):
    x = ember.tensor(_x((3, 4)))
    y = getattr(nn, name)(*args)(x)
    assert y is x


def test_rrelu_training_slopes_in_range():
    m = nn.RReLU(0.1, 0.3)
    x = -ember.ones(1000)
    y = m(x).numpy()
    assert (-y >= 0.1 - 1e-6).all() and (-y <= 0.3 + 1e-6).all() and y.std() > 0.01


@pytest.mark.parametrize("num,init,shape", [(1, 0.25, (2, 3, 4)), (3, 0.1, (2, 3, 4)), (3, -0.5, (5, 3)),
                                            (1, 0.25, (4,)), (4, 0.3, (2, 4, 3, 3))])
def test_prelu_matches_torch(num, init, shape):
    tm, em = torch.nn.PReLU(num, init, dtype=torch.float64), nn.PReLU(num, init, dtype=ember.float64)
    assert repr(em) == repr(tm) and list(em.state_dict()) == ["weight"]
    np.testing.assert_allclose(em.weight.detach().numpy(), tm.weight.detach().numpy())
    x = _x(shape)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    ty.sum().backward()
    ey.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(em.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-10)


def test_prelu_channel_mismatch_error():
    with pytest.raises(RuntimeError) as te:
        torch.nn.PReLU(3)(torch.zeros(2, 4))
    with pytest.raises(RuntimeError) as ee:
        nn.PReLU(3)(ember.zeros(2, 4))
    assert str(ee.value) == str(te.value)


def test_module_errors_match_torch():
    with pytest.raises(ValueError) as te:
        torch.nn.Softmax2d()(torch.zeros(2, 3))
    with pytest.raises(ValueError) as ee:
        nn.Softmax2d()(ember.zeros(2, 3))
    assert str(ee.value) == str(te.value)
    with pytest.raises(AssertionError):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(RuntimeError) as te:
        torch.nn.GLU()(torch.zeros(2, 3))
    with pytest.raises(RuntimeError) as ee:
        nn.GLU()(ember.zeros(2, 3))
    assert str(ee.value) == str(te.value)
    with pytest.warns(FutureWarning):
        assert repr(nn.Hardtanh(min_value=-2)) == "Hardtanh(min_val=-2, max_val=1.0)"


def test_softmax_implicit_dim_and_half():
    x = _x((2, 3, 4), np.float32)
    for cls in ("Softmax", "LogSoftmax", "Softmin"):
        t = getattr(torch.nn, cls)()(torch.tensor(x)).numpy()
        e = getattr(nn, cls)()(ember.tensor(x)).numpy()
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


def test_gumbel_softmax_statistics_and_straight_through():
    F = nn.functional
    ember.manual_seed(0)
    logits = ember.tensor(np.log(np.array([0.1, 0.2, 0.7])), requires_grad=True)
    batch = logits.expand(20000, 3)
    y = F.gumbel_softmax(batch, tau=1.0, hard=True)
    counts = y.detach().numpy().sum(0) / 20000
    np.testing.assert_allclose(counts, [0.1, 0.2, 0.7], atol=0.02)
    assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}
    np.testing.assert_allclose(y.detach().numpy().sum(-1), 1.0)
    # straight-through: the gradient is the soft sample's, so a constant cotangent gives ~zero gradient
    (y * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all()
    soft = F.gumbel_softmax(ember.randn(5, 4), tau=0.5, dim=0)
    np.testing.assert_allclose(soft.numpy().sum(0), 1.0, rtol=1e-5)
    assert (soft.numpy() > 0).all()
