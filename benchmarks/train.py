"""Whole training steps of ember against PyTorch (CPU): one timed call = zero_grad, forward,
loss, backward and optimizer step of the same model on the same batch.

    python benchmarks/train.py [--rounds 3] [--threads 2] [--case NAME ...]

Workloads:

- ``mlp``: 784-512-512-10 MLP (ReLU), batch 128, Adam, cross-entropy;
- ``lenet``: LeNet-5 on 1x28x28 (conv 6@5x5, max pool, conv 16@5x5, max pool, fc 120-84-10, ReLU),
  batch 64, SGD momentum 0.9, cross-entropy;
- ``resnet``: a small ResNet on 3x32x32, batch 32: stem conv 3->32 + BN + ReLU, stages of widths
  32-64-128 with 2 BasicBlocks each (stride 2 and a 1x1 conv+BN shortcut at the start of stages 2
  and 3), global average pool, fc 10; SGD momentum 0.9, cross-entropy;
- ``gpt``: decoder of 4 causal ``TransformerEncoderLayer(128, 4, 512, dropout=0, gelu, norm_first)``
  layers over token + position embeddings (vocab 65, seq 64, batch 16), final LayerNorm, linear
  head; AdamW, next-token cross-entropy;
- ``lstm``: LSTM(32 -> 128), seq 50, batch 32, linear head on the last step, Adam, MSE;
- ``loader-w0`` / ``loader-w2``: one epoch of a DataLoader (batch 32, 640 samples, num_workers 0
  and 2) over a Dataset whose ``__getitem__`` costs ~1 ms of CPU and returns a (3, 32, 32) float32
  tensor and an int label; reported as samples/s, and 2 workers / 0 workers.

Each framework runs in its own subprocess (benchmarks/harness.py's worker), alternating A B A B;
the parent takes the median over rounds and prints ember/torch with each workload's target.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import _fmt, main  # noqa: E402

PRELUDE = '''
nn = lib.nn
F = lib.nn.functional
lib.manual_seed(0)
_rng = np.random.default_rng(0)


def _t(a):
    return lib.from_numpy(np.ascontiguousarray(a))


def step_fn(model, opt, loss_fn, x, y):
    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


def make_mlp():
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    x = _t(_rng.standard_normal((128, 784), dtype=np.float32))
    y = _t(_rng.integers(0, 10, 128))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return step_fn(model, opt, nn.CrossEntropyLoss(), x, y)


def make_lenet():
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    x = _t(_rng.standard_normal((64, 1, 28, 28), dtype=np.float32))
    y = _t(_rng.integers(0, 10, 64))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return step_fn(model, opt, nn.CrossEntropyLoss(), x, y)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.short is None else self.short(x)))


class ResNet(nn.Module):
    def __init__(self, widths=(32, 64, 128), classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks += [BasicBlock(cin, w, 1 if i == 0 else 2), BasicBlock(w, w, 1)]
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        return self.fc(lib.flatten(self.pool(self.blocks(self.stem(x))), 1))


def make_resnet():
    model = ResNet()
    x = _t(_rng.standard_normal((32, 3, 32, 32), dtype=np.float32))
    y = _t(_rng.integers(0, 10, 32))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return step_fn(model, opt, nn.CrossEntropyLoss(), x, y)


class GPT(nn.Module):
    def __init__(self, vocab=65, d=128, heads=4, layers=4, seq=64):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(seq, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(seq))
        self.register_buffer("positions", lib.arange(seq))

    def forward(self, idx):
        h = self.tok(idx) + self.pos(self.positions)
        h = self.blocks(h, mask=self.mask, is_causal=True)
        return self.head(self.ln(h))


def make_gpt():
    model = GPT()
    idx = _t(_rng.integers(0, 65, (16, 65)))
    x, y = idx[:, :-1].contiguous(), idx[:, 1:].contiguous()
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    return step_fn(model, opt, lambda logits, t: F.cross_entropy(logits.reshape(-1, 65), t.reshape(-1)), x, y)


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(32, 128, batch_first=True)
        self.head = nn.Linear(128, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def make_lstm():
    model = LSTMNet()
    x = _t(_rng.standard_normal((32, 50, 32), dtype=np.float32))
    y = _t(_rng.standard_normal((32, 1), dtype=np.float32))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return step_fn(model, opt, nn.MSELoss(), x, y)


LOADER_SAMPLES = 640


class BusyDataset(lib.utils.data.Dataset):
    """~1 ms of pure-Python work per item (fixed amount of work, not a timer)."""

    def __len__(self):
        return LOADER_SAMPLES

    def __getitem__(self, i):
        s = 0
        for k in range(BUSY_ITERS):
            s += k * k % 7
        r = np.random.default_rng(i)
        return _t(r.standard_normal((3, 32, 32), dtype=np.float32) + (s & 1)), int(r.integers(10))


BUSY_ITERS = 14000  # ~1 ms of CPython 3.11 on the project's VM


def make_loader(workers):
    loader = lib.utils.data.DataLoader(BusyDataset(), batch_size=32, num_workers=workers)

    def epoch():
        n = 0
        for xb, yb in loader:
            n += len(yb)
        assert n == LOADER_SAMPLES
    return epoch
'''

CASES = {
    "mlp": ("step = make_mlp(); step()", "step()"),
    "lenet": ("step = make_lenet(); step()", "step()"),
    "resnet": ("step = make_resnet(); step()", "step()"),
    "gpt": ("step = make_gpt(); step()", "step()"),
    "lstm": ("step = make_lstm(); step()", "step()"),
    "loader-w0": ("epoch = make_loader(0)", "epoch()"),
    "loader-w2": ("epoch = make_loader(2)", "epoch()"),
}

# ember ms / torch ms targets (the loader's is workers-2 / workers-0 throughput, checked below)
TARGETS = {"mlp": 1.0, "lenet": 2.0, "resnet": 2.0, "gpt": 1.3, "lstm": 3.0}
LOADER_TARGET = 1.8


def _parent() -> None:
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--case", nargs="*", default=list(CASES))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    runs: dict[str, dict[str, list[float]]] = {"ember": {}, "torch": {}}
    for _ in range(args.rounds):
        for fw in runs:
            out = subprocess.run([sys.executable, __file__, "--worker", fw, "--threads", str(args.threads),
                                  "--case", *args.case], capture_output=True, text=True, env=env)
            if out.returncode:
                sys.stderr.write(out.stderr)
                raise SystemExit(f"{fw} worker failed")
            for name, secs in json.loads(out.stdout.strip().splitlines()[-1]).items():
                runs[fw].setdefault(name, []).append(secs)
    med = {fw: {n: statistics.median(v) for n, v in r.items()} for fw, r in runs.items()}
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; threads {args.threads}; "
          f"rounds {args.rounds}")
    print(f"{'case':12s} {'ember':>13s} {'torch':>13s} {'ember/torch':>12s} {'target':>8s} {'met':>5s}")
    for name in args.case:
        if name.startswith("loader") or name not in med["ember"]:
            continue
        e, t = med["ember"][name], med["torch"][name]
        target = TARGETS[name]
        print(f"{name:12s} {_fmt(e)} {_fmt(t)} {e / t:12.2f} {'<= ' + str(target):>8s} "
              f"{'yes' if e / t <= target else 'NO':>5s}")
    if "loader-w0" in med["ember"] and "loader-w2" in med["ember"]:
        print()
        print(f"{'DataLoader':12s} {'w0 samples/s':>13s} {'w2 samples/s':>13s} {'w2/w0':>8s} {'target':>8s} "
              f"{'met':>5s}")
        for fw in ("ember", "torch"):
            w0 = LOADER_SAMPLES / med[fw]["loader-w0"]
            w2 = LOADER_SAMPLES / med[fw]["loader-w2"]
            print(f"{fw:12s} {w0:13.0f} {w2:13.0f} {w2 / w0:8.2f} {'>= ' + str(LOADER_TARGET):>8s} "
                  f"{'yes' if w2 / w0 >= LOADER_TARGET else 'NO':>5s}")


LOADER_SAMPLES = 640  # keep in step with the prelude's

if __name__ == "__main__":
    if "--worker" in sys.argv:
        main(CASES, prelude=PRELUDE, budget=1.0)
    else:
        _parent()
