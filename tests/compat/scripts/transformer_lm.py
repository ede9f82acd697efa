"""A small Transformer language model, written for PyTorch: token + position embeddings, a causal
nn.TransformerEncoder (pre-norm), weight tying, AdamW with a LambdaLR warm-up.

    python transformer_lm.py --init init.npz --out losses.json [--steps N]

Character-level next-token prediction on a short repeated text; no dropout (the two libraries'
random streams differ), so runs are deterministic.
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TEXT = "the quick brown fox jumps over the lazy dog. " * 8


class TinyLM(nn.Module):
    def __init__(self, vocab, d_model=32, heads=4, layers=2, context=16):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(context, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=64, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab, bias=False)
        self.lm_head.weight = self.tok.weight          # weight tying
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, idx):
        t = idx.shape[1]
        positions = torch.arange(t, device=idx.device)
        x = self.tok(idx) + self.pos(positions)
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        x = self.encoder(x, mask=mask, is_causal=True)
        return self.lm_head(self.norm(x))


def load_initial_weights(model, path):
    if not os.path.exists(path):
        np.savez(path, **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})
    with np.load(path) as arrays:
        model.load_state_dict({k: torch.from_numpy(arrays[k]) for k in arrays.files})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()

    chars = sorted(set(TEXT))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)
    context, batch = 16, 8
    rng = np.random.default_rng(3)
    starts = rng.integers(0, len(data) - context - 1, size=(args.steps, batch))

    model = TinyLM(len(chars), context=context)
    load_initial_weights(model, args.init)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=3e-3, betas=(0.9, 0.95))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 5))

    losses = []
    model.train()
    for step in range(args.steps):
        ix = torch.from_numpy(starts[step])
        xb = torch.stack([data[i:i + context] for i in ix.tolist()])
        yb = torch.stack([data[i + 1:i + context + 1] for i in ix.tolist()])
        logits = model(xb)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), yb.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())

    model.eval()
    with torch.no_grad():
        idx = torch.tensor([[stoi[c] for c in "the quick brown "]])
        for _ in range(8):
            nxt = model(idx[:, -context:])[:, -1].argmax(-1, keepdim=True)
            idx = torch.cat([idx, nxt], dim=1)
    sample = "".join(chars[i] for i in idx[0].tolist())
    with open(args.out, "w") as f:
        json.dump({"losses": losses, "sample": sample}, f)
    print(f"transformer: loss {losses[0]:.4f} -> {losses[-1]:.4f}, sample {sample!r}")


if __name__ == "__main__":
    main()
