"""ember.nn.utils against torch.nn.utils: gradient clipping and parameter/vector conversion."""

import math

import numpy as np
import pytest
import torch

import ember
from ember import nn


def _pair(grads, dtype=np.float32):
    tps, eps = [], []
    for g in grads:
        g = np.asarray(g, dtype=dtype)
        tp = torch.nn.Parameter(torch.zeros(g.shape, dtype=getattr(torch, np.dtype(dtype).name)))
        ep = nn.Parameter(ember.zeros(g.shape, dtype=getattr(ember, np.dtype(dtype).name)))
        tp.grad = torch.tensor(g)
        ep.grad = ember.tensor(g)
        tps.append(tp)
        eps.append(ep)
    return tps, eps


def _grads(rs, scale=1.0):
    return [rs.randn(3, 4) * scale, rs.randn(5) * scale, rs.randn(2, 2, 2) * scale]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.1, 1e6])
@pytest.mark.parametrize("foreach", [None, False, True])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, foreach):
    tps, eps = _pair(_grads(np.random.RandomState(0)))
    tn = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=float(norm_type), foreach=foreach)
    en = nn.utils.clip_grad_norm_(eps, max_norm, norm_type=norm_type, foreach=foreach)
    assert isinstance(en, ember.Tensor) and en.dtype is ember.float32 and en.shape == ()
    np.testing.assert_allclose(en.item(), tn.item(), rtol=1e-5)
    for tp, ep in zip(tps, eps):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_float64_single_tensor_and_none_grads():
    tps, eps = _pair(_grads(np.random.RandomState(1), 10.0), dtype=np.float64)
    tps.append(torch.nn.Parameter(torch.zeros(3)))
    eps.append(nn.Parameter(ember.zeros(3)))
    tn = torch.nn.utils.clip_grad_norm_(tps, 2.0)
    en = nn.utils.clip_grad_norm_(eps, 2.0)
    assert en.dtype is ember.float64
    np.testing.assert_allclose(en.item(), tn.item(), rtol=1e-12)
    for tp, ep in zip(tps[:-1], eps[:-1]):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-12)
    tp, ep = _pair([np.arange(6.0).reshape(2, 3)])
    tn = torch.nn.utils.clip_grad_norm_(tp[0], 1.0)
    en = nn.utils.clip_grad_norm_(ep[0], 1.0)
    np.testing.assert_allclose(en.item(), tn.item(), rtol=1e-6)
    np.testing.assert_allclose(ep[0].grad.numpy(), tp[0].grad.numpy(), rtol=1e-6)
    # no gradients at all
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.zeros(2))], 1.0).item() == \
        torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.zeros(2))], 1.0).item()


def test_clip_grad_norm_nonfinite():
    tps, eps = _pair([[1.0, float("nan")], [2.0, 3.0]])
    with pytest.raises(RuntimeError) as te:
        torch.nn.utils.clip_grad_norm_(tps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ee:
        nn.utils.clip_grad_norm_(eps, 1.0, error_if_nonfinite=True)
    assert str(ee.value) == str(te.value)
    tps, eps = _pair([[1.0, float("inf")]])
    tn = torch.nn.utils.clip_grad_norm_(tps, 1.0)
    en = nn.utils.clip_grad_norm_(eps, 1.0)
    assert math.isinf(en.item()) and math.isinf(tn.item())
    np.testing.assert_array_equal(eps[0].grad.numpy(), tps[0].grad.numpy())


@pytest.mark.parametrize("clip", [0.5, 2, 100.0])
def test_clip_grad_value_matches_torch(clip):
    tps, eps = _pair(_grads(np.random.RandomState(2)))
    assert torch.nn.utils.clip_grad_value_(tps, clip) is None
    assert nn.utils.clip_grad_value_(eps, clip) is None
    for tp, ep in zip(tps, eps):
        np.testing.assert_array_equal(ep.grad.numpy(), tp.grad.numpy())
    tp, ep = _pair([[3.0, -3.0]])
    torch.nn.utils.clip_grad_value_(tp[0], 1)
    nn.utils.clip_grad_value_(ep[0], 1)
    assert ep[0].grad.tolist() == tp[0].grad.tolist()


def test_parameters_to_vector_and_back():
    rs = np.random.RandomState(3)
    t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    e = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    tv = torch.nn.utils.parameters_to_vector(t.parameters())
    ev = nn.utils.parameters_to_vector(e.parameters())
    np.testing.assert_array_equal(ev.detach().numpy(), tv.detach().numpy())
    assert ev.requires_grad and ev.shape == (26,)
    new = rs.randn(26).astype(np.float32)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), t.parameters())
    nn.utils.vector_to_parameters(ember.tensor(new), e.parameters())
    for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        assert isinstance(ep, nn.Parameter)
        np.testing.assert_array_equal(ep.detach().numpy(), tp.detach().numpy(), err_msg=n)
    with pytest.raises(TypeError) as te:
        torch.nn.utils.vector_to_parameters([1.0], t.parameters())
    with pytest.raises(TypeError) as ee:
        nn.utils.vector_to_parameters([1.0], e.parameters())
    assert str(ee.value) == str(te.value)
    # gradient flows back through parameters_to_vector
    ev = nn.utils.parameters_to_vector(e.parameters())
    (ev * 2).sum().backward()
    assert all(p.grad.tolist() == (2 * np.ones(tuple(p.shape))).tolist() for p in e.parameters())
