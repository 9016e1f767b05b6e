// The spatial and lookup layer builders (conv2d, maxpool2d, avgpool2d, global_avg_pool2d,
// embedding, concat) on a small fake LayerCtx: output shapes for same/valid/number padding and
// strides, parameter names, shapes and default initialisers, a numeric check of 'same' padding,
// and the shape errors with their place.
import { describe, expect, it } from 'vitest';
import { planGraph } from '../../src/compile/plan.js';
import { avgpool2d } from '../../src/compile/layers/avgpool2d.js';
import { concat } from '../../src/compile/layers/concat.js';
import { conv2d } from '../../src/compile/layers/conv2d.js';
import { embedding } from '../../src/compile/layers/embedding.js';
import { global_avg_pool2d } from '../../src/compile/layers/global_avg_pool2d.js';
import { maxpool2d } from '../../src/compile/layers/maxpool2d.js';
import type { LayerCtx } from '../../src/compile/layers/types.js';
import { type InitConfig, type LayerConfig, type LayerOf, LayerSchema } from '../../src/config/schema.js';
import { DlfError, type Place } from '../../src/errors.js';
import { Executor } from '../../src/exec/executor.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { K } from '../backend.js';

const PLACE: Place = { file: 'model.yaml', line: 7, col: 5, path: 'model.layers.0' };

interface Declared {
  name: string;
  shape: number[];
  init: InitConfig;
}

/** A LayerCtx over a fresh graph, scoped like the model compiler scopes a layer; records the parameters. */
function fakeCtx(): { ctx: LayerCtx; g: GraphBuilder; params: Declared[]; run: <T>(fn: () => T) => T } {
  const g = new GraphBuilder();
  const params: Declared[] = [];
  const ctx: LayerCtx = {
    g,
    mode: 'train',
    place: PLACE,
    param: (name, shape, init) => {
      const id = g.param(name, shape);
      params.push({ name: g.node(id).name, shape, init });
      return id;
    },
    state: () => {
      throw new Error('not used by these layers');
    },
    randomMask: () => {
      throw new Error('not used by these layers');
    },
    updateState: () => {
      throw new Error('not used by these layers');
    },
    mask: () => undefined,
    shared: (_key, build) => build(),
  };
  return { ctx, g, params, run: (fn) => g.scope('layer0', () => fn()) };
}

/** A layer config as the schema resolves it (defaults filled). */
function cfg<T extends LayerConfig['type']>(raw: { type: T } & Record<string, unknown>): LayerOf<T> {
  return LayerSchema.parse(raw) as LayerOf<T>;
}

/** The error a builder throws, checked to be a ShapeError at the layer's place. */
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

describe('conv2d layer', () => {
  it.each([
    { input: [2, 3, 28, 28], layer: { kernel_size: 3 }, out: [2, 4, 26, 26], label: 'valid (default)' },
    { input: [2, 3, 28, 28], layer: { kernel_size: 3, padding: 'same' }, out: [2, 4, 28, 28], label: 'same' },
    { input: [2, 3, 28, 28], layer: { kernel_size: 3, padding: 'same', stride: 2 }, out: [2, 4, 14, 14], label: 'same, stride 2' },
    { input: [2, 3, 27, 27], layer: { kernel_size: 3, padding: 'same', stride: 2 }, out: [2, 4, 14, 14], label: 'same, stride 2, odd size' },
    { input: [2, 3, 28, 28], layer: { kernel_size: 4, padding: 'same' }, out: [2, 4, 28, 28], label: 'same, even kernel' },
    { input: [2, 3, 28, 28], layer: { kernel_size: 3, padding: 'same', dilation: 2 }, out: [2, 4, 28, 28], label: 'same, dilation 2' },
    { input: [2, 3, 28, 28], layer: { kernel_size: 3, padding: 1, stride: 2 }, out: [2, 4, 14, 14], label: 'padding 1, stride 2' },
    { input: [2, 3, 28, 28], layer: { kernel_size: 3, stride: 2 }, out: [2, 4, 13, 13], label: 'valid, stride 2' },
    { input: [1, 2, 9, 10], layer: { kernel_size: [3, 5], stride: [1, 2], padding: 'same' }, out: [1, 4, 9, 5], label: '[h, w] sizes' },
    { input: [1, 2, 9, 10], layer: { kernel_size: 3, dilation: [2, 1] }, out: [1, 4, 5, 8], label: 'valid, dilation [2, 1]' },
  ])('$label: $input → $out', ({ input, layer, out }) => {
    const { ctx, g, run } = fakeCtx();
    const x = g.input('x', input);
    const y = run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 4, ...layer }), [x]));
    expect(g.shapeOf(y)).toEqual(out);
  });

  it('declares w [filters, channels, kh, kw] and b [filters] under the layer scope, he_uniform before relu', () => {
    const { ctx, g, params, run } = fakeCtx();
    const x = g.input('x', [2, 3, 8, 8]);
    run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 5, kernel_size: [3, 2], activation: 'relu' }), [x]));
    expect(params).toEqual([
      { name: 'layer0/w', shape: [5, 3, 3, 2], init: 'he_uniform' },
      { name: 'layer0/b', shape: [5], init: 'zeros' },
    ]);
    expect(g.graph.nodes.some((n) => n.op === 'relu')).toBe(true);
  });

  it('glorot_uniform otherwise, an explicit kernel_init wins, and use_bias: false declares no b', () => {
    const a = fakeCtx();
    a.run(() => conv2d(a.ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 1 }), [a.g.input('x', [1, 1, 2, 2])]));
    expect(a.params.map((p) => p.init)).toEqual(['glorot_uniform', 'zeros']);
    const b = fakeCtx();
    b.run(() => conv2d(b.ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 1, use_bias: false, kernel_init: 'he_normal' }), [b.g.input('x', [1, 1, 2, 2])]));
    expect(b.params).toEqual([{ name: 'layer0/w', shape: [2, 1, 1, 1], init: 'he_normal' }]);
  });

  it("'same' with an even kernel puts the extra zero at the bottom and right, and adds the bias per channel", () => {
    const { ctx, g, run } = fakeCtx();
    const x = g.input('x', [1, 1, 3, 3]);
    const y = run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 2, padding: 'same' }), [x]));
    const plan = planGraph(g.graph, [y]);
    // Filter 0 sums each 2×2 window, filter 1 takes its top-left cell; biases 100 and -100.
    const params = new Map([
      ['layer0/w', Float64Array.from([1, 1, 1, 1, 1, 0, 0, 0])],
      ['layer0/b', Float64Array.from([100, -100])],
    ]);
    const ex = new Executor(plan, K, params, 'float64');
    ex.buffer(x).set([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    ex.run();
    // Total padding 1 per axis: none before, one after.
    expect([...ex.buffer(y)]).toEqual([...[12, 16, 9, 24, 28, 15, 15, 17, 9].map((v) => v + 100), ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => v - 100)]);
  });

  it('rejects input that is not NCHW, naming the layout, with a hint for flat features', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 3 }), [g.input('x', [8, 784])])));
    expect(err.message).toMatch(/NCHW input \[batch, channels, height, width\], got \[8, 784\]/);
    expect(err.hint).toMatch(/reshape/);
    const three = fakeCtx();
    const err3 = shapeErrorOf(() => three.run(() => conv2d(three.ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 3 }), [three.g.input('x', [8, 28, 28])])));
    expect(err3.message).toMatch(/NCHW/);
  });

  it('rejects a kernel that does not fit the (padded) input', () => {
    const { ctx, g, run } = fakeCtx();
    const x = g.input('x', [1, 1, 4, 4]);
    const err = shapeErrorOf(() => run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 5 }), [x])));
    expect(err.message).toMatch(/spans 5×5 cells but the input is 4×4/);
    const dil = shapeErrorOf(() => run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 3, dilation: 2 }), [x])));
    expect(dil.message).toMatch(/spans 5×5/);
    // 'same' always fits.
    expect(g.shapeOf(run(() => conv2d(ctx, cfg({ type: 'conv2d', filters: 2, kernel_size: 5, padding: 'same', name: 'c' }), [x])))).toEqual([1, 2, 4, 4]);
  });
});

type PoolBuild = (ctx: LayerCtx, raw: Record<string, unknown>, ins: number[]) => number;
describe.each([
  { op: 'maxpool2d', build: ((ctx, raw, ins) => maxpool2d(ctx, cfg({ type: 'maxpool2d', ...raw }), ins)) as PoolBuild },
  { op: 'avgpool2d', build: ((ctx, raw, ins) => avgpool2d(ctx, cfg({ type: 'avgpool2d', ...raw }), ins)) as PoolBuild },
])('$op layer', ({ op, build }) => {
  it.each([
    { input: [2, 3, 28, 28], layer: {}, out: [2, 3, 14, 14], label: 'pool 2 (default), stride = pool' },
    { input: [2, 3, 7, 7], layer: {}, out: [2, 3, 3, 3], label: 'odd size, valid' },
    { input: [2, 3, 7, 7], layer: { padding: 'same' }, out: [2, 3, 4, 4], label: 'odd size, same' },
    { input: [2, 3, 28, 28], layer: { pool_size: 3, stride: 2 }, out: [2, 3, 13, 13], label: 'pool 3, stride 2, valid' },
    { input: [2, 3, 28, 28], layer: { pool_size: 3, stride: 2, padding: 'same' }, out: [2, 3, 14, 14], label: 'pool 3, stride 2, same' },
    { input: [2, 3, 28, 28], layer: { pool_size: 3, stride: 1, padding: 1 }, out: [2, 3, 28, 28], label: 'pool 3, stride 1, padding 1' },
    { input: [1, 1, 6, 9], layer: { pool_size: [2, 3] }, out: [1, 1, 3, 3], label: '[h, w] pool' },
  ])('$label: $input → $out', ({ input, layer, out }) => {
    const { ctx, g, params, run } = fakeCtx();
    const y = run(() => build(ctx, layer, [g.input('x', input)]));
    expect(g.shapeOf(y)).toEqual(out);
    expect(g.node(y).op).toBe(op);
    expect(params).toEqual([]);
  });

  it('rejects input that is not NCHW, padding as wide as the window, and a window larger than the input', () => {
    const { ctx, g, run } = fakeCtx();
    expect(shapeErrorOf(() => run(() => build(ctx, {}, [g.input('a', [4, 10])]))).message).toMatch(/NCHW/);
    const x = g.input('x', [1, 1, 5, 5]);
    expect(shapeErrorOf(() => run(() => build(ctx, { padding: 2 }, [x]))).message).toMatch(/smaller than the window 2×2/);
    expect(shapeErrorOf(() => run(() => build(ctx, { pool_size: 6 }, [x]))).message).toMatch(/spans 6×6 cells but the input is 5×5/);
  });
});

describe('global_avg_pool2d layer', () => {
  it('averages height and width: [N, C, H, W] → [N, C]', () => {
    const { ctx, g, run } = fakeCtx();
    const y = run(() => global_avg_pool2d(ctx, cfg({ type: 'global_avg_pool2d' }), [g.input('x', [2, 3, 5, 7])]));
    expect(g.shapeOf(y)).toEqual([2, 3]);
    expect(g.node(y).attrs).toEqual({ axes: [2, 3] });
  });

  it('rejects input that is not NCHW', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => global_avg_pool2d(ctx, cfg({ type: 'global_avg_pool2d' }), [g.input('x', [2, 3, 5])])));
    expect(err.message).toMatch(/global_avg_pool2d layer needs NCHW/);
  });
});

describe('embedding layer', () => {
  it.each([
    { ids: [4, 6], out: [4, 6, 8] },
    { ids: [4], out: [4, 8] },
  ])('ids $ids → $out, with a table w [vocab, dim] initialised normal by default', ({ ids, out }) => {
    const { ctx, g, params, run } = fakeCtx();
    const y = run(() => embedding(ctx, cfg({ type: 'embedding', vocab: 10, dim: 8 }), [g.input('ids', ids)]));
    expect(g.shapeOf(y)).toEqual(out);
    expect(g.node(y).op).toBe('gather_rows');
    expect(params).toEqual([{ name: 'layer0/w', shape: [10, 8], init: { type: 'normal', mean: 0, std: 0.05 } }]);
  });

  it('rejects ids of rank 3', () => {
    const { ctx, g, run } = fakeCtx();
    const err = shapeErrorOf(() => run(() => embedding(ctx, cfg({ type: 'embedding', vocab: 10, dim: 8 }), [g.input('ids', [2, 3, 4])])));
    expect(err.message).toMatch(/\[batch\] or \[batch, length\], got \[2, 3, 4\]/);
  });
});

describe('concat layer', () => {
  it('chains concat ops over three inputs along the channels', () => {
    const { ctx, g, run } = fakeCtx();
    const ins = [g.input('a', [2, 3, 4, 4]), g.input('b', [2, 5, 4, 4]), g.input('c', [2, 1, 4, 4])];
    const y = run(() => concat(ctx, cfg({ type: 'concat', inputs: ['a', 'b', 'c'], axis: 1 }), ins));
    expect(g.shapeOf(y)).toEqual([2, 9, 4, 4]);
    expect(g.graph.nodes.filter((n) => n.op === 'concat').length).toBe(2);
  });

  it('joins along the last axis by default; a negative axis counts from the end', () => {
    const { ctx, g, run } = fakeCtx();
    const a = g.input('a', [2, 3, 4]);
    const b = g.input('b', [2, 3, 1]);
    expect(g.shapeOf(run(() => concat(ctx, cfg({ type: 'concat', inputs: ['a', 'b'] }), [a, b])))).toEqual([2, 3, 5]);
    const c = g.input('c', [2, 6, 4]);
    expect(g.shapeOf(run(() => concat(ctx, cfg({ type: 'concat', inputs: ['a', 'c'], axis: -2 }), [a, c])))).toEqual([2, 9, 4]);
  });

  it('rejects mismatched shapes or ranks, an axis out of range, and the batch axis', () => {
    const { ctx, g, run } = fakeCtx();
    const a = g.input('a', [2, 3, 4]);
    const b = g.input('b', [2, 5, 5]);
    const c = g.input('c', [2, 3]);
    const layer = (axis: number) => cfg({ type: 'concat', inputs: ['a', 'b'], axis });
    expect(shapeErrorOf(() => run(() => concat(ctx, layer(1), [a, b]))).message).toMatch(/agree on every other axis, got a \[2, 3, 4\], b \[2, 5, 5\]/);
    expect(shapeErrorOf(() => run(() => concat(ctx, layer(1), [a, c]))).message).toMatch(/one rank/);
    expect(shapeErrorOf(() => run(() => concat(ctx, layer(3), [a, a]))).message).toMatch(/axis 3 is out of range for inputs of rank 3/);
    expect(shapeErrorOf(() => run(() => concat(ctx, layer(-3), [a, a]))).message).toMatch(/batch axis/);
  });
});
