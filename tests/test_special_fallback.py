"""The pure-array special functions used when scipy is not importable.

Each fallback is checked against scipy.special at the accuracy documented in
ember/ops/pointwise.py, and the ember ops are run with scipy hidden (monkeypatched away)
so the fallback path of every forward and backward rule is exercised.
"""

import numpy as np
import pytest

import ember
from ember.ops import pointwise as P

sp = pytest.importorskip("scipy.special")

RNG = np.random.default_rng(0)


def _rel(actual, expected, floor=1e-300):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    inf = np.isinf(expected)
    np.testing.assert_array_equal(actual[inf], expected[inf])
    m = np.isfinite(expected)
    return np.max(np.abs(actual[m] - expected[m]) / np.maximum(np.abs(expected[m]), floor), initial=0.0)


@pytest.fixture
def no_scipy(monkeypatch):
    monkeypatch.setattr(P, "_scipy_special", None)


def test_erf_erfc():
    x = np.concatenate([RNG.uniform(-6, 6, 5000), RNG.uniform(-30, 26, 500),
                        [0.0, -0.0, 2.5, -2.5, np.inf, -np.inf, np.nan]])
    with np.errstate(all="ignore"):
        assert _rel(P._fb_erf(np, x), sp.erf(x)) < 1e-14
        assert _rel(P._fb_erfc(np, x), sp.erfc(x)) < 5e-12


def test_erfinv():
    y = np.concatenate([RNG.uniform(-1, 1, 5000), 1 - 10.0 ** -RNG.uniform(1, 15, 300),
                        [0.0, 1.0, -1.0, 1.5, -2.0, np.nan, 1e-300, -1e-10]])
    with np.errstate(all="ignore"):
        assert _rel(P._fb_erfinv(np, y), sp.erfinv(y)) < 1e-12


def test_lgamma():
    x = np.concatenate([RNG.uniform(-20, 20, 5000), RNG.uniform(0, 1e5, 300),
                        [0.0, -1.0, -2.0, 1.0, 2.0, 0.5, np.inf, np.nan, 1e-300]])
    with np.errstate(all="ignore"):
        assert _rel(P._fb_lgamma(np, x), sp.gammaln(x), floor=1.0) < 2e-12


def test_digamma():
    x = np.concatenate([RNG.uniform(0.01, 50, 5000), RNG.uniform(-20, 0, 2000),
                        [0.0, -0.0, -1.0, -3.0, 1.4616321449683622, np.inf, np.nan]])
    with np.errstate(all="ignore"):
        assert _rel(P._fb_digamma(np, x), sp.digamma(x), floor=1.0) < 1e-12


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_polygamma(n):
    x = np.concatenate([RNG.uniform(0.01, 40, 3000), [0.5, 1.0, 2.0]])
    assert _rel(P._fb_polygamma(np, n, x), sp.polygamma(n, x)) < 1e-12
    xneg = RNG.uniform(-8, 0, 200)
    assert _rel(P._fb_polygamma(np, n, xneg), sp.polygamma(n, xneg)) < 1e-9


CASES = [
    ("erf", sp.erf, (-3, 3)),
    ("erfc", sp.erfc, (-3, 3)),
    ("erfinv", sp.erfinv, (-0.95, 0.95)),
    ("lgamma", sp.gammaln, (0.1, 6)),
    ("digamma", sp.digamma, (0.1, 6)),
]


@pytest.mark.parametrize("name,ref,domain", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_ops_without_scipy(no_scipy, name, ref, domain, dtype):
    x = RNG.uniform(*domain, 20)
    t = ember.tensor(x).to(getattr(ember, dtype))
    out = getattr(ember, name)(t)
    assert out.dtype == t.dtype
    expected = ref(t.double().numpy())
    tol = {"float64": 1e-12, "float32": 2e-6, "float16": 2e-3, "bfloat16": 2e-2}[dtype]
    np.testing.assert_allclose(out.double().numpy(), expected, rtol=tol, atol=tol)


def test_integer_input_without_scipy(no_scipy):
    out = ember.lgamma(ember.tensor([1, 2, 3, 4]))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), sp.gammaln([1, 2, 3, 4]), atol=1e-6)


def test_polygamma_op_without_scipy(no_scipy):
    x = RNG.uniform(0.2, 5, 10)
    for n in range(4):
        out = ember.polygamma(n, ember.tensor(x))
        np.testing.assert_allclose(out.numpy(), sp.polygamma(n, x), rtol=1e-12)


def test_gradients_without_scipy(no_scipy):
    x = ember.tensor(RNG.uniform(0.5, 3, 8), requires_grad=True)
    (g_lgamma,) = ember.autograd.grad(ember.lgamma(x).sum(), x)
    np.testing.assert_allclose(g_lgamma.numpy(), sp.digamma(x.detach().numpy()), rtol=1e-12)
    (g_digamma,) = ember.autograd.grad(ember.digamma(x).sum(), x)
    np.testing.assert_allclose(g_digamma.numpy(), sp.polygamma(1, x.detach().numpy()), rtol=1e-12)
    y = ember.tensor(RNG.uniform(-0.9, 0.9, 8), requires_grad=True)
    (g_erfinv,) = ember.autograd.grad(ember.erfinv(y).sum(), y)
    v = sp.erfinv(y.detach().numpy())
    np.testing.assert_allclose(g_erfinv.numpy(), np.sqrt(np.pi) / 2 * np.exp(v * v), rtol=1e-12)


def test_fallback_matches_scipy_path():
    """The same op gives the same values with and without scipy."""
    x = ember.tensor(RNG.uniform(-0.99, 0.99, 50))
    with_scipy = ember.erfinv(x).numpy()
    saved = P._scipy_special
    try:
        P._scipy_special = None
        without = ember.erfinv(x).numpy()
    finally:
        P._scipy_special = saved
    np.testing.assert_allclose(without, with_scipy, rtol=1e-12)
