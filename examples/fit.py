"""Fit a small two-layer network to a noisy sine wave with ember's autograd.

The placeholder main job until the data-loading issue ships examples/digits.py. Written
the PyTorch way with tensors, autograd and a hand-written SGD step only: replace
``import ember as torch`` with ``import torch`` and it runs unchanged.
"""

import math

import ember as torch


def main(steps: int = 2000, hidden: int = 32, lr: float = 0.05) -> float:
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 128).unsqueeze(1)            # (N, 1)
    y = torch.sin(x) + 0.05 * torch.randn(x.shape)                      # noisy targets

    w1 = (torch.randn(1, hidden)).requires_grad_()
    b1 = torch.zeros(hidden, requires_grad=True)
    w2 = (torch.randn(hidden, 1) / math.sqrt(hidden)).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]

    for step in range(steps + 1):
        pred = torch.tanh(x @ w1 + b1) @ w2 + b2
        loss = ((pred - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        if step % 400 == 0:
            print(f"step {step:5d}  mse {loss.item():.5f}")
    return loss.item()


if __name__ == "__main__":
    final = main()
    print(f"final mse {final:.5f}")
    assert final < 0.01, "the fit did not converge"
