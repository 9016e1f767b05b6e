#!/usr/bin/env python3
# PyTorch reference for dlf's attention and transformer_block layers: writes
# test/fixtures/attention.json, which test/compile/attention-torch.test.ts compares dlf against
# (CI does not need PyTorch). Regenerate with
#
#     /usr/bin/python3 scripts/torch-ref-attention.py
#
# Each case holds, in float64: the layer's config, the input x [B, L, D], the key-padding mask
# [B, L] (1 real, 0 padding; sequences padded at the end), the weights under dlf's parameter
# names and layout (a dense weight is [in, out], applied as x·w: the transpose of PyTorch's
# Linear.weight), a tensor r of x's shape, the output y, and the gradients of loss = Σ y·r with
# respect to x and every weight. The reference is torch.nn.MultiheadAttention (attention) and
# torch.nn.TransformerEncoderLayer with norm_first=True (transformer_block), without dropout.
import json
import os

import torch

torch.manual_seed(13)
torch.set_default_dtype(torch.float64)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def masks(B, L, lengths, causal):
    key_pad = torch.zeros(B, L, dtype=torch.bool)
    for b, n in enumerate(lengths):
        key_pad[b, n:] = True
    attn_mask = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1) if causal else None
    real = (~key_pad).to(torch.float64)
    return key_pad, attn_mask, real


def mha_params(get, D, prefix):
    # get(name) is a parameter of the module by its PyTorch name, or its gradient.
    w = get('in_proj_weight')
    b = get('in_proj_bias')
    return {
        f'{prefix}q/w': w[0:D].t(),
        f'{prefix}k/w': w[D : 2 * D].t(),
        f'{prefix}v/w': w[2 * D : 3 * D].t(),
        f'{prefix}o/w': get('out_proj.weight').t(),
        f'{prefix}q/b': b[0:D],
        f'{prefix}k/b': b[D : 2 * D],
        f'{prefix}v/b': b[2 * D : 3 * D],
        f'{prefix}o/b': get('out_proj.bias'),
    }


def block_params(get, D):
    out = mha_params(lambda n: get('self_attn.' + n), D, 'attn/')
    out['ln1/gamma'] = get('norm1.weight')
    out['ln1/beta'] = get('norm1.bias')
    out['ln2/gamma'] = get('norm2.weight')
    out['ln2/beta'] = get('norm2.bias')
    out['ff1/w'] = get('linear1.weight').t()
    out['ff1/b'] = get('linear1.bias')
    out['ff2/w'] = get('linear2.weight').t()
    out['ff2/b'] = get('linear2.bias')
    return out


def getters(module):
    named = dict(module.named_parameters())
    return (lambda n: named[n]), (lambda n: named[n].grad)


def randomise(module):
    # Non-default values everywhere (biases included), so that a weight read in the wrong place or
    # layout shows.
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.4)


def record(name, layer, x, real, r, y, params, grads):
    return {
        'name': name,
        'layer': layer,
        'shape': list(x.shape),
        'x': flat(x),
        'mask': flat(real),
        'r': flat(r),
        'params': {k: flat(v) for k, v in params.items()},
        'y': flat(y),
        'grads': {'x': flat(x.grad), **{k: flat(v) for k, v in grads.items()}},
    }


def case_attention(name, B, L, D, H, lengths, causal):
    mha = torch.nn.MultiheadAttention(D, H, dropout=0.0, bias=True, batch_first=True)
    randomise(mha)
    x = torch.randn(B, L, D, requires_grad=True)
    r = torch.randn(B, L, D)
    key_pad, attn_mask, real = masks(B, L, lengths, causal)
    y, _ = mha(x, x, x, key_padding_mask=key_pad, attn_mask=attn_mask, need_weights=False)
    (y * r).sum().backward()
    value, grad = getters(mha)
    layer = {'type': 'attention', 'heads': H, 'causal': causal}
    return record(name, layer, x, real, r, y, mha_params(value, D, ''), mha_params(grad, D, ''))


def case_block(name, B, L, D, H, FF, lengths, causal):
    block = torch.nn.TransformerEncoderLayer(D, H, dim_feedforward=FF, dropout=0.0, activation='relu', layer_norm_eps=1e-5, batch_first=True, norm_first=True)
    randomise(block)
    with torch.no_grad():
        block.norm1.weight.add_(1.0)
        block.norm2.weight.add_(1.0)
    x = torch.randn(B, L, D, requires_grad=True)
    r = torch.randn(B, L, D)
    key_pad, attn_mask, real = masks(B, L, lengths, causal)
    y = block(x, src_mask=attn_mask, src_key_padding_mask=key_pad)
    (y * r).sum().backward()
    value, grad = getters(block)
    layer = {'type': 'transformer_block', 'heads': H, 'ff_units': FF, 'causal': causal}
    return record(name, layer, x, real, r, y, block_params(value, D), block_params(grad, D))


cases = [
    case_attention('attention, key padding', 3, 6, 8, 2, [6, 4, 1], False),
    case_attention('attention, causal and key padding', 3, 6, 8, 2, [6, 4, 1], True),
    case_attention('attention, no padding, 4 heads', 2, 5, 12, 4, [5, 5], False),
    case_block('transformer_block, causal and key padding', 2, 7, 8, 2, 16, [7, 3], True),
    case_block('transformer_block, key padding', 2, 5, 12, 3, 20, [5, 2], False),
]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'attention.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f)
    f.write('\n')
print(f'wrote {os.path.normpath(out)}: {len(cases)} cases')
