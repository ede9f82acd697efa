"""A picture of the backward graph: ``to_dot`` writes Graphviz DOT text.

One DOT node per graph node (``grad_fn``) reachable from the given tensors, labelled with
its name (``MulBackward0``); ``AccumulateGrad`` leaves also show the leaf's shape and, when
``params`` names it, its name. One edge from each node to each of its ``next_functions``.
Exposed as ``ember.autograd.graph.to_dot``.
"""

from __future__ import annotations

__all__ = ["to_dot"]


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _roots(tensor_or_tensors):
    from ember._tensor import Tensor
    if isinstance(tensor_or_tensors, Tensor):
        tensors = (tensor_or_tensors,)
    else:
        tensors = tuple(tensor_or_tensors)
    roots = []
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"to_dot expects a Tensor or a sequence of Tensors, but got {type(t).__name__}")
        if t._grad_fn is not None:
            roots.append(t._grad_fn)
        elif t._requires_grad:
            roots.append(t._accumulator())
    return roots


def to_dot(tensor_or_tensors, params=None, name: str = "backward") -> str:
    """Graphviz DOT text of the backward graph leading from ``tensor_or_tensors``.

    ``params``: optional ``{name: tensor}`` (e.g. ``dict(model.named_parameters())``) used to
    label the ``AccumulateGrad`` nodes of those leaves."""
    from ember.autograd.graph import AccumulateGrad
    names = {}
    if params is not None:
        for pname, p in dict(params).items():
            names[id(p)] = pname
    ids = {}
    order = []
    stack = list(reversed(_roots(tensor_or_tensors)))
    roots = set(stack)
    while stack:  # depth-first from the roots, numbering nodes in visit order
        node = stack.pop()
        if node in ids:
            continue
        ids[node] = f"n{len(ids)}"
        order.append(node)
        for fn, _ in reversed(tuple(node.next_functions)):
            if fn is not None and fn not in ids:
                stack.append(fn)

    lines = [f"digraph {_quote(name)} {{",
             '  node [shape=box, style=filled, fillcolor=lightgray, fontname="monospace", fontsize=10]']
    for node in order:
        if isinstance(node, AccumulateGrad):
            var = node.variable
            label = "AccumulateGrad"
            if var is not None:
                pname = names.get(id(var))
                if pname is not None:
                    label += "\n" + pname
                label += "\n(" + ", ".join(str(s) for s in var._data.shape) + ")"
            color = "lightblue"
        else:
            label = node.name()
            color = "darkolivegreen1" if node in roots else "lightgray"
        lines.append(f"  {ids[node]} [label={_quote(label)}, fillcolor={color}]")
    for node in order:
        for fn, _ in node.next_functions:
            if fn is not None:
                lines.append(f"  {ids[node]} -> {ids[fn]}")
    lines.append("}")
    return "\n".join(lines) + "\n"
