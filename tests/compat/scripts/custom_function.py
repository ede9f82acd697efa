"""A custom autograd.Function, written for PyTorch: a hand-written linear layer and a "squash"
nonlinearity with their own backward, checked by gradcheck, trained with a hand-written SGD step.

    python custom_function.py --init init.npz --out losses.json [--steps N]
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Function, gradcheck


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output = output + bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class Squash(Function):
    """x / (1 + alpha |x|), a non-tensor argument kept on ctx."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return x / (1 + alpha * x.abs())

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 + ctx.alpha * x.abs()) ** 2, None


class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features))
        nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)
        nn.init.zeros_(self.bias)

    def forward(self, x):
        return LinearFunction.apply(x, self.weight, self.bias)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = MyLinear(6, 32)
        self.fc2 = MyLinear(32, 3)

    def forward(self, x):
        return self.fc2(Squash.apply(self.fc1(x), 0.5))


def load_initial_weights(model, path):
    if not os.path.exists(path):
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()

    rng = np.random.default_rng(4)
    x64 = torch.from_numpy(rng.standard_normal((5, 6))).requires_grad_()
    w64 = torch.from_numpy(rng.standard_normal((3, 6))).requires_grad_()
    b64 = torch.from_numpy(rng.standard_normal(3)).requires_grad_()
    checks = [bool(gradcheck(LinearFunction.apply, (x64, w64, b64), eps=1e-6, atol=1e-4)),
              bool(gradcheck(lambda t: Squash.apply(t, 0.5), (x64,), eps=1e-6, atol=1e-4))]

    X = torch.from_numpy(rng.standard_normal((200, 6)).astype(np.float32))
    Y = torch.tanh(X @ torch.from_numpy(rng.standard_normal((6, 3)).astype(np.float32)))

    model = Net()
    load_initial_weights(model, args.init)
    losses, lr = [], 0.2
    for _ in range(args.steps):
        loss = ((model(X) - Y) ** 2).mean()
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())

    with open(args.out, "w") as f:
        json.dump({"losses": losses, "gradcheck": checks}, f)
    print(f"custom Function: gradcheck {checks}, loss {losses[0]:.4f} -> {losses[-1]:.4f}")


if __name__ == "__main__":
    main()
