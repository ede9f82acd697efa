"""dtypes against PyTorch: promotion, result_type, can_cast, finfo/iinfo, defaults, attributes, aliases."""

import itertools

import pytest

import ember

torch = pytest.importorskip("torch")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
         "complex64", "complex128"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]


def _n(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


@pytest.fixture(autouse=True)
def _restore_default():
    yield
    torch.set_default_dtype(torch.float32)
    ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types_and_can_cast(a, b):
    assert _n(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
        _n(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b))


def _operand(lib, kind):
    k, v = kind
    if k == "dim":
        return lib.zeros(2, dtype=getattr(lib, v))
    if k == "zero":
        return lib.zeros((), dtype=getattr(lib, v))
    return v


KINDS = [("dim", n) for n in NAMES] + [("zero", n) for n in NAMES] + [("py", v) for v in (True, 2, 2.5, 1j)]


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_result_type(default):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    for a, b in itertools.product(KINDS, KINDS):
        if a[0] == "py" and b[0] == "py":
            continue
        t = torch.result_type(_operand(torch, a), _operand(torch, b))
        if t == torch.complex32:  # ember has no complex32 (float16 with complex): complex64 instead
            continue
        assert _n(ember.result_type(_operand(ember, a), _operand(ember, b))) == _n(t), (a, b)


@pytest.mark.parametrize("name", FLOATS + ["complex64", "complex128"])
def test_finfo(name):
    t, e = torch.finfo(getattr(torch, name)), ember.finfo(getattr(ember, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    t, e = torch.iinfo(getattr(torch, name)), ember.iinfo(getattr(ember, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


def test_info_errors():
    with pytest.raises(TypeError):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError):
        ember.iinfo(ember.bool)
    assert ember.finfo().dtype == "float32"


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    t, e = getattr(torch, name), getattr(ember, name)
    assert e.itemsize == t.itemsize
    assert e.is_signed == t.is_signed
    assert e.is_floating_point == t.is_floating_point
    assert e.is_complex == t.is_complex
    assert _n(e.to_real()) == _n(t.to_real())
    if name in ("float32", "float64", "complex64", "complex128"):
        assert _n(e.to_complex()) == _n(t.to_complex())
    elif name not in ("float16", "bfloat16"):
        with pytest.raises(RuntimeError):
            e.to_complex()
    assert repr(e) == repr(t).replace("torch.", "ember.")
    x = ember.zeros(1, dtype=e)
    assert ember.is_floating_point(x) == torch.is_floating_point(torch.zeros(1, dtype=t))
    assert ember.is_complex(x) == torch.is_complex(torch.zeros(1, dtype=t))


def test_aliases():
    for alias in ("half", "float", "double", "long", "int", "short", "cfloat", "cdouble", "bool"):
        assert _n(getattr(ember, alias)) == _n(getattr(torch, alias))


@pytest.mark.parametrize("default", FLOATS)
def test_default_dtype_effects(default):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    assert _n(ember.get_default_dtype()) == _n(torch.get_default_dtype())
    pairs = [
        (lambda L: L.tensor([1.0])), (lambda L: L.arange(0.5)), (lambda L: L.tensor([1]) / L.tensor([2])),
        (lambda L: L.tensor([1]) * 1.5), (lambda L: L.zeros(2)), (lambda L: L.full((1,), 2.5)),
        (lambda L: L.linspace(0, 1, 3)), (lambda L: L.tensor([1, 2.0])),
    ]
    for f in pairs:
        assert _n(f(ember).dtype) == _n(f(torch).dtype)


def test_set_default_dtype_errors():
    for bad in ("int64", "bool", "complex64"):
        with pytest.raises(TypeError):
            ember.set_default_dtype(getattr(ember, bad))
