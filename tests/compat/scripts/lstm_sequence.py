"""LSTM sequence classification, written for PyTorch: 2-layer LSTM on packed variable-length
sequences, RMSprop, gradient clipping.

    python lstm_sequence.py --init init.npz --out losses.json [--steps N]

Task: is the sum of the first feature over the (unpadded) sequence positive?
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import clip_grad_norm_
from torch.nn.utils.rnn import pack_padded_sequence


class Classifier(nn.Module):
    def __init__(self, features=4, hidden=16, classes=2):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, num_layers=2, batch_first=True)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.out(h[-1])


def load_initial_weights(model, path):
    if not os.path.exists(path):
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=25)
    args = parser.parse_args()

    rng = np.random.default_rng(2)
    n, t_max = 128, 10
    seqs = rng.standard_normal((n, t_max, 4)).astype(np.float32)
    lengths = rng.integers(3, t_max + 1, size=n)
    for i, length in enumerate(lengths):
        seqs[i, length:] = 0.0
    labels = (seqs[:, :, 0].sum(axis=1) > 0).astype(np.int64)
    X, Y, L = torch.from_numpy(seqs), torch.from_numpy(labels), torch.from_numpy(lengths)

    model = Classifier()
    load_initial_weights(model, args.init)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=5e-3)

    losses, norms = [], []
    batch = 32
    for step in range(args.steps):
        sl = slice((step * batch) % n, (step * batch) % n + batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[sl], L[sl]), Y[sl])
        loss.backward()
        norms.append(float(clip_grad_norm_(model.parameters(), max_norm=1.0)))
        optimizer.step()
        losses.append(loss.item())

    with torch.no_grad():
        accuracy = (model(X, L).argmax(-1) == Y).float().mean().item()
    with open(args.out, "w") as f:
        json.dump({"losses": losses, "grad_norms": norms, "accuracy": accuracy}, f)
    print(f"lstm: loss {losses[0]:.4f} -> {losses[-1]:.4f}, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
