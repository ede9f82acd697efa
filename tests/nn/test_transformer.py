"""scaled_dot_product_attention, multi_head_attention_forward, MultiheadAttention and the Transformer
modules against torch: outputs, attention weights, gradients of inputs and every parameter, state_dict keys,
reprs, initialisation statistics and error messages."""

import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

TF = torch.nn.functional


def E(t):
    return ember.tensor(t.detach().numpy())


def ereplace(s: str) -> str:
    return s.replace("torch.", "ember.")


def _copy(tmod, emod):
    emod.load_state_dict({k: E(v) for k, v in tmod.state_dict().items()})


def _close(e, t, rtol, atol, msg=""):
    if t is None:
        assert e is None, msg
        return
    assert e is not None, msg
    assert tuple(e.shape) == tuple(t.shape), msg
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, err_msg=msg)


def _pair(arrays, grad=True):
    """torch and ember tensors for numpy arrays (None stays None; bool arrays never require grad)."""
    ts, es = [], []
    for a in arrays:
        if a is None:
            ts.append(None)
            es.append(None)
            continue
        g = grad and a.dtype.kind == "f"
        ts.append(torch.tensor(a, requires_grad=g))
        es.append(ember.tensor(a, requires_grad=g))
    return ts, es


def _compare_module(tmod, emod, build_args, rtol=2e-5, atol=2e-5, seed=0, train=False):
    """``build_args(lib, tensors)`` -> (args, kwargs); tensors are the leaves whose gradients are compared.
    Compares every output (tuples too), then the gradients of leaves and parameters."""
    _copy(tmod, emod)
    tmod.train(train)
    emod.train(train)
    rs = np.random.RandomState(seed)
    t_leaves, e_leaves, t_args, t_kw = build_args(torch, rs)
    _, _, e_args, e_kw = build_args(ember, np.random.RandomState(seed))
    e_leaves = [x for x in _leaves_of(e_args, e_kw)]
    t_leaves = [x for x in _leaves_of(t_args, t_kw)]
    tout, eout = tmod(*t_args, **t_kw), emod(*e_args, **e_kw)
    touts = tout if isinstance(tout, tuple) else (tout,)
    eouts = eout if isinstance(eout, tuple) else (eout,)
    assert len(touts) == len(eouts)
    for i, (t, e) in enumerate(zip(touts, eouts)):
        _close(e, t, rtol, atol, f"output {i}")
    loss_t = sum((t * torch.tensor(np.cos(np.arange(t.numel()).reshape(t.shape)), dtype=t.dtype)).sum()
                 for t in touts if t is not None)
    loss_e = sum((e * ember.tensor(np.cos(np.arange(e.numel()).reshape(e.shape)), dtype=e.dtype)).sum()
                 for e in eouts if e is not None)
    loss_t.backward()
    loss_e.backward()
    for i, (t, e) in enumerate(zip(t_leaves, e_leaves)):
        _close(e.grad, t.grad, rtol, atol, f"grad of input {i}")
    tparams, eparams = dict(tmod.named_parameters()), dict(emod.named_parameters())
    assert list(tparams) == list(eparams)
    for n in tparams:
        _close(eparams[n].grad, tparams[n].grad, rtol, atol, f"grad of {n}")
    return touts, eouts


def _leaves_of(args, kw):
    seen = []
    for a in list(args) + list(kw.values()):
        if a is not None and hasattr(a, "requires_grad") and a.requires_grad and not any(a is s for s in seen):
            seen.append(a)
    return seen


def _mk(lib, rs, shape, dtype=np.float32, grad=True):
    a = rs.randn(*shape).astype(dtype)
    return lib.tensor(a, requires_grad=grad)


def _bool_mask(lib, rs, shape, p=0.3, keep_col=True):
    """Random bool mask, True = masked out (MultiheadAttention's convention); column 0 never masked."""
    m = rs.rand(*shape) < p
    if keep_col:
        m[..., 0] = False
    return lib.tensor(m)


# ------------------------------------------------------------------------------------------------
# scaled_dot_product_attention


def _sdpa_compare(shapes, mask=None, rtol=2e-5, atol=2e-5, dtype=np.float32, **kw):
    rs = np.random.RandomState(0)
    arrays = [rs.randn(*s).astype(dtype) for s in shapes]
    if mask is not None:
        arrays.append(mask)
    ts, es = _pair(arrays)
    tm = ts[3] if mask is not None else None
    em = es[3] if mask is not None else None
    to = TF.scaled_dot_product_attention(ts[0], ts[1], ts[2], attn_mask=tm, **kw)
    eo = F.scaled_dot_product_attention(es[0], es[1], es[2], attn_mask=em, **kw)
    _close(eo, to, rtol, atol, "output")
    g = rs.randn(*to.shape).astype(dtype)
    to.backward(torch.tensor(g))
    eo.backward(ember.tensor(g))
    for i, (t, e) in enumerate(zip(ts, es)):
        if t is not None and t.requires_grad:
            _close(e.grad, t.grad, rtol, atol, f"grad {i}")
    return to, eo


@pytest.mark.parametrize("shapes", [((2, 3, 4, 8),) * 3, ((3, 5, 8), (3, 7, 8), (3, 7, 6)), ((5, 4),) * 3,
                                    ((2, 2, 1, 4), (2, 2, 6, 4), (2, 2, 6, 4)), ((1, 2, 3, 5, 4),) * 3])
def test_sdpa_plain(shapes):
    _sdpa_compare(shapes)


@pytest.mark.parametrize("mshape", [(4, 6), (2, 3, 4, 6), (3, 1, 6), (1, 6)])
def test_sdpa_masks(mshape):
    shapes = ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 8))
    rs = np.random.RandomState(1)
    bm = rs.rand(*mshape) > 0.3
    bm[..., 0] = True
    _sdpa_compare(shapes, mask=bm)
    _sdpa_compare(shapes, mask=rs.randn(*mshape).astype(np.float32))


def test_sdpa_float64_scale_and_causal():
    _sdpa_compare(((2, 3, 5, 4),) * 3, dtype=np.float64, scale=0.3, rtol=1e-10, atol=1e-10)
    for L, S in ((5, 5), (3, 6), (6, 3)):
        _sdpa_compare(((2, 2, L, 4), (2, 2, S, 4), (2, 2, S, 4)), is_causal=True)


def test_sdpa_causal_with_mask():
    rs = np.random.RandomState(2)
    bm = rs.rand(5, 5) > 0.4
    # PyTorch's fused CPU kernel (4-D, no dropout) applies both masks
    _sdpa_compare(((2, 3, 5, 8),) * 3, mask=bm, is_causal=True)
    fm = rs.randn(5, 5).astype(np.float32)
    q = np.random.RandomState(0).randn(2, 3, 5, 8).astype(np.float32)
    to = TF.scaled_dot_product_attention(*[torch.tensor(q)] * 3, attn_mask=torch.tensor(fm), is_causal=True)
    eo = F.scaled_dot_product_attention(*[ember.tensor(q)] * 3, attn_mask=ember.tensor(fm), is_causal=True)
    _close(eo, to, 2e-5, 2e-5)
    # elsewhere (other ranks, dropout, a mask that needs a gradient) it refuses them together
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set"):
        F.scaled_dot_product_attention(*[ember.tensor(q)] * 3, attn_mask=ember.tensor(fm, requires_grad=True),
                                       is_causal=True)
    for shape in ((3, 5, 8), (5, 8)):
        q = np.zeros(shape, np.float32)
        with pytest.raises(RuntimeError) as te:
            TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(q), torch.tensor(q),
                                            attn_mask=torch.tensor(bm), is_causal=True)
        with pytest.raises(RuntimeError) as ee:
            F.scaled_dot_product_attention(ember.tensor(q), ember.tensor(q), ember.tensor(q),
                                           attn_mask=ember.tensor(bm), is_causal=True)
        assert str(ee.value) == str(te.value)


def test_sdpa_fully_masked_rows_are_zero():
    bm = np.ones((4, 6), bool)
    bm[1] = False
    fm = np.where(bm, 0.0, -np.inf).astype(np.float32)
    to, eo = _sdpa_compare(((2, 4, 8), (2, 6, 8), (2, 6, 8)), mask=bm)
    assert np.all(eo.detach().numpy()[:, 1] == 0)
    _sdpa_compare(((2, 4, 8), (2, 6, 8), (2, 6, 8)), mask=fm)


@pytest.mark.parametrize("hk,hv", [(1, 1), (2, 2), (3, 3), (6, 2)])
def test_sdpa_gqa(hk, hv):
    _sdpa_compare(((2, 6, 4, 8), (2, hk, 5, 8), (2, hv, 5, 8)), enable_gqa=True)
    _sdpa_compare(((6, 4, 8), (hk, 5, 8), (hv, 5, 8)), enable_gqa=True)


def test_sdpa_errors_match_torch():
    z = np.zeros
    cases = [
        dict(q=z((2, 4, 8), np.float32), k=z((2, 4, 8), np.float64), v=z((2, 4, 8), np.float32)),
        dict(q=z((8,), np.float32), k=z((8,), np.float32), v=z((8,), np.float32)),
        dict(q=z((4, 8), np.float32), k=z((4, 8), np.float32), v=z((4, 8), np.float32), m=z((4, 4), np.int64)),
        dict(q=z((2, 4, 4, 8), np.float32), k=z((2, 3, 4, 8), np.float32), v=z((2, 3, 4, 8), np.float32), gqa=True),
        dict(q=z((2, 4, 8), np.int64), k=z((2, 4, 8), np.int64), v=z((2, 4, 8), np.int64)),
        dict(q=z((4, 8), np.float32), k=z((4, 8), np.float32), v=z((4, 8), np.float32), m=z((4, 4), np.float64)),
    ]
    for c in cases:
        def call(lib, fn, c=c):
            m = lib.tensor(c["m"]) if "m" in c else None
            return fn(lib.tensor(c["q"]), lib.tensor(c["k"]), lib.tensor(c["v"]), attn_mask=m,
                      enable_gqa=c.get("gqa", False))
        with pytest.raises(RuntimeError) as te:
            call(torch, TF.scaled_dot_product_attention)
        with pytest.raises(RuntimeError) as ee:
            call(ember, F.scaled_dot_product_attention)
        assert str(ee.value) == str(te.value)
    # mismatched sizes: both RuntimeError
    for q, k, v in (((2, 4, 8), (2, 4, 5), (2, 4, 5)), ((2, 4, 8), (3, 4, 8), (2, 4, 8))):
        with pytest.raises(RuntimeError):
            TF.scaled_dot_product_attention(torch.zeros(q), torch.zeros(k), torch.zeros(v))
        with pytest.raises(RuntimeError):
            F.scaled_dot_product_attention(ember.zeros(q), ember.zeros(k), ember.zeros(v))


def test_sdpa_dropout_statistics():
    ember.manual_seed(0)
    q, k = ember.zeros(4, 200, 16), ember.zeros(4, 100, 16)  # uniform attention: each weight 1/100
    v = ember.ones(4, 100, 3)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.25).numpy()
    # each output = (#kept / 100) / 0.75
    kept = out[..., 0] * 0.75 * 100
    assert np.allclose(kept, np.round(kept), atol=1e-3)
    assert abs(out.mean() - 1.0) < 0.02
    assert abs(kept.mean() / 100 - 0.75) < 0.01
    x = ember.randn(2, 3, 4, requires_grad=True)
    F.scaled_dot_product_attention(x, x, x, dropout_p=0.5).sum().backward()
    assert x.grad.shape == (2, 3, 4)


# ------------------------------------------------------------------------------------------------
# MultiheadAttention


def _mha_args(kind="self", batch_first=False, L=5, S=6, N=3, E_=8, kdim=None, vdim=None, kpm=None, mask=None,
              unbatched=False, dtype=np.float32, **fkw):
    """A build_args function for _compare_module."""
    def build(lib, rs):
        def shape(T, F_):
            if unbatched:
                return (T, F_)
            return (N, T, F_) if batch_first else (T, N, F_)
        q = _mk(lib, rs, shape(L, E_), dtype)
        if kind == "self":
            k = v = q
        elif kind == "kv":
            k = _mk(lib, rs, shape(S, kdim or E_), dtype)
            v = k
        else:
            k = _mk(lib, rs, shape(S, kdim or E_), dtype)
            v = _mk(lib, rs, shape(S, vdim or E_), dtype)
        src = L if kind == "self" else S
        kw = dict(fkw)
        if kpm is not None:
            kshape = (src,) if unbatched else (N, src)
            kw["key_padding_mask"] = (_bool_mask(lib, rs, kshape) if kpm == "bool" else
                                      lib.tensor(rs.randn(*kshape).astype(dtype)))
        if mask is not None:
            kind_, nd = mask
            mshape = (L, src) if nd == 2 else ((fkw.get("_heads", 2) * (1 if unbatched else N)), L, src)
            kw["attn_mask"] = (_bool_mask(lib, rs, mshape) if kind_ == "bool" else
                               lib.tensor(rs.randn(*mshape).astype(dtype)))
        kw.pop("_heads", None)
        return None, None, (q, k, v), kw
    return build


MHA_CASES = [
    ("self", dict(), dict()),
    ("self-bf", dict(batch_first=True), dict(batch_first=True)),
    ("kv", dict(), dict(kind="kv")),
    ("kv-bf", dict(batch_first=True), dict(kind="kv", batch_first=True)),
    ("qkv", dict(), dict(kind="qkv")),
    ("qkv-bf", dict(batch_first=True), dict(kind="qkv", batch_first=True)),
    ("kdim-vdim", dict(kdim=4, vdim=6), dict(kind="qkv", kdim=4, vdim=6)),
    ("kdim-vdim-bf", dict(kdim=4, vdim=6, batch_first=True), dict(kind="qkv", kdim=4, vdim=6, batch_first=True)),
    ("no-bias", dict(bias=False), dict(kind="qkv")),
    ("bias-kv", dict(add_bias_kv=True), dict(kind="qkv", kpm="bool", mask=("float", 2))),
    ("zero-attn", dict(add_zero_attn=True), dict(kind="qkv", kpm="bool", mask=("bool", 3))),
    ("bias-kv-zero-attn", dict(add_bias_kv=True, add_zero_attn=True), dict(mask=("bool", 2))),
    ("kpm-bool", dict(), dict(kind="kv", kpm="bool")),
    ("kpm-float", dict(), dict(kind="kv", kpm="float")),
    ("mask2-bool", dict(), dict(kind="qkv", mask=("bool", 2))),
    ("mask2-float", dict(), dict(kind="qkv", mask=("float", 2))),
    ("mask3-bool", dict(), dict(kind="qkv", mask=("bool", 3))),
    ("mask3-float-bf", dict(batch_first=True), dict(batch_first=True, mask=("float", 3))),
    ("masks-both", dict(), dict(kpm="bool", mask=("bool", 2))),
    ("no-weights", dict(), dict(kpm="bool", mask=("float", 3), need_weights=False)),
    ("no-weights-bf", dict(batch_first=True), dict(batch_first=True, need_weights=False)),
    ("per-head", dict(), dict(kind="qkv", average_attn_weights=False, mask=("bool", 2))),
    ("unbatched", dict(), dict(unbatched=True)),
    ("unbatched-bf", dict(batch_first=True), dict(kind="qkv", unbatched=True, kpm="bool", mask=("bool", 3))),
    ("unbatched-no-weights", dict(), dict(kind="kv", unbatched=True, need_weights=False, mask=("float", 2))),
    ("unbatched-per-head", dict(), dict(unbatched=True, average_attn_weights=False)),
]


@pytest.mark.parametrize("name,ctor,fwd", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_mha_matches_torch(name, ctor, fwd):
    torch.manual_seed(0)
    ctor = dict(ctor)
    tmod = torch.nn.MultiheadAttention(8, 2, **ctor)
    emod = nn.MultiheadAttention(8, 2, **ctor)
    _compare_module(tmod, emod, _mha_args(**fwd))


def test_mha_float64_and_four_heads():
    torch.manual_seed(1)
    t = torch.nn.MultiheadAttention(16, 4, dtype=torch.float64, add_bias_kv=True)
    e = nn.MultiheadAttention(16, 4, dtype=ember.float64, add_bias_kv=True)
    assert e.in_proj_weight.dtype is ember.float64
    _compare_module(t, e, _mha_args(E_=16, kind="kv", kpm="bool", mask=("float", 3), _heads=4, dtype=np.float64),
                    rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("kpm", [None, "bool"])
def test_mha_is_causal(need_weights, kpm):
    torch.manual_seed(0)
    t, e = torch.nn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2)

    def build(lib, rs):
        x = _mk(lib, rs, (5, 3, 8))
        kw = dict(attn_mask=lib.nn.Transformer.generate_square_subsequent_mask(5), is_causal=True,
                  need_weights=need_weights)
        if kpm:
            kw["key_padding_mask"] = _bool_mask(lib, rs, (3, 5))
        return None, None, (x, x, x), kw
    _compare_module(t, e, build)


def test_mha_fully_masked_rows():
    # need_weights: softmax of an all -inf row is NaN (as in torch); without weights the row is 0
    torch.manual_seed(0)
    t, e = torch.nn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2)
    _copy(t, e)
    x = np.random.RandomState(0).randn(4, 2, 8).astype(np.float32)
    kpm = np.zeros((2, 4), bool)
    kpm[1] = True
    for nw in (True, False):
        to = t(torch.tensor(x), torch.tensor(x), torch.tensor(x), key_padding_mask=torch.tensor(kpm),
               need_weights=nw)[0]
        eo = e(ember.tensor(x), ember.tensor(x), ember.tensor(x), key_padding_mask=ember.tensor(kpm),
               need_weights=nw)[0]
        np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_mha_functional_form():
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=6, add_bias_kv=True)
    rs = np.random.RandomState(0)
    q, k, v = rs.randn(5, 3, 8), rs.randn(6, 3, 4), rs.randn(6, 3, 6)
    kpm = rs.rand(3, 6) < 0.3
    kpm[:, 0] = False
    args = {}
    for lib, F_ in ((torch, TF), (ember, F)):
        P = {n: (lib.tensor(p.detach().numpy()) if lib is ember else p) for n, p in t.named_parameters()}
        out = F_.multi_head_attention_forward(
            lib.tensor(q, dtype=lib.float32), lib.tensor(k, dtype=lib.float32), lib.tensor(v, dtype=lib.float32),
            8, 2, None, P["in_proj_bias"], P["bias_k"], P["bias_v"], False, 0.0, P["out_proj.weight"],
            P["out_proj.bias"], training=False, key_padding_mask=lib.tensor(kpm), use_separate_proj_weight=True,
            q_proj_weight=P["q_proj_weight"], k_proj_weight=P["k_proj_weight"], v_proj_weight=P["v_proj_weight"],
            average_attn_weights=False)
        args[lib.__name__] = out
    for a, b in zip(args["ember"], args["torch"]):
        _close(a, b, 1e-5, 1e-5)


def test_mha_state_dict_repr_and_attributes():
    for kw in (dict(), dict(kdim=4, vdim=6), dict(add_bias_kv=True, bias=False), dict(batch_first=True)):
        t, e = torch.nn.MultiheadAttention(8, 2, **kw), nn.MultiheadAttention(8, 2, **kw)
        assert [(k, tuple(v.shape)) for k, v in e.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
        assert repr(e) == ereplace(repr(t))
        for a in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim", "num_heads", "dropout", "batch_first",
                  "head_dim", "add_zero_attn"):
            assert getattr(e, a) == getattr(t, a), a
        assert (e.bias_k is None) == (t.bias_k is None)
    assert type(e.out_proj).__name__ == "NonDynamicallyQuantizableLinear" and isinstance(e.out_proj, nn.Linear)


def test_mha_init_statistics():
    ember.manual_seed(0)
    E_ = 256
    m = nn.MultiheadAttention(E_, 4, add_bias_kv=True)
    w = m.in_proj_weight.detach().numpy()
    bound = math.sqrt(6 / (E_ + 3 * E_))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert np.all(m.in_proj_bias.detach().numpy() == 0) and np.all(m.out_proj.bias.detach().numpy() == 0)
    ow = m.out_proj.weight.detach().numpy()
    assert np.abs(ow).max() <= 1 / math.sqrt(E_)
    bk = m.bias_k.detach().numpy()
    assert abs(bk.std() - math.sqrt(2 / (2 * E_))) < 0.2 * math.sqrt(2 / (2 * E_))
    m = nn.MultiheadAttention(E_, 4, kdim=128, vdim=64)
    kw = m.k_proj_weight.detach().numpy()
    assert np.abs(kw).max() <= math.sqrt(6 / (E_ + 128))


def test_mha_train_dropout_statistics():
    ember.manual_seed(0)
    m = nn.MultiheadAttention(16, 2, dropout=0.4)
    x = ember.randn(50, 4, 16)
    _, w = m(x, x, x, average_attn_weights=False)
    w = w.detach().numpy()
    assert abs((w == 0).mean() - 0.4) < 0.02
    m.eval()
    _, w2 = m(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(w2.detach().numpy().sum(-1), 1.0, rtol=1e-5)
    # kept weights are rescaled by 1 / (1 - p)
    np.testing.assert_allclose(w[w != 0], (w2.detach().numpy() / 0.6)[w != 0], rtol=1e-5)


def _raises_same(tcall, ecall, exc=Exception):
    with pytest.raises(exc) as te:
        tcall()
    with pytest.raises(exc) as ee:
        ecall()
    assert type(ee.value) is type(te.value)
    assert ereplace(str(te.value)) == str(ee.value)


def test_mha_errors_match_torch():
    _raises_same(lambda: torch.nn.MultiheadAttention(10, 3), lambda: nn.MultiheadAttention(10, 3))
    _raises_same(lambda: torch.nn.MultiheadAttention(0, 3), lambda: nn.MultiheadAttention(0, 3))
    torch.manual_seed(0)
    t, e = torch.nn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2)
    t2, e2 = torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=6), nn.MultiheadAttention(8, 2, kdim=4, vdim=6)
    z = np.zeros
    cases = [
        (t, e, (z((1, 5, 3, 8)),) * 3, {}),
        (t, e, (z((5, 8)), z((5, 3, 8)), z((5, 3, 8))), {}),
        (t, e, (z((5, 3, 8)), z((5, 8)), z((5, 8))), {}),
        (t, e, (z(8),) * 3, {}),
        (t, e, (z((5, 3, 8)),) * 3, dict(attn_mask=z((4, 5), np.float32))),
        (t, e, (z((5, 3, 8)),) * 3, dict(attn_mask=z((2, 5, 5), np.float32))),
        (t, e, (z((5, 3, 8)),) * 3, dict(attn_mask=z((1, 6, 5, 5), np.float32))),
        (t, e, (z((5, 3, 8)),) * 3, dict(key_padding_mask=z((3, 4), bool))),
        (t, e, (z((5, 3, 8)),) * 3, dict(key_padding_mask=z((2, 5), bool))),
        (t, e, (z((5, 3, 8)),) * 3, dict(key_padding_mask=z((3, 5, 1), bool))),
        (t, e, (z((5, 3, 8)),) * 3, dict(key_padding_mask=z((3, 5), np.int64))),
        (t, e, (z((5, 3, 8)),) * 3, dict(attn_mask=z((5, 5), np.int64))),
        (t, e, (z((5, 3, 8)),) * 3, dict(is_causal=True)),
        (t, e, (z((5, 3, 4)), z((5, 3, 8)), z((5, 3, 8))), {}),
        (t, e, (z((5, 3, 8)), z((5, 3, 8)), z((4, 3, 8))), {}),
        (t, e, (z((5, 8)),) * 3, dict(attn_mask=z((3, 5, 5), np.float32))),
        (t, e, (z((5, 8)),) * 3, dict(key_padding_mask=z((1, 5), bool))),
        (t2, e2, (z((5, 3, 8)), z((5, 3, 4)), z((4, 3, 6))), {}),
    ]
    for tm, em, xs, kw in cases:
        xs = [x.astype(np.float32) for x in xs]
        _raises_same(lambda tm=tm, xs=xs, kw=kw: tm(*[torch.tensor(x) for x in xs], **{k: torch.tensor(v) for k, v in kw.items()
                                                                    if not isinstance(v, bool)},
                                **{k: v for k, v in kw.items() if isinstance(v, bool)}),
                     lambda em=em, xs=xs, kw=kw: em(*[ember.tensor(x) for x in xs], **{k: ember.tensor(v) for k, v in kw.items()
                                                                    if not isinstance(v, bool)},
                                **{k: v for k, v in kw.items() if isinstance(v, bool)}))


def test_mha_mismatched_mask_types_warn():
    t, e = torch.nn.MultiheadAttention(8, 2), nn.MultiheadAttention(8, 2)
    x = np.zeros((5, 3, 8), np.float32)
    for lib, m in ((torch, t), (ember, e)):
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
            m(lib.tensor(x), lib.tensor(x), lib.tensor(x), attn_mask=lib.zeros(5, 5, dtype=lib.bool),
              key_padding_mask=lib.zeros(3, 5))


# ------------------------------------------------------------------------------------------------
# Transformer layers


def _enc_args(batch_first=False, N=3, L=6, d=8, mask=None, kpm=None, unbatched=False, is_causal=False,
              dtype=np.float32):
    def build(lib, rs):
        shape = (L, d) if unbatched else ((N, L, d) if batch_first else (L, N, d))
        x = _mk(lib, rs, shape, dtype)
        kw = {}
        if mask == "bool":
            kw["src_mask"] = _bool_mask(lib, rs, (L, L))
        elif mask == "float":
            kw["src_mask"] = lib.tensor(rs.randn(L, L).astype(dtype))
        elif mask == "causal":
            kw["src_mask"] = lib.nn.Transformer.generate_square_subsequent_mask(L, dtype=getattr(lib, str(
                np.dtype(dtype))))
        if kpm is not None:
            ks = (L,) if unbatched else (N, L)
            kw["src_key_padding_mask"] = (_bool_mask(lib, rs, ks) if kpm == "bool" else
                                          lib.tensor(rs.randn(*ks).astype(dtype)))
        if is_causal:
            kw["is_causal"] = True
        return None, None, (x,), kw
    return build


ENC_CASES = [
    ("default", dict(), dict()),
    ("bf", dict(batch_first=True), dict(batch_first=True)),
    ("norm-first", dict(norm_first=True), dict(mask="bool")),
    ("gelu", dict(activation="gelu"), dict(kpm="bool")),
    ("gelu-fn", dict(activation=None), dict(kpm="float")),
    ("no-bias", dict(bias=False), dict(mask="float")),
    ("eps", dict(layer_norm_eps=1e-3, dim_feedforward=12), dict(mask="float", kpm="bool")),
    ("bf-masks", dict(batch_first=True, norm_first=True), dict(batch_first=True, mask="bool", kpm="bool")),
    ("causal", dict(), dict(mask="causal", is_causal=True)),
    ("unbatched", dict(), dict(unbatched=True, kpm="bool")),
]


@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("name,ctor,fwd", ENC_CASES, ids=[c[0] for c in ENC_CASES])
def test_encoder_layer_matches_torch(name, ctor, fwd, train):
    torch.manual_seed(0)
    ctor = dict(ctor)
    tctor, ector = dict(ctor), dict(ctor)
    if ctor.get("activation", 1) is None:
        tctor["activation"], ector["activation"] = TF.gelu, F.gelu
    dropout = 0.0 if train else 0.1
    t = torch.nn.TransformerEncoderLayer(8, 2, dropout=dropout, **({"dim_feedforward": 16} | tctor))
    e = nn.TransformerEncoderLayer(8, 2, dropout=dropout, **({"dim_feedforward": 16} | ector))
    _compare_module(t, e, _enc_args(**fwd), train=train)


def test_encoder_layer_float64_activation_module_and_repr():
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoderLayer(8, 2, 16, activation=torch.nn.GELU(), dtype=torch.float64)
    e = nn.TransformerEncoderLayer(8, 2, 16, activation=nn.GELU(), dtype=ember.float64)
    assert repr(e) == ereplace(repr(t))
    assert list(e.state_dict()) == list(t.state_dict())
    _compare_module(t, e, _enc_args(mask="float", kpm="bool", dtype=np.float64), rtol=1e-10, atol=1e-10)


def test_decoder_layer_matches_torch():
    for ctor, fwd in ((dict(), dict()), (dict(batch_first=True, norm_first=True, activation="gelu"), dict(bf=True)),
                      (dict(bias=False), dict(masks=True)), (dict(batch_first=True), dict(bf=True, masks=True)),
                      (dict(), dict(causal=True))):
        torch.manual_seed(0)
        t = torch.nn.TransformerDecoderLayer(8, 2, 16, **ctor)
        e = nn.TransformerDecoderLayer(8, 2, 16, **ctor)
        _compare_module(t, e, _dec_args(**fwd))


def _dec_args(bf=False, masks=False, causal=False, N=3, T=5, S=6, d=8, unbatched=False):
    def build(lib, rs):
        def shape(L):
            return (L, d) if unbatched else ((N, L, d) if bf else (L, N, d))
        tgt, mem = _mk(lib, rs, shape(T)), _mk(lib, rs, shape(S))
        kw = {}
        if masks:
            kw = dict(tgt_mask=_bool_mask(lib, rs, (T, T)), memory_mask=lib.tensor(rs.randn(T, S).astype(np.float32)),
                      tgt_key_padding_mask=_bool_mask(lib, rs, (N, T)),
                      memory_key_padding_mask=_bool_mask(lib, rs, (N, S)))
        if causal:
            kw = dict(tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(T), tgt_is_causal=True)
        return None, None, (tgt, mem), kw
    return build


def test_encoder_and_decoder_stacks():
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 2, torch.nn.LayerNorm(8))
    e = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, nn.LayerNorm(8), enable_nested_tensor=False)
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == ereplace(repr(t))
    assert e.layers[0] is not e.layers[1] and e.layers[0].linear1.weight is not e.layers[1].linear1.weight

    def build(lib, rs):
        x = _mk(lib, rs, (6, 3, 8))
        return None, None, (x,), dict(mask=lib.nn.Transformer.generate_square_subsequent_mask(6),
                                      src_key_padding_mask=_bool_mask(lib, rs, (3, 6)))
    _compare_module(t, e, build)

    def build_causal(lib, rs):
        x = _mk(lib, rs, (6, 3, 8))
        return None, None, (x,), dict(mask=lib.nn.Transformer.generate_square_subsequent_mask(6))
    _compare_module(t, e, build_causal)

    t = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 16, batch_first=True), 2,
                                    torch.nn.LayerNorm(8))
    e = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, batch_first=True), 2, nn.LayerNorm(8))
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == ereplace(repr(t))
    _compare_module(t, e, _dec_args(bf=True, masks=True))
    _compare_module(t, e, _dec_args(bf=True, causal=True))


def test_encoder_nested_tensor_inference_zeros_padding():
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
    e = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
    _copy(t, e)
    t.eval()
    e.eval()
    x = np.random.RandomState(0).randn(3, 5, 8).astype(np.float32)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    kpm[2, 4:] = True
    with torch.no_grad(), ember.no_grad():
        to = t(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
        eo = e(ember.tensor(x), src_key_padding_mask=ember.tensor(kpm))
    np.testing.assert_allclose(eo.numpy(), to.numpy(), rtol=1e-5, atol=1e-5)
    assert np.all(eo.numpy()[0, 3:] == 0)


def test_encoder_nested_tensor_warnings():
    layers = [(dict(), "encoder_layer.self_attn.batch_first was not True(use batch_first for better inference "
                        "performance)"),
              (dict(batch_first=True, norm_first=True), "encoder_layer.norm_first was True"),
              (dict(batch_first=True, activation=None), "encoder_layer.activation_relu_or_gelu was not True"),
              (dict(batch_first=True, bias=False), "encoder_layer.self_attn was passed bias=False")]
    for kw, why in layers:
        kw = dict(kw)
        if "activation" in kw:
            kw["activation"] = ember.tanh
        with pytest.warns(UserWarning) as rec:
            nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, **kw), 1)
        assert str(rec[0].message) == f"enable_nested_tensor is True, but self.use_nested_tensor is False because {why}"
    with pytest.warns(UserWarning, match="num_heads is odd"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 1, 16, batch_first=True), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False)
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_matches_torch(batch_first):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.Transformer(8, 2, 2, 1, 16, dropout=0.1, batch_first=batch_first)
        e = nn.Transformer(8, 2, 2, 1, 16, dropout=0.1, batch_first=batch_first)
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == ereplace(repr(t))
    assert (e.d_model, e.nhead, e.batch_first) == (8, 2, batch_first)

    def build(lib, rs):
        def shape(L):
            return (3, L, 8) if batch_first else (L, 3, 8)
        src, tgt = _mk(lib, rs, shape(6)), _mk(lib, rs, shape(5))
        return None, None, (src, tgt), dict(tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(5),
                                            src_key_padding_mask=_bool_mask(lib, rs, (3, 6)),
                                            memory_key_padding_mask=_bool_mask(lib, rs, (3, 6)))
    _compare_module(t, e, build)


def test_transformer_init_and_errors():
    ember.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = nn.Transformer(64, 4, 1, 1, 128)
        tm = torch.nn.Transformer(8, 2, 1, 1, 16)
    w = m.encoder.layers[0].linear1.weight.detach().numpy()  # xavier_uniform over every matrix
    bound = math.sqrt(6 / (64 + 128))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.03 * bound
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = nn.Transformer(8, 2, 1, 1, 16)
    z = np.zeros
    for src, tgt in (((5, 3, 8), (4, 2, 8)), ((5, 3, 8), (4, 3, 6))):
        _raises_same(lambda src=src, tgt=tgt: tm(torch.tensor(z(src, np.float32)), torch.tensor(z(tgt, np.float32))),
                     lambda src=src, tgt=tgt: e(ember.tensor(z(src, np.float32)), ember.tensor(z(tgt, np.float32))))
    _raises_same(lambda: torch.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
                 lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"))
    _raises_same(lambda: torch.nn.TransformerDecoderLayer(8, 2, activation="swish"),
                 lambda: nn.TransformerDecoderLayer(8, 2, activation="swish"))
    _raises_same(lambda: torch.nn.TransformerEncoderLayer(8, 3), lambda: nn.TransformerEncoderLayer(8, 3))


def test_generate_square_subsequent_mask():
    for sz in (0, 1, 4):
        t = torch.nn.Transformer.generate_square_subsequent_mask(sz)
        e = nn.Transformer.generate_square_subsequent_mask(sz)
        assert e.dtype is ember.float32 and tuple(e.shape) == tuple(t.shape)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    e = nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    assert e.dtype is ember.float64


def test_layers_train_mode_dropout():
    ember.manual_seed(0)
    m = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.5)
    x = ember.randn(7, 3, 16)
    a, b = m(x), m(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    np.testing.assert_array_equal(m(x).detach().numpy(), m(x).detach().numpy())
    # post-norm output rows are normalised whatever the dropout did
    m.train()
    y = m(x).detach().numpy()
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(-1), 1, atol=1e-3)


def test_mha_functional_packed_static_kv_and_merge_masks():
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(8, 2)
    rs = np.random.RandomState(0)
    q = rs.randn(5, 3, 8).astype(np.float32)
    sk, sv = rs.randn(6, 7, 4).astype(np.float32), rs.randn(6, 7, 4).astype(np.float32)
    outs = {}
    for lib, F_ in ((torch, TF), (ember, F)):
        P = {n: (lib.tensor(p.detach().numpy(), requires_grad=True) if lib is ember else p)
             for n, p in t.named_parameters()}
        x = lib.tensor(q, requires_grad=True)
        out, w = F_.multi_head_attention_forward(
            x, x, x, 8, 2, P["in_proj_weight"], P["in_proj_bias"], None, None, False, 0.0, P["out_proj.weight"],
            P["out_proj.bias"], training=False, static_k=lib.tensor(sk),
            static_v=lib.tensor(sv))
        (out.sum() + (w * w).sum()).backward()
        outs[lib.__name__] = (out, w, x.grad, P["in_proj_weight"].grad)
    for a, b in zip(outs["ember"], outs["torch"]):
        _close(a, b, 1e-5, 1e-5)
    e = nn.MultiheadAttention(8, 2)
    x = rs.randn(3, 5, 8).astype(np.float32)
    am = rs.randn(5, 5).astype(np.float32)
    kpm = rs.randn(3, 5).astype(np.float32)
    for args in ((am, kpm), (am, None), (None, kpm), (rs.randn(6, 5, 5).astype(np.float32), kpm)):
        tm = t.merge_masks(*[None if a is None else torch.tensor(a) for a in args], torch.tensor(x))
        em = e.merge_masks(*[None if a is None else ember.tensor(a) for a in args], ember.tensor(x))
        assert em[1] == tm[1]
        _close(em[0], tm[0], 0, 0)


def test_decoder_layer_unbatched_and_transformer_unbatched():
    torch.manual_seed(0)
    t, e = torch.nn.TransformerDecoderLayer(8, 2, 16), nn.TransformerDecoderLayer(8, 2, 16)
    _compare_module(t, e, _dec_args(unbatched=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.nn.Transformer(8, 2, 1, 1, 16, norm_first=True, activation="gelu")
        e = nn.Transformer(8, 2, 1, 1, 16, norm_first=True, activation="gelu")

    def build(lib, rs):
        return None, None, (_mk(lib, rs, (6, 8)), _mk(lib, rs, (4, 8))), dict(tgt_is_causal=True, tgt_mask=(
            lib.nn.Transformer.generate_square_subsequent_mask(4)))
    _compare_module(t, e, build)


def test_attention_gradcheck_and_double_backward():
    rs = np.random.RandomState(0)
    q, k, v = (ember.tensor(rs.randn(2, 2, 3, 4), requires_grad=True) for _ in range(3))
    m = ember.tensor(rs.rand(3, 3) > 0.3)
    m[:, 0] = True
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m)  # noqa: E731
    assert ember.autograd.gradcheck(fn, (q, k, v))
    assert ember.autograd.gradgradcheck(fn, (q, k, v))
    mha = nn.MultiheadAttention(4, 2, dtype=ember.float64)
    x = ember.tensor(rs.randn(3, 2, 4), requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: mha(x, x, x)[0], (x,))
