"""Autograd basics against PyTorch: accumulation, graph release, higher order, grad modes, errors."""

import threading

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="autograd oracle tests need PyTorch: pip install -e '.[test]'")


def both(arr, requires_grad=True):
    """The same leaf in ember and torch."""
    return (ember.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad))


def close(e, t, **kw):
    np.testing.assert_allclose(np.asarray(e.detach().numpy()), t.detach().numpy(), rtol=1e-6, atol=1e-6, **kw)


A = np.random.default_rng(0).uniform(-1, 1, (3, 4)).astype(np.float32)
B = np.random.default_rng(1).uniform(-1, 1, (4,)).astype(np.float32)


def test_broadcast_gradients_reduce_to_input_shape():
    (ea, ta), (eb, tb) = both(A), both(B)
    for a, b in ((ea, eb), (ta, tb)):
        (a * b + b).exp().sum().backward()
    close(ea.grad, ta.grad)
    close(eb.grad, tb.grad)
    assert tuple(eb.grad.shape) == (4,)


def test_grad_accumulates_across_backward_calls_and_can_be_reset():
    (ea, ta) = both(A)
    for a in (ea, ta):
        (a * 2).sum().backward()
        (a * a).sum().backward()
    close(ea.grad, ta.grad)
    ea.grad = None
    (ea * 3).sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), 3)


def test_shared_subexpression_and_unused_branch():
    (ea, ta) = both(A)
    for a in (ea, ta):
        y = a.exp()
        unused = y * 5  # noqa: F841 - a branch that never reaches the output
        ((y * y) + y).sum().backward()
    close(ea.grad, ta.grad)


def test_second_backward_through_freed_graph_raises_torch_error():
    ea, ta = both(A)
    ye, yt = (ea.exp() * ea).sum(), (ta.exp() * ta).sum()
    ye.backward()
    yt.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        ye.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        yt.backward()


def test_retain_graph_allows_second_backward():
    ea, ta = both(A)
    for a in (ea, ta):
        y = (a.exp() * a).sum()
        y.backward(retain_graph=True)
        y.backward()
    close(ea.grad, ta.grad)


@pytest.mark.parametrize("order", [2, 3])
def test_higher_order_derivatives_match_torch(order):
    x = np.array([0.3, -0.7, 1.2], dtype=np.float64)
    ex, tx = both(x)
    results = []
    for lib, v in ((ember, ex), (torch, tx)):
        y = (v * v * v).exp().sum()
        g = y
        for _ in range(order):
            (g,) = lib.autograd.grad(g, v, create_graph=True)
            g = g.sum()
        results.append(g)
    np.testing.assert_allclose(results[0].item(), results[1].item(), rtol=1e-10)


def test_hessian_vector_product():
    x = np.array([0.5, -1.0, 2.0])
    vvec = np.array([1.0, 0.5, -2.0])
    out = []
    for lib in (ember, torch):
        xx = lib.tensor(x, requires_grad=True)
        v = lib.tensor(vvec)
        (g,) = lib.autograd.grad((xx.exp() * xx).sum(), xx, create_graph=True)
        (hv,) = lib.autograd.grad((g * v).sum(), xx)
        out.append(hv)
    close(*out)


def test_nonscalar_backward_needs_gradient():
    ea, ta = both(A)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (ea * 2).backward()
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (ta * 2).backward()
    g = np.ones_like(A)
    (ea * 2).backward(ember.tensor(g))
    (ta * 2).backward(torch.tensor(g))
    close(ea.grad, ta.grad)


def test_backward_on_tensor_without_grad_raises():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.tensor([1.0, 2.0]).sum().backward()


def test_grad_fn_names_and_leaf_flags():
    ea, ta = both(A)
    for expr in (lambda a: a * 2, lambda a: a + a, lambda a: a.sum(), lambda a: a.sum(0), lambda a: a.exp(),
                 lambda a: a / 2, lambda a: -a, lambda a: a.t(), lambda a: a @ a.t(), lambda a: a.mean()):
        e, t = expr(ea), expr(ta)
        assert e.grad_fn.name() == t.grad_fn.name()
        assert e.is_leaf is False and e.requires_grad is True
    assert ea.is_leaf and ea.grad_fn is None
    assert ember.tensor([1.0]).is_leaf


def test_next_functions_structure():
    ea, ta = both(A)
    e, t = ea * 2, ta * 2
    assert len(e.grad_fn.next_functions) == len(t.grad_fn.next_functions)
    assert type(e.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    assert e.grad_fn.next_functions[1] == (None, 0)
    assert t.grad_fn.next_functions[1] == (None, 0)
    assert e.grad_fn.next_functions[0][0].variable is ea


def test_integer_outputs_do_not_require_grad():
    ea, _ = both(A)
    assert not (ea > 0).requires_grad
    assert (ea > 0).grad_fn is None


def test_no_grad_context_and_decorator():
    ea, _ = both(A)
    with ember.no_grad():
        y = ea * 2
    assert not y.requires_grad and y.grad_fn is None

    @ember.no_grad()
    def f(x):
        return x * 2
    assert not f(ea).requires_grad
    assert (ea * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []
    with ember.no_grad():
        t = threading.Thread(target=lambda: seen.append(ember.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_inplace_on_leaf_requiring_grad_raises_but_works_under_no_grad():
    ea, ta = both(A)
    for a in (ea, ta):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            a.add_(1)
    with ember.no_grad():
        ea.add_(1)
    np.testing.assert_allclose(ea.detach().numpy(), A + 1)


def test_inplace_on_non_leaf_keeps_gradients_right():
    ea, ta = both(A)
    for a in (ea, ta):
        y = a * 1
        y.mul_(a)
        y.add_(a, alpha=2)
        y.exp_()
        y.sum().backward()
    close(ea.grad, ta.grad)


def test_autograd_grad_options():
    ea, ta = both(A)
    eb, tb = both(B)
    for lib, a, b in ((ember, ea, eb), (torch, ta, tb)):
        y = (a * 3).sum()
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            lib.autograd.grad(y, [a, b], retain_graph=True)
        ga, gb = lib.autograd.grad(y, [a, b], allow_unused=True, retain_graph=True)
        assert gb is None
        ga2, gb2 = lib.autograd.grad(y, [a, b], materialize_grads=True)
        assert float(gb2.abs().sum()) == 0.0 and tuple(gb2.shape) == (4,)
    assert ea.grad is None  # grad() never accumulates


def test_autograd_grad_of_intermediate():
    ea, ta = both(A)
    res = []
    for lib, a in ((ember, ea), (torch, ta)):
        h = a.exp()
        y = (h * h).sum()
        (gh,) = lib.autograd.grad(y, h)
        res.append(gh)
    close(*res)


def test_backward_inputs_restricts_accumulation():
    (ea, ta), (eb, tb) = both(A), both(B)
    for a, b in ((ea, eb), (ta, tb)):
        (a * b).sum().backward(inputs=[b])
    assert ea.grad is None and ta.grad is None
    close(eb.grad, tb.grad)


def test_retain_grad_on_non_leaf():
    ea, ta = both(A)
    ys = []
    for a in (ea, ta):
        y = a.exp()
        y.retain_grad()
        (y * y).sum().backward()
        ys.append(y)
    close(ys[0].grad, ys[1].grad)
    assert ys[0].retains_grad


def test_tensor_and_node_hooks():
    ea, ta = both(A)
    for a in (ea, ta):
        a.register_hook(lambda g: g * 2)
        y = a * 3
        y.register_hook(lambda g: g + 1)
        y.sum().backward()
    close(ea.grad, ta.grad)
    h = ea.register_hook(lambda g: g * 100)
    h.remove()
    ea.grad = None
    (ea * 1).sum().backward()
    np.testing.assert_allclose(ea.grad.numpy(), 2)  # only the first (doubling) hook remains


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can require gradients"):
        ember.tensor([1, 2]).requires_grad_()
    y = ember.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad = False
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None


def test_matmul_backward_batched_and_vector_cases():
    rng = np.random.default_rng(3)
    shapes = [((2, 3, 4), (4, 5)), ((4,), (2, 4, 3)), ((5, 4), (4,)), ((4,), (4,))]
    for sa, sb in shapes:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        (ea, ta), (eb, tb) = both(a), both(b)
        (ea @ eb).sum().backward()
        (ta @ tb).sum().backward()
        close(ea.grad, ta.grad)
        close(eb.grad, tb.grad)


def _hook_call_order(lib) -> list:
    calls = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: calls.append("leaf-hook-1"))
    x.register_hook(lambda g: calls.append("leaf-hook-2"))
    x.register_post_accumulate_grad_hook(lambda t: calls.append("post-accumulate"))
    y = x * 3
    y.register_hook(lambda g: calls.append("y-hook"))
    y.grad_fn.register_prehook(lambda go: calls.append("y-node-prehook"))
    y.grad_fn.register_hook(lambda gi, go: calls.append("y-node-hook"))
    z = y.exp()
    z.grad_fn.register_hook(lambda gi, go: calls.append("z-node-hook"))
    z.sum().backward()
    return calls


def test_hook_call_order_matches_torch():
    assert _hook_call_order(ember) == _hook_call_order(torch)


def test_node_hook_can_replace_input_gradients():
    res = []
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, None))
        y.sum().backward()
        res.append(x.grad.tolist())
    assert res[0] == res[1] == [30.0, 30.0]


def test_first_gradient_never_aliases_a_tensor_someone_else_holds():
    # a user's gradient= tensor: backward twice must not change it (PyTorch copies it into .grad)
    x = ember.ones(3, requires_grad=True)
    g = ember.ones(3)
    x.backward(g)
    x.backward(g)
    assert g.tolist() == [1.0, 1.0, 1.0] and x.grad.tolist() == [2.0, 2.0, 2.0]
    # a gradient a hook kept, and one retain_grad stored, stay independent of the leaf's .grad
    w = ember.ones(3, requires_grad=True)
    kept = []
    y = w + 0
    y.register_hook(lambda t: kept.append(t))
    y.retain_grad()
    y.backward(ember.full((3,), 2.0))
    y2 = w + 0
    y2.backward(ember.full((3,), 5.0))
    assert kept[0].tolist() == [2.0] * 3 and y.grad.tolist() == [2.0] * 3 and w.grad.tolist() == [7.0] * 3
    # a gradient handed to two leaves is not shared between their .grad
    a, b = ember.ones(2, requires_grad=True), ember.ones(2, requires_grad=True)
    (a + b).sum().backward()
    (a + b).sum().backward()
    a.grad.add_(1.0)
    assert b.grad.tolist() == [2.0, 2.0]


def test_linear_weight_gradient_comes_in_the_weights_layout():
    lin = ember.nn.Linear(3, 4)
    lin(ember.ones(2, 3)).sum().backward()
    assert lin.weight.grad.is_contiguous() and lin.weight.grad.shape == lin.weight.shape
    t = torch.nn.Linear(3, 4)
    t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in lin.state_dict().items()})
    t(torch.ones(2, 3)).sum().backward()
    assert np.allclose(lin.weight.grad.numpy(), t.weight.grad.numpy())
