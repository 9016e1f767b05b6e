"""PyTorch side of `npm run bench` (see bench/README.md).

Run by bench/run.mjs with /usr/bin/python3 (Debian's python3-torch), once per workload and
configuration:

  torch_bench.py --workload w1|w2|gemm|w3|w4 --mode best|installed [--threads N] [--images F --labels F]
                 [--samples N] [--epochs K] [--shapes 128x784x256,...] [--model lstm|transformer --steps S]

`--mode best` expects OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS in the environment, set by the
caller before the process starts; it then sets torch's thread count (`--threads`, else 1 for W1,
GEMM and W3 and 2 for W2) and flushes denormals. `--mode installed` changes nothing.

Prints one JSON object on stdout: timings of every run, the settings used and the peak RSS of the
process. Exits 3 with {"skipped": ...} when `import torch` fails.
"""

import argparse
import gzip
import json
import os
import resource
import sys
import time


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def peak_rss_kb():
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


try:
    import numpy as np
    import torch
    import torch.nn as nn
except Exception as e:  # noqa: BLE001 - any import failure means "skip"
    emit({"skipped": f"import torch failed: {type(e).__name__}: {e}"})
    sys.exit(3)


def read_idx(path):
    """An IDX file (raw or gzip) as a numpy uint8 array shaped by its header."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic = int.from_bytes(raw[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def configure(mode, workload, threads=None):
    """Applies the best configuration (at `threads` threads when given), or nothing; returns what is in force."""
    if mode == "best":
        torch.set_num_threads(threads or (2 if workload == "w2" else 1))
        torch.set_flush_denormal(True)
    return {
        "mode": mode,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "flush_denormal": mode == "best",
        "env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ},
    }


def load_images(args, flatten):
    images = read_idx(args.images)[: args.samples]
    labels = read_idx(args.labels)[: args.samples]
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    x = x.reshape(len(images), 784) if flatten else x.reshape(len(images), 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))
    return x.contiguous(), y


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )


def train_epochs(model, x, y, batch, epochs, lr=1e-3):
    """Adam on softmax cross-entropy; every epoch timed whole (shuffle, batching, step, loss read)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(1)
    n = x.shape[0]
    seconds, losses = [], []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for start in range(0, n, batch):
            idx = perm[start : start + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds.append(time.perf_counter() - t0)
        losses.append(total / n)
    return seconds, losses


def run_training(args, flatten, net, batch):
    torch.manual_seed(1)
    x, y = load_images(args, flatten)
    model = net()
    seconds, losses = train_epochs(model, x, y, batch, args.epochs)
    return {"samples": int(x.shape[0]), "batch": batch, "seconds": seconds, "loss": losses}


def run_gemm(args):
    out = []
    for shape in args.shapes.split(","):
        m, k, n = (int(v) for v in shape.split("x"))
        g = torch.Generator().manual_seed(1)
        a = torch.randn(m, k, generator=g)
        b = torch.randn(k, n, generator=g)
        c = torch.empty(m, n)
        flop = 2.0 * m * n * k
        for _ in range(3):
            torch.mm(a, b, out=c)
        # Enough calls per run for about 0.25 s, then several runs.
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        one = max(time.perf_counter() - t0, 1e-6)
        reps = max(1, int(0.25 / one))
        gflops = []
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(args.runs):
            t0 = time.perf_counter()
            for _ in range(reps):
                torch.mm(a, b, out=c)
            dt = time.perf_counter() - t0
            gflops.append(flop * reps / dt / 1e9)
        # CPU time over wall time: about 1 on one core, about 2 when two cores worked.
        cpu_per_wall = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
        out.append({"m": m, "k": k, "n": n, "reps": reps, "gflops": gflops, "cpu_per_wall": cpu_per_wall})
    return {"shapes": out}


def run_linear(args):
    """W3: y = 2x + 3 + 0.1·noise, 1,000 samples, w·x + b from zeros, SGD lr 0.1, MSE, batch 32, 100 epochs."""
    g = torch.Generator().manual_seed(7)
    n = 1000
    x = torch.rand(n, 1, generator=g) * 2 - 1
    y = 2 * x + 3 + 0.1 * torch.randn(n, 1, generator=g)
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    t0 = time.perf_counter()
    for _ in range(100):
        perm = torch.randperm(n, generator=g)
        for start in range(0, n, 32):
            idx = perm[start : start + 32]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            loss.item()
    return {"train_seconds": time.perf_counter() - t0, "w": model.weight.item(), "b": model.bias.item()}


class CharLstm(nn.Module):
    """W4's language model: embedding 65 → 128, a 2-layer LSTM of 256, dense to 65 (as bench/w4-seq.mjs)."""

    def __init__(self, vocab=65):
        super().__init__()
        self.emb = nn.Embedding(vocab, 128)
        self.rnn = nn.LSTM(128, 256, num_layers=2, batch_first=True)
        self.out = nn.Linear(256, vocab)

    def forward(self, x):
        return self.out(self.rnn(self.emb(x))[0])


class CharTransformer(nn.Module):
    """W4's transformer: embedding 128 plus learned positions, 2 pre-norm causal blocks (4 heads, MLP 512, ReLU), dense to 65."""

    def __init__(self, vocab=65, length=64, d=128):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(length, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, dim_feedforward=512, dropout=0.0, activation="relu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.out = nn.Linear(d, vocab)
        self.register_buffer("causal", torch.triu(torch.full((length, length), float("-inf")), diagonal=1))

    def forward(self, x):
        return self.out(self.blocks(self.emb(x) + self.pos, mask=self.causal))


def run_seq(args):
    """W4: tokens/s of training on random tokens (batch 32, sequence 64), Adam 1e-3; each run `steps` steps, drawing not timed."""
    torch.manual_seed(1)
    vocab, batch, length = 65, 32, 64
    model = CharLstm(vocab) if args.model == "lstm" else CharTransformer(vocab, length)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(4)

    def steps(n):
        total = 0.0
        for _ in range(n):
            stream = torch.randint(1, vocab, (batch, length + 1), generator=gen)
            x, y = stream[:, :-1].contiguous(), stream[:, 1:].contiguous()
            t0 = time.perf_counter()
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x).reshape(-1, vocab), y.reshape(-1))
            loss.backward()
            opt.step()
            last = loss.item()
            total += time.perf_counter() - t0
        return total, last

    steps(2)
    values, loss = [], None
    for _ in range(args.runs):
        seconds, loss = steps(args.steps)
        values.append(args.steps * batch * length / seconds)
    return {"model": args.model, "tokensPerStep": batch * length, "steps": args.steps, "values": values, "loss": loss}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workload", required=True, choices=["w1", "w2", "gemm", "w3", "w4"])
    p.add_argument("--mode", required=True, choices=["best", "installed"])
    p.add_argument("--threads", type=int)
    p.add_argument("--images")
    p.add_argument("--labels")
    p.add_argument("--samples", type=int, default=60000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--shapes", default="128x784x256,128x256x128,512x512x512")
    p.add_argument("--model", choices=["lstm", "transformer"], default="lstm")
    p.add_argument("--steps", type=int, default=10)
    args = p.parse_args()

    settings = configure(args.mode, args.workload, args.threads)
    if args.workload == "w1":
        result = run_training(args, True, mlp, 128)
    elif args.workload == "w2":
        result = run_training(args, False, cnn, 64)
    elif args.workload == "gemm":
        result = run_gemm(args)
    elif args.workload == "w4":
        result = run_seq(args)
    else:
        result = run_linear(args)
    emit(
        {
            "framework": "torch",
            "version": torch.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "settings": settings,
            "workload": args.workload,
            "result": result,
            "peak_rss_kb": peak_rss_kb(),
        }
    )


if __name__ == "__main__":
    main()
