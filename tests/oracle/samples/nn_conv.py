"""Samples for ember/nn/_functional/conv.py and pooling.py (convolution, im2col/col2im, pooling ops)."""

from tests.oracle.harness import NG, Sl, T, case, rand

CASES = []


def _f(name, **kw):
    return lambda lib, *a: getattr(lib.nn.functional, name)(*a, **kw)


# convolution (the "convolution" op; its backward exercises convolution_weight_grad)
CASES += [
    case("convolution", rand(2, 3, 7, 8), rand(4, 3, 3, 3), rand(4), fn=_f("conv2d", padding=1), id="conv2d"),
    case("convolution", rand(2, 4, 7, 8), rand(6, 2, 3, 2), fn=_f("conv2d", stride=(2, 1), dilation=(1, 2), groups=2),
         id="conv2d-groups"),
    case("convolution", rand(2, 4, 7, 8), rand(8, 1, 3, 3), rand(8), fn=_f("conv2d", groups=4, padding="same"),
         id="conv2d-depthwise-same"),
    case("convolution", rand(3, 7, 8), rand(4, 3, 2, 2), fn=_f("conv2d", padding="same"), id="conv2d-unbatched"),
    case("convolution", T(rand(2, 3, 7, 8)), Sl(rand(4, 3, 3, 3)), fn=_f("conv2d"), id="conv2d-noncontig"),
    case("convolution", rand(2, 3, 7, 8, dtype="float64"), rand(4, 3, 3, 3, dtype="float64"),
         rand(4, dtype="float64"), fn=_f("conv2d", stride=2, padding=1), id="conv2d-f64"),
    case("convolution", rand(2, 3, 7, 8), NG(rand(4, 3, 3, 3)), fn=_f("conv2d", padding="valid"), id="conv2d-ng"),
    case("convolution", rand(2, 3, 5, 5, dtype="int64", low=-3, high=3), rand(2, 3, 3, 3, dtype="int64", low=-3,
                                                                                    high=3),
         fn=_f("conv2d", padding=1), id="conv2d-int64"),
    case("convolution", rand(0, 3, 5, 5), rand(2, 3, 3, 3), fn=_f("conv2d"), id="conv2d-empty-batch"),
    case("convolution", rand(2, 3, 11), rand(5, 3, 3), rand(5), fn=_f("conv1d", stride=2, padding=1), id="conv1d"),
    case("convolution", rand(3, 11), rand(5, 3, 3), fn=_f("conv1d", dilation=3), id="conv1d-unbatched"),
    case("convolution", rand(1, 2, 4, 5, 3), rand(3, 2, 2, 3, 2), rand(3), fn=_f("conv3d", padding=(1, 0, 1)),
         id="conv3d"),
    case("convolution", rand(2, 4, 5, 6), rand(4, 3, 3, 3), rand(6),
         fn=_f("conv_transpose2d", stride=2, padding=1, output_padding=1, groups=2), id="conv_transpose2d"),
    case("convolution", rand(4, 5, 6), rand(4, 3, 3, 2), fn=_f("conv_transpose2d", stride=(1, 2), dilation=(2, 1)),
         id="conv_transpose2d-unbatched"),
    case("convolution", rand(2, 3, 6), rand(3, 2, 4), rand(2), fn=_f("conv_transpose1d", stride=3, output_padding=2),
         id="conv_transpose1d"),
    case("convolution", rand(1, 2, 3, 3, 2), rand(2, 2, 2, 2, 2), fn=_f("conv_transpose3d", stride=2),
         id="conv_transpose3d"),
    case("convolution", rand(2, 3), rand(4, 3, 3, 3), fn=_f("conv2d"), raises=True, id="conv2d-rank"),
    case("convolution", rand(1, 4, 5, 5), rand(4, 3, 3, 3), fn=_f("conv2d"), raises=True, id="conv2d-channels"),
    case("convolution", rand(1, 3, 2, 2), rand(4, 3, 3, 3), fn=_f("conv2d"), raises=True, id="conv2d-small"),
    case("convolution", rand(1, 3, 5, 5), rand(4, 3, 3, 3), fn=_f("conv2d", stride=2, padding="same"), raises=True,
         id="conv2d-same-strided"),
    case("convolution", rand(1, 3, 5, 5, dtype="float64"), rand(4, 3, 3, 3), fn=_f("conv2d"), raises=True,
         id="conv2d-dtype"),
    case("convolution", rand(1, 3, 5, 5), rand(3, 2, 3, 3), fn=_f("conv_transpose2d", stride=2, output_padding=2),
         raises=True, id="conv_transpose2d-output-padding"),
]

# unfold / fold (im2col / col2im)
CASES += [
    case("im2col", rand(2, 3, 6, 7), fn=_f("unfold", kernel_size=(2, 3), stride=(1, 2), padding=1, dilation=(2, 1)),
         id="unfold"),
    case("im2col", rand(3, 5, 5), fn=_f("unfold", kernel_size=2), id="unfold-unbatched"),
    case("im2col", T(rand(2, 3, 6, 7)), fn=_f("unfold", kernel_size=3, stride=2), id="unfold-noncontig"),
    case("im2col", rand(5, 5), fn=_f("unfold", kernel_size=2), raises=True, id="unfold-rank"),
    case("im2col", rand(0, 2, 5, 5), fn=_f("unfold", kernel_size=2), id="unfold-empty-batch"),
    case("col2im", rand(2, 12, 12), fn=_f("fold", output_size=(4, 5), kernel_size=2), id="fold"),
    case("col2im", rand(18, 9), fn=_f("fold", output_size=(5, 6), kernel_size=3, stride=2, padding=1), id="fold-ub"),
    case("col2im", rand(2, 5, 12), fn=_f("fold", output_size=(4, 5), kernel_size=2), raises=True, id="fold-bad"),
]

# max pooling (max_pool; backward exercises max_pool_backward)
CASES += [
    case("max_pool", rand(2, 3, 8, 9), fn=_f("max_pool2d", kernel_size=2), id="max_pool2d"),
    case("max_pool", rand(2, 3, 8, 9), fn=_f("max_pool2d", kernel_size=3, stride=2, padding=1, return_indices=True),
         id="max_pool2d-indices"),
    case("max_pool", rand(3, 8, 9), fn=_f("max_pool2d", kernel_size=(3, 2), stride=(2, 1), dilation=(1, 2),
                                          ceil_mode=True, return_indices=True), id="max_pool2d-ceil-dilation"),
    case("max_pool", Sl(rand(2, 3, 8, 9)), fn=_f("max_pool2d", kernel_size=2), id="max_pool2d-noncontig"),
    case("max_pool", rand(2, 3, 10, dtype="float64"), fn=_f("max_pool1d", kernel_size=3, stride=2, padding=1,
                                                            ceil_mode=True, return_indices=True), id="max_pool1d"),
    case("max_pool", rand(2, 2, 5, 6, 7), fn=_f("max_pool3d", kernel_size=(2, 3, 2), stride=2, return_indices=True),
         id="max_pool3d"),
    case("max_pool", rand(2, 3, 6, 7, dtype="int64", low=-9, high=9), fn=_f("max_pool2d", kernel_size=2,
                                                                          return_indices=True), id="max_pool2d-int"),
    case("max_pool", rand(5, 5), fn=_f("max_pool2d", kernel_size=2), raises=True, id="max_pool2d-rank"),
    case("max_pool", rand(0, 2, 5, 5), fn=_f("max_pool2d", kernel_size=2), id="max_pool2d-empty-batch"),
    case("avg_pool", rand(0, 2, 5, 5), fn=_f("avg_pool2d", kernel_size=2), id="avg_pool2d-empty-batch"),
    case("max_pool", rand(1, 2, 5, 5), fn=_f("max_pool2d", kernel_size=3, padding=2), raises=True,
         id="max_pool2d-pad"),
    case("max_pool", rand(1, 2, 5, 5), fn=_f("max_pool2d", kernel_size=6), raises=True, id="max_pool2d-too-small"),
]

# average pooling (avg_pool; backward exercises avg_pool_backward)
CASES += [
    case("avg_pool", rand(2, 3, 8, 9), fn=_f("avg_pool2d", kernel_size=2), id="avg_pool2d"),
    case("avg_pool", rand(2, 3, 8, 9), fn=_f("avg_pool2d", kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                             count_include_pad=False), id="avg_pool2d-exclude-pad"),
    case("avg_pool", rand(3, 8, 9), fn=_f("avg_pool2d", kernel_size=(3, 2), padding=1, divisor_override=4),
         id="avg_pool2d-divisor"),
    case("avg_pool", T(rand(2, 3, 8, 9)), fn=_f("avg_pool2d", kernel_size=3, stride=2, ceil_mode=True),
         id="avg_pool2d-noncontig"),
    case("avg_pool", rand(2, 3, 10, dtype="float64"), fn=_f("avg_pool1d", kernel_size=3, stride=2, padding=1),
         id="avg_pool1d"),
    case("avg_pool", rand(2, 2, 5, 6, 7), fn=_f("avg_pool3d", kernel_size=2, ceil_mode=True), id="avg_pool3d"),
    case("avg_pool", rand(2, 3, 6, 7, dtype="int64", low=-9, high=9), fn=_f("avg_pool2d", kernel_size=3, padding=1),
         id="avg_pool2d-int"),
    case("avg_pool", rand(1, 2, 5, 5), fn=_f("avg_pool2d", kernel_size=2, divisor_override=0), raises=True,
         id="avg_pool2d-divisor0"),
    case("avg_pool", rand(5, 5, 5, 5), fn=_f("avg_pool1d", kernel_size=2), raises=True, id="avg_pool1d-rank"),
]

# adaptive pooling
CASES += [
    case("adaptive_max_pool", rand(2, 3, 7, 8), fn=_f("adaptive_max_pool2d", output_size=(3, 5), return_indices=True),
         id="adaptive_max_pool2d"),
    case("adaptive_max_pool", rand(3, 7, 8), fn=_f("adaptive_max_pool2d", output_size=(3, None)),
         id="adaptive_max_pool2d-unbatched"),
    case("adaptive_max_pool", rand(2, 3, 10, dtype="float64"), fn=_f("adaptive_max_pool1d", output_size=13,
                                                                     return_indices=True), id="adaptive_max_pool1d"),
    case("adaptive_max_pool", rand(5), fn=_f("adaptive_max_pool2d", output_size=2), raises=True,
         id="adaptive_max_pool2d-rank"),
    case("adaptive_avg_pool2d", rand(2, 3, 7, 8), fn=_f("adaptive_avg_pool2d", output_size=(3, 5))),
    case("adaptive_avg_pool2d", rand(2, 3, 7, 8), fn=_f("adaptive_avg_pool2d", output_size=1), id="global-avg"),
    case("adaptive_avg_pool1d", rand(2, 3, 10), fn=_f("adaptive_avg_pool1d", output_size=4)),
    case("adaptive_avg_pool3d", rand(1, 2, 5, 6, 7), fn=_f("adaptive_avg_pool3d", output_size=(2, 3, 4))),
    case("adaptive_avg_pool2d", rand(5), fn=_f("adaptive_avg_pool2d", output_size=2), raises=True, id="aap-rank"),
    case("lp_pool2d", rand(2, 3, 7, 8, low=0.1, high=2.0), fn=_f("lp_pool2d", norm_type=2, kernel_size=3, stride=2)),
    case("lp_pool1d", rand(2, 3, 9, low=0.1, high=2.0), fn=_f("lp_pool1d", norm_type=1.5, kernel_size=3)),
]
