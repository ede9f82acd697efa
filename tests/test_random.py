"""ember's random numbers: determinism, generator independence, shapes/dtypes, statistics."""

import numpy as np
import pytest

import ember


def test_manual_seed_determinism():
    g = ember.manual_seed(123)
    assert g is ember.default_generator
    assert ember.initial_seed() == 123
    a = [ember.rand(5), ember.randn(3), ember.randint(0, 10, (4,)), ember.randperm(6), ember.normal(0.0, 1.0, (3,))]
    ember.manual_seed(123)
    b = [ember.rand(5), ember.randn(3), ember.randint(0, 10, (4,)), ember.randperm(6), ember.normal(0.0, 1.0, (3,))]
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()


def test_fixed_stream_across_runs():
    # PCG64 streams are stable: the same seed gives these numbers in every run
    g = ember.Generator().manual_seed(0)
    expected = np.random.Generator(np.random.PCG64(0)).random(3)
    assert np.allclose(ember.rand(3, generator=g, dtype=ember.float64).numpy(), expected)


def test_generator_objects_are_independent():
    g1 = ember.Generator().manual_seed(7)
    g2 = ember.Generator().manual_seed(7)
    a = ember.rand(4, generator=g1)
    ember.rand(100)  # the default generator does not disturb g2
    b = ember.rand(4, generator=g2)
    assert a.tolist() == b.tolist()
    c = ember.rand(4, generator=g1)
    assert c.tolist() != a.tolist()


def test_new_generator_default_seed_and_device():
    g = ember.Generator()
    assert g.initial_seed() == 67280421310721
    assert g.device == ember.device("cpu")
    s = g.seed()
    assert g.initial_seed() == s


def test_state_round_trip():
    g = ember.Generator().manual_seed(42)
    ember.rand(3, generator=g)
    state = g.get_state()
    assert state.dtype == ember.uint8
    a = ember.randn(5, generator=g)
    g.set_state(state)
    assert ember.randn(5, generator=g).tolist() == a.tolist()
    st = ember.get_rng_state()
    x = ember.rand(4)
    ember.set_rng_state(st)
    assert ember.rand(4).tolist() == x.tolist()
    with pytest.raises(RuntimeError):
        g.set_state(ember.zeros(3, dtype=ember.uint8))


def test_seed_validation():
    ember.manual_seed(-1)
    assert ember.initial_seed() == 2**64 - 1
    with pytest.raises(RuntimeError):
        ember.manual_seed(2**64)


def test_inplace_samplers_respect_generator():
    for name, args in [("uniform_", (0, 1)), ("normal_", ()), ("exponential_", ()), ("cauchy_", ()),
                       ("log_normal_", ()), ("geometric_", (0.3,)), ("random_", (0, 100)), ("bernoulli_", (0.5,))]:
        g = ember.Generator().manual_seed(3)
        a = getattr(ember.empty(6), name)(*args, generator=g).tolist()
        g.manual_seed(3)
        b = getattr(ember.empty(6), name)(*args, generator=g).tolist()
        assert a == b, name


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_rand_range_and_dtype(dtype):
    dt = getattr(ember, dtype)
    x = ember.rand(20000, dtype=dt)
    assert x.dtype is dt and x.shape == (20000,)
    v = x.float().numpy()
    assert v.min() >= 0 and v.max() < 1
    assert abs(v.mean() - 0.5) < 0.02
    assert abs(v.std() - (1 / 12) ** 0.5) < 0.02


def test_randn_statistics():
    ember.manual_seed(0)
    v = ember.randn(100000, dtype=ember.float64).numpy()
    assert abs(v.mean()) < 0.02 and abs(v.std() - 1) < 0.02
    c = ember.randn(50000, dtype=ember.complex64).numpy()
    assert abs(c.real.var() - 0.5) < 0.02 and abs(c.imag.var() - 0.5) < 0.02


def test_normal_overloads_statistics():
    ember.manual_seed(1)
    m = ember.full((50000,), 3.0)
    s = ember.full((50000,), 2.0)
    for x in (ember.normal(m, s), ember.normal(m, 2.0), ember.normal(3.0, s), ember.normal(3.0, 2.0, (50000,))):
        v = x.numpy()
        assert abs(v.mean() - 3) < 0.05 and abs(v.std() - 2) < 0.05
    assert ember.normal(ember.zeros(2, 1), ember.ones(3)).shape == (2, 3)


def test_randint_bounds_and_dtype():
    x = ember.randint(-3, 4, (10000,))
    assert x.dtype is ember.int64
    v = x.numpy()
    assert v.min() == -3 and v.max() == 3
    assert set(np.unique(v)) == set(range(-3, 4))
    assert ember.randint(5, (2, 3), dtype=ember.int8).dtype is ember.int8
    u8 = ember.empty(1000, dtype=ember.uint8).random_()
    assert u8.numpy().max() > 200
    f = ember.empty(1000).random_(10)
    assert f.numpy().min() >= 0 and f.numpy().max() <= 9 and (f.numpy() == np.round(f.numpy())).all()


def test_randperm_is_permutation():
    for n in (0, 1, 10, 1000):
        p = ember.randperm(n)
        assert p.dtype is ember.int64
        assert sorted(p.tolist()) == list(range(n))


def test_multinomial():
    ember.manual_seed(5)
    probs = ember.tensor([0.1, 0.2, 0.3, 0.4])
    for _ in range(20):
        idx = ember.multinomial(probs, 4).tolist()
        assert sorted(idx) == [0, 1, 2, 3]
    idx = ember.multinomial(probs, 20000, replacement=True).numpy()
    freq = np.bincount(idx, minlength=4) / 20000
    assert np.allclose(freq, [0.1, 0.2, 0.3, 0.4], atol=0.02)
    two = ember.multinomial(ember.tensor([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0]]), 2)
    assert two.shape == (2, 2) and two[0, 0].item() == 1
    assert ember.multinomial(ember.tensor([0.0, 5.0, 0.0]), 3, True).tolist() == [1, 1, 1]
    # without replacement, high-weight categories come first more often
    firsts = [ember.multinomial(ember.tensor([1.0, 100.0]), 2).tolist()[0] for _ in range(50)]
    assert sum(firsts) > 40


def test_bernoulli_frequency():
    ember.manual_seed(2)
    p = ember.full((40000,), 0.3)
    assert abs(ember.bernoulli(p).mean().item() - 0.3) < 0.02
    x = ember.empty(40000).bernoulli_(0.7)
    assert abs(x.mean().item() - 0.7) < 0.02
    assert set(np.unique(ember.bernoulli(p).numpy())) <= {0.0, 1.0}
    pt = ember.tensor([0.0, 1.0]).expand(20000, 2).contiguous()
    b = ember.empty(20000, 2).bernoulli_(pt).numpy()
    assert b[:, 0].sum() == 0 and b[:, 1].sum() == 20000


def test_other_distributions():
    ember.manual_seed(9)
    n = 50000
    e = ember.empty(n, dtype=ember.float64).exponential_(2.0).numpy()
    assert e.min() > 0 and abs(e.mean() - 0.5) < 0.02
    g = ember.empty(n, dtype=ember.float64).geometric_(0.25).numpy()
    assert g.min() >= 1 and abs(g.mean() - 4) < 0.15
    ln = ember.empty(n, dtype=ember.float64).log_normal_(0.0, 0.5).numpy()
    assert ln.min() > 0 and abs(np.log(ln).std() - 0.5) < 0.02
    c = ember.empty(n, dtype=ember.float64).cauchy_(1.0, 2.0).numpy()
    assert abs(np.median(c) - 1.0) < 0.1
    u = ember.empty(n).uniform_(-2, 5).numpy()
    assert u.min() >= -2 and u.max() < 5 and abs(u.mean() - 1.5) < 0.05
    p = ember.poisson(ember.full((n,), 4.0)).numpy()
    assert abs(p.mean() - 4) < 0.05 and (p == np.round(p)).all()


def test_like_samplers():
    x = ember.ones(3, 4, dtype=ember.float64)
    assert ember.rand_like(x).dtype is ember.float64 and ember.rand_like(x).shape == (3, 4)
    assert ember.randn_like(x, dtype=ember.float16).dtype is ember.float16
    r = ember.randint_like(x, 2, 5)
    assert r.dtype is ember.float64 and r.numpy().min() >= 2 and r.numpy().max() <= 4
    assert ember.rand_like(x, requires_grad=True).requires_grad


def test_inplace_on_leaf_requiring_grad():
    w = ember.empty(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        w.uniform_()
    with ember.no_grad():
        w.normal_()
    assert w.requires_grad and w.is_leaf


def test_normal_gradients_are_zero():
    m = ember.zeros(3, requires_grad=True)
    s = ember.ones(3, requires_grad=True)
    out = ember.normal(m, s)
    assert out.grad_fn.name() == "NormalBackward3"
    out.sum().backward()
    assert m.grad.tolist() == [0, 0, 0] and s.grad.tolist() == [0, 0, 0]


def test_generator_device_mismatch():
    g = ember.Generator()
    ember.rand(2, generator=g)
    with pytest.raises(TypeError):
        ember.rand(2, generator=object())
