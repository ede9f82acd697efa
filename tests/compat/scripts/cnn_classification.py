"""CNN classification, written for PyTorch: Conv2d/BatchNorm2d/MaxPool2d, Adam, CrossEntropyLoss.

    python cnn_classification.py --init init.npz --out losses.json [--steps N]

Synthetic 12x12 images: the class is the quadrant holding a bright blob. Mini-batches follow a
permutation drawn by NumPy (so both libraries see the same batches).
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, num_classes=4):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1, bias=False)  # BatchNorm follows
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, num_classes))

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = F.relu(self.conv2(x))
        return self.head(x)


def load_initial_weights(model, path):
    if not os.path.exists(path):
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def make_data(rng, n):
    labels = rng.integers(0, 4, size=n)
    images = 0.3 * rng.standard_normal((n, 1, 12, 12)).astype(np.float32)
    for i, c in enumerate(labels):
        r, q = divmod(int(c), 2)
        images[i, 0, r * 6 + 1:r * 6 + 5, q * 6 + 1:q * 6 + 5] += 1.0
    return images.astype(np.float32), labels.astype(np.int64)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    images, labels = make_data(rng, 256)
    X, Y = torch.from_numpy(images), torch.from_numpy(labels)
    perm = torch.from_numpy(rng.permutation(len(X)))

    model = Net()
    load_initial_weights(model, args.init)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.05)

    losses = []
    batch = 32
    model.train()
    for step in range(args.steps):
        start = (step * batch) % len(X)
        idx = perm[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(X[idx]), Y[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    model.eval()
    with torch.no_grad():
        logits = model(X)
        accuracy = (logits.argmax(dim=1) == Y).float().mean().item()
        eval_loss = F.cross_entropy(logits, Y).item()
    with open(args.out, "w") as f:
        json.dump({"losses": losses, "accuracy": accuracy, "final": eval_loss}, f)
    print(f"cnn: loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
