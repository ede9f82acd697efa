"""ember.autograd.functional against torch.autograd.functional on the same functions."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="autograd oracle tests need PyTorch: pip install -e '.[test]'")

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 1.5, (3,)).astype(np.float64)
Y = RNG.uniform(0.5, 1.5, (3,)).astype(np.float64)
M = RNG.uniform(-1, 1, (2, 3)).astype(np.float64)
W = RNG.uniform(-1, 1, (3, 3)).astype(np.float64)
V3 = RNG.uniform(-1, 1, (3,)).astype(np.float64)
V2 = RNG.uniform(-1, 1, (2,)).astype(np.float64)


def lib_of(t):
    return ember if isinstance(t, ember.Tensor) else torch


# functions written once, for either library
def f_pointwise(x):
    return (x.exp() * x - x.log() / (x + 1)) ** 2


def f_sin(x):
    return lib_of(x).sin(x) * x


def f_two_in_two_out(x, y):
    return x * y + x.exp(), (x / y).sum()


def f_matmul(m):
    w = lib_of(m).tensor(W)
    return lib_of(m).matmul(m, w).pow(2)


def f_scalar(x):
    return (x.pow(3) * x.exp()).sum()


def f_scalar2(x, y):
    return (x * x * y + y.log() * x).sum()


def f_independent(x, y):
    return x * 2


def f_linear(x):
    return x * 3


def conv(obj, to):
    """Nested tuples of arrays / tensors -> the same structure in library ``to``."""
    if isinstance(obj, tuple):
        return tuple(conv(o, to) for o in obj)
    if isinstance(obj, np.ndarray):
        return to.tensor(obj)
    return obj


def assert_same(e, t):
    if isinstance(t, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            assert_same(a, b)
        return
    assert isinstance(e, ember.Tensor), type(e)
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert e.requires_grad == t.requires_grad
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)


def both(name, func, inputs, *args, **kwargs):
    re = getattr(ember.autograd.functional, name)(func, conv(inputs, ember), *conv(args, ember), **kwargs)
    rt = getattr(torch.autograd.functional, name)(func, conv(inputs, torch), *conv(args, torch), **kwargs)
    assert_same(re, rt)
    return re, rt


def raises_same(name, func, inputs, *args, **kwargs):
    with pytest.raises(Exception) as et:
        getattr(torch.autograd.functional, name)(func, conv(inputs, torch), *conv(args, torch), **kwargs)
    with pytest.raises(Exception) as ee:
        getattr(ember.autograd.functional, name)(func, conv(inputs, ember), *conv(args, ember), **kwargs)
    assert type(ee.value) is type(et.value)
    assert str(ee.value).replace("ember.", "torch.") == str(et.value)


# --- vjp / jvp ------------------------------------------------------------------------------

@pytest.mark.parametrize("create_graph", [False, True])
def test_vjp(create_graph):
    both("vjp", f_pointwise, X, V3, create_graph=create_graph)
    both("vjp", f_sin, X, V3, create_graph=create_graph)
    both("vjp", f_matmul, M, (M * 0 + 1), create_graph=create_graph)
    both("vjp", f_two_in_two_out, (X, Y), (V3, np.array(2.0)), create_graph=create_graph)
    both("vjp", f_scalar, X, create_graph=create_graph)  # v may be omitted for a one-element output


@pytest.mark.parametrize("create_graph", [False, True])
def test_jvp(create_graph):
    both("jvp", f_pointwise, X, V3, create_graph=create_graph)
    both("jvp", f_matmul, M, M[::-1].copy(), create_graph=create_graph)
    both("jvp", f_two_in_two_out, (X, Y), (V3, Y), create_graph=create_graph)
    both("jvp", f_pointwise, np.array([1.3]))


def test_vjp_jvp_with_unused_input_give_zeros():
    both("vjp", f_independent, (X, Y), V3)
    both("jvp", f_independent, (X, Y), (V3, V3))


def test_vjp_jvp_errors():
    raises_same("vjp", f_pointwise, X)  # v needed for a non-scalar output
    raises_same("vjp", f_pointwise, X, V2)  # wrong size
    raises_same("vjp", f_two_in_two_out, (X, Y), (V3,))  # tuple of the wrong length
    raises_same("vjp", f_pointwise, X, (V3, V3))
    raises_same("jvp", f_pointwise, X)
    raises_same("vjp", lambda x: 3.0, X)  # output not a tensor
    raises_same("vjp", f_pointwise, [X])  # inputs not a tensor / tuple
    raises_same("vjp", f_independent, (X, Y), V3, strict=True)
    raises_same("jvp", f_independent, (X, Y), (V3, V3), strict=True)
    raises_same("vjp", lambda x: x.detach() * 1, X, V3, strict=True)


def test_vjp_with_create_graph_is_differentiable():
    xs = {}
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        _, g = lib.autograd.functional.vjp(f_pointwise, x, lib.tensor(V3), create_graph=True)
        g.sum().backward()
        xs[lib] = x.grad
    np.testing.assert_allclose(xs[ember].numpy(), xs[torch].numpy(), rtol=1e-10)


# --- jacobian --------------------------------------------------------------------------------

@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_nesting(create_graph, vectorize):
    both("jacobian", f_pointwise, X, create_graph=create_graph, vectorize=vectorize)
    both("jacobian", f_matmul, M, create_graph=create_graph, vectorize=vectorize)
    both("jacobian", f_scalar, X, create_graph=create_graph, vectorize=vectorize)
    both("jacobian", f_two_in_two_out, (X, Y), create_graph=create_graph, vectorize=vectorize)
    both("jacobian", f_scalar2, (X, Y), create_graph=create_graph, vectorize=vectorize)
    both("jacobian", lambda x: (x * 2, x.sum()), X, create_graph=create_graph, vectorize=vectorize)
    both("jacobian", f_sin, (X,), create_graph=create_graph, vectorize=vectorize)


def test_jacobian_unused_input_and_strict():
    both("jacobian", f_independent, (X, Y))
    raises_same("jacobian", f_independent, (X, Y), strict=True)
    raises_same("jacobian", f_independent, (X, Y), strict=True, vectorize=True)
    raises_same("jacobian", f_linear, X, strict=True, create_graph=True)
    both("jacobian", f_pointwise, X, strict=True)


def test_jacobian_strategies():
    both("jacobian", f_pointwise, X, vectorize=True, strategy="forward-mode")
    both("jacobian", f_two_in_two_out, (X, Y), vectorize=True, strategy="forward-mode")
    raises_same("jacobian", f_pointwise, X, strategy="forward-mode")  # needs vectorize=True
    raises_same("jacobian", f_pointwise, X, strategy="forward-mode", create_graph=True)
    raises_same("jacobian", f_pointwise, X, strategy="forward-mode", vectorize=True, strict=True)
    raises_same("jacobian", f_pointwise, X, strategy="sideways")


# --- hessian / hvp / vhp ----------------------------------------------------------------------

@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian(create_graph):
    both("hessian", f_scalar, X, create_graph=create_graph)
    both("hessian", f_scalar2, (X, Y), create_graph=create_graph)
    both("hessian", lambda m: f_matmul(m).sum(), M, create_graph=create_graph)
    both("hessian", lambda x: lib_of(x).sin(x).sum(), X, create_graph=create_graph)


def test_hessian_options_and_errors():
    both("hessian", f_scalar, X, vectorize=True)
    both("hessian", f_scalar, X, vectorize=True, outer_jacobian_strategy="forward-mode")
    raises_same("hessian", f_pointwise, X)  # not a single element
    raises_same("hessian", lambda x: (x.sum(), x.sum()), X)
    raises_same("hessian", lambda x: (x * 3).sum(), X, strict=True)  # linear: jacobian independent of x
    raises_same("hessian", f_scalar, X, outer_jacobian_strategy="sideways")
    both("hessian", lambda x, y: (x * x).sum(), (X, Y))


@pytest.mark.parametrize("name", ["hvp", "vhp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_hvp_vhp(name, create_graph):
    both(name, f_scalar, X, V3, create_graph=create_graph)
    both(name, f_scalar2, (X, Y), (V3, Y), create_graph=create_graph)
    both(name, lambda m: f_matmul(m).sum(), M, M * 2, create_graph=create_graph)
    both(name, f_scalar, np.array([0.7]), create_graph=create_graph)  # v may be omitted for one element
    both(name, lambda x, y: (x * x).sum(), (X, Y), (V3, V3))


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hvp_vhp_errors(name):
    raises_same(name, f_scalar, X)
    raises_same(name, f_pointwise, X, V3)
    raises_same(name, lambda x: (x.sum(), x.sum()), X, V3)
    raises_same(name, f_scalar, X, V2)
    raises_same(name, lambda x: (x * 3).sum(), X, V3, strict=True)
    raises_same(name, lambda x, y: (x * x).sum(), (X, Y), (V3, V3), strict=True)


def test_results_do_not_keep_graph_without_create_graph():
    x = ember.tensor(X, requires_grad=True)
    out, g = ember.autograd.functional.vjp(f_pointwise, x, ember.tensor(V3))
    assert not out.requires_grad and not g.requires_grad
    h = ember.autograd.functional.hessian(f_scalar, x)
    assert not h.requires_grad and x.grad is None
