"""Whole-model checks: model definitions written once for PyTorch (tests/nn/models.py) run unchanged on ember.

For each model the torch instance is built under ``torch.manual_seed``, its ``state_dict`` is loaded into the ember
instance built from the very same source, and then logits, the loss, every parameter gradient (by name), BatchNorm
running statistics and a 5-step hand-written SGD loss sequence are compared with torch.
"""

import numpy as np
import pytest
import torch

import ember

from .models import make_gpt, make_lstm_tagger, make_resnet18

RTOL, ATOL = 1e-4, 1e-5


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    # The oracle is faster single-threaded on a shared 2-core machine (and its results don't depend on it).
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def E(t):
    return ember.tensor(t.detach().numpy())


def _close(e, t, rtol=RTOL, atol=ATOL, msg=""):
    e = e.detach().numpy() if hasattr(e, "detach") else np.asarray(e)
    t = t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)
    assert e.shape == t.shape, (msg, e.shape, t.shape)
    assert e.dtype == t.dtype, (msg, e.dtype, t.dtype)
    np.testing.assert_allclose(e, t, rtol=rtol, atol=atol, err_msg=msg)


def _grad_close(e, t, msg, rtol=RTOL, atol=ATOL):
    # Gradients deep in a network accumulate float32 rounding; scale the absolute tolerance by the gradient's size.
    scale = max(1.0, float(np.abs(t.numpy()).max()))
    _close(e, t, rtol=rtol, atol=atol * scale, msg=msg)


def _build(make, **kw):
    torch.manual_seed(0)
    tm = make(torch, **kw)()
    ember.manual_seed(0)
    em = make(ember, **kw)()
    assert repr(em) == repr(tm).replace("torch.", "ember.")
    tsd = tm.state_dict()
    esd0 = em.state_dict()
    assert list(esd0.keys()) == list(tsd.keys())
    for k in tsd:
        assert tuple(esd0[k].shape) == tuple(tsd[k].shape), k
    result = em.load_state_dict({k: E(v) for k, v in tsd.items()})
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    # Round trip: ember's state_dict after loading equals torch's, key for key and value for value.
    esd = em.state_dict()
    assert list(esd.keys()) == list(tsd.keys())
    for k, v in tsd.items():
        _close(esd[k], v, rtol=0, atol=0, msg=k)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    return tm, em


def _check_grads(tm, em, rtol=RTOL, atol=ATOL):
    tparams = dict(tm.named_parameters())
    for name, ep in em.named_parameters():
        tp = tparams[name]
        if tp.grad is None:
            assert ep.grad is None, name
            continue
        assert ep.grad is not None, name
        _grad_close(ep.grad, tp.grad, name, rtol=rtol, atol=atol)


def _check_buffers(tm, em, rtol=RTOL, atol=ATOL):
    tbufs = dict(tm.named_buffers())
    for name, eb in em.named_buffers():
        _close(eb, tbufs[name], rtol=rtol, atol=atol, msg=name)


def _sgd_losses(lib, model, step_loss, lr, steps=5):
    losses = []
    for _ in range(steps):
        for p in model.parameters():
            p.grad = None
        loss = step_loss(lib, model)
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                if p.grad is not None:
                    p -= lr * p.grad
        losses.append(float(loss.item()))
    return losses


def _check_after_training(tm, em, rtol=1e-3, atol=1e-4):
    """Parameters after the SGD steps match, and ember's trained state_dict loads back into torch unchanged."""
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd.keys()) == list(tsd.keys())
    for k, v in tsd.items():
        _close(esd[k], v, rtol=rtol, atol=atol, msg=k)
    back = {k: torch.tensor(v.numpy()) for k, v in esd.items()}
    tm.load_state_dict(back)
    for k, v in tm.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), esd[k].numpy(), err_msg=k)


# ----------------------------------------------------------------------------------------------------------- ResNet


def _resnet_data():
    rs = np.random.RandomState(0)
    x = rs.randn(2, 3, 64, 64).astype(np.float32)
    y = np.array([3, 7], dtype=np.int64)
    return x, y


def _resnet_loss(lib, model):
    x, y = _resnet_data()
    out = model(lib.tensor(x))
    return lib.nn.functional.cross_entropy(out, lib.tensor(y))


INPLACE = [
    pytest.param(False, id="out-of-place"),
    pytest.param(True, id="torchvision-inplace"),  # in-place ReLU and `out += identity` after BatchNorm
]


def test_resnet18_inplace_forward_and_running_stats():
    """torchvision's exact code (in-place ReLU and +=): forward and running statistics match (no backward)."""
    tm, em = _build(make_resnet18, inplace=True)
    x, _ = _resnet_data()
    for mode in ("train", "eval"):
        getattr(tm, mode)()
        getattr(em, mode)()
        _close(em(ember.tensor(x)), tm(torch.tensor(x)), msg=f"logits ({mode})")
        _check_buffers(tm, em)


@pytest.mark.parametrize("inplace", INPLACE)
def test_resnet18_eval_logits_loss_grads(inplace):
    tm, em = _build(make_resnet18, inplace=inplace)
    tm.eval()
    em.eval()
    x, y = _resnet_data()
    tout, eout = tm(torch.tensor(x)), em(ember.tensor(x))
    _close(eout, tout, msg="logits")
    tl = torch.nn.functional.cross_entropy(tout, torch.tensor(y))
    el = ember.nn.functional.cross_entropy(eout, ember.tensor(y))
    _close(el, tl, msg="loss")
    tl.backward()
    el.backward()
    _check_grads(tm, em)
    _check_buffers(tm, em, rtol=0, atol=0)  # eval mode: running stats untouched


@pytest.mark.parametrize("inplace", INPLACE)
def test_resnet18_train_batch_stats_grads_and_running_stats(inplace):
    tm, em = _build(make_resnet18, inplace=inplace)
    tm.train()
    em.train()
    x, y = _resnet_data()
    tout, eout = tm(torch.tensor(x)), em(ember.tensor(x))
    _close(eout, tout, msg="logits")
    # BatchNorm running_mean / running_var / num_batches_tracked after one train-mode forward.
    _check_buffers(tm, em)
    assert int(em.bn1.num_batches_tracked.item()) == 1
    assert em.bn1.num_batches_tracked.dtype == ember.int64
    tl = torch.nn.functional.cross_entropy(tout, torch.tensor(y))
    el = ember.nn.functional.cross_entropy(eout, ember.tensor(y))
    _close(el, tl, msg="loss")
    tl.backward()
    el.backward()
    # Batch statistics over 2 samples (8 values per channel in layer4) amplify float32 rounding: torch's own float32
    # gradients differ from its float64 ones by ~1.5e-5 of the largest gradient, and ember's by no more than that.
    _check_grads(tm, em, rtol=1e-3, atol=1e-4)


def test_resnet18_sgd_steps():
    tm, em = _build(make_resnet18, inplace=False)
    tm.train()
    em.train()
    tloss = _sgd_losses(torch, tm, _resnet_loss, lr=0.003)
    eloss = _sgd_losses(ember, em, _resnet_loss, lr=0.003)
    np.testing.assert_allclose(eloss, tloss, rtol=1e-4, atol=1e-5)
    assert tloss[-1] < tloss[0]
    _check_buffers(tm, em, rtol=1e-3, atol=1e-4)
    _check_after_training(tm, em)


# -------------------------------------------------------------------------------------------------------------- GPT

GPT_VARIANTS = [
    pytest.param(dict(tied=True, use_mha=False), id="tied-handwritten"),
    pytest.param(dict(tied=False, use_mha=False), id="untied-handwritten"),
    pytest.param(dict(tied=True, use_mha=True), id="tied-mha"),
]


def _gpt_data():
    rs = np.random.RandomState(1)
    idx = rs.randint(0, 65, size=(2, 32)).astype(np.int64)
    tgt = rs.randint(0, 65, size=(2, 32)).astype(np.int64)
    return idx, tgt


def _gpt_loss(lib, model):
    idx, tgt = _gpt_data()
    return model(lib.tensor(idx), lib.tensor(tgt))[1]


@pytest.mark.parametrize("kw", GPT_VARIANTS)
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_gpt_logits_loss_grads(kw, mode):
    tm, em = _build(make_gpt, **kw)
    if kw["tied"]:
        assert em.transformer.wte.weight is em.lm_head.weight
        assert "lm_head.weight" in em.state_dict() and "transformer.wte.weight" in em.state_dict()
    getattr(tm, mode)()
    getattr(em, mode)()
    idx, tgt = _gpt_data()
    tlogits, tl = tm(torch.tensor(idx), torch.tensor(tgt))
    elogits, el = em(ember.tensor(idx), ember.tensor(tgt))
    _close(elogits, tlogits, msg="logits")
    _close(el, tl, msg="loss")
    tl.backward()
    el.backward()
    _check_grads(tm, em)


def test_gpt_with_dropout_in_eval_mode_is_deterministic_and_matches():
    tm, em = _build(make_gpt, dropout=0.1, use_mha=True)
    tm.eval()
    em.eval()
    idx, tgt = _gpt_data()
    tlogits, tl = tm(torch.tensor(idx), torch.tensor(tgt))
    elogits, el = em(ember.tensor(idx), ember.tensor(tgt))
    _close(elogits, tlogits, msg="logits")
    _close(el, tl, msg="loss")
    tl.backward()
    el.backward()
    _check_grads(tm, em)


@pytest.mark.parametrize("kw", GPT_VARIANTS)
def test_gpt_sgd_steps(kw):
    tm, em = _build(make_gpt, **kw)
    tm.train()
    em.train()
    tloss = _sgd_losses(torch, tm, _gpt_loss, lr=0.1)
    eloss = _sgd_losses(ember, em, _gpt_loss, lr=0.1)
    np.testing.assert_allclose(eloss, tloss, rtol=1e-4, atol=1e-5)
    assert tloss[-1] < tloss[0]
    _check_after_training(tm, em)


# ------------------------------------------------------------------------------------------------------ LSTM tagger

LENGTHS = [9, 4, 7]


def _tagger_data(packed):
    rs = np.random.RandomState(2)
    tokens = rs.randint(1, 50, size=(3, 9)).astype(np.int64)
    tags = rs.randint(0, 7, size=(3, 9)).astype(np.int64)
    if packed:
        for b, n in enumerate(LENGTHS):
            tokens[b, n:] = 0
            tags[b, n:] = -100
    return tokens, tags


def _tagger_forward(lib, model, packed):
    tokens, tags = _tagger_data(packed)
    lengths = lib.tensor(LENGTHS) if packed else None
    out = model(lib.tensor(tokens), lengths)
    loss = lib.nn.functional.nll_loss(out.reshape(-1, out.size(-1)), lib.tensor(tags).reshape(-1))
    return out, loss


@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_lstm_tagger_logits_loss_grads(packed, mode):
    tm, em = _build(make_lstm_tagger)
    getattr(tm, mode)()
    getattr(em, mode)()
    tout, tl = _tagger_forward(torch, tm, packed)
    eout, el = _tagger_forward(ember, em, packed)
    _close(eout, tout, msg="log-probs")
    _close(el, tl, msg="loss")
    # cross_entropy on the logits-equivalent output gives the same value as nll_loss on log_softmax.
    tokens, tags = _tagger_data(packed)
    tce = torch.nn.functional.cross_entropy(tout.reshape(-1, 7), torch.tensor(tags).reshape(-1))
    ece = ember.nn.functional.cross_entropy(eout.reshape(-1, 7), ember.tensor(tags).reshape(-1))
    _close(ece, tce, msg="cross_entropy")
    tl.backward()
    el.backward()
    _check_grads(tm, em)
    if packed:
        # padding_idx row of the embedding never gets a gradient
        assert float(np.abs(em.embedding.weight.grad.numpy()[0]).max()) == 0.0


@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
def test_lstm_tagger_sgd_steps(packed):
    tm, em = _build(make_lstm_tagger)
    tm.train()
    em.train()

    def step(lib, model):
        return _tagger_forward(lib, model, packed)[1]

    tloss = _sgd_losses(torch, tm, step, lr=0.5)
    eloss = _sgd_losses(ember, em, step, lr=0.5)
    np.testing.assert_allclose(eloss, tloss, rtol=1e-4, atol=1e-5)
    assert tloss[-1] < tloss[0]
    _check_after_training(tm, em)


# ------------------------------------------------------------------------------------- minimal repros of found bugs

_NORM_LAYERS = [
    pytest.param(lambda lib: lib.nn.BatchNorm2d(3), (2, 3, 4, 4), id="batchnorm-train"),
    pytest.param(lambda lib: lib.nn.BatchNorm2d(3).eval(), (2, 3, 4, 4), id="batchnorm-eval"),
    pytest.param(lambda lib: lib.nn.LayerNorm(4), (2, 3, 4), id="layernorm"),
    pytest.param(lambda lib: lib.nn.GroupNorm(1, 3), (2, 3, 4), id="groupnorm"),
]


@pytest.mark.parametrize("make, shape", _NORM_LAYERS)
def test_inplace_on_norm_output_then_backward(make, shape):
    x = np.random.RandomState(0).randn(*shape).astype(np.float32)
    grads = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = make(lib)
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        y.relu_()
        y.sum().backward()
        grads.append(xt.grad)
    _close(grads[1], grads[0])


def test_inplace_on_batchnorm_input_is_detected():
    x0 = ember.randn(4, 3, requires_grad=True)
    x = x0 * 1
    y = ember.nn.BatchNorm1d(3)(x)
    x.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
