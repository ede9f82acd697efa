"""Train a character-level GPT on Python's own source code, then sample text from it.

The corpus ships with Python itself: the source of the standard library's ``textwrap``
module (about 20,000 characters). Written the PyTorch way: ``import ember as torch`` is
the only line that differs from a PyTorch program. A decoder-only Transformer (causal
self-attention blocks built from ``nn.TransformerEncoderLayer`` with a causal mask) is
trained with AdamW and a warm-up/cosine schedule, checkpointed with ``torch.save``,
reloaded, and used to generate text.

    python examples/char_gpt.py [--steps 400] [--context 64] [--sample 300]
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import tempfile
import textwrap
import time

from tqdm import tqdm

import ember as torch
from ember import nn
from ember.nn import functional as F


class CharGPT(nn.Module):
    def __init__(self, vocab: int, context: int, d_model: int = 64, heads: int = 4, layers: int = 2,
                 dropout: float = 0.1):
        super().__init__()
        self.context = context
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Embedding(context, d_model)
        block = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab, bias=False)
        self.head.weight = self.tok.weight                      # weight tying, as in GPT-2
        for emb in (self.tok, self.pos):
            nn.init.normal_(emb.weight, std=0.02)

    def forward(self, idx):
        t = idx.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(t)
        x = self.tok(idx) + self.pos(torch.arange(t))
        x = self.blocks(x, mask=mask, is_causal=True)
        return self.head(self.norm(x))

    @torch.no_grad()
    def generate(self, idx, new_tokens: int, temperature: float = 0.8):
        self.eval()
        for _ in range(new_tokens):
            logits = self(idx[:, -self.context:])[:, -1] / temperature
            nxt = torch.multinomial(F.softmax(logits, dim=-1), 1)
            idx = torch.cat([idx, nxt], dim=1)
        return idx


def corpus() -> str:
    return inspect.getsource(textwrap)


def batches(data, context: int, batch_size: int, generator):
    """Random windows of ``context`` characters and the same windows shifted by one."""
    starts = torch.randint(0, len(data) - context - 1, (batch_size,), generator=generator)
    offsets = torch.arange(context + 1)
    windows = data[starts[:, None] + offsets]
    return windows[:, :-1], windows[:, 1:]


def main(steps: int = 400, context: int = 64, batch_size: int = 32, lr: float = 3e-3, sample: int = 300,
         seed: int = 0, checkpoint: str | None = None, quiet: bool = False) -> tuple[float, str]:
    torch.manual_seed(seed)
    text = corpus()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    split = int(0.9 * len(data))
    train, val = data[:split], data[split:]
    gen = torch.Generator().manual_seed(seed)

    model = CharGPT(len(chars), context)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.95))
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    print(f"corpus: textwrap.py, {len(text):,} characters, vocabulary {len(chars)}; "
          f"model {sum(p.numel() for p in model.parameters()):,} parameters")

    def val_loss() -> float:
        model.eval()
        with torch.no_grad():
            vgen = torch.Generator().manual_seed(1234)
            x, y = batches(val, context, 64, vgen)
            return F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1)).item()

    start = time.perf_counter()
    first = val_loss()
    report = max(1, steps // 5)
    bar = tqdm(range(1, steps + 1), desc="training", disable=quiet)
    for step in bar:
        model.train()
        x, y = batches(train, context, batch_size, gen)
        loss = F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if step % report == 0 or step == steps:
            tqdm.write(f"step {step:4d}  train loss {loss.item():.3f}  val loss {val_loss():.3f}")
    print(f"trained in {time.perf_counter() - start:.1f} s (val loss {first:.3f} before training)")

    path = checkpoint or os.path.join(tempfile.mkdtemp(prefix="ember-chargpt-"), "char_gpt.pt")
    torch.save({"model": model.state_dict(), "chars": chars}, path)
    state = torch.load(path)
    restored = CharGPT(len(state["chars"]), context)
    restored.load_state_dict(state["model"])
    final = val_loss()
    prompt = torch.tensor([[stoi[c] for c in "def "]])
    out = restored.generate(prompt, sample, temperature=0.8)[0].tolist()
    text_out = "".join(state["chars"][i] for i in out)
    print(f"checkpoint {path}: sample from the reloaded model:\n{text_out}")
    return final, text_out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args()
    main(args.steps, args.context, args.batch_size, args.lr, args.sample, args.seed, args.checkpoint)
