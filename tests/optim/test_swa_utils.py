"""ember.optim.swa_utils against torch.optim.swa_utils: AveragedModel (SWA/EMA, buffers), the averaging
functions, SWALR and update_bn."""

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.optim import swa_utils as ESW

TSW = torch.optim.swa_utils


def build(lib, seed=0):
    """Linear -> BatchNorm1d -> ReLU -> Linear, weights from a fixed numpy stream (same in both libraries)."""
    lib.manual_seed(seed)
    m = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.ReLU(), lib.nn.Linear(6, 3))
    return m


def T(a):
    return torch.from_numpy(np.array(a))


def E(a):
    return ember.tensor(np.array(a))


def set_weights(tm, em, rng):
    """Give both models the same new parameters and BN buffers (as if trained a little)."""
    with torch.no_grad(), ember.no_grad():
        for (name, tp), (ename, ep) in zip(tm.state_dict().items(), em.state_dict().items()):
            assert name == ename
            if tp.dtype == torch.int64:
                v = np.array(rng.integers(0, 50), dtype=np.int64)
            else:
                v = rng.standard_normal(tuple(tp.shape)).astype(np.float32)
                if "running_var" in name:
                    v = np.abs(v) + 0.5
            tp.copy_(T(v))
            ep.copy_(E(v))


def assert_same_state(tm, em, exact=True):
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        t, e = tsd[k].detach().numpy(), esd[k].detach().numpy()
        assert e.dtype == t.dtype and e.shape == t.shape, k
        if exact:
            np.testing.assert_array_equal(e, t, err_msg=k)
        else:
            np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-7, err_msg=k)


AVG = {
    "swa": lambda sw: {},
    "swa_buffers": lambda sw: {"use_buffers": True},
    "ema_multi": lambda sw: {"multi_avg_fn": sw.get_ema_multi_avg_fn(0.9)},
    "ema_multi_buffers": lambda sw: {"multi_avg_fn": sw.get_ema_multi_avg_fn(0.75), "use_buffers": True},
    "ema_single": lambda sw: {"avg_fn": sw.get_ema_avg_fn(0.8)},
    "ema_single_buffers": lambda sw: {"avg_fn": sw.get_ema_avg_fn(0.6), "use_buffers": True},
    "swa_single": lambda sw: {"avg_fn": sw.get_swa_avg_fn()},
    "swa_multi": lambda sw: {"multi_avg_fn": sw.get_swa_multi_avg_fn()},
    "custom": lambda sw: {"avg_fn": lambda a, m, n: 0.3 * a + 0.7 * m + 0.01 * n},
}


@pytest.mark.parametrize("case", sorted(AVG))
def test_averaged_model_matches_torch(case):
    tm, em = build(torch), build(ember)
    rng = np.random.default_rng(len(case))
    set_weights(tm, em, rng)
    tavg = TSW.AveragedModel(tm, **AVG[case](TSW))
    eavg = ESW.AveragedModel(em, **AVG[case](ESW))
    assert_same_state(tavg, eavg)
    assert eavg.module is not em and eavg.n_averaged.dtype == ember.int64
    for step in range(6):
        set_weights(tm, em, rng)
        tavg.update_parameters(tm)
        eavg.update_parameters(em)
        assert int(eavg.n_averaged) == int(tavg.n_averaged) == step + 1
        assert_same_state(tavg, eavg, exact=case != "custom")
    x = rng.standard_normal((5, 4)).astype(np.float32)
    tavg.eval(), eavg.eval()
    np.testing.assert_allclose(eavg(E(x)).detach().numpy(), tavg(T(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_first_update_copies_and_buffers_follow_model():
    tm, em = build(torch), build(ember)
    rng = np.random.default_rng(3)
    set_weights(tm, em, rng)
    eavg = ESW.AveragedModel(em)
    set_weights(tm, em, rng)
    eavg.update_parameters(em)
    for (k, a), b in zip(eavg.module.state_dict().items(), em.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    # parameters of the average do not alias the model's
    next(em.parameters()).data.fill_(7.0) if hasattr(next(em.parameters()), "data") else None
    assert not np.all(next(eavg.parameters()).detach().numpy() == 7.0)


def test_averaged_model_state_dict_roundtrip_and_device():
    em = build(ember)
    eavg = ESW.AveragedModel(em, device="cpu")
    eavg.update_parameters(em)
    eavg.update_parameters(em)
    tavg = TSW.AveragedModel(build(torch), device="cpu")
    assert list(eavg.state_dict()) == list(tavg.state_dict())
    other = ESW.AveragedModel(build(ember, seed=1))
    other.load_state_dict(eavg.state_dict())
    assert int(other.n_averaged) == 2
    assert eavg.module[0].weight.device == ember.device("cpu")


def test_averaged_model_errors():
    for sw, lib in ((TSW, torch), (ESW, ember)):
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
            sw.AveragedModel(build(lib), avg_fn=sw.get_swa_avg_fn(), multi_avg_fn=sw.get_swa_multi_avg_fn())
    for bad in (-0.1, 1.5):
        msgs = []
        for sw in (TSW, ESW):
            for factory in (sw.get_ema_avg_fn, sw.get_ema_multi_avg_fn):
                with pytest.raises(ValueError) as info:
                    factory(bad)
                msgs.append(str(info.value))
        assert msgs[:2] == msgs[2:]


def test_average_functions_directly():
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
    ai, bi = np.arange(6, dtype=np.int64), np.arange(6, dtype=np.int64) * 3
    for n in (1, 2, 5):
        for name in ("get_swa_avg_fn", "get_ema_avg_fn"):
            t = getattr(TSW, name)()(T(a), T(b), torch.tensor(n))
            e = getattr(ESW, name)()(E(a), E(b), ember.tensor(n))
            np.testing.assert_array_equal(e.numpy(), t.numpy())
        for name, args in (("get_swa_multi_avg_fn", ()), ("get_ema_multi_avg_fn", (0.7,))):
            ts, es = [T(a), T(a * 2)], [E(a), E(a * 2)]
            getattr(TSW, name)(*args)(ts, [T(b), T(b)], torch.tensor(n))
            getattr(ESW, name)(*args)(es, [E(b), E(b)], ember.tensor(n))
            for t, e in zip(ts, es):
                np.testing.assert_array_equal(e.numpy(), t.numpy())
        # integer tensors (buffers such as num_batches_tracked): the non-lerp paths
        tl, el = [T(ai)], [E(ai)]
        TSW.get_ema_multi_avg_fn(0.5)(tl, [T(bi)], n)
        ESW.get_ema_multi_avg_fn(0.5)(el, [E(bi)], n)
        np.testing.assert_array_equal(el[0].numpy(), tl[0].numpy())
        for count in (n, torch.tensor(n)):  # PyTorch refuses integer running means either way
            errs = []
            for lib, sw in ((torch, TSW), (ember, ESW)):
                with pytest.raises(RuntimeError) as info:
                    c = lib.tensor(n) if isinstance(count, torch.Tensor) else n
                    sw.get_swa_multi_avg_fn()([lib.tensor(ai)], [lib.tensor(bi)], c)
                errs.append(" ".join(str(info.value).split()))  # (torch's addcdiv message has a double space)
            assert errs[0] == errs[1]


# --- SWALR --------------------------------------------------------------------------------------------------------


def make_opt(lib, name="SGD", lrs=(0.1, 0.5)):
    groups = [{"params": [lib.nn.Parameter(lib.zeros(2))], "lr": lr} for lr in lrs]
    return getattr(lib.optim, name)(groups, lr=lrs[0])


SWALR_CASES = {
    "cos": {"swa_lr": 0.05},
    "linear": {"swa_lr": 0.05, "anneal_epochs": 7, "anneal_strategy": "linear"},
    "list": {"swa_lr": [0.02, 0.3], "anneal_epochs": 4},
    "zero_epochs": {"swa_lr": 0.01, "anneal_epochs": 0},
    "one_epoch": {"swa_lr": 0.2, "anneal_epochs": 1, "anneal_strategy": "linear"},
}


@pytest.mark.parametrize("case", sorted(SWALR_CASES))
def test_swalr_matches_torch(case):
    kw = SWALR_CASES[case]
    topt, eopt = make_opt(torch), make_opt(ember)
    ts, es = TSW.SWALR(topt, **kw), ESW.SWALR(eopt, **kw)
    assert es.get_last_lr() == ts.get_last_lr()
    for i in range(30):
        if i == 11:
            sd = es.state_dict()
            assert list(sd) == list(ts.state_dict())
            osd = eopt.state_dict()
            eopt = make_opt(ember)
            es = ESW.SWALR(eopt, **kw)
            eopt.load_state_dict(osd)
            es.load_state_dict(sd)
        topt.step(), eopt.step()
        ts.step(), es.step()
        assert es.get_last_lr() == ts.get_last_lr(), i
        assert [g["swa_lr"] for g in eopt.param_groups] == [g["swa_lr"] for g in topt.param_groups]
    assert es.anneal_func is es._cosine_anneal or es.anneal_func is es._linear_anneal


def test_swalr_after_another_schedule():
    """The usual recipe: cosine annealing, then SWALR from epoch 15 on the same optimizer."""
    outs = []
    for lib, sw, ls in ((torch, TSW, torch.optim.lr_scheduler), (ember, ESW, ember.optim.lr_scheduler)):
        o = make_opt(lib)
        cos = ls.CosineAnnealingLR(o, T_max=40)
        swa = None
        seq = []
        for epoch in range(30):
            o.step()
            if epoch >= 15:
                swa = swa or sw.SWALR(o, swa_lr=0.02, anneal_epochs=5)
                swa.step()
            else:
                cos.step()
            seq.append([g["lr"] for g in o.param_groups])
        outs.append(seq)
    assert outs[0] == outs[1]


def test_swalr_errors_and_warning():
    for kw in ({"swa_lr": 0.1, "anneal_strategy": "exp"}, {"swa_lr": 0.1, "anneal_epochs": -1},
               {"swa_lr": 0.1, "anneal_epochs": 2.0}, {"swa_lr": [0.1, 0.2, 0.3]}):
        res = []
        for lib, sw in ((torch, TSW), (ember, ESW)):
            with pytest.raises(ValueError) as info:
                sw.SWALR(make_opt(lib), **kw)
            res.append(str(info.value))
        assert res[0] == res[1]
    o = make_opt(ember)
    s = ESW.SWALR(o, 0.05)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        o.step()
        s.step()


# --- update_bn ----------------------------------------------------------------------------------------------------


def bn_model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Conv2d(2, 3, 3), lib.nn.BatchNorm2d(3, momentum=0.3), lib.nn.ReLU(),
                             lib.nn.Flatten(), lib.nn.Linear(12, 5), lib.nn.BatchNorm1d(5))


@pytest.mark.parametrize("as_tuples", [False, True])
def test_update_bn_matches_torch(as_tuples):
    tm, em = bn_model(torch), bn_model(ember)
    tsd = tm.state_dict()
    em.load_state_dict({k: E(v.numpy()) for k, v in tsd.items()})
    rng = np.random.default_rng(11)
    batches = [rng.standard_normal((n, 2, 4, 4)).astype(np.float32) for n in (4, 6, 3, 5)]
    tl = [(T(b), torch.zeros(len(b))) if as_tuples else T(b) for b in batches]
    el = [(E(b), ember.zeros(len(b))) if as_tuples else E(b) for b in batches]
    # stale statistics that update_bn must throw away
    for lib_m in (tm, em):
        lib_m[1].running_mean.fill_(5.0)
        lib_m[5].running_var.fill_(9.0)
    tm.eval(), em.eval()
    TSW.update_bn(tl, tm)
    ESW.update_bn(el, em, device="cpu" if as_tuples else None)
    assert not em.training and not em[1].training
    assert em[1].momentum == 0.3 and em[5].momentum == 0.1
    assert_same_state(tm, em, exact=False)
    assert int(em[1].num_batches_tracked) == len(batches)


def test_update_bn_restores_train_mode_and_skips_models_without_bn():
    em = bn_model(ember)
    em.train()
    ESW.update_bn([ember.ones(2, 2, 4, 4)], em)
    assert em.training
    lin = ember.nn.Linear(2, 2)
    calls = []
    lin.register_forward_hook(lambda *a: calls.append(1))
    ESW.update_bn([ember.ones(1, 2)], lin)  # no BatchNorm: the loader is not even read
    assert calls == []


def test_public_names():
    assert sorted(ESW.__all__) == sorted(TSW.__all__)
    assert ember.optim.swa_utils is ESW
    assert math.isclose(ESW.SWALR._cosine_anneal(0.5), 0.5)
    assert isinstance(copy.deepcopy(ESW.AveragedModel(build(ember))), ESW.AveragedModel)


@pytest.mark.parametrize("name", ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn",
                                  "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"])
def test_signatures_match_torch(name):
    import inspect

    def params(fn):
        return [(p.name, p.default, p.kind) for p in inspect.signature(fn).parameters.values()]

    assert params(getattr(ESW, name)) == params(getattr(TSW, name))
