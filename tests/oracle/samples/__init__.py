"""Sample inputs for every op, one module per op family (mirroring ember/ops/)."""

from tests.oracle.samples import (
    activation,
    core,
    creation,
    indexing,
    linalg,
    logic,
    nn_conv,
    nn_loss,
    nn_normalization,
    nn_rnn,
    nn_vision,
    pointwise,
    random,
    reduction,
    shape,
    special,
)

MODULES = (activation, core, creation, indexing, linalg, logic, nn_conv, nn_loss, nn_normalization,
           nn_rnn, nn_vision, pointwise, random, reduction, shape, special)
ALL_CASES = [c for m in MODULES for c in m.CASES]
FAMILY = {id(c): m.__name__.rsplit(".", 1)[-1] for m in MODULES for c in m.CASES}


def case_id(c) -> str:
    return c.id or c.op
