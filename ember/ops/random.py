"""Random sampling: Generator, manual_seed, rand, randn, randint, randperm, normal, bernoulli,
multinomial, poisson, the ``*_like`` samplers and the in-place ``Tensor.uniform_`` family.

Every generator wraps NumPy's ``Generator(PCG64)``: the same seed gives the same numbers
in every run and on every platform NumPy supports. ember cannot reproduce PyTorch's
exact streams (PyTorch uses a Mersenne Twister on cpu and Philox on cuda, with its own
transformations), so ``ember.manual_seed(0); ember.rand(3)`` gives other numbers than
``torch.manual_seed(0); torch.rand(3)``: only the distributions, shapes, dtypes and
devices match. The state returned by ``get_state()`` is ember's own layout (56 bytes), not
PyTorch's.

Like PyTorch, the default generator starts from a non-deterministic seed, and a new
``Generator()`` starts from the seed 67280421310721. Samples for cuda tensors are drawn
on the host from the same stream and copied to the device, so a seed gives the same
numbers on every device.
"""

from __future__ import annotations

import os

import numpy as np

from ember import _dtype as D
from ember._device import CPU, canonical, device, to_backend
from ember._dispatch import bump_version, check_inplace, dispatch
from ember._tensor import Tensor, _make
from ember.autograd import grad_mode
from ember.ops._util import methods, parse_size, write_out
from ember.ops.registry import defop

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "poisson",
    "rand_like",
    "randn_like",
    "randint_like",
]

_DEFAULT_SEED = 67280421310721
_U64 = 1 << 64
_STATE_BYTES = 56


def _check_seed(seed) -> int:
    if isinstance(seed, Tensor):
        seed = seed.item()
    if isinstance(seed, float) and seed.is_integer():
        seed = int(seed)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -(1 << 63) <= seed < _U64:
        raise RuntimeError("Overflow when unpacking long")
    return seed % _U64


class Generator:
    """A source of random numbers (``torch.Generator``), backed by NumPy's PCG64."""

    def __init__(self, device="cpu"):
        dev = canonical(device)
        self._device = dev
        self._seed = _DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(_DEFAULT_SEED))

    @property
    def device(self) -> device:
        return self._device

    def manual_seed(self, seed) -> Generator:
        self._seed = _check_seed(seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Re-seed from OS entropy; returns the new seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (ember's own layout)."""
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little") + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(8, "little") + int(st["uinteger"]).to_bytes(8, "little")
               + self._seed.to_bytes(8, "little"))
        return _make(np.frombuffer(raw, dtype=np.uint8).copy(), D.uint8, CPU)

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._dtype is not D.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got {new_state.type()}")
        raw = bytes(np.ascontiguousarray(new_state._host()).reshape(-1))
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Expected either a PhiloxCudaState of size 16 or a CPUGeneratorImplState of "
                               f"size {_STATE_BYTES} but found the input RNG state size to be {len(raw)}")
        bitgen = np.random.PCG64()
        bitgen.state = {"bit_generator": "PCG64",
                        "state": {"state": int.from_bytes(raw[0:16], "little"),
                                  "inc": int.from_bytes(raw[16:32], "little")},
                        "has_uint32": int.from_bytes(raw[32:40], "little"),
                        "uinteger": int.from_bytes(raw[40:48], "little")}
        self._rng = np.random.Generator(bitgen)
        self._seed = int.from_bytes(raw[48:56], "little")
        return self

    def clone_state(self) -> Generator:
        g = Generator(self._device)
        return g.set_state(self.get_state())

    def __repr__(self):
        return f"<ember.Generator object at {id(self):#x}>"


default_generator = Generator()
default_generator.seed()


def manual_seed(seed) -> Generator:
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from OS entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


# ---------------------------------------------------------------------------------------
# helpers

def _rng(generator, dev) -> np.random.Generator:
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a Generator, but got {type(generator).__name__}")
    if generator._device.type != dev.type:
        raise RuntimeError(f"Expected a '{dev.type}' device type for generator but found "
                           f"'{generator._device.type}'")
    return generator._rng


def _finish(arr: np.ndarray, dt: D.dtype, dev, requires_grad=False, out=None) -> Tensor:
    if dev.type != "cpu":
        arr = to_backend(arr, dev)
    t = _make(arr, dt, dev)
    if requires_grad:
        t.requires_grad_(True)
    if grad_mode.state.inference:
        t._autograd_meta().is_inference = True
    return t if out is None else write_out(out, t)


def _not_implemented(kernel: str, dt: D.dtype):
    return NotImplementedError(f"\"{kernel}\" not implemented for '{dt._torch_name}'")


_HALF_DIGITS = {D.float16: 11, D.bfloat16: 8}


def _uniform01(rng, shape, dt: D.dtype) -> np.ndarray:
    """Uniform [0, 1) values of ``dt`` (never rounding up to 1 in a narrow dtype)."""
    if dt is D.float64 or dt is D.float32:
        return rng.random(shape, dtype=dt.np)
    if dt in _HALF_DIGITS:
        k = _HALF_DIGITS[dt]
        return (rng.integers(0, 1 << k, size=shape, dtype=np.int64) * (1.0 / (1 << k))).astype(dt.np)
    if dt.category == D.COMPLEX:
        part = D.float32 if dt is D.complex64 else D.float64
        return (_uniform01(rng, shape, part) + 1j * _uniform01(rng, shape, part)).astype(dt.np)
    raise _not_implemented("check_uniform_bounds", dt)


def _std_normal(rng, shape, dt: D.dtype) -> np.ndarray:
    if dt is D.float64 or dt is D.float32:
        return rng.standard_normal(shape, dtype=dt.np)
    if dt in _HALF_DIGITS:
        return rng.standard_normal(shape, dtype=np.float32).astype(dt.np)
    if dt.category == D.COMPLEX:  # real and imaginary parts each N(0, 1/2)
        part = np.float32 if dt is D.complex64 else np.float64
        z = rng.standard_normal((2,) + tuple(shape), dtype=part) * part(np.sqrt(0.5))
        return (z[0] + 1j * z[1]).astype(dt.np)
    raise _not_implemented("normal_kernel_cpu", dt)


def _size(size, fname: str) -> tuple:
    shape = parse_size(size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    return shape


# ---------------------------------------------------------------------------------------
# factories

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False) -> Tensor:
    """Uniform samples from [0, 1)."""
    shape = _size(size, "rand")
    dt = dtype or (out._dtype if out is not None else D._default.value)
    dev = canonical(device)
    return _finish(_uniform01(_rng(generator, dev), shape, dt), dt, dev, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False) -> Tensor:
    """Standard normal samples (complex dtypes: each part has variance 1/2)."""
    shape = _size(size, "randn")
    dt = dtype or (out._dtype if out is not None else D._default.value)
    dev = canonical(device)
    return _finish(_std_normal(_rng(generator, dev), shape, dt), dt, dev, requires_grad, out)


def _int_bounds(rng, low: int, high: int, shape, dt: D.dtype) -> np.ndarray:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dt is D.bool_ and (low < 0 or high > 2):
        raise RuntimeError("to - 1 is out of bounds for bool" if high > 2 else "from is out of bounds for bool")
    if dt.category == D.INT and dt is not D.int64:
        info = np.iinfo(dt.np)
        if low < info.min:
            raise RuntimeError(f"from is out of bounds for {dt.name}")
        if high - 1 > info.max:
            raise RuntimeError(f"to - 1 is out of bounds for {dt.name}")
    return rng.integers(low, high, size=shape, dtype=np.int64).astype(dt.np, copy=False)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False, low=None, high=None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high); int64 by default."""
    args = list(args)
    if size is None:
        if not args:
            raise TypeError("randint() missing required argument 'size'")
        size = args.pop()
    if high is None:
        if not args:
            raise TypeError("randint() missing required argument 'high'")
        high = args.pop()
    if low is None:
        low = args.pop() if args else 0
    if args:
        raise TypeError("randint() takes at most 3 positional arguments")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not {type(size).__name__}")
    shape = _size((size,), "randint")
    dt = dtype or (out._dtype if out is not None else D.int64)
    dev = canonical(device)
    arr = _int_bounds(_rng(generator, dev), int(low), int(high), shape, dt)
    return _finish(arr, dt, dev, requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = dtype or (out._dtype if out is not None else D.int64)
    dev = canonical(device)
    arr = _rng(generator, dev).permutation(n).astype(dt.np)
    return _finish(arr, dt, dev, requires_grad, out)


def _like_args(input, dtype, device):
    return dtype or input._dtype, input._device if device is None else canonical(device)


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dt, dev = _like_args(input, dtype, device)
    return _finish(_uniform01(_rng(generator, dev), input._data.shape, dt), dt, dev, requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    dt, dev = _like_args(input, dtype, device)
    return _finish(_std_normal(_rng(generator, dev), input._data.shape, dt), dt, dev, requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None) -> Tensor:
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``; keeps input's dtype."""
    if high is None:
        low, high = 0, low
    dt, dev = _like_args(input, dtype, device)
    arr = _int_bounds(_rng(generator, dev), int(low), int(high), input._data.shape, dt)
    return _finish(arr, dt, dev, requires_grad)


# ---------------------------------------------------------------------------------------
# normal: four overloads; differentiable with zero gradients (as PyTorch)

def _normal_grad_name(kwargs) -> str:
    return f"NormalBackward{kwargs['which']}"


@defop("normal", grad_name=_normal_grad_name)
def _normal(xp, mean, std, *, which, dtype, rng):
    std_arr = np.asarray(std) if not hasattr(std, "__cuda_array_interface__") else std
    if (std_arr < 0).any():
        if which == 1:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        raise RuntimeError("normal expects all elements of std >= 0.0")
    shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
    work = D.float64 if dtype is D.float64 else D.float32
    eps = xp.asarray(_std_normal(rng, shape, work))
    res = xp.asarray(std, dtype=work.np) * eps + xp.asarray(mean, dtype=work.np)
    return res.astype(dtype.np, copy=False)


@_normal.defbackward
def _(ctx, g):
    from ember.ops.creation import zeros_like
    z = zeros_like(g)
    return tuple(z if isinstance(a, Tensor) else None for a in ctx.args)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False) -> Tensor:
    """Normal samples: ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)``, ``normal(mean, std, size)``."""
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), "
                            "but expected (float mean, float std, tuple of ints size, ...)")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        shape = _size((size,), "normal")
        dt = dtype or (out._dtype if out is not None else D._default.value)
        dev = canonical(device)
        arr = _std_normal(_rng(generator, dev), shape, dt)
        arr = (arr * np.asarray(std, dtype=arr.dtype) + np.asarray(mean, dtype=arr.dtype)).astype(dt.np)
        return _finish(arr, dt, dev, requires_grad, out)
    ref = mean if mt else std
    dt = ref._dtype
    if dt.category < D.FLOAT:
        raise _not_implemented("normal_kernel_cpu", dt)
    which = 3 if mt and st else (1 if mt else 2)
    if which == 3 and mean._device != std._device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{mean._device} and {std._device}!")
    if not mt:
        mean = float(mean)
    if not st:
        std = float(std)
    res = dispatch(_normal, mean, std, which=which, dtype=dt, rng=_rng(generator, ref._device))
    return res if out is None else write_out(out, res)


# ---------------------------------------------------------------------------------------
# bernoulli (differentiable in p with zero gradient), multinomial, poisson

@defop("bernoulli")
def _bernoulli(xp, p, *, rng):
    if p.size and ((p < 0).any() or (p > 1).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = _uniform01(rng, p.shape, D.float64)
    return (xp.asarray(u) < p).astype(p.dtype)


@_bernoulli.defbackward
def _(ctx, g):
    from ember.ops.creation import zeros_like
    return zeros_like(g)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples: probability ``input`` elementwise, or ``p`` for every element (same shape/dtype)."""
    if p is not None:
        res = input.new_empty(input.shape)
        _bernoulli_(res, p, generator=generator)
    else:
        if input._dtype.category < D.FLOAT:
            raise _not_implemented("bernoulli_tensor_cpu_self_", input._dtype)
        res = dispatch(_bernoulli, input, rng=_rng(generator, input._device))
    return res if out is None else write_out(out, res)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """Indices sampled from the rows of ``input`` (non-negative weights, need not sum to 1)."""
    nd = input._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, but got {nd}")
    if input._dtype.category != D.FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input._dtype._torch_name}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    probs = np.asarray(input._host(), dtype=np.float64).reshape(-1, input._data.shape[-1])
    ncat = probs.shape[1]
    if not replacement and num_samples > ncat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    sums = probs.sum(axis=1)
    if (sums <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator, input._device)
    if replacement:
        cdf = np.cumsum(probs, axis=1)
        cdf /= cdf[:, -1:]
        u = rng.random((probs.shape[0], num_samples))
        idx = np.empty(u.shape, dtype=np.int64)
        for r in range(probs.shape[0]):
            idx[r] = np.searchsorted(cdf[r], u[r], side="right")
        np.minimum(idx, ncat - 1, out=idx)
    else:
        # weighted sampling without replacement: the k smallest exponential(1) / p keys
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential(probs.shape) / probs  # zero weights: inf, picked last
        idx = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    if nd == 1:
        idx = idx[0]
    return _finish(np.ascontiguousarray(idx), D.int64, input._device, False, out)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input`` (same dtype)."""
    if input._dtype.category != D.FLOAT:
        raise _not_implemented("poisson_cpu", input._dtype)
    rates = np.asarray(input._host(), dtype=np.float64)
    if (rates < 0).any() or not np.isfinite(rates).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    arr = _rng(generator, input._device).poisson(rates).astype(input._dtype.np)
    return _finish(arr, input._dtype, input._device)


# ---------------------------------------------------------------------------------------
# in-place samplers (Tensor methods)

def _fill(self: Tensor, arr: np.ndarray) -> Tensor:
    """Write sampled host values into ``self`` (not recorded: PyTorch's gradient is zero)."""
    check_inplace(self)
    if self._device.type != "cpu":
        arr = to_backend(arr, self._device)
    self._data[...] = arr
    bump_version(self)
    return self


def _from_to(args, kwargs, defaults, fname):
    names = ("from", "to")
    vals = list(defaults)
    if len(args) > 2:
        raise TypeError(f"{fname}() takes at most 2 positional arguments ({len(args)} given)")
    for i, a in enumerate(args):
        vals[i] = a
    for k, v in kwargs.items():
        if k not in names:
            raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")
        vals[names.index(k)] = v
    return vals


def _uniform_(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
    lo, hi = _from_to(args, kwargs, (0.0, 1.0), "uniform_")
    dt = self._dtype
    if dt.category < D.FLOAT:
        raise _not_implemented("check_uniform_bounds", dt)
    if lo > hi:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={lo} > to={hi}")
    rng = _rng(generator, self._device)
    if dt.category == D.COMPLEX:
        part = D.float32 if dt is D.complex64 else D.float64
        shape = self._data.shape
        re = _uniform01(rng, shape, part) * (hi - lo) + lo
        im = _uniform01(rng, shape, part) * (hi - lo) + lo
        return _fill(self, re + 1j * im)
    work = D.float64 if dt is D.float64 else D.float32
    u = _uniform01(rng, self._data.shape, work)
    return _fill(self, u * work.np.type(hi - lo) + work.np.type(lo))


def _normal_(self: Tensor, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = self._dtype
    if dt.category < D.FLOAT:
        raise _not_implemented("normal_kernel_cpu", dt)
    z = _std_normal(_rng(generator, self._device), self._data.shape, dt if dt.category == D.COMPLEX or
                    dt is D.float64 else D.float32)
    return _fill(self, z * std + mean)


def _log_normal_(self: Tensor, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    if self._dtype.category != D.FLOAT:
        raise _not_implemented("log_normal_cpu", self._dtype)
    z = _rng(generator, self._device).standard_normal(self._data.shape)
    return _fill(self, np.exp(z * std + mean))


def _exponential_(self: Tensor, lambd=1.0, *, generator=None) -> Tensor:
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    if self._dtype.category != D.FLOAT:
        raise _not_implemented("exponential_cpu", self._dtype)
    e = _rng(generator, self._device).standard_exponential(self._data.shape)
    e = np.maximum(e, np.finfo(np.float64).tiny)  # PyTorch never returns 0
    return _fill(self, e / lambd)


def _geometric_(self: Tensor, p, *, generator=None) -> Tensor:
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    if self._dtype is D.bool_:
        raise _not_implemented("geometric_cpu", self._dtype)
    return _fill(self, _rng(generator, self._device).geometric(p, self._data.shape))


def _cauchy_(self: Tensor, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    if self._dtype.category != D.FLOAT:
        raise _not_implemented("cauchy_cpu", self._dtype)
    c = _rng(generator, self._device).standard_cauchy(self._data.shape)
    return _fill(self, c * sigma + median)


def _random_bounds(dt: D.dtype) -> tuple[int, int]:
    """[0, hi] for ``random_()`` with no range: every integer exactly representable in ``dt``."""
    if dt is D.bool_:
        return 0, 1
    if dt.category == D.INT:
        return 0, int(np.iinfo(dt.np).max)
    digits = {D.float16: 11, D.bfloat16: 8, D.float32: 24, D.float64: 53}[dt]
    return 0, 1 << digits


def _random_(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
    lo, hi = _from_to(args, kwargs, (None, None), "random_")
    dt = self._dtype
    if dt.category == D.COMPLEX:
        raise _not_implemented("random_from_to", dt)
    if lo is None and hi is None:
        lo, hi = _random_bounds(dt)
        hi += 1
    elif hi is None:
        lo, hi = 0, lo
    lo, hi = int(lo), int(hi)
    return _fill(self, _int_bounds(_rng(generator, self._device), lo, hi, self._data.shape,
                                   D.int64 if dt.category != D.INT or dt is D.int64 else dt))


def _bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    rng = _rng(generator, self._device)
    if isinstance(p, Tensor):
        probs = np.asarray(p._host(), dtype=np.float64)
    else:
        probs = float(p)
    if not ((np.asarray(probs) >= 0).all() and (np.asarray(probs) <= 1).all()):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = rng.random(self._data.shape)
    return _fill(self, (u < probs).astype(self._dtype.np))


def _bernoulli_method(self: Tensor, p=None, *, generator=None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self: Tensor, num_samples, replacement=False, *, generator=None) -> Tensor:
    return multinomial(self, num_samples, replacement, generator=generator)


methods(names={
    "uniform_": _uniform_, "normal_": _normal_, "log_normal_": _log_normal_, "exponential_": _exponential_,
    "geometric_": _geometric_, "cauchy_": _cauchy_, "random_": _random_, "bernoulli_": _bernoulli_,
    "bernoulli": _bernoulli_method, "multinomial": _multinomial_method,
})
