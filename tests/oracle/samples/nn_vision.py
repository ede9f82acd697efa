"""Samples for the nn family of activation modules / embeddings / vision helpers / distances:
``ember/nn/_functional/{sparse,vision,distance}.py`` (registered ops: embedding, embedding_dense_backward,
constant_pad_nd, resample, resample_backward). Each case calls ``lib.nn.functional.<name>``."""

import numpy as np

from tests.oracle.harness import NG, Lib, Sl, T, case, rand

CASES = []


def F(name, **fixed):
    return lambda lib, *a, **k: getattr(lib.nn.functional, name)(*a, **fixed, **k)


def idx(*vals, dtype="int64"):
    return Lib(lambda lib, v=vals, d=dtype: lib.tensor(np.array(v, dtype=d)))


# --- pad -------------------------------------------------------------------------------------------
for shape, pad in [((2, 3, 5), (1, 2)), ((2, 3, 4, 5), (1, 0, 2, 3)), ((3, 5), (-1, 2)), ((2, 3, 4), (-2, -1, 1, 1)),
                   ((2, 2, 3, 4, 5), (1, 1, 1, 1, 1, 1)), ((4,), (2, 2)), ((2, 3, 0), (1, 1)), ((2, 3), (0, 0))]:
    CASES.append(case("pad", rand(*shape), pad, fn=F("pad"), id="pad_constant"))
CASES += [
    case("pad", rand(2, 3, 4), (1, 2), "constant", 1.5, fn=F("pad"), id="pad_value"),
    case("pad", T(rand(4, 3)), (1, 1, 2, 0), fn=F("pad"), id="pad_T"),
    case("pad", Sl(rand(3, 8)), (1, 1), fn=F("pad"), id="pad_Sl"),
    case("pad", np.arange(12).reshape(3, 4), (1, 2), "constant", 7, fn=F("pad"), id="pad_int"),
    case("pad", rand(3, 4) > 0, (1, 2), fn=F("pad"), id="pad_bool"),
    case("pad", rand(2, 3, 4, dtype="float64"), (1, 1), fn=F("pad"), id="pad_f64"),
    case("pad", rand(2, 3), (1, 2, 3), fn=F("pad"), raises=True, id="pad_odd"),
    case("pad", rand(2, 3), (1, 1, 1, 1, 1, 1), fn=F("pad"), raises=True, id="pad_too_long"),
    case("pad", rand(2, 3), (-3, -1), fn=F("pad"), raises=True, id="pad_negative_size"),
]
for mode in ("reflect", "replicate", "circular"):
    for shape, pad in [((2, 3, 5), (2, 1)), ((3, 5), (1, 3)), ((2, 3, 4, 5), (1, 2, 3, 0)), ((3, 4, 5), (2, 2, 1, 1)),
                       ((1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)), ((2, 3, 4, 5), (1, 0, 1, 1, 0, 1)),
                       ((2, 3, 5), (-1, 2)), ((2, 3, 5), (2, -2))]:
        CASES.append(case("pad", rand(*shape), pad, mode, fn=F("pad"), id=f"pad_{mode}"))
    CASES += [
        case("pad", T(rand(4, 3)), (1, 2), mode, fn=F("pad"), id=f"pad_{mode}_T"),
        case("pad", rand(2, 3, 5, dtype="float64"), (1, 2), mode, fn=F("pad"), id=f"pad_{mode}_f64"),
        case("pad", rand(2, 3, 4, 5), (1, 2), mode, fn=F("pad"), raises=True, id=f"pad_{mode}_bad_rank"),
        case("pad", rand(2, 3, 5), (1, 2), mode, 1.0, fn=F("pad"), raises=True, id=f"pad_{mode}_value"),
    ]
CASES += [
    case("pad", rand(2, 3, 4), (4, 1), "reflect", fn=F("pad"), raises=True, id="pad_reflect_too_big"),
    case("pad", rand(2, 3, 4), (5, 1), "circular", fn=F("pad"), raises=True, id="pad_circular_wrap"),
    case("pad", rand(2, 3, 4), (1, 1), "foo", fn=F("pad"), raises=True, id="pad_bad_mode"),
    case("pad", np.arange(12).reshape(1, 3, 4), (1, 2), "replicate", fn=F("pad"), id="pad_replicate_int"),
]

# --- interpolate -------------------------------------------------------------------------------------
for mode, shape in [("nearest", (2, 3, 5)), ("nearest", (2, 3, 4, 5)), ("nearest", (1, 2, 3, 4, 5)),
                    ("nearest-exact", (2, 3, 4, 5)), ("linear", (2, 3, 5)), ("bilinear", (2, 3, 4, 5)),
                    ("bicubic", (2, 3, 4, 5)), ("trilinear", (1, 2, 3, 4, 5)), ("area", (2, 3, 7)),
                    ("area", (2, 3, 5, 7)), ("area", (1, 2, 3, 5, 7))]:
    nd = len(shape) - 2
    acs = (None,) if mode in ("nearest", "nearest-exact", "area") else (False, True)
    for ac in acs:
        for size in (3, 8, tuple([2, 9, 4][:nd])):
            CASES.append(case("interpolate", rand(*shape), fn=F("interpolate", size=size, mode=mode, align_corners=ac),
                              id=f"interpolate_{mode}"))
        for sf in (2, 0.6, 1.7):
            for rsf in (None, True):
                CASES.append(case("interpolate", rand(*shape), fn=F("interpolate", scale_factor=sf, mode=mode,
                                                                    align_corners=ac, recompute_scale_factor=rsf),
                                  id=f"interpolate_{mode}_sf"))
CASES += [
    case("interpolate", rand(2, 3, 4, 5, dtype="float64"), fn=F("interpolate", size=(7, 3), mode="bilinear"),
         id="interpolate_f64"),
    case("interpolate", T(rand(2, 3, 4, 5)), fn=F("interpolate", scale_factor=(1.5, 2.5),
                                                                        mode="bicubic", align_corners=True),
         id="interpolate_T"),
    case("interpolate", rand(2, 3, 4, 5), fn=F("interpolate"), raises=True, id="interpolate_no_size"),
    case("interpolate", rand(2, 3, 4, 5), fn=F("interpolate", size=3, scale_factor=2), raises=True,
         id="interpolate_both"),
    case("interpolate", rand(2, 3, 4, 5), fn=F("interpolate", size=3, mode="linear"), raises=True,
         id="interpolate_bad_rank"),
    case("interpolate", rand(3, 4), fn=F("interpolate", size=3), raises=True, id="interpolate_2d_input"),
    case("interpolate", rand(2, 3, 4, 5), fn=F("interpolate", size=3, align_corners=True), raises=True,
         id="interpolate_nearest_align"),
    case("interpolate", rand(2, 3, 4, 5), fn=F("interpolate", size=(3, 4, 5)), raises=True,
         id="interpolate_size_len"),
    case("interpolate", rand(2, 3, 4, 5), fn=F("interpolate", scale_factor=0.1), raises=True,
         id="interpolate_zero_out"),
]

# --- pixel / channel shuffle --------------------------------------------------------------------------
CASES += [
    case("pixel_shuffle", rand(2, 8, 3, 4), 2, fn=F("pixel_shuffle")),
    case("pixel_shuffle", rand(9, 2, 3), 3, fn=F("pixel_shuffle")),
    case("pixel_shuffle", rand(2, 2, 4, 2, 3), 2, fn=F("pixel_shuffle")),
    case("pixel_shuffle", np.arange(32).reshape(2, 4, 2, 2), 2, fn=F("pixel_shuffle"), id="pixel_shuffle_int"),
    case("pixel_shuffle", rand(5, 2, 3), 2, fn=F("pixel_shuffle"), raises=True),
    case("pixel_shuffle", rand(4, 3), 2, fn=F("pixel_shuffle"), raises=True),
    case("pixel_unshuffle", rand(2, 2, 4, 6), 2, fn=F("pixel_unshuffle")),
    case("pixel_unshuffle", rand(3, 6, 3), 3, fn=F("pixel_unshuffle")),
    case("pixel_unshuffle", rand(3, 5, 4), 2, fn=F("pixel_unshuffle"), raises=True),
    case("channel_shuffle", rand(2, 6, 3), 2, fn=F("channel_shuffle")),
    case("channel_shuffle", rand(2, 6, 3, 2), 3, fn=F("channel_shuffle")),
    case("channel_shuffle", rand(2, 6, 3), 4, fn=F("channel_shuffle"), raises=True),
    case("channel_shuffle", rand(2, 6), 2, fn=F("channel_shuffle"), raises=True),
]

# --- affine_grid / grid_sample --------------------------------------------------------------------------
for ac in (False, True):
    CASES += [
        case("affine_grid", rand(2, 2, 3), fn=F("affine_grid", size=[2, 3, 4, 5], align_corners=ac)),
        case("affine_grid", rand(2, 3, 4), fn=F("affine_grid", size=[2, 3, 3, 4, 5], align_corners=ac)),
    ]
    for mode in ("bilinear", "nearest", "bicubic"):
        for pm in ("zeros", "border", "reflection"):
            CASES.append(case("grid_sample", rand(2, 3, 5, 6), NG(rand(2, 4, 7, 2, low=-1.3, high=1.3))
                              if mode == "nearest" else rand(2, 4, 7, 2, low=-1.3, high=1.3),
                              fn=F("grid_sample", mode=mode, padding_mode=pm, align_corners=ac),
                              rtol=1e-4 if mode == "bicubic" else None, atol=1e-4 if mode == "bicubic" else None))
            if mode != "bicubic":
                CASES.append(case("grid_sample", rand(1, 2, 3, 4, 5), NG(rand(1, 2, 3, 4, 3, low=-1.3, high=1.3))
                                  if mode == "nearest" else rand(1, 2, 3, 4, 3, low=-1.3, high=1.3),
                                  fn=F("grid_sample", mode=mode, padding_mode=pm, align_corners=ac),
                                  id="grid_sample_3d"))
CASES += [
    case("grid_sample", rand(2, 3, 5), rand(2, 4, 2), fn=F("grid_sample"), raises=True, id="grid_sample_rank"),
    case("grid_sample", rand(2, 3, 5, 6), rand(2, 4, 7, 2), fn=F("grid_sample", mode="foo"), raises=True,
         id="grid_sample_mode"),
    case("affine_grid", rand(2, 3, 3), fn=F("affine_grid", size=[2, 3, 4, 5]), raises=True, id="affine_grid_shape"),
]

# --- embedding / embedding_bag / one_hot ------------------------------------------------------------------
for pad in (None, 0, 3, -1):
    for sg in (False, True):
        CASES += [
            case("embedding", idx([1, 3, 3, 0], [2, 3, 1, 1]), rand(6, 4), fn=F("embedding", padding_idx=pad,
                                                                                 scale_grad_by_freq=sg)),
            case("embedding", idx(3, 2, 3, 5, dtype="int32"), rand(6, 3, dtype="float64"),
                 fn=F("embedding", padding_idx=pad, scale_grad_by_freq=sg)),
        ]
CASES += [
    case("embedding", idx(4), rand(6, 4), fn=F("embedding"), id="embedding_0d"),
    case("embedding", Lib(lambda lib: lib.zeros(0, 3, dtype=lib.int64)), rand(6, 4), fn=F("embedding"),
         id="embedding_empty"),
    case("embedding", idx(1, 6), rand(6, 4), fn=F("embedding"), raises=True, id="embedding_oob"),
    case("embedding", rand(3), rand(6, 4), fn=F("embedding"), raises=True, id="embedding_float_idx"),
    case("embedding", idx(1, 2), rand(6, 4), fn=F("embedding", padding_idx=6), raises=True, id="embedding_pad_oob"),
    case("embedding", idx(1, 5, 1, 2), Lib(lambda lib: lib.tensor(np.random.RandomState(0).randn(6, 4) * 3)),
         fn=F("embedding", max_norm=1.0), grad=False, id="embedding_max_norm"),
]
for mode in ("sum", "mean", "max"):
    for pad in (None, 2):
        CASES += [
            case("embedding_bag", idx([1, 2, 2], [5, 2, 0]), rand(7, 3), fn=F("embedding_bag", mode=mode,
                                                                            padding_idx=pad),
                 id="embedding_bag_2d"),
            case("embedding_bag", idx(1, 2, 2, 5, 6, 0), rand(7, 3), idx(0, 2, 2, 4),
                 fn=F("embedding_bag", mode=mode, padding_idx=pad), id="embedding_bag_offsets"),
            case("embedding_bag", idx(1, 2, 2, 5, 6, 0), rand(7, 3), idx(0, 3, 6),
                 fn=F("embedding_bag", mode=mode, padding_idx=pad, include_last_offset=True),
                 id="embedding_bag_last_offset"),
        ]
CASES += [
    case("embedding_bag", idx(1, 2, 2, 5), rand(7, 3), idx(0, 1), fn=F("embedding_bag", mode="sum"),
         per_sample_weights=rand(4), id="embedding_bag_psw"),
    case("embedding_bag", idx(1, 2, 2, 5), rand(7, 3), idx(0, 1), fn=F("embedding_bag", mode="mean"),
         per_sample_weights=rand(4), raises=True, id="embedding_bag_psw_mean"),
    case("embedding_bag", idx(1, 2, 2, 5), rand(7, 3), fn=F("embedding_bag"), raises=True,
         id="embedding_bag_no_offsets"),
    case("embedding_bag", idx(1, 2, 2, 5), rand(7, 3), idx(1, 2), fn=F("embedding_bag"), raises=True,
         id="embedding_bag_bad_offsets"),
    case("one_hot", idx(1, 0, 3), fn=F("one_hot"), grad=False),
    case("one_hot", idx([1, 0], [2, 2]), 5, fn=F("one_hot"), grad=False),
    case("one_hot", idx(2), 4, fn=F("one_hot"), grad=False),
    case("one_hot", Lib(lambda lib: lib.zeros(0, dtype=lib.int64)), 3, fn=F("one_hot"), grad=False),
    case("one_hot", idx(1, 4), 3, fn=F("one_hot"), raises=True),
    case("one_hot", idx(1, -1), fn=F("one_hot"), raises=True),
    case("one_hot", idx(1, 2, dtype="int32"), 3, fn=F("one_hot"), raises=True),
    case("one_hot", Lib(lambda lib: lib.zeros(0, dtype=lib.int64)), fn=F("one_hot"), raises=True),
]

# --- distances --------------------------------------------------------------------------------------------
CASES += [
    case("cosine_similarity", rand(4, 5), rand(4, 5), fn=F("cosine_similarity")),
    case("cosine_similarity", rand(4, 5), rand(1, 5), fn=F("cosine_similarity", dim=-1, eps=1e-3)),
    case("cosine_similarity", rand(3, 4, 5, dtype="float64"), T(rand(3, 4, 5, dtype="float64")), fn=F("cosine_similarity", dim=0)),
    case("cosine_similarity", rand(5) * 1e-5, rand(5) * 1e-5, fn=F("cosine_similarity", dim=0, eps=1e-3),
         id="cosine_similarity_clamped"),
    case("cosine_similarity", rand(4, 5), rand(4, 5), fn=F("cosine_similarity", dim=2), raises=True,
         id="cosine_similarity_bad_dim"),
    case("pairwise_distance", rand(4, 5), rand(4, 5), fn=F("pairwise_distance")),
    case("pairwise_distance", rand(4, 5), rand(5), fn=F("pairwise_distance", p=1.0, keepdim=True)),
    case("pairwise_distance", rand(3, 4, 5), rand(3, 4, 5), fn=F("pairwise_distance", p=3.0, eps=1e-3)),
    case("pdist", rand(5, 3), fn=F("pdist")),
    case("pdist", rand(4, 3, dtype="float64"), 1.0, fn=F("pdist")),
    case("pdist", rand(4, 3), 3.0, fn=F("pdist")),
    case("pdist", rand(2, 4, 3), fn=F("pdist"), raises=True),
    case("normalize", rand(4, 5), fn=F("normalize")),
    case("normalize", rand(4, 5), fn=F("normalize", p=1.0, dim=0)),
    case("normalize", rand(3, 4, 5, dtype="float64"), fn=F("normalize", dim=-1, eps=1e-3)),
    case("normalize", np.zeros((2, 3), dtype="float32"), fn=F("normalize"), id="normalize_zero"),
    case("gumbel_softmax", rand(3, 4), fn=lambda lib, x: lib.nn.functional.gumbel_softmax(x, hard=True).sum(-1),
         id="gumbel_softmax_hard_rows"),
]
