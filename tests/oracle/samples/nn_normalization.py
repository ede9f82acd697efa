"""Samples for ember/nn/_functional/normalization.py and dropout.py (native_batch_norm, native_layer_norm,
native_group_norm and their backward ops, reached through the gradient checks)."""

from tests.oracle.harness import NG, Lib, Sl, T, case, positive, rand

CASES = []


def _bn(training, momentum=0.1, eps=1e-5, stats=True):
    def fn(lib, x, *wb):
        c = x.shape[1]
        rm = lib.linspace(-0.5, 0.5, c, dtype=x.dtype) if stats else None
        rv = lib.linspace(0.5, 1.5, c, dtype=x.dtype) if stats else None
        out = lib.nn.functional.batch_norm(x, rm, rv, *wb, training=training, momentum=momentum, eps=eps)
        return (out, rm, rv) if stats else out
    return fn


for training in (True, False):
    CASES += [
        case("native_batch_norm", rand(4, 3), rand(3), rand(3), fn=_bn(training), id=f"bn1d-{training}"),
        case("native_batch_norm", rand(4, 3, 5), rand(3), rand(3), fn=_bn(training), id=f"bn1d-3d-{training}"),
        case("native_batch_norm", rand(2, 3, 4, 5) + 3.0, rand(3), rand(3), fn=_bn(training),
             id=f"bn2d-offset-{training}"),
        case("native_batch_norm", rand(2, 3, 2, 3, 2), rand(3), rand(3), fn=_bn(training, 0.3, 1e-3),
             id=f"bn3d-{training}"),
        case("native_batch_norm", T(rand(3, 4, 5, 6)), NG(rand(4)), rand(4), fn=_bn(training),
             id=f"bn-noncontig-{training}"),
        case("native_batch_norm", rand(4, 3, 10, dtype="float64"), rand(3, dtype="float64"),
             rand(3, dtype="float64"), fn=_bn(training), id=f"bn-f64-{training}"),
        case("native_batch_norm", rand(4, 3, 10), fn=_bn(training), id=f"bn-noaffine-{training}"),
        case("native_batch_norm", rand(4, 3, 10), rand(3), fn=_bn(training), id=f"bn-weight-only-{training}"),
    ]
CASES += [
    case("native_batch_norm", rand(4, 3, 6), rand(3), rand(3), fn=_bn(True, stats=False), id="bn-no-stats"),
    case("native_batch_norm", Sl(rand(5, 2, 16)), rand(2), rand(2), fn=_bn(True), id="bn-sliced"),
    case("native_batch_norm", rand(64, 8, 16), rand(8), rand(8), fn=_bn(True), id="bn-large-rows"),
    case("native_batch_norm", rand(4, 3, dtype="float16"), fn=_bn(True, stats=False), rtol=2e-3, atol=2e-3,
         id="bn-f16"),
    case("native_batch_norm", rand(0, 3, 4), fn=_bn(False), id="bn-empty-eval"),
    # errors
    case("native_batch_norm", rand(1, 3), fn=_bn(True), raises=True, id="bn-one-value"),
    case("native_batch_norm", rand(1, 3, 1), fn=_bn(True), raises=True, id="bn-one-value-3d"),
    case("native_batch_norm", rand(4, 3), rand(4), fn=_bn(True), raises=True, id="bn-weight-size"),
    case("native_batch_norm", rand(4, 3, dtype="int64"), fn=_bn(True, stats=False), raises=True, id="bn-int"),
    case("native_batch_norm", rand(4, 3), fn=lambda lib, x: lib.nn.functional.batch_norm(x, None, None),
         raises=True, id="bn-eval-no-stats"),
    case("native_batch_norm", rand(4, 3),
         fn=lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.ones(4), training=True),
         raises=True, id="bn-stats-size"),
]


def _ln(shape, eps=1e-5):
    return lambda lib, x, *wb: lib.nn.functional.layer_norm(x, shape, *wb, eps=eps)


CASES += [
    case("native_layer_norm", rand(4, 8), rand(8), rand(8), fn=_ln((8,))),
    case("native_layer_norm", rand(8), rand(8), rand(8), fn=_ln((8,)), id="ln-1d"),
    case("native_layer_norm", rand(2, 3, 16), rand(16), rand(16), fn=_ln([16])),
    case("native_layer_norm", rand(2, 3, 4, 5) + 5.0, rand(4, 5), rand(4, 5), fn=_ln((4, 5)), id="ln-2dims-offset"),
    case("native_layer_norm", rand(2, 3, 16), fn=_ln((16,)), id="ln-noaffine"),
    case("native_layer_norm", rand(2, 3, 16), rand(16), fn=_ln((16,), 1e-3), id="ln-weight-only"),
    case("native_layer_norm", rand(2, 3, 16), rand(16), None, fn=_ln((16,)), id="ln-weight-none-bias"),
    case("native_layer_norm", T(rand(6, 5)), rand(5), NG(rand(5)), fn=_ln((5,)), id="ln-noncontig"),
    case("native_layer_norm", Sl(rand(3, 16)), rand(16), rand(16), fn=_ln((16,)), id="ln-sliced"),
    case("native_layer_norm", rand(0, 8), rand(8), rand(8), fn=_ln((8,)), id="ln-empty"),
    case("native_layer_norm", rand(3, 6, dtype="float64"), rand(6, dtype="float64"), rand(6, dtype="float64"),
         fn=_ln((6,)), id="ln-f64"),
    case("native_layer_norm", rand(3, 6, dtype="float16"), fn=_ln((6,)), rtol=2e-3, atol=2e-3, id="ln-f16"),
    case("native_layer_norm", rand(2, 3), fn=_ln((4,)), raises=True, id="ln-bad-shape"),
    case("native_layer_norm", rand(2, 3), fn=_ln((2, 3, 4)), raises=True, id="ln-too-many-dims"),
    case("native_layer_norm", rand(2, 3), rand(4), fn=_ln((3,)), raises=True, id="ln-bad-weight"),
    case("native_layer_norm", rand(2, 3, dtype="int64"), fn=_ln((3,)), raises=True, id="ln-int"),
]


def _gn(groups, eps=1e-5):
    return lambda lib, x, *wb: lib.nn.functional.group_norm(x, groups, *wb, eps=eps)


CASES += [
    case("native_group_norm", rand(2, 6, 5), rand(6), rand(6), fn=_gn(3)),
    case("native_group_norm", rand(2, 6, 4, 4) + 4.0, rand(6), rand(6), fn=_gn(2), id="gn-4d-offset"),
    case("native_group_norm", rand(3, 6), rand(6), rand(6), fn=_gn(3), id="gn-2d"),
    case("native_group_norm", rand(2, 4, 3, 2, 2), fn=_gn(4, 1e-3), id="gn-5d-noaffine"),
    case("native_group_norm", rand(2, 4, 9), rand(4), fn=_gn(1), id="gn-one-group-weight-only"),
    case("native_group_norm", T(rand(2, 4, 10)), rand(4), rand(4), fn=_gn(2), id="gn-noncontig"),
    case("native_group_norm", rand(2, 4, 9, dtype="float64"), rand(4, dtype="float64"), rand(4, dtype="float64"),
         fn=_gn(2), id="gn-f64"),
    case("native_group_norm", rand(2, 6, 3), fn=_gn(4), raises=True, id="gn-indivisible"),
    case("native_group_norm", rand(2, 6, 3), rand(5), fn=_gn(3), raises=True, id="gn-bad-weight"),
]

# composites: instance_norm, rms_norm, local_response_norm


def _in(stats, use_input_stats=True, momentum=0.1):
    def fn(lib, x, *wb):
        c = x.shape[1]
        rm = lib.linspace(-0.5, 0.5, c, dtype=x.dtype) if stats else None
        rv = lib.linspace(0.5, 1.5, c, dtype=x.dtype) if stats else None
        out = lib.nn.functional.instance_norm(x, rm, rv, *wb, use_input_stats=use_input_stats, momentum=momentum)
        return (out, rm, rv) if stats else out
    return fn


CASES += [
    case("instance_norm", rand(2, 3, 5), fn=_in(False)),
    case("instance_norm", rand(2, 3, 4, 4), rand(3), rand(3), fn=_in(False), id="in-affine"),
    case("instance_norm", rand(2, 3, 4, 4), rand(3), rand(3), fn=_in(True), id="in-running"),
    case("instance_norm", rand(2, 3, 4), rand(3), rand(3), fn=_in(True, False), id="in-eval-running"),
    case("instance_norm", rand(2, 3, 1), fn=_in(False), raises=True, id="in-one-spatial"),
    case("rms_norm", rand(3, 5), fn=lambda lib, x: lib.nn.functional.rms_norm(x, (5,))),
    case("rms_norm", rand(2, 3, 4), rand(3, 4), fn=lambda lib, x, w: lib.nn.functional.rms_norm(x, (3, 4), w, 1e-3)),
    case("rms_norm", rand(2, 4, dtype="float64"), rand(4, dtype="float64"),
         fn=lambda lib, x, w: lib.nn.functional.rms_norm(x, [4], w)),
    case("rms_norm", rand(2, 3), fn=lambda lib, x: lib.nn.functional.rms_norm(x, (4,)), raises=True),
    case("local_response_norm", rand(2, 5, 4), fn=lambda lib, x: lib.nn.functional.local_response_norm(x, 2)),
    case("local_response_norm", rand(2, 6, 3, 3),
         fn=lambda lib, x: lib.nn.functional.local_response_norm(x, 3, 1e-2, 0.5, 2.0)),
    case("local_response_norm", positive(1, 4, 2, 2, 2),
         fn=lambda lib, x: lib.nn.functional.local_response_norm(x, 4, 0.1)),
    case("local_response_norm", rand(3, 4), fn=lambda lib, x: lib.nn.functional.local_response_norm(x, 2),
         raises=True),
    case("local_response_norm", Lib(lambda lib: lib.zeros(2, 3, 4)),
         fn=lambda lib, x: lib.nn.functional.local_response_norm(x, 3), id="lrn-zeros"),
]

# dropout: deterministic cases only (masks come from ember's own generator)
_DSHAPE = {"dropout1d": (2, 3, 4), "dropout3d": (2, 3, 2, 2, 2)}
for name in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
    shape = _DSHAPE.get(name, (2, 3, 4, 4))
    CASES += [
        case(name, rand(*shape), fn=lambda lib, x, _n=name: getattr(lib.nn.functional, _n)(x, 0.5, False),
             id=f"{name}-eval"),
        case(name, rand(*shape), fn=lambda lib, x, _n=name: getattr(lib.nn.functional, _n)(x, 0.0, True),
             id=f"{name}-p0"),
        case(name, rand(*shape), fn=lambda lib, x, _n=name: getattr(lib.nn.functional, _n)(x, 1.0, True),
             id=f"{name}-p1"),
        case(name, rand(*shape), fn=lambda lib, x, _n=name: getattr(lib.nn.functional, _n)(x, 1.5, True),
             raises=True, id=f"{name}-bad-p"),
    ]
CASES += [
    case("dropout1d", rand(2, 3, 4, 4), fn=lambda lib, x: lib.nn.functional.dropout1d(x, 0.5), raises=True),
    case("dropout", rand(2, 3, dtype="int64"), fn=lambda lib, x: lib.nn.functional.dropout(x, 0.5), raises=True),
    case("feature_alpha_dropout", rand(3),
         fn=lambda lib, x: lib.nn.functional.feature_alpha_dropout(x, 0.5, True), raises=True),
]
