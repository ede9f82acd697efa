"""Intra-op threads for large elementwise work (ember/_parallel.py)."""

import numpy as np
import pytest
import torch

import ember
from ember import _parallel as P


@pytest.fixture
def two_threads():
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    yield
    ember.set_num_threads(before)


def _big(shape, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("name", ["sin", "tanh", "exp", "log1p", "arctan2", "power", "hypot"])
def test_split_results_equal_numpy_bitwise(two_threads, name):
    uf = getattr(np, name)
    a = np.abs(_big((300_000,))) + 0.1
    args = (a,) if uf.nin == 1 else (a, _big((300_000,), seed=1) % 3)
    got = getattr(P.pnp, name)(*args)
    want = uf(*args)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def test_broadcasting_noncontiguous_and_out(two_threads):
    a = _big((600, 1000))[:, ::2]            # non-contiguous rows
    b = _big((500,), seed=2)                 # lower rank: broadcast whole into each chunk
    c = _big((1, 500), seed=3)               # first axis 1: broadcast whole
    np.testing.assert_array_equal(P.pnp.arctan2(a, b), np.arctan2(a, b))
    np.testing.assert_array_equal(P.pnp.hypot(c, a), np.hypot(c, a))
    out = np.empty((600, 500), np.float32)
    assert P.pnp.sin(a, out=out) is out
    np.testing.assert_array_equal(out, np.sin(a))
    inplace = a.copy()
    P.pnp.exp(inplace, out=inplace)          # out aliasing its input exactly is split safely
    np.testing.assert_array_equal(inplace, np.exp(a))


def test_result_dtype_probe_matches_numpy(two_threads):
    ints = np.arange(400_000, dtype=np.int8)
    assert P.pnp.sin(ints).dtype == np.sin(ints).dtype == np.float16
    x = _big((400_000,))
    assert P.pnp.power(x, 2.0).dtype == np.float32                      # weak Python scalar
    assert P.pnp.power(x, np.array(2.0)).dtype == np.power(x, np.array(2.0)).dtype


def test_small_and_keyword_calls_go_straight_to_numpy(two_threads):
    x = _big((10,))
    np.testing.assert_array_equal(P.pnp.sin(x), np.sin(x))
    np.testing.assert_array_equal(P.pnp.exp(x, dtype=np.float64), np.exp(x, dtype=np.float64))
    assert P.pnp.add is np.add                                          # cheap ufuncs stay NumPy's
    assert P.pnp.exp.reduce is not None and P.pnp.log.__name__ == "log"


def test_ops_on_large_tensors_match_torch_with_gradients(two_threads):
    data = _big((512, 600))
    x, tx = ember.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    for lib, t in ((ember, x), (torch, tx)):
        (lib.sin(t) * lib.tanh(t) - lib.exp(t * 0.1)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_num_threads_api_matches_torch():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
        x = _big((400_000,))
        np.testing.assert_array_equal(ember.sin(ember.tensor(x)).numpy(), np.sin(x))
        for bad in (0, -1, 1.5):
            with pytest.raises(RuntimeError) as theirs:
                torch.set_num_threads(bad)
            with pytest.raises(RuntimeError) as mine:
                ember.set_num_threads(bad)
            assert str(mine.value) == str(theirs.value)
        assert ember.get_num_threads() == 1          # a refused call changes nothing
    finally:
        ember.set_num_threads(before)
        torch.set_num_threads(2)


def test_special_functions_keep_scipy_precision_on_large_tensors(two_threads):
    pytest.importorskip("scipy")
    data = np.linspace(-0.999, 0.999, 300_000, dtype=np.float64)
    np.testing.assert_allclose(ember.erfinv(ember.tensor(data)).numpy(),
                               torch.special.erfinv(torch.tensor(data)).numpy(), rtol=1e-12, atol=1e-14)


def test_worker_threads_keep_the_callers_numpy_error_settings(two_threads):
    import warnings
    x = ember.full((400_000,), -1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # a RuntimeWarning from any thread would fail here
        out = ember.log(x)
    assert np.isnan(out.numpy()).all()
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        P.pnp.log(-np.ones(400_000))


@pytest.mark.parametrize("n,align", [(10, 4), ((1 << 20) + 3, 1 << 15), (1 << 21, 1 << 17), (5 << 20, 1000)])
def test_split_range_covers_every_index_once_on_aligned_cuts(two_threads, n, align):
    seen = []
    P.split_range(n, lambda lo, hi: seen.append((lo, hi)), align=align)
    seen.sort()
    assert seen[0][0] == 0 and seen[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(seen, seen[1:]))
    assert all(lo % align == 0 for lo, _ in seen)
    assert len(seen) == (2 if n >= 1 << 20 else 1)


def test_split_range_reraises_a_workers_error(two_threads):
    def fn(lo, hi):
        if lo > 0:
            raise ValueError("boom in the second share")
    with pytest.raises(ValueError, match="boom"):
        P.split_range(1 << 21, fn, align=1 << 15)
