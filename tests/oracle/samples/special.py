"""Samples for ember/ops/special.py (``torch.special``, ``torch.sinc``/``i0``/``igamma``/``igammac``).

Ops whose forward needs scipy.special are skipped, with the reason shown, when scipy is not installed.
"""

import numpy as np
import pytest

from ember.ops.special import NEEDS_SCIPY
from tests.oracle.harness import NG, Lib, Sl, T, case, positive, rand

try:
    import scipy.special  # noqa: F401
    HAVE_SCIPY = True
except ImportError:  # pragma: no cover
    HAVE_SCIPY = False

CASES = []


def _skip_without_scipy(lib, name):
    if not HAVE_SCIPY and name in NEEDS_SCIPY and lib.__name__ == "torch":
        pytest.skip(f"scipy is not installed: ember's special.{name} needs scipy.special")


def _caller(name, attr=None):
    def call(lib, *args, **kwargs):
        _skip_without_scipy(lib, name)
        return getattr(lib.special, attr or name)(*args, **kwargs)
    return call


# PyTorch's own float64 airy_ai / bessel_j* / bessel_y* are accurate to about 1e-6 absolute (scipy's, which
# ember uses, to ~1e-16): those are compared with a looser absolute tolerance
LOOSE = {"airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"}


def sp(name, *args, **options):
    """A sample calling ``lib.special.<name>(*args, **kwargs)``."""
    if name in LOOSE and "atol" not in options:
        options["atol"] = 5e-6
    return case(name, *args, fn=_caller(name), **options)


def _out_call(name):
    def call(lib, *args):
        _skip_without_scipy(lib, name)
        out = lib.empty(0, dtype=args[0].dtype if args[0].is_floating_point() else lib.float32)
        r = getattr(lib.special, name)(*args, out=out)
        assert r is out
        return out
    return call


def _grad_of_first(name):
    def call(lib, a, b):
        _skip_without_scipy(lib, name)
        return lib.autograd.grad(getattr(lib.special, name)(a, b).sum(), a)
    return call


# --- unary ops ----------------------------------------------------------------------------------
# name: (low, high) of the sample domain, float16/bfloat16 supported, differentiable
UNARY = {
    "sinc": ((-3, 3), True, True),
    "i0": ((-3, 3), True, True),
    "i0e": ((-3, 3), True, True),
    "i1": ((-3, 3), True, True),
    "i1e": ((-3, 3), True, True),
    "entr": ((0.1, 3), True, True),
    "erfcx": ((-2, 5), False, True),
    "ndtr": ((-3, 3), True, True),
    "ndtri": ((0.05, 0.95), False, True),
    "log_ndtr": ((-5, 5), False, True),
    "airy_ai": ((-5, 3), False, False),
    "bessel_j0": ((-6, 6), False, False),
    "bessel_j1": ((-6, 6), False, False),
    "bessel_y0": ((0.2, 6), False, False),
    "bessel_y1": ((0.2, 6), False, False),
    "modified_bessel_i0": ((-4, 4), False, False),
    "modified_bessel_i1": ((-4, 4), False, False),
    "modified_bessel_k0": ((0.2, 5), False, False),
    "modified_bessel_k1": ((0.2, 5), False, False),
    "scaled_modified_bessel_k0": ((0.2, 5), False, False),
    "scaled_modified_bessel_k1": ((0.2, 5), False, False),
    "spherical_bessel_j0": ((-8, 8), False, False),
}

for name, ((lo, hi), lowp, _diff) in UNARY.items():
    ilo, ihi = (1, 4) if name in ("bessel_y0", "bessel_y1", "modified_bessel_k0", "modified_bessel_k1",
                                  "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "entr") else (-3, 4)
    if name == "ndtri":
        ilo, ihi = 0, 2
    CASES += [
        sp(name, rand(3, 4, low=lo, high=hi)),
        sp(name, rand(5, dtype="float64", low=lo, high=hi)),
        sp(name, T(rand(3, 4, dtype="float64", low=lo, high=hi))),
        sp(name, Sl(rand(2, 5, low=lo, high=hi))),
        sp(name, rand(low=lo, high=hi)),
        sp(name, rand(0, 3)),
        sp(name, rand(4, dtype="int64", low=ilo, high=ihi)),
        sp(name, rand(4, dtype="int32", low=ilo, high=ihi)),
        sp(name, rand(4, dtype="bool")),
        sp(name, rand(3, dtype="complex64"), raises=name != "sinc"),
        sp(name, 0.5, raises=True),
        case(name, NG(rand(2, 3, low=lo, high=hi)), fn=_out_call(name), grad=False),
        case(name, NG(rand(2, 3, dtype="int64", low=ilo, high=ihi)), fn=_out_call(name), grad=False),
    ]
    for dt in ("float16", "bfloat16"):
        if lowp:
            # half-precision gradients: PyTorch's formulas round differently (sinc's cancels near its extrema);
            # i1/i1e have no half-precision backward in PyTorch
            tol = dict(rtol=5e-2, atol=1e-2) if name == "sinc" else {}
            CASES.append(sp(name, rand(5, dtype=dt, low=lo, high=hi), grad=name not in ("i1", "i1e"), **tol))
            if name in ("i1", "i1e"):
                CASES.append(case(name, rand(3, dtype=dt), fn=lambda lib, a, n=name: lib.autograd.grad(
                    getattr(lib.special, n)(a).sum(), a), raises=True, id=f"{name}_backward_{dt}"))
        else:
            CASES.append(sp(name, rand(5, dtype=dt, low=lo, high=hi), raises=True))

# edge values (forward only: several gradients are infinite or nan there)
EDGE = np.array([0.0, -0.0, 1.0, -1.0, 1e-8, 50.0, -50.0, np.inf, -np.inf, np.nan])
for name in UNARY:
    if name in ("ndtri",):
        continue
    CASES.append(sp(name, EDGE.copy(), grad=False, id=f"{name}_edges"))
    CASES.append(sp(name, EDGE.astype("float32"), grad=False, id=f"{name}_edges"))
CASES += [
    sp("ndtri", np.array([0.0, 1.0, 0.5, -0.1, 1.1, 1e-10, 1 - 1e-10, np.nan]), grad=False),
    sp("entr", np.array([-1.0, 0.0, 0.5, 1.0, np.inf, np.nan]), grad=False),
    sp("log_ndtr", rand(6, dtype="float64", low=-40, high=-5)),
    sp("log_ndtr", rand(6, dtype="float64", low=5, high=10)),
    sp("erfcx", rand(6, dtype="float64", low=5, high=1e4)),
    sp("erfcx", rand(6, dtype="float64", low=-6, high=-2)),
    sp("i0e", rand(6, dtype="float64", low=-700, high=700)),
    sp("i1e", rand(6, dtype="float64", low=-700, high=700)),
    sp("i0", rand(6, dtype="float64", low=-20, high=20)),
    sp("i1", rand(6, dtype="float64", low=-20, high=20)),
    sp("sinc", rand(6, dtype="float64", low=-20, high=20)),
    # gradients at 0 (i1 / i1e have the limit 0.5, sinc 0)
    sp("i1", np.array([0.0, 1.0, -2.0], dtype="float64")),
    sp("i1e", np.array([0.0, 1.0, -2.0], dtype="float64")),
    sp("i0e", np.array([0.0, 1.0, -2.0], dtype="float64")),
    sp("sinc", np.array([0.0, 1.0, -2.0, 0.5], dtype="float64")),
    # sinc takes complex inputs (holomorphic gradient)
    sp("sinc", rand(4, dtype="complex64")),
    sp("sinc", rand(3, dtype="complex128", low=-1, high=1)),
    sp("sinc", np.array([0j, 1 + 1j, -0.5j], dtype="complex128")),
]

# torch.sinc / torch.i0: top level, methods, in-place forms
for name in ("sinc", "i0"):
    CASES += [
        case(name, rand(3, 4, low=-3, high=3)),
        case(name, rand(4, dtype="int64", low=-3, high=3)),
        case(name, rand(3, 4, low=-3, high=3), method=True),
        case(name, rand(low=-3, high=3), method=True),
        case(name, NG(rand(3, low=-3, high=3)), fn=lambda lib, a, n=name: getattr(lib, n)(a, out=lib.empty(3)),
             grad=False),
        case(name + "_", rand(3, 4, low=-3, high=3), fn=lambda lib, a, n=name: getattr(a * 1, n + "_")()),
        case(name + "_", rand(3, low=-3, high=3), fn=lambda lib, a, n=name: getattr(lib, n + "_")(a * 1)),
        case(name + "_", NG(rand(3, dtype="float64", low=-3, high=3)),
             fn=lambda lib, a, n=name: getattr(a.clone(), n + "_")()),
        case(name + "_", NG(rand(3, dtype="int64", low=-3, high=3)),
             fn=lambda lib, a, n=name: getattr(a.clone(), n + "_")(), raises=True),
        case(name + "_", rand(3), fn=lambda lib, a, n=name: getattr(a, n + "_")(), raises=True),  # grad leaf
        case(name, rand(3, dtype="bool")),
        case(name, 1.0, raises=True),
    ]
CASES.append(case("i0", rand(3, dtype="complex64"), raises=True))

# non-differentiable families: inputs requiring grad give outputs that do not require grad
for name in ("bessel_j0", "modified_bessel_k1", "airy_ai", "spherical_bessel_j0"):
    CASES.append(case(name, rand(3, low=0.5, high=2),
                      fn=lambda lib, a, n=name: getattr(lib.special, n)(a).requires_grad, id=f"{name}_requires_grad"))


# --- gammainc / gammaincc (torch.igamma / igammac) --------------------------------------------------
for name, top in (("gammainc", "igamma"), ("gammaincc", "igammac")):
    CASES += [
        sp(name, NG(positive(3, 4)), positive(3, 4)),
        sp(name, NG(positive(3, 4, dtype="float64", low=0.2, high=8)), positive(3, 4, dtype="float64", low=0.1, high=10)),
        sp(name, NG(positive(3, 1)), positive(4)),
        sp(name, NG(positive(4)), positive()),
        sp(name, NG(positive()), positive()),
        sp(name, NG(positive(0, 2)), positive(2)),
        sp(name, NG(T(positive(3, 4))), Sl(positive(3, 4))),
        sp(name, NG(positive(3, dtype="float64")), positive(3, dtype="float32")),
        sp(name, NG(positive(3)), NG(rand(3, dtype="int64", low=0, high=5))),
        sp(name, NG(positive(3, dtype="float16")), NG(positive(3, dtype="float16"))),
        sp(name, NG(positive(3, dtype="bfloat16")), NG(positive(3, dtype="bfloat16"))),
        sp(name, np.array([0.0, -1.0, 1.0, 1.0, np.inf, 2.0, np.nan]), np.array([1.0, 1.0, 0.0, -1.0, 2.0, np.inf, 1.0]),
           grad=False, id=f"{name}_edges"),
        sp(name, rand(3, dtype="int64", low=1, high=4), rand(3, dtype="int64", low=1, high=4), raises=True),
        sp(name, rand(3, dtype="bool"), rand(3, dtype="bool"), raises=True),
        sp(name, rand(3, dtype="complex64"), rand(3, dtype="complex64"), raises=True),
        sp(name, positive(3), 2.0, raises=True),
        sp(name, 2.0, positive(3), raises=True),
        sp(name, positive(3, 4), positive(5), raises=True),
        case(name, NG(positive(2, 3)), NG(positive(2, 3)), fn=_out_call(name), grad=False),
        # the derivative w.r.t. the first argument is not implemented (PyTorch's NotImplementedError)
        case(name, positive(3), NG(positive(3)), fn=_grad_of_first(name), raises=True, id=f"{name}_backward_input"),
        # torch.igamma / Tensor.igamma / Tensor.igamma_
        case(top, NG(positive(3, 4)), positive(4)),
        case(top, NG(positive(3, 4)), positive(4), method=True),
        case(top + "_", NG(positive(3, 4)), positive(4), fn=lambda lib, a, x, t=top: getattr(a.clone(), t + "_")(x)),
        case(top + "_", NG(positive(3, 4, dtype="float64")), NG(positive(4)),
             fn=lambda lib, a, x, t=top: getattr(a.clone(), t + "_")(x)),
        case(top + "_", NG(positive(4)), NG(positive(3, 4)),
             fn=lambda lib, a, x, t=top: getattr(a.clone(), t + "_")(x), raises=True),
        case(top, NG(positive(3)), NG(positive(3)), fn=lambda lib, a, x, t=top: getattr(lib, t)(a, x, out=lib.empty(3)),
             grad=False),
    ]


# --- xlog1py, zeta --------------------------------------------------------------------------------
CASES += [
    sp("xlog1py", rand(3, 4), positive(3, 4)),
    sp("xlog1py", rand(3, 4, dtype="float64"), positive(4, dtype="float64", low=-0.9, high=3)),
    sp("xlog1py", rand(3, 1), positive(4)),
    sp("xlog1py", rand(), positive()),
    sp("xlog1py", rand(0, 3), positive(3)),
    sp("xlog1py", T(rand(3, 4)), Sl(positive(3, 4))),
    sp("xlog1py", rand(3), 2.5),
    sp("xlog1py", rand(3), 2),
    sp("xlog1py", 2.0, positive(3)),
    sp("xlog1py", 3, positive(3)),
    sp("xlog1py", rand(3, dtype="int64", low=-2, high=3), rand(3, dtype="int64", low=0, high=3)),
    sp("xlog1py", rand(3, dtype="bool"), rand(3, dtype="bool")),
    sp("xlog1py", rand(3, dtype="float16"), positive(3, dtype="float16")),
    sp("xlog1py", rand(3, dtype="bfloat16"), positive(3, dtype="bfloat16")),
    sp("xlog1py", rand(3, dtype="float32"), positive(3, dtype="float64")),
    sp("xlog1py", np.array([0.0, 0.0, 0.0, 1.0, 2.0, 0.0]), np.array([np.nan, -1.0, -2.0, -1.0, 0.5, 3.0]),
       grad=False, id="xlog1py_edges"),
    sp("xlog1py", np.array([0.0, 0.0, 0.0, 1.0, 2.0]), np.array([-1.0, -2.0, 0.5, 0.5, 1.5])),
    sp("xlog1py", 1.0, 2.0, raises=True),
    sp("xlog1py", rand(3, dtype="complex64"), rand(3, dtype="complex64"), raises=True),
    sp("xlog1py", rand(3, 4), positive(5), raises=True),
    case("xlog1py", NG(rand(2, 3)), NG(positive(2, 3)), fn=_out_call("xlog1py"), grad=False),
    sp("zeta", NG(positive(3, 4, low=1.5, high=5)), positive(3, 4)),
    sp("zeta", NG(positive(3, 4, dtype="float64", low=1.5, high=5)), positive(4, dtype="float64")),
    sp("zeta", NG(positive()), positive(3)),
    sp("zeta", NG(positive(0, 3, low=1.5, high=5)), positive(3)),
    sp("zeta", NG(T(positive(3, 4, low=1.5, high=5))), Sl(positive(3, 4))),
    sp("zeta", 2.0, positive(3)),
    sp("zeta", 3, positive(3)),
    sp("zeta", NG(positive(3, low=1.5, high=5)), 2.0),
    sp("zeta", NG(positive(3, low=1.5, high=5)), 2),
    sp("zeta", rand(3, dtype="int64", low=2, high=5), rand(3, dtype="int64", low=1, high=4)),
    sp("zeta", rand(3, dtype="bool"), rand(3, dtype="bool")),
    sp("zeta", NG(positive(3, dtype="float32", low=1.5, high=5)), positive(3, dtype="float64")),
    sp("zeta", np.array([0.5, 1.0, 2.0, 2.0, 2.5, -1.0, 3.0, 2.0]), np.array([1.0, 1.0, -1.0, -1.5, -1.5, 2.0, 0.0, np.inf]),
       grad=False, id="zeta_edges"),
    sp("zeta", rand(3, dtype="float16"), rand(3, dtype="float16"), raises=True),
    sp("zeta", rand(3, dtype="bfloat16"), rand(3, dtype="bfloat16"), raises=True),
    sp("zeta", 2.0, 3.0, raises=True),
    sp("zeta", rand(3, 4), rand(5), raises=True),
    case("zeta", NG(positive(2, 3, low=1.5, high=4)), NG(positive(2, 3)), fn=_out_call("zeta"), grad=False),
    case("zeta", positive(3, low=1.5, high=4), NG(positive(3)), fn=_grad_of_first("zeta"), raises=True,
         id="zeta_backward_input"),
]


# --- orthogonal polynomials ---------------------------------------------------------------------
POLYS = ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
         "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p")
for name in POLYS:
    lo, hi = (-0.2, 1.2) if name.startswith("shifted") else (-1.2, 1.2)
    unit = (0.0, 1.0) if name.startswith("shifted") else (-1.0, 1.0)
    CASES += [
        sp(name, rand(3, 4, dtype="float64", low=lo, high=hi), 3),
        sp(name, rand(3, 4, low=lo, high=hi), 2),
        sp(name, rand(5, dtype="float64", low=lo, high=hi), 0),
        sp(name, rand(5, dtype="float64", low=lo, high=hi), 1),
        sp(name, rand(5, dtype="float64", low=lo, high=hi), -2),
        sp(name, rand(5, dtype="float64", low=lo, high=hi), 5),
        sp(name, rand(5, dtype="float64", low=unit[0] + 0.01, high=unit[1] - 0.01), 20),
        sp(name, rand(5, dtype="float64", low=lo, high=hi), 2.7),
        sp(name, rand(dtype="float64", low=lo, high=hi), 4),
        sp(name, rand(0, 3, dtype="float64"), 4),
        sp(name, T(rand(3, 4, dtype="float64", low=lo, high=hi)), 3),
        sp(name, rand(4, 1, dtype="float64", low=lo, high=hi), rand(6, dtype="int64", low=-1, high=12)),
        sp(name, rand(4, 1, low=lo, high=hi), rand(6, dtype="float32", low=-1, high=12)),
        sp(name, rand(4, dtype="float64", low=lo, high=hi), rand(dtype="int64", low=0, high=6)),
        sp(name, rand(4, dtype="float32", low=lo, high=hi), rand(4, dtype="float64", low=0, high=6)),
        sp(name, np.array([unit[0], unit[1], 0.5, 2.0, -3.0, np.inf, np.nan]), rand(7, dtype="int64", low=0, high=9)),
        sp(name, np.array([unit[0], unit[1], 0.0]), 11),
        sp(name, np.array([unit[0], unit[1], 0.0]), 12),
        sp(name, 0.5, rand(5, dtype="int64", low=0, high=8)),
        sp(name, 2, rand(5, dtype="float64", low=0, high=8)),
        sp(name, rand(4, dtype="int64", low=-2, high=3), 3),
        sp(name, rand(4, dtype="int64", low=-2, high=3), rand(4, dtype="int64", low=0, high=5)),
        sp(name, rand(4, dtype="bool"), rand(4, dtype="bool")),
        sp(name, rand(4, low=lo, high=hi), 3),  # requires grad: output does not (not differentiable)
        sp(name, rand(3, dtype="float16"), 2, raises=True),
        sp(name, rand(3, dtype="bfloat16"), 2, raises=True),
        sp(name, rand(3, dtype="complex64"), 2, raises=True),
        sp(name, 0.5, 2, raises=True),
        sp(name, rand(3, 4), rand(5, dtype="int64"), raises=True),
        case(name, NG(rand(2, 3, low=lo, high=hi)), 3, fn=_out_call(name), grad=False),
    ]

# accuracy over a range of degrees (Chebyshev closed forms on |x| < 1 for large n)
for name in POLYS[:8]:
    CASES.append(sp(name, Lib(lambda lib: lib.linspace(-1.0, 1.0, 41, dtype=lib.float64)[:, None]),
                    Lib(lambda lib: lib.arange(0, 30, dtype=lib.float64)), id=f"{name}_grid"))
