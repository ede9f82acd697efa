"""Samples for ember/nn/_functional/loss.py (torch.nn.functional losses vs ember.nn.functional)."""

import numpy as np

from tests.oracle.harness import NG, Lib, Sl, T, case, positive, rand

CASES = []
REDS = ("none", "mean", "sum")


def F(name, **fixed):
    return lambda lib, *a, **k: getattr(lib.nn.functional, name)(*a, **fixed, **k)


def ints(*shape, high, low=0, seed=0):
    return np.random.default_rng(seed + high).integers(low, high, size=shape).astype("int64")


def probs(*shape, axis=1, seed=0):
    a = np.random.default_rng(seed).random(shape) + 0.1
    return (a / a.sum(axis=axis, keepdims=True)).astype("float32")


def unit(*shape, dtype="float32", seed=0):
    return np.random.default_rng(seed).uniform(0.05, 0.95, shape).astype(dtype)


def signs(*shape, seed=0):
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1.0, 1.0).astype("float32")


# --- regression losses -----------------------------------------------------------------------
for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
    for r in REDS:
        CASES += [
            case(name, rand(3, 4), rand(3, 4), reduction=r, fn=F(name)),
            case(name, T(rand(3, 4)), Sl(rand(3, 4)), reduction=r, fn=F(name)),
            case(name, rand(3, 4, dtype="float64"), rand(3, 4, dtype="float64"), reduction=r, fn=F(name)),
        ]
    CASES += [
        case(name, rand(), rand(), fn=F(name)),
        case(name, rand(0, 3), rand(0, 3), fn=F(name, reduction="sum")),
        case(name, rand(2, 3), NG(rand(2, 3)), fn=F(name)),
        case(name, rand(3, 4), rand(3, 4), reduction="foo", raises=True, fn=F(name)),
        case(name, rand(3, 4), rand(5), raises=True, fn=F(name)),
    ]
    if name != "huber_loss":
        CASES += [case(name, rand(3, 4), rand(3, 4), fn=F(name, size_average=False), id=name + "_legacy"),
                  case(name, rand(3, 4), rand(3, 4), fn=F(name, reduce=False), id=name + "_legacy")]
    if name in ("mse_loss", "l1_loss", "huber_loss"):
        for r in REDS:
            CASES.append(case(name, rand(3, 4), rand(3, 4), weight=NG(positive(3, 4)), reduction=r, fn=F(name)))
        CASES.append(case(name, rand(3, 4), rand(3, 4), positive(3, 4), fn=lambda lib, x, y, w, _n=name:
                          getattr(lib.nn.functional, _n)(x, y, weight=w), id=name + "_wgrad"))
        CASES.append(case(name, rand(3, 4), rand(3, 4), weight=positive(4), raises=True, fn=F(name)))
CASES += [
    case("smooth_l1_loss", rand(3, 4), rand(3, 4), beta=0.5, fn=F("smooth_l1_loss")),
    case("smooth_l1_loss", rand(3, 4), rand(3, 4), beta=0.0, reduction="none", fn=F("smooth_l1_loss")),
    case("smooth_l1_loss", rand(3, 4), rand(3, 4), beta=3.0, reduction="sum", fn=F("smooth_l1_loss")),
    case("huber_loss", rand(3, 4), rand(3, 4), delta=0.3, fn=F("huber_loss")),
    case("huber_loss", rand(3, 4), rand(3, 4), delta=2.5, reduction="none", fn=F("huber_loss")),
    case("mse_loss", rand(3, 4), rand(4), fn=F("mse_loss")),  # broadcasting (with torch's warning)
    case("mse_loss", rand(3, 4, dtype="float16"), rand(3, 4, dtype="float16"), fn=F("mse_loss")),
]

# --- nll_loss / cross_entropy ------------------------------------------------------------------
W5 = positive(5)
for name in ("nll_loss", "cross_entropy"):
    x = rand(4, 5) if name == "cross_entropy" else np.log(probs(4, 5))
    xk = rand(2, 5, 3, 2) if name == "cross_entropy" else np.log(probs(2, 5, 3, 2))
    x3 = rand(2, 5, 3) if name == "cross_entropy" else np.log(probs(2, 5, 3))
    x5 = rand(2, 5, 2, 2, 2) if name == "cross_entropy" else np.log(probs(2, 5, 2, 2, 2))
    t = np.array([1, 0, 4, 2])
    for r in REDS:
        CASES += [
            case(name, x, t, reduction=r, fn=F(name)),
            case(name, x, t, weight=NG(W5), reduction=r, fn=F(name)),
            case(name, x, np.array([1, -100, 4, -100]), reduction=r, fn=F(name)),
            case(name, x, np.array([1, 3, 4, 3]), weight=NG(W5), ignore_index=3, reduction=r, fn=F(name)),
            case(name, x, np.full(4, -100), reduction=r, fn=F(name)),  # all ignored: nan for mean
            case(name, x, np.full(4, -100), weight=NG(W5), reduction=r, fn=F(name)),
            case(name, xk, ints(2, 3, 2, high=5), reduction=r, fn=F(name)),
            case(name, xk, ints(2, 3, 2, high=5), weight=NG(W5), reduction=r, fn=F(name)),
            case(name, x3, ints(2, 3, high=5), reduction=r, fn=F(name)),
            case(name, x5, ints(2, 2, 2, 2, high=5), weight=NG(W5), reduction=r, fn=F(name)),
            case(name, x[0], np.array(3), reduction=r, fn=F(name)),  # unbatched
            case(name, x[0], np.array(3), weight=NG(W5), reduction=r, fn=F(name)),
        ]
    CASES += [
        case(name, x.astype("float64"), t, fn=F(name)),
        case(name, T(rand(4, 5)) if name == "cross_entropy" else x, t, fn=F(name)),
        case(name, x, t.astype("uint8"), fn=F(name)),
        case(name, rand(0, 5), np.zeros(0, dtype="int64"), fn=F(name)),
        case(name, rand(0, 5), np.zeros(0, dtype="int64"), reduction="sum", fn=F(name)),
        case(name, x, t, fn=F(name, size_average=False), id=name + "_legacy"),
        case(name, x, t, fn=F(name, reduce=False), id=name + "_legacy"),
        # errors
        case(name, x, np.array([1, 0, 5, 2]), raises=True, fn=F(name)),
        case(name, x, np.array([1, -1, 4, 2]), raises=True, fn=F(name)),
        case(name, x, np.array([1, 0, 4]), raises=True, fn=F(name)),
        case(name, x, t.astype("int32"), raises=True, fn=F(name)),
        case(name, x, t, weight=NG(positive(4)), raises=True, fn=F(name)),
        case(name, x, t, weight=NG(positive(5, dtype="float64")), raises=True, fn=F(name)),
        case(name, x, t, positive(5), raises=True, fn=lambda lib, x, t, w, _n=name:  # weight requiring grad
             getattr(lib.nn.functional, _n)(x, t, weight=w)),
        case(name, xk, ints(2, 3, high=5), raises=True, fn=F(name)),
        case(name, x3, ints(2, 4, high=5), raises=True, fn=F(name)),
        case(name, rand(), np.array(0), raises=True, fn=F(name)),
        case(name, x, t, reduction="batch", raises=True, fn=F(name)),
    ]
CASES += [
    case("nll_loss", rand(4, 5, dtype="int64"), np.array([1, 0, 4, 2]), raises=True, fn=F("nll_loss")),
    case("nll_loss", rand(2, 3), ints(2, 3, high=3), raises=True, fn=F("nll_loss")),
]
# cross_entropy: class probabilities, label smoothing
for r in REDS:
    CASES += [
        case("cross_entropy", rand(4, 5), NG(probs(4, 5)), reduction=r, fn=F("cross_entropy")),
        case("cross_entropy", rand(4, 5), probs(4, 5), reduction=r, fn=F("cross_entropy"), id="ce_probs_tgrad"),
        case("cross_entropy", rand(4, 5), NG(probs(4, 5)), weight=NG(W5), reduction=r, fn=F("cross_entropy")),
        case("cross_entropy", rand(4, 5), probs(4, 5), W5, fn=lambda lib, x, p, w, _r=r:
             lib.nn.functional.cross_entropy(x, p, weight=w, reduction=_r), id="ce_probs_wgrad"),
        case("cross_entropy", rand(2, 5, 3), NG(probs(2, 5, 3)), reduction=r, label_smoothing=0.2,
             fn=F("cross_entropy")),
        case("cross_entropy", rand(5), NG(probs(5, axis=0)), reduction=r, fn=F("cross_entropy")),
        case("cross_entropy", rand(4, 5), np.array([1, 0, 4, 2]), reduction=r, label_smoothing=0.1,
             fn=F("cross_entropy")),
        case("cross_entropy", rand(4, 5), np.array([1, 3, 4, 3]), weight=NG(W5), ignore_index=3, reduction=r,
             label_smoothing=0.25, fn=F("cross_entropy")),
        case("cross_entropy", rand(4, 5), np.array([1, -100, 4, 2]), weight=NG(W5), reduction=r,
             label_smoothing=0.3, fn=F("cross_entropy")),
        case("cross_entropy", rand(2, 5, 3), ints(2, 3, high=5), weight=NG(W5), reduction=r, label_smoothing=0.15,
             fn=F("cross_entropy")),
        case("cross_entropy", rand(5), np.array(2), reduction=r, label_smoothing=0.15, fn=F("cross_entropy")),
    ]
CASES += [
    case("cross_entropy", rand(4, 5), np.full(4, -100), label_smoothing=0.1, fn=F("cross_entropy")),
    case("cross_entropy", rand(4, 5), np.array([1, 0, 4, 2]), label_smoothing=1.5, raises=True, fn=F("cross_entropy")),
    case("cross_entropy", rand(4, 5), np.array([1, 0, 4, 2]), label_smoothing=-0.1, fn=F("cross_entropy")),
    case("cross_entropy", rand(4, 5), NG(probs(4, 5)), label_smoothing=-0.1, fn=F("cross_entropy")),
    case("cross_entropy", rand(4, 5), NG(probs(4, 4)), raises=True, fn=F("cross_entropy")),
    case("cross_entropy", rand(4, 5), ints(4, 5, high=5), raises=True, fn=F("cross_entropy")),
    case("cross_entropy", rand(4, 5, dtype="float16"), np.array([1, 0, 4, 2]), fn=F("cross_entropy"), rtol=1e-2,
         atol=1e-2),
    case("cross_entropy", rand(64, 10), ints(64, high=10), fn=F("cross_entropy")),
]
# double backward through the fused cross entropy and nll
CASES += [
    case("cross_entropy", rand(4, 5, dtype="float64"), np.array([1, 0, 4, 2]), weight=NG(W5.astype("float64")),
         fn=lambda lib, x, t, **k: lib.autograd.grad(lib.nn.functional.cross_entropy(x, t, **k), x,
                                                     create_graph=True)[0], id="ce_double_backward"),
    case("cross_entropy", rand(4, 5, dtype="float64"), np.array([1, -100, 4, 2]), reduction="none",
         fn=lambda lib, x, t, **k: lib.autograd.grad(lib.nn.functional.cross_entropy(x, t, **k).sum() * 1.5, x,
                                                     create_graph=True)[0], id="ce_double_backward"),
    case("cross_entropy", rand(4, 5, dtype="float64"), np.array([1, 0, 4, 2]),
         fn=lambda lib, x, t: (lambda g: (g * g).sum())(lib.autograd.grad(
             lib.nn.functional.cross_entropy(x, t, reduction="none").pow(2).sum(), x, create_graph=True)[0]),
         id="ce_double_backward_g"),
    case("nll_loss", rand(4, 5, dtype="float64"), np.array([1, 0, 4, 2]),
         fn=lambda lib, x, t: (lambda g: (g * g).sum())(lib.autograd.grad(
             lib.nn.functional.nll_loss(x, t, reduction="none").pow(2).sum(), x, create_graph=True)[0]),
         id="nll_double_backward"),
]

# --- binary cross entropy ----------------------------------------------------------------------
for r in REDS:
    CASES += [
        case("binary_cross_entropy", unit(3, 4), NG(unit(3, 4, seed=1)), reduction=r, fn=F("binary_cross_entropy")),
        case("binary_cross_entropy", unit(3, 4), unit(3, 4, seed=1), reduction=r, fn=F("binary_cross_entropy")),
        case("binary_cross_entropy", unit(3, 4), NG(unit(3, 4, seed=1)), weight=NG(positive(3, 4)), reduction=r,
             fn=F("binary_cross_entropy")),
        case("binary_cross_entropy", unit(3, 4, dtype="float64"), NG(unit(3, 4, seed=1, dtype="float64")),
             weight=NG(positive(4, dtype="float64")), reduction=r, fn=F("binary_cross_entropy")),
        case("binary_cross_entropy_with_logits", rand(3, 4), NG(unit(3, 4)), reduction=r,
             fn=F("binary_cross_entropy_with_logits")),
        case("binary_cross_entropy_with_logits", rand(3, 4), unit(3, 4), reduction=r,
             fn=F("binary_cross_entropy_with_logits")),
        case("binary_cross_entropy_with_logits", rand(3, 4), NG(unit(3, 4)), weight=NG(positive(4)),
             pos_weight=NG(positive(4, seed=3)), reduction=r, fn=F("binary_cross_entropy_with_logits")),
        case("binary_cross_entropy_with_logits", rand(3, 4), unit(3, 4), NG(positive(3, 4)), NG(positive(4, seed=3)),
             fn=lambda lib, x, y, w, pw, _r=r: lib.nn.functional.binary_cross_entropy_with_logits(
                 x, y, weight=w, pos_weight=pw, reduction=_r), id="bce_logits_w"),
    ]
CASES += [
    case("binary_cross_entropy", np.array([0.0, 1.0, 0.5], dtype="float32"), NG(np.array([0.0, 1.0, 0.3],
         dtype="float32")), fn=F("binary_cross_entropy"), grad=False),  # log clamped at -100
    case("binary_cross_entropy", np.array([0.0, 1.0], dtype="float32"), NG(np.array([1.0, 0.0], dtype="float32")),
         fn=F("binary_cross_entropy"), reduction="none", grad=False),
    case("binary_cross_entropy", unit(3, 4), NG(unit(3, 4)), fn=F("binary_cross_entropy", size_average=False),
         id="bce_legacy"),
    case("binary_cross_entropy", rand(3, 4, low=-1, high=2), NG(unit(3, 4)), raises=True,
         fn=F("binary_cross_entropy")),
    case("binary_cross_entropy", unit(3, 4), NG(unit(4)), raises=True, fn=F("binary_cross_entropy")),
    case("binary_cross_entropy", unit(3, 4), NG(unit(3, 4)), positive(3, 4), raises=True,
         fn=lambda lib, x, y, w: lib.nn.functional.binary_cross_entropy(x, y, weight=w)),
    case("binary_cross_entropy_with_logits", rand(3, 4), NG(unit(3, 4)), positive(3, 4), raises=True,
         fn=lambda lib, x, y, w: lib.nn.functional.binary_cross_entropy_with_logits(x, y, weight=w)),
    case("binary_cross_entropy_with_logits", rand(3, 4), NG(unit(3, 4)), positive(4), raises=True,
         fn=lambda lib, x, y, w: lib.nn.functional.binary_cross_entropy_with_logits(x, y, pos_weight=w)),
    case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4, 2]), positive(5), raises=True,
         fn=lambda lib, x, y, w: lib.nn.functional.multi_margin_loss(x, y, weight=w)),
    case("soft_margin_loss", rand(3, 4), signs(3, 4), raises=True, fn=F("soft_margin_loss")),
    case("binary_cross_entropy_with_logits", rand(3, 4), NG(unit(4)), raises=True,
         fn=F("binary_cross_entropy_with_logits")),
    case("binary_cross_entropy_with_logits", rand(3, 4, low=-80, high=80), NG(unit(3, 4)),
         fn=F("binary_cross_entropy_with_logits")),  # numerically stable for large logits
    case("binary_cross_entropy_with_logits", T(rand(3, 4)), NG(unit(3, 4)), fn=F("binary_cross_entropy_with_logits")),
]

# --- kl_div, poisson, gaussian -----------------------------------------------------------------
for r in ("none", "sum", "batchmean", "mean"):
    CASES += [
        case("kl_div", np.log(probs(3, 4)), probs(3, 4, seed=1), reduction=r, fn=F("kl_div")),
        case("kl_div", np.log(probs(3, 4)), np.log(probs(3, 4, seed=1)), reduction=r, log_target=True,
             fn=F("kl_div")),
    ]
CASES += [
    case("kl_div", np.log(probs(3, 4)), NG(np.array([[0.0, 0.5, 0.5, 0.0]] * 3, dtype="float32")),
         reduction="batchmean", fn=F("kl_div")),
    case("kl_div", rand(), positive(), reduction="batchmean", fn=F("kl_div")),
    case("kl_div", rand(3, 4), positive(3, 4), fn=F("kl_div", reduce=False), id="kl_legacy"),
    case("kl_div", rand(3, 4), positive(3, 4), reduction="x", raises=True, fn=F("kl_div")),
]
for r in REDS:
    CASES += [
        case("poisson_nll_loss", rand(3, 4), positive(3, 4) * 2, reduction=r, fn=F("poisson_nll_loss")),
        case("poisson_nll_loss", positive(3, 4), positive(3, 4) * 2, log_input=False, reduction=r,
             fn=F("poisson_nll_loss")),
        case("poisson_nll_loss", rand(3, 4), NG(positive(3, 4) * 2), full=True, reduction=r,
             fn=F("poisson_nll_loss")),
        case("gaussian_nll_loss", rand(3, 4), rand(3, 4), positive(3, 4), reduction=r, fn=F("gaussian_nll_loss")),
        case("gaussian_nll_loss", rand(3, 4), rand(3, 4), positive(3), full=True, reduction=r,
             fn=F("gaussian_nll_loss")),
        case("gaussian_nll_loss", rand(3, 4), rand(3, 4), positive(3, 1), reduction=r, fn=F("gaussian_nll_loss")),
    ]
CASES += [
    case("poisson_nll_loss", rand(3, 4), positive(3, 4), eps=0.1, log_input=False, fn=F("poisson_nll_loss"),
         grad=False),
    case("poisson_nll_loss", rand(3, 4), positive(3, 4), reduction="x", raises=True, fn=F("poisson_nll_loss")),
    case("gaussian_nll_loss", rand(3, 4), rand(3, 4), 0.5, fn=F("gaussian_nll_loss")),
    case("gaussian_nll_loss", rand(3, 4), rand(3, 4), np.array([[1e-9, 1, 2, 3]] * 3, dtype="float32"), eps=1e-3,
         fn=F("gaussian_nll_loss")),
    case("gaussian_nll_loss", rand(2, 3, 4), rand(2, 3, 4), positive(2, 1, 4), fn=F("gaussian_nll_loss")),
    case("gaussian_nll_loss", rand(3, 4), rand(3, 4), positive(2), raises=True, fn=F("gaussian_nll_loss")),
    case("gaussian_nll_loss", rand(3, 4), rand(3, 4), NG(-positive(3, 4)), raises=True, fn=F("gaussian_nll_loss")),
    case("gaussian_nll_loss", rand(3, 4), rand(3, 4), positive(3, 4), reduction="x", raises=True,
         fn=F("gaussian_nll_loss")),
]

# --- margin / embedding losses ----------------------------------------------------------------
for r in REDS:
    CASES += [
        case("cosine_embedding_loss", rand(4, 3), rand(4, 3), NG(signs(4)), reduction=r,
             fn=F("cosine_embedding_loss")),
        case("cosine_embedding_loss", rand(4, 3), rand(4, 3), NG(signs(4)), margin=0.3, reduction=r,
             fn=F("cosine_embedding_loss")),
        case("margin_ranking_loss", rand(5), rand(5), NG(signs(5)), reduction=r, fn=F("margin_ranking_loss")),
        case("margin_ranking_loss", rand(5), rand(5), signs(5), margin=0.5, reduction=r,
             fn=F("margin_ranking_loss")),
        case("hinge_embedding_loss", rand(3, 4), NG(signs(3, 4)), reduction=r, fn=F("hinge_embedding_loss")),
        case("hinge_embedding_loss", rand(3, 4), NG(signs(3, 4)), margin=0.5, reduction=r,
             fn=F("hinge_embedding_loss")),
        case("soft_margin_loss", rand(3, 4), NG(signs(3, 4)), reduction=r, fn=F("soft_margin_loss")),
        case("soft_margin_loss", T(rand(4, 3)), NG(signs(4, 3)), reduction=r, fn=F("soft_margin_loss")),
        case("multilabel_soft_margin_loss", rand(3, 4), NG(unit(3, 4)), reduction=r,
             fn=F("multilabel_soft_margin_loss")),
        case("multilabel_soft_margin_loss", rand(3, 4), NG(unit(3, 4)), weight=NG(positive(4)), reduction=r,
             fn=F("multilabel_soft_margin_loss")),
        case("multilabel_margin_loss", rand(3, 4), np.array([[3, 0, -1, 1], [0, 1, 2, 3], [-1, 1, 2, 0]]),
             reduction=r, fn=F("multilabel_margin_loss")),
        case("multilabel_margin_loss", rand(4), np.array([2, 1, -1, 3]), reduction=r, fn=F("multilabel_margin_loss")),
        case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4, 2]), reduction=r, fn=F("multi_margin_loss")),
        case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4, 2]), p=2, margin=0.7, weight=NG(W5), reduction=r,
             fn=F("multi_margin_loss")),
        case("multi_margin_loss", rand(5), np.array(3), reduction=r, fn=F("multi_margin_loss")),
        case("triplet_margin_loss", rand(4, 3), rand(4, 3), rand(4, 3), reduction=r, fn=F("triplet_margin_loss")),
        case("triplet_margin_loss", rand(4, 3), rand(4, 3), rand(4, 3), p=1, margin=2.0, swap=True, reduction=r,
             fn=F("triplet_margin_loss")),
        case("triplet_margin_loss", rand(3), rand(3), rand(3), p=3, eps=1e-3, reduction=r,
             fn=F("triplet_margin_loss")),
        case("triplet_margin_with_distance_loss", rand(4, 3), rand(4, 3), rand(4, 3), reduction=r,
             fn=F("triplet_margin_with_distance_loss")),
        case("triplet_margin_with_distance_loss", rand(4, 3), rand(4, 3), rand(4, 3), swap=True, margin=3.0,
             reduction=r, fn=lambda lib, a, p, n, **k: lib.nn.functional.triplet_margin_with_distance_loss(
                 a, p, n, distance_function=lambda x, y: 1 - lib.nn.functional.cosine_similarity(x, y)
                 if hasattr(lib.nn.functional, "cosine_similarity") else (x - y).abs().sum(-1), **k)),
        case("triplet_margin_with_distance_loss", rand(4, 3), rand(4, 3), rand(4, 3), margin=1.5, reduction=r,
             fn=lambda lib, a, p, n, **k: lib.nn.functional.triplet_margin_with_distance_loss(
                 a, p, n, distance_function=lambda x, y: ((x - y) ** 2).sum(-1), **k)),
    ]
CASES += [
    case("cosine_embedding_loss", rand(3), rand(3), NG(np.array(-1.0, dtype="float32")), fn=F("cosine_embedding_loss")),
    case("cosine_embedding_loss", rand(4, 3), rand(4, 3), NG(signs(4, 1)), raises=True,
         fn=F("cosine_embedding_loss")),
    case("cosine_embedding_loss", rand(4, 3), rand(4, 3), NG(signs(4)), fn=F("cosine_embedding_loss", reduce=False),
         id="cosine_legacy"),
    case("margin_ranking_loss", rand(5), rand(5), NG(signs(5, 1)), raises=True, fn=F("margin_ranking_loss")),
    case("margin_ranking_loss", rand(5), rand(5), NG(signs(5)), fn=F("margin_ranking_loss", size_average=False),
         id="mrl_legacy"),
    case("multilabel_margin_loss", rand(3, 4), np.array([[3, 0, -1, 1]]), raises=True,
         fn=F("multilabel_margin_loss")),
    case("multilabel_margin_loss", rand(2, 4), np.array([[3, 0, -1, 1], [1, 2, 3, 0]]).astype("int32"), raises=True,
         fn=F("multilabel_margin_loss")),
    case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4, 2]), p=3, raises=True, fn=F("multi_margin_loss")),
    case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4, 2]), weight=NG(positive(5, 1)), raises=True,
         fn=F("multi_margin_loss")),
    case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4]), raises=True, fn=F("multi_margin_loss")),
    case("multi_margin_loss", rand(4, 5), np.array([1, 0, 4, 5]), raises=True, fn=F("multi_margin_loss")),
    case("triplet_margin_loss", rand(4, 3), rand(3), rand(4, 3), raises=True, fn=F("triplet_margin_loss")),
    case("triplet_margin_loss", rand(4, 3), rand(4, 3), rand(4, 3), margin=0.0, raises=True,
         fn=F("triplet_margin_loss")),
    case("triplet_margin_with_distance_loss", rand(4, 3), rand(4, 3), rand(3), raises=True,
         fn=F("triplet_margin_with_distance_loss")),
    case("triplet_margin_with_distance_loss", rand(4, 3), rand(4, 3), rand(4, 3), margin=-1.0, raises=True,
         fn=F("triplet_margin_with_distance_loss")),
    case("triplet_margin_with_distance_loss", rand(4, 3), rand(4, 3), rand(4, 3), reduction="x", raises=True,
         fn=F("triplet_margin_with_distance_loss")),
]


# --- CTC -----------------------------------------------------------------------------------------
def _lp(T_, N, C, dtype="float32", seed=0):
    a = np.random.default_rng(seed).standard_normal((T_, N, C))
    a = a - np.log(np.exp(a).sum(-1, keepdims=True))
    return a.astype(dtype)


_ctc_tg = np.array([[1, 2, 2, 3], [3, 1, 0, 0], [2, 2, 2, 0]])  # padded (blank=0 never inside)
_ctc_tl = np.array([4, 2, 3])
_ctc_il = np.array([12, 9, 10])
for r in REDS:
    CASES += [
        case("ctc_loss", _lp(12, 3, 5), _ctc_tg, _ctc_il, _ctc_tl, reduction=r, fn=F("ctc_loss")),
        case("ctc_loss", _lp(12, 3, 5, "float64"), _ctc_tg, Lib(lambda lib: (12, 9, 10)), Lib(lambda lib: (4, 2, 3)),
             reduction=r, fn=F("ctc_loss")),
        case("ctc_loss", _lp(12, 3, 5), np.array([1, 2, 2, 3, 3, 1, 2, 2, 2]), _ctc_il, _ctc_tl, reduction=r,
             fn=F("ctc_loss"), id="ctc_concat"),
        case("ctc_loss", _lp(12, 3, 5), _ctc_tg + 1, _ctc_il, _ctc_tl, blank=0, reduction=r, fn=F("ctc_loss")),
        case("ctc_loss", _lp(12, 3, 6), np.array([[0, 2, 2, 3], [3, 1, 0, 0], [2, 4, 2, 0]]), _ctc_il, _ctc_tl,
             blank=5, reduction=r, fn=F("ctc_loss")),
        # impossible alignments (inf), with and without zero_infinity; an empty target
        case("ctc_loss", _lp(4, 3, 5), _ctc_tg, np.array([4, 4, 4]), np.array([4, 2, 0]), reduction=r,
             zero_infinity=True, fn=F("ctc_loss")),
        case("ctc_loss", _lp(4, 3, 5), _ctc_tg, np.array([4, 4, 4]), np.array([4, 2, 0]), reduction=r,
             fn=F("ctc_loss"), grad=False),
        case("ctc_loss", _lp(10, 5)[:, 0] if False else _lp(10, 1, 5)[:, 0], np.array([1, 3, 3]), np.array(10),
             np.array(3), reduction=r, fn=F("ctc_loss"), id="ctc_unbatched"),
    ]
CASES += [
    case("ctc_loss", _lp(12, 3, 5), _ctc_tg, np.array([12, 13, 10]), _ctc_tl, raises=True, fn=F("ctc_loss")),
    case("ctc_loss", _lp(12, 3, 5), _ctc_tg, _ctc_il[:2], _ctc_tl, raises=True, fn=F("ctc_loss")),
    case("ctc_loss", _lp(12, 3, 5), _ctc_tg, _ctc_il, _ctc_tl, blank=5, raises=True, fn=F("ctc_loss")),
    case("ctc_loss", _lp(12, 3, 5), _ctc_tg, _ctc_il, _ctc_tl, reduction="x", raises=True, fn=F("ctc_loss")),
]
