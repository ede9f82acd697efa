"""Samples for ember/ops/core.py."""

from tests.oracle.harness import DT, T, case, rand

CASES = [
    case("clone", rand(3, 4)),
    case("clone", T(rand(3, 4))),
    case("contiguous", T(rand(3, 4)), method=True),
    case("to", rand(3, 4), DT("float64"), method=True),
    case("to", rand(3, 4, dtype="float64"), DT("float16"), method=True),
    case("to", rand(3, 4), DT("int32"), method=True),
    case("double", rand(3), method=True),
    case("long", rand(3, low=-5, high=5), method=True),
    case("bool", rand(3), method=True),
]

# copy_ / fill_ / zero_ on non-leaf results, so gradients flow through the in-place protocol
CASES += [
    case("copy_", rand(3, 4), rand(4), fn=lambda lib, a, b: (a * 1).copy_(b)),
    case("copy_", rand(3, 4), T(rand(3, 4)), fn=lambda lib, a, b: (a * 1).copy_(b)),
    case("copy_", rand(3, dtype="int64"), rand(3), fn=lambda lib, a, b: a.clone().copy_(b)),
    case("copy_", rand(3, 4, dtype="float64"), rand(3, 4), fn=lambda lib, a, b: (a * 1).copy_(b)),
    case("copy_", rand(3), rand(2), fn=lambda lib, a, b: (a * 1).copy_(b), raises=True),
    case("fill_", rand(3, 4), fn=lambda lib, a: (a * 1).fill_(2.5)),
    case("fill_", rand(3, 4), rand(), fn=lambda lib, a, v: (a * 1).fill_(v)),
    case("fill_", rand(3, dtype="int32"), fn=lambda lib, a: a.clone().fill_(7)),
    case("fill_", rand(3), rand(2), fn=lambda lib, a, v: (a * 1).fill_(v), raises=True),
    case("zero_", rand(3, 4), fn=lambda lib, a: (a * 2).zero_()),
    case("zero_", T(rand(3, 4)), fn=lambda lib, a: (a * 2).zero_()),
]

# in-place ops on views of a tensor in a graph (CopySlices): gradients reach the base's history
# and the new values, as in PyTorch
def _on_view(program):
    def fn(lib, x, b):
        y = x * 1
        program(y, b)
        return y
    return fn


CASES += [
    case("copy_slices", rand(3, 4), rand(4), fn=_on_view(lambda y, b: y[1].mul_(b))),
    case("copy_slices", rand(3, 4), rand(3), fn=_on_view(lambda y, b: y[:, 0].copy_(b))),
    case("copy_slices", rand(3, 4), rand(3), fn=_on_view(lambda y, b: y.diagonal().add_(b))),
    case("copy_slices", rand(3, 4), rand(3), fn=_on_view(lambda y, b: y.t()[1].mul_(b))),
    case("copy_slices", rand(3, 4), rand(4), fn=_on_view(lambda y, b: y.unbind(0)[2].sub_(b)), raises=True),
    case("copy_slices", rand(3, 4), rand(2), fn=_on_view(lambda y, b: y[:, 1:3][0].mul_(b).exp_())),
    case("copy_slices", rand(2, 3, 4), rand(4), fn=_on_view(lambda y, b: y.permute(2, 0, 1)[..., 1].add_(b[:, None]))),
    case("copy_slices", rand(3, 4), rand(12), fn=_on_view(lambda y, b: y.view(12).mul_(b))),
]
