"""The backward engine: walk the graph from the outputs in reverse topological order.

A node runs once every gradient flowing into it has been summed: the graph is first
sorted (depth-first post-order from the roots), then walked backwards, so each node comes
after all of its consumers. Gradients are tensors, summed with ember ops, so with
``create_graph=True`` the backward pass itself records a graph.
"""

from __future__ import annotations

from ember.autograd import grad_mode
from ember.autograd.graph import AccumulateGrad


def _topological_order(roots) -> list:
    """Nodes reachable from ``roots``, each after every node it feeds into (post-order)."""
    order, seen = [], set()
    for root in roots:
        if root is None or id(root) in seen:
            continue
        seen.add(id(root))
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and id(child) not in seen:
                    seen.add(id(child))
                    stack.append((child, iter(child.next_functions)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _edge_of(tensor):
    if tensor._grad_fn is not None:
        return tensor._grad_fn, tensor._out_nr
    if tensor._requires_grad:
        return tensor._accumulator(), 0
    return None, 0


def run_backward(outputs, grad_outputs, retain_graph: bool, create_graph: bool, inputs=None,
                 accumulate: bool = True):
    """Backpropagate ``grad_outputs`` from ``outputs``.

    accumulate=True: sum into ``.grad`` of the leaves (restricted to ``inputs`` if given).
    accumulate=False: return the gradients reaching ``inputs`` (``autograd.grad``).
    """
    roots, buffers = [], {}
    for out, g in zip(outputs, grad_outputs):
        fn, nr = _edge_of(out)
        if fn is None:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        roots.append(fn)
        _add_to_buffer(buffers, fn, nr, g)

    order = _topological_order(roots)

    targets, needed = None, None
    captured = {}
    if inputs is not None:
        targets = {}
        for i, t in enumerate(inputs):
            fn, nr = _edge_of(t)
            if fn is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            targets.setdefault(fn, []).append((nr, i))
        # run only the part of the graph that leads down to a requested input
        needed = set()
        for node in order:
            if any(fn is not None and (fn in targets or fn in needed) for fn, _ in node.next_functions):
                needed.add(node)

    with grad_mode.set_grad_enabled(create_graph):
        for node in reversed(order):
            grads = buffers.pop(node, None)
            if grads is None:
                continue
            if targets is not None and node in targets:
                for nr, i in targets[node]:
                    captured[i] = grads[nr]
            if isinstance(node, AccumulateGrad):
                if accumulate and (targets is None or node in targets):
                    node.accumulate(grads[0], create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            if node._retained:
                for nr, ref in node._retained.items():
                    t = ref()
                    if t is not None and grads[nr] is not None:
                        t._autograd_meta().grad = grads[nr] if create_graph else grads[nr].detach()
            input_grads = node.apply(grads)
            if not retain_graph:
                node.release()
            for (fn, nr), g in zip(node.next_functions, input_grads):
                if fn is not None and g is not None:
                    _add_to_buffer(buffers, fn, nr, g)
    return captured


def _add_to_buffer(buffers, fn, nr, g):
    buf = buffers.get(fn)
    if buf is None:
        n = len(fn._out_meta) if getattr(fn, "_out_meta", None) is not None else 1
        buf = buffers[fn] = [None] * max(n, nr + 1)
    buf[nr] = g if buf[nr] is None else buf[nr] + g
