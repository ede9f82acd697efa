"""Inference tensors, anomaly detection, saved-tensor hooks and checkpointing, against PyTorch."""

import gc
import warnings
import weakref

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="autograd oracle tests need PyTorch: pip install -e '.[test]'")


# --- inference mode ---------------------------------------------------------------------

INFERENCE_MISUSES = {
    "saved-for-backward": lambda lib, t, x: (x * t).sum(),
    "inplace-outside": lambda lib, t, x: t.add_(1),
    "requires-grad-outside": lambda lib, t, x: t.requires_grad_(),
}


@pytest.mark.parametrize("name", list(INFERENCE_MISUSES))
def test_inference_tensor_misuse_raises_torch_error(name):
    messages = []
    for lib in (torch, ember):
        with lib.inference_mode():
            t = lib.ones(3) * 2
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            INFERENCE_MISUSES[name](lib, t, x)
        messages.append(str(e.value))
    assert messages[1] == messages[0]


def test_inference_tensors_are_marked_and_usable_where_not_saved():
    with ember.inference_mode():
        t = ember.ones(3)
        u = t * 2
        assert ember.is_inference_mode_enabled()
    assert t.is_inference() and u.is_inference() and not ember.ones(1).is_inference()
    x = ember.ones(3, requires_grad=True)
    (x + t).sum().backward()  # add saves nothing: allowed, as in PyTorch
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


# --- anomaly detection ---------------------------------------------------------------------

def test_anomaly_mode_names_the_backward_that_made_nan_and_the_forward_line():
    errors, warned = [], []
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                a = lib.tensor([0.0, 1.0], requires_grad=True)
                with pytest.raises(RuntimeError) as e:
                    (a / a).sum().backward()
        errors.append(str(e.value))
        warned.append([str(m.message) for m in w])
    assert errors[1] == errors[0] == "Function 'DivBackward0' returned nan values in its 1th output."
    assert warned[1][0] == warned[0][0]  # "Anomaly Detection has been enabled. ..."
    assert warned[1][1].startswith("Error detected in DivBackward0. Traceback of forward call")
    assert "test_autograd_modes.py" in warned[1][1]
    assert not ember.is_anomaly_enabled()


def test_set_detect_anomaly_without_nan_check_lets_nan_through():
    with ember.autograd.set_detect_anomaly(True, check_nan=False):
        assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()
        a = ember.tensor([0.0, 1.0], requires_grad=True)
        (a / a).sum().backward()
    assert np.isnan(a.grad.numpy()[0])
    assert not ember.is_anomaly_enabled()


# --- saved-tensor hooks ---------------------------------------------------------------------

PROGRAMS = {
    "mul-both": lambda x, w: x * w,
    "mul-scalar": lambda x, w: x * 2,
    "exp-of-product": lambda x, w: (x * w).exp(),
    "matmul-sum": lambda x, w: (x @ w.unsqueeze(1)).sum(),
    "add-saves-nothing": lambda x, w: x + w,
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_saved_tensor_hooks_pack_what_torch_packs_and_unpack_for_backward(name):
    counts, grads = [], []
    for lib in (torch, ember):
        packed = []

        def pack(t, packed=packed):
            packed.append(t.numel())  # PyTorch may pack a reshaped view (1-D matmul): compare sizes
            return t * 1  # a copy: unpack must hand back something equal

        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        w = lib.tensor([1.5, 0.5, -0.5], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            y = PROGRAMS[name](x, w)
        y.sum().backward()
        counts.append(sorted(packed))
        grads.append([g.tolist() if g is not None else [0.0] * 3 for g in (x.grad, w.grad)])
    assert counts[1] == counts[0]
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)


def test_save_on_cpu_round_trip():
    x = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)
    with ember.autograd.graph.save_on_cpu():
        y = (x.exp() * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), (np.exp(x.detach().numpy()) * (1 + x.detach().numpy())), rtol=1e-6)


def test_disable_saved_tensors_hooks():
    with ember.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with ember.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass


# --- checkpoint ------------------------------------------------------------------------------

def _block(lib, w):
    def block(a):
        h = (a @ w).tanh()
        return (h * h.sigmoid() + lib.rand(h.shape)).exp()  # rand: the recomputation must replay the RNG
    return block


@pytest.mark.parametrize("use_reentrant", [False, True])
def test_checkpoint_gradients_equal_plain_run(use_reentrant):
    rng = np.random.default_rng(0)
    w0, x0 = rng.standard_normal((4, 4)), rng.standard_normal((3, 4))
    results = []
    for checkpointed in (True, False):
        ember.manual_seed(7)
        w = ember.tensor(w0, requires_grad=True)
        x = ember.tensor(x0, requires_grad=True)
        block = _block(ember, w)
        y = ember.utils.checkpoint.checkpoint(block, x, use_reentrant=use_reentrant) if checkpointed else block(x)
        y.sum().backward()
        results.append((y.detach().numpy(), x.grad.numpy(), w.grad.numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_non_reentrant_checkpoint_matches_torch_and_supports_autograd_grad():
    rng = np.random.default_rng(1)
    w0, x0 = rng.standard_normal((4, 4)), rng.standard_normal((3, 4))
    out = []
    for lib in (torch, ember):
        w = lib.tensor(w0, requires_grad=True)
        x = lib.tensor(x0, requires_grad=True)
        y = lib.utils.checkpoint.checkpoint(lambda a, w=w: (a @ w).tanh() * a.sum(), x, use_reentrant=False)
        out.append([g.detach().numpy() for g in lib.autograd.grad(y.sum(), (x, w))])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_non_reentrant_checkpoint_does_not_keep_activations():
    w = ember.rand(64, 64, requires_grad=True)
    x = ember.rand(8, 64, requires_grad=True)

    def run(checkpointed):
        refs = []

        def block(a):
            h = (a @ w).tanh()
            refs.append(weakref.ref(h))
            return (h * 2).exp()
        y = ember.utils.checkpoint.checkpoint(block, x, use_reentrant=False) if checkpointed else block(x)
        gc.collect()
        return y, refs[0]

    y_plain, ref_plain = run(False)
    assert ref_plain() is not None  # the plain graph keeps the intermediate alive
    y_ckpt, ref_ckpt = run(True)
    assert ref_ckpt() is None  # the checkpointed graph does not
    y_ckpt.sum().backward()
    assert x.grad is not None and w.grad is not None


def test_checkpoint_without_use_reentrant_warns_like_torch():
    x = ember.rand(3, requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        ember.utils.checkpoint.checkpoint(lambda a: a * 2, x)


def test_checkpoint_sequential():
    layers = [lambda a: a.tanh(), lambda a: a * 3, lambda a: a.exp(), lambda a: a.sum(0)]
    x = ember.rand(4, 3, requires_grad=True)
    y = ember.utils.checkpoint.checkpoint_sequential(layers, 2, x, use_reentrant=False)
    y.sum().backward()
    g = x.grad.numpy().copy()
    x.grad = None
    z = x
    for f in layers:
        z = f(z)
    z.sum().backward()
    np.testing.assert_allclose(g, x.grad.numpy(), rtol=1e-6)
