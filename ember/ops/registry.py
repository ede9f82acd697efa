"""The op registry: each op is defined once, with its forward and its backward rule.

An op's *forward* is array code written against the array namespace ``xp`` handed to
it by dispatch (NumPy for cpu, CuPy for cuda)::

    mul = defop("mul", promote="same")(lambda xp, a, b: xp.multiply(a, b))

    @mul.defbackward
    def _(ctx, g):
        a, b = ctx.args
        return g * b, g * a

An op's *backward* rule receives the graph node as ``ctx`` (``ctx.args``: the positional
inputs as passed, tensors included; ``ctx.kwargs``; ``ctx.out``: the output tensor when
``save_out=True``; ``ctx.needs_input_grad``) and the output gradients, and returns one
gradient per positional input (``None`` where there is none). Rules are written with
ember ops, so they are differentiable themselves and ``create_graph=True`` works.
Broadcasting and dtype casts of the returned gradients are handled by the engine.

``saves=(i, ...)`` names the inputs whose values the backward reads (``saves=()`` for rules
that need only shapes, like ``add`` or views); the engine then raises PyTorch's "modified by
an inplace operation" error when one of them changed between forward and backward.

Calling convention: positional inputs are the tensor-like operands (tensors, or Python
scalars standing for 0-dim tensors); every other parameter is a keyword.
"""

from __future__ import annotations

from collections.abc import Callable

REGISTRY: dict[str, Op] = {}

# promotion modes: how dispatch computes the dtype the forward sees and returns
PROMOTE_MODES = (
    None,  # no promotion: the op takes its inputs' dtypes as they are
    "same",  # operands promoted to their common dtype, which is the result dtype
    "float",  # as "same", then integer/bool promoted to the default float dtype
    "compare",  # operands promoted to their common dtype; result is bool
)


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.strip("_").split("_"))


class Op:
    __slots__ = (
        "name",
        "forward",
        "backward",
        "promote",
        "is_view",
        "save_out",
        "grad_name",
        "multi_out",
        "device_kwarg",
        "saves",
        "__weakref__",
    )

    def __init__(
        self,
        name: str,
        forward: Callable,
        *,
        promote: str | None = None,
        is_view: bool = False,
        save_out: bool | tuple = False,
        grad_name: str | Callable | None = None,
        multi_out: bool = False,
        device_kwarg: bool = False,
        saves: tuple | None = None,
    ):
        if promote not in PROMOTE_MODES:
            raise ValueError(f"unknown promote mode {promote!r}")
        self.name = name
        self.forward = forward
        self.backward = None
        self.promote = promote
        self.is_view = is_view  # output shares memory (and version counter) with input 0
        # backward reads ctx.out: True (every output) or the positions of the outputs it reads
        self.save_out = save_out
        # a str, or a function of the call's kwargs (``SumBackward0`` vs ``SumBackward1``)
        self.grad_name = grad_name or _camel(name) + "Backward0"
        self.multi_out = multi_out  # forward returns a tuple of arrays
        self.device_kwarg = device_kwarg  # the result lives on kwargs["device"] (creation, .to())
        # Positions of the inputs whose *values* the backward rule reads: modifying one of them in
        # place before backward is an error. None: every input, or none if the rule reads ctx.out;
        # or a function of the node's edges (which inputs need a gradient), e.g. cross_saves.
        self.saves = saves

    def defbackward(self, rule: Callable) -> Callable:
        self.backward = rule
        return rule

    def __repr__(self):
        return f"<ember op {self.name}>"


def cross_saves(edges) -> tuple:
    """``saves`` for products ``a * b``: a's gradient reads b, b's gradient reads a."""
    return ((1,) if edges[0][0] is not None else ()) + ((0,) if edges[1][0] is not None else ())


def defop(name: str, **options) -> Callable[[Callable], Op]:
    """Decorator: register ``forward`` as the op ``name`` and return the Op."""

    def register(forward: Callable) -> Op:
        if name in REGISTRY:
            raise ValueError(f"op {name!r} is registered twice")
        op = Op(name, forward, **options)
        REGISTRY[name] = op
        return op

    return register
