"""The small torch.* modules and switches scripts touch: backends, version, testing, multiprocessing,
deterministic / matmul-precision settings, and ember.cuda on a machine without a GPU."""

import multiprocessing
import os
import warnings

import numpy as np
import pytest
import torch

import ember

# this test module runs without a GPU (CI has none); the cuda checks assume so
pytestmark = pytest.mark.skipif(torch.cuda.is_available() or ember.cuda.is_available(),
                                reason="checks the behaviour of a machine without a GPU")


def _outcome(fn):
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return (type(e).__name__, str(e).replace("torch.", "X.").replace("ember.", "X."))


@pytest.mark.parametrize("expr", [
    "lib.backends.cudnn.is_available()", "lib.backends.cudnn.version()", "lib.backends.cudnn.enabled",
    "lib.backends.cudnn.benchmark", "lib.backends.cudnn.deterministic", "lib.backends.cudnn.allow_tf32",
    "lib.backends.mps.is_available()", "lib.backends.mps.is_built()", "lib.backends.cuda.matmul.allow_tf32",
    "lib.version.cuda", "lib.version.hip", "lib.cuda.is_available()", "lib.cuda.device_count()",
    "lib.cuda.manual_seed(0)", "lib.cuda.manual_seed_all(0)", "lib.cuda.empty_cache()",
    "lib.cuda.is_bf16_supported()", "lib.are_deterministic_algorithms_enabled()",
    "lib.get_float32_matmul_precision()", "lib.get_deterministic_debug_mode()",
])
def test_values_on_a_cpu_machine_match_torch(expr):
    assert eval(expr, {"lib": ember}) == eval(expr, {"lib": torch})


@pytest.mark.parametrize("expr", ["lib.cuda.synchronize()", "lib.cuda.current_device()"])
def test_gpu_queries_raise_torchs_assertion_without_a_gpu(expr):
    kinds = [_outcome(lambda lib=lib: eval(expr, {"lib": lib}))[0] for lib in (torch, ember)]
    assert kinds == ["AssertionError", "AssertionError"]


def test_cpu_capability_is_a_known_level():
    assert ember.backends.cpu.get_cpu_capability() in ("AVX512", "AVX2", "NEON", "VSX", "DEFAULT")


def test_flags_are_settable_like_torchs():
    before = ember.backends.cudnn.benchmark
    try:
        ember.backends.cudnn.benchmark = True
        assert ember.backends.cudnn.benchmark is True
    finally:
        ember.backends.cudnn.benchmark = before


def test_deterministic_and_matmul_precision_settings_round_trip_like_torch():
    try:
        for lib in (torch, ember):
            lib.use_deterministic_algorithms(True, warn_only=True)
        for name in ("are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
                     "get_deterministic_debug_mode"):
            assert getattr(ember, name)() == getattr(torch, name)()
        for mode in ("error", 0, "warn"):
            for lib in (torch, ember):
                lib.set_deterministic_debug_mode(mode)
            assert ember.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
        assert _outcome(lambda: ember.use_deterministic_algorithms("x")) == \
            _outcome(lambda: torch.use_deterministic_algorithms("x"))
        for lib in (torch, ember):
            lib.set_float32_matmul_precision("medium")
        assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "medium"
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            ember.set_float32_matmul_precision("bad")
        assert "bad is not one of 'highest', 'high', or 'medium'" in str(got[0].message)
        assert ember.get_float32_matmul_precision() == "medium"
    finally:
        for lib in (torch, ember):
            lib.use_deterministic_algorithms(False)
            lib.set_float32_matmul_precision("highest")


ASSERT_CLOSE_CASES = [
    lambda lib: lib.testing.assert_close(lib.ones(2), lib.tensor([1.0, 1.1])),
    lambda lib: lib.testing.assert_close(lib.ones(2), lib.ones(3)),
    lambda lib: lib.testing.assert_close(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.testing.assert_close(1.0, 1.1),
    lambda lib: lib.testing.assert_close(2, 3),
    lambda lib: lib.testing.assert_close({"a": lib.ones(2)}, {"a": lib.zeros(2)}),
    lambda lib: lib.testing.assert_close(lib.tensor([1, 2]), lib.tensor([1, 3])),
    lambda lib: lib.testing.assert_close(lib.tensor([True, False]), lib.tensor([True, True])),
    lambda lib: lib.testing.assert_close(lib.tensor([1.0, float("nan")]), lib.tensor([1.0, float("nan")])),
    lambda lib: lib.testing.assert_close(lib.tensor([1.0, float("nan")]), lib.tensor([1.0, float("nan")]),
                                         equal_nan=True),
    lambda lib: lib.testing.assert_close(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0001]), rtol=1e-3, atol=0),
    lambda lib: lib.testing.assert_close(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0001]), rtol=1e-3),
    lambda lib: lib.testing.assert_close([lib.ones(1), 2], [lib.ones(1), 3]),
    lambda lib: lib.testing.assert_close(lib.ones(2, dtype=lib.float16), lib.ones(2, dtype=lib.float16) * 1.0004),
    lambda lib: lib.testing.assert_close(lib.ones(2), lib.ones(2) * 2, msg="custom"),
    lambda lib: lib.testing.assert_close(lib.ones(3, 2).t(), lib.ones(2, 3), check_stride=True),
    lambda lib: lib.testing.assert_close(lib.ones(2, 2), lib.ones(2, 2) + 1e-6),
]


@pytest.mark.parametrize("case", range(len(ASSERT_CLOSE_CASES)))
def test_assert_close_matches_torch(case):
    fn = ASSERT_CLOSE_CASES[case]
    assert _outcome(lambda: fn(ember)) == _outcome(lambda: fn(torch))


def test_assert_close_type_mismatch_is_a_type_error():
    with pytest.raises(TypeError, match="No comparison pair was able to handle inputs"):
        ember.testing.assert_close(ember.ones(2), 1.0)


@pytest.mark.parametrize("dtype,low,high", [("float32", -1, 1), ("float64", None, None), ("int64", None, None),
                                            ("uint8", None, None), ("bool", None, None), ("complex64", -2, 2)])
def test_make_tensor_ranges_and_options(dtype, low, high):
    t = ember.testing.make_tensor(40, 5, dtype=getattr(ember, dtype), device="cpu", low=low, high=high)
    ref = torch.testing.make_tensor(40, 5, dtype=getattr(torch, dtype), device="cpu", low=low, high=high)
    assert tuple(t.shape) == tuple(ref.shape) and str(t.dtype)[6:] == str(ref.dtype)[6:]
    a, r = t.numpy(), ref.numpy()
    if dtype != "bool":
        parts = (a.real, a.imag) if a.dtype.kind == "c" else (a,)
        refs = (r.real, r.imag) if r.dtype.kind == "c" else (r,)
        for p, q in zip(parts, refs):         # same documented range as torch's samples
            assert p.min() >= min(q.min(), -9 if low is None else low) - 1e-6
            assert p.max() <= max(q.max(), 10 if high is None else high)
    nc = ember.testing.make_tensor(4, 3, dtype=ember.float32, device="cpu", noncontiguous=True,
                                   requires_grad=True, exclude_zero=True)
    assert not nc.is_contiguous() and nc.requires_grad and tuple(nc.shape) == (4, 3)
    assert (nc.detach().numpy() != 0).all()


def _write_rank(rank, folder):
    with open(os.path.join(folder, f"rank{rank}"), "w") as f:
        f.write(str(rank * 10))


def _fail_on_one(rank):
    if rank == 1:
        raise SystemExit(3)


def test_multiprocessing_is_pythons_and_spawn_runs_every_rank(tmp_path):
    assert ember.multiprocessing.get_context is multiprocessing.get_context
    ember.multiprocessing.spawn(_write_rank, args=(str(tmp_path),), nprocs=2, start_method="fork")
    assert sorted(p.read_text() for p in tmp_path.iterdir()) == ["0", "10"]
    with pytest.raises(RuntimeError, match="process 1 terminated with exit code 3"):
        ember.multiprocessing.spawn(_fail_on_one, nprocs=2, start_method="fork")


def test_version_module():
    assert ember.version.__version__ == ember.__version__
    assert np.all([ember.version.cuda is None, ember.version.debug is False])
