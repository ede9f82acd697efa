"""repr/str of tensors, compared character by character with PyTorch's (``torch.`` -> ``ember.``)."""

import itertools
import zlib

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _pair(arr, dtype=None, requires_grad=False):
    """The same tensor in both libraries, from a NumPy array (dtype given by name)."""
    name = dtype or str(arr.dtype)
    if name in ("bfloat16", "float16"):
        t = torch.tensor(np.asarray(arr, dtype=np.float32)).to(getattr(torch, name))
        e = ember.tensor(np.asarray(arr, dtype=np.float32)).to(getattr(ember, name))
    else:
        t = torch.tensor(np.asarray(arr, dtype=name))
        e = ember.tensor(np.asarray(arr, dtype=name))
    if requires_grad:
        t.requires_grad_(True)
        e.requires_grad_(True)
    return e, t


def check(e, t):
    expected = repr(t).replace("torch.", "ember.")
    assert repr(e) == expected, f"\nember: {repr(e)}\ntorch: {expected}"
    assert str(e) == str(t).replace("torch.", "ember.")


@pytest.fixture(autouse=True)
def _reset_printoptions():
    yield
    torch.set_printoptions(profile="default")
    ember.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


SPECIAL = [
    [1.0, 2.0], [1.5, 2.0], [0.1, 0.2, 0.3], [-0.0, 1.0], [0.0, -0.0], [float("nan"), 1.0],
    [float("inf"), -float("inf"), 2.5], [float("nan")], [0.0], [1e-5, 1.0], [1e9], [1e8, 1.0], [123456.0],
    [1.0, 1001.0], [1.0, 999.0], [1e-4, 1e-4], [0.00012345], [-1.5, 2.25, 1e3], [1e-10, 1e10],
    [float("nan"), float("inf")], [3.0, float("nan"), -float("inf")], [12345.678, 0.5], [1e20, -1e20],
]


@pytest.mark.parametrize("vals", SPECIAL, ids=[str(v) for v in SPECIAL])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_special_values(vals, dtype):
    check(*_pair(np.array(vals), dtype))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 0, 3), (30,), (2, 3, 4), (1100,), (40, 40)])
def test_integers(dtype, shape):
    rng = np.random.default_rng(zlib.crc32(repr((dtype, shape)).encode()))
    if dtype == "bool":
        arr = rng.random(shape) < 0.5
    else:
        info = np.iinfo(dtype)
        arr = rng.integers(max(info.min, -10**6), min(info.max, 10**6), size=shape, endpoint=True).astype(dtype)
    check(*_pair(arr, dtype))


SHAPES = [(), (1,), (0,), (0, 3), (3, 0), (4,), (2, 3), (3, 1, 2), (25,), (7, 13), (2, 2, 2, 2), (1001,),
          (33, 33), (4, 300), (10, 10, 11), (3, 2000), (0, 0, 0)]
SCALES = [1.0, 1e-3, 1e-6, 1e3, 1e5, 1e9, 1e-12]


@pytest.mark.parametrize("shape", SHAPES, ids=[str(s) for s in SHAPES])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_random_floats(shape, scale, dtype):
    rng = np.random.default_rng(zlib.crc32(repr((shape, scale, dtype)).encode()))
    check(*_pair(rng.standard_normal(shape) * scale, dtype))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("shape", [(), (5,), (3, 7), (1200,)])
def test_half_types(dtype, shape):
    rng = np.random.default_rng(7)
    check(*_pair(rng.standard_normal(shape) * 3, dtype))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0,), (20,), (1100,)])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("scale", [1.0, 1e-5, 1e4])
def test_complex(shape, dtype, scale):
    rng = np.random.default_rng(3)
    arr = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * scale
    check(*_pair(arr, dtype))


@pytest.mark.parametrize("vals", [[1 + 2j, -0.0 - 1j], [1j], [0j], [complex("nan+1j")], [1.5 - 2.25j, 3.0 + 0.0j]])
def test_complex_special(vals):
    check(*_pair(np.array(vals), "complex64"))


def test_int_valued_floats():
    for vals in ([1.0, 2.0, 3.0], [1.0, 2000.0], [100.0, -5.0], [1e8, 1.0], [1e9, 2e9]):
        check(*_pair(np.array(vals), "float32"))


def test_requires_grad_and_grad_fn():
    e, t = _pair(np.array([[1.0, 2.0]]), requires_grad=True)
    check(e, t)
    check(e + 1, t + 1)
    check(e * 2, t * 2)
    check((e * 2).sum(), (t * 2).sum())
    e0, t0 = _pair(np.array(1.5), requires_grad=True)
    check(e0, t0)


def test_long_suffix_wraps():
    e, t = _pair(np.arange(20, dtype=np.float64) * 1.123456, requires_grad=True)
    check(e, t)
    check(e * 2, t * 2)
    e, t = _pair(np.arange(11, dtype=np.float64) + 0.5, "float64", requires_grad=True)
    check(e, t)


@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(precision=8), dict(threshold=5), dict(edgeitems=1, threshold=10), dict(linewidth=40),
    dict(linewidth=200), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"), dict(profile="full"),
    dict(profile="short", precision=6), dict(edgeitems=0, threshold=3),
])
def test_printoptions(opts):
    torch.set_printoptions(**opts)
    ember.set_printoptions(**opts)
    rng = np.random.default_rng(11)
    for shape, scale in itertools.product([(), (6,), (4, 5), (30, 30), (1500,)], [1.0, 1e-6, 1e6]):
        check(*_pair(rng.standard_normal(shape) * scale, "float32"))
    check(*_pair(np.arange(2000), "int64"))
    check(*_pair(np.array([1.0, 2.0]), "float64"))


@pytest.mark.parametrize("default", ["float64", "float16", "bfloat16"])
def test_non_float32_default_dtype(default):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    for dtype in ["float32", "float64", "float16", "bfloat16", "int64", "int32", "bool"]:
        check(*_pair(np.array([1.0, 0.0, 2.5]), dtype))
        check(*_pair(np.zeros((0,)), dtype))
        check(*_pair(np.zeros((2, 0)), dtype))
    check(*_pair(np.array([1 + 1j]), "complex64"))
    check(*_pair(np.array([1 + 1j]), "complex128"))


def test_format_and_str():
    e, t = _pair(np.array(2.5), "float32")
    assert f"{e:.2f}" == f"{t:.2f}"
    assert f"{e}" == f"{t}".replace("torch.", "ember.")
    e, t = _pair(np.array([1.0, 2.0]), "float32")
    assert f"{e}" == f"{t}"


def test_views_and_noncontiguous():
    arr = np.arange(24, dtype=np.float32).reshape(4, 6) / 7
    e, t = _pair(arr)
    check(e.t(), t.t())
    check(e[:, ::2], t[:, ::2])
    check(e[1], t[1])
    check(e[1, 2], t[1, 2])
