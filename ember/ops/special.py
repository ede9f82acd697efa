"""Special functions beyond ops/pointwise.py: the ``torch.special`` family and ``torch.sinc``/``i0``/``igamma``.

Forwards use ``scipy.special`` (``cupyx.scipy.special`` on cuda) through pointwise's ``_special(xp)``
when importable. Without scipy, the ops with a pure-array form (sinc, entr, xlog1py, i0, ndtr,
spherical_bessel_j0, the orthogonal polynomials) still work; the others raise a RuntimeError naming
scipy (their names are in ``NEEDS_SCIPY``).

Differentiability mirrors PyTorch: sinc, i0, i0e, i1, i1e, entr, erfcx, ndtr, ndtri, log_ndtr,
xlog1py have derivatives; igamma/igammac and zeta only w.r.t. their second argument (PyTorch's
NotImplementedError otherwise); the Bessel and polynomial families are not differentiable at all
(their outputs never require grad).

The public front ends live in ``ember.special`` (``torch.special``); this module's ``__all__``
holds only the names PyTorch also has at top level (``torch.sinc``, ``torch.i0``, ...).
"""

from __future__ import annotations

import math

import numpy as np

from ember._dispatch import dispatch
from ember._tensor import Tensor
from ember.ops._util import inplace_methods, methods
from ember.ops.logic import where
from ember.ops.pointwise import (
    _LOWP,
    _conj,
    _fb_erf,
    _fb_erfc,
    _inplace_fn,
    _need_tensor,
    _out,
    _special,
    _tname,
    _up,
    cos,
    exp,
    lgamma,
    log,
    sign,
)
from ember.ops.registry import defop

__all__ = ["sinc", "sinc_", "i0", "i0_", "igamma", "igammac"]

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_PI = math.pi
_SQRT_2PI = math.sqrt(2 * math.pi)
_INV_SQRT_2PI = 1.0 / _SQRT_2PI
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT1_2 = math.sqrt(0.5)

# torch.special names whose forward needs scipy.special (no pure-array fallback here)
NEEDS_SCIPY = frozenset({
    "i0e", "i1", "i1e", "erfcx", "ndtri", "log_ndtr", "zeta", "gammainc", "gammaincc", "airy_ai",
    "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
    "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
})


def _sp(xp, fname: str, api: str):
    """``scipy.special.<fname>`` for ``xp``'s backend, or a RuntimeError naming scipy."""
    sp = _special(xp)
    f = getattr(sp, fname, None) if sp is not None else None
    if f is None:
        raise RuntimeError(f"torch.special.{api} needs scipy.special.{fname}, which is not available: "
                           f"install scipy (pip install scipy)")
    return f


def _not_impl(kernel: str, dtype) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(dtype)}'")


def _check_dtype(kernel: str, dt, lowp: bool, complex_ok: bool = False) -> None:
    if dt.kind == "c" and not complex_ok:
        raise _not_impl(kernel, dt)
    if dt.kind in "biu" or (not lowp and dt in _LOWP):
        raise _not_impl(kernel, dt)


def _no_derivative(what: str):
    return NotImplementedError(f"the derivative for '{what}' is not implemented.")


def _detach(x):
    return x.detach() if isinstance(x, Tensor) and x._requires_grad else x


# --------------------------------------------------------------------------------------
# unary ops


def _unary(name, api, kernel, compute, rule=None, *, lowp=True, complex_ok=False, save_out=False, grad_name=None,
           differentiable=True, upcast=True):
    """Register ``name`` (forward ``compute(xp, x)``, on x upcast from float16/bfloat16 unless ``upcast=False``)
    and return its front end."""

    def forward(xp, a):
        _check_dtype(kernel, a.dtype, lowp, complex_ok)
        return compute(xp, _up(a) if upcast else a).astype(a.dtype, copy=False)

    op = defop(name, promote="float", save_out=save_out, grad_name=grad_name)(forward)
    if rule is not None:
        op.defbackward(rule)

    if differentiable:
        def fn(input, *, out=None):
            if not isinstance(input, Tensor):
                _need_tensor(api, input)
            return _out(dispatch(op, input), out)
    else:
        def fn(input, *, out=None):
            if not isinstance(input, Tensor):
                _need_tensor(api, input)
            return _out(dispatch(op, _detach(input)), out)

    fn.__name__ = api
    fn.__qualname__ = api
    fn.op = op
    return fn


def _scipy_unary(fname, api):
    def compute(xp, x):
        return _sp(xp, fname, api)(x)
    return compute


# sinc --------------------------------------------------------------------------------------

def _sinc_fwd(xp, x):
    return xp.sinc(x)


def _sinc_rule(ctx, g):
    x = ctx.args[0]
    zero = x == 0
    # d/dx sin(pi x) / (pi x) = (cos(pi x) - sinc(x)) / x, which is 0 at x = 0
    return g * _conj((cos(x * _PI) - ctx.out) / (x + zero))


sinc = _unary("sinc", "sinc", "sinc", _sinc_fwd, _sinc_rule, complex_ok=True, save_out=True)


# modified Bessel functions of the first kind (differentiable) -----------------------------------

def _i0_fwd(xp, x):
    sp = _special(xp)
    if sp is not None:
        return sp.i0(x)
    return xp.i0(x.astype(_F64))


def _i0_rule(ctx, g):
    return g * i1(ctx.args[0])


def _i0e_rule(ctx, g):
    x = ctx.args[0]
    return g * (i1e(x) - sign(x) * ctx.out)


def _lowp_backward(kernel, x):
    if x._dtype.np in _LOWP:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{x._dtype._torch_name}'")


def _i1_rule(ctx, g):
    x = ctx.args[0]
    _lowp_backward("i1_backward", x)
    nz = x.abs() > 0
    return g * where(nz, i0(x) - ctx.out / (x + (nz == 0)), 0.5)


def _i1e_rule(ctx, g):
    x = ctx.args[0]
    _lowp_backward("i1e_backward", x)
    nz = x.abs() > 0
    return g * where(nz, i0e(x) - ctx.out * (sign(x) + 1 / (x + (nz == 0))), 0.5)


i0 = _unary("i0", "i0", "i0_vml_cpu", _i0_fwd, _i0_rule)
i0e = _unary("special_i0e", "i0e", "i0e_cpu", _scipy_unary("i0e", "i0e"), _i0e_rule, save_out=True,
             grad_name="SpecialI0EBackward0")
i1 = _unary("special_i1", "i1", "i1_cpu", _scipy_unary("i1", "i1"), _i1_rule, save_out=True)
i1e = _unary("special_i1e", "i1e", "i1e_cpu", _scipy_unary("i1e", "i1e"), _i1e_rule, save_out=True,
             grad_name="SpecialI1EBackward0")


# entr, erfcx, ndtr, ndtri, log_ndtr ----------------------------------------------------------

def _entr_fwd(xp, x):
    r = -x * xp.log(x)
    r = xp.where(x == 0, xp.zeros((), x.dtype), r)
    return xp.where(x < 0, xp.full((), -xp.inf, x.dtype), r)


def _ndtr_fwd(xp, a):
    dt = a.dtype
    if dt not in _LOWP:
        return _ndtr_exact(xp, a)
    # PyTorch computes (1 + erf(x / sqrt(2))) / 2 in half precision, rounding after each step
    t = (a.astype(_F32) * _SQRT1_2).astype(dt)
    e = _ndtr_erf(xp, t.astype(_F32)).astype(dt)
    return ((e.astype(_F32) + 1).astype(dt).astype(_F32) * 0.5).astype(dt)


def _ndtr_erf(xp, x):
    sp = _special(xp)
    if sp is not None:
        return sp.erf(x)
    return _fb_erf(xp, x.astype(_F64)).astype(x.dtype, copy=False)


def _ndtr_exact(xp, x):
    sp = _special(xp)
    if sp is not None:
        return sp.ndtr(x)
    return (0.5 * _fb_erfc(xp, x.astype(_F64) * -_SQRT1_2)).astype(x.dtype, copy=False)


entr = _unary("special_entr", "entr", "entr_cpu", _entr_fwd, lambda ctx, g: g * -(log(ctx.args[0]) + 1))
erfcx = _unary("special_erfcx", "erfcx", "erfcx_cpu", _scipy_unary("erfcx", "erfcx"),
               lambda ctx, g: g * (2 * ctx.args[0] * ctx.out - _TWO_OVER_SQRT_PI), lowp=False, save_out=True)
ndtr = _unary("special_ndtr", "ndtr", "erf_vml_cpu", _ndtr_fwd,
              lambda ctx, g: g * exp(ctx.args[0] * ctx.args[0] * -0.5) * _INV_SQRT_2PI, grad_name="MulBackward1",
              upcast=False)
ndtri = _unary("special_ndtri", "ndtri", "ndtri_cpu", _scipy_unary("ndtri", "ndtri"),
               lambda ctx, g: g * exp(ctx.out * ctx.out * 0.5) * _SQRT_2PI, lowp=False, save_out=True)


def _log_ndtr_rule(ctx, g):
    x = ctx.args[0]
    # phi(x) / Phi(x) = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi): no underflow for very negative x
    return g * exp(-(ctx.out + x * x * 0.5)) * _INV_SQRT_2PI


log_ndtr = _unary("special_log_ndtr", "log_ndtr", "log_ndtr_cpu", _scipy_unary("log_ndtr", "log_ndtr"),
                  _log_ndtr_rule, lowp=False, save_out=True)


# non-differentiable Bessel family ------------------------------------------------------------

def _airy_ai_fwd(xp, x):
    return _sp(xp, "airy", "airy_ai")(x)[0]


def _spherical_j0_fwd(xp, x):
    r = xp.sin(x) / x
    r = xp.where(x == 0, xp.ones((), x.dtype), r)
    return xp.where(xp.isinf(x), xp.zeros((), x.dtype), r)


def _bessel(api, fname):
    return _unary("special_" + api, api, api + "_cpu", _scipy_unary(fname, api), lowp=False, differentiable=False)


airy_ai = _unary("special_airy_ai", "airy_ai", "airy_ai_cpu", _airy_ai_fwd, lowp=False, differentiable=False)
bessel_j0 = _bessel("bessel_j0", "j0")
bessel_j1 = _bessel("bessel_j1", "j1")
bessel_y0 = _bessel("bessel_y0", "y0")
bessel_y1 = _bessel("bessel_y1", "y1")
modified_bessel_i0 = _bessel("modified_bessel_i0", "i0")
modified_bessel_i1 = _bessel("modified_bessel_i1", "i1")
modified_bessel_k0 = _bessel("modified_bessel_k0", "k0")
modified_bessel_k1 = _bessel("modified_bessel_k1", "k1")
scaled_modified_bessel_k0 = _bessel("scaled_modified_bessel_k0", "k0e")
scaled_modified_bessel_k1 = _bessel("scaled_modified_bessel_k1", "k1e")
spherical_bessel_j0 = _unary("special_spherical_bessel_j0", "spherical_bessel_j0", "spherical_bessel_j0_cpu",
                             _spherical_j0_fwd, lowp=False, differentiable=False)


# --------------------------------------------------------------------------------------
# binary ops


def _float_dtype(a, b):
    for v in (a, b):
        dt = getattr(v, "dtype", None)
        if dt is not None:
            return dt
    return _F64


def _as_array(xp, v, dt):
    return v if hasattr(v, "dtype") else xp.asarray(v, dtype=dt)


def _need_one_tensor(api, input, other):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(f"special_{api}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__}), but expected one of: "
                        f"(Tensor input, Tensor other), (Number self, Tensor other), (Tensor self, Number other)")


# igamma / igammac (torch.special.gammainc / gammaincc) -------------------------------------------

def _igamma(name, fname, sign_):
    def forward(xp, a, x):
        _check_dtype(name + "_cpu", a.dtype, lowp=True)
        return _sp(xp, fname, "gamma" + name[1:])(_up(a), _up(x)).astype(a.dtype, copy=False)

    op = defop(name, promote="same")(forward)

    @op.defbackward
    def _(ctx, g):
        a, x = ctx.args
        need = ctx.needs_input_grad
        if need[0]:
            raise _no_derivative(f"{name}: input")
        # d/dx P(a, x) = x^(a-1) e^(-x) / Gamma(a); Q = 1 - P
        d = exp((a - 1) * log(x) - x - lgamma(a))
        return None, g * d if sign_ > 0 else -g * d

    def fn(input, other, *, out=None):
        api = "special_gamma" + name[1:]
        _need_tensor(api, input)
        _need_tensor(api, other, "other", 2)
        return _out(dispatch(op, input, other), out)

    fn.__name__ = fn.__qualname__ = name
    fn.op = op
    return fn


igamma = _igamma("igamma", "gammainc", 1)
igammac = _igamma("igammac", "gammaincc", -1)


# xlog1py, zeta -------------------------------------------------------------------------------

@defop("special_xlog1py", promote="float", grad_name="SpecialXlog1PyBackward0")
def _xlog1py(xp, a, b):
    dt = _float_dtype(a, b)
    _check_dtype("xlog1py_cpu", dt, lowp=True)
    a, b = _as_array(xp, a, dt), _as_array(xp, b, dt)
    x, y = _up(a), _up(b)
    r = x * xp.log1p(y)
    r = xp.where((x == 0) & (y == y), xp.zeros((), r.dtype), r)
    return r.astype(dt, copy=False)


@_xlog1py.defbackward
def _(ctx, g):
    x, y = ctx.args
    need = ctx.needs_input_grad
    ga = gb = None
    if need[0]:
        keep = (x != 0) + (y > -1)  # PyTorch zeroes the gradient where x == 0 and y <= -1
        ga = where(keep, xlog1py(g, y), 0.0)
    if need[1]:
        gb = g * x / (y + 1)
    return ga, gb


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is nan)."""
    _need_one_tensor("xlog1py", input, other)
    return _out(dispatch(_xlog1py, input, other), out)


@defop("special_zeta", promote="float")
def _zeta(xp, a, b):
    dt = _float_dtype(a, b)
    _check_dtype("zeta_cpu", dt, lowp=False)
    a, b = _as_array(xp, a, dt), _as_array(xp, b, dt)
    r = _sp(xp, "zeta", "zeta")(a, b)
    # PyTorch gives nan for q = +inf (scipy: 0), except at the pole x = 1
    r = xp.where((b == xp.inf) & (a != 1), xp.full((), xp.nan, r.dtype), r)
    return r.astype(dt, copy=False)


@_zeta.defbackward
def _(ctx, g):
    x, q = ctx.args
    if ctx.needs_input_grad[0]:
        raise _no_derivative("zeta")
    # d/dq zeta(x, q) = -x zeta(x + 1, q)
    return None, g * -x * zeta(x + 1, q)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (k + other) ** -input``."""
    _need_one_tensor("zeta", input, other)
    return _out(dispatch(_zeta, input, other), out)


# --------------------------------------------------------------------------------------
# orthogonal polynomials (input, n): not differentiable; n truncated to an integer


def _cheb_closed(kind):
    """Closed forms on |x| < 1 (used there for large n, as PyTorch does), with x = cos(t)."""
    def f(xp, x, n):
        t = xp.arccos(x)
        if kind == "t":
            return xp.cos(n * t)
        if kind == "u":
            return xp.sin((n + 1) * t) / xp.sin(t)
        if kind == "v":
            return xp.cos((n + 0.5) * t) / xp.cos(t / 2)
        return xp.sin((n + 0.5) * t) / xp.sin(t / 2)
    return f


def _step_cheb(k, x, cur, prev):
    return 2 * x * cur - prev


def _step_hermite_h(k, x, cur, prev):
    return 2 * x * cur - (2 * k) * prev


def _step_hermite_he(k, x, cur, prev):
    return x * cur - k * prev


def _step_laguerre(k, x, cur, prev):
    return ((2 * k + 1 - x) * cur - k * prev) / (k + 1)


def _step_legendre(k, x, cur, prev):
    return ((2 * k + 1) * x * cur - k * prev) / (k + 1)


_POLYS = {  # name: (P_1(x), recurrence P_{k+1} from P_k and P_{k-1}, closed form on |x| < 1, n above which used)
    "chebyshev_polynomial_t": (lambda x: x, _step_cheb, _cheb_closed("t"), 6),
    "chebyshev_polynomial_u": (lambda x: 2 * x, _step_cheb, _cheb_closed("u"), 8),
    "chebyshev_polynomial_v": (lambda x: 2 * x - 1, _step_cheb, _cheb_closed("v"), 8),
    "chebyshev_polynomial_w": (lambda x: 2 * x + 1, _step_cheb, _cheb_closed("w"), 8),
    "hermite_polynomial_h": (lambda x: 2 * x, _step_hermite_h, None, 0),
    "hermite_polynomial_he": (lambda x: x, _step_hermite_he, None, 0),
    "laguerre_polynomial_l": (lambda x: 1 - x, _step_laguerre, None, 0),
    "legendre_polynomial_p": (lambda x: x, _step_legendre, None, 0),
}


def _poly_eval(xp, x, n, first, step, closed, closed_from):
    """P_n(x) for float64 array ``x`` and int64 array ``n`` of the same shape (or a Python int ``n``)."""
    scalar_n = isinstance(n, int)
    use_closed = None
    if closed is not None:
        use_closed = (xp.abs(x) < 1) & (n > closed_from)
    p0 = xp.ones_like(x)
    p1 = first(x)
    if scalar_n:
        if n < 0:
            return xp.zeros_like(x)
        if n == 0:
            return p0
        if n == 1:
            return p1
        nmax = n
    else:
        rec = n > 1
        if use_closed is not None:
            rec = rec & ~use_closed
        nmax = int(n[rec].max()) if rec.any() else 1
    out = p1 if scalar_n else xp.where(n == 0, p0, p1)
    prev, cur = p0, p1
    if scalar_n and use_closed is not None and bool(use_closed.all()):
        nmax = 1  # every element takes the closed form
    for k in range(1, nmax):
        prev, cur = cur, step(k, x, cur, prev)
        if not scalar_n:
            out = xp.where(n == k + 1, cur, out)
    if scalar_n and nmax > 1:
        out = cur
    if use_closed is not None and bool(use_closed.any()):
        out = xp.where(use_closed, closed(xp, x, n), out)
    if not scalar_n:
        out = xp.where(n < 0, xp.zeros((), out.dtype), out)
    return out


def _polynomial(api, shifted=False):
    first, step, closed, closed_from = _POLYS[api.replace("shifted_", "")]
    kernel = api + "_cpu"

    def forward(xp, a, n):
        dt = _float_dtype(a, n)
        _check_dtype(kernel, dt, lowp=False)
        x = xp.asarray(a, dtype=_F64)
        if shifted:
            x = x + x - 1
        if hasattr(n, "dtype"):
            if n.ndim == 0:
                n = int(n)
            else:
                n = xp.trunc(n.astype(_F64)).astype(np.int64)
                x, n = xp.broadcast_arrays(x, n)
        else:
            n = int(n)
        r = _poly_eval(xp, x, n, first, step, closed, closed_from)
        return xp.asarray(r).astype(dt, copy=False)

    op = defop("special_" + api, promote="float")(forward)

    def fn(input, n, *, out=None):
        _need_one_tensor(api, input, n)
        return _out(dispatch(op, _detach(input), _detach(n)), out)

    fn.__name__ = fn.__qualname__ = api
    fn.op = op
    return fn


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t")
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u")
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v")
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t", shifted=True)
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u", shifted=True)
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v", shifted=True)
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w", shifted=True)
hermite_polynomial_h = _polynomial("hermite_polynomial_h")
hermite_polynomial_he = _polynomial("hermite_polynomial_he")
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l")
legendre_polynomial_p = _polynomial("legendre_polynomial_p")


# --------------------------------------------------------------------------------------
# Tensor methods and torch.<name>_ functions

methods(sinc, i0, igamma, igammac)
inplace_methods(sinc_=sinc, i0_=i0, igamma_=igamma, igammac_=igammac)
sinc_ = _inplace_fn("sinc_", sinc)
i0_ = _inplace_fn("i0_", i0)
