"""Forecast sine waves with an LSTM: a sequence model trained on generated data.

Each sample is a noisy sine wave with a random frequency, phase and amplitude; the model
reads the first ``--length`` points and predicts the next ``--horizon`` points. Written the
PyTorch way (``import ember as torch`` is the only difference from a PyTorch program): a
DataLoader over a TensorDataset, an ``nn.LSTM`` encoder with a linear head, Adam with
ReduceLROnPlateau, a checkpoint saved and reloaded for the final evaluation, compared
with the naive forecast that repeats the last seen value.

    python examples/lstm_forecast.py [--epochs 15] [--hidden 32]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
from tqdm import tqdm

import ember as torch
from ember import nn
from ember.nn import functional as F
from ember.utils.data import DataLoader, TensorDataset


def make_waves(n: int, length: int, horizon: int, seed: int):
    rng = np.random.default_rng(seed)
    t = np.arange(length + horizon, dtype=np.float32)
    freq = rng.uniform(0.05, 0.25, (n, 1)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, (n, 1)).astype(np.float32)
    amp = rng.uniform(0.5, 1.5, (n, 1)).astype(np.float32)
    waves = amp * np.sin(freq * t + phase) + rng.normal(0, 0.05, (n, length + horizon)).astype(np.float32)
    x = torch.from_numpy(waves[:, :length, None].copy())      # (N, length, 1)
    y = torch.from_numpy(waves[:, length:].copy())            # (N, horizon)
    return TensorDataset(x, y)


class Forecaster(nn.Module):
    def __init__(self, hidden: int, horizon: int, layers: int = 2):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(out[:, -1])


def evaluate(model, loader) -> tuple[float, float]:
    model.eval()
    total, naive, count = 0.0, 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            total += F.mse_loss(model(x), y, reduction="sum").item()
            naive += F.mse_loss(x[:, -1].expand_as(y), y, reduction="sum").item()
            count += y.numel()
    return total / count, naive / count


def main(epochs: int = 15, hidden: int = 32, length: int = 40, horizon: int = 10, batch_size: int = 32,
         lr: float = 1e-2, seed: int = 0, checkpoint: str | None = None, quiet: bool = False) -> tuple[float, float]:
    torch.manual_seed(seed)
    train_set = make_waves(1024, length, horizon, seed)
    test_set = make_waves(256, length, horizon, seed + 1)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True)
    test_loader = DataLoader(test_set, batch_size=128)

    model = Forecaster(hidden, horizon)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
    print(f"sine forecasting: {len(train_set)} train / {len(test_set)} test sequences of {length} steps, "
          f"predicting {horizon}; {sum(p.numel() for p in model.parameters()):,} parameters")

    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        running, batches = 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{epochs}", leave=False, disable=quiet)
        for x, y in bar:
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            running += loss.item()
            batches += 1
            bar.set_postfix(mse=f"{running / batches:.4f}")
        test_mse, naive_mse = evaluate(model, test_loader)
        scheduler.step(test_mse)
        print(f"epoch {epoch:2d}  train mse {running / batches:.4f}  test mse {test_mse:.4f}  "
              f"(naive {naive_mse:.4f})  lr {optimizer.param_groups[0]['lr']:.1e}")
    print(f"trained in {time.perf_counter() - start:.1f} s")

    path = checkpoint or os.path.join(tempfile.mkdtemp(prefix="ember-lstm-"), "lstm.pt")
    torch.save({"model": model.state_dict(), "hidden": hidden, "horizon": horizon}, path)
    state = torch.load(path)
    restored = Forecaster(state["hidden"], state["horizon"])
    restored.load_state_dict(state["model"])
    test_mse, naive_mse = evaluate(restored, test_loader)
    print(f"checkpoint {path}: reloaded model test mse {test_mse:.4f} vs naive {naive_mse:.4f}")
    return test_mse, naive_mse


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args()
    main(args.epochs, args.hidden, seed=args.seed, checkpoint=args.checkpoint)
