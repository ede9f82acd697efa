"""ember.autograd.graph.to_dot: the DOT text is parsed and its structure checked (nodes, labels,
edges), and compared with the same graph walked in PyTorch."""

import re
from collections import Counter

import numpy as np
import pytest

import ember
from ember.autograd.graph import to_dot

NODE = re.compile(r'^\s*(\w+) \[label="((?:[^"\\]|\\.)*)"')
EDGE = re.compile(r"^\s*(\w+) -> (\w+)\s*$")


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\":
            nxt = s[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def parse(dot):
    """{id: [label lines]}, [(src, dst)]"""
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    nodes, edges = {}, []
    for line in dot.splitlines():
        m = NODE.match(line)
        if m:
            assert m.group(1) not in nodes
            nodes[m.group(1)] = unescape(m.group(2)).split("\n")
            continue
        m = EDGE.match(line)
        if m:
            edges.append((m.group(1), m.group(2)))
    for a, b in edges:
        assert a in nodes and b in nodes
    return nodes, edges


def labelled_edges(nodes, edges):
    return Counter((nodes[a][0], nodes[b][0]) for a, b in edges)


def torch_graph(roots):
    """The same summary walked on a PyTorch graph: node names and (name, name) edges."""
    seen, names, edges = set(), Counter(), Counter()
    stack = [r for r in roots]

    def nm(fn):
        n = fn.name()
        return "AccumulateGrad" if n.endswith("AccumulateGrad") else n
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        names[nm(fn)] += 1
        for nxt, _ in fn.next_functions:
            if nxt is not None:
                edges[(nm(fn), nm(nxt))] += 1
                stack.append(nxt)
    return names, edges


A = np.random.default_rng(0).uniform(-1, 1, (3, 4)).astype(np.float32)
B = np.random.default_rng(1).uniform(-1, 1, (4,)).astype(np.float32)


def test_simple_graph_structure():
    w = ember.tensor(A, requires_grad=True)
    b = ember.tensor(B, requires_grad=True)
    y = ((w * b).exp() + b).sum()
    nodes, edges = parse(to_dot(y))
    labels = Counter(v[0] for v in nodes.values())
    assert labels == Counter({"SumBackward0": 1, "AddBackward0": 1, "ExpBackward0": 1, "MulBackward0": 1,
                              "AccumulateGrad": 2})
    assert len(nodes) == 6
    assert labelled_edges(nodes, edges) == Counter({
        ("SumBackward0", "AddBackward0"): 1, ("AddBackward0", "ExpBackward0"): 1,
        ("AddBackward0", "AccumulateGrad"): 1, ("ExpBackward0", "MulBackward0"): 1,
        ("MulBackward0", "AccumulateGrad"): 2})
    shapes = sorted(v[-1] for v in nodes.values() if v[0] == "AccumulateGrad")
    assert shapes == ["(3, 4)", "(4)"]


def test_same_structure_as_torch():
    torch = pytest.importorskip("torch")
    res = {}
    for lib in (ember, torch):
        x = lib.tensor(A, requires_grad=True)
        c = lib.tensor(B)  # no grad: no node
        h = x * c
        y = (h * h - h.exp()).sum()
        z = (x / 2).sum()
        res[lib] = (y, z)
    nodes, edges = parse(to_dot(res[ember]))
    names, tedges = torch_graph([t.grad_fn for t in res[torch]])
    assert Counter(v[0] for v in nodes.values()) == names
    assert labelled_edges(nodes, edges) == tedges


def test_params_names_and_leaf_root():
    w = ember.tensor(A, requires_grad=True)
    b = ember.tensor(B, requires_grad=True)
    y = (w * 2 + b).sum()
    nodes, _ = parse(to_dot(y, params={"layer.weight": w, "layer.bias": b}))
    leaves = sorted(v for v in nodes.values() if v[0] == "AccumulateGrad")
    assert leaves == [["AccumulateGrad", "layer.bias", "(4)"], ["AccumulateGrad", "layer.weight", "(3, 4)"]]
    # a leaf that requires grad is its own one-node graph; a tensor without grad gives an empty one
    nodes, edges = parse(to_dot(w))
    assert list(nodes.values()) == [["AccumulateGrad", "(3, 4)"]] and edges == []
    nodes, edges = parse(to_dot(ember.tensor(B)))
    assert nodes == {} and edges == []


def test_custom_function_and_multi_output_nodes():
    class Twice(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = ember.tensor(B, requires_grad=True)
    a, b = Twice.apply(x)
    y = a * b
    nodes, edges = parse(to_dot(y))
    assert Counter(v[0] for v in nodes.values()) == Counter({"MulBackward0": 1, "TwiceBackward": 1,
                                                             "AccumulateGrad": 1})
    assert labelled_edges(nodes, edges) == Counter({("MulBackward0", "TwiceBackward"): 2,
                                                    ("TwiceBackward", "AccumulateGrad"): 1})


def test_labels_are_quoted():
    x = ember.tensor(B, requires_grad=True)
    dot = to_dot(x * 2, params={'we"ird\\name': x})
    nodes, _ = parse(dot)
    leaf = [v for v in nodes.values() if v[0] == "AccumulateGrad"][0]
    assert leaf[1] == 'we"ird\\name'


def test_exposed_on_graph_module():
    assert ember.autograd.graph.to_dot is to_dot
