"""Float64 finite-difference checks of backward rules (first and second order) for a
representative subset of ops from every family, independent of PyTorch; and gradcheck's
own behaviour (it must catch a wrong rule and name the mismatch)."""

import numpy as np
import pytest

import ember
from ember.autograd import GradcheckError, gradcheck, gradgradcheck
from ember.ops.registry import Op

rng = np.random.default_rng(0)


def t(*shape, low=-1.0, high=1.0):
    return ember.tensor(rng.uniform(low, high, shape), dtype=ember.float64, requires_grad=True)


def sym(a):
    return (a + a.mT) / 2


def spd(n):
    a = rng.standard_normal((n, n))
    return ember.tensor(a @ a.T + n * np.eye(n), requires_grad=True)


CHECKS = {
    # pointwise
    "mul-broadcast": (lambda a, b: a * b, lambda: (t(3, 4), t(4))),
    "div": (lambda a, b: a / b, lambda: (t(3), t(3, low=0.5, high=2))),
    "pow-tensor": (lambda a, b: a ** b, lambda: (t(3, low=0.5, high=2), t(3))),
    "sin-exp-log": (lambda a: a.sin() * a.exp() + (a * a + 1).log(), lambda: (t(5),)),
    "atan2": (lambda a, b: ember.atan2(a, b), lambda: (t(4), t(4, low=0.5, high=1))),
    "lgamma-digamma": (lambda a: ember.lgamma(a) + ember.digamma(a), lambda: (t(4, low=0.5, high=3),)),
    "erfinv": (lambda a: ember.erfinv(a), lambda: (t(4, low=-0.8, high=0.8),)),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), lambda: (t(6),)),
    "lerp-addcdiv": (lambda a, b, c: ember.lerp(a, b, c) + ember.addcdiv(a, b, c + 2, value=0.5),
                     lambda: (t(3), t(3), t(3))),
    # activations
    "sigmoid-tanh": (lambda a: a.sigmoid() * a.tanh(), lambda: (t(5),)),
    "softmax": (lambda a: a.softmax(-1), lambda: (t(2, 5),)),
    "log_softmax": (lambda a: a.log_softmax(0), lambda: (t(4, 3),)),
    "where": (lambda a, b: ember.where(a > 0, a, b), lambda: (t(5), t(5))),
    # reductions
    "sum-mean": (lambda a: a.sum(0).sum() + a.mean(1, keepdim=True).sum(), lambda: (t(3, 4),)),
    "prod": (lambda a: a.prod(1), lambda: (t(3, 4),)),
    "std-var": (lambda a: a.std(0) + a.var(1).sum(), lambda: (t(4, 4),)),
    "logsumexp": (lambda a: a.logsumexp(1), lambda: (t(3, 4),)),
    "amax": (lambda a: a.amax(0), lambda: (t(4, 3),)),
    "cumsum-cumprod": (lambda a: a.cumsum(0) + a.cumprod(1), lambda: (t(3, 3),)),
    "norm": (lambda a: a.norm(), lambda: (t(3, 4),)),
    # shape
    "cat-stack": (lambda a, b: ember.cat([a, b], 1).sum(0)[:3] * ember.stack([a, b]).sum((0, 1)),
                  lambda: (t(2, 3), t(2, 3))),
    "permute-reshape-flip": (lambda a: a.permute(2, 0, 1).reshape(4, -1).flip(0), lambda: (t(2, 3, 4),)),
    "split-unbind": (lambda a: a.split([1, 3], 1)[1] * a.unbind(0)[0][:3], lambda: (t(2, 4),)),
    "tril-diagonal": (lambda a: a.tril().sum() + a.diagonal().prod(), lambda: (t(3, 3),)),
    "unfold-roll": (lambda a: a.unfold(0, 3, 2).roll(1, 1), lambda: (t(7),)),
    "expand-repeat": (lambda a: a.expand(3, 4) * a.repeat(3, 1), lambda: (t(1, 4),)),
    # indexing
    "getitem-advanced": (lambda a: a[ember.tensor([0, 2, 0])][:, 1:], lambda: (t(3, 4),)),
    "gather-scatter": (lambda a, b: a.gather(1, ember.tensor([[0, 0], [1, 2]])) +
                       a.scatter(1, ember.tensor([[1, 0], [0, 2]]), b)[:, :2], lambda: (t(2, 3), t(2, 2))),
    "index_add-masked_fill": (lambda a, b: a.index_add(0, ember.tensor([0, 0]), b).masked_fill(a > 0.5, 2.0),
                              lambda: (t(3, 2), t(2, 2))),
    "sort-topk": (lambda a: a.sort(1).values * a.topk(4, 1).values, lambda: (t(3, 4),)),
    # linear algebra
    "matmul-batched": (lambda a, b: a @ b, lambda: (t(2, 3, 4), t(4, 2))),
    "einsum": (lambda a, b: ember.einsum("bij,jk->bik", a, b), lambda: (t(2, 3, 4), t(4, 2))),
    "inv-det": (lambda a: ember.linalg.inv(a).sum() + ember.linalg.det(a), lambda: (spd(3),)),
    "solve": (lambda a, b: ember.linalg.solve(a, b), lambda: (spd(3), t(3, 2))),
    # these read one triangle only: differentiate through a symmetric input, as gradcheck needs
    "cholesky": (lambda a: ember.linalg.cholesky(sym(a)), lambda: (spd(3),)),
    "eigvalsh-svdvals": (lambda a: ember.linalg.eigvalsh(sym(a)) + ember.linalg.svdvals(a), lambda: (spd(3),)),
    "vector_norm": (lambda a: ember.linalg.vector_norm(a, 3, dim=1), lambda: (t(3, 4),)),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_first_order_matches_finite_differences(name):
    fn, make = CHECKS[name]
    assert gradcheck(fn, make())


@pytest.mark.parametrize("name", [
    "mul-broadcast", "div", "sin-exp-log", "sigmoid-tanh", "softmax", "log_softmax", "prod", "std-var",
    "logsumexp", "cat-stack", "getitem-advanced", "matmul-batched", "inv-det", "cholesky",
])
def test_second_order_matches_finite_differences(name):
    fn, make = CHECKS[name]
    assert gradgradcheck(fn, make())


def test_gradcheck_catches_a_wrong_rule_and_names_it():
    bad = Op("bad_square", lambda xp, a: a * a)  # not registered: a test-only op
    bad.defbackward(lambda ctx, g: g * ctx.args[0] * 3)  # should be 2 * a

    from ember._dispatch import dispatch
    x = t(3)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(lambda a: dispatch(bad, a), (x,))
    assert gradcheck(lambda a: dispatch(bad, a), (x,), raise_exception=False) is False


def test_gradcheck_warns_for_single_precision_inputs():
    x = ember.tensor([0.5, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision floating point"):
        gradcheck(lambda a: a * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (ember.tensor([1.0], dtype=ember.float64),))
