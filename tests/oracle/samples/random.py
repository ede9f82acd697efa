"""Samples for ember/ops/random.py (random ops are compared by statistics in tests/test_random.py;
only deterministic properties appear here: shapes, dtypes, degenerate distributions, zero gradients,
errors)."""

from tests.oracle.harness import DT, case, positive, rand


def _zero(fn):
    """The op's output times zero: compares shape, dtype and the (zero) gradients with torch's."""
    return lambda lib, *a, **k: fn(lib, *a, **k) * 0


def _meta(fn):
    return lambda lib, *a, **k: (tuple(fn(lib, *a, **k).shape), fn(lib, *a, **k).dtype)


CASES = [
    # normal: the four overloads (zero gradients w.r.t. mean and std, as PyTorch)
    case("normal", rand(3, 4), positive(3, 4), fn=_zero(lambda lib, m, s: lib.normal(m, s))),
    case("normal", rand(2, 1), positive(3), fn=_zero(lambda lib, m, s: lib.normal(m, s))),
    case("normal", rand(3, dtype="float64"), fn=_zero(lambda lib, m: lib.normal(m, 2.0))),
    case("normal", positive(3), fn=_zero(lambda lib, s: lib.normal(1.0, s))),
    case("normal", rand(3, dtype="float16"), positive(3, dtype="float64"), fn=_zero(lambda lib, m, s: lib.normal(m, s))),
    case("normal", 2.0, 3.0, (2, 3), fn=_meta(lambda lib, *a: lib.normal(*a))),
    case("normal", 2.0, 3.0, (4,), dtype=DT("float64"), fn=_meta(lambda lib, *a, **k: lib.normal(*a, **k))),
    case("normal", rand(3), positive(3) * 0, fn=lambda lib, m, s: lib.normal(m, s), grad=False, id="normal_std0"),
    case("normal", rand(2), positive(3), raises=True),
    case("normal", rand(2), -positive(2), raises=True),
    case("normal", 0.0, -1.0, (2,), raises=True),
    case("normal", rand(2, dtype="int64"), 1.0, raises=True),
    # bernoulli
    case("bernoulli", positive(3, 4, low=0.0, high=1.0), fn=_zero(lambda lib, p: lib.bernoulli(p))),
    case("bernoulli", rand(3) * 0, fn=lambda lib, p: lib.bernoulli(p), grad=False, id="bernoulli_p0"),
    case("bernoulli", rand(3, dtype="float64") * 0 + 1, fn=lambda lib, p: lib.bernoulli(p), grad=False,
         id="bernoulli_p1"),
    case("bernoulli", rand(2, 3), 0.0, fn=lambda lib, x, p: lib.bernoulli(x, p), grad=False, id="bernoulli_scalar_p"),
    case("bernoulli", rand(2, 3, dtype="float64"), 1.0, fn=lambda lib, x, p: x.bernoulli(p), grad=False,
         id="bernoulli_scalar_p"),
    case("bernoulli", positive(3, low=0.0, high=1.0), fn=_meta(lambda lib, p: p.bernoulli()), grad=False),
    case("bernoulli", rand(3, dtype="int64"), raises=True),
    # factories: shapes and dtypes
    case("rand", 2, 3, fn=_meta(lambda lib, *a: lib.rand(*a))),
    case("rand", (4,), dtype=DT("float64"), fn=_meta(lambda lib, *a, **k: lib.rand(*a, **k))),
    case("rand", 2, dtype=DT("bfloat16"), fn=_meta(lambda lib, *a, **k: lib.rand(*a, **k))),
    case("rand", 2, dtype=DT("complex64"), fn=_meta(lambda lib, *a, **k: lib.rand(*a, **k))),
    case("rand", 2, dtype=DT("int64"), raises=True),
    case("randn", 3, fn=_meta(lambda lib, *a: lib.randn(*a))),
    case("randn", 0, 2, dtype=DT("float16"), fn=_meta(lambda lib, *a, **k: lib.randn(*a, **k))),
    case("randn", 2, dtype=DT("complex128"), fn=_meta(lambda lib, *a, **k: lib.randn(*a, **k))),
    case("randn", 2, dtype=DT("int32"), raises=True),
    case("randint", 5, (3,), fn=_meta(lambda lib, *a: lib.randint(*a))),
    case("randint", 2, 5, (3, 2), dtype=DT("int16"), fn=_meta(lambda lib, *a, **k: lib.randint(*a, **k))),
    case("randint", 0, 5, (3,), dtype=DT("float32"), fn=_meta(lambda lib, *a, **k: lib.randint(*a, **k))),
    case("randint", 3, 4, (5,), fn=lambda lib, *a: lib.randint(*a), id="randint_single_value"),
    case("randint", 5, 3, (2,), raises=True),
    case("randint", 3, 5, raises=True),
    case("randperm", 5, fn=lambda lib, n: lib.randperm(n).sort().values, id="randperm_sorted"),
    case("randperm", 4, dtype=DT("int32"), fn=_meta(lambda lib, n, **k: lib.randperm(n, **k))),
    case("randperm", 0, fn=lambda lib, n: lib.randperm(n)),
    case("multinomial", positive(4), 2, fn=_meta(lambda lib, p, n: lib.multinomial(p, n))),
    case("multinomial", positive(3, 4), 6, True, fn=_meta(lambda lib, p, n, r: lib.multinomial(p, n, r))),
    case("multinomial", rand(3).__mul__(0).__add__([0, 1, 0]).astype("float32"), 4, True,
         fn=lambda lib, p, n, r: lib.multinomial(p, n, r), grad=False, id="multinomial_onehot"),
    case("multinomial", positive(3), 4, raises=True),
    case("multinomial", positive(3) * 0, 1, raises=True),
    case("multinomial", -positive(3), 1, raises=True),
    case("poisson", positive(2, 3), fn=_meta(lambda lib, r: lib.poisson(r)), grad=False),
    case("poisson", rand(3) * 0, fn=lambda lib, r: lib.poisson(r), grad=False, id="poisson_rate0"),
    case("rand_like", rand(2, 3, dtype="float64"), fn=_meta(lambda lib, x: lib.rand_like(x))),
    case("randn_like", rand(2, 3), dtype=DT("float16"), fn=_meta(lambda lib, x, **k: lib.randn_like(x, **k))),
    case("randint_like", rand(2, 3), 5, fn=_meta(lambda lib, x, h: lib.randint_like(x, h))),
    case("randint_like", rand(4, dtype="int8"), 3, 4, fn=lambda lib, x, lo, hi: lib.randint_like(x, lo, hi),
         id="randint_like_single_value"),
    case("rand_like", rand(2, dtype="int64"), raises=True),
    # in-place samplers: dtypes/shapes preserved, degenerate ranges exact, errors
    case("uniform_", rand(2, 3), 2.0, 2.0, fn=lambda lib, x, a, b: x.detach().uniform_(a, b), grad=False),
    case("uniform_", rand(3, dtype="int64"), raises=True, fn=lambda lib, x: x.uniform_()),
    case("uniform_", rand(3), 2.0, 1.0, raises=True, fn=lambda lib, x, a, b: x.detach().uniform_(a, b)),
    case("normal_", rand(2, 3), 5.0, 0.0, fn=lambda lib, x, m, s: x.detach().normal_(m, s), grad=False),
    case("normal_", rand(3), 0.0, -1.0, raises=True, fn=lambda lib, x, m, s: x.detach().normal_(m, s)),
    case("random_", rand(5), 3, 4, fn=lambda lib, x, a, b: x.detach().random_(a, b), grad=False),
    case("random_", rand(5, dtype="int8"), 1, fn=lambda lib, x, a: x.random_(a)),
    case("random_", rand(5), 5, 3, raises=True, fn=lambda lib, x, a, b: x.detach().random_(a, b)),
    case("bernoulli_", rand(4), 0.0, fn=lambda lib, x, p: x.detach().bernoulli_(p), grad=False),
    case("bernoulli_", rand(4, dtype="int32"), 1.0, fn=lambda lib, x, p: x.bernoulli_(p)),
    case("exponential_", rand(4), 0.0, raises=True, fn=lambda lib, x, la: x.detach().exponential_(la)),
    case("geometric_", rand(4), 1.5, raises=True, fn=lambda lib, x, p: x.detach().geometric_(p)),
    case("cauchy_", rand(4), fn=_meta(lambda lib, x: x.detach().cauchy_()), grad=False),
    case("log_normal_", rand(4, dtype="float64"), fn=_meta(lambda lib, x: x.detach().log_normal_()), grad=False),
    case("uniform_", rand(3), fn=lambda lib, x: x.uniform_(), raises=True, id="uniform_leaf_requires_grad"),
]
