"""The loss modules (nn.*Loss) against torch: outputs, input gradients, reprs, buffers, warnings, error messages.

The functional forms are covered value-by-value in tests/oracle/samples/nn_loss.py."""

import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F


def E(t):
    return ember.tensor(t.detach().numpy())


def ereplace(s: str) -> str:
    return s.replace("torch.", "ember.")


rs = np.random.RandomState(0)
X45 = rs.randn(4, 5)
T4 = np.array([1, 0, 4, 2])
P01 = rs.uniform(0.05, 0.95, (4, 5))
P01b = rs.uniform(0.05, 0.95, (4, 5))
SIGN4 = np.array([1.0, -1.0, -1.0, 1.0])
W5 = rs.uniform(0.5, 2.0, 5)
LP = np.log(np.exp(X45) / np.exp(X45).sum(1, keepdims=True))


def _ctc_inputs():
    r = np.random.RandomState(1)
    a = r.randn(10, 2, 4)
    lp = a - np.log(np.exp(a).sum(-1, keepdims=True))
    return lp, np.array([[1, 2, 2], [3, 1, 0]]), np.array([10, 8]), np.array([3, 2])


# (name, constructor kwargs (numpy arrays become tensors), inputs (floats require grad; ints are targets))
CASES = [
    ("L1Loss", {}, (X45, P01)),
    ("MSELoss", {"reduction": "sum"}, (X45, P01)),
    ("SmoothL1Loss", {"beta": 0.5}, (X45, P01)),
    ("HuberLoss", {"delta": 0.3, "reduction": "none"}, (X45, P01)),
    ("CrossEntropyLoss", {}, (X45, T4)),
    ("CrossEntropyLoss", {"weight": W5, "ignore_index": 2, "label_smoothing": 0.1}, (X45, T4)),
    ("CrossEntropyLoss", {"reduction": "sum"}, (X45, P01 / P01.sum(1, keepdims=True))),
    ("NLLLoss", {"weight": W5, "reduction": "none"}, (LP, T4)),
    ("BCELoss", {"weight": W5}, (P01, P01b)),
    ("BCEWithLogitsLoss", {"pos_weight": W5}, (X45, P01)),
    ("KLDivLoss", {"reduction": "batchmean"}, (LP, P01 / P01.sum(1, keepdims=True))),
    ("KLDivLoss", {"reduction": "sum", "log_target": True}, (LP, LP[::-1].copy())),
    ("PoissonNLLLoss", {"full": True}, (X45, P01 * 3)),
    ("GaussianNLLLoss", {"full": True}, (X45, P01, P01b)),
    ("CosineEmbeddingLoss", {"margin": 0.2}, (X45, P01, SIGN4)),
    ("MarginRankingLoss", {"margin": 0.1}, (X45[:, 0].copy(), X45[:, 1].copy(), SIGN4)),
    ("HingeEmbeddingLoss", {"margin": 0.5}, (X45[0].copy(), np.array([1.0, -1, -1, 1, 1]))),
    ("SoftMarginLoss", {}, (X45[0].copy(), np.array([1.0, -1, -1, 1, 1]))),
    ("MultiLabelSoftMarginLoss", {"weight": W5}, (X45, np.round(P01))),
    ("MultiLabelMarginLoss", {}, (X45, np.array([[3, 0, -1, 1, 2]] * 4))),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": W5}, (X45, T4)),
    ("TripletMarginLoss", {"margin": 0.7, "p": 1, "swap": True}, (X45, P01, P01b)),
    ("TripletMarginWithDistanceLoss", {"margin": 1.5, "swap": True}, (X45, P01, P01b)),
    ("CTCLoss", {"blank": 0, "zero_infinity": True}, _ctc_inputs()),
]

NO_GRAD_TARGET = {"CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
                  "MultiLabelSoftMarginLoss", "BCEWithLogitsLoss", "KLDivLoss", "GaussianNLLLoss"}


def _build(lib, kwargs):
    return {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}


@pytest.mark.parametrize("name,kwargs,inputs", CASES, ids=[c[0] for c in CASES])
def test_loss_module_matches_torch(name, kwargs, inputs):
    tmod = getattr(torch.nn, name)(**_build(torch, kwargs))
    emod = getattr(nn, name)(**_build(ember, kwargs))
    assert ereplace(repr(tmod)) == repr(emod)
    assert list(tmod.state_dict()) == list(emod.state_dict())
    assert [k for k, _ in tmod.named_buffers()] == [k for k, _ in emod.named_buffers()]
    for k in ("reduction", "ignore_index", "label_smoothing", "margin", "p", "eps", "swap", "delta", "beta",
              "blank", "zero_infinity", "log_target", "log_input", "full"):
        if hasattr(tmod, k):
            assert getattr(emod, k) == getattr(tmod, k), k
    n_grad = 1 if name in NO_GRAD_TARGET or name == "CTCLoss" else 3
    tin, ein = [], []
    for i, x in enumerate(inputs):
        req = x.dtype.kind == "f" and i < n_grad
        tin.append(torch.tensor(x, requires_grad=req))
        ein.append(ember.tensor(x, requires_grad=req))
    ty, ey = tmod(*tin), emod(*ein)
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-9, atol=1e-10)
    g = np.asarray(np.random.RandomState(2).randn(*ty.shape), dtype=np.float64)
    tg = torch.autograd.grad(ty, [t for t in tin if t.requires_grad], torch.tensor(g))
    eg = ember.autograd.grad(ey, [e for e in ein if e.requires_grad], ember.tensor(g))
    for a, b in zip(eg, tg):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8, atol=1e-10)


def test_modules_on_float32_and_modes():
    x = rs.randn(8, 10).astype(np.float32)
    t = rs.randint(0, 10, 8)
    for tm, em in ((torch.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()), (torch.nn.NLLLoss(), nn.NLLLoss())):
        for mode in ("train", "eval"):
            getattr(tm, mode)()
            getattr(em, mode)()
            tx = torch.tensor(x, requires_grad=True)
            ex = ember.tensor(x, requires_grad=True)
            ty, ey = tm(tx, torch.tensor(t)), em(ex, ember.tensor(t))
            assert ey.dtype is ember.float32
            np.testing.assert_allclose(ey.item(), ty.item(), rtol=1e-6)
            ty.backward()
            ey.backward()
            np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_weight_buffer_moves_with_module_and_loads():
    m = nn.CrossEntropyLoss(weight=ember.ones(3))
    assert "weight" in dict(m.named_buffers())
    m.double()
    assert m.weight.dtype is ember.float64
    m.load_state_dict({"weight": ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)})
    assert m.weight.tolist() == [1.0, 2.0, 3.0]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=ember.ones(3)).state_dict()) == ["pos_weight"]


def test_cross_entropy_grad_fn_and_fused_backward():
    x = ember.randn(6, 4, requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([0, 1, 2, 3, 0, 1]))
    assert type(loss.grad_fn).__name__ == "Node" and loss.grad_fn.name() == "NllLossBackward0"


def test_legacy_size_average_reduce_warn_and_map():
    for sa, rd, expected in ((False, None, "sum"), (None, False, "none"), (True, True, "mean"), (False, True, "sum")):
        with pytest.warns(UserWarning) as rec:
            m = nn.MSELoss(size_average=sa, reduce=rd)
        assert m.reduction == expected
        with warnings.catch_warnings(record=True) as trec:
            warnings.simplefilter("always")
            torch.nn.MSELoss(size_average=sa, reduce=rd)
        assert str(rec[0].message) == str(trec[0].message)
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            F.nll_loss(ember.tensor(LP), ember.tensor(T4), size_average=sa, reduce=rd)


def _messages(tfn, efn, exc):
    with pytest.raises(exc) as te:
        tfn(torch)
    with pytest.raises(exc) as ee:
        efn(ember)
    return str(ee.value), str(te.value)


@pytest.mark.parametrize("call,exc", [
    (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(X45), lib.tensor([1, 0, 5, 2])), IndexError),
    (lambda lib: lib.nn.functional.nll_loss(lib.tensor(LP), lib.tensor([1, -1, 4, 2])), IndexError),
    (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(X45), lib.tensor([1, 0, 4])), ValueError),
    (lambda lib: lib.nn.functional.nll_loss(lib.tensor(LP), lib.tensor([1, 0, 4, 2], dtype=lib.int32)),
     RuntimeError),
    (lambda lib: lib.nn.functional.nll_loss(lib.tensor(LP), lib.tensor(T4), weight=lib.ones(4, dtype=lib.float64)),
     RuntimeError),
    (lambda lib: lib.nn.functional.cross_entropy(lib.tensor(X45), lib.tensor(T4), label_smoothing=1.5),
     RuntimeError),
    (lambda lib: lib.nn.functional.nll_loss(lib.zeros(2, 3, 4), lib.zeros(2, 5, dtype=lib.long)), RuntimeError),
    (lambda lib: lib.nn.functional.binary_cross_entropy(lib.tensor([0.5, 1.5]), lib.tensor([0.0, 1.0])),
     RuntimeError),
    (lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.zeros(3), lib.zeros(2)), ValueError),
    (lambda lib: lib.nn.functional.mse_loss(lib.zeros(3), lib.zeros(3), reduction="avg"), ValueError),
    (lambda lib: lib.nn.functional.mse_loss(lib.zeros(3), lib.zeros(3), weight=lib.ones(2)), ValueError),
    (lambda lib: lib.nn.functional.multi_margin_loss(lib.zeros(2, 3), lib.zeros(2, dtype=lib.long), p=3),
     ValueError),
    (lambda lib: lib.nn.functional.margin_ranking_loss(lib.zeros(3), lib.zeros(3), lib.zeros(3, 1)), RuntimeError),
    (lambda lib: lib.nn.functional.triplet_margin_loss(lib.zeros(2, 3), lib.zeros(3), lib.zeros(2, 3)),
     RuntimeError),
    (lambda lib: lib.nn.functional.gaussian_nll_loss(lib.zeros(3, 4), lib.zeros(3, 4), lib.ones(2)), ValueError),
    (lambda lib: lib.nn.TripletMarginLoss(margin=0), ValueError),
    (lambda lib: lib.nn.MultiMarginLoss(p=3), ValueError),
])
def test_error_messages_match_torch(call, exc):
    e, t = _messages(call, call, exc)
    assert ereplace(e) == ereplace(t)


def test_size_mismatch_warning_text():
    with warnings.catch_warnings(record=True) as trec:
        warnings.simplefilter("always")
        torch.nn.functional.mse_loss(torch.zeros(3, 4), torch.zeros(1, 4))
    with warnings.catch_warnings(record=True) as erec:
        warnings.simplefilter("always")
        F.mse_loss(ember.zeros(3, 4), ember.zeros(1, 4))
    assert ereplace(str(erec[0].message)) == ereplace(str(trec[0].message))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.zeros(2, 3), ember.ones(2, 3))


def test_ignore_index_all_ignored_mean_is_nan():
    x = ember.randn(3, 4, requires_grad=True)
    t = ember.full((3,), -100, dtype=ember.long)
    loss = F.cross_entropy(x, t)
    assert np.isnan(loss.item())
    loss.backward()
    assert x.grad.abs().sum().item() == 0.0
    assert F.nll_loss(x, t, reduction="sum").item() == 0.0


def test_ctc_targets_forms_agree():
    lp, tg, il, tl = _ctc_inputs()
    x = ember.tensor(lp)
    padded = F.ctc_loss(x, ember.tensor(tg), ember.tensor(il), ember.tensor(tl), reduction="none")
    concat = F.ctc_loss(x, ember.tensor([1, 2, 2, 3, 1]), tuple(il), tuple(tl), reduction="none")
    np.testing.assert_allclose(padded.numpy(), concat.numpy())
    ref = torch.nn.functional.ctc_loss(torch.tensor(lp), torch.tensor(tg), torch.tensor(il), torch.tensor(tl),
                                       reduction="none")
    np.testing.assert_allclose(padded.numpy(), ref.numpy(), rtol=1e-10)
