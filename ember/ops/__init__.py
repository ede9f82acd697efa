"""The op families. Importing this package registers every op and attaches Tensor methods."""

from ember.ops import (  # noqa: F401
    activation,
    core,
    creation,
    indexing,
    linalg,
    logic,
    pointwise,
    random,
    reduction,
    shape,
    special,
)
from ember.ops.registry import REGISTRY, Op, defop  # noqa: F401
