"""RNN / LSTM / GRU, their cells and nn.utils.rnn against torch."""

import math
import warnings

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import ember
from ember import nn
from ember.nn.utils import rnn as ernn

warnings.filterwarnings("ignore", message="LSTM with projections")


def E(t):
    return ember.tensor(t.detach().numpy())


def _copy(tmod, emod):
    emod.load_state_dict({k: E(v) for k, v in tmod.state_dict().items()})


def _close(e, t, tol=2e-5, msg=""):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol, err_msg=msg)


def _flat(out):
    """(output, h) or (output, (h, c)) -> list of tensors; PackedSequence -> its data."""
    o, h = out
    o = o.data if isinstance(o, (trnn.PackedSequence, ernn.PackedSequence)) else o
    return [o] + (list(h) if isinstance(h, tuple) else [h])


def _make(cls, **kw):
    torch.manual_seed(0)
    t = getattr(torch.nn, cls)(5, 6, **kw)
    e = getattr(nn, cls)(5, 6, **kw)
    _copy(t, e)
    return t, e


def _run_both(t, e, x, h=None, pack=None, tol=2e-5):
    """Run both modules; compare outputs and gradients (input, h0/c0, parameters)."""
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    th = eh = None
    if h is not None:
        th = tuple(torch.tensor(a, requires_grad=True) for a in h)
        eh = tuple(ember.tensor(a, requires_grad=True) for a in h)
    tin, ein = tx, ex
    if pack is not None:
        lengths, enforce_sorted, batch_first = pack
        tin = trnn.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        ein = ernn.pack_padded_sequence(ex, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    targs = () if th is None else (th if len(th) == 2 else th[0],)
    eargs = () if eh is None else (eh if len(eh) == 2 else eh[0],)
    tout, eout = _flat(t(tin, *targs)), _flat(e(ein, *eargs))
    assert len(tout) == len(eout)
    for i, (a, b) in enumerate(zip(eout, tout)):
        assert tuple(a.shape) == tuple(b.shape), (i, a.shape, b.shape)
        _close(a, b, tol, f"output {i}")
    rs = np.random.RandomState(1)
    cots = [rs.randn(*o.shape).astype(x.dtype) for o in tout]
    torch.autograd.backward(tout, [torch.tensor(c) for c in cots])
    ember.autograd.backward(eout, [ember.tensor(c) for c in cots])
    _close(ex.grad, tx.grad, tol, "input grad")
    if th is not None:
        for a, b in zip(eh, th):
            _close(a.grad, b.grad, tol, "h0 grad")
    for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        _close(ep.grad, tp.grad, tol, n)


CONFIGS = []
for cls in ("LSTM", "GRU", "RNN"):
    for layers in (1, 2):
        for bidi in (False, True):
            for bf in (False, True):
                CONFIGS.append((cls, dict(num_layers=layers, bidirectional=bidi, batch_first=bf)))
    CONFIGS.append((cls, dict(bias=False)))
    CONFIGS.append((cls, dict(bias=False, num_layers=2, bidirectional=True)))
CONFIGS += [("LSTM", dict(proj_size=3)), ("LSTM", dict(proj_size=3, num_layers=2, bidirectional=True)),
            ("LSTM", dict(proj_size=2, bias=False, batch_first=True)),
            ("RNN", dict(nonlinearity="relu")), ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True))]


def _hidden_shapes(cls, kw, batch):
    nd = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1) * nd
    p = kw.get("proj_size", 0) or 6
    hs = [(L,) + batch + (p,)]
    if cls == "LSTM":
        hs.append((L,) + batch + (6,))
    return hs


@pytest.mark.parametrize("cls,kw", CONFIGS, ids=[f"{c}-{sorted(k.items())}" for c, k in CONFIGS])
@pytest.mark.parametrize("with_h0", [False, True])
def test_layer_matches_torch(cls, kw, with_h0):
    t, e = _make(cls, **kw)
    rs = np.random.RandomState(0)
    x = rs.randn(3, 4, 5).astype(np.float32) if kw.get("batch_first") else rs.randn(4, 3, 5).astype(np.float32)
    h = [rs.randn(*s).astype(np.float32) for s in _hidden_shapes(cls, kw, (3,))] if with_h0 else None
    _run_both(t, e, x, h)


@pytest.mark.parametrize("cls,kw", [("LSTM", {}), ("GRU", dict(bidirectional=True)), ("RNN", dict(num_layers=2)),
                                    ("LSTM", dict(proj_size=2, bidirectional=True, num_layers=2))])
@pytest.mark.parametrize("with_h0", [False, True])
def test_unbatched_matches_torch(cls, kw, with_h0):
    t, e = _make(cls, **kw)
    rs = np.random.RandomState(0)
    x = rs.randn(4, 5).astype(np.float32)
    h = [rs.randn(*s).astype(np.float32) for s in _hidden_shapes(cls, kw, ())] if with_h0 else None
    _run_both(t, e, x, h)


@pytest.mark.parametrize("cls,kw", [("LSTM", {}), ("LSTM", dict(num_layers=2, bidirectional=True)),
                                    ("LSTM", dict(proj_size=3, bidirectional=True)), ("GRU", {}),
                                    ("GRU", dict(num_layers=2, bidirectional=True, bias=False)),
                                    ("RNN", dict(bidirectional=True)), ("RNN", dict(nonlinearity="relu")),
                                    ("LSTM", dict(batch_first=True, bidirectional=True))])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("with_h0", [False, True])
def test_packed_matches_torch(cls, kw, enforce_sorted, with_h0):
    t, e = _make(cls, **kw)
    rs = np.random.RandomState(0)
    bf = kw.get("batch_first", False)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 4]
    x = rs.randn(4, 5, 5).astype(np.float32) if bf else rs.randn(5, 4, 5).astype(np.float32)
    h = [rs.randn(*s).astype(np.float32) for s in _hidden_shapes(cls, kw, (4,))] if with_h0 else None
    _run_both(t, e, x, h, pack=(lengths, enforce_sorted, bf))


def test_packed_output_is_packed_sequence_and_h_n_is_last_valid_step():
    t, e = _make("GRU")
    x = np.random.RandomState(0).randn(5, 3, 5).astype(np.float32)
    ep = ernn.pack_padded_sequence(ember.tensor(x), [2, 5, 3], enforce_sorted=False)
    out, h = e(ep)
    assert isinstance(out, ernn.PackedSequence)
    assert out.batch_sizes.tolist() == [3, 3, 2, 1, 1]
    padded, lens = ernn.pad_packed_sequence(out)
    assert lens.tolist() == [2, 5, 3]
    padded, h = padded.detach().numpy(), h.detach().numpy()
    for b, n in enumerate([2, 5, 3]):
        np.testing.assert_allclose(h[0, b], padded[n - 1, b], rtol=1e-6)
        assert not padded[n:, b].any()


def test_float64_and_factory_kwargs():
    torch.manual_seed(0)
    t = torch.nn.LSTM(5, 6, num_layers=2, bidirectional=True, dtype=torch.float64)
    e = nn.LSTM(5, 6, num_layers=2, bidirectional=True, device="cpu", dtype=ember.float64)
    assert all(p.dtype is ember.float64 for p in e.parameters())
    _copy(t, e)
    _run_both(t, e, np.random.RandomState(0).randn(4, 3, 5), tol=1e-12)


def test_double_backward_matches_torch():
    for cls in ("LSTM", "GRU", "RNN"):
        torch.manual_seed(0)
        t = getattr(torch.nn, cls)(3, 4, dtype=torch.float64)
        e = getattr(nn, cls)(3, 4, dtype=ember.float64)
        _copy(t, e)
        x = np.random.RandomState(0).randn(3, 2, 3)
        tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
        tg, = torch.autograd.grad((t(tx)[0] ** 2).sum(), tx, create_graph=True)
        eg, = ember.autograd.grad((e(ex)[0] ** 2).sum(), ex, create_graph=True)
        _close(eg, tg, 1e-10)
        tg.sum().backward()
        eg.sum().backward()
        _close(ex.grad, tx.grad, 1e-10)
        for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
            _close(ep.grad, tp.grad, 1e-10, n)


# --- cells -----------------------------------------------------------------------------

CELLS = [("LSTMCell", {}), ("LSTMCell", dict(bias=False)), ("GRUCell", {}), ("GRUCell", dict(bias=False)),
         ("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu")), ("RNNCell", dict(bias=False))]


@pytest.mark.parametrize("cls,kw", CELLS)
@pytest.mark.parametrize("batch", [(3,), ()])
@pytest.mark.parametrize("with_h", [False, True])
def test_cells_match_torch(cls, kw, batch, with_h):
    torch.manual_seed(0)
    t = getattr(torch.nn, cls)(5, 6, **kw)
    e = getattr(nn, cls)(5, 6, **kw)
    _copy(t, e)
    assert repr(e) == repr(t)
    rs = np.random.RandomState(0)
    x = rs.randn(*batch, 5).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    args_t, args_e, hs_t, hs_e = (), (), [], []
    if with_h:
        n = 2 if cls == "LSTMCell" else 1
        hs = [rs.randn(*batch, 6).astype(np.float32) for _ in range(n)]
        hs_t = [torch.tensor(a, requires_grad=True) for a in hs]
        hs_e = [ember.tensor(a, requires_grad=True) for a in hs]
        args_t = (tuple(hs_t),) if n == 2 else (hs_t[0],)
        args_e = (tuple(hs_e),) if n == 2 else (hs_e[0],)
    to, eo = t(tx, *args_t), e(ex, *args_e)
    to = list(to) if isinstance(to, tuple) else [to]
    eo = list(eo) if isinstance(eo, tuple) else [eo]
    for a, b in zip(eo, to):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)
    cots = [rs.randn(*o.shape).astype(np.float32) for o in to]
    torch.autograd.backward(to, [torch.tensor(c) for c in cots])
    ember.autograd.backward(eo, [ember.tensor(c) for c in cots])
    _close(ex.grad, tx.grad)
    for a, b in zip(hs_e, hs_t):
        _close(a.grad, b.grad)
    for (n, tp), (_, ep) in zip(t.named_parameters(), e.named_parameters()):
        _close(ep.grad, tp.grad, msg=n)


# --- attributes, init, repr -------------------------------------------------------------

@pytest.mark.parametrize("cls,kw", [("LSTM", dict(num_layers=2, bidirectional=True, proj_size=3)),
                                    ("GRU", dict(num_layers=2, bias=False)), ("RNN", dict(bidirectional=True))])
def test_parameter_names_shapes_and_attributes(cls, kw):
    t = getattr(torch.nn, cls)(5, 6, **kw)
    e = getattr(nn, cls)(5, 6, **kw)
    assert [(k, tuple(v.shape)) for k, v in e.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    assert e._flat_weights_names == t._flat_weights_names
    assert e._all_weights == t._all_weights
    assert [[tuple(w.shape) for w in ws] for ws in e.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in t.all_weights]
    assert [tuple(w.shape) for w in e._flat_weights] == [tuple(w.shape) for w in t._flat_weights]
    e.flatten_parameters()


def test_reprs():
    for cls, args, kw in [("LSTM", (10, 20), dict(num_layers=2, batch_first=True, bidirectional=True)),
                          ("LSTM", (10, 20), dict(proj_size=5, bias=False, dropout=0.5, num_layers=2)),
                          ("GRU", (3, 4), {}), ("RNN", (3, 4), dict(nonlinearity="relu", num_layers=3)),
                          ("LSTMCell", (3, 4), dict(bias=False)), ("GRUCell", (3, 4), {}),
                          ("RNNCell", (3, 4), dict(nonlinearity="relu", bias=False))]:
        assert repr(getattr(nn, cls)(*args, **kw)) == repr(getattr(torch.nn, cls)(*args, **kw))
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)) == \
        "LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)"


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN", "LSTMCell", "GRUCell", "RNNCell"])
def test_default_init_is_uniform_over_one_over_sqrt_hidden(cls):
    ember.manual_seed(0)
    m = getattr(nn, cls)(100, 400)
    bound = 1 / math.sqrt(400)
    for name, p in m.named_parameters():
        a = p.detach().numpy()
        tol = 4 / math.sqrt(a.size)  # ~4 standard errors, relative to the bound
        assert np.abs(a).max() <= bound and np.abs(a).max() > (1 - 2 * tol) * bound, name
        assert abs(a.std() - bound / math.sqrt(3)) < tol * bound, name
        assert abs(a.mean()) < tol * bound, name


# --- dropout --------------------------------------------------------------------------

def test_dropout_between_layers_train_only():
    t, e = _make("LSTM", num_layers=3, dropout=0.5)
    x = ember.randn(6, 4, 5)
    e.eval()
    y1, y2 = e(x)[0].detach(), e(x)[0].detach()
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    t.eval()
    _close(y1, t(torch.tensor(x.numpy()))[0])
    e.train()
    z1, z2 = e(x)[0], e(x)[0]
    assert not np.allclose(z1.detach().numpy(), z2.detach().numpy())
    # dropout=1 zeroes the input of every layer after the first: deterministic, compare with torch
    t1, e1 = _make("GRU", num_layers=2, dropout=1.0)
    _close(e1(x)[0], t1(torch.tensor(x.numpy()))[0])


def test_dropout_statistics():
    # a 2-layer RNN whose second layer sees dropout(x) through an identity-like first layer: the fraction of
    # exact zeros in the second layer's input is p, and the kept values are scaled by 1 / (1 - p)
    from ember.nn.modules.rnn import _dropout
    ember.manual_seed(0)
    x = ember.ones(200, 100, 10)
    y = _dropout(x, 0.3).numpy()
    assert abs((y == 0).mean() - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)


def test_dropout_warning_and_errors():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


# --- errors ---------------------------------------------------------------------------

def _same_error(tf, ef):
    with pytest.raises(Exception) as te:
        tf()
    with pytest.raises(Exception) as ee:
        ef()
    assert type(ee.value) is type(te.value), (ee.value, te.value)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(3, 2, 7)),
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(3)),
    lambda lib: lib.nn.GRU(10, 20)(lib.zeros(3, 2, 4, 10)),
    lambda lib: lib.nn.RNN(10, 20)(lib.zeros(3, 2, 10), lib.zeros(2, 2, 20)),
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(3, 2, 10), (lib.zeros(2, 2, 20), lib.zeros(1, 2, 20))),
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(3, 2, 10), (lib.zeros(1, 2, 20), lib.zeros(2, 2, 20))),
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(3, 10), (lib.zeros(1, 2, 20), lib.zeros(1, 2, 20))),
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(3, 2, 10), (lib.zeros(1, 20), lib.zeros(1, 20))),
    lambda lib: lib.nn.GRU(10, 20)(lib.zeros(3, 10), lib.zeros(1, 2, 20)),
    lambda lib: lib.nn.GRU(10, 20)(lib.zeros(3, 2, 10), lib.zeros(1, 20)),
    lambda lib: lib.nn.LSTM(10, 20, proj_size=5)(lib.zeros(3, 2, 10), (lib.zeros(1, 2, 20), lib.zeros(1, 2, 20))),
    lambda lib: lib.nn.LSTM(10, 20)(lib.zeros(0, 2, 10)),
    lambda lib: lib.nn.LSTMCell(10, 20)(lib.zeros(3, 2, 10)),
    lambda lib: lib.nn.LSTMCell(10, 20)(lib.zeros(3, 7)),
    lambda lib: lib.nn.GRUCell(10, 20)(lib.zeros(3, 10), lib.zeros(2, 20)),
    lambda lib: lib.nn.RNNCell(10, 20)(lib.zeros(3, 10), lib.zeros(3, 20, 1)),
    lambda lib: lib.nn.RNNCell(10, 20)(lib.zeros(10), lib.zeros(3, 20)),
    lambda lib: lib.nn.RNNCell(10, 20, nonlinearity="foo")(lib.zeros(3, 10)),
    lambda lib: lib.nn.RNN(10, 20, nonlinearity="foo"),
    lambda lib: lib.nn.LSTM(10, 20, proj_size=20),
    lambda lib: lib.nn.LSTM(10, 20, proj_size=-1),
    lambda lib: lib.nn.GRU(10, 20, proj_size=2),
    lambda lib: lib.nn.GRU(10, 0),
    lambda lib: lib.nn.GRU(10, 2.0),
    lambda lib: lib.nn.GRU(10, 2, num_layers=0),
    lambda lib: lib.nn.GRU(10, 2, dropout=2),
])
def test_errors_match_torch(make):
    _same_error(lambda: make(torch), lambda: make(ember))


# --- nn.utils.rnn -----------------------------------------------------------------------

def _seqs(lengths, feat=(3,), seed=0):
    rs = np.random.RandomState(seed)
    return [rs.randn(n, *feat).astype(np.float32) for n in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("feat", [(3,), (), (2, 2)])
def test_pad_sequence(batch_first, padding_side, feat):
    seqs = _seqs([3, 5, 1], feat)
    tl = [torch.tensor(s, requires_grad=True) for s in seqs]
    el = [ember.tensor(s, requires_grad=True) for s in seqs]
    t = trnn.pad_sequence(tl, batch_first=batch_first, padding_value=-2.5, padding_side=padding_side)
    e = ernn.pad_sequence(el, batch_first=batch_first, padding_value=-2.5, padding_side=padding_side)
    assert tuple(e.shape) == tuple(t.shape)
    _close(e, t, 0)
    g = np.random.RandomState(1).randn(*t.shape).astype(np.float32)
    t.backward(torch.tensor(g))
    e.backward(ember.tensor(g))
    for a, b in zip(el, tl):
        _close(a.grad, b.grad, 0)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("lengths_as_tensor", [False, True])
def test_pack_pad_roundtrip(batch_first, enforce_sorted, lengths_as_tensor):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 4]
    rs = np.random.RandomState(0)
    x = rs.randn(4, 5, 2).astype(np.float32) if batch_first else rs.randn(5, 4, 2).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tlen = torch.tensor(lengths) if lengths_as_tensor else lengths
    elen = ember.tensor(lengths) if lengths_as_tensor else lengths
    tp = trnn.pack_padded_sequence(tx, tlen, batch_first=batch_first, enforce_sorted=enforce_sorted)
    ep = ernn.pack_padded_sequence(ex, elen, batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert isinstance(ep, tuple) and ep._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    _close(ep.data, tp.data, 0)
    assert ep.batch_sizes.tolist() == tp.batch_sizes.tolist() and ep.batch_sizes.dtype is ember.int64
    for a, b in ((ep.sorted_indices, tp.sorted_indices), (ep.unsorted_indices, tp.unsorted_indices)):
        assert (a is None) == (b is None) and (a is None or a.tolist() == b.tolist())
    for total in (None, 7):
        tpad, tl = trnn.pad_packed_sequence(tp, batch_first=batch_first, padding_value=9.0, total_length=total)
        epad, el = ernn.pad_packed_sequence(ep, batch_first=batch_first, padding_value=9.0, total_length=total)
        assert tuple(epad.shape) == tuple(tpad.shape) and el.tolist() == tl.tolist()
        _close(epad, tpad, 0)
    g = rs.randn(*tpad.shape).astype(np.float32)
    tpad.backward(torch.tensor(g))
    epad.backward(ember.tensor(g))
    _close(ex.grad, tx.grad, 0)


def test_pack_sequence_unpack_unpad():
    seqs = _seqs([2, 4, 3])
    tp = trnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    ep = ernn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    _close(ep.data, tp.data, 0)
    assert ep.batch_sizes.tolist() == tp.batch_sizes.tolist()
    for a, b in zip(ernn.unpack_sequence(ep), trnn.unpack_sequence(tp)):
        _close(a, b, 0)
    for bf in (False, True):
        tpad = trnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=bf)
        epad = ernn.pad_sequence([ember.tensor(s) for s in seqs], batch_first=bf)
        for a, b in zip(ernn.unpad_sequence(epad, ember.tensor([2, 4, 3]), batch_first=bf),
                        trnn.unpad_sequence(tpad, torch.tensor([2, 4, 3]), batch_first=bf)):
            _close(a, b, 0)
    sorted_seqs = _seqs([4, 3, 2])
    assert ernn.pack_sequence([ember.tensor(s) for s in sorted_seqs]).sorted_indices is None


def test_packed_sequence_to_and_errors():
    ep = ernn.pack_sequence([ember.ones(3, 2), ember.ones(2, 2)])
    p64 = ep.to(ember.float64)
    assert isinstance(p64, ernn.PackedSequence) and p64.data.dtype is ember.float64
    assert p64.batch_sizes.dtype is ember.int64
    assert ep.to("cpu") is ep and ep.double().data.dtype is ember.float64 and not ep.is_cuda
    assert set(ernn.__all__) >= {"PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
                                 "unpad_sequence", "pack_sequence", "unpack_sequence"}
    x = np.zeros((5, 3, 2), np.float32)
    _same_error(lambda: trnn.pack_padded_sequence(torch.tensor(x), [2, 5, 3]),
                lambda: ernn.pack_padded_sequence(ember.tensor(x), [2, 5, 3]))
    _same_error(lambda: trnn.pad_packed_sequence(trnn.pack_padded_sequence(torch.tensor(x), [5, 3, 2]),
                                                 total_length=2),
                lambda: ernn.pad_packed_sequence(ernn.pack_padded_sequence(ember.tensor(x), [5, 3, 2]),
                                                 total_length=2))
    with pytest.raises(RuntimeError):
        ernn.pack_padded_sequence(ember.tensor(x), [5, 3, 0])
