"""The op families. Importing this package registers every op and attaches Tensor methods."""

from ember.ops import core, creation, indexing, linalg, pointwise, random, reduction, shape  # noqa: F401
from ember.ops.registry import REGISTRY, Op, defop  # noqa: F401
