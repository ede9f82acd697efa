"""Samples for ember/ops/activation.py.

torch exposes most activations only in ``torch.nn.functional``; ember's live in ``ember.ops.activation``
(``ember.nn.functional`` builds on them), so those samples call ``F(lib).<name>``.
"""

import numpy as np

from tests.oracle.harness import BF16, DT, NG, Sl, T, case, rand

CASES = []

FLOATS = ("float32", "float64")
HALVES = ("float16", "bfloat16")


def F(lib):
    """``torch.nn.functional`` for torch, ``ember.ops.activation`` for ember."""
    if lib.__name__ == "torch":
        return lib.nn.functional
    return lib.ops.activation


def away(*shape, dtype="float32", kinks=(0.0,), gap=0.05, low=-4.0, high=4.0):
    """Random values kept at least ``gap`` away from the points where the function has a kink."""
    a = rand(*shape, dtype="float64", low=low, high=high)
    for k in kinks:
        near = np.abs(a - k) < gap
        a = np.where(near, k + np.where(a >= k, gap, -gap) * 2, a)
    return a.astype("float32").astype(BF16) if dtype == "bfloat16" else a.astype(dtype)


def zd(v=0.7, dtype="float32"):
    return np.array(v, dtype=dtype)


def fcase(name, *args, kinks=(0.0,), fkw=None, **options):
    """A sample of ``nn.functional.<name>`` (ember: ``ember.ops.activation.<name>``)."""
    return case(name, *args, fn=lambda lib, *a, **k: getattr(F(lib), name)(*a, **k), **(fkw or {}), **options)


def standard(name, kinks=(0.0,), fkw=None, ints_ok=False, torch_fn=False, **extra):
    """The usual battery: shapes, dtypes, 0-dim, empty, non-contiguous, keyword variants."""
    mk = case if torch_fn else fcase
    kw = dict(fkw=fkw) if not torch_fn else dict(**(fkw or {}))
    out = [
        mk(name, away(3, 4, kinks=kinks), **kw, **extra),
        mk(name, away(2, 3, 4, dtype="float64", kinks=kinks), **kw, **extra),
        mk(name, T(away(3, 5, kinks=kinks)), **kw, **extra),
        mk(name, Sl(away(4, 3, kinks=kinks)), **kw, **extra),
        mk(name, zd(0.7), **kw, **extra),
        mk(name, zd(-1.3), **kw, **extra),
        mk(name, rand(0, 3), **kw, **extra),
        mk(name, NG(away(5, kinks=kinks)), **kw, **extra),
    ]
    for dt in HALVES:
        out.append(mk(name, away(6, dtype=dt, kinks=kinks), **kw, **extra))
    if ints_ok:
        out.append(mk(name, rand(6, dtype="int64", low=-8, high=9), **kw, **extra))
    else:
        out.append(mk(name, rand(6, dtype="int64", low=-8, high=9), **kw, raises=True))
    return out


# --- sigmoid / tanh (torch functions, Tensor methods, in-place, out=) -----------------------------
for op in ("sigmoid", "tanh"):
    CASES += standard(op, torch_fn=True, ints_ok=True)
    CASES += [
        case(op, rand(4, dtype="bool")),
        case(op, rand(4, dtype="uint8", low=0, high=5)),
        case(op, np.array([-100.0, -30.0, 0.0, 30.0, 100.0], "float32")),
        case(op, np.array([-800.0, -30.0, 0.0, 30.0, 800.0], "float64")),
        case(op, np.array([0.5 + 0.25j, -1 + 2j], "complex64"), grad=False),
        case(op, rand(3, 4), method=True),
        case(op, rand(3), fn=lambda lib, a, op=op: getattr(lib, op)(a.detach(), out=lib.empty(3))),
        case(op + "_", rand(3, 4), fn=lambda lib, a, op=op: getattr(a * 1, op + "_")()),
        case(op + "_", rand(3, 4), fn=lambda lib, a, op=op: getattr(lib, op + "_")(a * 1)),
        case(op + "_", NG(rand(3, dtype="int64")), fn=lambda lib, a, op=op: getattr(a, op + "_")(), raises=True),
        # second derivatives through the fused backward op
        case(op + "_double", rand(5, dtype="float64"),
             fn=lambda lib, a, op=op: lib.autograd.grad(getattr(lib, op)(a).pow(3).sum(), a, create_graph=True)[0]),
    ]

# --- softplus / logsigmoid -----------------------------------------------------------------------
CASES += standard("logsigmoid")
CASES += [fcase("logsigmoid", np.array([-100.0, -20.0, 0.0, 20.0, 100.0], "float32"))]
CASES += standard("softplus")
CASES += [
    fcase("softplus", away(3, 4), fkw=dict(beta=2.0)),
    fcase("softplus", away(3, 4, dtype="float64"), fkw=dict(beta=0.5, threshold=1.0), kinks=(2.0,)),
    fcase("softplus", np.array([-50.0, 5.0, 19.0, 21.0, 50.0], "float32")),
    fcase("softplus", np.array([-5.0, 1.0, 3.0, 7.0], "float64"), fkw=dict(beta=3, threshold=10)),
]

# --- piecewise-linear family ---------------------------------------------------------------------
CASES += standard("hardtanh", kinks=(-1.0, 1.0), ints_ok=True)
CASES += [
    fcase("hardtanh", away(3, 4, kinks=(-0.5, 2.0)), fkw=dict(min_val=-0.5, max_val=2.0)),
    fcase("hardtanh", rand(6, dtype="int64", low=-5, high=5), fkw=dict(min_val=-1.5, max_val=2.5)),
    fcase("hardtanh", away(3, 4), fkw=dict(min_val=2.0, max_val=1.0), raises=True),
    fcase("hardtanh", rand(4, dtype="bool"), raises=True),
    case("hardtanh_", away(3, 4, kinks=(-1.0, 1.0)), fn=lambda lib, a: F(lib).hardtanh_(a * 1)),
    case("hardtanh_inplace", away(3, 4, kinks=(-1.0, 1.0)), fn=lambda lib, a: F(lib).hardtanh(a * 1, inplace=True)),
]
CASES += standard("relu6", ints_ok=True)
CASES += [
    fcase("relu6", away(4, 5, kinks=(0.0, 6.0), low=-3, high=9)),
    fcase("relu6", rand(6, dtype="int64", low=-5, high=9)),
    case("relu6_inplace", away(3, 4), fn=lambda lib, a: F(lib).relu6(a * 1, inplace=True)),
    case("relu_", away(3, 4), fn=lambda lib, a: lib.relu_(a * 1)),
    case("relu_inplace", away(3, 4), fn=lambda lib, a: F(lib).relu(a * 1, inplace=True)),
]
CASES += standard("leaky_relu")
CASES += [
    fcase("leaky_relu", away(3, 4), fkw=dict(negative_slope=0.2)),
    fcase("leaky_relu", away(3, 4, dtype="float64"), fkw=dict(negative_slope=-0.5)),
    case("leaky_relu_", away(3, 4), fn=lambda lib, a: F(lib).leaky_relu_(a * 1, 0.1)),
    case("leaky_relu_inplace", away(3, 4), fn=lambda lib, a: F(lib).leaky_relu(a * 1, 0.3, inplace=True)),
]
CASES += standard("rrelu", torch_fn=True)
CASES += [
    case("rrelu", away(3, 4), 0.1, 0.5),
    fcase("rrelu", away(3, 4), fkw=dict(lower=0.2, upper=0.4)),
    case("rrelu_", away(3, 4), fn=lambda lib, a: lib.rrelu_(a * 1)),
    case("rrelu_inplace", away(3, 4), fn=lambda lib, a: F(lib).rrelu(a * 1, inplace=True)),
    # training: random slopes in [lower, upper] on the negative side; check the range and positive side
    case("rrelu_training", NG(away(50, low=-4, high=-0.5)), grad=False,
         fn=lambda lib, a: ((F(lib).rrelu(a, 0.1, 0.3, training=True) / a) >= 0.1 - 1e-6).all()),
    case("rrelu_training", NG(away(50, low=-4, high=-0.5)), grad=False,
         fn=lambda lib, a: ((F(lib).rrelu(a, 0.1, 0.3, training=True) / a) <= 0.3 + 1e-6).all()),
    case("rrelu_training", NG(away(50, low=0.5, high=4)), grad=False,
         fn=lambda lib, a: F(lib).rrelu(a, 0.1, 0.3, training=True)),
]

# --- elu family --------------------------------------------------------------------------------------
CASES += standard("elu")
CASES += [
    fcase("elu", away(3, 4), fkw=dict(alpha=0.5)),
    fcase("elu", away(3, 4, dtype="float64"), fkw=dict(alpha=-1.0)),
    case("elu_", away(3, 4), fn=lambda lib, a: F(lib).elu_(a * 1, 2.0)),
    case("elu_inplace", away(3, 4), fn=lambda lib, a: F(lib).elu(a * 1, inplace=True)),
]
for op in ("selu", "celu"):
    CASES += standard(op, torch_fn=True)
    CASES += [
        case(op + "_", away(3, 4), fn=lambda lib, a, op=op: getattr(lib, op + "_")(a * 1)),
        case(op + "_inplace", away(3, 4), fn=lambda lib, a, op=op: getattr(F(lib), op)(a * 1, inplace=True)),
    ]
CASES += [
    case("celu", away(3, 4), 2.0),
    case("celu", away(3, 4, dtype="float64"), alpha=0.5),
    case("celu_", away(3, 4), fn=lambda lib, a: lib.celu_(a * 1, 0.7)),
    case("celu", away(3, 4), 0.0, raises=True),
]

# --- gelu / silu / mish ----------------------------------------------------------------------------
CASES += standard("gelu")
CASES += standard("gelu", fkw=dict(approximate="tanh"))
CASES += [
    fcase("gelu", away(3, 4), fkw=dict(approximate="foo"), raises=True),
    case("gelu_double", rand(5, dtype="float64"),
         fn=lambda lib, a: lib.autograd.grad(F(lib).gelu(a).pow(3).sum(), a, create_graph=True)[0]),
    case("gelu_double", rand(5, dtype="float64"),
         fn=lambda lib, a: lib.autograd.grad(F(lib).gelu(a, approximate="tanh").pow(3).sum(), a,
                                             create_graph=True)[0]),
]
for op in ("silu", "mish"):
    CASES += standard(op)
    CASES += [
        fcase(op, np.array([-100.0, -30.0, 0.0, 25.0, 100.0], "float32")),
        case(op + "_inplace", away(3, 4), fn=lambda lib, a, op=op: getattr(F(lib), op)(a * 1, inplace=True)),
    ]

# --- hardsigmoid / hardswish / softsign / tanhshrink ---------------------------------------------------
for op in ("hardsigmoid", "hardswish"):
    CASES += standard(op, kinks=(-3.0, 3.0))
    CASES += [
        fcase(op, away(4, 6, kinks=(-3.0, 3.0), low=-6, high=6)),
        case(op + "_inplace", away(3, 4, kinks=(-3.0, 3.0), low=-6, high=6),
             fn=lambda lib, a, op=op: getattr(F(lib), op)(a * 1, inplace=True)),
    ]
CASES += standard("softsign", ints_ok=True)
CASES += standard("tanhshrink", ints_ok=True)

# --- shrinks, threshold -------------------------------------------------------------------------------
CASES += standard("hardshrink", kinks=(-0.5, 0.5), torch_fn=True)
CASES += [
    case("hardshrink", away(3, 4, kinks=(-1.0, 1.0)), 1.0),
    case("hardshrink", away(3, 4, kinks=(-1.0, 1.0)), lambd=-1.0),
    case("hardshrink", away(3, 4, kinks=(-0.3, 0.3)), 0.3, method=True),
    fcase("hardshrink", away(3, 4, kinks=(-0.5, 0.5))),
    case("hardshrink", away(3, 4, kinks=(-0.5, 0.5)), fn=lambda lib, a: lib.hardshrink(a.detach(), out=lib.empty(0))),
]
CASES += standard("softshrink", kinks=(-0.5, 0.5))
CASES += [
    fcase("softshrink", away(3, 4, kinks=(-1.0, 1.0)), fkw=dict(lambd=1.0)),
    fcase("softshrink", away(3, 4), fkw=dict(lambd=-1.0), raises=True),
]
CASES += standard("threshold", kinks=(0.1,), fkw=dict(threshold=0.1, value=20.0), torch_fn=False, ints_ok=True)
CASES += [
    case("threshold", away(3, 4, kinks=(0.5,)), 0.5, -1.0),
    case("threshold", rand(6, dtype="int64", low=-5, high=5), 1.5, 5.5),
    case("threshold", rand(4, dtype="bool"), 0, 1, raises=True),
    case("threshold_", away(3, 4, kinks=(0.5,)), fn=lambda lib, a: lib.threshold_(a * 1, 0.5, 2.0)),
    case("threshold_inplace", away(3, 4, kinks=(0.5,)),
         fn=lambda lib, a: F(lib).threshold(a * 1, 0.5, 2.0, inplace=True)),
]

# --- glu, prelu -----------------------------------------------------------------------------------------
CASES += [
    fcase("glu", rand(3, 4)),
    fcase("glu", rand(4, 3), fkw=dict(dim=0)),
    fcase("glu", rand(2, 6, 3, dtype="float64"), fkw=dict(dim=-2)),
    fcase("glu", T(rand(4, 6))),
    fcase("glu", Sl(rand(3, 4))),
    fcase("glu", rand(0, 4)),
    fcase("glu", rand(4, dtype="float16")),
    fcase("glu", rand(4, dtype="bfloat16")),
    fcase("glu", rand(3, 5), raises=True),
    fcase("glu", zd(), raises=True),
    fcase("glu", rand(3, 4), fkw=dict(dim=2), raises=True),
    fcase("glu", rand(4, dtype="int64"), raises=True),
]
CASES += [
    case("prelu", away(3, 4), rand(4, low=0.05, high=0.5)),
    case("prelu", away(2, 3, 4, 5, dtype="float64"), rand(3, dtype="float64", low=0.05, high=0.5)),
    case("prelu", away(2, 3, 4), rand(1, low=0.05, high=0.5)),
    case("prelu", away(2, 3, 4), zd(0.25)),
    case("prelu", away(5), rand(1, low=0.05, high=0.5)),
    case("prelu", zd(-2.0), rand(1, low=0.05, high=0.5)),
    case("prelu", T(away(4, 3)), rand(3, low=0.05, high=0.5)),
    case("prelu", away(3, 4), NG(rand(4, low=0.05, high=0.5))),
    case("prelu", NG(away(3, 4)), rand(4, low=0.05, high=0.5)),
    case("prelu", away(3, 4), rand(4, low=0.05, high=0.5), method=True),
    case("prelu", away(0, 4), rand(4, low=0.05, high=0.5)),
    fcase("prelu", away(3, 4), rand(4, low=0.05, high=0.5)),
    case("prelu", away(3, 4), rand(3), raises=True),
    case("prelu", away(3, 4), rand(1, 4), raises=True),
    case("prelu", away(3, 4, dtype="float64"), rand(4), raises=True),
]

# --- softmax family -----------------------------------------------------------------------------------
for op in ("softmax", "log_softmax"):
    CASES += [
        case(op, rand(3, 4), 1),
        case(op, rand(3, 4), -1),
        case(op, rand(3, 4), 0),
        case(op, rand(2, 3, 4, dtype="float64"), 1),
        case(op, rand(2, 3, 4, dtype="float64"), dim=-3),
        case(op, T(rand(3, 5)), 1),
        case(op, Sl(rand(3, 4)), -1),
        case(op, zd(), 0),
        case(op, zd(), -1),
        case(op, rand(0, 3), 1),
        case(op, rand(3, 0), 1),
        case(op, rand(5, dtype="float16"), 0),
        case(op, rand(5, dtype="bfloat16"), 0),
        case(op, rand(3, 4), 1, dtype=DT("float64")),
        case(op, rand(3, 4, dtype="float16"), 1, DT("float32")),
        case(op, rand(3, 4, dtype="int64"), 1, dtype=DT("float32")),
        case(op, np.array([[1000.0, 0.0, -1000.0], [-1e30, 1e30, 3.0]], "float32"), 1),
        case(op, np.array([[0.0, -np.inf, 1.0]], "float64"), 1, grad=False),
        case(op, rand(3, 4), 1, method=True),
        case(op, rand(3, 4), dim=0, dtype=DT("float64"), method=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, zd(), 1, raises=True),
        case(op, rand(3, 4, dtype="int64"), 1, raises=True),
        fcase(op, rand(3, 4), fkw=dict(dim=1)),
        case(op, rand(3, 4), fn=lambda lib, a, op=op: getattr(lib, op)(a.detach(), 1, out=lib.empty(3, 4))),
        fcase(op, rand(3, 4, 2)),
        fcase(op, rand(3, 4)),
        fcase(op, rand(2, 3, 4, 2), fkw=dict(dim=-1, dtype=DT("float64"))),
        case(op + "_double", rand(3, 4, dtype="float64"),
             fn=lambda lib, a, op=op: lib.autograd.grad(getattr(lib, op)(a, 1).pow(3).sum(), a, create_graph=True)[0]),
    ]
CASES += [
    fcase("softmin", rand(3, 4), fkw=dict(dim=1)),
    fcase("softmin", rand(3, 4, dtype="float64"), fkw=dict(dim=0)),
    fcase("softmin", rand(2, 3, 4)),
    fcase("softmin", T(rand(3, 4)), fkw=dict(dim=-1)),
    fcase("softmin", zd(), fkw=dict(dim=0)),
    case("softmin", rand(3, 4), fn=lambda lib, a: F(lib).softmin(a, 1, dtype=lib.float64)),
    fcase("softmin", rand(3, 4), fkw=dict(dim=3), raises=True),
]
