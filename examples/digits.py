"""Train a small CNN on the 8x8 handwritten digits that ship with scikit-learn — ember's main job.

Written the PyTorch way: ``import ember as torch`` is the only line that differs from a
PyTorch program (swap it back and the script runs on PyTorch). It trains with a DataLoader,
Adam and a learning-rate schedule, saves a checkpoint with ``torch.save``, reloads it into a
fresh model with ``torch.load`` and evaluates that model on the held-out test set.

    python examples/digits.py [--epochs 10] [--batch-size 64] [--checkpoint digits.pt]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

import ember as torch
from ember import nn
from ember.nn import functional as F
from ember.utils.data import DataLoader, TensorDataset


class DigitsCNN(nn.Module):
    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.bn = nn.BatchNorm2d(32)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(32 * 4 * 4, 64)
        self.drop = nn.Dropout(0.25)
        self.fc2 = nn.Linear(64, num_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = self.pool(F.relu(self.bn(self.conv2(x))))
        x = self.drop(F.relu(self.fc1(torch.flatten(x, 1))))
        return self.fc2(x)


def load_data(seed: int = 0, test_fraction: float = 0.2):
    """The digits as (N, 1, 8, 8) float32 tensors scaled to [0, 1], split into train and test."""
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    n_test = int(len(labels) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return (TensorDataset(torch.from_numpy(images[train]), torch.from_numpy(labels[train])),
            TensorDataset(torch.from_numpy(images[test]), torch.from_numpy(labels[test])))


def evaluate(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            count += len(y)
    return total_loss / count, correct / count


def main(epochs: int = 10, batch_size: int = 64, lr: float = 2e-3, checkpoint: str | None = None,
         seed: int = 0, quiet: bool = False) -> float:
    torch.manual_seed(seed)
    train_set, test_set = load_data(seed)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)

    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    print(f"digits: {len(train_set)} train / {len(test_set)} test images, "
          f"{sum(p.numel() for p in model.parameters()):,} parameters")

    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        running, seen = 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{epochs}", leave=False, disable=quiet)
        for x, y in bar:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(y)
            seen += len(y)
            bar.set_postfix(loss=f"{running / seen:.4f}")
        scheduler.step()
        test_loss, test_acc = evaluate(model, test_loader)
        print(f"epoch {epoch:2d}  train loss {running / seen:.4f}  test loss {test_loss:.4f}  "
              f"test accuracy {test_acc:.2%}  lr {scheduler.get_last_lr()[0]:.2e}")
    print(f"trained in {time.perf_counter() - start:.1f} s")

    # save, reload into a fresh model, evaluate the reloaded one
    path = checkpoint or os.path.join(tempfile.mkdtemp(prefix="ember-digits-"), "digits.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epochs}, path)
    state = torch.load(path)
    restored = DigitsCNN()
    restored.load_state_dict(state["model"])
    _, accuracy = evaluate(restored, test_loader)
    print(f"checkpoint {path}: reloaded model test accuracy {accuracy:.2%}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--checkpoint", default=None, help="where to save the checkpoint (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.epochs, args.batch_size, args.lr, args.checkpoint, args.seed)
