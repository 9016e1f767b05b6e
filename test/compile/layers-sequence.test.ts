// The sequence layers on a small fake LayerCtx whose padding mask is an input: sequence_pool
// (mean, max, last; masked and not; an all-padding sequence), positional_embedding (the learned
// table's name and shape, the sinusoidal values), attention's masks (a padded key has no
// influence, causal order, finite output for an all-padding row, dropout only in training),
// transformer_block's parameter names, and the shape errors with their place.
import { describe, expect, it } from 'vitest';
import { attention } from '../../src/compile/layers/attention.js';
import { positional_embedding, sinusoidalTable } from '../../src/compile/layers/positional_embedding.js';
import { sequence_pool } from '../../src/compile/layers/sequence_pool.js';
import { transformer_block } from '../../src/compile/layers/transformer_block.js';
import type { LayerCtx, Mode } from '../../src/compile/layers/types.js';
import { planGraph } from '../../src/compile/plan.js';
import { type InitConfig, type LayerConfig, type LayerOf, LayerSchema } from '../../src/config/schema.js';
import { DlfError, type Place } from '../../src/errors.js';
import { Executor } from '../../src/exec/executor.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { Rng } from '../../src/tensor/rng.js';
import { K } from '../backend.js';

const PLACE: Place = { file: 'model.yaml', line: 4, col: 5, path: 'model.layers.1' };

interface Declared {
  name: string;
  shape: number[];
  init: InitConfig;
}

/** A fake LayerCtx; with `maskShape`, ctx.mask() is an input node of that shape. */
function fakeCtx(opts: { maskShape?: number[]; mode?: Mode } = {}) {
  const g = new GraphBuilder();
  const params: Declared[] = [];
  const randoms: number[] = [];
  const mask = opts.maskShape ? g.input('mask', opts.maskShape) : undefined;
  const ctx: LayerCtx = {
    g,
    mode: opts.mode ?? 'train',
    place: PLACE,
    param: (name, shape, init) => {
      const id = g.param(name, shape);
      params.push({ name: g.node(id).name, shape, init });
      return id;
    },
    state: () => {
      throw new Error('not used by these layers');
    },
    randomMask: (shape, keep, scale) => {
      const id = g.random(shape, keep, scale);
      randoms.push(id);
      return id;
    },
    updateState: () => {
      throw new Error('not used by these layers');
    },
    // The mask of a sequence of its length, as the model's ctx gives it.
    mask: (L: number) => (mask !== undefined && g.shapeOf(mask)[1] === L ? mask : undefined),
    shared: (_key: string, build: () => number) => build(),
  };
  return { ctx, g, params, mask, randoms, run: <T>(fn: () => T) => g.scope('layer1', fn) };
}

function cfg<T extends LayerConfig['type']>(raw: { type: T } & Record<string, unknown>): LayerOf<T> {
  return LayerSchema.parse(raw) as LayerOf<T>;
}

/** Runs the graph in float64 with the given inputs and parameter values; returns the output. */
function evaluate(g: GraphBuilder, out: number, inputs: [number, number[]][], params: [string, number[]][] = [], rng?: Rng): number[] {
  const plan = planGraph(g.graph, [out]);
  const ex = new Executor(plan, K, new Map(params.map(([n, v]) => [n, Float64Array.from(v)])), 'float64');
  for (const [id, v] of inputs) ex.buffer(id).set(v);
  ex.run(rng);
  return [...ex.buffer(out)];
}

function shapeErrorOf(fn: () => unknown): DlfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DlfError);
    const err = e as DlfError;
    expect(err.code).toBe('SHAPE');
    expect(err.place).toMatchObject(PLACE);
    return err;
  }
  throw new Error('no error thrown');
}

// x [2, 3, 2]: sample 0 = [[1, 2], [3, -4], [5, 6]] (3 real), sample 1 = [[7, 8], [-9, 10], [11, 12]] (1 real).
const X = [1, 2, 3, -4, 5, 6, 7, 8, -9, 10, 11, 12];
const MASK = [1, 1, 1, 1, 0, 0];

describe('sequence_pool', () => {
  it.each([
    { mode: 'mean', masked: [3, 4 / 3, 7, 8], all: [3, 4 / 3, 3, 10] },
    { mode: 'max', masked: [5, 6, 7, 8], all: [5, 6, 11, 12] },
    { mode: 'last', masked: [5, 6, 7, 8], all: [5, 6, 11, 12] },
  ])('$mode: padding left out with a mask, every position without one', ({ mode, masked, all }) => {
    const a = fakeCtx({ maskShape: [2, 3] });
    const xa = a.g.input('x', [2, 3, 2]);
    const ya = a.run(() => sequence_pool(a.ctx, cfg({ type: 'sequence_pool', mode }), [xa]));
    expect(a.g.shapeOf(ya)).toEqual([2, 2]);
    const got = evaluate(a.g, ya, [
      [xa, X],
      [a.mask!, MASK],
    ]);
    got.forEach((v, i) => expect(v).toBeCloseTo(masked[i], 12));
    const b = fakeCtx();
    const xb = b.g.input('x', [2, 3, 2]);
    const yb = b.run(() => sequence_pool(b.ctx, cfg({ type: 'sequence_pool', mode }), [xb]));
    evaluate(b.g, yb, [[xb, X]]).forEach((v, i) => expect(v).toBeCloseTo(all[i], 12));
  });

  it.each(['mean', 'max', 'last'])('%s: an all-padding sequence pools to zeros, not NaN', (mode) => {
    const { ctx, g, mask, run } = fakeCtx({ maskShape: [2, 3] });
    const x = g.input('x', [2, 3, 2]);
    const y = run(() => sequence_pool(ctx, cfg({ type: 'sequence_pool', mode }), [x]));
    const got = evaluate(g, y, [
      [x, X],
      [mask!, [1, 1, 0, 0, 0, 0]],
    ]);
    expect(got.slice(2).map((v) => v === 0)).toEqual([true, true]);
    expect(got.slice(0, 2).every(Number.isFinite)).toBe(true);
  });

  it('the mask is used only when it matches [batch, length] of the input', () => {
    const { ctx, g, mask, run } = fakeCtx({ maskShape: [2, 5] });
    const x = g.input('x', [2, 3, 2]);
    const y = run(() => sequence_pool(ctx, cfg({ type: 'sequence_pool', mode: 'mean' }), [x]));
    expect(g.graph.nodes.some((n) => n.inputs.includes(mask!))).toBe(false);
    expect(g.shapeOf(y)).toEqual([2, 2]);
  });

  it('rejects input that is not [batch, length, dim]', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => sequence_pool(ctx, cfg({ type: 'sequence_pool' }), [g.input('x', [2, 3])])));
    expect(err.message).toMatch(/\[batch, length, dim\], got \[2, 3\]/);
  });
});

describe('positional_embedding', () => {
  it('learned: a parameter pos [L, D] under the layer scope, added to every sample', () => {
    const { ctx, g, params, run } = fakeCtx();
    const x = g.input('x', [2, 3, 2]);
    const y = run(() => positional_embedding(ctx, cfg({ type: 'positional_embedding' }), [x]));
    expect(params).toEqual([{ name: 'layer1/pos', shape: [3, 2], init: { type: 'normal', mean: 0, std: 0.02 } }]);
    const pos = [10, 20, 30, 40, 50, 60];
    expect(evaluate(g, y, [[x, X]], [['layer1/pos', pos]])).toEqual(X.map((v, i) => v + pos[i % 6]));
  });

  it('sinusoidal: sin at even columns and cos at odd ones of p / 10000^(2i/D), no parameters', () => {
    const t = sinusoidalTable(3, 4);
    expect(t.slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(t[4]).toBeCloseTo(Math.sin(1), 15);
    expect(t[5]).toBeCloseTo(Math.cos(1), 15);
    expect(t[6]).toBeCloseTo(Math.sin(1 / 100), 15);
    expect(t[11]).toBeCloseTo(Math.cos(2 / 100), 15);
    const { ctx, g, params, run } = fakeCtx();
    const x = g.input('x', [1, 3, 4]);
    const y = run(() => positional_embedding(ctx, cfg({ type: 'positional_embedding', encoding: 'sinusoidal' }), [x]));
    expect(params).toEqual([]);
    const got = evaluate(g, y, [[x, new Array(12).fill(1)]]);
    got.forEach((v, i) => expect(v).toBeCloseTo(1 + t[i], 12));
  });

  it('rejects input that is not [batch, length, dim]', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => positional_embedding(ctx, cfg({ type: 'positional_embedding' }), [g.input('x', [2, 3])])));
    expect(err.message).toMatch(/positional_embedding.*\[batch, length, dim\]/);
  });
});

/** attention over x [B, L, D] with fixed, non-trivial weights; returns the output. */
function attend(x: number[], mask: number[] | undefined, shape: [number, number, number], layer: Record<string, unknown>, mode: Mode = 'eval', rng?: Rng) {
  const [B, L, D] = shape;
  const f = fakeCtx({ maskShape: mask ? [B, L] : undefined, mode });
  const xi = f.g.input('x', shape);
  const y = f.run(() => attention(f.ctx, cfg({ type: 'attention', ...layer }), [xi]));
  const values = f.params.map((p, k) => [p.name, Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(1.3 * i + k) * 0.5)]);
  const inputs: [number, number[]][] = [[xi, x]];
  if (mask) inputs.push([f.mask!, mask]);
  return { out: evaluate(f.g, y, inputs, values as [string, number[]][], rng), f, B, L, D };
}

describe('attention', () => {
  const shape: [number, number, number] = [2, 4, 4];
  const x = Array.from({ length: 32 }, (_, i) => Math.cos(0.7 * i));
  const mask = [1, 1, 1, 1, 1, 1, 0, 0];

  it('declares q, k, v and o projections [D, D] with biases under the layer scope; no biases with use_bias: false', () => {
    const { f } = attend(x, mask, shape, { heads: 2 });
    expect(f.params.map((p) => `${p.name} ${p.shape.join('x')}`)).toEqual([
      'layer1/q/w 4x4',
      'layer1/q/b 4',
      'layer1/k/w 4x4',
      'layer1/k/b 4',
      'layer1/v/w 4x4',
      'layer1/v/b 4',
      'layer1/o/w 4x4',
      'layer1/o/b 4',
    ]);
    expect(attend(x, mask, shape, { heads: 2, use_bias: false }).f.params.map((p) => p.name)).toEqual(['layer1/q/w', 'layer1/k/w', 'layer1/v/w', 'layer1/o/w']);
  });

  it('a padded key has no influence on any output; a real one does', () => {
    const base = attend(x, mask, shape, { heads: 2 }).out;
    const padded = [...x];
    padded.splice(4 * 4 + 2 * 4, 4, 9, -9, 9, -9); // sample 1, position 2 (padding)
    const after = attend(padded, mask, shape, { heads: 2 }).out;
    // Sample 1's real rows (positions 0, 1) are unchanged; so is all of sample 0.
    expect(after.slice(0, 16 + 8)).toEqual(base.slice(0, 16 + 8));
    const real = [...x];
    real.splice(4 * 4 + 1 * 4, 4, 9, -9, 9, -9); // sample 1, position 1 (real)
    const changed = attend(real, mask, shape, { heads: 2 }).out;
    expect(changed.slice(16, 20)).not.toEqual(base.slice(16, 20));
  });

  it('causal: an output depends on its own and earlier positions only', () => {
    const base = attend(x, undefined, shape, { heads: 2, causal: true }).out;
    const later = [...x];
    later.splice(2 * 4, 4, 5, 5, 5, 5); // sample 0, position 2
    const after = attend(later, undefined, shape, { heads: 2, causal: true }).out;
    expect(after.slice(0, 8)).toEqual(base.slice(0, 8));
    expect(after.slice(8, 12)).not.toEqual(base.slice(8, 12));
    const noncausal = attend(later, undefined, shape, { heads: 2 }).out;
    expect(noncausal.slice(0, 4)).not.toEqual(attend(x, undefined, shape, { heads: 2 }).out.slice(0, 4));
  });

  it('a sequence of padding only gives finite outputs (no NaN)', () => {
    const { out } = attend(x, [1, 1, 0, 0, 0, 0, 0, 0], shape, { heads: 2, causal: true });
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('dropout on the weights in training only, as a random mask [H, B, L, L]', () => {
    const train = attend(x, mask, shape, { heads: 2, dropout: 0.5 }, 'train', new Rng(1));
    expect(train.f.randoms.map((id) => train.f.g.shapeOf(id))).toEqual([[2, 2, 4, 4]]);
    const evalRun = attend(x, mask, shape, { heads: 2, dropout: 0.5 }, 'eval');
    expect(evalRun.f.randoms).toEqual([]);
    expect(train.out).not.toEqual(evalRun.out);
  });

  it('rejects heads that do not divide the dim, and input that is not [batch, length, dim]', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => attention(ctx, cfg({ type: 'attention', heads: 3 }), [g.input('x', [2, 4, 8])])));
    expect(err.message).toMatch(/3 heads do not divide the input dim 8/);
    const err2 = shapeErrorOf(() => run(() => attention(ctx, cfg({ type: 'attention' }), [g.input('x2', [2, 8])])));
    expect(err2.message).toMatch(/\[batch, length, dim\], got \[2, 8\]/);
  });
});

describe('transformer_block', () => {
  it('names its parameters ln1, attn/{q,k,v,o}, ln2, ff1, ff2 under the layer scope; ff_units defaults to 4·dim', () => {
    const { ctx, g, params, run } = fakeCtx({ maskShape: [2, 4] });
    const y = run(() => transformer_block(ctx, cfg({ type: 'transformer_block', heads: 2 }), [g.input('x', [2, 4, 6])]));
    expect(g.shapeOf(y)).toEqual([2, 4, 6]);
    expect(params.map((p) => `${p.name} ${p.shape.join('x')}`)).toEqual([
      'layer1/ln1/gamma 6',
      'layer1/ln1/beta 6',
      'layer1/attn/q/w 6x6',
      'layer1/attn/q/b 6',
      'layer1/attn/k/w 6x6',
      'layer1/attn/k/b 6',
      'layer1/attn/v/w 6x6',
      'layer1/attn/v/b 6',
      'layer1/attn/o/w 6x6',
      'layer1/attn/o/b 6',
      'layer1/ln2/gamma 6',
      'layer1/ln2/beta 6',
      'layer1/ff1/w 6x24',
      'layer1/ff1/b 24',
      'layer1/ff2/w 24x6',
      'layer1/ff2/b 6',
    ]);
  });

  it('dropout: three random masks in training (attention weights and both branches), none in evaluation', () => {
    const t = fakeCtx({ mode: 'train' });
    t.run(() => transformer_block(t.ctx, cfg({ type: 'transformer_block', heads: 2, ff_units: 8, dropout: 0.1 }), [t.g.input('x', [2, 4, 6])]));
    expect(t.randoms.length).toBe(3);
    const e = fakeCtx({ mode: 'eval' });
    e.run(() => transformer_block(e.ctx, cfg({ type: 'transformer_block', heads: 2, ff_units: 8, dropout: 0.1 }), [e.g.input('x', [2, 4, 6])]));
    expect(e.randoms.length).toBe(0);
  });

  it('rejects input that is not [batch, length, dim]', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => transformer_block(ctx, cfg({ type: 'transformer_block' }), [g.input('x', [2, 8])])));
    expect(err.message).toMatch(/transformer_block needs input \[batch, length, dim\]/);
  });
});
