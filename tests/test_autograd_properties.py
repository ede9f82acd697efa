"""Property tests: random expression graphs give PyTorch's values and gradients (first and second order)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember

torch = pytest.importorskip("torch", reason="autograd oracle tests need PyTorch: pip install -e '.[test]'")

# each op takes previously computed values (by index) and returns a new one; all keep shape (3, 4)
# or broadcast back to it, so any value can feed any op
UNARY = {
    "exp": lambda v: (v * 0.3).exp(),
    "tanh": lambda v: v.tanh(),
    "sin": lambda v: v.sin(),
    "sigmoid": lambda v: v.sigmoid(),
    "square": lambda v: v * v,
    "softplus-ish": lambda v: (v.exp() + 1).log(),
    "row-sum": lambda v: v.sum(1, keepdim=True) * 0.25 + v * 0,
    "col-mean": lambda v: v.mean(0) + v * 0,
    "transpose-back": lambda v: v.t().contiguous().t(),
    "slice-sum": lambda v: v[:, 1:].sum(1, keepdim=True) + v,
    "softmax": lambda v: v.softmax(-1),
    "abs-ish": lambda v: (v * v + 1).sqrt(),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "matmul": lambda a, b: (a @ b.t()) @ b * 0.1,
    "max": lambda a, b: a.maximum(b),
    "where": lambda a, b: (a > b) * a + (a <= b) * b * 0.5,
}

step = st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 20)),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("inplace"), st.sampled_from(["mul_", "add_"]), st.integers(0, 20)),
)


def run_program(lib, program, inputs, order: int):
    xs = [lib.tensor(a, requires_grad=True) for a in inputs]
    values = list(xs)
    for s in program:
        if s[0] == "u":
            values.append(UNARY[s[1]](values[s[2] % len(values)]))
        elif s[0] == "b":
            values.append(BINARY[s[1]](values[s[2] % len(values)], values[s[3] % len(values)]))
        else:  # an in-place step on a fresh non-leaf copy
            v = values[s[2] % len(values)] * 1
            getattr(v, s[1])(0.5)
            values.append(v)
    out = sum(v.sum() for v in values[len(xs):]) if len(values) > len(xs) else xs[0].sum()
    grads = lib.autograd.grad(out, xs, create_graph=order > 1, allow_unused=True)
    if order > 1:
        total = sum(g.sum() for g in grads if g is not None and g.requires_grad)
        if isinstance(total, int):
            return out, grads, None
        return out, grads, lib.autograd.grad(total, xs, allow_unused=True)
    return out, grads, None


def _np(t):
    return None if t is None else t.detach().numpy()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.lists(step, min_size=1, max_size=8), seed=st.integers(0, 2**16), order=st.sampled_from([1, 2]))
def test_random_graphs_match_torch(program, seed, order):
    rng = np.random.default_rng(seed)
    inputs = [rng.uniform(-1.5, 1.5, (3, 4)) for _ in range(2)]
    e_out, e_g, e_gg = run_program(ember, program, inputs, order)
    t_out, t_g, t_gg = run_program(torch, program, inputs, order)
    np.testing.assert_allclose(_np(e_out), _np(t_out), rtol=1e-9, atol=1e-9)
    for eg, tg in zip(e_g, t_g):
        if tg is None:
            assert eg is None or not np.any(_np(eg))
        else:
            np.testing.assert_allclose(_np(eg), _np(tg), rtol=1e-8, atol=1e-9)
    if t_gg is not None and e_gg is not None:
        for eg, tg in zip(e_gg, t_gg):
            if tg is not None and eg is not None:
                np.testing.assert_allclose(_np(eg), _np(tg), rtol=1e-7, atol=1e-8)
