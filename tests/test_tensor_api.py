"""The Tensor API surface compared with PyTorch: attributes, strides, conversions, new_*, dunders."""

import copy
import pickle

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _norm(r):
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        return ("tensor", repr(r).replace("torch.", "ember."))
    if isinstance(r, (torch.dtype, ember.dtype, torch.device, ember.device, torch.Size, ember.Size)):
        return repr(r).replace("torch.", "ember.")
    if isinstance(r, (list, tuple)):
        return type(r).__name__, [_norm(v) for v in r]
    return r


def same(f):
    """f(lib) gives the same result (or the same exception type) in both libraries."""
    res = []
    for lib in (torch, ember):
        try:
            res.append(_norm(f(lib)))
        except Exception as e:  # noqa: BLE001
            res.append(("raised", [k for k in type(e).__mro__ if k.__module__ == "builtins"][0].__name__))
    assert res[0] == res[1], f"torch: {res[0]}\nember: {res[1]}"


CASES = {
    "stride_transposed": lambda L: L.ones(2, 3).T.stride(),
    "stride_sliced": lambda L: L.ones(4, 6)[:, ::2].stride(),
    "stride_expanded": lambda L: L.ones(3).expand(2, 3).stride(),
    "stride_expanded_col": lambda L: L.ones(3, 1).expand(3, 4).stride(),
    "stride_empty": lambda L: L.ones(0, 3).stride(),
    "stride_0dim": lambda L: L.ones(()).stride(),
    "stride_dim": lambda L: (L.ones(2, 3).stride(-1), L.ones(2, 3).stride(dim=0)),
    "stride_step": lambda L: L.ones(5)[::2].stride(),
    "contig": lambda L: (L.ones(2, 3).is_contiguous(), L.ones(2, 3).T.is_contiguous(),
                         L.ones(2, 3)[:, :1].is_contiguous(), L.ones(4)[::2].is_contiguous()),
    "contiguous_copy": lambda L: L.ones(2, 3).T.contiguous().stride(),
    "size": lambda L: (L.ones(2, 3).size(), L.ones(2, 3).size(-1), L.ones(2, 3).shape, L.ones(2, 3).size(dim=0)),
    "size_bad_dim": lambda L: L.ones(2, 3).size(2),
    "dims": lambda L: (L.ones(2, 3).dim(), L.ones(2, 3).ndim, L.ones(2, 3).ndimension(), L.ones(()).dim()),
    "numel": lambda L: (L.ones(2, 3).numel(), L.numel(L.ones(4)), L.ones(2, 3).nelement(), L.ones(0, 2).numel()),
    "element_size": lambda L: [L.ones(1, dtype=getattr(L, d)).element_size() for d in
                               ("bool", "uint8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
                                "float64", "complex64", "complex128")],
    "nbytes": lambda L: (L.ones(3).nbytes, L.ones(3, dtype=L.float64).itemsize),
    "item": lambda L: (L.tensor([1.5]).item(), L.tensor(3).item(), L.tensor(True).item(), L.tensor(1 + 2j).item()),
    "item_many": lambda L: L.ones(2).item(),
    "tolist": lambda L: (L.tensor([[1, 2]]).tolist(), L.tensor(2.5).tolist(), L.tensor([True]).tolist()),
    "numpy_requires_grad": lambda L: L.ones(2, requires_grad=True).numpy(),
    "clone": lambda L: L.ones(2, 3).T.clone().stride(),
    "clone_grad": lambda L: L.ones(2, requires_grad=True).clone(),
    "detach": lambda L: (L.ones(2, requires_grad=True).detach().requires_grad,
                         (L.ones(2, requires_grad=True) * 2).detach().is_leaf),
    "to_dtype": lambda L: (L.ones(2).to(L.float64), L.ones(2).to("cpu", L.int32), L.ones(2).to(dtype=L.int16),
                           L.ones(2).to(L.ones(1, dtype=L.int8)), L.ones(2).to("cpu")),
    "to_same_is_self": lambda L: (lambda x: (x.to(L.float32) is x, x.to(L.float32, copy=True) is x,
                                             x.to("cpu", L.float32, False, True) is x))(L.ones(2)),
    "to_requires_grad": lambda L: L.ones(2, requires_grad=True).to(L.float64),
    "conversions": lambda L: [getattr(L.tensor([1.5, -2.5, 0.0]), m)() for m in
                              ("float", "double", "half", "bfloat16", "long", "int", "short", "char", "byte",
                               "bool", "cfloat", "cdouble")],
    "type": lambda L: (L.ones(2).type(), L.ones(2, dtype=L.int64).type(), L.ones(2).type(L.float64).dtype,
                       L.ones(2).type("torch.IntTensor").dtype),
    "type_as": lambda L: L.ones(2).type_as(L.ones(1, dtype=L.int32)),
    "new_zeros": lambda L: (L.ones(2).new_zeros(3), L.ones(2, dtype=L.int32).new_zeros((2, 2)),
                            L.ones(2).new_zeros(2, dtype=L.int8)),
    "new_ones": lambda L: (L.ones(2, dtype=L.float64).new_ones(2, 3), L.ones(2).new_ones([1])),
    "new_full": lambda L: (L.ones(2, dtype=L.int16).new_full((2,), 3), L.ones(2).new_full((2,), 1.5)),
    "new_empty": lambda L: (L.ones(2, dtype=L.int32).new_empty(2).shape, L.ones(2).new_empty((1, 2)).dtype),
    "new_tensor": lambda L: (L.ones(2, dtype=L.float64).new_tensor([1, 2]),
                             L.ones(2, dtype=L.float64).new_tensor(np.array([1, 2], dtype=np.int16)),
                             L.ones(2).new_tensor([1.5], requires_grad=True)),
    "len": lambda L: len(L.ones(3, 2)),
    "len_0dim": lambda L: len(L.tensor(1.0)),
    "iter": lambda L: list(L.tensor([[1, 2], [3, 4]])),
    "iter_0dim": lambda L: list(L.tensor(1.0)),
    "bool": lambda L: (bool(L.ones(1)), bool(L.zeros(())), bool(L.tensor([True]))),
    "bool_many": lambda L: bool(L.ones(2)),
    "bool_empty": lambda L: bool(L.ones(0)),
    "float_int": lambda L: (float(L.tensor([2.5])), int(L.tensor(2.7)), int(L.tensor(-2.7)), complex(L.tensor(1.0))),
    "float_many": lambda L: float(L.ones(2)),
    "int_many": lambda L: int(L.ones(2)),
    "index": lambda L: ([0, 1, 2][L.tensor(1)], [0, 1, 2][L.tensor(True)], range(5)[L.tensor([2])]),
    "index_float": lambda L: [0, 1, 2][L.tensor(1.0)],
    "index_many": lambda L: [0, 1, 2][L.tensor([1, 2])],
    "format": lambda L: (f"{L.tensor(2.5):.3f}", f"{L.tensor(3)}", f"{L.tensor([1.0, 2.0])}"),
    "is_tensor": lambda L: (L.is_tensor(L.ones(1)), L.is_tensor(1), L.is_tensor(np.ones(1))),
    "is_fp": lambda L: (L.ones(1).is_floating_point(), L.ones(1, dtype=L.int32).is_floating_point(),
                        L.ones(1, dtype=L.complex64).is_complex(), L.ones(1, dtype=L.int8).is_signed()),
    "device": lambda L: (L.ones(1).device, L.ones(1).is_cuda, L.ones(1).is_cpu, L.ones(1).get_device()),
    "Size": lambda L: (L.Size([2, 3]), L.Size([2, 3]).numel(), L.Size([2, 3])[1:], L.Size([2]) + (4,),
                       (2,) + L.Size([3]), L.Size([2]) * 2, L.Size([2, 3]) == (2, 3), str(L.Size([2])).replace("torch.", "ember.")),
    "Size_types": lambda L: [type(x).__name__ for x in (L.Size([2, 3])[1:], L.Size([2]) + (4,), (2,) + L.Size([3]))],
    "contains": lambda L: (2 in L.tensor([1, 2]), 5 in L.tensor([1, 2]), L.tensor(2) in L.tensor([1, 2])),
    "contains_bad": lambda L: "a" in L.tensor([1]),
    "reversed": lambda L: list(reversed(L.tensor([1, 2, 3]))),
    "storage_offset": lambda L: (L.arange(12).reshape(3, 4)[1:, 2:].storage_offset(), L.arange(5)[2].storage_offset(),
                                 L.arange(5).storage_offset(), L.arange(12).reshape(3, 4).T[1].storage_offset()),
    "numpy_scalar_left": lambda L: (type(np.float64(2) * L.ones(2)).__name__, (np.float32(2) * L.ones(2)).dtype),
    "apply_map": lambda L: (L.tensor([1.0, 2.0]).apply_(lambda v: v * 3),
                            L.tensor([1.0, 2.0]).map_(L.tensor([3.0, 4.0]), lambda a, b: a + b)),
    "conj_flags": lambda L: (L.ones(1).is_conj(), L.ones(1).is_neg(), L.ones(1).is_sparse, L.ones(1).is_meta),
    "legacy_ctor": lambda L: (L.Tensor([1, 2]), L.Tensor(2, 3).shape, L.Tensor(), L.Tensor([True])),
    "array": lambda L: (np.asarray(L.ones(2)).dtype.name, np.asarray(L.ones(2, dtype=L.int32)).tolist()),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    same(CASES[name])


def test_data_ptr_views():
    def f(L):
        x = L.arange(12.0).reshape(3, 4)
        return (x[1].data_ptr() - x.data_ptr(), x[:, 1].data_ptr() - x.data_ptr(), x.T.data_ptr() == x.data_ptr(),
                x.view(-1).data_ptr() == x.data_ptr(), x.clone().data_ptr() == x.data_ptr())
    same(f)


def test_numpy_shares_memory():
    x = ember.zeros(3)
    a = x.numpy()
    a[0] = 5
    assert x[0].item() == 5
    x.add_(1)
    assert a.tolist() == [6, 1, 1]
    assert x.detach().numpy().base is not None or x.detach().numpy() is a or np.shares_memory(x.detach().numpy(), a)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3, dtype=np.float32)
    x = ember.from_numpy(a)
    a[0] = 5
    x[1] = 7
    assert x.tolist() == [5, 7, 0] and a.tolist() == [5, 7, 0]
    y = ember.as_tensor(a)
    a[2] = 9
    assert y[2].item() == 9
    z = ember.as_tensor(a, dtype=ember.float64)  # a copy
    a[2] = 1
    assert z[2].item() == 9
    w = ember.asarray(a)
    a[0] = -1
    assert w[0].item() == -1


def test_dlpack_round_trips():
    x = ember.arange(4.0)
    y = np.from_dlpack(x)
    y[0] = 9
    assert x[0].item() == 9
    a = np.arange(4.0)
    z = ember.from_dlpack(a)
    a[1] = 7
    assert z[1].item() == 7
    t = torch.from_dlpack(x)  # ember -> torch
    t[2] = -1
    assert x[2].item() == -1
    tt = torch.arange(3.0)
    e = ember.from_dlpack(tt)  # torch -> ember
    tt[0] = 5
    assert e[0].item() == 5
    with pytest.raises(RuntimeError):
        ember.ones(2, requires_grad=True).__dlpack__()


def test_hash_by_identity():
    a, b = ember.ones(1), ember.ones(1)
    assert hash(a) != hash(b) and hash(a) == hash(a)
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2


@pytest.mark.parametrize("make", [
    lambda: ember.arange(6.0).reshape(2, 3),
    lambda: ember.arange(6.0).reshape(2, 3).T,
    lambda: ember.tensor([True, False]),
    lambda: ember.ones(2, dtype=ember.bfloat16),
    lambda: ember.tensor(1 + 2j),
    lambda: ember.ones(2, requires_grad=True),
])
def test_pickle_round_trip(make):
    x = make()
    y = pickle.loads(pickle.dumps(x))
    assert y.dtype is x.dtype and y.shape == x.shape and y.requires_grad == x.requires_grad
    assert y.float().tolist() == x.float().tolist() if not x.is_complex() else y.tolist() == x.tolist()
    z = copy.deepcopy(x)
    assert z.tolist() == x.tolist() and z is not x
