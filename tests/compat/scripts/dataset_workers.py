"""A custom Dataset and Sampler fed through a DataLoader with worker processes, written for PyTorch.

    python dataset_workers.py --init init.npz --out losses.json [--epochs N] [--workers N]

Items are dicts (the default collate stacks them); the sampler replays a NumPy permutation;
each item records the id of the worker that loaded it (torch.utils.data.get_worker_info).
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, Sampler, get_worker_info


class BlobDataset(Dataset):
    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.centers = rng.standard_normal((3, 5)).astype(np.float32) * 2
        self.labels = rng.integers(0, 3, size=n)
        self.noise = rng.standard_normal((n, 5)).astype(np.float32)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        info = get_worker_info()
        label = int(self.labels[i])
        features = torch.from_numpy(self.centers[label] + self.noise[i])
        return {"x": features, "y": label, "worker": -1 if info is None else info.id}


class FixedOrderSampler(Sampler):
    def __init__(self, order):
        self.order = [int(i) for i in order]

    def __iter__(self):
        return iter(self.order)

    def __len__(self):
        return len(self.order)


def load_initial_weights(model, path):
    if not os.path.exists(path):
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    dataset = BlobDataset(192, seed=5)
    order = np.random.default_rng(6).permutation(len(dataset))
    loader = DataLoader(dataset, batch_size=24, sampler=FixedOrderSampler(order), num_workers=args.workers)

    model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 3))
    load_initial_weights(model, args.init)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, nesterov=True, momentum=0.9)

    losses, workers, shapes = [], [], []
    for _ in range(args.epochs):
        for batch in loader:
            x, y = batch["x"], batch["y"]
            shapes.append([list(x.shape), x.dtype == torch.float32, list(y.shape), y.dtype == torch.int64])
            workers.append(sorted(set(batch["worker"].tolist())))
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())

    with open(args.out, "w") as f:
        json.dump({"losses": losses, "workers": workers, "shapes": shapes}, f)
    print(f"dataset: {len(losses)} batches, loss {losses[0]:.4f} -> {losses[-1]:.4f}, workers {workers[:4]}")


if __name__ == "__main__":
    main()
