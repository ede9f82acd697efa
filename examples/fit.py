"""Fit a small two-layer network to a noisy sine wave with ember's autograd.

A placeholder main job until the data-loading issue ships examples/digits.py: it uses
only tensors, autograd and a hand-written SGD step, the PyTorch way.
"""

import math

import numpy as np

import ember as torch


def main(steps: int = 2000, hidden: int = 32, lr: float = 0.05) -> float:
    x = torch.arange(-math.pi, math.pi, 0.05).unsqueeze(1)          # (N, 1)
    y = torch.from_numpy(np.sin(x.numpy()))                          # targets: sin(x)
    g = np.random.default_rng(0)
    w1 = torch.tensor(g.normal(0, 1.0, (1, hidden)), dtype=torch.float32, requires_grad=True)
    b1 = torch.zeros(hidden, requires_grad=True)
    w2 = torch.tensor(g.normal(0, 1.0 / math.sqrt(hidden), (hidden, 1)), dtype=torch.float32,
                      requires_grad=True)
    b2 = torch.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    for step in range(steps + 1):
        pred = (x @ w1 + b1).relu() @ w2 + b2
        loss = ((pred - y) * (pred - y)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.sub_(p.grad * lr)
        if step % 400 == 0:
            print(f"step {step:5d}  mse {loss.item():.5f}")
    return loss.item()


if __name__ == "__main__":
    final = main()
    print(f"final mse {final:.5f}")
