"""No op can be added untested: every registered op must be exercised by some sample."""

import ember
from ember._dispatch import pop_mode, push_mode
from ember.ops.registry import REGISTRY
from tests.oracle.harness import build
from tests.oracle.samples import ALL_CASES


def test_every_registered_op_has_samples():
    seen = set()

    def record(op, args, kwargs, run):
        seen.add(op.name)
        return run()

    push_mode(record)
    try:
        for c in ALL_CASES:
            leaves = []
            args = build(ember, c.args, c.grad, leaves)
            kwargs = build(ember, c.kwargs, False, [])
            try:
                out = c.call(ember, args, kwargs)
            except Exception:  # noqa: BLE001 - error samples raise by design
                continue
            outs = [o for o in (out if isinstance(out, (tuple, list)) else [out])
                    if isinstance(o, ember.Tensor) and o.requires_grad]
            if outs and leaves:  # run the backward rules too: they may use further ops
                cots = [ember.ones_like(o) if hasattr(ember, "ones_like") else ember.ones(o.shape, dtype=o.dtype)
                        for o in outs]
                ember.autograd.grad(outs, leaves, cots, allow_unused=True)
    finally:
        pop_mode(record)
    missing = sorted(set(REGISTRY) - seen)
    assert not missing, f"ops in the registry with no sample inputs: {missing}"
