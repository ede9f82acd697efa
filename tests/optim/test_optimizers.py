"""ember.optim against torch.optim: 50 steps from the same parameters with the same gradients
give the same parameters and the same state_dict; state_dict round trips; hooks; groups; errors."""

# ruff: noqa: B023  (hooks and closures made in a loop over the two libraries run in that same iteration)

import copy
import itertools
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

SHAPES = ((3, 4), (5,), ())


def _make_params(lib, seed=0, dtype=np.float32, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    return [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(dtype))) for s in shapes]


def _conv(v, lib):
    """kwargs value: numpy arrays become lib tensors (tensor lr / betas)."""
    if isinstance(v, np.ndarray):
        return lib.tensor(v)
    if isinstance(v, tuple):
        return tuple(_conv(x, lib) for x in v)
    return v


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t._data


def _set_grads(tp, ep, rng):
    for a, b in zip(tp, ep):
        g = rng.standard_normal(tuple(a.shape)).astype(_np(a).dtype)
        a.grad = torch.tensor(g)
        b.grad = ember.tensor(g)


def _close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(_np(b)), np.asarray(_np(a)), rtol=rtol, atol=atol)


def _compare_state_dicts(tsd, esd, rtol=1e-5, atol=1e-6):
    assert len(tsd["param_groups"]) == len(esd["param_groups"])
    for tg, eg in zip(tsd["param_groups"], esd["param_groups"]):
        assert list(tg) == list(eg)
        for k in tg:
            tv, ev = tg[k], eg[k]
            if isinstance(tv, torch.Tensor):
                assert float(tv) == pytest.approx(float(ev))
            elif isinstance(tv, tuple) and tv and isinstance(tv[0], torch.Tensor):
                assert [float(x) for x in tv] == pytest.approx([float(x) for x in ev])
            else:
                assert tv == ev, k
    assert list(tsd["state"]) == list(esd["state"])
    for i in tsd["state"]:
        ts, es = tsd["state"][i], esd["state"][i]
        assert list(ts) == list(es)
        for k in ts:
            tv, ev = ts[k], es[k]
            if isinstance(tv, torch.Tensor):
                assert isinstance(ev, ember.Tensor), k
                assert str(ev.dtype).replace("ember", "torch") == str(tv.dtype), k
                assert tuple(ev.shape) == tuple(tv.shape), k
                _close(tv, ev, rtol, atol)
            else:
                assert type(tv) is type(ev), k
                assert tv == ev, k


def _run(name, kwargs, steps=50, seed=0):
    tp, ep = _make_params(torch, seed), _make_params(ember, seed)
    to = getattr(torch.optim, name)(tp, **{k: _conv(v, torch) for k, v in kwargs.items()})
    eo = getattr(ember.optim, name)(ep, **{k: _conv(v, ember) for k, v in kwargs.items()})
    rng = np.random.default_rng(seed + 1)
    for _ in range(steps):
        _set_grads(tp, ep, rng)
        to.step()
        eo.step()
    return tp, ep, to, eo


B = (False, True)

# weight decay and maximize interact (their order matters), so they are crossed with each other;
# the remaining flags are crossed with one (wd, maximize) pair that exercises both.
WM = ((0, False), (0.1, True))
WM4 = ((0, False), (0, True), (0.1, False), (0.1, True))

CASES = (
    [("SGD", dict(lr=0.1, momentum=m, dampening=d, nesterov=n, weight_decay=w, maximize=x))
     for m, d, n, (w, x) in itertools.product((0, 0.9), (0, 0.3), B, WM4) if not (n and (m == 0 or d != 0))]
    + [("Adam", dict(lr=0.01, amsgrad=a, weight_decay=w, maximize=x, decoupled_weight_decay=dd))
       for a, (w, x), dd in itertools.product(B, WM4, B) if not (dd and w == 0)]
    + [("Adam", dict(lr=np.array(0.01, np.float32), amsgrad=a, weight_decay=0.1)) for a in B]
    + [("Adam", dict(lr=0.01, betas=(0.3, 0.5))), ("Adam", dict(lr=0.01, foreach=False, fused=True)),
       ("Adam", dict(lr=0.01, betas=(np.array(0.8, np.float32), np.array(0.9, np.float32))))]
    + [("AdamW", dict(lr=0.01, amsgrad=a, maximize=x)) for a, x in itertools.product(B, B)]
    + [("AdamW", dict(lr=0.01, weight_decay=0))]
    + [("RMSprop", dict(lr=0.01, centered=c, momentum=m, weight_decay=w, maximize=x))
       for c, m, (w, x) in itertools.product(B, (0, 0.9), WM)]
    + [("RMSprop", dict(lr=0.01, weight_decay=w, maximize=x)) for w, x in WM4[1:3]]
    + [("Adagrad", dict(lr=0.1, lr_decay=a, initial_accumulator_value=b, weight_decay=w, maximize=x))
       for a, b, (w, x) in itertools.product((0, 0.1), (0, 0.5), WM)]
    + [("Adadelta", dict(lr=lr, rho=r, weight_decay=w, maximize=x))
       for (lr, r), (w, x) in itertools.product(((1.0, 0.9), (0.5, 0.5)), WM4)]
    + [("Adamax", dict(lr=0.01, weight_decay=w, maximize=x, betas=b))
       for (w, x), b in itertools.product(WM4, ((0.9, 0.999), (0.4, 0.8)))]
    + [("NAdam", dict(lr=0.01, weight_decay=w, maximize=x, decoupled_weight_decay=dd, momentum_decay=md))
       for (w, x), dd, md in itertools.product(WM4, B, (4e-3, 0.1)) if not (dd and w == 0)]
    + [("RAdam", dict(lr=0.01, weight_decay=w, maximize=x, decoupled_weight_decay=dd, betas=b))
       for (w, x), dd, b in itertools.product(WM4, B, ((0.9, 0.999), (0.9, 0.9))) if not (dd and w == 0)]
    + [("ASGD", dict(lr=0.01, weight_decay=w, maximize=x, t0=t, lambd=lam))
       for (w, x), t, lam in itertools.product(WM, (1e6, 10.0), (1e-4, 0.1))]
    + [("ASGD", dict(lr=0.01, weight_decay=w, maximize=x, t0=10.0)) for w, x in WM4[1:3]]
    + [("Rprop", dict(lr=0.01, maximize=x, etas=e, step_sizes=st))
       for x, e, st in itertools.product(B, ((0.5, 1.2), (0.3, 1.5)), ((1e-6, 50), (1e-3, 0.05)))]
)


BY_NAME: dict = {}
for _name, _kw in CASES:
    BY_NAME.setdefault(_name, []).append(_kw)


@pytest.mark.parametrize("name", list(BY_NAME))
def test_matches_torch(name):
    """Every configuration of ``name`` is one param group (with its own parameters) of a single
    optimizer, so one 50-step run covers them all."""
    configs = BY_NAME[name]
    n = len(SHAPES)
    tps = [p for i in range(len(configs)) for p in _make_params(torch, i)]
    eps_ = [p for i in range(len(configs)) for p in _make_params(ember, i)]

    def groups(lib, ps):
        return [dict({k: _conv(v, lib) for k, v in kw.items()}, params=ps[i * n:(i + 1) * n])
                for i, kw in enumerate(configs)]

    to = getattr(torch.optim, name)(groups(torch, tps))
    eo = getattr(ember.optim, name)(groups(ember, eps_))
    rng = np.random.default_rng(1)
    total = sum(int(np.prod(s)) for s in SHAPES) * len(configs)
    for _ in range(50):
        flat = rng.standard_normal(total).astype(np.float32)
        off = 0
        for a, b in zip(tps, eps_):
            g = flat[off:off + a.numel()].reshape(tuple(a.shape))
            off += a.numel()
            a.grad = torch.from_numpy(g)
            b.grad = ember.tensor(g)
        to.step()
        eo.step()
    for i, kw in enumerate(configs):
        for a, b in zip(tps[i * n:(i + 1) * n], eps_[i * n:(i + 1) * n]):
            np.testing.assert_allclose(_np(b), _np(a), rtol=1e-5, atol=1e-6, err_msg=f"{name} {kw}")
    _compare_state_dicts(to.state_dict(), eo.state_dict())


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "ASGD", "Rprop"])
def test_param_groups_float64_and_no_grad(name):
    """Groups with different lrs, a float64 group, a parameter that never gets a gradient."""
    rng = np.random.default_rng(3)
    a32 = rng.standard_normal((4, 3)).astype(np.float32)
    a64 = rng.standard_normal((6,))
    skip = rng.standard_normal((2,)).astype(np.float32)

    def build(lib):
        ps = [lib.nn.Parameter(lib.tensor(a32)), lib.nn.Parameter(lib.tensor(a64)), lib.nn.Parameter(lib.tensor(skip))]
        kw = {"momentum": 0.9} if name == "SGD" else {}
        o = getattr(lib.optim, name)([{"params": [ps[0], ps[2]]}, {"params": [ps[1]], "lr": 0.05}], lr=0.01, **kw)
        return ps, o

    tp, to = build(torch)
    ep, eo = build(ember)
    for _ in range(20):
        for a, b in zip(tp[:2], ep[:2]):
            g = rng.standard_normal(tuple(a.shape)).astype(_np(a).dtype)
            a.grad, b.grad = torch.tensor(g), ember.tensor(g)
        to.step()
        eo.step()
    for a, b in zip(tp, ep):
        _close(a, b, rtol=1e-5 if _np(a).dtype == np.float32 else 1e-10)
    _compare_state_dicts(to.state_dict(), eo.state_dict(), atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("RMSprop", dict(centered=True, momentum=0.5)), ("Adagrad", {}),
                                         ("NAdam", {}), ("ASGD", dict(t0=3.0)), ("Rprop", {}), ("Adadelta", {}),
                                         ("Adamax", {}), ("RAdam", {})])
def test_state_dict_round_trip(name, kwargs):
    """Half-way, a fresh optimizer loads the state_dict (ember's own, and torch's converted to
    ember tensors) and continues exactly like the original."""
    tp, ep, to, eo = _run(name, kwargs, steps=10)
    sd = copy.deepcopy(eo.state_dict())  # load_state_dict shares the tensors (as torch does)
    ep2 = [ember.nn.Parameter(p.detach().clone()) for p in ep]
    ep3 = [ember.nn.Parameter(p.detach().clone()) for p in ep]
    eo2 = getattr(ember.optim, name)(ep2, **kwargs)
    eo2.load_state_dict(sd)
    tsd = to.state_dict()
    conv = {"state": {i: {k: (ember.tensor(v.numpy().copy()) if isinstance(v, torch.Tensor) else v) for k, v in s.items()}
                      for i, s in tsd["state"].items()},
            "param_groups": copy.deepcopy(tsd["param_groups"])}
    eo3 = getattr(ember.optim, name)(ep3, **kwargs)
    eo3.load_state_dict(conv)
    for s in eo3.state_dict()["state"].values():
        if "step" in s and isinstance(s["step"], ember.Tensor):
            assert s["step"].dtype == ember.float32
    rng = np.random.default_rng(7)
    for _ in range(10):
        g = [rng.standard_normal(tuple(p.shape)).astype(np.float32) for p in tp]
        for params in (tp, ep, ep2, ep3):
            for p, gi in zip(params, g):
                p.grad = torch.tensor(gi) if isinstance(p, torch.Tensor) else ember.tensor(gi)
        for o in (to, eo, eo2, eo3):
            o.step()
    for a, b, c, d in zip(tp, ep, ep2, ep3):
        _close(a, b)
        np.testing.assert_array_equal(_np(b), _np(c))
        _close(a, d)


def test_load_state_dict_casts_to_param_dtype_and_keeps_step():
    p32 = ember.nn.Parameter(ember.ones(3))
    o = ember.optim.Adam([p32])
    p32.grad = ember.ones(3)
    o.step()
    p64 = ember.nn.Parameter(ember.ones(3, dtype=ember.float64))
    o2 = ember.optim.Adam([p64])
    o2.load_state_dict(o.state_dict())
    assert o2.state[p64]["exp_avg"].dtype == ember.float64
    assert o2.state[p64]["step"].dtype == ember.float32
    # torch does the same
    t64 = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    to = torch.optim.Adam([t64])
    tp = torch.nn.Parameter(torch.ones(3))
    to1 = torch.optim.Adam([tp])
    tp.grad = torch.ones(3)
    to1.step()
    to.load_state_dict(to1.state_dict())
    assert to.state[t64]["exp_avg"].dtype == torch.float64 and to.state[t64]["step"].dtype == torch.float32


def test_load_state_dict_errors():
    for lib in (torch, ember):
        p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        o = lib.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            o.load_state_dict(lib.optim.SGD([p, q], lr=0.1).state_dict())
        with pytest.raises(ValueError, match="different number of parameter groups"):
            o.load_state_dict(lib.optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1).state_dict())


def test_named_params_state_dict_and_repr():
    def build(lib):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        return lib.optim.SGD([("a", a), ("b", b)], lr=0.1, momentum=0.9), a, b

    to, ta, tb = build(torch)
    eo, ea, eb = build(ember)
    for p in (ta, tb):
        p.grad = torch.ones(p.shape)
    for p in (ea, eb):
        p.grad = ember.ones(p.shape)
    to.step()
    eo.step()
    _compare_state_dicts(to.state_dict(), eo.state_dict())
    assert eo.state_dict()["param_groups"][0]["param_names"] == ["a", "b"]
    assert repr(eo) == repr(to)
    for name in ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop",
                 "LBFGS", "SparseAdam"]:
        assert repr(getattr(ember.optim, name)([ember.nn.Parameter(ember.ones(1))])) == \
            repr(getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(1))])), name


def test_step_hooks_order_and_results():
    from torch.optim.optimizer import register_optimizer_step_post_hook as tpost
    from torch.optim.optimizer import register_optimizer_step_pre_hook as tpre

    from ember.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

    logs = []
    for lib, gpre, gpost in ((torch, tpre, tpost), (ember, register_optimizer_step_pre_hook,
                                                    register_optimizer_step_post_hook)):
        log = []
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.ones(2)
        o = lib.optim.SGD([p], lr=0.1)
        h1 = gpre(lambda o, a, k: log.append("gpre"))
        h2 = gpost(lambda o, a, k: log.append("gpost"))
        h3 = o.register_step_pre_hook(lambda o, a, k: log.append(("pre", len(a), dict(k))))
        o.register_step_post_hook(lambda o, a, k: log.append("post"))
        o.step()
        h1.remove()
        h2.remove()
        h3.remove()
        o.step()
        # a pre-hook may replace args and kwargs
        o.register_step_pre_hook(lambda o, a, k: ((a[0],), {"closure": lambda: 5.0}))
        log.append(o.step())
        o.register_step_pre_hook(lambda o, a, k: 5)
        with pytest.raises(RuntimeError, match="must return None or a tuple"):
            o.step()
        logs.append(log)
    assert logs[0] == logs[1]


def test_state_dict_and_load_hooks():
    logs = []
    for lib in (torch, ember):
        log = []
        p = lib.nn.Parameter(lib.ones(2))
        o = lib.optim.SGD([p], lr=0.1)
        o.register_state_dict_pre_hook(lambda o: log.append("sd-pre"))
        o.register_state_dict_pre_hook(lambda o: log.append("sd-pre-first"), prepend=True)

        def post(o, sd):
            log.append("sd-post")
            sd["extra"] = 1
            return sd

        o.register_state_dict_post_hook(post)
        sd = o.state_dict()
        log.append(sd.get("extra"))

        def lpre(o, sd):
            log.append("load-pre")
            sd = dict(sd)
            sd["param_groups"] = [dict(sd["param_groups"][0], lr=0.5)]
            return sd

        o.register_load_state_dict_pre_hook(lpre)
        o.register_load_state_dict_post_hook(lambda o: log.append(("load-post", o.param_groups[0]["lr"])))
        o.load_state_dict(sd)
        logs.append(log)
    assert logs[0] == logs[1]


def test_zero_grad():
    for set_to_none in (True, False):
        res = []
        for lib in (torch, ember):
            p = lib.nn.Parameter(lib.ones(2))
            q = lib.nn.Parameter(lib.ones(2))
            (p * 3).sum().backward()
            o = lib.optim.SGD([p, q], lr=0.1)
            o.zero_grad(set_to_none=set_to_none)
            res.append((None if p.grad is None else p.grad.tolist(), q.grad))
        assert res[0] == res[1]


def test_add_param_group_and_errors():
    for lib in (torch, ember):
        p, q, r = (lib.nn.Parameter(lib.ones(2)) for _ in range(3))
        o = lib.optim.SGD([p], lr=0.1)
        o.add_param_group({"params": q, "lr": 0.5})
        assert o.param_groups[1]["lr"] == 0.5 and o.param_groups[1]["momentum"] == 0
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            o.add_param_group({"params": [p]})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            o.add_param_group([r])
        with pytest.raises(TypeError, match="ordered collections"):
            o.add_param_group({"params": {r}})
        with pytest.raises(ValueError, match="cannot add param group with names"):
            o.add_param_group({"params": [("r", r)]})
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            lib.optim.SGD([], lr=0.1)
        with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
            lib.optim.SGD(p, lr=0.1)
        with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
            lib.optim.SGD([p * 2], lr=0.1)
        with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is int"):
            lib.optim.SGD([1], lr=0.1)
        with pytest.raises(ValueError, match="Some param names are missing"):
            lib.optim.SGD([("a", p), q], lr=0.1)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([r, r], lr=0.1)


INVALID = [
    ("SGD", dict(lr=-1.0)), ("SGD", dict(momentum=-1.0)), ("SGD", dict(weight_decay=-1.0)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(fused=True, foreach=True)), ("SGD", dict(fused=True, differentiable=True)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))), ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(weight_decay=-1.0)), ("Adam", dict(lr=np.array([0.1, 0.2], np.float32))),
    ("Adam", dict(lr=np.array(0.1, np.float32), foreach=True)), ("Adam", dict(fused=True, foreach=True)),
    ("AdamW", dict(betas=(0.5, 1.0))), ("RMSprop", dict(alpha=-1.0)), ("RMSprop", dict(momentum=-1.0)),
    ("RMSprop", dict(eps=-1.0)), ("Adagrad", dict(lr_decay=-1.0)), ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adagrad", dict(fused=True, foreach=True)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(eps=-1.0)),
    ("Adamax", dict(betas=(1.0, 0.5))), ("NAdam", dict(momentum_decay=-1.0)), ("RAdam", dict(weight_decay=-1.0)),
    ("ASGD", dict(lr=-1.0)), ("ASGD", dict(weight_decay=-1.0)), ("Rprop", dict(etas=(1.5, 2))),
    ("Rprop", dict(etas=(0.5, 0.9))), ("LBFGS", dict(lr=-1.0)), ("SparseAdam", dict(eps=-1.0)),
    ("SparseAdam", dict(betas=(0.5, 1.0))), ("Adam", dict(unknown=1)),
]


@pytest.mark.parametrize("name,kwargs", INVALID, ids=[f"{n}-{'-'.join(k)}" for n, k in INVALID])
def test_invalid_arguments(name, kwargs):
    errs = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(2))
        with pytest.raises(Exception) as info:
            getattr(lib.optim, name)([p], **{k: _conv(v, lib) for k, v in kwargs.items()})
        errs.append((type(info.value), str(info.value).replace("torch", "ember")))
    assert errs[0][0] is errs[1][0]
    if errs[0][0] is not TypeError:
        assert errs[0][1] == errs[1][1]


def test_lbfgs_param_groups_error_and_required_closure():
    for lib in (torch, ember):
        p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
        with pytest.raises(ValueError, match="doesn't support per-parameter options"):
            lib.optim.LBFGS([{"params": [p]}, {"params": [q]}])
        with pytest.raises(TypeError):
            lib.optim.LBFGS([p]).step()


def _rosen(lib, dtype, ls, steps, **kw):
    x = lib.nn.Parameter(lib.tensor([-1.5, 2.0], dtype=dtype))
    y = lib.nn.Parameter(lib.tensor([[0.5, -0.3]], dtype=dtype))
    o = lib.optim.LBFGS([x, y], line_search_fn=ls, **kw)

    def closure():
        o.zero_grad()
        loss = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2 + ((y - 0.2) ** 4).sum()
        loss.backward()
        return loss

    losses = [float(o.step(closure).detach()) for _ in range(steps)]
    return losses, [x, y], o.state_dict()


@pytest.mark.parametrize("ls,kw,steps", [(None, dict(history_size=3, max_iter=7), 5),
                                         ("strong_wolfe", {}, 4), ("strong_wolfe", dict(history_size=3, max_iter=7), 5),
                                         (None, dict(lr=0.5, max_iter=3, max_eval=2), 3)])
def test_lbfgs_rosenbrock(ls, kw, steps):
    tl, tp, tsd = _rosen(torch, torch.float64, ls, steps, **kw)
    el, ep, esd = _rosen(ember, ember.float64, ls, steps, **kw)
    np.testing.assert_allclose(el, tl, rtol=1e-6, atol=1e-12)
    for a, b in zip(tp, ep):
        _close(a, b, rtol=1e-6, atol=1e-9)
    ts, es = tsd["state"][0], esd["state"][0]
    assert list(ts) == list(es)
    for k in ("func_evals", "n_iter"):
        assert ts[k] == es[k]
    assert type(ts["t"]).__name__ == type(es["t"]).__name__
    assert float(ts["t"]) == pytest.approx(float(es["t"]), rel=1e-6)
    assert float(ts["prev_loss"]) == pytest.approx(float(es["prev_loss"]), rel=1e-5, abs=1e-12)
    assert len(ts["old_dirs"]) == len(es["old_dirs"])
    for a, b in zip(ts["old_dirs"] + ts["old_stps"] + ts["ro"] + [ts["d"], ts["prev_flat_grad"], ts["H_diag"]],
                    es["old_dirs"] + es["old_stps"] + es["ro"] + [es["d"], es["prev_flat_grad"], es["H_diag"]]):
        _close(a, b, rtol=1e-5, atol=1e-8)
    assert [x is None for x in ts["al"]] == [x is None for x in es["al"]]


def test_lbfgs_float32_quadratic():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((6, 6)).astype(np.float32)
    A = A @ A.T + 6 * np.eye(6, dtype=np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    res = []
    for lib in (torch, ember):
        x = lib.nn.Parameter(lib.zeros(6))
        At, bt = lib.tensor(A), lib.tensor(b)
        o = lib.optim.LBFGS([x], line_search_fn="strong_wolfe", max_iter=4)

        def closure():
            o.zero_grad()
            loss = 0.5 * (x @ (At @ x)) - (bt * x).sum()
            loss.backward()
            return loss

        for _ in range(2):
            o.step(closure)
        res.append(_np(x).copy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-4, atol=1e-5)


def test_sparse_adam_row_sparse():
    """ember reads a dense gradient as row-sparse (rows with a nonzero entry); torch gets the same
    gradient as a sparse tensor."""
    rng = np.random.default_rng(0)
    init = rng.standard_normal((6, 3)).astype(np.float32)
    for maximize in (False, True):
        tp = torch.nn.Parameter(torch.tensor(init))
        ep = ember.nn.Parameter(ember.tensor(init))
        to = torch.optim.SparseAdam([tp], lr=0.01, maximize=maximize)
        eo = ember.optim.SparseAdam([ep], lr=0.01, maximize=maximize)
        for _ in range(20):
            g = rng.standard_normal((6, 3)).astype(np.float32)
            g[rng.random(6) < 0.5] = 0
            tp.grad = torch.tensor(g).to_sparse(1)
            ep.grad = ember.tensor(g)
            to.step()
            eo.step()
        _close(tp, ep)
        _compare_state_dicts(to.state_dict(), eo.state_dict())


def test_custom_subclass_gets_hooks_and_scheduler_compat():
    class Mine(ember.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        p.data.sub_(p.grad * g["lr"])
            return None

    class Mine2(Mine):
        def step(self, closure=None):
            return super().step(closure)

    p = ember.nn.Parameter(ember.ones(2))
    p.grad = ember.ones(2)
    for cls in (Mine, Mine2):
        o = cls([p])
        calls = []
        o.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
        o.register_step_post_hook(lambda o, a, k: calls.append("post"))
        o.step()
        assert calls == ["pre", "post"]
        assert getattr(type(o).step, "hooked", False)
        assert hasattr(o.step, "__func__")
    np.testing.assert_allclose(p._data, [0.8, 0.8])

    from ember.optim.optimizer import required

    class Req(ember.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, dict(lr=required))

        def step(self, closure=None):
            pass

    assert repr(required) == "<required parameter>"
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Req([p])
    Req([{"params": [p], "lr": 1.0}])


def test_pickle_and_deepcopy():
    p = ember.nn.Parameter(ember.ones(3))
    o = ember.optim.Adam([p], lr=0.1)
    p.grad = ember.ones(3)
    o.step()
    for o2 in (copy.deepcopy(o), pickle.loads(pickle.dumps(o))):
        assert repr(o2) == repr(o)
        (p2,) = o2.param_groups[0]["params"]
        np.testing.assert_array_equal(o2.state[p2]["exp_avg"]._data, o.state[p]["exp_avg"]._data)
        p2.grad = ember.ones(3)
        o2.register_step_post_hook(lambda *a: None)
        o2.step()
    assert set(o.__getstate__()) == {"defaults", "state", "param_groups"}


def test_version_counter_bumped_and_saved_tensor_check():
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(3))
        out = (p * p).sum()
        version = (lambda p=p: p._version) if lib is torch else (lambda p=p: p._version_value)
        v0 = version()
        p.grad = lib.ones(3)
        lib.optim.SGD([p], lr=0.1).step()
        assert version() == v0 + 1
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.backward()


def test_large_and_noncontiguous_and_complex():
    # a parameter bigger than one update chunk, a non-contiguous parameter, a complex one
    from ember.optim.optimizer import CHUNK
    rng = np.random.default_rng(0)
    big = rng.standard_normal(CHUNK * 2 + 17).astype(np.float32)
    base = rng.standard_normal((4, 5)).astype(np.float32)
    cplx = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex64)
    for name, kw in (("Adam", {}), ("SGD", dict(momentum=0.9, nesterov=True)), ("RMSprop", dict(centered=True))):
        tb, eb = torch.nn.Parameter(torch.tensor(big)), ember.nn.Parameter(ember.tensor(big))
        tt = torch.tensor(base).t().requires_grad_()
        et = ember.tensor(base).t().requires_grad_()
        tc, ec = torch.nn.Parameter(torch.tensor(cplx)), ember.nn.Parameter(ember.tensor(cplx))
        to = getattr(torch.optim, name)([tb, tt, tc], lr=0.01, **kw)
        eo = getattr(ember.optim, name)([eb, et, ec], lr=0.01, **kw)
        for _ in range(5):
            for a, b in ((tb, eb), (tt, et)):
                g = rng.standard_normal(tuple(a.shape)).astype(np.float32)
                a.grad, b.grad = torch.tensor(g), ember.tensor(g)
            g = (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex64)
            tc.grad, ec.grad = torch.tensor(g), ember.tensor(g)
            to.step()
            eo.step()
        for a, b in ((tb, eb), (tt, et), (tc, ec)):
            _close(a, b)
        assert not et._data.flags.c_contiguous


def test_exports():
    for name in ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "NAdam", "Optimizer", "RAdam",
                 "RMSprop", "Rprop", "SGD", "SparseAdam", "lr_scheduler", "swa_utils"]:
        assert hasattr(ember.optim, name) and hasattr(torch.optim, name)
    assert ember.optim is __import__("ember.optim").optim
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.optim.SGD([ember.nn.Parameter(ember.ones(1))], lr=0.1)


@pytest.mark.parametrize("name,kw", [("Adam", dict(weight_decay=0.1)), ("SGD", dict(momentum=0.9))])
def test_parameters_split_across_threads_match_torch(name, kw):
    # >= 2^20 elements and 2 threads: the update runs as one share of blocks per thread
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    try:
        rng = np.random.default_rng(1)
        big = rng.standard_normal((1 << 20) + 4099).astype(np.float32)
        tp, ep = torch.nn.Parameter(torch.tensor(big)), ember.nn.Parameter(ember.tensor(big))
        to, eo = getattr(torch.optim, name)([tp], lr=0.01, **kw), getattr(ember.optim, name)([ep], lr=0.01, **kw)
        for _ in range(3):
            g = rng.standard_normal(big.shape).astype(np.float32)
            tp.grad, ep.grad = torch.tensor(g), ember.tensor(g)
            to.step()
            eo.step()
        _close(tp, ep)
    finally:
        ember.set_num_threads(before)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "NAdam", "RAdam", "ASGD", "Rprop",
                                  "Adadelta", "Adamax"])
def test_unpickling_an_older_optimizer_fills_missing_options_like_torch(name):
    import pickle
    results = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(3))
        opt = getattr(lib.optim, name)([p], lr=0.1)
        p.grad = lib.ones(3)
        opt.step()
        for group in opt.param_groups:            # what a pickle from an older release lacks
            group.pop("maximize", None)
            group.pop("foreach", None)
        for st in opt.state.values():
            if "step" in st and name in ("Adam", "AdamW", "RMSprop", "Adagrad"):
                st["step"] = float(st["step"])    # older releases kept step as a number
        restored = pickle.loads(pickle.dumps(opt))
        restored.step()
        group = restored.param_groups[0]
        step = next(iter(restored.state.values()), {}).get("step")
        results.append((group["maximize"], group["foreach"], type(step).__name__ if step is not None else None,
                        [round(float(v), 6) for v in restored.param_groups[0]["params"][0].detach().numpy()]))
    assert results[0] == results[1]
