"""ember.nn.Module and containers against torch.nn: registration, naming orders, state_dict, repr, hooks."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from ember import nn

tnn = torch.nn


def E(t):
    return ember.tensor(t.detach().numpy())


def ereplace(s: str) -> str:
    return s.replace("torch.", "ember.")


def copy_state(tmod, emod):
    emod.load_state_dict({k: E(v) for k, v in tmod.state_dict().items()})


def build(lib):
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 3)
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("tmp", lib.ones(2), persistent=False)
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.act = lib.nn.Identity()

        def forward(self, x):
            return self.fc(x) * self.scale + self.running

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = lib.nn.Linear(5, 4)
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.head = lib.nn.Sequential(OrderedDict(flat=lib.nn.Flatten(), out=lib.nn.Linear(3, 2, bias=False)))
            self.tied = self.first  # shared module

        def forward(self, x):
            x = self.first(x)
            for b in self.blocks:
                x = b(x[..., :4] if x.shape[-1] > 4 else x)
                x = lib.cat([x, x[..., :1]], -1)
            return self.head(x[..., :3])

    return Net()


def _nets():
    return build(torch), build(ember)


# --- registration and naming ------------------------------------------------------------------

def test_named_orders_match_torch():
    t, e = _nets()
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="m", recurse=False)]
    assert [n for n, _ in e.blocks[0].named_parameters(recurse=False)] == \
        [n for n, _ in t.blocks[0].named_parameters(recurse=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))


def test_state_dict_keys_order_shapes_metadata():
    t, e = _nets()
    ts, es = t.state_dict(), e.state_dict()
    assert isinstance(es, OrderedDict)
    assert list(es.keys()) == list(ts.keys())
    assert [tuple(v.shape) for v in es.values()] == [tuple(v.shape) for v in ts.values()]
    assert es._metadata == ts._metadata
    assert list(e.state_dict(prefix="p.").keys()) == list(t.state_dict(prefix="p.").keys())
    kv = e.state_dict(keep_vars=True)
    assert isinstance(kv["first.weight"], nn.Parameter) and kv["first.weight"].requires_grad
    assert not es["first.weight"].requires_grad and type(es["first.weight"]) is ember.Tensor


def test_forward_backward_matches_torch():
    t, e = _nets()
    copy_state(t, e)
    x = np.random.RandomState(0).randn(2, 5).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    ty, ey = t(tx), e(ex)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    ty.sum().backward()
    ey.sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    for (n1, p1), (n2, p2) in zip(t.named_parameters(), e.named_parameters()):
        assert n1 == n2
        np.testing.assert_allclose(p2.grad.numpy(), p1.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=n1)


def test_register_errors_match_torch():
    def errs(lib):
        m = lib.nn.Module()
        m.x = 1
        calls = [
            lambda: m.register_buffer("a.b", lib.zeros(1)),
            lambda: m.register_buffer("", lib.zeros(1)),
            lambda: m.register_buffer(3, lib.zeros(1)),
            lambda: m.register_buffer("x", lib.zeros(1)),
            lambda: m.register_buffer("q", 5),
            lambda: m.register_parameter("a.b", None),
            lambda: m.register_parameter("", None),
            lambda: m.register_parameter("x", None),
            lambda: m.register_parameter("w", lib.zeros(1)),
            lambda: m.register_parameter("w", lib.nn.Parameter(lib.zeros(1)) * 2),
            lambda: m.add_module("x", lib.nn.Identity()),
            lambda: m.add_module("a.b", lib.nn.Identity()),
            lambda: m.add_module("", lib.nn.Identity()),
            lambda: m.add_module("c", 3),
            lambda: m.add_module(3, lib.nn.Identity()),
            lambda: m(lib.zeros(1)),
            lambda: m.nothing,
            lambda: m.get_submodule("a.b"),
            lambda: m.train(1),
        ]
        out = []
        for c in calls:
            try:
                c()
                out.append(None)
            except Exception as ex:
                out.append((type(ex).__name__, ereplace(str(ex))))
        return out

    assert errs(ember) == errs(torch)


def test_setattr_routing_and_delete():
    for lib in (torch, ember):
        m = lib.nn.Linear(2, 2)
        with pytest.raises(TypeError):
            m.weight = lib.zeros(2, 2)
        m.weight = None
        assert "weight" in m._parameters and m.weight is None
        m.buf = lib.nn.Buffer(lib.zeros(1), persistent=False)
        assert "buf" in m._buffers and "buf" in m._non_persistent_buffers_set
        assert "buf" not in m.state_dict()
        m.buf = lib.ones(1)
        assert "buf" in m._buffers
        with pytest.raises(TypeError):
            m.buf = 3
        m.sub = lib.nn.Identity()
        with pytest.raises(TypeError):
            m.sub = 3
        m.sub = None
        assert "sub" in m._modules
        del m.buf, m.sub, m.bias
        assert "buf" not in m._buffers and "sub" not in m._modules and "bias" not in m._parameters
        m.plain = 5
        del m.plain
        assert not hasattr(m, "plain")


def test_get_submodule_parameter_buffer():
    t, e = _nets()
    assert e.get_submodule("blocks.1.fc") is e.blocks[1].fc
    assert e.get_parameter("blocks.0.scale") is e.blocks[0].scale
    assert e.get_buffer("blocks.0.running") is e.blocks[0].running
    msgs = []
    for m in (t, e):
        row = []
        for f, arg in ((m.get_submodule, "blocks.5"), (m.get_submodule, "first.weight"), (m.get_parameter, "first.x"),
                       (m.get_parameter, "blocks.0.running"), (m.get_buffer, "first.weight")):
            try:
                f(arg)
                row.append(None)
            except AttributeError as ex:
                row.append(str(ex))
        msgs.append(row)
    assert msgs[0] == msgs[1]


def test_dir_contains_members():
    e = build(ember)
    d = dir(e)
    assert "first" in d and "blocks" in d and "forward" in d and "state_dict" in d
    assert "0" not in dir(e.blocks)


# --- load_state_dict --------------------------------------------------------------------------

def test_load_state_dict_errors_match_torch():
    tm, em = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    bad = {"weight": np.zeros((2, 4), np.float32), "bias": np.zeros(2, np.float32), "foo": np.zeros(1, np.float32)}
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict({k: torch.tensor(v) for k, v in bad.items()})
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict({k: ember.tensor(v) for k, v in bad.items()})
    assert str(ee.value) == ereplace(str(te.value))
    # numpy values are accepted too; missing keys
    with pytest.raises(RuntimeError) as te:
        tm.load_state_dict({"weight": torch.zeros(2, 3)})
    with pytest.raises(RuntimeError) as ee:
        em.load_state_dict({"weight": np.zeros((2, 3), np.float32)})
    assert str(ee.value) == ereplace(str(te.value))
    # nested: several mismatches, all listed
    t, e = _nets()
    sd = {k: torch.zeros(1) for k in t.state_dict()}
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(sd)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict({k: ember.zeros(1) for k in sd})
    assert str(ee.value) == ereplace(str(te.value))


def test_load_state_dict_non_strict_and_return():
    t, e = _nets()
    sd = t.state_dict()
    del sd["first.bias"]
    sd["extra.w"] = torch.zeros(1)
    sd["blocks.0.nope"] = torch.zeros(1)
    tr = t.load_state_dict(sd, strict=False)
    er = e.load_state_dict({k: E(v) for k, v in sd.items()}, strict=False)
    assert er.missing_keys == tr.missing_keys and er.unexpected_keys == tr.unexpected_keys
    assert repr(er) == repr(tr)
    assert repr(e.load_state_dict(e.state_dict())) == "<All keys matched successfully>"
    np.testing.assert_array_equal(e.first.weight.detach().numpy(), t.first.weight.detach().numpy())


def test_load_state_dict_copy_keeps_identity_and_assign_replaces():
    m = nn.Linear(2, 2)
    w = m.weight
    m.load_state_dict({"weight": ember.ones(2, 2), "bias": ember.zeros(2)})
    assert m.weight is w and m.weight.tolist() == [[1, 1], [1, 1]]
    new = ember.full((2, 2), 3.0)
    m.load_state_dict({"weight": new, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight is not w and m.weight.requires_grad
    assert m.weight._data is new._data


def test_load_state_dict_hooks():
    for lib in (torch, ember):
        m = lib.nn.Linear(2, 2)
        log = []
        m.register_load_state_dict_pre_hook(lambda mod, sd, prefix, *a, log=log: log.append(("pre", type(mod).__name__)))
        m.register_load_state_dict_post_hook(lambda mod, keys, log=log: log.append(("post", list(keys.missing_keys))))
        m.load_state_dict({"weight": lib.zeros(2, 2)}, strict=False)
        assert log == [("pre", "Linear"), ("post", ["bias"])]


def test_state_dict_hooks():
    for lib in (torch, ember):
        m = lib.nn.Linear(2, 2)
        log = []
        m.register_state_dict_pre_hook(lambda mod, prefix, keep_vars, log=log: log.append(("pre", prefix)))
        m.register_state_dict_post_hook(lambda mod, sd, prefix, meta, log=log: log.append(("post", list(sd))))
        m.state_dict(prefix="a.")
        assert log == [("pre", "a."), ("post", ["a.weight", "a.bias"])]


# --- conversion -------------------------------------------------------------------------------

def test_to_double_float_keeps_parameter_identity():
    m = nn.Linear(2, 3)
    m.register_buffer("steps", ember.zeros(1, dtype=ember.int64))
    w = m.weight
    m.weight.grad = ember.ones(3, 2)
    m.double()
    assert m.weight is w and m.weight.dtype is ember.float64 and m.weight.grad.dtype is ember.float64
    assert m.steps.dtype is ember.int64
    m.to(ember.float32)
    assert m.weight.dtype is ember.float32 and m.bias.dtype is ember.float32
    m.half()
    assert m.weight.dtype is ember.float16
    m.to(dtype=ember.float64)
    assert m.weight.dtype is ember.float64
    m.float().cpu()
    assert m.weight.dtype is ember.float32
    m.to("cpu", ember.float64)
    assert m.weight.dtype is ember.float64
    m.to(ember.zeros(1))
    assert m.weight.dtype is ember.float32
    with pytest.raises(TypeError) as ee:
        m.to(ember.int64)
    with pytest.raises(TypeError) as te:
        torch.nn.Linear(1, 1).to(torch.int64)
    assert str(ee.value) == ereplace(str(te.value))


def test_train_eval_requires_grad_zero_grad_apply():
    t, e = _nets()
    e.eval()
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    e.requires_grad_()
    e(ember.randn(2, 5)).sum().backward()
    assert all(p.grad is not None for p in e.parameters())
    e.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    seen_t, seen_e = [], []
    t.apply(lambda m: seen_t.append(type(m).__name__))
    e.apply(lambda m: seen_e.append(type(m).__name__))
    assert seen_e == seen_t


def test_deepcopy_and_pickle():
    e = build(ember)
    c = copy.deepcopy(e)
    assert isinstance(c.first.weight, nn.Parameter) and c.first.weight is not e.first.weight
    assert c.tied is c.first  # sharing preserved
    np.testing.assert_array_equal(c.first.weight.detach().numpy(), e.first.weight.detach().numpy())
    c.first.weight.data.numpy()[...] = 0
    assert float(e.first.weight.detach().abs().sum()) > 0
    m = nn.Sequential(nn.Linear(2, 3), nn.Flatten())
    m.register_buffer("b", ember.arange(3), persistent=False)
    r = pickle.loads(pickle.dumps(m))
    assert isinstance(r[0].weight, nn.Parameter) and r[0].weight.requires_grad
    assert repr(r) == repr(m)
    assert "b" in r._non_persistent_buffers_set
    np.testing.assert_array_equal(r[0].weight.detach().numpy(), m[0].weight.detach().numpy())


# --- Parameter / Buffer -----------------------------------------------------------------------

def test_parameter_semantics():
    t = ember.randn(2, 3)
    p = nn.Parameter(t)
    assert p._data is t._data and p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\n" + repr(t.requires_grad_(True))
    t.requires_grad_(False)
    assert repr(nn.Parameter(ember.zeros(2))) == ereplace(repr(torch.nn.Parameter(torch.zeros(2))))
    assert repr(nn.Parameter(ember.zeros(2, dtype=ember.int64), requires_grad=False)) == \
        ereplace(repr(torch.nn.Parameter(torch.zeros(2, dtype=torch.int64), requires_grad=False)))
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        nn.Parameter(ember.zeros(2, dtype=ember.int64))
    for r in (p * 2, p.detach(), p.data, p[0], p.to(ember.float64)):
        assert type(r) is ember.Tensor
    assert isinstance(copy.deepcopy(p), nn.Parameter)
    p2 = pickle.loads(pickle.dumps(p))
    assert isinstance(p2, nn.Parameter) and p2.tolist() == p.tolist()
    # shared version counter: writes through the original are seen
    v = p._version_value
    with ember.no_grad():
        t.add_(1)
    assert p._version_value == v + 1
    assert isinstance(nn.Parameter(), nn.Parameter) and nn.Parameter().shape == (0,)
    b = nn.Buffer(ember.zeros(2), persistent=False)
    assert isinstance(b, nn.Buffer) and type(b) is ember.Tensor and not isinstance(ember.zeros(1), nn.Buffer)


def test_uninitialized_parameter_and_lazy_linear():
    u = nn.UninitializedParameter()
    assert repr(u) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError) as ee:
        _ = u.shape
    with pytest.raises(RuntimeError) as te:
        _ = torch.nn.UninitializedParameter().shape
    assert str(ee.value) == str(te.value)
    lt, le = torch.nn.LazyLinear(3), nn.LazyLinear(3)
    assert repr(le) == repr(lt)
    assert le.has_uninitialized_params()
    x = np.random.RandomState(1).randn(4, 5).astype(np.float32)
    lt(torch.tensor(x))
    le(ember.tensor(x))
    assert type(le) is nn.Linear and repr(le) == repr(lt)
    assert le.weight.shape == (3, 5) and isinstance(le.weight, nn.Parameter)
    bound = 1 / np.sqrt(5)
    assert np.abs(le.weight.detach().numpy()).max() <= bound
    copy_state(lt, le)
    np.testing.assert_allclose(le(ember.tensor(x)).detach().numpy(), lt(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)
    # lazy module materialised by load_state_dict
    l2 = nn.LazyLinear(3)
    l2.load_state_dict({"weight": ember.ones(3, 5), "bias": ember.zeros(3)})
    assert l2.weight.shape == (3, 5) and l2.weight.tolist()[0] == [1.0] * 5


# --- repr -------------------------------------------------------------------------------------

def test_repr_matches_torch():
    t, e = _nets()
    assert repr(e) == repr(t)
    for make in (
        lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 2), lib.nn.Sequential(lib.nn.Flatten(0, 1), lib.nn.Identity())),
        lambda lib: lib.nn.ModuleList([lib.nn.Identity(), lib.nn.Identity(), lib.nn.Linear(2, 2), lib.nn.Identity()]),
        lambda lib: lib.nn.ModuleList(),
        lambda lib: lib.nn.ModuleDict({"a": lib.nn.Identity(), "b": lib.nn.Linear(2, 3, bias=False)}),
        lambda lib: lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2, 3)), lib.zeros(4), "x"]),
        lambda lib: lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.zeros(2, 3))}),
        lambda lib: lib.nn.ParameterDict({"a": lib.zeros(2, 3), "b": lib.zeros(1, dtype=lib.float64)}),
        lambda lib: lib.nn.Bilinear(2, 3, 4, bias=False),
        lambda lib: lib.nn.Unflatten(1, [2, 3]),
        lambda lib: lib.nn.Sequential(),
        lambda lib: lib.nn.Module(),
    ):
        assert repr(make(ember)) == ereplace(repr(make(torch)))


# --- containers -------------------------------------------------------------------------------

def _names(seq):
    return [type(m).__name__ + str(getattr(m, "in_features", "")) for m in seq]


def test_sequential_ops_match_torch():
    def run(lib):
        def mk():
            return lib.nn.Sequential(*[lib.nn.Linear(i, i) for i in range(1, 6)])
        out = []
        s = mk()
        out.append(_names(s[1:4]))
        out.append(type(s[1:4]).__name__)
        out.append(_names([s[-1], s[0]]))
        del s[1]
        out.append((_names(s), list(s._modules)))
        del s[::2]
        out.append((_names(s), list(s._modules)))
        s = mk()
        s.append(lib.nn.Identity()).insert(0, lib.nn.Flatten()).extend([lib.nn.Identity()])
        out.append((_names(s), list(s._modules)))
        out.append(_names([s.pop(1)]) + _names(s))
        s.insert(-1, lib.nn.Linear(9, 9))
        out.append((_names(s), list(s._modules)))
        s2 = mk() + mk()
        out.append((_names(s2), list(s2._modules), len(s2)))
        s3 = mk()
        s3 += mk()
        out.append(len(s3))
        out.append(len(mk() * 2))
        s[0] = lib.nn.Linear(7, 7)
        out.append(_names(s))
        for bad in (lambda: s[100], lambda: mk() + 1, lambda: s.insert(100, lib.nn.Identity())):
            try:
                bad()
            except Exception as ex:
                out.append((type(ex).__name__, ereplace(str(ex))))
        return out

    assert run(ember) == run(torch)


def test_sequential_forward_ordered_dict():
    x = np.random.RandomState(0).randn(3, 4).astype(np.float32)
    t = torch.nn.Sequential(OrderedDict(a=torch.nn.Linear(4, 5), b=torch.nn.Flatten(), c=torch.nn.Linear(5, 2)))
    e = nn.Sequential(OrderedDict(a=nn.Linear(4, 5), b=nn.Flatten(), c=nn.Linear(5, 2)))
    copy_state(t, e)
    assert list(e.state_dict()) == ["a.weight", "a.bias", "c.weight", "c.bias"]
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_modulelist_moduledict_ops():
    def run(lib):
        out = []
        ml = lib.nn.ModuleList([lib.nn.Linear(i, i) for i in range(1, 5)])
        out.append(_names(ml[1:3]))
        out.append(_names([ml[-1]]))
        ml.insert(1, lib.nn.Identity())
        ml.append(lib.nn.Flatten())
        ml.extend([lib.nn.Identity()])
        ml += [lib.nn.Linear(8, 8)]
        out.append((_names(ml), list(ml._modules)))
        del ml[0]
        out.append(list(ml._modules))
        out.append(_names([ml.pop(0)]))
        out.append(_names(ml + lib.nn.ModuleList([lib.nn.Identity()])))
        ml[0] = lib.nn.Linear(9, 9)
        out.append(_names(ml))
        for bad in (lambda: ml[50], lambda: ml.extend(3)):
            try:
                bad()
            except Exception as ex:
                out.append((type(ex).__name__, ereplace(str(ex))))
        md = lib.nn.ModuleDict({"b": lib.nn.Identity(), "a": lib.nn.Linear(2, 2)})
        md["c"] = lib.nn.Flatten()
        md.update([("d", lib.nn.Identity())])
        out.append((list(md.keys()), _names(md.values()), "a" in md, len(md)))
        out.append(_names([md.pop("a")]))
        out.append(list(md))
        for bad in (lambda: md.update(3), lambda: md.update([("x",)])):
            try:
                bad()
            except Exception as ex:
                out.append((type(ex).__name__, ereplace(str(ex))))
        md.clear()
        out.append(len(md))
        return out

    assert run(ember) == run(torch)


def test_parameterlist_parameterdict():
    def run(lib):
        out = []
        pl = lib.nn.ParameterList([lib.zeros(2), lib.nn.Parameter(lib.ones(3))])
        pl.append(lib.zeros(1, 1))
        pl.extend([lib.zeros(4)])
        out.append([(type(p).__name__, tuple(p.shape)) for p in pl])
        out.append([n for n, _ in pl.named_parameters()])
        out.append(len(pl[1:]))
        pl[0] = lib.ones(5)
        out.append(tuple(pl[0].shape))
        pd = lib.nn.ParameterDict({"w": lib.zeros(2)})
        pd["v"] = lib.nn.Parameter(lib.ones(1))
        pd.update(OrderedDict(z=lib.zeros(3)))
        out.append((list(pd.keys()), [type(v).__name__ for v in pd.values()], "w" in pd, len(pd)))
        out.append([n for n, _ in pd.named_parameters()])
        out.append(tuple(pd.pop("w").shape))
        out.append(list(pd))
        out.append(tuple(pd.get("nope", lib.zeros(7)).shape))
        return out

    assert run(ember) == run(torch)


# --- hooks ------------------------------------------------------------------------------------

def _hook_log(lib):
    log = []
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])) if hasattr(m.weight, "copy_") else \
            m.load_state_dict({"weight": lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]), "bias": lib.zeros(2)})
        if hasattr(m.bias, "zero_"):
            m.bias.zero_()
    h1 = m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    m.register_forward_pre_hook(lambda mod, args, kwargs: log.append(("pre_kw", sorted(kwargs))), with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, args: log.append(("pre_first",)), prepend=True)
    m.register_forward_hook(lambda mod, args, out: log.append(("fwd", out.tolist())))
    m.register_forward_hook(lambda mod, args, out: out + 1)
    m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("fwd_kw", out.tolist())), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append(("fwd_first",)), prepend=True)
    out = m(lib.tensor([[1.0, 1.0, 1.0]]))
    log.append(("out", out.tolist()))
    h1.remove()
    m(lib.tensor([[0.0, 0.0, 0.0]]))
    return log


def test_forward_hooks_order_and_effects():
    e, t = _hook_log(ember), _hook_log(torch)
    assert len(e) == len(t)
    for a, b in zip(e, t):
        assert a[0] == b[0]
        if len(a) > 1 and isinstance(a[1], list):
            np.testing.assert_allclose(np.array(a[1]), np.array(b[1]), rtol=1e-6)
        else:
            assert a == b


def test_forward_hook_always_call():
    for lib in (torch, ember):
        class Bad(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        m = Bad()
        log = []
        m.register_forward_hook(lambda mod, args, out, log=log: log.append("always"), always_call=True)
        m.register_forward_hook(lambda mod, args, out, log=log: log.append("normal"))
        with pytest.raises(ValueError):
            m(lib.zeros(1))
        assert log == ["always"]


def _backward_hook_run(lib):
    log = []
    m = lib.nn.Linear(3, 2)
    m.load_state_dict({"weight": lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]), "bias": lib.zeros(2)})

    def bpre(mod, gout):
        log.append(("bpre", [g.tolist() for g in gout]))
        return (gout[0] * 3,)

    def bfull(mod, gin, gout):
        log.append(("bfull", [None if g is None else g.tolist() for g in gin], [g.tolist() for g in gout]))
        return None if gin[0] is None else (gin[0] * 10,)

    m.register_full_backward_pre_hook(bpre)
    m.register_full_backward_hook(bfull)
    x = lib.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
    m(x).sum().backward()
    log.append(("xgrad", x.grad.tolist()))
    log.append(("wgrad", m.weight.grad.tolist()))
    # input without grad: hook still called with grad_input (None,)
    m.zero_grad()
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        m(lib.tensor([[1.0, 1.0, 1.0]])).sum().backward()
    log.append(("wgrad2", m.weight.grad.tolist()))
    return log


def test_full_backward_hooks_match_torch():
    assert _backward_hook_run(ember) == _backward_hook_run(torch)


def test_backward_hook_mixing_error():
    for lib in (torch, ember):
        m = lib.nn.Linear(1, 1)
        m.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
            m.register_backward_hook(lambda *a: None)


def test_global_forward_hooks():
    from ember.nn.modules import module as emod
    log = []
    h = emod.register_module_forward_hook(lambda mod, args, out: log.append(type(mod).__name__))
    h2 = emod.register_module_forward_pre_hook(lambda mod, args: log.append("pre-" + type(mod).__name__))
    try:
        nn.Sequential(nn.Identity(), nn.Flatten())(ember.zeros(2, 2))
    finally:
        h.remove()
        h2.remove()
    assert log == ["pre-Sequential", "pre-Identity", "Identity", "pre-Flatten", "Flatten", "Sequential"]
    nn.Identity()(ember.zeros(1))
    assert len(log) == 6


def test_missing_forward_message():
    with pytest.raises(NotImplementedError) as ee:
        nn.Module()(1)
    with pytest.raises(NotImplementedError) as te:
        torch.nn.Module()(1)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("assign", [False, True])
@pytest.mark.parametrize("break_it", ["size-mismatch", "missing-key", "unexpected-key"])
def test_failed_load_state_dict_leaves_module_unchanged(break_it, assign):
    model = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4), ember.nn.Linear(4, 2))
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    params_before = [id(p) for p in model.parameters()]
    sd = {k: ember.ones(v.shape, dtype=v.dtype) for k, v in model.state_dict().items()}
    if break_it == "size-mismatch":
        sd["2.weight"] = ember.ones(5, 4)
    elif break_it == "missing-key":
        del sd["2.bias"]
    else:
        sd["2.extra"] = ember.ones(1)
    with pytest.raises(RuntimeError, match="Error\\(s\\) in loading state_dict for Sequential"):
        model.load_state_dict(sd, assign=assign)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k].detach().numpy()) for k in before)
    assert [id(p) for p in model.parameters()] == params_before
