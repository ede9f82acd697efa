"""The backward engine: run each node once all gradients flowing into it have been summed.

A first pass over the graph from the roots counts, for every node, how many edges lead
into it. The walk then starts from the roots with a ready list: a node runs when its
count drops to zero (every consumer has contributed to its gradient buffer), its rule
turns output gradients into input gradients, and those are added into the buffers of
``next_functions``. Gradients are tensors summed with ember ops, so with
``create_graph=True`` the backward pass itself records a graph.
"""

from __future__ import annotations

from ember.autograd import anomaly_mode, grad_mode
from ember.autograd.anomaly_mode import state as _anomaly
from ember.autograd.graph import AccumulateGrad

_state = grad_mode.state


def _count_dependencies(roots) -> dict:
    deps = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for fn, _ in node.next_functions:
            if fn is not None:
                deps[fn] = deps.get(fn, 0) + 1
                if fn not in seen:
                    seen.add(fn)
                    stack.append(fn)
    return deps


def _nodes_leading_to(targets, roots) -> set:
    """Nodes from which some target can be reached (the part of the graph ``grad`` must run)."""
    memo = {}

    def leads(node):  # iterative DFS with memo: post-order over next_functions
        stack = [(node, False)]
        while stack:
            n, done = stack.pop()
            if n in memo:
                continue
            children = [fn for fn, _ in n.next_functions if fn is not None]
            if done:
                memo[n] = n in targets or any(memo.get(c, False) for c in children)
                continue
            stack.append((n, True))
            stack.extend((c, False) for c in children if c not in memo)
        return memo[node]

    for r in roots:
        leads(r)
    return {n for n, v in memo.items() if v}


def _edge_of(tensor):
    if tensor._grad_fn is not None:
        return tensor._grad_fn, tensor._out_nr
    if tensor._requires_grad:
        return tensor._accumulator(), 0
    return None, 0


def run_backward(outputs, grad_outputs, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True) -> dict:
    """Backpropagate ``grad_outputs`` from ``outputs``.

    accumulate=True: sum into ``.grad`` of the leaves (only those in ``inputs`` if given).
    accumulate=False: return ``{i: gradient reaching inputs[i]}`` (``autograd.grad``).
    """
    buffers = {}
    roots = []
    for out, g in zip(outputs, grad_outputs):
        fn, nr = _edge_of(out)
        if fn is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if fn not in buffers:
            roots.append(fn)
        _add_to_buffer(buffers, fn, nr, g)

    targets = needed = None
    captured = {}
    if inputs is not None:
        targets = {}
        for i, t in enumerate(inputs):
            fn, nr = _edge_of(t)
            if fn is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            targets.setdefault(fn, []).append((nr, i))
        needed = _nodes_leading_to(targets, roots)

    deps = _count_dependencies(roots)
    ready = [r for r in roots if r not in deps]
    prev = _state.enabled
    _state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if targets is not None and node in targets:
                for nr, i in targets[node]:
                    captured[i] = grads[nr] if grads is not None else None
            if isinstance(node, AccumulateGrad):
                if grads is not None and accumulate and (targets is None or node in targets):
                    node.accumulate(grads[0], create_graph)
                continue
            run = grads is not None and (needed is None or node in needed)
            if run:
                if node._retained:
                    _store_retained(node, grads, create_graph)
                if _anomaly.enabled:
                    input_grads = _apply_checked(node, grads)
                else:
                    input_grads = node.apply(grads)
                if not retain_graph:
                    node.release()
            for k, (fn, nr) in enumerate(node.next_functions):
                if fn is None:
                    continue
                if run:
                    g = input_grads[k]
                    if g is not None:
                        _add_to_buffer(buffers, fn, nr, g)
                left = deps[fn] - 1
                deps[fn] = left
                if left == 0:
                    ready.append(fn)
    finally:
        _state.enabled = prev
    return captured


def _apply_checked(node, grads):
    """``node.apply`` under anomaly mode: report the forward traceback on errors and NaNs."""
    try:
        input_grads = node.apply(grads)
    except Exception:
        anomaly_mode.report(node)
        raise
    if _anomaly.check_nan:
        anomaly_mode.check_nan(node, input_grads)
    return input_grads


def _store_retained(node, grads, create_graph: bool) -> None:
    for nr, ref in node._retained.items():
        t = ref()
        if t is not None and grads[nr] is not None:
            t._autograd_meta().grad = grads[nr] if create_graph else grads[nr].detach()


def _add_to_buffer(buffers, fn, nr, g):
    buf = buffers.get(fn)
    if buf is None:
        meta = fn._out_meta
        buf = buffers[fn] = [None] * (len(meta) if meta is not None else nr + 1)
    if len(buf) <= nr:
        buf.extend([None] * (nr + 1 - len(buf)))
    buf[nr] = g if buf[nr] is None else buf[nr] + g
