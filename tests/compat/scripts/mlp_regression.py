"""MLP regression, written for PyTorch: nn.Sequential, SGD with momentum, StepLR, a TensorDataset loader.

    python mlp_regression.py --init init.npz --out losses.json [--epochs N]

--init: the model's initial weights (numpy arrays, state_dict names); written from this run's
freshly built model when the file does not exist yet. Data come from a seeded NumPy generator.
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def load_initial_weights(model, path):
    if not os.path.exists(path):
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 8)).astype(np.float32)
    w_true = rng.standard_normal((8, 1)).astype(np.float32)
    y = (np.sin(X @ w_true) + 0.1 * rng.standard_normal((256, 1))).astype(np.float32)

    model = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    load_initial_weights(model, args.init)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=64, shuffle=False)

    losses, lrs = [], []
    model.train()
    for _ in range(args.epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])

    model.eval()
    with torch.no_grad():
        final = nn.MSELoss()(model(torch.from_numpy(X)), torch.from_numpy(y)).item()
    with open(args.out, "w") as f:
        json.dump({"losses": losses, "lrs": lrs, "final": final}, f)
    print(f"mlp: {len(losses)} steps, loss {losses[0]:.4f} -> {losses[-1]:.4f}, eval mse {final:.4f}")


if __name__ == "__main__":
    main()
