"""In-place safety: saved tensors modified before backward raise PyTorch's error; shape-only
uses do not."""

import pytest

import ember

torch = pytest.importorskip("torch", reason="autograd oracle tests need PyTorch: pip install -e '.[test]'")

ERROR_PROGRAMS = {
    # a saved input of mul, modified after recording: named by its current grad_fn
    "input-of-mul": lambda lib, x: (lambda y: (y * y, y.add_(1)))(x * 2)[0],
    # a saved output (exp reads its result)
    "output-of-exp": lambda lib, x: (lambda y: (y.add_(1), y)[1])(x.exp()),
    "output-of-sigmoid": lambda lib, x: (lambda y: (y * 3, y.mul_(2))[0])(x.sigmoid()),
    # a leaf that does not require grad, saved by mul
    "leaf-input": lambda lib, x: (lambda w: (x * w, w.add_(1))[0])(lib.ones(3)),
}

FINE_PROGRAMS = {
    "add-does-not-save": lambda lib, x: (lambda y: (y + 1, y.mul_(2))[0])(x * 1),
    "sum-does-not-save": lambda lib, x: (lambda y: (y.sum(), y.mul_(2))[0])(x * 1),
    "view-does-not-save": lambda lib, x: (lambda y: (y.view(3, 1) * 2, y.mul_(2))[0])(x * 1),
    "exp-input-not-saved": lambda lib, x: (lambda y: (y.exp(), y.mul_(2))[0])(x * 1),
    "relu-inplace-after-linear": lambda lib, x: (x * 2 + 1).relu_(),
}


def _run(lib, program):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    program(lib, x).sum().backward()
    return x.grad


@pytest.mark.parametrize("name", list(ERROR_PROGRAMS))
def test_modified_saved_tensor_raises_torch_error(name):
    program = ERROR_PROGRAMS[name]
    with pytest.raises(RuntimeError) as te:
        _run(torch, program)
    with pytest.raises(RuntimeError) as ee:
        _run(ember, program)
    expected = str(te.value).replace("torch.", "ember.")
    assert str(ee.value) == expected


@pytest.mark.parametrize("name", list(FINE_PROGRAMS))
def test_shape_only_uses_allow_inplace_changes(name):
    program = FINE_PROGRAMS[name]
    assert _run(ember, program).tolist() == pytest.approx(_run(torch, program).tolist())


def test_version_counter_is_shared_by_views_and_bumped_by_inplace_ops():
    x = ember.zeros(4)
    v = x[1:3]
    assert x._version_value == v._version_value == 0
    v.add_(1)
    assert x._version_value == v._version_value == 1
    x.mul_(2)
    assert v._version_value == 2


def test_issue_example_inplace_through_views_matches_torch():
    grads = []
    for lib in (torch, ember):
        x = lib.tensor([[0.5, -1.0, 2.0, 0.25], [1.5, 0.5, -0.5, 3.0], [2.0, -2.0, 1.0, 0.1]], requires_grad=True)
        y = x.clone()
        y[:, 0] = 0
        y[1] *= 2
        y.diagonal().add_(x[0, :3])
        (y * y).sum().backward()
        grads.append(x.grad.flatten().tolist())
        assert y.grad_fn.name() == "torch::autograd::CopySlices"
    assert grads[1] == pytest.approx(grads[0])


def test_inplace_on_view_of_leaf_raises():
    for lib in (torch, ember):
        x = lib.ones(3, 2, requires_grad=True)
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an "
                                               "in-place operation"):
            x[0].add_(1)
