"""ember.autograd: reverse-mode automatic differentiation.

``backward`` and ``grad`` hand the output gradients to the engine (``engine.py``), which
walks the graph of ``Node`` objects (``graph.py``) recorded by dispatch.
"""

from __future__ import annotations

from ember.autograd import function, functional, graph
from ember.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
from ember.autograd.engine import run_backward
from ember.autograd.function import Function, once_differentiable
from ember.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled", "graph", "gradcheck", "gradgradcheck", "GradcheckError",
           "Function", "once_differentiable", "function", "functional", "detect_anomaly", "set_detect_anomaly"]


def _as_tuple(x):
    if x is None:
        return None
    from ember._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _make_grads(outputs, grad_outputs, is_grads_batched=False):
    from ember._device import xp_of
    from ember._tensor import Tensor, _make
    grads = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out._requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._dtype.category < 2:
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                       f"{out._dtype._torch_name}")
                g = _make(xp_of(out._device).ones(out._data.shape, dtype=out._dtype.np), out._dtype, out._device)
        elif not isinstance(g, Tensor):
            from ember.ops.creation import tensor
            g = tensor(g, dtype=out._dtype, device=out._device)
        elif g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{len(grads)}] has a shape of "
                               f"{tuple(g.shape)} and output[{len(grads)}] has a shape of {tuple(out.shape)}.")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into ``.grad`` of the graph's leaves."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"grad_tensors should have the same length as tensors: got {len(grad_tensors)} "
                           f"and {len(tensors)}")
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    for t in tensors:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    grads = _make_grads(tensors, grad_tensors)
    captured = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)
    if inputs is not None:  # non-leaf inputs get their gradient in .grad as well
        for i, t in enumerate(inputs):
            if t._grad_fn is not None and i in captured and captured[i] is not None:
                meta = t._autograd_meta()
                g = captured[i] if create_graph else captured[i].detach()
                meta.grad = g if meta.grad is None else meta.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs`` (not accumulated into ``.grad``)."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_outputs should have the same length as outputs: got {len(grad_outputs)} "
                           f"and {len(outputs)}")
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    for t in outputs:
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    grads = _make_grads(outputs, grad_outputs)
    captured = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(i)
        if g is None:
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from ember.ops.creation import zeros
                g = zeros(t._data.shape, dtype=t._dtype, device=t._device)
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
