// The attention and transformer_block layers against PyTorch (test/fixtures/attention.json, made by
// scripts/torch-ref-attention.py from torch.nn.MultiheadAttention and TransformerEncoderLayer in
// float64): the same weights loaded into dlf's parameters by name, the output and the gradients of
// Σ y·r with respect to the input and every weight, in float32 on the suite's backend, as built and
// after the graph optimiser.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/compile/layers/attention.js';
import { transformer_block } from '../../src/compile/layers/transformer_block.js';
import type { LayerCtx } from '../../src/compile/layers/types.js';
import { optimizeGraph } from '../../src/compile/optimize.js';
import { planGraph } from '../../src/compile/plan.js';
import { type LayerOf, LayerSchema } from '../../src/config/schema.js';
import { Executor } from '../../src/exec/executor.js';
import { appendBackward } from '../../src/graph/autodiff.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { K } from '../backend.js';

interface Case {
  name: string;
  layer: Record<string, unknown> & { type: 'attention' | 'transformer_block' };
  shape: [number, number, number];
  x: number[];
  mask: number[];
  r: number[];
  params: Record<string, number[]>;
  y: number[];
  grads: Record<string, number[]>;
}

const FIXTURE = JSON.parse(readFileSync(new URL('../fixtures/attention.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Builds the layer on x and the mask as inputs, with loss Σ y·r and its gradients. */
function build(c: Case) {
  const g = new GraphBuilder();
  const [B, L, D] = c.shape;
  const x = g.input('x', [B, L, D]);
  const mask = g.input('mask', [B, L]);
  const r = g.input('r', [B, L, D]);
  const params = new Map<string, number>();
  const ctx: LayerCtx = {
    g,
    mode: 'train',
    place: { file: 'model.yaml', line: 1, col: 1, path: 'model.layers.0' },
    param: (name, shape) => {
      const id = g.param(name, shape);
      params.set(g.node(id).name, id);
      return id;
    },
    state: () => {
      throw new Error('not used');
    },
    randomMask: () => {
      throw new Error('no dropout here');
    },
    updateState: () => {
      throw new Error('not used');
    },
    // The mask of a sequence of its length, as the model's ctx gives it.
    mask: (L: number) => (mask !== undefined && g.shapeOf(mask)[1] === L ? mask : undefined),
    shared: (_key: string, build: () => number) => build(),
  };
  const cfg = LayerSchema.parse(c.layer);
  const y = cfg.type === 'attention' ? attention(ctx, cfg as LayerOf<'attention'>, [x]) : transformer_block(ctx, cfg as LayerOf<'transformer_block'>, [x]);
  const loss = g.apply('sum', [g.apply('mul', [y, r])]);
  const wrt = [x, ...params.values()];
  const grads = appendBackward(g, loss, wrt);
  const gradOf = new Map<string, number>([['x', grads.get(x)!], ...[...params].map(([n, id]) => [n, grads.get(id)!] as [string, number])]);
  return { g, x, mask, r, y, params, gradOf };
}

function run(c: Case, optimize: boolean) {
  const { g, x, mask, r, y, params, gradOf } = build(c);
  const outputs = [y, ...gradOf.values()];
  const o = optimize ? optimizeGraph(g.graph, outputs) : undefined;
  const id = (n: number) => (o ? o.idOf(n) : n);
  const plan = planGraph(o ? o.graph : g.graph, outputs.map(id));
  const bufs = new Map(
    [...params.keys()].map((n) => {
      if (!c.params[n]) throw new Error(`dlf's parameter ${n} is not in the fixture (${Object.keys(c.params).join(', ')})`);
      return [n, Float32Array.from(c.params[n])];
    }),
  );
  const ex = new Executor(plan, K, bufs, 'float32');
  ex.buffer(id(x)).set(c.x);
  ex.buffer(id(mask)).set(c.mask);
  ex.buffer(id(r)).set(c.r);
  ex.run();
  return { y: Float64Array.from(ex.buffer(id(y))), grads: new Map([...gradOf].map(([n, gid]) => [n, Float64Array.from(ex.buffer(id(gid)))])) };
}

/**
 * Largest |a − b| relative to the largest |b|, or to 1 when that is smaller (the key bias's
 * gradient is 0 in exact arithmetic: float32 leaves noise of ~1e-7 there).
 */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1);
}

const TOL = 2e-5;

describe.each(FIXTURE.cases)('$name matches PyTorch', (c) => {
  it.each([false, true])('optimised %s: output and every gradient', (optimize) => {
    const got = run(c, optimize);
    expect(relErr(got.y, c.y)).toBeLessThan(TOL);
    expect([...got.grads.keys()].sort()).toEqual(Object.keys(c.grads).sort());
    for (const [name, grad] of got.grads) {
      const e = relErr(grad, c.grads[name]);
      expect(e, `gradient of ${name}: relative error ${e}`).toBeLessThan(TOL);
    }
  });
});

it('the fixture has the cases this test relies on (masks with padding, causal and not)', () => {
  expect(FIXTURE.cases.length).toBeGreaterThanOrEqual(5);
  expect(FIXTURE.cases.some((c) => c.layer.causal === true && c.mask.includes(0))).toBe(true);
  expect(FIXTURE.cases.some((c) => c.layer.causal === false && c.mask.includes(0))).toBe(true);
});
