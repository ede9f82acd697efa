"""Samples for ember/ops/indexing.py."""

import numpy as np

from tests.oracle.harness import NG, Lib, Sl, T, case, rand

CASES = []


def I(*v):  # noqa: E743 - an int64 index array
    return np.array(v, dtype=np.int64)


def _distinct(*shape, dtype="float32", seed=0):
    """Values without ties (for topk / kthvalue, whose tie order is implementation-defined)."""
    n = int(np.prod(shape)) if shape else 1
    rng = np.random.default_rng(seed)
    v = (rng.permutation(n).reshape(shape) - n // 2).astype(dtype)
    return v if v.dtype.kind in "iu" else v / np.asarray(4, dtype=v.dtype)


def _z(fname, *rest, **kw):
    """Call ``lib.<fname>`` with the first tensor argument made 0-dim (the harness builds 1-element arrays)."""
    return lambda lib, a, *args: getattr(lib, fname)(a.reshape(()), *rest, *args, **kw)


# --- __getitem__ -------------------------------------------------------------------------
GET = [
    lambda lib, a: a[1],
    lambda lib, a: a[-1],
    lambda lib, a: a[:, 1:3],
    lambda lib, a: a[1:],
    lambda lib, a: a[:],
    lambda lib, a: a[:, :],
    lambda lib, a: a[::2],
    lambda lib, a: a[1:100],
    lambda lib, a: a[-2:],
    lambda lib, a: a[None],
    lambda lib, a: a[..., None],
    lambda lib, a: a[None, ..., 0],
    lambda lib, a: a[...],
    lambda lib, a: a[()],
    lambda lib, a: a[0, 1],
    lambda lib, a: a[0][1],
    lambda lib, a: a[lib.tensor([0, 2, 0])],
    lambda lib, a: a[[0, 2, 2]],
    lambda lib, a: a[[0, 1], [1, 3]],
    lambda lib, a: a[:, [3, 0]],
    lambda lib, a: a[[[0, 1], [2, 2]]],
    lambda lib, a: a[lib.tensor([[0, 1], [2, 2]])],
    lambda lib, a: a[lib.tensor([0, 1], dtype=lib.int32), 1:],
    lambda lib, a: a[a > 0],
    lambda lib, a: a[lib.tensor([True, False, True])],
    lambda lib, a: a[[True, False, True]],
    lambda lib, a: a[:, lib.tensor([True, False, True, True])],
    lambda lib, a: a[True],
    lambda lib, a: a[False],
    lambda lib, a: a[lib.tensor(True)],
    lambda lib, a: a[lib.tensor(1)],
    lambda lib, a: a[lib.tensor(1), 1:],
    lambda lib, a: a[1, lib.tensor([0, 0, 3])],
    lambda lib, a: a[lib.tensor([], dtype=lib.int64)],
    lambda lib, a: a[[]],
    lambda lib, a: a[None, [0, 1], None, [1, 2]],
    lambda lib, a: a[lib.tensor(1):lib.tensor(3)],
]
for f in GET:
    CASES.append(case("getitem", rand(3, 4), fn=f))
GET3 = [
    lambda lib, a: a[0, :, [0, 1]],          # int then separated advanced index: int applies first
    lambda lib, a: a[[0, 1], :, [1, 2]],     # separated advanced indices go first
    lambda lib, a: a[:, [0, 1], [1, 2]],     # adjacent: stay in place
    lambda lib, a: a[[0, 1], 1:, [1, 2]],
    lambda lib, a: a[0, None, [0, 1]],
    lambda lib, a: a[..., [0, 0, 4]],
    lambda lib, a: a[[0, 1], ..., [1, 2]],
    lambda lib, a: a[:, lib.tensor([[0, 1], [1, 1]]), 2:],
    lambda lib, a: a[lib.tensor([[True, False, True, False], [False] * 4, [True] * 4])],
    lambda lib, a: a[..., lib.tensor([True, False, True, False, True])],
    lambda lib, a: a[1, ..., 2],
    lambda lib, a: a[[1, 0], [[0], [2]]],    # broadcast index tensors
]
for f in GET3:
    CASES.append(case("getitem", rand(3, 4, 5), fn=f))
CASES += [
    case("getitem", T(rand(3, 4)), fn=lambda lib, a: a[[0, 2], 1:]),
    case("getitem", Sl(rand(3, 4)), fn=lambda lib, a: a[1, ::2]),
    case("getitem", T(rand(3, 4)), fn=lambda lib, a: a[a > 0]),
    case("getitem", rand(1), fn=lambda lib, a: a.reshape(())[None]),
    case("getitem", rand(1), fn=lambda lib, a: a.reshape(())[...]),
    case("getitem", rand(1), fn=lambda lib, a: a.reshape(())[True]),
    case("getitem", rand(1), fn=lambda lib, a: a.reshape(())[False]),
    case("getitem", rand(0, 3), fn=lambda lib, a: a[:, 1]),
    case("getitem", rand(3, 4, dtype="int64"), fn=lambda lib, a: a[[0, 2], 1]),
    case("getitem", rand(3, 4, dtype="bool"), fn=lambda lib, a: a[1:, [0]]),
    case("getitem", rand(3, 4, dtype="float64"), fn=lambda lib, a: a[a > 0]),
    case("getitem", rand(5, dtype="float64"), fn=lambda lib, a: a[lib.tensor([1, 1, 1, 4])]),  # repeated: grads add
    case("getitem", rand(3, 4, dtype="uint8", low=0, high=9), fn=lambda lib, a: a[..., 1:]),
    # errors
    case("getitem", rand(3, 4), fn=lambda lib, a: a[5], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[:, -5], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[lib.tensor([0, 3])], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[[0, 1], [0, 9]], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[::-1], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[:, ::0], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[0, 0, 0], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[1.5], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[lib.tensor([0.0, 1.0])], raises=True),
    case("getitem", rand(3, 4), fn=lambda lib, a: a[lib.tensor([True, False])], raises=True),
    case("getitem", Lib(lambda lib: lib.tensor(1.0)), fn=lambda lib, a: a[0], raises=True),
]


# --- __setitem__ (differentiable for both the tensor and the value) -------------------------
def _setter(idx_fn):
    def fn(lib, a, v):
        y = a * 1
        y[idx_fn(lib, y)] = v
        return y
    return fn


SET = [
    (lambda lib, y: 1, rand(4)),
    (lambda lib, y: (0, 1), rand(1)),
    (lambda lib, y: (slice(None), 2), rand(3)),
    (lambda lib, y: (slice(None), 2), rand(1)),
    (lambda lib, y: slice(1, None), rand(4)),
    (lambda lib, y: slice(None, None, 2), rand(2, 1)),
    (lambda lib, y: lib.tensor([0, 2]), rand(2, 4)),
    (lambda lib, y: lib.tensor([0, 2]), rand(4)),
    (lambda lib, y: ([0, 1], [1, 3]), rand(2)),
    (lambda lib, y: (slice(None), [3, 0]), rand(3, 2)),
    (lambda lib, y: y > 0, rand(1)),
    (lambda lib, y: (Ellipsis, 1), rand(3)),
    (lambda lib, y: (None, 1), rand(1, 4)),
    (lambda lib, y: 0, rand(1, 4)),       # leading 1-dims of the value are dropped
    (lambda lib, y: lib.tensor([True, False, True]), rand(4)),
]
for idx_fn, v in SET:
    CASES.append(case("setitem", rand(3, 4), v, fn=_setter(idx_fn)))


def _set_scalar(idx, value):
    def fn(lib, a):
        y = a * 1
        y[idx] = value
        return y
    return fn


def _set_chain(lib, a, v):
    y = a * 1
    y[1][2] = v       # through a view: the base sees the write
    y[0][1:][0] = 3.0
    return y


def _set_view_then_use(lib, a, v):
    y = a * 1
    z = y[1]
    z[[0, 2]] = v
    return y * 2 + z.sum()


def _set_dtype(lib, a, v):
    y = a * 1
    y[0] = v.double()   # the value is cast to the tensor's dtype
    return y


def _set_int(lib, a):
    y = a.clone()
    y[0] = 2.7
    y[1, [0, 1]] = lib.tensor(9)
    y[y > 3] = -1
    return y


def _set_nograd(lib, a):
    with lib.no_grad():
        a[0, 0] = 5.0
    return a * 1


CASES += [
    case("setitem", rand(3, 4), fn=_set_scalar(1, 2.5)),
    case("setitem", rand(3, 4), fn=_set_scalar((slice(None), 0), 0)),
    case("setitem", rand(3, 4), fn=_set_scalar((0, [0, 0, 2]), -1.0)),
    case("setitem", rand(3, 4), rand(), fn=_set_chain),
    case("setitem", rand(3, 4), rand(2), fn=_set_view_then_use),
    case("setitem", rand(3, 4), rand(4), fn=_set_dtype),
    case("setitem", NG(rand(3, 4)), rand(4), fn=_setter(lambda lib, y: 2)),
    case("setitem", rand(3, 4, dtype="int64", low=-5, high=5), fn=_set_int),
    case("setitem", rand(3, 4, dtype="bool"), fn=_set_scalar((0, slice(1, 3)), True)),
    case("setitem", T(rand(3, 4)), rand(3), fn=_setter(lambda lib, y: (slice(None), 1))),
    case("setitem", rand(3, 4), fn=_set_nograd),
    # errors: leaf that requires grad, bad shapes, out of range
    case("setitem", rand(3, 4), fn=lambda lib, a: a.__setitem__(0, 1.0), raises=True),
    case("setitem", rand(3, 4), rand(2, 4), fn=_setter(lambda lib, y: 0), raises=True),
    case("setitem", rand(3, 4), rand(4), fn=_setter(lambda lib, y: 3), raises=True),
    case("setitem", NG(rand(3, dtype="uint8", low=0, high=5)), fn=lambda lib, a: a.__setitem__(0, 300), raises=True),
]

# --- gather / scatter family --------------------------------------------------------------
IDX = I(0, 2, 1, 0, 2, 2, 1, 0).reshape(2, 4)
CASES += [
    case("gather", rand(3, 4), 0, IDX),
    case("gather", rand(3, 4), 1, I(0, 3, 3, 1, 2, 0).reshape(3, 2)),
    case("gather", rand(3, 4), -1, I(3, 3, 0).reshape(3, 1)),
    case("gather", T(rand(4, 3)), 0, I(0, 1, 3).reshape(1, 3)),
    case("gather", rand(3, 4), 0, I(0, 1).reshape(1, 2)),  # index smaller than input
    case("gather", rand(1), fn=lambda lib, a: lib.gather(a.reshape(()), 0, lib.tensor(0))),
    case("gather", rand(3, 4), 1, np.zeros((3, 0), dtype=np.int64)),
    case("gather", rand(3, 4, dtype="int32"), 0, IDX),
    case("gather", rand(3, 4, dtype="bool"), 1, IDX),
    case("gather", rand(3, 4, dtype="float64"), 0, IDX.astype(np.int32)),
    case("gather", rand(3, 4), 0, IDX, method=True),
    case("gather", NG(rand(3, 4)), 0, IDX, out=Lib(lambda lib: lib.empty(2, 4))),
    case("gather", rand(3, 4), 0, IDX + 3, raises=True),
    case("gather", rand(3, 4), 0, IDX.astype(np.float32), raises=True),
    case("gather", rand(3, 4), 0, I(0, 1), raises=True),
    case("gather", rand(3, 4), 0, np.zeros((3, 5), dtype=np.int64), raises=True),
    case("gather", rand(3, 4), 2, IDX, raises=True),
]
SRC = rand(2, 4, seed=7)
for op in ("scatter", "scatter_add"):
    CASES += [
        case(op, rand(3, 4), 0, IDX, SRC),
        # src larger than index (torch's backward fails there: no gradient check)
        case(op, rand(3, 4), -1, I(3, 0, 1, 2, 2, 0).reshape(2, 3), SRC, grad=False),
        case(op, T(rand(4, 3)), 1, I(0, 2, 1).reshape(3, 1), Sl(rand(3, 2)), grad=False),
        case(op, T(rand(4, 3)), 1, I(0, 2, 1).reshape(3, 1), Sl(rand(3, 1))),
        case(op, rand(3, 4, dtype="int64"), 0, IDX, rand(2, 4, dtype="int64")),
        case(op, rand(1), rand(1), fn=lambda lib, a, s, op=op: getattr(lib, op)(a.reshape(()), 0, lib.tensor(0),
                                                                                   s.reshape(()))),
        case(op, rand(3, 4), 0, np.zeros((0, 4), dtype=np.int64), rand(0, 4)),
        case(op, rand(3, 4), 0, IDX, SRC, method=True),
        case(op, rand(3, 4), 0, IDX, rand(2, 4, dtype="float64"), raises=True),
        case(op, rand(3, 4), 0, IDX + 3, SRC, raises=True),
        case(op, rand(3, 4), 0, IDX, rand(1, 2), raises=True),
        case(op, NG(rand(3, 4)), 0, IDX, NG(SRC), out=Lib(lambda lib: lib.empty(3, 4))),
        case(op + "_", rand(3, 4), 0, IDX, SRC, fn=lambda lib, a, d, i, s, op=op: getattr(a * 1, op + "_")(d, i, s)),
    ]
CASES += [
    case("scatter", rand(3, 4), 0, IDX, 1.5),
    case("scatter", rand(3, 4), 1, IDX, value=-2.0),
    case("scatter", rand(3, 4, dtype="int32"), 1, IDX, 7),
    case("scatter", rand(3, 4), 0, IDX, SRC, reduce="add", grad=False),
    case("scatter", rand(3, 4), 0, IDX, SRC, reduce="multiply", grad=False),
    case("scatter", rand(3, 4), 0, IDX, 2.0, reduce="multiply", grad=False),
    case("scatter", rand(3, 4), 0, IDX, SRC, reduce="max", raises=True),
    case("scatter_", rand(3, 4), fn=lambda lib, a: (a * 1).scatter_(1, lib.tensor([[0, 1]]), 0.5)),
]
ZSRC = np.array([[1.5, 0.0, -2.0, 0.5], [0.0, 3.0, 0.0, -1.0]], dtype=np.float32)
ZSELF = np.array([[1.0, 2.0, 0.0, -1.0], [0.5, 0.0, 1.5, 2.0], [-1.0, 1.0, 2.0, 0.0]], dtype=np.float32)
for red in ("sum", "prod", "mean", "amax", "amin"):
    for inc in (True, False):
        CASES += [
            case("scatter_reduce", rand(3, 4), 0, IDX, SRC, red, include_self=inc),
            case("scatter_reduce", T(rand(4, 3)), 1, I(0, 0, 2, 1, 1, 1).reshape(3, 2), rand(3, 2), red,
                 include_self=inc),
            case("scatter_reduce", rand(3, 4, dtype="int64", low=-9, high=9), 0, IDX,
                 rand(2, 4, dtype="int64", low=-9, high=9), red, include_self=inc),
        ]
    CASES.append(case("scatter_reduce", rand(5, dtype="float64"), 0, I(0, 0, 3, 3, 3, 1), rand(6, dtype="float64"),
                      red))
CASES += [
    # zeros for prod, ties for amax/amin
    case("scatter_reduce", ZSELF, 0, IDX, ZSRC, "prod"),
    case("scatter_reduce", ZSELF, 0, IDX, ZSRC, "prod", include_self=False),
    case("scatter_reduce", np.array([1.0, 2.0, 2.0], dtype=np.float32), 0, I(0, 0, 1, 1, 2),
         np.array([1.0, 0.5, 2.0, 2.0, 1.0], dtype=np.float32), "amax"),
    case("scatter_reduce", np.array([1.0, 2.0, 2.0], dtype=np.float32), 0, I(0, 0, 1, 1, 2),
         np.array([1.0, 0.5, 2.0, 2.0, 1.0], dtype=np.float32), "amin", include_self=False),
    case("scatter_reduce", rand(1), rand(1),
         fn=lambda lib, a, s: lib.scatter_reduce(a.reshape(()), 0, lib.tensor(0), s.reshape(()), "prod")),
    case("scatter_reduce", rand(3, 4), 0, IDX, SRC, "mean", method=True),
    case("scatter_reduce_", rand(3, 4), 0, IDX, SRC,
         fn=lambda lib, a, d, i, s: (a * 1).scatter_reduce_(d, i, s, "amax", include_self=False)),
    case("scatter_reduce", NG(rand(3, 4)), 0, IDX, NG(SRC), "sum", out=Lib(lambda lib: lib.empty(3, 4))),
    case("scatter_reduce", rand(3, 4), 0, IDX[:, :2], SRC, "sum", grad=False),
    case("scatter_reduce", rand(3, 4), 0, IDX, SRC, "median", raises=True),
    case("scatter_reduce", rand(3, 4), 0, IDX.astype(np.float32), SRC, "sum", raises=True),
]

# --- index_select / index_add / index_copy / index_fill -------------------------------------
CASES += [
    case("index_select", rand(3, 4), 0, I(2, 0, 2)),
    case("index_select", rand(3, 4), -1, I(3, 1)),
    case("index_select", T(rand(3, 4)), 1, I(0, 0, 3, 1).astype(np.int32)),
    case("index_select", rand(3, 4), 0, np.array(1)),
    case("index_select", rand(3, 4), 0, I()),
    case("index_select", rand(3, 4, dtype="int64"), 1, I(1, 2)),
    case("index_select", rand(3, 4, dtype="bool"), 0, I(1)),
    case("index_select", rand(3, 4), 0, I(2, 0, 2), method=True),
    case("index_select", NG(rand(3, 4)), 0, I(2, 0), out=Lib(lambda lib: lib.empty(2, 4))),
    case("index_select", rand(3, 4), 0, I(3), raises=True),
    case("index_select", rand(3, 4), 0, I(0, 1).reshape(1, 2), raises=True),
    case("index_select", rand(3, 4), 0, np.array([0.0]), raises=True),
]
for op in ("index_add", "index_copy"):
    CASES += [
        case(op, rand(3, 4), 0, I(2, 0), rand(2, 4)),
        case(op, rand(3, 4), -1, I(3, 1, 0), rand(3, 3)),
        case(op, T(rand(3, 4)), 1, I(1, 2), Sl(rand(3, 2))),
        case(op, rand(3, 4, dtype="int64"), 0, I(1), rand(1, 4, dtype="int64")),
        case(op, rand(4), 0, I(), rand(0)),
        case(op, rand(3, 4), 0, I(2, 0), rand(2, 4), method=True),
        case(op + "_", rand(3, 4), 0, I(2, 0), rand(2, 4),
             fn=lambda lib, a, d, i, s, op=op: getattr(a * 1, op + "_")(d, i, s)),
        case(op, NG(rand(3, 4)), 0, I(2, 0), NG(rand(2, 4)), out=Lib(lambda lib: lib.empty(3, 4))),
        case(op, rand(3, 4), 0, I(2, 0), rand(3, 4), raises=True),
        case(op, rand(3, 4), 0, I(2, 0), rand(2, 4, dtype="float64"), raises=True),
        case(op, rand(3, 4), 0, I(2, 5), rand(2, 4), raises=True),
    ]
CASES += [
    case("index_add", rand(3, 4), 0, I(2, 2, 0, 2), rand(4, 4)),  # duplicates sum
    case("index_add", rand(3, 4), 1, I(0, 3), rand(3, 2), alpha=2.5),
    case("index_add", rand(3, dtype="int32"), 0, I(0, 0), rand(2, dtype="int32"), alpha=3),
    case("index_fill", rand(3, 4), 0, I(2, 0), 1.5),
    case("index_fill", rand(3, 4), -1, I(3, 3), -2),
    case("index_fill", T(rand(3, 4)), rand(1), fn=lambda lib, a, v: lib.index_fill(a, 1, lib.tensor([1]), v.reshape(()))),
    case("index_fill", rand(3, 4), rand(1), fn=lambda lib, a, v: lib.index_fill(a, 0, lib.tensor([0, 2]), v.reshape(()))),
    case("index_fill", rand(3, 4, dtype="int64"), 0, I(1), 7),
    case("index_fill", rand(3, 4, dtype="bool"), 1, I(0, 2), False),
    case("index_fill", rand(3, 4), 0, I(2, 0), 1.5, method=True),
    case("index_fill_", rand(3, 4), rand(1),
         fn=lambda lib, a, v: (a * 1).index_fill_(1, lib.tensor([0, 3]), v.reshape(()))),
    case("index_fill", rand(3, 4), 0, I(2, 0).astype(np.int32), 1.0, raises=True),
    case("index_fill", rand(3, 4), 0, I(2, 0), rand(1), raises=True),
    case("index_fill", rand(3, 4), 0, I(3), 1.0, raises=True),
]

# --- index_put / take / take_along_dim / put ------------------------------------------------
CASES += [
    case("index_put", rand(3, 4), (I(0, 2),), rand(2, 4)),
    case("index_put", rand(3, 4), (I(0, 2), I(1, 1)), rand(2)),
    case("index_put", rand(3, 4), (I(0, 2), I(1, 1)), rand(1),
         fn=lambda lib, a, i, v: lib.index_put(a, i, v.reshape(()))),
    case("index_put", rand(3, 4), (I(0, 0, 2), I(1, 1, 3)), rand(3), accumulate=True),
    case("index_put", rand(5, dtype="float64"), (I(1, 1, 1, 4),), rand(4, dtype="float64"), accumulate=True),
    case("index_put", rand(3, 4), (np.array([True, False, True]),), rand(4)),
    case("index_put", rand(3, 4, dtype="int64"), (I(1),), rand(4, dtype="int64"), accumulate=True),
    case("index_put", T(rand(3, 4)), (I(0, 2),), rand(2, 4), method=True),
    case("index_put_", rand(3, 4), (I(0, 2),), rand(4),
         fn=lambda lib, a, i, v: (a * 1).index_put_(i, v, accumulate=True)),
    case("index_put_", rand(3, 4), (I(0, 2),), rand(4), fn=lambda lib, a, i, v: (a * 1).index_put_(i, v)),
    case("index_put", rand(3, 4), (I(0, 2),), rand(4, dtype="float64"), raises=True),
    case("index_put", rand(3, 4), (I(0, 5),), rand(4), raises=True),
    case("take", rand(3, 4), I(0, 5, 11, 5)),
    case("take", rand(3, 4), I(-1, 0, 3, 3).reshape(2, 2)),
    case("take", T(rand(3, 4)), I(1, 2, 7)),
    case("take", rand(1), fn=lambda lib, a: lib.take(a.reshape(()), lib.tensor([0, 0]))),
    case("take", rand(3, 4, dtype="int32"), I(4, 1)),
    case("take", rand(3, 4), I()),
    case("take", rand(3, 4), I(0, 5), method=True),
    case("take", NG(rand(3, 4)), I(0, 5), out=Lib(lambda lib: lib.empty(2))),
    case("take", rand(3, 4), I(12), raises=True),
    case("take", rand(3, 4), I(1).astype(np.int32), raises=True),
    case("take_along_dim", rand(3, 4), I(0, 2, 1, 0, 2, 2, 1, 0).reshape(2, 4), 0),
    case("take_along_dim", rand(3, 4), I(3, 0).reshape(1, 2), 1),  # broadcast over dim 0
    case("take_along_dim", rand(3, 1), I(0, 0, 0, 0).reshape(1, 4), -1),
    case("take_along_dim", rand(3, 4), I(11, 0, 5)),
    case("take_along_dim", rand(3, 4, dtype="int64"), I(1, 1, 1).reshape(3, 1), 1),
    case("take_along_dim", T(rand(3, 4)), I(1, 0, 3).reshape(3, 1), 1, method=True),
    case("take_along_dim", NG(rand(3, 4)), I(1, 0, 3), out=Lib(lambda lib: lib.empty(3))),
    case("take_along_dim", rand(3, 4), I(1, 0, 3).astype(np.int32)),
    case("take_along_dim", rand(3, 4), I(1, 0, 3).reshape(1, 3).astype(np.int32), 1, raises=True),
    case("take_along_dim", rand(3, 4), I(1, 0, 3), 0, raises=True),
    case("put", rand(3, 4), I(0, 5, 11), rand(3)),
    case("put", rand(3, 4), I(1, 1, -1), rand(3), accumulate=True),
    case("put", rand(3, 4), I(1, 1, 2, 2).reshape(2, 2), rand(4), accumulate=True),
    case("put", rand(3, 4, dtype="int64"), I(1, 2), rand(2, dtype="int64")),
    case("put", rand(3, 4), I(0, 5, 11), rand(3), method=True),
    case("put_", rand(3, 4), I(0, 5, 11), rand(3), fn=lambda lib, a, i, s: (a * 1).put_(i, s)),
    case("put_", rand(3, 4), I(0, 0), rand(2), fn=lambda lib, a, i, s: (a * 1).put_(i, s, accumulate=True)),
    case("put", rand(3, 4), I(0, 5, 11), rand(2), raises=True),
    case("put", rand(3, 4), I(0, 12), rand(2), raises=True),
]

# --- masked ops ----------------------------------------------------------------------------
MASK = rand(3, 4, dtype="bool")
CASES += [
    case("masked_fill", rand(3, 4), MASK, 1.5),
    case("masked_fill", rand(3, 4), MASK[0], -2),              # mask broadcasts
    case("masked_fill", rand(4), MASK, 0.5),                   # input broadcasts (out of place)
    case("masked_fill", T(rand(3, 4)), MASK, rand(1),         # 0-dim tensor value: grad to value
         fn=lambda lib, a, m, v: lib.masked_fill(a, m, v.reshape(()))),
    case("masked_fill", rand(3, 4), MASK, fn=lambda lib, a, m: lib.masked_fill(a, m, lib.tensor(2))),
    case("masked_fill", rand(3, 4, dtype="int64"), MASK, 2.7),
    case("masked_fill", rand(3, 4, dtype="bool"), MASK, True),
    case("masked_fill", rand(1), fn=lambda lib, a: lib.masked_fill(a.reshape(()), lib.tensor(True), 3.0)),
    case("masked_fill", rand(0, 4), rand(0, 4, dtype="bool"), 3.0),
    case("masked_fill", rand(3, 4), MASK, 1.5, method=True),
    case("masked_fill_", rand(3, 4), MASK, rand(1), fn=lambda lib, a, m, v: (a * 1).masked_fill_(m, v.reshape(()))),
    case("masked_fill_", rand(3, 4), MASK[1], fn=lambda lib, a, m: (a * 1).masked_fill_(m, 0.0)),
    case("masked_fill", rand(3, 4), MASK.astype(np.int64), 1.0, raises=True),
    case("masked_fill", rand(3, 4), MASK, rand(1), raises=True),
    case("masked_fill", rand(3, 4), MASK[:, :2], 1.0, raises=True),
    case("masked_fill_", rand(4), MASK, fn=lambda lib, a, m: (a * 1).masked_fill_(m, 0.0), raises=True),
    case("masked_scatter", rand(3, 4), MASK, rand(12)),
    case("masked_scatter", rand(3, 4), MASK, rand(4, 5)),
    case("masked_scatter", rand(4), MASK, rand(3, 4)),
    case("masked_scatter", T(rand(3, 4)), MASK[2], Sl(rand(3, 4))),
    case("masked_scatter", rand(3, 4, dtype="int64"), MASK, rand(12, dtype="int64")),
    case("masked_scatter", rand(3, 4), MASK, rand(12), method=True),
    case("masked_scatter_", rand(3, 4), MASK, rand(12), fn=lambda lib, a, m, s: (a * 1).masked_scatter_(m, s)),
    case("masked_scatter", rand(3, 4), MASK, rand(2), raises=True),
    case("masked_scatter", rand(3, 4), MASK, rand(12, dtype="float64"), raises=True),
    case("masked_select", rand(3, 4), MASK),
    case("masked_select", rand(4), MASK),
    case("masked_select", rand(3, 4), MASK[0]),
    case("masked_select", T(rand(3, 4)), MASK),
    case("masked_select", rand(3, 4, dtype="int32"), MASK),
    case("masked_select", rand(1), fn=lambda lib, a: lib.masked_select(a.reshape(()), lib.tensor(True))),
    case("masked_select", rand(3, 4), MASK, method=True),
    case("masked_select", NG(rand(3, 4)), MASK, out=Lib(lambda lib: lib.empty(0))),
    case("masked_select", rand(3, 4), MASK.astype(np.uint8), raises=True),
    case("masked_select", rand(3, 4), MASK[:2], raises=True),
]

# --- nonzero / argwhere --------------------------------------------------------------------
for op in ("nonzero", "argwhere"):
    CASES += [
        case(op, rand(3, 4, dtype="int64", low=-1, high=2)),
        case(op, rand(3, 4, dtype="bool")),
        case(op, T(rand(3, 4, dtype="int32", low=-1, high=2))),
        case(op, np.array([0.0, 1.5, -0.0, np.nan], dtype=np.float32)),
        case(op, np.array([3.0]), fn=_z(op)),
        case(op, np.array([0]), fn=_z(op)),
        case(op, rand(0, 3)),
        case(op, rand(2, 3, 2, dtype="int64", low=0, high=2), method=True),
    ]
CASES += [
    case("nonzero", rand(3, 4, dtype="int64", low=-1, high=2), as_tuple=True),
    case("nonzero", np.array([5]), fn=_z("nonzero", as_tuple=True)),
    case("nonzero", np.array([0]), fn=_z("nonzero", as_tuple=True)),
    case("nonzero", rand(4, dtype="bool"), fn=lambda lib, a: a.nonzero(as_tuple=True)),
    case("nonzero", rand(4, dtype="bool"), out=Lib(lambda lib: lib.empty(0, dtype=lib.int64))),
]

# --- sort / argsort / msort ------------------------------------------------------------------
TIES = np.array([[2.0, 1.0, 2.0, 0.5, 1.0], [3.0, 3.0, -1.0, 3.0, 0.0]], dtype=np.float32)
NANS = np.array([1.0, np.nan, -2.0, np.nan, 0.5], dtype=np.float32)
for desc in (False, True):
    CASES += [
        case("sort", rand(3, 5), descending=desc),
        case("sort", rand(3, 5), 0, desc),
        case("sort", TIES, stable=True, descending=desc),
        case("sort", TIES, dim=0, stable=True, descending=desc),
        case("sort", NANS, stable=True, descending=desc),
        case("sort", T(rand(4, 3)), dim=-2, descending=desc, stable=True),
        case("sort", rand(3, 4, dtype="int64", low=-3, high=3), stable=True, descending=desc),
        case("sort", rand(6, dtype="bool"), stable=True, descending=desc),
        case("sort", rand(4, dtype="uint8", low=0, high=3), stable=True, descending=desc),
        case("argsort", TIES, stable=True, descending=desc),
        case("argsort", rand(3, 4, dtype="int32", low=-3, high=3), dim=0, descending=desc, stable=True),
    ]
CASES += [
    case("sort", rand(1), fn=_z("sort")),
    case("sort", rand(0, 3)),
    case("sort", rand(3, 5, dtype="float64"), method=True),
    case("sort", rand(3, 4), dim=1, descending=True, stable=True, fn=lambda lib, a, **kw: a.sort(**kw).values),
    case("sort", NG(rand(3, 4)), out=Lib(lambda lib: (lib.empty(0), lib.empty(0, dtype=lib.int64)))),
    case("sort", rand(3, 4), 2, raises=True),
    case("sort", rand(3, dtype="complex64"), raises=True),
    case("argsort", rand(3, 5)),
    case("argsort", rand(1), fn=_z("argsort")),
    case("argsort", TIES, dim=0, descending=True, stable=True, method=True),
    case("msort", rand(4, 3)),
    case("msort", TIES, stable=True, fn=lambda lib, a, stable: lib.msort(a)),
    case("msort", T(rand(4, 3)), method=True),
    case("msort", rand(4, 3, dtype="int64")),
    case("msort", NG(rand(4, 3)), out=Lib(lambda lib: lib.empty(4, 3))),
]

# --- topk / kthvalue (inputs without ties) ----------------------------------------------------
CASES += [
    case("topk", _distinct(3, 6), 2),
    case("topk", _distinct(3, 6), 3, 0),
    case("topk", _distinct(3, 6), 2, -1, False),
    case("topk", _distinct(3, 6), 6, largest=False, sorted=True),
    case("topk", _distinct(3, 6), 0),
    case("topk", T(_distinct(3, 6)), 2, 0),
    case("topk", _distinct(5, dtype="float64"), 3),
    case("topk", _distinct(5, dtype="int64") * 4, 2),
    case("topk", _distinct(1), fn=_z("topk", 1)),
    case("topk", _distinct(3, 6), 2, method=True),
    case("topk", NG(_distinct(3, 6)), 2, out=Lib(lambda lib: (lib.empty(0), lib.empty(0, dtype=lib.int64)))),
    case("topk", _distinct(3, 6), 7, raises=True),
    case("topk", _distinct(3, 6), 1, 2, raises=True),
    case("kthvalue", _distinct(3, 6), 2),
    case("kthvalue", _distinct(3, 6), 1, 0),
    case("kthvalue", _distinct(3, 6), 6, -1, True),
    case("kthvalue", T(_distinct(3, 6)), 3, 0, keepdim=True),
    case("kthvalue", _distinct(7, dtype="float64"), 4),
    case("kthvalue", _distinct(3, 4, dtype="int32") * 4, 2, 1),
    case("kthvalue", _distinct(1), fn=_z("kthvalue", 1)),
    case("kthvalue", _distinct(3, 6), 2, method=True),
    case("kthvalue", NG(_distinct(3, 6)), 2, out=Lib(lambda lib: (lib.empty(0), lib.empty(0, dtype=lib.int64)))),
    case("kthvalue", _distinct(3, 6), 7, raises=True),
    case("kthvalue", _distinct(3, 6), 0, raises=True),
]

# --- searchsorted / bucketize -----------------------------------------------------------------
SEQ = np.array([1.0, 3.0, 3.0, 5.0, 7.0], dtype=np.float32)
VALS = np.array([[3.0, 6.0, 0.0], [9.0, 7.0, 1.0]], dtype=np.float32)
CASES += [
    case("searchsorted", NG(SEQ), NG(VALS)),
    case("searchsorted", NG(SEQ), NG(VALS), right=True),
    case("searchsorted", NG(SEQ), NG(VALS), side="right"),
    case("searchsorted", NG(SEQ), NG(VALS), side="left", out_int32=True),
    case("searchsorted", NG(SEQ), 3.0),
    case("searchsorted", NG(SEQ), 3, right=True),
    case("searchsorted", I(1, 3, 5, 7), I(0, 3, 8)),
    case("searchsorted", NG(SEQ), I(0, 3, 8)),
    case("searchsorted", NG(np.array([[1.0, 3, 5, 7], [2, 4, 6, 8]], dtype=np.float32)), NG(VALS)),
    case("searchsorted", I(7, 1, 5, 3), I(4, 0, 9), sorter=I(1, 3, 2, 0)),
    case("searchsorted", I(7, 1, 5, 3), I(3), sorter=I(1, 3, 2, 0), right=True),
    case("searchsorted", NG(SEQ), NG(VALS), out=Lib(lambda lib: lib.empty(0, dtype=lib.int64))),
    case("searchsorted", NG(SEQ), NG(VALS), side="left", right=True, raises=True),
    case("searchsorted", NG(np.array([[1.0, 3, 5, 7], [2, 4, 6, 8]], dtype=np.float32)), NG(VALS[:1]), raises=True),
    case("bucketize", NG(VALS), NG(SEQ)),
    case("bucketize", NG(VALS), NG(SEQ), right=True),
    case("bucketize", NG(VALS), NG(SEQ), out_int32=True),
    case("bucketize", 4, NG(SEQ)),
    case("bucketize", I(0, 3, 9), I(1, 3, 5, 7)),
    case("bucketize", NG(VALS), NG(SEQ), out=Lib(lambda lib: lib.empty(0, dtype=lib.int64))),
    case("bucketize", NG(VALS), NG(VALS), raises=True),
]

# --- grad through a sort-based op twice (create_graph-free double use) ----------------------
CASES += [
    case("sort", rand(3, 5), fn=lambda lib, a: a.sort(dim=0).values * a.topk(2, dim=0).values.sum()),
]
