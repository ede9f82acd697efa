"""nn.utils.parametrizations: ``orthogonal``, ``weight_norm`` and ``spectral_norm`` as parametrizations
(see ``nn.utils.parametrize``)."""

from __future__ import annotations

import math
from enum import Enum, auto

import numpy as np

from ember import _dtype as D
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.nn.modules.module import Module
from ember.nn.utils import parametrize

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


# --- helpers built from ember ops (differentiable composites) --------------------------------------

def _eye(n, like):
    import ember
    return ember.eye(n, dtype=like.dtype, device=like.device)


def _matrix_exp(a: Tensor) -> Tensor:
    """exp(A) of a (batch of) square matrices: scaling and squaring around a Taylor polynomial (Horner form);
    differentiable since it is made of matmuls."""
    n = a.shape[-1]
    with grad_mode.no_grad():
        norm = float(a.detach().abs().sum(-1).max().item()) if a.numel() else 0.0
    if not math.isfinite(norm):
        norm = 0.0
    s = max(0, int(math.ceil(math.log2(norm / 0.5)))) if norm > 0.5 else 0
    x = a / (2.0 ** s) if s else a
    # smallest Taylor degree whose first dropped term is below the dtype's resolution (1 at a zero matrix)
    theta = norm / (2.0 ** s)
    tol = 1e-18 if a.dtype in (D.float64, D.complex128) else 1e-9
    degree, term = 1, theta
    while degree < 24 and term * theta / (degree + 1) > tol:
        degree += 1
        term = term * theta / degree
    eye = _eye(n, a)
    p = eye + x / degree
    for k in range(degree - 1, 0, -1):
        p = eye + (x @ p) / k
    for _ in range(s):
        p = p @ p
    return p


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """``linalg.householder_product``: the first k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H,
    v_i = (0, ..., 0, 1, a[i+1:, i])."""
    import ember
    n, k = a.shape[-2], a.shape[-1]
    q = _eye(n, a).expand(*a.shape[:-2], n, n)
    rows = ember.arange(n, device=a.device)
    for i in range(k):
        below = (rows > i).to(a.dtype)
        unit = (rows == i).to(a.dtype)
        v = a[..., :, i] * below + unit
        qv = (q @ v.unsqueeze(-1))
        q = q - (tau[..., i].unsqueeze(-1).unsqueeze(-1) * qv) @ v.conj().unsqueeze(-2)
    return q[..., :, :k]


def _geqrf(a: Tensor):
    """LAPACK geqrf of a (batch of) matrices: (reflectors below the diagonal + R, tau); no gradient."""
    arr = a.detach().cpu().numpy()
    if arr.ndim == 2:
        h, tau = np.linalg.qr(arr, mode="raw")
        h = h.T
    else:
        flat = arr.reshape(-1, *arr.shape[-2:])
        hs, taus = [], []
        for m in flat:
            h, t = np.linalg.qr(m, mode="raw")
            hs.append(h.T)
            taus.append(t)
        h = np.stack(hs).reshape(arr.shape)
        tau = np.stack(taus).reshape(*arr.shape[:-2], -1)
    import ember
    return (ember.tensor(np.ascontiguousarray(h), dtype=a.dtype, device=a.device),
            ember.tensor(np.ascontiguousarray(tau), dtype=a.dtype, device=a.device))


def _is_orthogonal(q, eps=None):
    n, k = q.size(-2), q.size(-1)
    eye = _eye(k, q)
    eps = 10.0 * n * D.finfo(q.dtype).eps
    return bool(((q.mH @ q) - eye).abs().le(eps + 1e-5 * eye.abs()).all().item())


def _make_orthogonal(a):
    """Q of A = QR with diag(R) real and non-negative."""
    import ember
    q, r = ember.linalg.qr(a)
    return q * r.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


# --- orthogonal -----------------------------------------------------------------------------

class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map: _OrthMaps, *, use_trivialization=True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        import ember
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = ember.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = _matrix_exp(A)
            else:
                eye = _eye(n, A)
                Q = ember.linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        import ember
        with grad_mode.no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if not hasattr(self, "base"):
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                A, tau = _geqrf(Q)
                d = A.diagonal(dim1=-2, dim2=-1)
                sign = d.sign()
                sign = ember.where(tau == 0.0, -sign, sign)
                d.copy_(sign)
                return A.mT if transpose else A
            if n == k:
                if not _is_orthogonal(Q):
                    Q = _make_orthogonal(Q)
                else:
                    Q = Q.clone()
            else:
                N = ember.randn(*(tuple(Q.size()[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
                Q = _make_orthogonal(ember.cat([Q, N], dim=-1))
            self.base = Q
            neg_id = ember.zeros_like(Q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Parametrize ``module.<name>`` (a matrix or batch of matrices) to be orthogonal / unitary."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# --- weight norm ----------------------------------------------------------------------------

def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """2-norm over every dim but ``dim`` (kept, others size 1); the whole norm (0-dim) when dim == -1."""
    if dim == -1:
        return v.norm()
    if dim < 0:
        dim += v.ndim
    dims = [d for d in range(v.ndim) if d != dim]
    return (v * v).sum(dim=dims, keepdim=True).sqrt() if dims else v.abs()


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    return v * (g / _norm_except_dim(v, dim))


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0):
    """w = g * v / ||v||: ``original0`` is g (the norm over all dims but ``dim``), ``original1`` is v."""
    _wn = _WeightNorm(dim)
    parametrize.register_parametrization(module, name, _wn, unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs) -> None:
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


# --- spectral norm --------------------------------------------------------------------------

class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        import ember.nn.functional as F
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            with grad_mode.no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
                self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
                self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if weight.ndim <= 1:
            raise AssertionError(f"Expected weight to have more than 1 dimension, got {weight.ndim}")
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        import ember
        import ember.nn.functional as F
        with grad_mode.no_grad():
            w = weight_mat.detach()
            wh = w.mH
            for _ in range(n_power_iterations):
                self._u.copy_(F.normalize(ember.mv(w, self._v), dim=0, eps=self.eps))
                self._v.copy_(F.normalize(ember.mv(wh, self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        import ember
        import ember.nn.functional as F
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = ember.vdot(u, ember.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """w / sigma(w), sigma estimated by power iteration (buffers ``_u``, ``_v`` updated in training mode)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ember.nn.modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
