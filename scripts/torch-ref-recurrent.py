#!/usr/bin/env python3
# Writes test/fixtures/recurrent.json: PyTorch (float64) reference outputs and gradients of its
# RNN, LSTM and GRU layers, 1 and 2 layers, one or both directions, on padded batches (packed with
# pack_padded_sequence, so that each sample's last state is at its last real token), for
# test/compile/layers-recurrent.test.ts, which loads these weights into dlf's layers through the
# gate mapping of docs/recurrent.md and compares. CI does not need PyTorch: the fixture is committed.
#
# Regenerate: /usr/bin/python3 scripts/torch-ref-recurrent.py   (from the repository root)
#
# Per case: the layer config, the input x [B, L, F], the lengths, PyTorch's parameters under their
# own names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse), the projection
# `proj` of the loss, the output, and the gradients of loss = Σ output · proj with respect to x
# and every parameter. With return_sequences, the output is [B, L, H·dirs] with zeros at padded
# positions (proj is zero there too, so padding does not enter the loss); without, it is the last
# layer's final states [B, H·dirs] (forward then backward).
import json
import os

import torch

torch.manual_seed(13)
torch.set_default_dtype(torch.float64)

CASES = [
    dict(cell='lstm', num_layers=1, bidirectional=False, return_sequences=True),
    dict(cell='lstm', num_layers=2, bidirectional=True, return_sequences=True),
    dict(cell='lstm', num_layers=2, bidirectional=False, return_sequences=False),
    dict(cell='gru', num_layers=1, bidirectional=False, return_sequences=True),
    dict(cell='gru', num_layers=2, bidirectional=True, return_sequences=True),
    dict(cell='gru', num_layers=1, bidirectional=True, return_sequences=False),
    dict(cell='rnn', num_layers=1, bidirectional=False, return_sequences=True),
    dict(cell='rnn', num_layers=2, bidirectional=True, return_sequences=False),
]
B, L, F, H = 3, 5, 4, 3
LENGTHS = [5, 2, 4]


def make(cell, **kw):
    cls = {'rnn': torch.nn.RNN, 'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[cell]
    return cls(input_size=F, hidden_size=H, batch_first=True, **kw)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


cases = []
for case in CASES:
    net = make(case['cell'], num_layers=case['num_layers'], bidirectional=case['bidirectional'])
    # Weights wider than PyTorch's default so the gates are not all near their linear range.
    with torch.no_grad():
        for p in net.parameters():
            p.uniform_(-0.8, 0.8)
    x = torch.randn(B, L, F, requires_grad=True)
    dirs = 2 if case['bidirectional'] else 1
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(LENGTHS), batch_first=True, enforce_sorted=False)
    out_packed, state = net(packed)
    h_n = state[0] if case['cell'] == 'lstm' else state
    if case['return_sequences']:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True, total_length=L)
        real = (torch.arange(L)[None, :] < torch.tensor(LENGTHS)[:, None]).to(out.dtype)
        proj = torch.randn(out.shape) * real[:, :, None]
    else:
        last = h_n.view(case['num_layers'], dirs, B, H)[-1]
        out = torch.cat([last[d] for d in range(dirs)], dim=1)
        proj = torch.randn(out.shape)
    loss = (out * proj).sum()
    loss.backward()
    cases.append(
        dict(
            **case,
            units=H,
            shape=[B, L, F],
            lengths=LENGTHS,
            x=flat(x),
            proj=flat(proj),
            params={n: dict(shape=list(p.shape), data=flat(p)) for n, p in net.named_parameters()},
            output=dict(shape=list(out.shape), data=flat(out)),
            grads=dict(x=flat(x.grad), **{n: flat(p.grad) for n, p in net.named_parameters()}),
        )
    )

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'recurrent.json')
with open(path, 'w') as f:
    json.dump(dict(generator='scripts/torch-ref-recurrent.py', torch=torch.__version__, cases=cases), f)
print(f'wrote {len(cases)} cases to {os.path.normpath(path)}')
