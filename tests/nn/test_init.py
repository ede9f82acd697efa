"""ember.nn.init against torch.nn.init: gains and fans exactly, distributions by statistics."""

import math

import numpy as np
import pytest
import torch

import ember
from ember import nn

init = nn.init
tinit = torch.nn.init

NONLINS = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


def _err(fn):
    try:
        fn()
    except Exception as ex:
        return type(ex).__name__, str(ex)
    return None


def test_calculate_gain_matches_torch():
    for nl in NONLINS:
        assert init.calculate_gain(nl) == tinit.calculate_gain(nl)
    for p in (0.2, 3, 0, None):
        assert init.calculate_gain("leaky_relu", p) == tinit.calculate_gain("leaky_relu", p)
    for nl, p in (("gelu", None), ("leaky_relu", True), ("leaky_relu", "a"), ("silu", None)):
        assert _err(lambda nl=nl, p=p: init.calculate_gain(nl, p)) == _err(lambda nl=nl, p=p: tinit.calculate_gain(nl, p))


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (4, 3, 2, 2), (2, 3, 1, 2, 2), (2,), ()])
def test_fans_match_torch(shape):
    e, t = ember.empty(shape), torch.empty(shape)
    assert _err(lambda: init._calculate_fan_in_and_fan_out(e)) == _err(lambda: tinit._calculate_fan_in_and_fan_out(t))
    if len(shape) >= 2:
        assert init._calculate_fan_in_and_fan_out(e) == tinit._calculate_fan_in_and_fan_out(t)
        for mode in ("fan_in", "fan_out", "FAN_OUT"):
            assert init._calculate_correct_fan(e, mode) == tinit._calculate_correct_fan(t, mode)
        assert _err(lambda: init._calculate_correct_fan(e, "bad")) == \
            _err(lambda: tinit._calculate_correct_fan(t, "bad"))


def _stats(t):
    a = t.detach().numpy().astype(np.float64).ravel()
    return a.mean(), a.std(), a.min(), a.max()


N = 200_000


def _check_uniform(t, lo, hi):
    mean, std, mn, mx = _stats(t)
    assert mn >= lo and mx <= hi
    width = hi - lo
    se = width / math.sqrt(12 * N)
    assert abs(mean - (lo + hi) / 2) < 6 * se
    assert abs(std - width / math.sqrt(12)) < 0.01 * width
    assert mn < lo + 0.001 * width and mx > hi - 0.001 * width


def _check_normal(t, mean_ref, std_ref):
    mean, std, _, _ = _stats(t)
    assert abs(mean - mean_ref) < 6 * std_ref / math.sqrt(N)
    assert abs(std - std_ref) < 0.01 * std_ref


def test_uniform_normal_constant():
    ember.manual_seed(0)
    t = ember.empty(N)
    assert init.uniform_(t, -2.0, 3.0) is t
    _check_uniform(t, -2.0, 3.0)
    _check_normal(init.normal_(ember.empty(N), 1.5, 0.5), 1.5, 0.5)
    assert init.constant_(ember.empty(3, 2), 0.25).tolist() == [[0.25] * 2] * 3
    assert init.ones_(ember.empty(2)).tolist() == [1.0, 1.0]
    assert init.zeros_(ember.empty(2)).tolist() == [0.0, 0.0]


def test_runs_under_no_grad_on_parameters():
    p = nn.Parameter(ember.empty(50, 40))
    for fn in (lambda: init.uniform_(p), lambda: init.normal_(p), lambda: init.constant_(p, 1.0),
               lambda: init.xavier_uniform_(p), lambda: init.kaiming_normal_(p), lambda: init.orthogonal_(p),
               lambda: init.trunc_normal_(p), lambda: init.eye_(p), lambda: init.sparse_(p, 0.5),
               lambda: init.zeros_(p), lambda: init.ones_(p)):
        out = fn()
        assert out is p and p.grad_fn is None and p.requires_grad


def test_trunc_normal():
    ember.manual_seed(1)
    t = init.trunc_normal_(ember.empty(N), mean=0.5, std=2.0, a=-1.0, b=3.0)
    a = t.numpy()
    assert a.min() >= -1.0 and a.max() <= 3.0
    # compare with torch's own sampler's moments
    torch.manual_seed(1)
    r = tinit.trunc_normal_(torch.empty(N), mean=0.5, std=2.0, a=-1.0, b=3.0).numpy()
    assert abs(a.mean() - r.mean()) < 0.02 and abs(a.std() - r.std()) < 0.02
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(ember.empty(10), mean=10.0)


@pytest.mark.parametrize("shape", [(400, 500), (64, 32, 3, 3)])
def test_xavier(shape):
    ember.manual_seed(2)
    fan_in, fan_out = tinit._calculate_fan_in_and_fan_out(torch.empty(shape))
    n = int(np.prod(shape))
    std = 1.7 * math.sqrt(2.0 / (fan_in + fan_out))
    t = init.xavier_uniform_(ember.empty(shape), gain=1.7)
    a = math.sqrt(3) * std
    v = t.numpy()
    assert v.min() >= -a and v.max() <= a and abs(v.std() - std) < 0.02 * std
    v = init.xavier_normal_(ember.empty(shape), gain=1.7).numpy()
    assert abs(v.std() - std) < 0.02 * std and abs(v.mean()) < 6 * std / math.sqrt(n)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("leaky_relu", 0), ("leaky_relu", math.sqrt(5)), ("relu", 0),
                                            ("tanh", 0), ("linear", 0)])
def test_kaiming(mode, nonlinearity, a):
    shape = (300, 200, 3)
    fan = tinit._calculate_correct_fan(torch.empty(shape), mode)
    std = tinit.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    ember.manual_seed(3)
    v = init.kaiming_uniform_(ember.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity).numpy()
    bound = math.sqrt(3) * std
    assert v.min() >= -bound and v.max() <= bound and abs(v.std() - std) < 0.02 * std
    v = init.kaiming_normal_(ember.empty(shape), a=a, mode=mode, nonlinearity=nonlinearity).numpy()
    assert abs(v.std() - std) < 0.02 * std


def test_kaiming_zero_element_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 3))


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 2, 2), (5, 5)])
def test_orthogonal(shape):
    ember.manual_seed(4)
    t = init.orthogonal_(ember.empty(shape, dtype=ember.float64), gain=2.0)
    m = t.numpy().reshape(shape[0], -1)
    rows, cols = m.shape
    if rows >= cols:
        np.testing.assert_allclose(m.T @ m, 4 * np.eye(cols), atol=1e-10)
    else:
        np.testing.assert_allclose(m @ m.T, 4 * np.eye(rows), atol=1e-10)
    assert _err(lambda: init.orthogonal_(ember.empty(3))) == _err(lambda: tinit.orthogonal_(torch.empty(3)))


def test_eye_dirac_match_torch():
    for shape in ((3, 5), (5, 3)):
        assert init.eye_(ember.empty(shape)).tolist() == tinit.eye_(torch.empty(shape)).tolist()
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 3, 3, 3), 2), ((2, 5, 4), 1)):
        assert init.dirac_(ember.empty(shape), groups).tolist() == tinit.dirac_(torch.empty(shape), groups).tolist()
    for fn, tfn in ((lambda: init.eye_(ember.empty(3)), lambda: tinit.eye_(torch.empty(3))),
                    (lambda: init.dirac_(ember.empty(3, 3)), lambda: tinit.dirac_(torch.empty(3, 3))),
                    (lambda: init.dirac_(ember.empty(3, 3, 3), 2), lambda: tinit.dirac_(torch.empty(3, 3, 3), 2)),
                    (lambda: init.sparse_(ember.empty(3), 0.1), lambda: tinit.sparse_(torch.empty(3), 0.1))):
        assert _err(fn) == _err(tfn)


def test_sparse():
    ember.manual_seed(5)
    v = init.sparse_(ember.empty(100, 50), sparsity=0.3, std=0.5).numpy()
    assert ((v == 0).sum(0) == 30).all()
    nz = v[v != 0]
    assert abs(nz.std() - 0.5) < 0.03


def test_generator_argument_is_deterministic():
    for fn in (lambda t, g: init.uniform_(t, generator=g), lambda t, g: init.normal_(t, generator=g),
               lambda t, g: init.xavier_uniform_(t, generator=g), lambda t, g: init.kaiming_normal_(t, generator=g),
               lambda t, g: init.trunc_normal_(t, generator=g), lambda t, g: init.orthogonal_(t, generator=g)):
        a = fn(ember.empty(8, 6), ember.Generator().manual_seed(11))
        b = fn(ember.empty(8, 6), ember.Generator().manual_seed(11))
        assert a.tolist() == b.tolist()


def test_deprecated_aliases_warn():
    with pytest.warns(FutureWarning):
        init.uniform(ember.empty(3))
