"""Samples for ember/ops/reduction.py."""

import math

import numpy as np

from tests.oracle.harness import DT, NG, Sl, T, case, positive, rand

INF = math.inf
NAN = math.nan


def arr(values, dtype="float32"):
    return np.array(values, dtype=dtype)


# ties and special values
TIES = arr([[3, 1, 3, 2], [1, 1, 0, 0], [2, 2, 2, 2]])
NANS = arr([[1, NAN, 2, 0], [3, 1, 2, 5], [NAN, NAN, 1, 1]])
ZEROS = arr([[1, 0, 2, 3], [0, 2, 0, 1], [1.5, 2, 3, -1]])
INTS = rand(3, 4, dtype="int64", low=-5, high=5)


def _out(lib, x, *args, op, **kw):
    x = x.detach()
    out = lib.empty(0, dtype=x.dtype)
    r = getattr(lib, op)(x, *args, out=out, **kw)
    return r is out, out


def _out2(lib, x, *args, op, **kw):
    x = x.detach()
    outs = (lib.empty(0, dtype=x.dtype), lib.empty(0, dtype=lib.int64))
    r = getattr(lib, op)(x, *args, out=outs, **kw)
    return r[0] is outs[0], outs


def _norm(lib, *args, **kwargs):
    """torch.norm; in ember, reduction's ``norm`` (ember.ops.linalg also defines one)."""
    f = lib.norm if lib.__name__ == "torch" else lib.ops.reduction.norm
    return f(*args, **kwargs)


CASES = []

# --- sum / mean / nansum / nanmean / prod --------------------------------------------------
for op in ("sum", "mean", "nansum"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1, keepdim=True),
        case(op, rand(2, 3, 4), (0, 2)),
        case(op, rand(2, 3, 4), [-1, 0], True),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, rand()),
        case(op, rand(), 0),
        case(op, rand(0, 3), 0),
        case(op, rand(0, 3)),
        case(op, rand(3, 4, dtype="float64"), 1),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), (0, 0), raises=True),
        case(op, rand(3, 4), dtype=DT("float64")),
        case(op, rand(3, 4), 1, method=True),
        case(op, rand(3, 4), (), id=f"{op}_emptydims"),
        case(op, rand(3, 4, dtype="float16"), 1),
    ]
CASES += [
    case("sum", rand(3, 4, dtype="int32")),
    case("sum", rand(3, 4, dtype="bool")),
    case("sum", rand(3, 4, dtype="bool"), 0, keepdim=True),
    case("sum", rand(3, 4, dtype="uint8", low=0, high=200), 1),
    case("sum", rand(3, 4, dtype="int8", low=-100, high=100), 1, dtype=DT("int8")),
    case("sum", rand(3, 4), 1, fn=lambda lib, x, d: _out(lib, x, d, op="sum"), id="sum_out"),
    case("mean", rand(3, 4, dtype="int64"), raises=True),
    case("mean", rand(3, 4, dtype="int64"), dtype=DT("float32")),
    case("mean", rand(3, 4), 0, fn=lambda lib, x, d: _out(lib, x, d, op="mean"), id="mean_out"),
    case("nansum", NANS),
    case("nansum", NANS, 1),
    case("nansum", INTS, 0),
    case("nansum", rand(3, 4, dtype="bool"), 0),
    case("nanmean", NANS),
    case("nanmean", NANS, 1),
    case("nanmean", NANS, (0, 1), True),
    case("nanmean", rand(3, 4), 0, method=True),
    case("nanmean", T(rand(3, 4)), -1),
    case("nanmean", INTS, raises=True),
    case("sum_to_size", rand(3, 4), (1, 4), method=True),
    case("sum_to_size", rand(2, 3, 4), 3, 1, method=True),
]
CASES += [
    case("prod", rand(3, 4)),
    case("prod", rand(3, 4), 0),
    case("prod", rand(3, 4), -1, keepdim=True),
    case("prod", T(rand(3, 4)), 1),
    case("prod", Sl(rand(2, 5)), 1),
    case("prod", rand()),
    case("prod", rand(), 0),
    case("prod", rand(0, 3), 0),
    case("prod", rand(0, 3)),
    case("prod", ZEROS, 1, id="prod_zeros_dim"),
    case("prod", ZEROS, 0, id="prod_zeros_dim0"),
    case("prod", arr([1.5, 0, 2, 3]), id="prod_one_zero"),
    case("prod", arr([1.5, 0, 2, 0]), id="prod_two_zeros"),
    case("prod", INTS, 1),
    case("prod", INTS),
    case("prod", rand(3, 4, dtype="bool")),
    case("prod", rand(3, 4, dtype="uint8", low=0, high=4), 0),
    case("prod", rand(3, 4), 1, dtype=DT("float64")),
    case("prod", rand(3, 4), dtype=DT("float64")),
    case("prod", rand(3, 4, dtype="float64"), 0, method=True),
    case("prod", rand(3, 4), 2, raises=True),
    case("prod", rand(3, 4), 1, fn=lambda lib, x, d: _out(lib, x, d, op="prod"), id="prod_out"),
]

# --- var / std / var_mean / std_mean --------------------------------------------------------
for op in ("var", "std", "var_mean", "std_mean"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), 1, keepdim=True),
        case(op, rand(2, 3, 4), (0, -1)),
        case(op, rand(3, 4), 1, False),
        case(op, rand(3, 4), 1, True, True),
        case(op, rand(3, 4), False),
        case(op, rand(3, 4), dim=0, unbiased=False),
        case(op, rand(3, 4), 1, correction=0),
        case(op, rand(3, 4), 1, correction=2, keepdim=True),
        case(op, rand(3, 4), None, correction=0.5),
        case(op, T(rand(3, 4)), 0),
        case(op, Sl(rand(3, 4)), 1),
        case(op, rand(3, 4, dtype="float64"), 1),
        case(op, rand(4), correction=5, grad=False),
        case(op, rand(0, 3), 0),
        case(op, rand(3, 4, dtype="int64"), raises=True),
        case(op, rand(3, 4), 2, raises=True),
    ]
CASES += [
    case("var", rand(3, 4), 1, method=True),
    case("std", rand(3, 4), -1, method=True, keepdim=True),
    case("std", rand(3, 4), 0, fn=lambda lib, x, d: _out(lib, x, d, op="std"), id="std_out"),
]

# --- max / min ------------------------------------------------------------------------------
for op in ("max", "min"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1, keepdim=True),
        case(op, rand(3, 4), dim=1, keepdim=False),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, rand()),
        case(op, rand(), 0),
        case(op, TIES, id=f"{op}_ties_full"),
        case(op, TIES, 1, id=f"{op}_ties_dim"),
        case(op, TIES, 0, True, id=f"{op}_ties_dim0"),
        case(op, NANS, 1, id=f"{op}_nan_dim"),
        case(op, NANS, id=f"{op}_nan_full"),
        case(op, INTS),
        case(op, INTS, 1),
        case(op, rand(3, 4, dtype="bool"), 0),
        case(op, rand(3, 4, dtype="uint8", low=0, high=9), 1),
        case(op, rand(0, 3), 1),
        case(op, rand(0, 3), raises=True),
        case(op, rand(0, 3), 0, raises=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), 1, method=True),
        case(op, rand(3, 4), method=True),
        case(op, rand(3, 4), 1, fn=lambda lib, x, d, op=op: _out2(lib, x, d, op=op), id=f"{op}_out"),
    ]
CASES += [
    case("max", rand(3, 4), rand(4), id="max_binary"),
    case("min", rand(3, 4), rand(3, 1), id="min_binary"),
    case("max", rand(3, 4), other=rand(3, 4), id="max_binary_kw"),
]
for op in ("amax", "amin"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1, keepdim=True),
        case(op, rand(2, 3, 4), (0, 2)),
        case(op, rand(2, 3, 4), (-1, 1), True),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, rand()),
        case(op, rand(), 0),
        case(op, TIES, id=f"{op}_ties_full"),
        case(op, TIES, 1, id=f"{op}_ties_dim"),
        case(op, TIES, 0, id=f"{op}_ties_dim0"),
        case(op, NANS, 1, id=f"{op}_nan"),
        case(op, INTS, 1),
        case(op, rand(3, 4, dtype="bool"), 0),
        case(op, rand(0, 3), 1),
        case(op, rand(0, 3), 0, raises=True),
        case(op, rand(0, 3), raises=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), 1, method=True),
        case(op, rand(3, 4), 1, fn=lambda lib, x, d, op=op: _out(lib, x, d, op=op), id=f"{op}_out"),
    ]
CASES += [
    case("aminmax", rand(3, 4)),
    case("aminmax", rand(3, 4), dim=0),
    case("aminmax", rand(3, 4), dim=-1, keepdim=True),
    case("aminmax", rand(3, 4), keepdim=True),
    case("aminmax", T(rand(3, 4)), dim=1),
    case("aminmax", TIES, dim=1),
    case("aminmax", INTS, dim=0),
    case("aminmax", rand()),
    case("aminmax", rand(3, 4), dim=1, method=True),
    case("aminmax", rand(0, 3), raises=True),
    case("aminmax", rand(0, 3), dim=0, raises=True),
    case("aminmax", rand(0, 3), dim=1),
    case("aminmax", rand(3, 4), dim=2, raises=True),
]
for op in ("argmax", "argmin"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1, keepdim=True),
        case(op, rand(3, 4), keepdim=True),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, rand()),
        case(op, rand(), 0),
        case(op, TIES, 1, id=f"{op}_ties"),
        case(op, TIES, id=f"{op}_ties_full"),
        case(op, NANS, 1, id=f"{op}_nan"),
        case(op, INTS, 0),
        case(op, rand(3, 4, dtype="bool"), 1, raises=True),
        case(op, rand(0, 3), 1),
        case(op, rand(0, 3), raises=True),
        case(op, rand(0, 3), 0, raises=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), 1, method=True),
    ]

# --- all / any / count_nonzero ----------------------------------------------------------------
for op in ("all", "any"):
    CASES += [
        case(op, rand(3, 4, dtype="bool")),
        case(op, rand(3, 4, dtype="bool"), 0),
        case(op, rand(3, 4, dtype="bool"), -1, keepdim=True),
        case(op, rand(2, 3, 4, dtype="bool"), (0, 2)),
        case(op, T(rand(3, 4, dtype="bool")), 1),
        case(op, rand(3, 4, dtype="uint8", low=0, high=2), 1),
        case(op, rand(3, 4, dtype="uint8", low=0, high=2)),
        case(op, rand(3, 4, dtype="int32", low=0, high=2), 0),
        case(op, NG(ZEROS), 1),
        case(op, NG(rand())),
        case(op, rand(0, 3, dtype="bool"), 1),
        case(op, rand(0, 3, dtype="bool")),
        case(op, rand(3, 4, dtype="bool"), 2, raises=True),
        case(op, rand(3, 4, dtype="bool"), 1, method=True),
        case(op, rand(3, 4, dtype="bool"), 1,
             fn=lambda lib, x, d, op=op: _out(lib, x, d, op=op), id=f"{op}_out"),
    ]
CASES += [
    case("count_nonzero", NG(ZEROS)),
    case("count_nonzero", NG(ZEROS), 0),
    case("count_nonzero", NG(ZEROS), (0, 1)),
    case("count_nonzero", NG(ZEROS), -1),
    case("count_nonzero", INTS, 1),
    case("count_nonzero", rand(3, 4, dtype="bool")),
    case("count_nonzero", NG(rand())),
    case("count_nonzero", NG(rand(0, 3)), 0),
    case("count_nonzero", NG(ZEROS), 1, method=True),
    case("count_nonzero", NG(ZEROS), 2, raises=True),
]

# --- logsumexp / norm -------------------------------------------------------------------------
CASES += [
    case("logsumexp", rand(3, 4), 0),
    case("logsumexp", rand(3, 4), -1, keepdim=True),
    case("logsumexp", rand(2, 3, 4), (0, 2)),
    case("logsumexp", T(rand(3, 4)), 1),
    case("logsumexp", rand(3, 4) * 100, 1, id="logsumexp_large"),
    case("logsumexp", arr([[-INF, -INF], [1, -INF]]), 1, id="logsumexp_inf"),
    case("logsumexp", rand(), 0),
    case("logsumexp", rand(0, 3), 0),
    case("logsumexp", INTS, 1),
    case("logsumexp", rand(3, 4, dtype="float64"), 1, method=True),
    case("logsumexp", rand(3, 4), 2, raises=True),
    case("logsumexp", rand(3, 4), 1, fn=lambda lib, x, d: _out(lib, x, d, op="logsumexp"), id="lse_out"),
]
CASES += [
    case("norm", rand(3, 4), fn=_norm),
    case("norm", rand(3, 4), 1, fn=_norm),
    case("norm", rand(3, 4), 3, fn=_norm),
    case("norm", rand(3, 4), 2.5, 1, fn=_norm),
    case("norm", rand(3, 4), 0.5, 0, fn=_norm),
    case("norm", rand(3, 4), 0, fn=_norm),
    case("norm", rand(3, 4), INF, fn=_norm),
    case("norm", rand(3, 4), -INF, 1, fn=_norm),
    case("norm", TIES, INF, 1, id="norm_inf_ties", fn=_norm),
    case("norm", rand(3, 4), "fro", (0, 1), fn=_norm),
    case("norm", rand(3, 4), 2, -1, True, fn=_norm),
    case("norm", rand(2, 3, 4), 1, (0, 2), fn=_norm),
    case("norm", rand(3, 4), p=2, dim=0, fn=_norm),
    case("norm", T(rand(3, 4)), 2, 1, fn=_norm),
    case("norm", Sl(rand(3, 4)), 1, 0, fn=_norm),
    case("norm", rand(), fn=_norm),
    case("norm", rand(0, 3), fn=_norm),
    case("norm", arr([[0, 0], [1, 2]]), 2, 1, id="norm_zero_row", fn=_norm),
    case("norm", rand(3, 4), 2, 1, dtype=DT("float64"), fn=_norm),
    case("norm", rand(3, 4, dtype="float64"), 1, method=True),
    case("norm", rand(3, 4), method=True),
    case("norm", INTS, raises=True, fn=_norm),
    case("norm", rand(3, 4, dtype="complex64"), fn=_norm),
    case("norm", rand(3, 4, dtype="complex128"), 1, 1, fn=_norm),
    case("norm", rand(3, 4, dtype="complex128"), 3, 0, fn=_norm),
    case("norm", rand(3, 4, dtype="complex128"), INF, 0, fn=_norm),
    case("norm", arr([[0, 1, 2], [0, 0, 0]]), 3, 1, fn=_norm, id="norm_p3_zeros"),
    case("norm", arr([[0, 1, 2], [0, 0, 0]]), 0.5, 1, fn=_norm, id="norm_p05_zeros"),
    case("norm", arr([[0, 1, 2], [0, 0, 0]]), 1, 1, fn=_norm, id="norm_p1_zeros"),
    case("norm", rand(0, 3), INF, raises=True, fn=_norm),
    case("norm", rand(3, 4), 2, 2, raises=True, fn=_norm),
]

# --- cumulative ops ---------------------------------------------------------------------------
for op in ("cumsum", "cumprod", "logcumsumexp"):
    CASES += [
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1),
        case(op, rand(3, 4), dim=1),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, rand(2, 3, 4), 1),
        case(op, rand(), 0),
        case(op, rand(0, 3), 0),
        case(op, rand(3, 4, dtype="float64"), 1, method=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), 1, fn=lambda lib, x, d, op=op: _out(lib, x, d, op=op), id=f"{op}_out"),
    ]
for op in ("cumsum", "cumprod"):
    CASES += [
        case(op, INTS, 1),
        case(op, rand(3, 4, dtype="bool"), 0),
        case(op, rand(3, 4, dtype="uint8", low=0, high=5), 1),
        case(op, rand(3, 4), 1, dtype=DT("float64")),
        case(op, INTS, 0, dtype=DT("float32")),
        case(op + "_", rand(3, 4), 1, fn=lambda lib, x, d, op=op: getattr(x.clone(), op + "_")(d), id=f"{op}_"),
        case(op + "_", INTS, 0, fn=lambda lib, x, d, op=op: getattr(x.clone(), op + "_")(d), id=f"{op}_int"),
    ]
CASES += [
    case("cumprod", ZEROS, 1, id="cumprod_zeros"),
    case("cumprod", ZEROS, 0, id="cumprod_zeros0"),
    case("cumprod", arr([2, 0, 3, 0, 4]), 0, id="cumprod_two_zeros"),
    case("logcumsumexp", rand(3, 4) * 30, 1, id="logcumsumexp_wide"),
    case("logcumsumexp", rand(3, 6) * 60, 1, id="logcumsumexp_huge"),
    case("logcumsumexp", rand(3, 6, dtype="float64") * 500, 1, id="logcumsumexp_huge64"),
    case("logcumsumexp", arr([[-INF, 0, 1], [2, -INF, 3], [-INF, -INF, 1]]), 1, id="logcumsumexp_inf"),
    case("logcumsumexp", INTS, 1, raises=True),
]
for op in ("cummax", "cummin"):
    CASES += [
        case(op, rand(3, 4), 0),
        case(op, rand(3, 4), -1),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, TIES, 1, id=f"{op}_ties"),
        case(op, TIES, 0, id=f"{op}_ties0"),
        case(op, NANS, 1, id=f"{op}_nan"),
        case(op, INTS, 1),
        case(op, rand(3, 4, dtype="bool"), 1),
        case(op, rand(), 0),
        case(op, rand(0, 3), 0),
        case(op, rand(3, 4), 1, method=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), 1, fn=lambda lib, x, d, op=op: _out2(lib, x, d, op=op), id=f"{op}_out"),
    ]

# --- median / nanmedian / mode ----------------------------------------------------------------
MED_TIES = arr([[3, 1, 1, 3, 2, 2], [1, 2, 3, 3, 1, 2], [2, 1, 2, 3, 2, 2], [1, 2, 2, 1, 5, 5]])
for op in ("median", "nanmedian"):
    CASES += [
        case(op, rand(3, 4)),
        case(op, rand(3, 5)),
        case(op, rand(3, 4), 0),
        case(op, rand(3, 5), -1, keepdim=True),
        case(op, T(rand(3, 4)), 1),
        case(op, Sl(rand(3, 4)), 0),
        case(op, rand()),
        case(op, rand(), 0),
        case(op, MED_TIES, 1, id=f"{op}_ties"),
        case(op, MED_TIES, 0, id=f"{op}_ties0"),
        case(op, MED_TIES, id=f"{op}_ties_full"),
        case(op, rand(4, 9, dtype="int64", low=0, high=3).astype("float32"), 1, id=f"{op}_many_ties"),
        case(op, NANS, 1, id=f"{op}_nan"),
        case(op, NANS, id=f"{op}_nan_full"),
        case(op, arr([[NAN, NAN], [1, NAN]]), 1, id=f"{op}_allnan"),
        case(op, INTS, 1),
        case(op, INTS),
        case(op, rand(0, 3), 1),
        case(op, rand(0, 3)),
        case(op, rand(0, 3), 0, raises=True),
        case(op, rand(3, 4), 2, raises=True),
        case(op, rand(3, 4), 1, method=True),
        case(op, rand(3, 4), 1, fn=lambda lib, x, d, op=op: _out2(lib, x, d, op=op), id=f"{op}_out"),
    ]
CASES += [
    case("mode", rand(3, 4)),
    case("mode", rand(3, 4), 0),
    case("mode", rand(3, 4), -1, keepdim=True),
    case("mode", T(rand(3, 4)), 1),
    case("mode", MED_TIES, 1, id="mode_ties"),
    case("mode", MED_TIES, 0, id="mode_ties0"),
    case("mode", rand(5, 9, dtype="int64", low=0, high=3), 1, id="mode_int_ties"),
    case("mode", rand(4, 7, dtype="int64", low=0, high=4).astype("float32"), 0),
    case("mode", rand(3, 4, dtype="bool"), 1),
    case("mode", rand()),
    case("mode", rand(0, 3), 1),
    case("mode", rand(0, 3), 0, raises=True),
    case("mode", rand(3, 4), 2, raises=True),
    case("mode", rand(3, 4), 1, method=True),
    case("mode", rand(3, 4), 1, fn=lambda lib, x, d: _out2(lib, x, d, op="mode"), id="mode_out"),
]

# --- unique / unique_consecutive / bincount / histc -------------------------------------------
UNQ = arr([[3, 1, 2, 1], [3, 1, 2, 1], [0, 5, 5, 0]])
UNQ_INT = rand(4, 5, dtype="int64", low=0, high=4)
for op in ("unique", "unique_consecutive"):
    CASES += [
        case(op, NG(UNQ)),
        case(op, NG(UNQ), return_inverse=True),
        case(op, NG(UNQ), return_counts=True),
        case(op, NG(UNQ), return_inverse=True, return_counts=True),
        case(op, UNQ_INT, return_inverse=True, return_counts=True),
        case(op, NG(UNQ), dim=0, return_inverse=True, return_counts=True),
        case(op, NG(UNQ), dim=1, return_inverse=True, return_counts=True),
        case(op, NG(UNQ), dim=-1),
        case(op, NG(T(UNQ)), return_counts=True),
        case(op, rand(3, 4, dtype="bool"), return_inverse=True),
        case(op, NG(rand()), return_counts=True),
        case(op, NG(rand(0, 3)), return_inverse=True, return_counts=True),
        case(op, NG(UNQ), return_counts=True, method=True),
        case(op, NG(UNQ), dim=2, raises=True),
        case(op, UNQ, grad=False, id=f"{op}_float"),
    ]
CASES += [
    case("unique", UNQ_INT, sorted=False),
    case("unique_consecutive", arr([1, 1, 2, 2, 3, 1, 1, 2], "int64"), return_inverse=True, return_counts=True),
    case("unique_consecutive", NG(arr([[1, 1, 2], [1, 1, 2], [2, 2, 2], [1, 1, 2]])), dim=0, return_counts=True),
]
BC = arr([0, 1, 1, 3, 2, 1, 7], "int64")
CASES += [
    case("bincount", BC),
    case("bincount", BC, minlength=10),
    case("bincount", BC, NG(rand(7))),
    case("bincount", BC, weights=NG(rand(7, dtype="float64"))),
    case("bincount", BC, rand(7, dtype="int64")),
    case("bincount", BC, NG(rand(7, dtype="float16")), grad=False),
    case("bincount", arr([], "int64")),
    case("bincount", arr([], "int64"), minlength=3),
    case("bincount", arr([0, 1, 1], "uint8")),
    case("bincount", BC, method=True),
    case("bincount", arr([0, -1], "int64"), raises=True),
    case("bincount", NG(rand(5)), raises=True),
    case("bincount", rand(2, 3, dtype="int64", low=0, high=3), raises=True),
    case("bincount", BC, minlength=-1, raises=True),
]
CASES += [
    case("histc", NG(rand(20))),
    case("histc", NG(rand(20)), bins=5),
    case("histc", NG(rand(4, 5)), 4, -1, 1),
    case("histc", NG(rand(20)), bins=4, min=-1.5, max=0.5),
    case("histc", NG(arr([1, 1, 1]))),
    case("histc", NG(arr([0, 1, 2, 3, 4])), 4, 0, 4),
    case("histc", NG(rand(20, dtype="float64")), bins=7),
    case("histc", NG(rand(0))),
    case("histc", NG(T(rand(4, 5))), 3),
    case("histc", rand(10), 3, grad=False, id="histc_grad_input"),
    case("histc", NG(rand(20)), 6, method=True),
    case("histc", INTS, raises=True),
    case("histc", NG(rand(5)), 0, raises=True),
    case("histc", NG(rand(5)), 4, 2, 1, raises=True),
    case("histc", NG(rand(20)), 3, fn=lambda lib, x, b: _out(lib, x, b, op="histc"), id="histc_out"),
]


# --- second-order gradients (create_graph=True through the backward rules) --------------------
def _gradgrad(op, *args, pick=None, **kwargs):
    def run(lib, x):
        y = _norm(lib, x, *args, **kwargs) if op == "norm" else getattr(lib, op)(x, *args, **kwargs)
        if pick is not None:
            y = y[pick]
        return lib.autograd.grad((y * y).sum(), x, create_graph=True)[0]
    return run


CASES += [
    case("sum", rand(3, 4), fn=_gradgrad("sum", 1), id="sum_gradgrad"),
    case("mean", rand(3, 4), fn=_gradgrad("mean", 0), id="mean_gradgrad"),
    case("nansum", rand(3, 4), fn=_gradgrad("nansum", 0), id="nansum_gradgrad"),
    case("prod", positive(3, 4), fn=_gradgrad("prod", 1), id="prod_gradgrad"),
    case("var", rand(3, 4), fn=_gradgrad("var", 1), id="var_gradgrad"),
    case("std", rand(3, 4), fn=_gradgrad("std", 0), id="std_gradgrad"),
    case("max", rand(3, 4), fn=_gradgrad("max", 1, pick=0), id="max_gradgrad"),
    case("max", rand(3, 4), fn=_gradgrad("max"), id="max_full_gradgrad"),
    case("min", rand(3, 4), fn=_gradgrad("min", 0, pick=0), id="min_gradgrad"),
    case("amax", TIES, fn=_gradgrad("amax", 1), id="amax_gradgrad"),
    case("median", rand(3, 5), fn=_gradgrad("median", 1, pick=0), id="median_gradgrad"),
    case("mode", MED_TIES, fn=_gradgrad("mode", 1, pick=0), id="mode_gradgrad"),
    case("logsumexp", rand(3, 4), fn=_gradgrad("logsumexp", 1), id="logsumexp_gradgrad"),
    case("cumsum", rand(3, 4), fn=_gradgrad("cumsum", 1), id="cumsum_gradgrad"),
    case("cumprod", positive(3, 4), fn=_gradgrad("cumprod", 1), id="cumprod_gradgrad"),
    case("cummax", rand(3, 4), fn=_gradgrad("cummax", 1, pick=0), id="cummax_gradgrad"),
    case("logcumsumexp", rand(3, 4), fn=_gradgrad("logcumsumexp", 1), id="logcumsumexp_gradgrad"),
    case("norm", rand(3, 4), fn=_gradgrad("norm", 2, 1), id="norm_gradgrad"),
    case("norm", rand(3, 4), fn=_gradgrad("norm", 3, 0), id="norm3_gradgrad"),
    case("norm", rand(3, 4), fn=_gradgrad("norm", 1), id="norm1_gradgrad"),
    case("var_mean", rand(3, 4), fn=_gradgrad("var_mean", 1, pick=0), id="var_mean_gradgrad"),
    case("std_mean", rand(3, 4), fn=_gradgrad("std_mean", 1, pick=1), id="std_mean_gradgrad"),
    case("aminmax", TIES, fn=_gradgrad("aminmax", dim=1, pick=1), id="aminmax_gradgrad"),
]

# --- complex and half-precision inputs ----------------------------------------------------------
CASES += [
    case("sum", rand(3, 4, dtype="complex64"), 1),
    case("mean", rand(3, 4, dtype="complex64"), 0),
    case("prod", rand(3, 4, dtype="complex128"), 1),
    case("var", rand(3, 4, dtype="complex64"), 1),
    case("std", rand(3, 4, dtype="complex128")),
    case("cumsum", rand(3, 4, dtype="complex64"), 1),
    case("cumprod", rand(3, 4, dtype="complex128"), 1),
    case("cumprod", np.array([[1 + 1j, 0, 2j], [0, 1, 1]]), 1, id="cumprod_complex_zeros"),
    case("prod", np.array([[1 + 1j, 0, 2j], [3, 1, 1j]]), 1, id="prod_complex_zeros"),
    case("sum", rand(3, 4, dtype="bfloat16"), 1),
    case("mean", rand(3, 4, dtype="bfloat16")),
    case("amax", rand(3, 4, dtype="float16"), 1),
    case("max", rand(3, 4, dtype="bfloat16"), 0),
    case("logsumexp", rand(3, 4, dtype="float16"), 1),
    case("cumsum", rand(3, 4, dtype="float16"), 0),
    case("std", rand(3, 4, dtype="float16"), 1),
    case("var", rand(3, 4, dtype="float64"), 1, unbiased=True, keepdim=True, method=True),
    case("std", rand(3, 4), unbiased=False, method=True),
    case("std", rand(3, 4), 1, unbiased=True, correction=1, raises=True),
    case("sum", rand(3, 4), dtype=DT("float64"), method=True),
    case("nanmean", NANS, 1, dtype=DT("float64")),
    case("all", rand(2, 3, 4, dtype="bool"), dim=(0, 1), keepdim=True),
    case("all", NG(ZEROS), ()),
    case("any", rand(3, 4, dtype="uint8", low=0, high=3), ()),
    case("amax", rand(3, 4), ()),
    case("count_nonzero", NG(ZEROS), ()),
    case("var", rand(3, 4), (), grad=False),  # torch: inf gradients for dim=()
    case("std", rand(3, 4), [], keepdim=True, grad=False),
    case("logsumexp", rand(3, 4), (), raises=True),
    case("logsumexp", rand(), ()),
    case("norm", rand(3, 4), 2, (), fn=_norm),
    case("median", rand(3, 4), dim=1, keepdim=True),
    case("max", rand(3, 4), dim=1, keepdim=True, method=True),
    case("sum", rand(3, 4), axis=1, keepdims=True),
    case("mean", rand(3, 4), axis=0, method=True),
    case("std", rand(3, 4), axis=1, keepdims=True),
    case("max", rand(3, 4), axis=1),
    case("argmax", rand(3, 4), axis=1, keepdims=True),
    case("cumsum", rand(3, 4), axis=1),
    case("aminmax", rand(3, 4), axis=1),
    case("all", rand(3, 4, dtype="bool"), axis=0, keepdims=True),
]

# --- dtype errors ---------------------------------------------------------------------------------
CPLX = rand(3, 4, dtype="complex64")
CASES += [
    case("max", CPLX, raises=True),
    case("max", CPLX, 1, raises=True),
    case("amax", CPLX, 1, raises=True),
    case("amin", CPLX, raises=True),
    case("aminmax", CPLX, raises=True),
    case("argmax", CPLX, raises=True),
    case("median", CPLX, raises=True),
    case("median", CPLX, 1, raises=True),
    case("nanmedian", CPLX, raises=True),
    case("median", rand(3, 4, dtype="bool"), raises=True),
    case("mode", CPLX, 1, raises=True),
    case("cummax", CPLX, 1, raises=True),
    case("cummin", CPLX, 1, raises=True),
    case("unique", NG(CPLX), raises=True),
    case("nansum", CPLX, raises=True),
    case("mean", rand(3, 4), dtype=DT("int64"), raises=True),
    case("prod", rand(3, 4), (0, 1), raises=True),
    case("count_nonzero", NG(ZEROS), (0, 0), raises=True),
    case("logsumexp", rand(3, 4, dtype="complex64"), 1, grad=False),
    case("all", NG(CPLX), 1),
    case("count_nonzero", NG(CPLX)),
]
