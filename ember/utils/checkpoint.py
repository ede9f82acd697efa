"""Activation checkpointing: keep a block's inputs, recompute its activations in backward.

Two variants, as in PyTorch:
- non-reentrant (``use_reentrant=False``): the block runs with grad mode on under
  ``saved_tensors_hooks`` whose pack hook keeps only a position number, so the graph holds
  no activations; the first unpack in backward re-runs the block (same RNG state) and
  hands each node the recomputed tensor at its position. Works with ``autograd.grad``.
- reentrant (``use_reentrant=True``, PyTorch's default when not given): the block runs
  under ``no_grad`` inside a custom ``Function``, whose backward re-runs it with grad on and
  backpropagates through the recomputed graph (``.grad`` of parameters used inside is
  accumulated there, so ``autograd.grad`` with parameters as inputs is not supported).
"""

from __future__ import annotations

import warnings

from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.function import Function
from ember.autograd.graph import saved_tensors_hooks
from ember.ops.random import get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential"]


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               preserve_rng_state: bool = True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations for backward."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
                      "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                      "use_reentrant=False is recommended, but if you need to preserve the current default "
                      "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                      "differences between the two variants.", stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return _ReentrantCheckpoint.apply(function, preserve_rng_state, *args)
    return _non_reentrant(function, args, kwargs, preserve_rng_state, context_fn)


def _non_reentrant(function, args, kwargs, preserve_rng_state, context_fn):
    rng = get_rng_state() if preserve_rng_state else None
    recomputed: list = []
    state = {"done": False, "next": 0}

    def pack(t):
        i = state["next"]
        state["next"] += 1
        return i

    def unpack(i):
        if not state["done"]:
            state["done"] = True
            after = get_rng_state() if preserve_rng_state else None
            if rng is not None:
                set_rng_state(rng)
            _, recompute_ctx = context_fn()
            with saved_tensors_hooks(lambda t: recomputed.append(t.detach()) or len(recomputed) - 1,
                                     lambda j: recomputed[j]), grad_mode.enable_grad(), recompute_ctx:
                function(*args, **kwargs)
            if after is not None:
                set_rng_state(after)
        if i >= len(recomputed):
            raise RuntimeError("torch.utils.checkpoint: recomputed a different number of saved tensors than the "
                               "original forward: the checkpointed function must be deterministic")
        return recomputed[i]

    forward_ctx, _ = context_fn()
    with saved_tensors_hooks(pack, unpack), forward_ctx:
        return function(*args, **kwargs)


class _ReentrantCheckpoint(Function):
    @staticmethod
    def forward(ctx, function, preserve_rng_state, *args):
        ctx.function = function
        ctx.rng = get_rng_state() if preserve_rng_state else None
        ctx.tensor_positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.inputs = list(args)
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_positions))
        return function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        from ember.autograd import backward as run_backward
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_positions, ctx.saved_tensors):
            inputs[i] = t.detach().requires_grad_(t.requires_grad)
        after = get_rng_state() if ctx.rng is not None else None
        if ctx.rng is not None:
            set_rng_state(ctx.rng)
        with grad_mode.enable_grad():
            outputs = ctx.function(*inputs)
        if after is not None:
            set_rng_state(after)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        run_backward([o for o, _ in pairs], [g for _, g in pairs])
        grads = [inp.grad if isinstance(inp, Tensor) else None for inp in inputs]
        return (None, None, *grads)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None, **kwargs):
    """Split a Sequential (or list of modules) into ``segments`` checkpointed chunks; the last runs normally."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
                      "explicitly.", stacklevel=2)
        use_reentrant = True
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        chunk = functions[start:end + 1]

        def run(x, chunk=chunk):
            for f in chunk:
                x = f(x)
            return x
        input = checkpoint(run, input, use_reentrant=use_reentrant, **kwargs)
    for f in functions[end + 1:]:
        input = f(input)
    return input
