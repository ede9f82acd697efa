"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: the lr (and momentum/betas) sequence of every
scheduler over 100 steps, save/restore mid-way, state_dict contents, warnings and errors."""

import math
import pickle
import warnings
from collections import Counter

import numpy as np
import pytest
import torch

import ember
from ember.optim import lr_scheduler as ELS

TLS = torch.optim.lr_scheduler
LRS = (0.1, 0.5)
N_STEPS = 100
SAVE_AT = 47


def make_opt(lib, name="SGD", lrs=LRS, **kw):
    """Two param groups with different lrs (no gradients: optimizer.step() changes no parameter)."""
    groups = [{"params": [lib.nn.Parameter(lib.zeros(2))], "lr": lr} for lr in lrs]
    if name == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)(groups, lr=lrs[0], **kw)


def lib_of(opt):
    return torch if isinstance(opt, torch.optim.Optimizer) else ember


def LS(opt):
    return TLS if lib_of(opt) is torch else ELS


def snapshot(opt):
    """What a scheduler may change in the groups: lr and momentum / beta1."""
    out = []
    for g in opt.param_groups:
        out.append((g["lr"], g.get("momentum"), g.get("betas")))
    return out


def same_value(a, b, path="value"):
    """Recursive equality of state_dict values (Python floats compared exactly)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), (path, list(a), list(b))
        for k in a:
            same_value(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b)):
            same_value(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), path
    else:
        assert type(a) is type(b) and a == b, (path, a, b)


def run_pair(make, name="SGD", steps=N_STEPS, save_at=SAVE_AT, opt_kw=None, lrs=LRS):
    """optimizer.step(); scheduler.step() for ``steps`` steps in both libraries, comparing every step; ember
    saves (optimizer + scheduler state dicts) at ``save_at``, rebuilds both from scratch and loads them."""
    opt_kw = opt_kw or {}
    topt, eopt = make_opt(torch, name, lrs, **opt_kw), make_opt(ember, name, lrs, **opt_kw)
    ts, es = make(topt), make(eopt)
    assert snapshot(eopt) == snapshot(topt)
    assert es.get_last_lr() == ts.get_last_lr()
    same_value(es.state_dict(), ts.state_dict())
    for i in range(steps):
        if i == save_at:
            same_value(es.state_dict(), ts.state_dict())
            osd, ssd = pickle.loads(pickle.dumps(eopt.state_dict())), es.state_dict()
            eopt = make_opt(ember, name, lrs, **opt_kw)
            es = make(eopt)
            eopt.load_state_dict(osd)
            es.load_state_dict(ssd)
        topt.step()
        ts.step()
        eopt.step()
        es.step()
        assert es.get_last_lr() == ts.get_last_lr(), (i, es.get_last_lr(), ts.get_last_lr())
        assert snapshot(eopt) == snapshot(topt), i
    same_value(es.state_dict(), ts.state_dict())
    return ts, es


class ScaleFn:
    """A callable object (its __dict__ goes into the state_dict, unlike a function's)."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return 1.0 / (1.0 + self.k * x)


class Factor:
    def __init__(self, f):
        self.f = f

    def __call__(self, epoch):
        return self.f ** epoch


CASES = {
    "lambda": lambda o: LS(o).LambdaLR(o, lambda e: 0.95 ** e),
    "lambda_list": lambda o: LS(o).LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e)]),
    "lambda_object": lambda o: LS(o).LambdaLR(o, Factor(0.97)),
    "multiplicative": lambda o: LS(o).MultiplicativeLR(o, lambda e: 0.95),
    "multiplicative_list": lambda o: LS(o).MultiplicativeLR(o, (lambda e: 0.95, lambda e: 1.0 - 0.001 * e)),
    "step": lambda o: LS(o).StepLR(o, step_size=7, gamma=0.5),
    "step_default": lambda o: LS(o).StepLR(o, 10),
    "multistep": lambda o: LS(o).MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3),
    "constant": lambda o: LS(o).ConstantLR(o, factor=0.25, total_iters=20),
    "constant_default": lambda o: LS(o).ConstantLR(o),
    "linear": lambda o: LS(o).LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=30),
    "linear_default": lambda o: LS(o).LinearLR(o),
    "linear_down": lambda o: LS(o).LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=80),
    "exponential": lambda o: LS(o).ExponentialLR(o, 0.97),
    "polynomial": lambda o: LS(o).PolynomialLR(o, total_iters=40, power=2.0),
    "polynomial_default": lambda o: LS(o).PolynomialLR(o),
    "cosine": lambda o: LS(o).CosineAnnealingLR(o, T_max=15, eta_min=0.01),
    "cosine_long": lambda o: LS(o).CosineAnnealingLR(o, T_max=100),
    "warm_restarts": lambda o: LS(o).CosineAnnealingWarmRestarts(o, T_0=7, eta_min=0.001),
    "warm_restarts_mult": lambda o: LS(o).CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2),
    "cyclic_triangular": lambda o: LS(o).CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=9),
    "cyclic_triangular2": lambda o: LS(o).CyclicLR(o, [0.01, 0.02], [0.1, 0.3], step_size_up=6, step_size_down=11,
                                                   mode="triangular2", base_momentum=[0.8, 0.7],
                                                   max_momentum=0.95),
    "cyclic_exp_range": lambda o: LS(o).CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.99),
    "cyclic_scale_fn": lambda o: LS(o).CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 0.5 ** x,
                                                scale_mode="iterations"),
    "cyclic_scale_obj": lambda o: LS(o).CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=ScaleFn(0.3)),
    "cyclic_no_momentum": lambda o: LS(o).CyclicLR(o, 0.01, 0.1, step_size_up=8, cycle_momentum=False),
    "onecycle": lambda o: LS(o).OneCycleLR(o, max_lr=0.2, total_steps=N_STEPS),
    "onecycle_list": lambda o: LS(o).OneCycleLR(o, max_lr=[0.2, 1.0], epochs=10, steps_per_epoch=10,
                                                pct_start=0.25, base_momentum=[0.8, 0.85], max_momentum=0.99),
    "onecycle_linear": lambda o: LS(o).OneCycleLR(o, 0.3, total_steps=120, anneal_strategy="linear",
                                                  div_factor=10.0, final_div_factor=100.0),
    "onecycle_three_phase": lambda o: LS(o).OneCycleLR(o, 0.3, total_steps=N_STEPS, three_phase=True,
                                                       pct_start=0.4),
    "onecycle_no_momentum": lambda o: LS(o).OneCycleLR(o, 0.3, total_steps=N_STEPS, cycle_momentum=False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_matches_torch(case):
    run_pair(CASES[case])


@pytest.mark.parametrize("case", ["cyclic_triangular", "cyclic_triangular2", "cyclic_exp_range", "onecycle",
                                  "onecycle_list", "onecycle_three_phase"])
def test_beta1_cycling_with_adam(case):
    _, es = run_pair(CASES[case], name="Adam", opt_kw={"betas": (0.9, 0.99)})
    assert es.use_beta1
    assert all(g["betas"][1] == 0.99 for g in es.optimizer.param_groups)


def test_momentum_cycling_puts_bounds_in_groups():
    for make in (CASES["cyclic_triangular2"], CASES["onecycle_list"]):
        topt, eopt = make_opt(torch), make_opt(ember)
        make(topt), make(eopt)
        for tg, eg in zip(topt.param_groups, eopt.param_groups):
            assert {k: v for k, v in eg.items() if k != "params"} == {k: v for k, v in tg.items() if k != "params"}


# --- compositions -------------------------------------------------------------------------------------------------


COMPOSITE = {
    "seq_warmup_cosine": lambda o: LS(o).SequentialLR(
        o, [LS(o).LinearLR(o, 0.1, total_iters=5), LS(o).CosineAnnealingLR(o, T_max=30)], milestones=[5]),
    "seq_three": lambda o: LS(o).SequentialLR(
        o, [LS(o).ConstantLR(o, 0.5, total_iters=4), LS(o).ExponentialLR(o, 0.95), LS(o).StepLR(o, 5, 0.7)],
        milestones=[10, 40]),
    "seq_closed_form_switch": lambda o: LS(o).SequentialLR(
        o, [LS(o).ExponentialLR(o, 0.9), LS(o).MultiStepLR(o, [3, 20], 0.5), LS(o).PolynomialLR(o, 30, 1.5)],
        milestones=[8, 25]),
    "seq_with_lambda": lambda o: LS(o).SequentialLR(
        o, [LS(o).LambdaLR(o, lambda e: (e + 1) / 10), LS(o).CosineAnnealingWarmRestarts(o, 6)], milestones=[9]),
    "chained": lambda o: LS(o).ChainedScheduler([LS(o).ExponentialLR(o, 0.97), LS(o).StepLR(o, 9, 0.5)]),
    "chained_constant": lambda o: LS(o).ChainedScheduler(
        [LS(o).ConstantLR(o, 0.1, total_iters=10), LS(o).ExponentialLR(o, 0.95)], optimizer=o),
    "seq_of_chained": lambda o: LS(o).SequentialLR(
        o, [LS(o).ChainedScheduler([LS(o).LinearLR(o, 0.5, total_iters=4), LS(o).ExponentialLR(o, 0.9)]),
            LS(o).CosineAnnealingLR(o, 20, eta_min=0.001)], milestones=[12]),
}


@pytest.mark.filterwarnings("ignore:Detected call of")  # seq_of_chained: torch warns too (the chain's children)
@pytest.mark.parametrize("case", sorted(COMPOSITE))
def test_composition_matches_torch(case):
    run_pair(COMPOSITE[case])


def test_chained_scheduler_optimizer_argument():
    for lib, ls in ((torch, TLS), (ember, ELS)):
        o = make_opt(lib)
        c = ls.ChainedScheduler([ls.ExponentialLR(o, 0.9)], optimizer=o)
        assert c.optimizer is o
        c2 = ls.ChainedScheduler([ls.ExponentialLR(o, 0.9)])
        assert c2.optimizer is o


# --- deprecated step(epoch) and fractional epochs -----------------------------------------------------------------


EPOCH_CASES = ["lambda", "multiplicative", "step", "multistep", "constant", "linear", "exponential", "polynomial",
               "cosine", "cyclic_triangular"]


@pytest.mark.parametrize("case", EPOCH_CASES)
def test_step_with_epoch_uses_closed_form(case):
    topt, eopt = make_opt(torch), make_opt(ember)
    ts, es = CASES[case](topt), CASES[case](eopt)
    for epoch in [1, 2, 5, 3, 12, 13, 30, 31, 7, 45, 60]:
        topt.step(), eopt.step()
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
            es.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ts.step(epoch)
        assert es.get_last_lr() == ts.get_last_lr(), epoch
        assert es.last_epoch == ts.last_epoch
        topt.step(), eopt.step()
        ts.step(), es.step()
        assert es.get_last_lr() == ts.get_last_lr(), epoch


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_fractional_epochs(T_mult):
    topt, eopt = make_opt(torch), make_opt(ember)
    ts = TLS.CosineAnnealingWarmRestarts(topt, T_0=4, T_mult=T_mult, eta_min=0.002)
    es = ELS.CosineAnnealingWarmRestarts(eopt, T_0=4, T_mult=T_mult, eta_min=0.002)
    iters = 7
    for epoch in range(12):
        for i in range(iters):
            topt.step(), eopt.step()
            ts.step(epoch + i / iters)
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no deprecation warning for this scheduler
                es.step(epoch + i / iters)
            assert es.get_last_lr() == ts.get_last_lr(), (epoch, i)
            assert (es.T_cur, es.T_i, es.last_epoch) == (ts.T_cur, ts.T_i, ts.last_epoch)
    # interleaved: plain steps continue from the last integer epoch
    for e in [26, None, None, 3, None, 40.5, None]:
        ts.step(e), es.step(e)
        assert es.get_last_lr() == ts.get_last_lr()
    same_value(es.state_dict(), ts.state_dict())


# --- resuming with last_epoch -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["step", "multistep", "exponential", "cosine", "linear", "polynomial",
                                  "constant", "lambda", "warm_restarts", "cyclic_exp_range", "onecycle"])
def test_resume_with_last_epoch(case):
    """A scheduler built with last_epoch=k on an optimizer whose groups carry initial_lr (as after a checkpoint)."""
    base = CASES[case]
    outs = []
    for lib in (torch, ember):
        o = make_opt(lib)
        s = base(o)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(10):
                o.step()
                s.step()
        src = s.__class__
        kw = {"last_epoch": 10}
        # rebuild the same kind of scheduler with last_epoch: reuse the factory by patching the class call
        rebuilt = _rebuild(lib, case, o, kw)
        seq = [rebuilt.get_last_lr()]
        for _ in range(20):
            o.step()
            rebuilt.step()
            seq.append(rebuilt.get_last_lr())
        outs.append((src.__name__, seq))
    assert outs[0] == outs[1]


def _rebuild(lib, case, o, kw):
    ls = TLS if lib is torch else ELS
    return {
        "step": lambda: ls.StepLR(o, step_size=7, gamma=0.5, **kw),
        "multistep": lambda: ls.MultiStepLR(o, milestones=[10, 30, 30, 60], gamma=0.3, **kw),
        "exponential": lambda: ls.ExponentialLR(o, 0.97, **kw),
        "cosine": lambda: ls.CosineAnnealingLR(o, T_max=15, eta_min=0.01, **kw),
        "linear": lambda: ls.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=30, **kw),
        "polynomial": lambda: ls.PolynomialLR(o, total_iters=40, power=2.0, **kw),
        "constant": lambda: ls.ConstantLR(o, factor=0.25, total_iters=20, **kw),
        "lambda": lambda: ls.LambdaLR(o, lambda e: 0.95 ** e, **kw),
        "warm_restarts": lambda: ls.CosineAnnealingWarmRestarts(o, T_0=7, eta_min=0.001, **kw),
        "cyclic_exp_range": lambda: ls.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range", gamma=0.99, **kw),
        "onecycle": lambda: ls.OneCycleLR(o, max_lr=0.2, total_steps=N_STEPS, **kw),
    }[case]()


def test_initial_lr_required_when_resuming():
    msgs = []
    for lib, ls in ((torch, TLS), (ember, ELS)):
        with pytest.raises(KeyError) as info:
            ls.StepLR(make_opt(lib), 3, last_epoch=4)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    assert "param 'initial_lr' is not specified in param_groups[0]" in msgs[1]


def test_initial_lr_set_once():
    """initial_lr is only added when missing: a second scheduler keeps the first one's base lrs."""
    for lib, ls in ((torch, TLS), (ember, ELS)):
        o = make_opt(lib)
        ls.ConstantLR(o, 0.5)
        s2 = ls.ExponentialLR(o, 0.9)
        assert s2.base_lrs == list(LRS)
        assert [g["initial_lr"] for g in o.param_groups] == list(LRS)


# --- ReduceLROnPlateau --------------------------------------------------------------------------------------------


def metric_sequence(seed, n=120):
    rng = np.random.default_rng(seed)
    values = []
    v = 10.0
    for i in range(n):
        if rng.random() < (0.4 if i < 40 else 0.05):
            v -= rng.random()  # improvement (rare after 40 epochs: plateaus)
        values.append(float(v + 0.05 * rng.standard_normal() * (i % 3)))
    return values


PLATEAU = {
    "default": {},
    "patience0": {"patience": 0},
    "max_abs": {"mode": "max", "threshold_mode": "abs", "threshold": 0.1, "patience": 2},
    "max_rel": {"mode": "max", "patience": 3, "factor": 0.5},
    "min_abs_cooldown": {"threshold_mode": "abs", "threshold": 0.2, "patience": 1, "cooldown": 3, "factor": 0.7},
    "min_lr_list": {"patience": 1, "factor": 0.5, "min_lr": [0.01, 0.003]},
    "min_lr_scalar": {"patience": 2, "factor": 0.3, "min_lr": 0.004},
    "big_eps": {"patience": 1, "factor": 0.9, "eps": 0.02},
}


@pytest.mark.parametrize("case", sorted(PLATEAU))
def test_reduce_on_plateau_matches_torch(case):
    kw = PLATEAU[case]
    metrics = metric_sequence(len(case))
    if kw.get("mode") == "max":
        metrics = [-m for m in metrics]
    topt, eopt = make_opt(torch), make_opt(ember)
    ts, es = TLS.ReduceLROnPlateau(topt, **kw), ELS.ReduceLROnPlateau(eopt, **kw)
    same_value(es.state_dict(), ts.state_dict())
    for i, m in enumerate(metrics):
        if i == 60:
            sd = es.state_dict()
            eopt2 = make_opt(ember)
            eopt2.load_state_dict(eopt.state_dict())
            eopt = eopt2
            es = ELS.ReduceLROnPlateau(eopt, **kw)
            es.load_state_dict(sd)
        topt.step(), eopt.step()
        ts.step(m)
        es.step(ember.tensor(m, dtype=ember.float64) if i % 2 else m)
        assert es.get_last_lr() == ts.get_last_lr(), i
        assert (es.num_bad_epochs, es.cooldown_counter, es.best, es.last_epoch, es.in_cooldown) == \
               (ts.num_bad_epochs, ts.cooldown_counter, ts.best, ts.last_epoch, ts.in_cooldown), i
        assert snapshot(eopt) == snapshot(topt)
    assert es.get_last_lr() != list(LRS)  # the sequence did reduce
    same_value(es.state_dict(), ts.state_dict())


def test_reduce_on_plateau_epoch_argument_and_new_group():
    outs = []
    for lib, ls in ((torch, TLS), (ember, ELS)):
        o = make_opt(lib)
        s = ls.ReduceLROnPlateau(o, patience=0, min_lr=0.001)
        with pytest.warns(UserWarning, match="The epoch parameter"):
            s.step(1.0, epoch=5)
        s.step(2.0)
        o.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))], "lr": 0.7})
        s.step(3.0)  # scalar min_lr follows the new group count
        outs.append((s.last_epoch, s.get_last_lr(), s.min_lrs))
        s2 = ls.ReduceLROnPlateau(make_opt(lib), patience=0, min_lr=[0.0, 0.0])
        s2.optimizer.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))]})
        s2.step(1.0)
        with pytest.raises(RuntimeError) as info:
            s2.step(2.0)
        outs.append(str(info.value))
    assert outs[:2] == outs[2:]


# --- state_dict ---------------------------------------------------------------------------------------------------


def test_state_dict_drops_functions_keeps_callable_objects():
    for case, key in (("lambda_object", "lr_lambdas"), ("lambda", "lr_lambdas"), ("cyclic_scale_obj",
                                                                                    "_scale_fn_custom"),
                      ("cyclic_scale_fn", "_scale_fn_custom")):
        ts, es = CASES[case](make_opt(torch)), CASES[case](make_opt(ember))
        same_value(es.state_dict()[key], ts.state_dict()[key])
        assert "optimizer" not in es.state_dict()
    # loading restores the callable object's attributes
    eopt = make_opt(ember)
    es = ELS.LambdaLR(eopt, Factor(0.5))
    sd = es.state_dict()
    sd["lr_lambdas"] = [{"f": 0.8}, {"f": 0.8}]
    es.load_state_dict(sd)
    assert es.lr_lambdas[0].f == 0.8
    assert "lr_lambdas" in sd


def test_load_state_dict_leaves_argument_intact():
    for make in (CASES["lambda"], COMPOSITE["chained"], CASES["cyclic_triangular"]):
        es = make(make_opt(ember))
        sd = es.state_dict()
        keys = list(sd)
        make(make_opt(ember)).load_state_dict(sd)
        assert list(sd) == keys


def test_state_dict_is_picklable():
    for case in ("step", "multistep", "cosine", "cyclic_exp_range", "onecycle", "warm_restarts"):
        es = CASES[case](make_opt(ember))
        sd = pickle.loads(pickle.dumps(es.state_dict()))
        same_value(sd, es.state_dict())
    assert isinstance(CASES["multistep"](make_opt(ember)).state_dict()["milestones"], Counter)


def test_cyclic_load_state_dict_restores_scale_mode():
    es = ELS.CyclicLR(make_opt(ember), 0.01, 0.1, mode="exp_range", gamma=0.9, scale_mode="cycle")
    ts = TLS.CyclicLR(make_opt(torch), 0.01, 0.1, mode="exp_range", gamma=0.9, scale_mode="cycle")
    assert es.scale_mode == ts.scale_mode == "iterations"
    es2 = ELS.CyclicLR(make_opt(ember), 0.01, 0.1)
    es2.load_state_dict(es.state_dict())
    assert es2.scale_fn(3) == ts.scale_fn(3) == 0.9 ** 3


# --- warnings -----------------------------------------------------------------------------------------------------


def record(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fn()
    return [(x.category, str(x.message)) for x in w]


def _scenarios(lib, ls):
    def sched_before_opt():
        o = make_opt(lib)
        s = ls.StepLR(o, 2)
        s.step()
        o.step()
        s.step()

    def right_order():
        o = make_opt(lib)
        s = ls.ExponentialLR(o, 0.9)
        for _ in range(3):
            o.step()
            s.step()

    def overridden():
        o = make_opt(lib)
        s = ls.StepLR(o, 2)
        o.step = lambda *a, **k: None
        o.step()
        s.step()

    def get_lr_directly():
        o = make_opt(lib)
        s = ls.CosineAnnealingLR(o, 10)
        o.step()
        s.step()
        return s.get_lr()

    def swapped_twice():
        o = make_opt(lib)
        s = ls.LinearLR(o)
        s.step()
        s.step()  # only the first call is checked
        o.step()

    def second_scheduler():
        o = make_opt(lib)
        s1 = ls.StepLR(o, 2)
        s2 = ls.ExponentialLR(o, 0.9)  # must not re-wrap the step
        o.step()
        s1.step()
        s2.step()

    def cyclic_and_onecycle_order():
        o = make_opt(lib)
        s = ls.OneCycleLR(o, 0.1, total_steps=10)
        s.step()
        c = ls.CyclicLR(make_opt(lib), 0.01, 0.1)
        c.step()

    def warm_restarts_never_warns():
        o = make_opt(lib)
        s = ls.CosineAnnealingWarmRestarts(o, 3)
        s.step()
        s.step(2.5)

    def plateau_never_warns_on_order():
        s = ls.ReduceLROnPlateau(make_opt(lib))
        s.step(1.0)

    return [sched_before_opt, right_order, overridden, get_lr_directly, swapped_twice, second_scheduler,
            cyclic_and_onecycle_order, warm_restarts_never_warns, plateau_never_warns_on_order]


def test_warnings_match_torch():
    tsc, esc = _scenarios(torch, TLS), _scenarios(ember, ELS)
    seen = set()
    for t, e in zip(tsc, esc):
        tw, ew = record(t), record(e)
        assert ew == tw, t.__name__
        seen.update(m for _, m in ew)
    assert any(m.startswith("Detected call of `lr_scheduler.step()` before `optimizer.step()`") for m in seen)
    assert any(m.startswith("Seems like `optimizer.step()` has been overridden") for m in seen)
    assert any(m.startswith("To get the last learning rate computed by the scheduler") for m in seen)


def test_order_warning_points_at_caller():
    o = make_opt(ember)
    s = ELS.StepLR(o, 2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)`") as rec:
        s.step()
    assert rec[0].filename == __file__


def test_wrapped_step_still_steps_and_keeps_hooks():
    p = ember.nn.Parameter(ember.ones(2))
    o = ember.optim.SGD([p], lr=0.5)
    calls = []
    o.register_step_post_hook(lambda opt, args, kwargs: calls.append(1))
    ELS.StepLR(o, 2)
    p.grad = ember.ones(2)
    assert o.step() is None
    assert p.tolist() == [0.5, 0.5] and calls == [1] and o._opt_called
    loss = o.step(lambda: ember.tensor(3.0))
    assert float(loss) == 3.0


def test_optimizer_with_tracked_step_can_be_copied_and_pickled():
    import copy
    o = make_opt(ember)
    ELS.StepLR(o, 2)
    o2 = copy.deepcopy(o)
    o2.step()
    assert not getattr(o, "_opt_called", False)
    o3 = pickle.loads(pickle.dumps(o))
    o3.step()


# --- errors -------------------------------------------------------------------------------------------------------


class _Plain:
    """An optimizer with neither momentum nor betas."""


def plain_opt(lib):
    class Plain(lib.optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})

        def step(self, closure=None):
            return None

    return Plain([lib.nn.Parameter(lib.zeros(1))])


ERRORS = {
    "not_optimizer": lambda lib, ls: ls.StepLR(object(), 3),
    "not_optimizer_cyclic": lambda lib, ls: ls.CyclicLR("sgd", 0.1, 0.2),
    "not_optimizer_onecycle": lambda lib, ls: ls.OneCycleLR(None, 0.1, 10),
    "not_optimizer_plateau": lambda lib, ls: ls.ReduceLROnPlateau([1]),
    "lambda_count": lambda lib, ls: ls.LambdaLR(make_opt(lib), [lambda e: 1.0]),
    "multiplicative_not_callable": lambda lib, ls: ls.MultiplicativeLR(make_opt(lib), [lambda e: 1.0, 3]),
    "constant_factor": lambda lib, ls: ls.ConstantLR(make_opt(lib), factor=1.5),
    "constant_negative": lambda lib, ls: ls.ConstantLR(make_opt(lib), factor=-0.1),
    "linear_start": lambda lib, ls: ls.LinearLR(make_opt(lib), start_factor=0.0),
    "linear_end": lambda lib, ls: ls.LinearLR(make_opt(lib), end_factor=1.2),
    "warm_T0": lambda lib, ls: ls.CosineAnnealingWarmRestarts(make_opt(lib), T_0=0),
    "warm_T0_float": lambda lib, ls: ls.CosineAnnealingWarmRestarts(make_opt(lib), T_0=2.0),
    "warm_Tmult": lambda lib, ls: ls.CosineAnnealingWarmRestarts(make_opt(lib), T_0=2, T_mult=0),
    "warm_eta_min": lambda lib, ls: ls.CosineAnnealingWarmRestarts(make_opt(lib), T_0=2, eta_min="0"),
    "warm_negative_epoch": lambda lib, ls: ls.CosineAnnealingWarmRestarts(make_opt(lib), 3).step(-1),
    "cyclic_mode": lambda lib, ls: ls.CyclicLR(make_opt(lib), 0.01, 0.1, mode="sawtooth"),
    "cyclic_lengths": lambda lib, ls: ls.CyclicLR(make_opt(lib), [0.01], 0.1),
    "cyclic_momentum_lengths": lambda lib, ls: ls.CyclicLR(make_opt(lib), 0.01, 0.1, base_momentum=[0.1] * 3,
                                                           max_momentum=[0.2]),
    "cyclic_no_momentum_support": lambda lib, ls: ls.CyclicLR(plain_opt(lib), 0.01, 0.1),
    "onecycle_no_momentum_support": lambda lib, ls: ls.OneCycleLR(plain_opt(lib), 0.1, 10),
    "onecycle_momentum_lengths": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, 10, base_momentum=[0.1] * 3,
                                                               max_momentum=[0.2]),
    "onecycle_total": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, total_steps=0),
    "onecycle_total_float": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, total_steps=10.0),
    "onecycle_epochs": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, epochs=0, steps_per_epoch=3),
    "onecycle_steps_per_epoch": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, epochs=2, steps_per_epoch=-1),
    "onecycle_nothing": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, epochs=3),
    "onecycle_pct": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, 10, pct_start=1.5),
    "onecycle_pct_int": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, 10, pct_start=0),
    "onecycle_anneal": lambda lib, ls: ls.OneCycleLR(make_opt(lib), 0.1, 10, anneal_strategy="exp"),
    "onecycle_max_lr_len": lambda lib, ls: ls.OneCycleLR(make_opt(lib), [0.1, 0.2, 0.3], 10),
    "plateau_factor": lambda lib, ls: ls.ReduceLROnPlateau(make_opt(lib), factor=1.0),
    "plateau_mode": lambda lib, ls: ls.ReduceLROnPlateau(make_opt(lib), mode="avg"),
    "plateau_threshold_mode": lambda lib, ls: ls.ReduceLROnPlateau(make_opt(lib), threshold_mode="pct"),
    "plateau_min_lr_len": lambda lib, ls: ls.ReduceLROnPlateau(make_opt(lib), min_lr=[0.1]),
    "plateau_metric": lambda lib, ls: ls.ReduceLROnPlateau(make_opt(lib)).step("bad"),
    "seq_empty": lambda lib, ls: ls.SequentialLR(make_opt(lib), [], []),
    "seq_milestones": lambda lib, ls: _seq(lib, ls, milestones=[1, 2]),
    "seq_not_scheduler": lambda lib, ls: ls.SequentialLR(make_opt(lib), [3], []),
    "seq_plateau": lambda lib, ls: _with_plateau(lib, ls, ls.SequentialLR),
    "chained_empty": lambda lib, ls: ls.ChainedScheduler([]),
    "chained_not_scheduler": lambda lib, ls: ls.ChainedScheduler([_Plain()], optimizer=make_opt(lib)),
    "chained_plateau": lambda lib, ls: _with_plateau(lib, ls, ls.ChainedScheduler),
    "base_get_lr": lambda lib, ls: ls.LRScheduler.get_lr(ls.StepLR(make_opt(lib), 2)),
}


def _seq(lib, ls, milestones):
    o = make_opt(lib)
    return ls.SequentialLR(o, [ls.StepLR(o, 2), ls.ExponentialLR(o, 0.9)], milestones=milestones)


def _with_plateau(lib, ls, cls):
    o = make_opt(lib)
    scheds = [ls.StepLR(o, 2), ls.ReduceLROnPlateau(o)]
    return cls(o, scheds, [3]) if cls is ls.SequentialLR else cls(scheds)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_match_torch(case):
    results = []
    for lib, ls in ((torch, TLS), (ember, ELS)):
        with pytest.raises(Exception) as info:
            ERRORS[case](lib, ls)
        results.append((info.type, str(info.value)))
    assert results[1] == results[0]


def test_different_optimizer_rejected():
    for lib, ls in ((torch, TLS), (ember, ELS)):
        o1, o2 = make_opt(lib), make_opt(lib)
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer, but got "
                                             "scheduler StepLR at index 1"):
            ls.SequentialLR(o1, [ls.ExponentialLR(o1, 0.9), ls.StepLR(o2, 2)], [3])
        with pytest.raises(ValueError, match="ChainedScheduler expects all schedulers to belong"):
            ls.ChainedScheduler([ls.ExponentialLR(o1, 0.9), ls.StepLR(o2, 2)])


def test_onecycle_stepped_too_often():
    msgs = []
    for lib, ls in ((torch, TLS), (ember, ELS)):
        o = make_opt(lib)
        s = ls.OneCycleLR(o, 0.1, total_steps=5)
        for _ in range(5):
            o.step()
            s.step()
        with pytest.raises(ValueError) as info:
            s.step()
        msgs.append(str(info.value))
        assert s._get_lr_called_within_step is False
    assert msgs[0] == msgs[1] == "Tried to step 6 times. The specified number of total steps is 5"


# --- subclassing, aliases, tensor lrs ----------------------------------------------------------------------------


def test_custom_subclass_and_alias():
    def build(ls, o):
        class Halving(ls._LRScheduler):
            def __init__(self, optimizer, every, last_epoch=-1):
                self.every = every
                super().__init__(optimizer, last_epoch)

            def get_lr(self):
                return [b * 0.5 ** (self.last_epoch // self.every) for b in self.base_lrs]

        return Halving(o, 3)

    assert issubclass(ELS._LRScheduler, ELS.LRScheduler) and ELS._LRScheduler.__name__ == "_LRScheduler"
    run_pair(lambda o: build(LS(o), o), steps=20, save_at=9)


def test_tensor_learning_rates():
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=torch.tensor(0.1))
    eopt = ember.optim.SGD([ember.nn.Parameter(ember.zeros(2))], lr=ember.tensor(0.1))
    ts, es = TLS.StepLR(topt, 2, 0.5), ELS.StepLR(eopt, 2, 0.5)
    lr_obj = eopt.param_groups[0]["lr"]
    for _ in range(6):
        topt.step(), eopt.step()
        ts.step(), es.step()
        (t,), (e,) = ts.get_last_lr(), es.get_last_lr()
        assert isinstance(e, ember.Tensor) and e.item() == t.item()
        assert e is not lr_obj
    assert eopt.param_groups[0]["lr"] is lr_obj  # filled in place, not rebound
    assert isinstance(es.base_lrs[0], ember.Tensor) and es.base_lrs[0].item() == ts.base_lrs[0].item()
    assert es.base_lrs[0] is not eopt.param_groups[0]["initial_lr"]


def test_public_names():
    assert sorted(ELS.__all__) == sorted(TLS.__all__)
    for name in TLS.__all__:
        assert hasattr(ELS, name)
    assert ember.optim.lr_scheduler is ELS


def _params(fn):
    import inspect
    return [(p.name, p.default, p.kind) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize("name", sorted(TLS.__all__))
def test_signatures_match_torch(name):
    assert _params(getattr(ELS, name)) == _params(getattr(TLS, name))
    for meth in ("step", "state_dict", "load_state_dict", "get_last_lr"):
        assert _params(getattr(getattr(ELS, name), meth)) == _params(getattr(getattr(TLS, name), meth)), meth


def test_no_verbose_in_2_13():
    """PyTorch 2.13 removed ``verbose`` and ``print_lr``: both libraries reject the argument."""
    for lib, ls in ((torch, TLS), (ember, ELS)):
        with pytest.raises(TypeError, match="verbose"):
            ls.StepLR(make_opt(lib), 2, verbose=True)
        assert not hasattr(ls.LRScheduler, "print_lr")


def test_tracked_step_holds_no_reference_to_the_optimizer():
    import gc
    import weakref
    gc.disable()
    try:
        o = make_opt(ember)
        ELS.StepLR(o, 2)
        assert o.step.__name__ == "step"
        r = weakref.ref(o)
        del o
        assert r() is None  # freed by reference counting alone: no cycle through the wrapped step
    finally:
        gc.enable()
