"""ember.special mirrors torch.special: every public name exists and matches PyTorch on a few inputs.

The op-level behaviour (dtypes, errors, gradients, edge values) is covered by the oracle samples in
tests/oracle/samples/special.py; this file checks the namespace as a whole, and the ops' behaviour
when scipy is not importable.
"""

import numpy as np
import pytest

import ember
import ember.special
from ember.ops import pointwise as P
from ember.ops.special import NEEDS_SCIPY

torch = pytest.importorskip("torch", reason="namespace oracle tests need PyTorch: pip install -e '.[test]'")

try:
    import scipy.special  # noqa: F401
    HAVE_SCIPY = True
except ImportError:  # pragma: no cover
    HAVE_SCIPY = False

# names of torch.special that are not functions of the API
NOT_API = {"torch", "Tensor", "common_args", "multi_dim_common"}
# torch.special names ember does not provide (none)
NOT_BUILT: set = set()

rng = np.random.default_rng(0)
X = rng.uniform(-2, 2, (3, 4))
POS = rng.uniform(0.2, 3, (3, 4))
UNIT = rng.uniform(0.05, 0.95, (3, 4))
Q = rng.uniform(0.5, 3, (4,))
N = np.array([0, 1, 2, 5])

POSITIVE = {"entr", "gammaln", "digamma", "psi", "bessel_y0", "bessel_y1", "modified_bessel_k0", "modified_bessel_k1",
            "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "multigammaln"}
UNIT_DOMAIN = {"erfinv", "ndtri", "logit"}
LOOSE = {"airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"}  # PyTorch's float64 kernels: ~1e-6 abs


def _args(name):
    """(args, kwargs) as NumPy arrays / Python values for ``special.<name>``."""
    if name in ("gammainc", "gammaincc"):
        return [(POS, Q)]
    if name == "zeta":
        return [(POS + 1.5, Q), (3.0, Q)]
    if name in ("xlogy", "xlog1py"):
        return [(X, POS), (X, 2.0)]
    if "polynomial" in name:
        return [(X / 2, 3), (X[:, :1] / 2, N)]
    if name == "polygamma":
        return [(1, POS), (2, POS)]
    if name == "multigammaln":
        return [(POS + 1.5, 2)]
    if name in ("softmax", "log_softmax", "logsumexp"):
        return [(X, 1), (X, 0)]
    if name in UNIT_DOMAIN:
        return [(UNIT,)]
    if name in POSITIVE:
        return [(POS,)]
    return [(X,), (X.astype(np.float32),)]


def _convert(lib, args):
    return [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args]


def _implemented():
    return sorted(set(torch.special.__all__) - NOT_BUILT)


def test_no_missing_names():
    public = {n for n in dir(torch.special) if not n.startswith("_")} - NOT_API
    assert public - set(dir(ember.special)) == NOT_BUILT
    assert set(ember.special.__all__) == set(torch.special.__all__) - NOT_BUILT


def test_reachable_after_import_ember():
    assert ember.special is ember.special  # ``import ember`` alone binds ``ember.special``
    for name in ("sinc", "i0", "igamma", "igammac", "sinc_", "i0_"):
        assert callable(getattr(ember, name)), name
    for name in ("sinc", "sinc_", "i0", "i0_", "igamma", "igamma_", "igammac", "igammac_"):
        assert hasattr(ember.Tensor, name), name


@pytest.mark.parametrize("name", _implemented())
def test_matches_torch(name):
    if name in NEEDS_SCIPY and not HAVE_SCIPY:  # pragma: no cover
        pytest.skip(f"scipy is not installed: ember's special.{name} needs scipy.special")
    for args in _args(name):
        e = getattr(ember.special, name)(*_convert(ember, args))
        t = getattr(torch.special, name)(*_convert(torch, args))
        assert str(e.dtype).rsplit(".", 1)[-1] == str(t.dtype).rsplit(".", 1)[-1], name
        tol = dict(rtol=1e-6, atol=5e-6) if name in LOOSE else dict(rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(e.numpy(), t.numpy(), equal_nan=True, err_msg=name, **tol)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_dtype(name):
    for kwargs in ({"dtype": ember.float64}, {}):
        e = getattr(ember.special, name)(ember.tensor(X.astype(np.float32)), 1, **kwargs)
        tk = {"dtype": torch.float64} if kwargs else {}
        t = getattr(torch.special, name)(torch.tensor(X.astype(np.float32)), 1, **tk)
        assert str(e.dtype).rsplit(".", 1)[-1] == str(t.dtype).rsplit(".", 1)[-1]
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)


def test_out_argument():
    out = ember.empty(0)
    r = ember.special.erfcx(ember.tensor(X.astype(np.float32)), out=out)
    assert r is out and out.shape == (3, 4)
    np.testing.assert_allclose(out.numpy(), torch.special.erfcx(torch.tensor(X.astype(np.float32))).numpy(),
                               rtol=1e-6)


NON_DIFFERENTIABLE = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
                      "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
                      "scaled_modified_bessel_k1", "spherical_bessel_j0"]


@pytest.mark.parametrize("name", NON_DIFFERENTIABLE)
def test_not_differentiable(name):
    x = ember.tensor(POS, requires_grad=True)
    assert not getattr(ember.special, name)(x).requires_grad
    assert not getattr(torch.special, name)(torch.tensor(POS, requires_grad=True)).requires_grad


def test_polynomials_not_differentiable():
    x = ember.tensor(X / 2, requires_grad=True)
    n = ember.tensor(3.0, requires_grad=True)
    assert not ember.special.chebyshev_polynomial_t(x, n).requires_grad
    assert not ember.special.hermite_polynomial_h(x, 2).requires_grad


# --- without scipy ------------------------------------------------------------------------------

@pytest.fixture
def no_scipy(monkeypatch):
    monkeypatch.setattr(P, "_scipy_special", None)


@pytest.mark.parametrize("name", sorted(NEEDS_SCIPY))
def test_needs_scipy_raises_without_it(no_scipy, name):
    args = _args(name)[0]
    with pytest.raises(RuntimeError, match="scipy"):
        getattr(ember.special, name)(*_convert(ember, args))


FALLBACK = ["sinc", "i0", "entr", "ndtr", "xlog1py", "spherical_bessel_j0", "chebyshev_polynomial_t",
            "hermite_polynomial_h", "legendre_polynomial_p"]


@pytest.mark.parametrize("name", FALLBACK)
def test_works_without_scipy(no_scipy, name):
    for args in _args(name):
        e = getattr(ember.special, name)(*_convert(ember, args))
        t = getattr(torch.special, name)(*_convert(torch, args))
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, atol=1e-9, equal_nan=True, err_msg=name)


def test_top_level_without_scipy(no_scipy):
    np.testing.assert_allclose(ember.i0(ember.tensor(X)).numpy(), torch.i0(torch.tensor(X)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ember.sinc(ember.tensor(X)).numpy(), torch.sinc(torch.tensor(X)).numpy(), rtol=1e-12)
    h = ember.tensor(X).to(ember.float16)
    np.testing.assert_allclose(ember.special.ndtr(h).float().numpy(),
                               torch.special.ndtr(torch.tensor(X).half()).float().numpy(), rtol=2e-3, atol=1e-4)
