// The rnn, lstm and gru layers against PyTorch (test/fixtures/recurrent.json, written by
// scripts/torch-ref-recurrent.py): PyTorch's weights loaded into dlf's parameters through the gate
// mapping of docs/recurrent.md, on padded batches, 1 and 2 layers, one or both directions, the
// sequence or the last state; outputs and the gradients with respect to the input and every
// weight must match, in float64 to rounding and in float32 (the backend's own kernels) within
// float32 noise. Also: parameter names and shapes, the default initialiser, and shape errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gru, lstm, rnn } from '../../src/compile/layers/recurrent.js';
import type { LayerCtx } from '../../src/compile/layers/types.js';
import { planGraph } from '../../src/compile/plan.js';
import { type InitConfig, type LayerOf, LayerSchema } from '../../src/config/schema.js';
import { DlfError } from '../../src/errors.js';
import { type DType, Executor } from '../../src/exec/executor.js';
import { appendBackward } from '../../src/graph/autodiff.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { K } from '../backend.js';

type Cell = 'rnn' | 'lstm' | 'gru';
interface Case {
  cell: Cell;
  num_layers: number;
  bidirectional: boolean;
  return_sequences: boolean;
  units: number;
  shape: [number, number, number];
  lengths: number[];
  x: number[];
  proj: number[];
  params: Record<string, { shape: number[]; data: number[] }>;
  output: { shape: number[]; data: number[] };
  grads: Record<string, number[]>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/recurrent.json', import.meta.url), 'utf8')) as { cases: Case[] };
const BUILDERS = { rnn, lstm, gru };
const GATES: Record<Cell, number> = { rnn: 1, lstm: 4, gru: 3 };

/** A LayerCtx over a fresh graph whose mask is an input node 'mask' [B, L]; records the parameters. */
function fakeCtx(B: number, L: number, mode: 'train' | 'eval' = 'eval') {
  const g = new GraphBuilder();
  const declared = new Map<string, { id: number; shape: number[]; init: InitConfig }>();
  const mask = g.param('mask', [B, L]);
  const ctx: LayerCtx = {
    g,
    mode,
    place: { file: 'model.yaml', line: 3, col: 5, path: 'model.layers.1' },
    param: (name, shape, init) => {
      const id = g.param(name, shape);
      declared.set(g.node(id).name, { id, shape, init });
      return id;
    },
    state: () => {
      throw new Error('not used');
    },
    randomMask: (shape, keep, scale) => g.random(shape, keep, scale),
    updateState: () => {
      throw new Error('not used');
    },
    // The mask of a sequence of its length, as the model's ctx gives it.
    mask: (L: number) => (mask !== undefined && g.shapeOf(mask)[1] === L ? mask : undefined),
    shared: (_key: string, build: () => number) => build(),
  };
  return { g, ctx, declared };
}

function layerCfg<T extends Cell>(type: T, raw: Record<string, unknown>): LayerOf<T> {
  return LayerSchema.parse({ type, ...raw }) as LayerOf<T>;
}

/** Transposes a row-major [r, c] matrix. */
function transpose(a: readonly number[], r: number, c: number): number[] {
  const out = new Array<number>(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/**
 * PyTorch's parameters as dlf's (docs/recurrent.md): w_ih = weight_ihᵀ, w_hh = weight_hhᵀ (gate
 * blocks in PyTorch's row order), b = bias_ih + bias_hh, except GRU's candidate block: b takes only
 * bias_ih's n part and b_hn is bias_hh's n part.
 */
function fromTorch(c: Case): Map<string, number[]> {
  const H = c.units;
  const G = GATES[c.cell] * H;
  const out = new Map<string, number[]>();
  for (let k = 0; k < c.num_layers; k++) {
    for (const suffix of c.bidirectional ? ['', '_reverse'] : ['']) {
      const p = (n: string) => c.params[`${n}_l${k}${suffix}`];
      const scope = `layer1/l${k}${suffix}`;
      const wih = p('weight_ih');
      out.set(`${scope}/w_ih`, transpose(wih.data, G, wih.shape[1]));
      out.set(`${scope}/w_hh`, transpose(p('weight_hh').data, G, H));
      const bih = p('bias_ih').data;
      const bhh = p('bias_hh').data;
      out.set(
        `${scope}/b`,
        bih.map((v, i) => (c.cell === 'gru' && i >= 2 * H ? v : v + bhh[i])),
      );
      if (c.cell === 'gru') out.set(`${scope}/b_hn`, bhh.slice(2 * H));
    }
  }
  return out;
}

/** dlf's gradients as PyTorch's, by the same mapping (bias_hh's gradient is b's, or b_hn's for GRU's n block). */
function gradsToTorch(c: Case, grads: Map<string, Float64Array>): Map<string, number[]> {
  const H = c.units;
  const G = GATES[c.cell] * H;
  const out = new Map<string, number[]>();
  for (let k = 0; k < c.num_layers; k++) {
    for (const suffix of c.bidirectional ? ['', '_reverse'] : ['']) {
      const scope = `layer1/l${k}${suffix}`;
      const get = (n: string) => Array.from(grads.get(`${scope}/${n}`) as Float64Array);
      const wih = get('w_ih');
      out.set(`weight_ih_l${k}${suffix}`, transpose(wih, wih.length / G, G));
      out.set(`weight_hh_l${k}${suffix}`, transpose(get('w_hh'), H, G));
      const b = get('b');
      out.set(`bias_ih_l${k}${suffix}`, b);
      out.set(`bias_hh_l${k}${suffix}`, c.cell === 'gru' ? [...b.slice(0, 2 * H), ...get('b_hn')] : b);
    }
  }
  return out;
}

/** Runs a fixture case through dlf: the output and the gradients of Σ output·proj, by node name. */
function runCase(c: Case, dtype: DType) {
  const [B, L, F] = c.shape;
  const { g, ctx, declared } = fakeCtx(B, L);
  const x = g.param('x', [B, L, F]);
  const cfg = layerCfg(c.cell, { units: c.units, num_layers: c.num_layers, bidirectional: c.bidirectional, return_sequences: c.return_sequences });
  const y = g.scope('layer1', () => BUILDERS[c.cell](ctx, cfg as never, [x]));
  expect(g.shapeOf(y)).toEqual(c.output.shape);
  const proj = g.param('proj', c.output.shape);
  const loss = g.apply('sum', [g.apply('mul', [y, proj])]);
  const wrt = [x, ...[...declared.values()].map((d) => d.id)];
  const grads = appendBackward(g, loss, wrt);
  const plan = planGraph(g.graph, [y, ...grads.values()]);
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  const params = new Map<string, Float32Array | Float64Array>();
  params.set('x', Ctor.from(c.x));
  params.set('proj', Ctor.from(c.proj));
  params.set('mask', Ctor.from(Array.from({ length: B * L }, (_, i) => (i % L < c.lengths[Math.floor(i / L)] ? 1 : 0))));
  const torchParams = fromTorch(c);
  expect(new Set(torchParams.keys())).toEqual(new Set(declared.keys()));
  for (const [name, v] of torchParams) params.set(name, Ctor.from(v));
  const ex = new Executor(plan, K, params, dtype);
  ex.run();
  const out = Float64Array.from(ex.buffer(y));
  const byName = new Map<string, Float64Array>();
  for (const id of wrt) byName.set(g.node(id).name, Float64Array.from(ex.buffer(grads.get(id) as number)));
  return { out, grads: byName };
}

/** Largest |a − b| / max(1, |b|). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return w;
}

describe('recurrent layers against PyTorch', () => {
  for (const c of fixture.cases) {
    const label = `${c.cell}, ${c.num_layers} layer(s)${c.bidirectional ? ', bidirectional' : ''}${c.return_sequences ? '' : ', last state'}`;
    for (const [dtype, tol] of [
      ['float64', 1e-10],
      ['float32', 2e-5],
    ] as const) {
      it(`${label} (${dtype})`, () => {
        const { out, grads } = runCase(c, dtype);
        const [B, L] = c.shape;
        const width = c.output.shape.at(-1) as number;
        // Padded positions: PyTorch pads with zeros where dlf carries the state; compare real positions.
        const real = (i: number) => !c.return_sequences || Math.floor(i / width) % L < c.lengths[Math.floor(i / (width * L))];
        const mine = Array.from(out, (v, i) => (real(i) ? v : 0));
        expect(worst(mine, c.output.data)).toBeLessThan(tol);
        expect(B * L).toBeGreaterThan(0);
        expect(worst(grads.get('x') as Float64Array, c.grads.x)).toBeLessThan(tol);
        for (const [name, v] of gradsToTorch(c, grads)) expect(worst(v, c.grads[name]), name).toBeLessThan(tol);
      });
    }
  }
});

describe('recurrent layer shapes, names and errors', () => {
  it('names every parameter under the layer scope, per layer and direction, with the PyTorch-like default init', () => {
    const { g, ctx, declared } = fakeCtx(2, 7);
    const x = g.param('x', [2, 7, 5]);
    const y = g.scope('layer1', () => gru(ctx, layerCfg('gru', { units: 4, num_layers: 2, bidirectional: true }), [x]));
    expect(g.shapeOf(y)).toEqual([2, 7, 8]);
    expect([...declared].map(([n, d]) => `${n} [${d.shape.join(',')}]`)).toEqual([
      'layer1/l0/w_ih [5,12]',
      'layer1/l0/w_hh [4,12]',
      'layer1/l0/b [12]',
      'layer1/l0/b_hn [4]',
      'layer1/l0_reverse/w_ih [5,12]',
      'layer1/l0_reverse/w_hh [4,12]',
      'layer1/l0_reverse/b [12]',
      'layer1/l0_reverse/b_hn [4]',
      'layer1/l1/w_ih [8,12]',
      'layer1/l1/w_hh [4,12]',
      'layer1/l1/b [12]',
      'layer1/l1/b_hn [4]',
      'layer1/l1_reverse/w_ih [8,12]',
      'layer1/l1_reverse/w_hh [4,12]',
      'layer1/l1_reverse/b [12]',
      'layer1/l1_reverse/b_hn [4]',
    ]);
    for (const d of declared.values()) expect(d.init).toEqual({ type: 'uniform', low: -0.5, high: 0.5 });
  });

  it('returns the last state [batch, units·directions] without return_sequences, and drops out between layers while training', () => {
    const { g, ctx } = fakeCtx(2, 7, 'train');
    const x = g.param('x', [2, 7, 5]);
    const y = g.scope('layer1', () =>
      lstm(ctx, layerCfg('lstm', { units: 3, num_layers: 2, bidirectional: true, return_sequences: false, dropout: 0.5 }), [x]),
    );
    expect(g.shapeOf(y)).toEqual([2, 6]);
    expect(g.graph.nodes.filter((n) => n.op === 'random')).toHaveLength(1);
  });

  it('refuses an input that is not a sequence, at the layer place', () => {
    const { g, ctx } = fakeCtx(2, 7);
    const x = g.param('x', [2, 5]);
    try {
      rnn(ctx, layerCfg('rnn', { units: 3 }), [x]);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(DlfError);
      expect((e as DlfError).message).toMatch(/rnn layer needs a sequence \[batch, length, features\], got \[2, 5\]/);
      expect((e as DlfError).place).toMatchObject({ line: 3 });
    }
  });
});
