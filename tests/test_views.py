"""View semantics of the shape ops: shared memory, shared version counters, grad_fn names."""

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(shape=(3, 4), requires_grad=False):
    arr = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return (ember.tensor(arr, requires_grad=requires_grad), torch.tensor(arr, requires_grad=requires_grad))


VIEWS = {
    "view": lambda x: x.view(12),
    "view_as": lambda x: x.view_as(x.reshape(2, 6)),
    "reshape": lambda x: x.reshape(4, 3),
    "flatten": lambda x: x.flatten(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "movedim": lambda x: x.movedim(0, 1),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "diagonal": lambda x: x.diagonal(1),
    "unfold": lambda x: x.unfold(1, 2, 2),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "expand": lambda x: x[:1].expand(3, 4),
    "as_strided": lambda x: x.as_strided((2, 2), (1, 4), 1),
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(2, 1)[1],
    "unbind": lambda x: x.unbind(1)[3],
    "view_dtype": lambda x: x.view(x.dtype),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_shares_memory_and_version(name):
    e, t = _pair()
    ev, tv = VIEWS[name](e), VIEWS[name](t)
    assert tuple(ev.shape) == tuple(tv.shape)
    assert np.shares_memory(ev.numpy(), e.numpy())
    # the view's first element is the same storage address as torch's
    e_off = (ev.data_ptr() - e.data_ptr()) // 4
    t_off = (tv.data_ptr() - t.data_ptr()) // 4
    assert e_off == t_off
    if name == "expand":
        return  # an expanded view overlaps itself: torch refuses in-place writes
    v0 = e._version_value
    ev.add_(100)
    tv.add_(100)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert e._version_value == v0 + 1 and ev._version_value == e._version_value


def test_writes_through_views_reach_base():
    e, t = _pair()
    for x in (e, t):
        x.t().diagonal().mul_(-1)
        x.unfold(1, 2, 2).select(0, 1).select(0, 1).add_(1000)
        x.narrow(0, 2, 1).add_(5)
        for part in x.split(2, 1):
            part.mul_(2)
        x.unbind(0)[0].add_(0.5)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert e._version_value == t._version


def test_copies_are_not_views():
    e, _ = _pair()
    for f in (lambda x: x.flip(0), lambda x: x.roll(1), lambda x: x.repeat(1, 1), lambda x: x.tril(),
              lambda x: x.rot90(), lambda x: x.t().reshape(-1), lambda x: ember.cat([x]), lambda x: x.diag()):
        assert not np.shares_memory(f(e).numpy(), e.numpy())


def test_inplace_shape_methods():
    for name, f in {"t_": lambda x: x.t_(), "transpose_": lambda x: x.transpose_(0, 1),
                    "unsqueeze_": lambda x: x.unsqueeze_(1), "squeeze_": lambda x: x.squeeze_(),
                    "squeeze_dim": lambda x: x.squeeze_(0), "squeeze_dims": lambda x: x.squeeze_((0,)),
                    "swapdims_": lambda x: x.swapdims_(1, 0)}.items():
        e, t = _pair(requires_grad=True)
        ey, ty = e * 2, t * 2
        if name.startswith("squeeze"):
            ey, ty = ey.unsqueeze(0) * 1, ty.unsqueeze(0) * 1
        er, tr = f(ey), f(ty)
        assert er is ey and tr is ty, name
        assert tuple(ey.shape) == tuple(ty.shape), name
        assert ey.grad_fn.name() == ty.grad_fn.name(), name
        w = np.random.default_rng(0).standard_normal(tuple(ty.shape)).astype(np.float32)
        (ey * ember.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    e, t = _pair(requires_grad=True)
    with pytest.raises(RuntimeError):
        e.t_()
    with pytest.raises(RuntimeError):
        t.t_()


GRAD_FNS = {
    "view": lambda m, x: x.view(12),
    "reshape_view": lambda m, x: x.reshape(2, 6),
    "reshape_copy": lambda m, x: x.t().reshape(-1),
    "flatten": lambda m, x: x.flatten(),
    "unflatten": lambda m, x: x.unflatten(1, (2, 2)),
    "squeeze": lambda m, x: x[None].squeeze(),
    "squeeze_dim": lambda m, x: x[None].squeeze(0),
    "squeeze_dims": lambda m, x: x[None].squeeze((0,)),
    "unsqueeze": lambda m, x: x.unsqueeze(0),
    "permute": lambda m, x: x.permute(1, 0),
    "transpose": lambda m, x: x.transpose(0, 1),
    "t": lambda m, x: x.t(),
    "T": lambda m, x: x.T,
    "mT": lambda m, x: x.mT,
    "H_complex": lambda m, x: x.to(m.complex64).H,
    "adjoint": lambda m, x: x.adjoint(),
    "movedim": lambda m, x: x.movedim(0, 1),
    "expand": lambda m, x: x[:1].expand(2, 3, 4),
    "broadcast_to": lambda m, x: x.broadcast_to(2, 3, 4),
    "repeat": lambda m, x: x.repeat(2, 1),
    "tile": lambda m, x: x.tile(2),
    "repeat_interleave": lambda m, x: x.repeat_interleave(2, dim=0),
    "repeat_interleave_t": lambda m, x: x.repeat_interleave(m.tensor([1, 2, 0]), dim=0),
    "flip": lambda m, x: x.flip(0),
    "roll": lambda m, x: x.roll(1, 1),
    "rot90": lambda m, x: x.rot90(),
    "narrow": lambda m, x: x.narrow(1, 1, 2),
    "select": lambda m, x: x.select(0, 1),
    "chunk": lambda m, x: x.chunk(2)[0],
    "split": lambda m, x: x.split(2)[1],
    "split_sizes": lambda m, x: x.split([1, 3], 1)[1],
    "tensor_split": lambda m, x: x.tensor_split(2, 1)[0],
    "unbind": lambda m, x: x.unbind()[0],
    "cat": lambda m, x: m.cat([x, x]),
    "stack": lambda m, x: m.stack([x, x]),
    "hstack": lambda m, x: m.hstack([x, x]),
    "tril": lambda m, x: x.tril(),
    "triu": lambda m, x: x.triu(1),
    "diag_1d": lambda m, x: x[0].diag(),
    "diag_2d": lambda m, x: x.diag(),
    "diagonal": lambda m, x: x.diagonal(),
    "diag_embed": lambda m, x: x.diag_embed(),
    "diagflat": lambda m, x: x.diagflat(),
    "trace": lambda m, x: x.trace(),
    "meshgrid": lambda m, x: m.meshgrid(x[0], x[1], indexing="ij")[0],
    "atleast_2d": lambda m, x: m.atleast_2d(x[0]),
    "unfold": lambda m, x: x.unfold(1, 2, 1),
    "as_strided": lambda m, x: x.as_strided((2, 2), (1, 2)),
}


@pytest.mark.parametrize("name", sorted(GRAD_FNS))
def test_grad_fn_names_match_torch(name):
    e, t = _pair(requires_grad=True)
    eo, to = GRAD_FNS[name](ember, e), GRAD_FNS[name](torch, t)
    assert eo.grad_fn.name() == to.grad_fn.name()


DOUBLE = {  # backward of the backward: gradients w.r.t. the cotangent
    "narrow": lambda m, x: x.narrow(1, 1, 2),
    "select": lambda m, x: x.select(1, 2),
    "diagonal": lambda m, x: x.diagonal(1),
    "trace": lambda m, x: x.trace().reshape(1),
    "unfold": lambda m, x: x.unfold(1, 3, 1),
    "as_strided": lambda m, x: x.as_strided((3, 3), (2, 1)),
    "split": lambda m, x: x.split([1, 3], 1)[1],
    "unbind": lambda m, x: x.unbind(1)[2],
    "repeat": lambda m, x: x.repeat(2, 3),
    "repeat_interleave_t": lambda m, x: x.repeat_interleave(m.tensor([1, 0, 3]), dim=0),
    "diag_embed": lambda m, x: x.diag_embed(1),
    "cat": lambda m, x: m.cat([x, x * 2], 1),
    "stack": lambda m, x: m.stack([x, x * 2], 1),
    "flip": lambda m, x: x.flip(0),
}


@pytest.mark.parametrize("name", sorted(DOUBLE))
def test_double_backward_matches_torch(name):
    results = []
    for lib, (x,) in ((ember, (_pair(requires_grad=True)[0],)), (torch, (_pair(requires_grad=True)[1],))):
        y = DOUBLE[name](lib, x)
        cot = lib.tensor(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(tuple(y.shape)),
                         requires_grad=True)
        (gx,) = lib.autograd.grad(y, x, cot, create_graph=True)
        w = lib.tensor(np.linspace(2, 3, gx.numel(), dtype=np.float32).reshape(tuple(gx.shape)))
        (gcot,) = lib.autograd.grad((gx * w).sum(), cot)
        results.append((gx.detach().numpy(), gcot.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


def test_iter_uses_unbind():
    e, t = _pair(requires_grad=True)
    rows = list(e)
    assert len(rows) == 3 and rows[0].grad_fn.name() == "UnbindBackward0"
    assert [tuple(r.shape) for r in rows] == [tuple(r.shape) for r in t]
