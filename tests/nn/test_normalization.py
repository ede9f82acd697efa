"""Normalisation layers against torch: outputs, gradients, running statistics, repr, errors."""

import warnings

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


def _check_state(tmod, emod, rtol=1e-5, atol=1e-6):
    ts, es = tmod.state_dict(), emod.state_dict()
    assert list(ts) == list(es)
    for k in ts:
        assert tuple(es[k].shape) == tuple(ts[k].shape), k
        np.testing.assert_allclose(es[k].numpy(), ts[k].numpy(), rtol=rtol, atol=atol, err_msg=k)


def _run(tmod, emod, shape, dtype=np.float32, rtol=1e-5, atol=1e-5, seed=0, offset=0.0):
    rs = np.random.RandomState(seed)
    x = (rs.randn(*shape) * 2 + offset).astype(dtype)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tmod(tx), emod(ex)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    g = rs.randn(*ty.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
    for (n, tp), (_, ep) in zip(tmod.named_parameters(), emod.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol, err_msg=n)


def _pair(name, *args, **kwargs):
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(*args, **kwargs)
    e = getattr(nn, name)(*args, **kwargs)
    with torch.no_grad():  # non-trivial affine parameters
        for p in t.parameters():
            p.copy_(torch.randn(p.shape))
    _copy(t, e)
    assert ember_repr(e) == repr(t)
    return t, e


def ember_repr(m):
    return repr(m)


BN = [("BatchNorm1d", (6, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (4, 3, 5, 6)),
      ("BatchNorm3d", (2, 3, 3, 4, 2))]


@pytest.mark.parametrize("name,shape", BN)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("track", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None, 0.5])
def test_batchnorm_train_eval_running_stats(name, shape, affine, track, momentum):
    t, e = _pair(name, 3, affine=affine, track_running_stats=track, momentum=momentum)
    for step in range(3):  # several train steps: running stats follow torch's
        _run(t, e, shape, seed=step, offset=step)
        _check_state(t, e)
    t.eval(), e.eval()
    _run(t, e, shape, seed=7)
    _check_state(t, e)


def test_batchnorm_float64_and_offset_inputs():
    t = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    e = nn.BatchNorm2d(3, dtype=ember.float64)
    assert e.weight.dtype is ember.float64 and e.running_mean.dtype is ember.float64
    assert e.num_batches_tracked.dtype is ember.int64
    _run(t, e, (4, 3, 5, 5), dtype=np.float64, rtol=1e-10, atol=1e-10, offset=100.0)
    _check_state(t, e, rtol=1e-10, atol=1e-10)
    t2, e2 = _pair("BatchNorm2d", 3)
    _run(t2, e2, (4, 3, 16, 16), offset=50.0, rtol=1e-4, atol=1e-4)  # large mean: precise variance


def test_batchnorm_repr_state_and_defaults():
    e = nn.BatchNorm2d(5, eps=1e-3, momentum=None, affine=False)
    assert repr(e) == repr(torch.nn.BatchNorm2d(5, eps=1e-3, momentum=None, affine=False))
    assert list(nn.BatchNorm1d(3).state_dict()) == list(torch.nn.BatchNorm1d(3).state_dict())
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    m = nn.BatchNorm1d(3)
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones(3))
    np.testing.assert_array_equal(m.bias.detach().numpy(), np.zeros(3))
    np.testing.assert_array_equal(m.running_var.numpy(), np.ones(3))
    m(ember.randn(4, 3))
    assert int(m.num_batches_tracked) == 1
    m.reset_running_stats()
    assert int(m.num_batches_tracked) == 0 and not m.running_mean.numpy().any()
    # loading an old state dict without num_batches_tracked keeps working
    sd = {k: v for k, v in nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    m.load_state_dict(sd)


@pytest.mark.parametrize("name,shape", [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)), ("BatchNorm2d", (2, 3, 4)),
                                        ("BatchNorm3d", (2, 3, 4, 5))])
def test_batchnorm_rank_errors(name, shape):
    with pytest.raises(ValueError) as te:
        getattr(torch.nn, name)(3)(torch.zeros(shape))
    with pytest.raises(ValueError) as ee:
        getattr(nn, name)(3)(ember.zeros(shape))
    assert str(ee.value) == str(te.value)


def _same_error(tf, ef, exc=Exception):
    with pytest.raises(exc) as te:
        tf()
    with pytest.raises(exc) as ee:
        ef()
    assert type(ee.value).__mro__[0].__name__ == type(te.value).__name__ or isinstance(ee.value, type(te.value))
    assert str(ee.value).replace("ember.", "torch.") == str(te.value)


def test_batchnorm_value_errors():
    _same_error(lambda: torch.nn.BatchNorm1d(3)(torch.zeros(1, 3)), lambda: nn.BatchNorm1d(3)(ember.zeros(1, 3)))
    assert "ember.Size([1, 3])" in _msg(lambda: nn.BatchNorm1d(3)(ember.zeros(1, 3)))
    _same_error(lambda: torch.nn.BatchNorm1d(3)(torch.zeros(2, 4)), lambda: nn.BatchNorm1d(3)(ember.zeros(2, 4)))
    _same_error(lambda: torch.nn.functional.batch_norm(torch.zeros(2, 3), None, None),
                lambda: F.batch_norm(ember.zeros(2, 3), None, None))
    _same_error(lambda: torch.nn.functional.batch_norm(torch.zeros(2, 3), None, None, torch.ones(4), training=True),
                lambda: F.batch_norm(ember.zeros(2, 3), None, None, ember.ones(4), training=True))
    _same_error(lambda: torch.nn.functional.batch_norm(torch.zeros(2, 3, dtype=torch.long), None, None, training=True),
                lambda: F.batch_norm(ember.zeros(2, 3, dtype=ember.long), None, None, training=True))
    # eval mode with one value is fine
    m = nn.BatchNorm1d(3).eval()
    assert m(ember.zeros(1, 3)).shape == (1, 3)


def _msg(f):
    try:
        f()
    except Exception as ex:  # noqa: BLE001
        return str(ex)
    return ""


def test_batchnorm_grad_fn_and_double_backward():
    x = ember.randn(4, 3, 5, dtype=ember.float64, requires_grad=True)
    m = nn.BatchNorm1d(3, dtype=ember.float64)
    y = m(x)
    assert y.grad_fn.name() == "NativeBatchNormBackward0"
    assert ember.autograd.gradcheck(lambda a: F.batch_norm(a, None, None, m.weight, m.bias, True), (x,))
    assert ember.autograd.gradgradcheck(lambda a: F.batch_norm(a, None, None, m.weight, m.bias, True), (x,))
    m.eval()
    assert ember.autograd.gradgradcheck(lambda a, w: F.batch_norm(a, m.running_mean, m.running_var, w, m.bias),
                                        (x, m.weight))


def test_lazy_batchnorm():
    m = nn.LazyBatchNorm2d()
    y = m(ember.randn(2, 4, 3, 3))
    assert type(m) is nn.BatchNorm2d and m.num_features == 4 and y.shape == (2, 4, 3, 3)
    assert repr(m) == repr(torch.nn.BatchNorm2d(4))
    assert int(m.num_batches_tracked) == 1
    m1 = nn.LazyBatchNorm1d(affine=False)
    m1(ember.randn(5, 7))
    assert type(m1) is nn.BatchNorm1d and m1.weight is None and m1.running_mean.shape == (7,)
    m3 = nn.LazyBatchNorm3d()
    m3(ember.randn(2, 2, 2, 2, 2))
    assert type(m3) is nn.BatchNorm3d


# --- instance norm ----------------------------------------------------------------------------

IN = [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm1d", (3, 6)), ("InstanceNorm2d", (2, 3, 4, 5)),
      ("InstanceNorm2d", (3, 4, 5)), ("InstanceNorm3d", (2, 3, 2, 3, 4)), ("InstanceNorm3d", (3, 2, 3, 4))]


@pytest.mark.parametrize("name,shape", IN)
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("track", [False, True])
def test_instancenorm(name, shape, affine, track):
    t, e = _pair(name, 3, affine=affine, track_running_stats=track, momentum=0.3)
    for step in range(2):
        _run(t, e, shape, seed=step, offset=step)
        _check_state(t, e)
    t.eval(), e.eval()
    _run(t, e, shape, seed=5)


def test_instancenorm_errors_and_warning():
    _same_error(lambda: torch.nn.InstanceNorm1d(3)(torch.zeros(2, 3, 4, 5)),
                lambda: nn.InstanceNorm1d(3)(ember.zeros(2, 3, 4, 5)))
    _same_error(lambda: torch.nn.InstanceNorm2d(3)(torch.zeros(3, 4)), lambda: nn.InstanceNorm2d(3)(ember.zeros(3, 4)))
    _same_error(lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.zeros(2, 4, 5)),
                lambda: nn.InstanceNorm1d(3, affine=True)(ember.zeros(2, 4, 5)))
    _same_error(lambda: torch.nn.functional.instance_norm(torch.zeros(2, 6, 1)),
                lambda: F.instance_norm(ember.zeros(2, 6, 1)))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(ember.randn(2, 4, 5))
    assert repr(nn.InstanceNorm3d(4, affine=True)) == repr(torch.nn.InstanceNorm3d(4, affine=True))


# --- layer norm, group norm, rms norm, lrn ----------------------------------------------------

@pytest.mark.parametrize("ns,shape", [(8, (4, 8)), ((8,), (8,)), ((3, 4), (2, 5, 3, 4)), ([16], (2, 3, 16))])
@pytest.mark.parametrize("affine,bias", [(True, True), (True, False), (False, True)])
def test_layernorm(ns, shape, affine, bias):
    t, e = _pair("LayerNorm", ns, elementwise_affine=affine, bias=bias)
    assert list(t.state_dict()) == list(e.state_dict())
    _run(t, e, shape)
    _run(t, e, shape, offset=30.0, rtol=1e-4, atol=1e-4)


def test_layernorm_float64_eps_and_errors():
    t = torch.nn.LayerNorm((5,), eps=1e-3, dtype=torch.float64)
    e = nn.LayerNorm((5,), eps=1e-3, dtype=ember.float64)
    _run(t, e, (3, 5), dtype=np.float64, rtol=1e-10, atol=1e-10)
    assert repr(e) == repr(t)
    _same_error(lambda: torch.nn.LayerNorm(4)(torch.zeros(2, 3)), lambda: nn.LayerNorm(4)(ember.zeros(2, 3)))
    _same_error(lambda: torch.nn.LayerNorm((2, 3, 4))(torch.zeros(2, 3)),
                lambda: nn.LayerNorm((2, 3, 4))(ember.zeros(2, 3)))
    _same_error(lambda: torch.nn.functional.layer_norm(torch.zeros(2, 3), (3,), torch.ones(4)),
                lambda: F.layer_norm(ember.zeros(2, 3), (3,), ember.ones(4)))
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(4, dtype=ember.float64, requires_grad=True)
    b = ember.randn(4, dtype=ember.float64, requires_grad=True)
    assert F.layer_norm(x, (4,), w, b).grad_fn.name() == "NativeLayerNormBackward0"
    assert ember.autograd.gradgradcheck(lambda a, w, b: F.layer_norm(a, (4,), w, b), (x, w, b))


@pytest.mark.parametrize("groups,shape", [(3, (2, 6, 5)), (2, (2, 6, 3, 3)), (3, (3, 6)), (1, (2, 6, 2, 2, 2))])
@pytest.mark.parametrize("affine", [True, False])
def test_groupnorm(groups, shape, affine):
    t, e = _pair("GroupNorm", groups, 6, affine=affine)
    _run(t, e, shape)
    if np.prod(shape[1:]) // groups >= 8:  # (tiny groups: float32 rounding noise of both libraries dominates)
        _run(t, e, shape, offset=20.0, rtol=1e-4, atol=1e-4)


def test_groupnorm_errors_and_double_backward():
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups \(4\)"):
        nn.GroupNorm(4, 6)
    _same_error(lambda: torch.nn.functional.group_norm(torch.zeros(2, 6, 3), 4),
                lambda: F.group_norm(ember.zeros(2, 6, 3), 4))
    _same_error(lambda: torch.nn.GroupNorm(2, 4)(torch.zeros(2, 6, 3)), lambda: nn.GroupNorm(2, 4)(ember.zeros(2, 6, 3)))
    x = ember.randn(2, 4, 3, dtype=ember.float64, requires_grad=True)
    w = ember.randn(4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a, w: F.group_norm(a, 2, w), (x, w))


@pytest.mark.parametrize("ns,shape,eps", [(5, (3, 5), None), ((3, 4), (2, 3, 4), 1e-3), ([4], (4,), None)])
@pytest.mark.parametrize("affine", [True, False])
def test_rmsnorm(ns, shape, eps, affine):
    t, e = _pair("RMSNorm", ns, eps=eps, elementwise_affine=affine)
    _run(t, e, shape)


def test_rmsnorm_error():
    _same_error(lambda: torch.nn.RMSNorm(4)(torch.zeros(2, 3)), lambda: nn.RMSNorm(4)(ember.zeros(2, 3)))


@pytest.mark.parametrize("args,shape", [((2,), (2, 5, 4)), ((3, 1e-2, 0.5, 2.0), (2, 6, 3, 3)),
                                        ((4,), (1, 4, 2, 2, 2)), ((1,), (2, 3, 4))])
def test_local_response_norm(args, shape):
    t, e = _pair("LocalResponseNorm", *args)
    _run(t, e, shape)


def test_local_response_norm_error():
    _same_error(lambda: torch.nn.LocalResponseNorm(2)(torch.zeros(3, 4)),
                lambda: nn.LocalResponseNorm(2)(ember.zeros(3, 4)))


def test_float16_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = np.random.RandomState(0).randn(4, 3, 6).astype(np.float16)
        for tf, ef in ((lambda a: torch.nn.functional.batch_norm(a, None, None, training=True),
                        lambda a: F.batch_norm(a, None, None, training=True)),
                       (lambda a: torch.nn.functional.layer_norm(a, (6,)), lambda a: F.layer_norm(a, (6,))),
                       (lambda a: torch.nn.functional.group_norm(a, 3), lambda a: F.group_norm(a, 3))):
            ty, ey = tf(torch.tensor(x)), ef(ember.tensor(x))
            assert ey.dtype is ember.float16
            np.testing.assert_allclose(ey.numpy().astype(np.float32), ty.numpy().astype(np.float32), atol=3e-3,
                                       rtol=3e-3)
