"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm, orthogonal) and
nn.utils.fusion against torch."""

import copy

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn.utils import parametrizations as EPZ
from ember.nn.utils import parametrize as EP

TP = torch.nn.utils.parametrize
TPZ = torch.nn.utils.parametrizations


def E(t):
    return ember.tensor(t.detach().numpy())


def _copy(tmod, emod):
    emod.load_state_dict({k: E(v) for k, v in tmod.state_dict().items()})


def _close(e, t, rtol=1e-5, atol=1e-5, msg=""):
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, err_msg=msg)


def _run(tmod, emod, shape, rtol=1e-5, atol=1e-5, copy_state=True, dtype=np.float32):
    """Same input through both; compare output, input grad and every parameter grad (by name)."""
    if copy_state:
        _copy(tmod, emod)
    assert list(emod.state_dict().keys()) == list(tmod.state_dict().keys())
    rs = np.random.RandomState(0)
    x = rs.randn(*shape).astype(dtype)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tmod(tx), emod(ex)
    _close(ey, ty, rtol, atol, "output")
    g = rs.randn(*ty.shape).astype(dtype)
    ty.backward(torch.tensor(g))
    ey.backward(ember.tensor(g))
    _close(ex.grad, tx.grad, rtol, atol, "input grad")
    tparams = dict(tmod.named_parameters())
    eparams = dict(emod.named_parameters())
    assert list(tparams) == list(eparams)
    for n in tparams:
        if tparams[n].grad is None:
            assert eparams[n].grad is None, n
        else:
            _close(eparams[n].grad, tparams[n].grad, rtol, atol, n)
    return ty, ey


class _Sym(object):
    pass


def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()
    return Symmetric


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, X):
            return 2.0 * X

        def right_inverse(self, A):
            return A / 2.0
    return Scale


def _pair(lib):
    class Pair(lib.nn.Module):
        def forward(self, A, B):
            return A + B

        def right_inverse(self, X):
            return X * 0.25, X * 0.75
    return Pair


# --- parametrize -------------------------------------------------------------------------------

def test_register_linear_forward_grad_keys_repr():
    torch.manual_seed(0)
    t = torch.nn.Linear(4, 4)
    e = nn.Linear(4, 4)
    TP.register_parametrization(t, "weight", _symmetric(torch)())
    EP.register_parametrization(e, "weight", _symmetric(ember)())
    assert type(e).__name__ == "ParametrizedLinear" == type(t).__name__
    assert isinstance(e, nn.Linear)
    assert isinstance(e.parametrizations.weight, EP.ParametrizationList)
    assert isinstance(e.parametrizations.weight, nn.ModuleList)
    assert isinstance(e.parametrizations.weight.original, nn.Parameter)
    assert "weight" not in e._parameters
    _run(t, e, (5, 4))
    assert repr(e) == repr(t)
    assert EP.is_parametrized(e) and EP.is_parametrized(e, "weight") and not EP.is_parametrized(e, "bias")
    assert EP.type_before_parametrizations(e) is nn.Linear
    assert EP.type_before_parametrizations(nn.Linear(2, 2)) is nn.Linear
    np.testing.assert_allclose(e.weight.detach().numpy(), e.weight.detach().numpy().T)


def test_register_conv2d_and_buffer():
    torch.manual_seed(0)
    t = torch.nn.Conv2d(3, 4, 3)
    e = nn.Conv2d(3, 4, 3)
    TP.register_parametrization(t, "weight", _scale(torch)())
    EP.register_parametrization(e, "weight", _scale(ember)())
    TP.register_parametrization(t, "bias", _scale(torch)())
    EP.register_parametrization(e, "bias", _scale(ember)())
    _run(t, e, (2, 3, 6, 6))
    # buffers can be parametrized too
    tb, eb = torch.nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    TP.register_parametrization(tb, "running_var", _scale(torch)())
    EP.register_parametrization(eb, "running_var", _scale(ember)())
    assert list(eb.state_dict()) == list(tb.state_dict())
    assert not isinstance(eb.parametrizations.running_var.original, nn.Parameter)


def test_chain_and_assignment_uses_right_inverse():
    torch.manual_seed(0)
    t, e = torch.nn.Linear(3, 3), nn.Linear(3, 3)
    for lib, m in ((torch, t), (ember, e)):
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _symmetric(lib)())
        lib.nn.utils.parametrize.register_parametrization(m, "weight", _scale(lib)())
    assert len(e.parametrizations.weight) == 2
    _run(t, e, (2, 3))
    a = np.arange(9, dtype=np.float32).reshape(3, 3)
    a = a + a.T
    with torch.no_grad():
        t.weight = torch.tensor(a)
    e.weight = ember.tensor(a)
    _close(e.parametrizations.weight.original, t.parametrizations.weight.original)
    np.testing.assert_allclose(e.weight.detach().numpy(), a)


def test_right_inverse_tuple_originals():
    torch.manual_seed(0)
    t, e = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    _copy(t, e)
    TP.register_parametrization(t, "weight", _pair(torch)())
    EP.register_parametrization(e, "weight", _pair(ember)())
    assert list(e.state_dict()) == list(t.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    _run(t, e, (4, 3), copy_state=False)
    with pytest.raises(ValueError, match="leave_parametrized=False"):
        EP.remove_parametrizations(e, "weight", leave_parametrized=False)
    EP.remove_parametrizations(e, "weight")
    TP.remove_parametrizations(t, "weight")
    assert isinstance(e.weight, nn.Parameter)
    _close(e.weight, t.weight)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    torch.manual_seed(0)
    t, e = torch.nn.Linear(4, 4), nn.Linear(4, 4)
    _copy(t, e)
    TP.register_parametrization(t, "weight", _symmetric(torch)())
    EP.register_parametrization(e, "weight", _symmetric(ember)())
    orig = e.parametrizations.weight.original
    TP.remove_parametrizations(t, "weight", leave_parametrized=leave)
    EP.remove_parametrizations(e, "weight", leave_parametrized=leave)
    assert type(e) is nn.Linear and not hasattr(e, "parametrizations")
    assert isinstance(e.weight, nn.Parameter) and e.weight is orig
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    _close(e.weight, t.weight)
    _run(t, e, (3, 4), copy_state=False)


def test_remove_one_of_two_keeps_class():
    e = nn.Linear(3, 3)
    EP.register_parametrization(e, "weight", _scale(ember)())
    EP.register_parametrization(e, "bias", _scale(ember)())
    EP.remove_parametrizations(e, "weight")
    assert type(e).__name__ == "ParametrizedLinear" and EP.is_parametrized(e, "bias")
    assert not EP.is_parametrized(e, "weight")
    EP.remove_parametrizations(e, "bias")
    assert type(e) is nn.Linear


def test_cached():
    calls = []

    class Count(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1.0

    e = nn.Linear(3, 3)
    EP.register_parametrization(e, "weight", Count())
    calls.clear()
    _ = e.weight
    _ = e.weight
    assert len(calls) == 2
    calls.clear()
    with EP.cached():
        w1 = e.weight
        w2 = e.weight
        with EP.cached():
            assert e.weight is w1
    assert w1 is w2 and len(calls) == 1
    _ = e.weight
    assert len(calls) == 2
    # gradients through the cached tensor, used twice
    x = ember.randn(2, 3)
    with EP.cached():
        y = e(x) + e(x)
    y.sum().backward()
    np.testing.assert_allclose(e.parametrizations.weight.original.grad.numpy(),
                               2 * np.ones((3, 1)) * x.sum(0).numpy()[None, :], rtol=1e-5)


def test_errors():
    e = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        EP.register_parametrization(e, "foo", _scale(ember)())
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        EP.remove_parametrizations(e, "weight")

    class Shrink(nn.Module):
        def forward(self, X):
            return X[:1]

    with pytest.raises(ValueError, match="may not change the shape"):
        EP.register_parametrization(e, "weight", Shrink())
    EP.register_parametrization(e, "weight", Shrink(), unsafe=True)
    assert tuple(e.weight.shape) == (1, 3)

    class ToDouble(nn.Module):
        def forward(self, X):
            return X.double()

    e2 = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="may not change the dtype"):
        EP.register_parametrization(e2, "weight", ToDouble())

    class NoInv(nn.Module):
        def forward(self, X):
            return X

    e3 = nn.Linear(3, 3)
    EP.register_parametrization(e3, "weight", NoInv())
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        e3.weight = ember.zeros(3, 3)
    with pytest.raises(ValueError, match="requires one or more modules"):
        EP.ParametrizationList([], nn.Parameter(ember.zeros(2)))
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
        e3.__getstate__()


def test_deepcopy_and_transfer():
    torch.manual_seed(0)
    e = nn.Linear(4, 4)
    EP.register_parametrization(e, "weight", _symmetric(ember)())
    c = copy.deepcopy(e)
    assert type(c).__name__ == "ParametrizedLinear"
    _close(c.weight, e.weight)
    assert c.parametrizations.weight.original is not e.parametrizations.weight.original
    dst = nn.Linear(4, 4)
    EP.transfer_parametrizations_and_params(e, dst)
    assert EP.is_parametrized(dst, "weight")
    assert dst.parametrizations.weight.original is e.parametrizations.weight.original
    _close(dst.weight, e.weight)


# --- weight_norm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, None, -1])
def test_weight_norm_linear(dim):
    torch.manual_seed(0)
    t = TPZ.weight_norm(torch.nn.Linear(5, 3), dim=dim)
    e = EPZ.weight_norm(nn.Linear(5, 3), dim=dim)
    assert [tuple(v.shape) for v in e.state_dict().values()] == [tuple(v.shape) for v in t.state_dict().values()]
    _run(t, e, (4, 5))
    _close(e.weight, t.weight)


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_weight_norm_conv2d(dim):
    torch.manual_seed(0)
    t = TPZ.weight_norm(torch.nn.Conv2d(3, 4, 3), dim=dim)
    e = EPZ.weight_norm(nn.Conv2d(3, 4, 3), dim=dim)
    _run(t, e, (2, 3, 5, 5))


def test_weight_norm_registration_values_and_old_keys():
    torch.manual_seed(0)
    t = torch.nn.Linear(5, 3)
    e = nn.Linear(5, 3)
    _copy(t, e)
    TPZ.weight_norm(t)
    EPZ.weight_norm(e)
    _close(e.parametrizations.weight.original0, t.parametrizations.weight.original0)
    _close(e.parametrizations.weight.original1, t.parametrizations.weight.original1)
    # the old weight_g / weight_v keys load through the compat hook
    e2 = EPZ.weight_norm(nn.Linear(5, 3))
    sd = {"weight_g": E(t.parametrizations.weight.original0), "weight_v": E(t.parametrizations.weight.original1),
          "bias": E(t.bias)}
    e2.load_state_dict(sd)
    _close(e2.weight, t.weight)


# --- spectral_norm -------------------------------------------------------------------------------

@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_linear_train_eval(n_iter):
    torch.manual_seed(0)
    t = TPZ.spectral_norm(torch.nn.Linear(6, 4), n_power_iterations=n_iter)
    e = EPZ.spectral_norm(nn.Linear(6, 4), n_power_iterations=n_iter)
    assert list(e.state_dict()) == list(t.state_dict())
    _copy(t, e)
    for _ in range(2):
        t.zero_grad()
        e.zero_grad()
        _run(t, e, (3, 6), copy_state=False)
        _close(e.parametrizations.weight[0]._u, t.parametrizations.weight[0]._u, msg="u")
        _close(e.parametrizations.weight[0]._v, t.parametrizations.weight[0]._v, msg="v")
    t.eval()
    e.eval()
    u_before = e.parametrizations.weight[0]._u.numpy().copy()
    t.zero_grad()
    e.zero_grad()
    _run(t, e, (3, 6), copy_state=False)
    np.testing.assert_array_equal(e.parametrizations.weight[0]._u.numpy(), u_before)


@pytest.mark.parametrize("cls,dim_expected", [("Conv2d", 0), ("ConvTranspose2d", 1)])
def test_spectral_norm_conv(cls, dim_expected):
    torch.manual_seed(0)
    t = TPZ.spectral_norm(getattr(torch.nn, cls)(3, 4, 3))
    e = EPZ.spectral_norm(getattr(nn, cls)(3, 4, 3))
    assert e.parametrizations.weight[0].dim == dim_expected == t.parametrizations.weight[0].dim
    assert [tuple(v.shape) for v in e.state_dict().values()] == [tuple(v.shape) for v in t.state_dict().values()]
    _run(t, e, (2, 3, 6, 6), rtol=1e-4, atol=1e-5)


def test_spectral_norm_initial_power_iteration_converges():
    torch.manual_seed(0)
    e = EPZ.spectral_norm(nn.Linear(8, 5))
    e.eval()
    w = e.parametrizations.weight.original.detach().numpy()
    sigma = np.linalg.svd(w, compute_uv=False)[0]
    np.testing.assert_allclose(np.linalg.svd(e.weight.detach().numpy(), compute_uv=False)[0], 1.0, rtol=1e-3)
    assert sigma > 0


def test_spectral_norm_errors():
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'foo'"):
        EPZ.spectral_norm(nn.Linear(3, 3), "foo")
    with pytest.raises(IndexError, match="Dimension out of range"):
        EPZ.spectral_norm(nn.Linear(3, 3), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        EPZ.spectral_norm(nn.Linear(3, 3), n_power_iterations=0)


# --- orthogonal ----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,omap,triv", [
    ((4, 4), None, True), ((4, 4), "cayley", True), ((4, 4), "householder", True),
    ((3, 5), None, True), ((5, 3), None, True), ((5, 3), "matrix_exp", True), ((3, 5), "cayley", True),
    ((4, 4), "householder", False), ((5, 3), "householder", False), ((3, 5), "householder", False),
])
def test_orthogonal(shape, omap, triv):
    torch.manual_seed(0)
    out_f, in_f = shape
    t = TPZ.orthogonal(torch.nn.Linear(in_f, out_f, dtype=torch.float64), orthogonal_map=omap,
                       use_trivialization=triv)
    e = EPZ.orthogonal(nn.Linear(in_f, out_f, dtype=ember.float64), orthogonal_map=omap, use_trivialization=triv)
    assert list(e.state_dict()) == list(t.state_dict())
    w = e.weight.detach().numpy()
    n = min(shape)
    gram = w @ w.T if out_f <= in_f else w.T @ w
    np.testing.assert_allclose(gram, np.eye(n), atol=1e-10)
    _run(t, e, (2, in_f), rtol=1e-8, atol=1e-9, dtype=np.float64)
    # registration itself (QR / geqrf of the same weight) gives torch's values
    torch.manual_seed(1)
    tl = torch.nn.Linear(in_f, out_f, dtype=torch.float64)
    el = nn.Linear(in_f, out_f, dtype=ember.float64)
    _copy(tl, el)
    TPZ.orthogonal(tl, orthogonal_map=omap, use_trivialization=triv)
    EPZ.orthogonal(el, orthogonal_map=omap, use_trivialization=triv)
    _close(el.weight, tl.weight, 1e-9, 1e-9)
    if not triv:
        _close(el.parametrizations.weight.original, tl.parametrizations.weight.original, 1e-9, 1e-9)


@pytest.mark.parametrize("omap", ["matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("shape", [(2, 4, 4), (3, 5, 3)])
def test_orthogonal_batched(omap, shape):
    def build(lib):
        class Holder(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = lib.nn.Parameter(lib.zeros(*shape, dtype=lib.float64))

            def forward(self, x):
                return x @ self.weight
        return Holder()

    torch.manual_seed(0)
    t, e = build(torch), build(ember)
    with torch.no_grad():
        t.weight.normal_()
    _copy(t, e)
    TPZ.orthogonal(t, orthogonal_map=omap)
    EPZ.orthogonal(e, orthogonal_map=omap)
    _close(e.weight, t.weight, 1e-9, 1e-9)
    _copy(t, e)
    _run(t, e, (shape[0], 2, shape[1]), rtol=1e-8, atol=1e-9, copy_state=False, dtype=np.float64)


def test_orthogonal_matrix_exp_general_point():
    """use_trivialization=False keeps the weight as the original: matrix_exp of a non-zero skew matrix."""
    torch.manual_seed(0)
    t = TPZ.orthogonal(torch.nn.Linear(5, 5), orthogonal_map="matrix_exp", use_trivialization=False)
    e = EPZ.orthogonal(nn.Linear(5, 5), orthogonal_map="matrix_exp", use_trivialization=False)
    with torch.no_grad():
        t.parametrizations.weight.original.mul_(3.0)
    _run(t, e, (3, 5), rtol=1e-4, atol=1e-5)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        e.weight = ember.eye(5)


def test_orthogonal_assign_and_float32_conv():
    torch.manual_seed(0)
    e = EPZ.orthogonal(nn.Linear(4, 4))
    q, _ = np.linalg.qr(np.random.RandomState(0).randn(4, 4))
    e.weight = ember.tensor(q.astype(np.float32))
    np.testing.assert_allclose(e.weight.detach().numpy(), q, atol=1e-5)
    t = TPZ.orthogonal(torch.nn.Conv2d(2, 3, 2, bias=False))
    ec = EPZ.orthogonal(nn.Conv2d(2, 3, 2, bias=False))
    _run(t, ec, (1, 2, 4, 4), rtol=1e-4, atol=1e-5)


def test_orthogonal_errors():
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a tensor of 1 dimensions."):
        EPZ.orthogonal(nn.Linear(3, 3), "bias")
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", "cayley", "householder"'):
        EPZ.orthogonal(nn.Linear(3, 3), orthogonal_map="foo")
    e = EPZ.orthogonal(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices of shape"):
        e.weight = ember.zeros(2, 2)


# --- fusion ------------------------------------------------------------------------------------

def _bn_stats(tbn, seed=0):
    rs = np.random.RandomState(seed)
    n = tbn.num_features
    with torch.no_grad():
        tbn.running_mean.copy_(torch.tensor(rs.randn(n).astype(np.float32)))
        tbn.running_var.copy_(torch.tensor(rs.rand(n).astype(np.float32) + 0.5))
        if tbn.weight is not None:
            tbn.weight.copy_(torch.tensor(rs.randn(n).astype(np.float32)))
            tbn.bias.copy_(torch.tensor(rs.randn(n).astype(np.float32)))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_fuse_conv_bn_eval(bias, affine):
    torch.manual_seed(0)
    tc, tb = torch.nn.Conv2d(3, 4, 3, bias=bias).eval(), torch.nn.BatchNorm2d(4, affine=affine).eval()
    _bn_stats(tb)
    ec, eb = nn.Conv2d(3, 4, 3, bias=bias).eval(), nn.BatchNorm2d(4, affine=affine).eval()
    _copy(tc, ec)
    _copy(tb, eb)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb)
    ef = ember.nn.utils.fuse_conv_bn_eval(ec, eb)
    assert ef is not ec and type(ef) is nn.Conv2d and isinstance(ef.bias, nn.Parameter)
    _close(ef.weight, tf.weight)
    _close(ef.bias, tf.bias)
    x = np.random.RandomState(1).randn(2, 3, 6, 6).astype(np.float32)
    _close(ef(ember.tensor(x)), eb(ec(ember.tensor(x))), 1e-4, 1e-5)
    _close(ef(ember.tensor(x)), tf(torch.tensor(x)), 1e-4, 1e-5)


def test_fuse_conv_transpose_bn_eval_and_errors():
    torch.manual_seed(0)
    tc, tb = torch.nn.ConvTranspose2d(3, 4, 3).eval(), torch.nn.BatchNorm2d(4).eval()
    _bn_stats(tb)
    ec, eb = nn.ConvTranspose2d(3, 4, 3).eval(), nn.BatchNorm2d(4).eval()
    _copy(tc, ec)
    _copy(tb, eb)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb, transpose=True)
    ef = ember.nn.utils.fuse_conv_bn_eval(ec, eb, transpose=True)
    x = np.random.RandomState(1).randn(2, 3, 5, 5).astype(np.float32)
    _close(ef(ember.tensor(x)), eb(ec(ember.tensor(x))), 1e-4, 1e-5)
    _close(ef(ember.tensor(x)), tf(torch.tensor(x)), 1e-4, 1e-5)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        ember.nn.utils.fuse_conv_bn_eval(nn.Conv2d(3, 4, 3), eb)
    with pytest.raises(AssertionError, match="must not be None"):
        ember.nn.utils.fuse_conv_bn_eval(ec, nn.BatchNorm2d(4, track_running_stats=False).eval())


@pytest.mark.parametrize("bias", [True, False])
def test_fuse_linear_bn_eval(bias):
    torch.manual_seed(0)
    tl, tb = torch.nn.Linear(5, 4, bias=bias).eval(), torch.nn.BatchNorm1d(4).eval()
    _bn_stats(tb)
    el, eb = nn.Linear(5, 4, bias=bias).eval(), nn.BatchNorm1d(4).eval()
    _copy(tl, el)
    _copy(tb, eb)
    tf = torch.nn.utils.fuse_linear_bn_eval(tl, tb)
    ef = ember.nn.utils.fuse_linear_bn_eval(el, eb)
    x = np.random.RandomState(1).randn(3, 5).astype(np.float32)
    _close(ef(ember.tensor(x)), eb(el(ember.tensor(x))), 1e-5, 1e-5)
    _close(ef(ember.tensor(x)), tf(torch.tensor(x)), 1e-5, 1e-5)
    with pytest.raises(AssertionError, match="To fuse, linear.out_features == bn.num_features"):
        ember.nn.utils.fuse_linear_bn_eval(el, nn.BatchNorm1d(3).eval())


def test_fuse_weights_functions():
    rs = np.random.RandomState(0)
    args = [rs.randn(4, 3, 2, 2), rs.randn(4), rs.randn(4), rs.rand(4) + 0.5, 1e-5, rs.randn(4), rs.randn(4)]
    targs = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    eargs = [ember.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    for tw, ew in zip(torch.nn.utils.fuse_conv_bn_weights(*targs), ember.nn.utils.fuse_conv_bn_weights(*eargs)):
        assert isinstance(ew, nn.Parameter) and ew.dtype is ember.float64
        _close(ew, tw, 1e-12, 1e-12)
    targs[0], eargs[0] = targs[0][:, :, 0, 0], eargs[0][:, :, 0, 0]
    for tw, ew in zip(torch.nn.utils.fuse_linear_bn_weights(*targs), ember.nn.utils.fuse_linear_bn_weights(*eargs)):
        _close(ew, tw, 1e-12, 1e-12)


# --- skip_init -----------------------------------------------------------------------------------

def test_skip_init():
    ember.manual_seed(0)
    state = ember.get_rng_state()
    m = ember.nn.utils.skip_init(nn.Linear, 5, 3, bias=True)
    assert type(m) is nn.Linear and tuple(m.weight.shape) == (3, 5) and tuple(m.bias.shape) == (3,)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    np.testing.assert_array_equal(ember.get_rng_state().numpy(), state.numpy())
    m64 = ember.nn.utils.skip_init(nn.Conv2d, 2, 3, 3, dtype=ember.float64)
    assert m64.weight.dtype is ember.float64 and tuple(m64.weight.shape) == (3, 2, 3, 3)

    class NoDevice(nn.Module):
        def __init__(self):
            super().__init__()

    with pytest.raises(RuntimeError, match="Module must support a 'device' arg to skip initialization"):
        ember.nn.utils.skip_init(NoDevice)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        ember.nn.utils.skip_init(int)


# --- old-style hook-based weight_norm / spectral_norm (ember.nn.utils.weight_norm, ...) ------------

@pytest.mark.parametrize("dim", [0, 1, None])
def test_old_weight_norm(dim):
    torch.manual_seed(0)
    with pytest.warns(FutureWarning):
        t = torch.nn.utils.weight_norm(torch.nn.Conv2d(3, 4, 3), dim=dim)
    with pytest.warns(FutureWarning, match="torch.nn.utils.parametrizations.weight_norm"):
        e = ember.nn.utils.weight_norm(nn.Conv2d(3, 4, 3), dim=dim)
    assert list(e.state_dict()) == list(t.state_dict()) == ["bias", "weight_g", "weight_v"]
    _run(t, e, (2, 3, 5, 5))
    _close(e.weight, t.weight)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"), \
            pytest.warns(FutureWarning):
        ember.nn.utils.weight_norm(e, dim=dim)
    torch.nn.utils.remove_weight_norm(t)
    ember.nn.utils.remove_weight_norm(e)
    assert list(e.state_dict()) == list(t.state_dict())
    assert isinstance(e.weight, nn.Parameter)
    _close(e.weight, t.weight)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        ember.nn.utils.remove_weight_norm(e)


@pytest.mark.parametrize("cls,shape", [("Linear", (3, 6)), ("Conv2d", (2, 6, 5, 5)), ("ConvTranspose2d", (2, 6, 5, 5))])
def test_old_spectral_norm(cls, shape):
    torch.manual_seed(0)
    args = (6, 4) if cls == "Linear" else (6, 4, 3)
    t = torch.nn.utils.spectral_norm(getattr(torch.nn, cls)(*args), n_power_iterations=2)
    e = ember.nn.utils.spectral_norm(getattr(nn, cls)(*args), n_power_iterations=2)
    assert list(e.state_dict()) == list(t.state_dict())
    assert e.state_dict()._metadata[""]["spectral_norm"] == {"weight.version": 1}
    _copy(t, e)
    for train in (True, False):
        t.train(train)
        e.train(train)
        t.zero_grad()
        e.zero_grad()
        _run(t, e, shape, rtol=1e-4, atol=1e-5, copy_state=False)
        _close(e.weight_u, t.weight_u, msg="u")
        _close(e.weight_v, t.weight_v, msg="v")
    torch.nn.utils.remove_spectral_norm(t)
    ember.nn.utils.remove_spectral_norm(e)
    assert list(e.state_dict()) == list(t.state_dict())
    _close(e.weight, t.weight, 1e-5, 1e-6)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
        ember.nn.utils.remove_spectral_norm(e)


def test_assignment_tuple_right_inverse_and_weight_norm_assign():
    torch.manual_seed(0)
    a = np.random.RandomState(3).randn(2, 3).astype(np.float32)
    for make_t, make_e in ((lambda m: TP.register_parametrization(m, "weight", _pair(torch)()),
                            lambda m: EP.register_parametrization(m, "weight", _pair(ember)())),
                           (TPZ.weight_norm, EPZ.weight_norm)):
        t, e = make_t(torch.nn.Linear(3, 2)), make_e(nn.Linear(3, 2))
        with torch.no_grad():
            t.weight = torch.tensor(a)
        e.weight = ember.tensor(a)
        _close(e.parametrizations.weight.original0, t.parametrizations.weight.original0)
        _close(e.parametrizations.weight.original1, t.parametrizations.weight.original1)
        _close(e.weight, t.weight)


def test_spectral_norm_1d_and_eval_registration():
    torch.manual_seed(0)
    t = TPZ.spectral_norm(torch.nn.Linear(4, 3), "bias")
    e = EPZ.spectral_norm(nn.Linear(4, 3), "bias")
    assert list(e.state_dict()) == list(t.state_dict())
    _run(t, e, (2, 4))
    m = nn.Linear(3, 3).eval()
    EPZ.spectral_norm(m)
    assert not m.parametrizations.weight[0].training
    m.train()
    assert m.parametrizations.weight[0].training
