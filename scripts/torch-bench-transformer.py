#!/usr/bin/env python3
# PyTorch side of scripts/bench-transformer.mjs (the W4 transformer of issue 13): the same model
# (embedding 65 → 128 plus a learned position table, 2 pre-norm encoder layers with 4 heads, a
# causal mask and feed-forward 512, no dropout, a dense layer back to 65), Adam, token
# cross-entropy, batch 32 of sequences of 64 random tokens. Prints one JSON line: the thread count
# and the seconds of each timed training step.
#
#   OPENBLAS_NUM_THREADS=N /usr/bin/python3 scripts/torch-bench-transformer.py --threads N --steps 20
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument('--threads', type=int, default=1)
p.add_argument('--steps', type=int, default=20)
p.add_argument('--warmup', type=int, default=3)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.set_flush_denormal(True)
torch.manual_seed(0)
V, D, H, FF, L, B = 65, 128, 4, 512, 64, 32


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(V, D)
        self.pos = torch.nn.Parameter(torch.randn(L, D) * 0.02)
        self.blocks = torch.nn.ModuleList(
            [torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation='relu', batch_first=True, norm_first=True) for _ in range(2)]
        )
        self.out = torch.nn.Linear(D, V)
        self.register_buffer('causal', torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1))

    def forward(self, x):
        h = self.emb(x) + self.pos
        for b in self.blocks:
            h = b(h, src_mask=self.causal)
        return self.out(h)


model = Model()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randint(1, V, (B, L))
y = torch.randint(1, V, (B, L))
times = []
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x).reshape(B * L, V), y.reshape(B * L))
    loss.backward()
    opt.step()
    if i >= a.warmup:
        times.append(time.perf_counter() - t0)
print(json.dumps({'threads': a.threads, 'torch': torch.__version__, 'tokens_per_step': B * L, 'times': times, 'loss': float(loss)}))
