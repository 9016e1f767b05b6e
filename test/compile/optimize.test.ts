// The graph optimiser: on small MLPs (relu, no relu, no bias, a separate activation layer) the
// optimised programs give bit-identical outputs, losses and gradients to the graphs as built, in
// training and evaluation; the fused nodes appear where they should and nowhere else (a node read
// twice, an output, a leaky step mask stay as they are).
import { describe, expect, it } from 'vitest';
import { type BuildOptions, type Program, compileModel } from '../../src/compile/compile.js';
import { optimizeGraph } from '../../src/compile/optimize.js';
import { planGraph } from '../../src/compile/plan.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { Executor } from '../../src/exec/executor.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import type { Buf } from '../../src/graph/types.js';
import { Rng } from '../../src/tensor/rng.js';
import { initParams } from '../../src/train/loop.js';
import { K } from '../backend.js';

const FEATURES = 6;
const CLASSES = 3;
const BATCH = 5;

function compile(layers: unknown[], opts: BuildOptions) {
  const config = ConfigSchema.parse({ name: 't', seed: 3, data: { source: 'spirals', classes: CLASSES }, model: { layers }, train: { batch_size: BATCH } });
  return compileModel(config, { task: 'classification', sampleShape: [FEATURES], classes: CLASSES }, () => ({}), opts);
}

/** The bits of a buffer's values (so that -0 and 0, or two NaNs, are told apart). */
const bits = (b: Buf) => Array.from(b instanceof Float32Array ? new Uint32Array(b.buffer, b.byteOffset, b.length) : new Float64Array(b));

/** Runs a program on fixed inputs and returns the bits of its output, loss and gradients. */
function run(p: Program, params: Map<string, Float32Array>, seed: number): Record<string, number[]> {
  const ex = new Executor(p.plan, K, params);
  const rng = new Rng(seed);
  ex.buffer(p.x).set(Array.from({ length: BATCH * FEATURES }, () => 2 * rng.uniform() - 1));
  ex.buffer(p.y).set(Array.from({ length: BATCH }, (_, i) => i % CLASSES));
  ex.run();
  const out: Record<string, number[]> = { output: bits(ex.buffer(p.output)), loss: bits(ex.buffer(p.loss)) };
  for (const [name, id] of p.grads) out[name] = bits(ex.buffer(id));
  return out;
}

const ops = (p: Program) => p.plan.steps.map((s) => (s.node.op === 'matmul_bias_act' ? `matmul_bias_act:${s.node.attrs.act}` : s.node.op));
const countOf = (list: string[], op: string) => list.filter((o) => o === op).length;

const MODELS: { label: string; layers: unknown[]; fused: Record<string, number> }[] = [
  {
    label: 'relu MLP',
    layers: [
      { type: 'dense', units: 8, activation: 'relu' },
      { type: 'dense', units: 7, activation: 'relu' },
      { type: 'dense', units: CLASSES },
    ],
    fused: { 'matmul_bias_act:relu': 2, 'matmul_bias_act:none': 1, mask_positive: 2, relu: 0, step: 0, matmul: 5 },
  },
  {
    label: 'MLP without relu',
    layers: [
      { type: 'dense', units: 8, activation: 'tanh' },
      { type: 'dense', units: CLASSES },
    ],
    fused: { 'matmul_bias_act:relu': 0, 'matmul_bias_act:none': 2, mask_positive: 0, matmul: 3 },
  },
  {
    label: 'relu MLP without bias',
    layers: [
      { type: 'dense', units: 8, activation: 'relu', use_bias: false },
      { type: 'dense', units: CLASSES, use_bias: false },
    ],
    fused: { 'matmul_bias_act:relu': 0, 'matmul_bias_act:none': 0, mask_positive: 1, relu: 1, step: 0, matmul: 5 },
  },
  {
    label: 'relu as a layer of its own',
    layers: [
      { type: 'dense', units: 8 },
      { type: 'activation', activation: 'relu' },
      { type: 'dense', units: CLASSES },
    ],
    fused: { 'matmul_bias_act:relu': 1, 'matmul_bias_act:none': 1, mask_positive: 1, relu: 0, step: 0 },
  },
];

describe('optimised programs against the graphs as built', () => {
  for (const { label, layers, fused } of MODELS) {
    it(`${label}: same bits for output, loss and gradients in training; same outputs in evaluation`, () => {
      const plain = compile(layers, { optimize: false });
      const opt = compile(layers, { optimize: true });
      const params = initParams(plain, 11);
      for (const seed of [1, 2]) {
        const want = run(plain.program(BATCH, 'train'), params, seed);
        const got = run(opt.program(BATCH, 'train'), params, seed);
        expect(Object.keys(got)).toEqual(Object.keys(want));
        expect(got).toEqual(want);
        expect(want.loss[0]).not.toBe(0);
      }
      const evalWant = run(plain.program(BATCH, 'eval'), params, 4);
      expect(run(opt.program(BATCH, 'eval'), params, 4)).toEqual(evalWant);
    });

    it(`${label}: the fused nodes appear`, () => {
      const plain = compile(layers, { optimize: false }).program(BATCH, 'train');
      const p = compile(layers, { optimize: true }).program(BATCH, 'train');
      const list = ops(p);
      for (const [op, n] of Object.entries(fused)) expect(countOf(list, op), op).toBe(n);
      expect(p.plan.steps.length).toBeLessThanOrEqual(plain.plan.steps.length);
      // The outputs keep their names and shapes.
      for (const [a, b] of [
        [p.output, plain.output],
        [p.loss, plain.loss],
      ]) {
        expect(p.graph.nodes[a].name).toBe(plain.graph.nodes[b].name);
        expect(p.graph.nodes[a].shape).toEqual(plain.graph.nodes[b].shape);
      }
      // Ids are positions, inputs come first, names are unique and indexed.
      p.graph.nodes.forEach((n, i) => {
        expect(n.id).toBe(i);
        expect(n.inputs.every((j) => j < i)).toBe(true);
        expect(p.graph.byName.get(n.name)).toBe(i);
      });
    });
  }

  it('the evaluation program fuses the forward pass too', () => {
    const p = compile(MODELS[0].layers, { optimize: true }).program(BATCH, 'eval');
    expect(ops(p)).toEqual(['matmul_bias_act:relu', 'matmul_bias_act:relu', 'matmul_bias_act:none', 'softmax_cross_entropy', 'mean']);
  });
});

describe('a convolutional network, optimised against as built', () => {
  const SHAPE = [2, 7, 6];
  const N = 3;
  const layers = [
    { type: 'conv2d', filters: 4, kernel_size: 3, padding: 'same', activation: 'relu' },
    { type: 'maxpool2d', pool_size: 2 },
    { type: 'conv2d', filters: 5, kernel_size: 2 },
    { type: 'conv2d', filters: 3, kernel_size: 1, use_bias: false, activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: CLASSES },
  ];
  const build = (optimize: boolean) => {
    const config = ConfigSchema.parse({ name: 't', seed: 3, data: { source: 'spirals', classes: CLASSES }, model: { layers }, train: { batch_size: N } });
    return compileModel(config, { task: 'classification', sampleShape: SHAPE, classes: CLASSES }, () => ({}), { optimize });
  };
  const runImages = (p: Program, params: Map<string, Float32Array>, seed: number) => {
    const ex = new Executor(p.plan, K, params);
    const rng = new Rng(seed);
    ex.buffer(p.x).set(Array.from({ length: N * 2 * 7 * 6 }, () => 2 * rng.uniform() - 1));
    ex.buffer(p.y).set(Array.from({ length: N }, (_, i) => i % CLASSES));
    ex.run();
    const out: Record<string, number[]> = { output: bits(ex.buffer(p.output)), loss: bits(ex.buffer(p.loss)) };
    for (const [name, id] of p.grads) out[name] = bits(ex.buffer(id));
    return out;
  };

  it('fuses each conv with its bias and relu, and gives the same bits in training and evaluation', () => {
    const plain = build(false);
    const opt = build(true);
    const params = initParams(plain, 5);
    for (const seed of [1, 2]) expect(runImages(opt.program(N, 'train'), params, seed)).toEqual(runImages(plain.program(N, 'train'), params, seed));
    expect(runImages(opt.program(N, 'eval'), params, 3)).toEqual(runImages(plain.program(N, 'eval'), params, 3));
    const list = opt.program(N, 'train').plan.steps.map((s) => (s.node.op === 'conv2d_bias_act' ? `conv2d_bias_act:${s.node.attrs.act}` : s.node.op));
    expect(countOf(list, 'conv2d_bias_act:relu')).toBe(1);
    expect(countOf(list, 'conv2d_bias_act:none')).toBe(1);
    // The conv without a bias stays a conv (its relu too); no separate bias add or relu is left for the fused two.
    expect(countOf(list, 'conv2d')).toBe(1);
    expect(countOf(list, 'relu')).toBe(1);
    expect(countOf(list, 'add')).toBe(0);
    // The pooling after the first relu applies relu's mask itself; the other relu keeps mask_positive.
    const steps = opt.program(N, 'train').plan.steps;
    expect(steps.filter((s) => s.node.op === 'maxpool2d_grad').map((s) => s.node.attrs.mask_positive)).toEqual([true]);
    expect(countOf(list, 'mask_positive')).toBe(1);
  });
});

describe('optimizeGraph on hand-built graphs', () => {
  function dense() {
    const g = new GraphBuilder();
    const x = g.input('x', [4, 3]);
    const w = g.param('w', [3, 5]);
    const b = g.param('b', [5]);
    const mm = g.apply('matmul', [x, w]);
    const z = g.apply('add', [mm, b]);
    return { g, x, w, b, mm, z };
  }

  it('folds matmul, bias add and relu into one node named after the relu; folded ids map to it', () => {
    const { g, x, w, b, mm, z } = dense();
    const r = g.apply('relu', [z]);
    const o = optimizeGraph(g.graph, [r]);
    const fused = o.graph.nodes[o.idOf(r)];
    expect(fused).toMatchObject({ op: 'matmul_bias_act', attrs: { act: 'relu' }, name: g.node(r).name, shape: [4, 5] });
    expect(fused.inputs).toEqual([x, w, b].map(o.idOf));
    expect(o.idOf(mm)).toBe(o.idOf(r));
    expect(o.idOf(z)).toBe(o.idOf(r));
    expect(o.graph.nodes).toHaveLength(g.graph.nodes.length - 2);
    expect(o.rewrites).toEqual({ matmul_bias_act: 1, 'relu epilogue': 1 });
  });

  it('does not fold a node that has a second reader', () => {
    const { g, mm, z } = dense();
    const r = g.apply('relu', [z]);
    const other = g.apply('exp', [mm]); // the matmul is read twice
    const o = optimizeGraph(g.graph, [r, other]);
    expect(o.graph.nodes.map((n) => n.op)).toEqual(g.graph.nodes.map((n) => n.op));
    expect(o.rewrites).toEqual({});

    const d = dense();
    const r2 = d.g.apply('relu', [d.z]);
    const twice = d.g.apply('neg', [d.z]); // the bias add is read twice: bias fused, relu kept
    const o2 = optimizeGraph(d.g.graph, [r2, twice]);
    expect(o2.graph.nodes[o2.idOf(d.z)]).toMatchObject({ op: 'matmul_bias_act', attrs: { act: 'none' } });
    expect(o2.graph.nodes[o2.idOf(r2)].op).toBe('relu');
  });

  it('does not fold an output, a bias that is not a row, or a step with a nonzero low', () => {
    const { g, mm, z } = dense();
    const r = g.apply('relu', [z]);
    expect(optimizeGraph(g.graph, [r, mm]).rewrites).toEqual({}); // the matmul is an output
    expect(optimizeGraph(g.graph, [r, z]).rewrites).toEqual({ matmul_bias_act: 1 }); // the add is

    const h = new GraphBuilder();
    const x = h.input('x', [4, 3]);
    const mm2 = h.apply('matmul', [x, h.param('w', [3, 5])]);
    const full = h.apply('add', [mm2, h.param('c', [4, 5])]); // not a row
    const grad = h.input('g', [4, 5]);
    const leaky = h.apply('mul', [grad, h.apply('step', [full], { low: 0.1 })]);
    expect(optimizeGraph(h.graph, [leaky]).rewrites).toEqual({});
  });

  it('turns mul(g, step(x)) into mask_positive reading relu(x), and leaves x to be fused', () => {
    const { g, z } = dense();
    const r = g.apply('relu', [z]);
    const grad = g.input('g', [4, 5]);
    const m = g.apply('mul', [g.apply('step', [z]), grad]);
    const o = optimizeGraph(g.graph, [r, m]);
    expect(o.rewrites).toEqual({ mask_positive: 1, matmul_bias_act: 1, 'relu epilogue': 1 });
    const mask = o.graph.nodes[o.idOf(m)];
    expect(mask.op).toBe('mask_positive');
    expect(mask.inputs).toEqual([o.idOf(grad), o.idOf(r)]);
    // Same values, computed both ways (float64 and float32).
    for (const dtype of ['float32', 'float64'] as const) {
      const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
      const rng = new Rng(8);
      const draw = (n: number): Buf => {
        const buf = new Ctor(n);
        for (let i = 0; i < n; i++) buf[i] = rng.normal();
        return buf;
      };
      const params = new Map<string, Buf>([
        ['w', draw(15)],
        ['b', draw(5)],
      ]);
      const values = (graph: typeof g.graph, ids: number[], x: number, gIn: number) => {
        const ex = new Executor(planGraph(graph, ids), K, params, dtype);
        const feed = new Rng(2);
        ex.buffer(x).set(Array.from({ length: 12 }, () => feed.normal()));
        ex.buffer(gIn).set(Array.from({ length: 20 }, () => feed.normal()));
        ex.run();
        return ids.map((id) => bits(ex.buffer(id)));
      };
      expect(values(o.graph, [o.idOf(r), o.idOf(m)], o.idOf(0), o.idOf(grad))).toEqual(values(g.graph, [r, m], 0, grad));
    }
  });

  it('reads a broadcast_to through when every reader is a broadcasting binary op on a full-shaped operand, with the same bits', () => {
    // A layer norm's backward pattern: a row statistic [B, L, 1] broadcast to [B, L, D], read by mul and add.
    const g = new GraphBuilder();
    const x = g.input('x', [3, 4, 8]);
    const y = g.input('y', [3, 4, 8]);
    const stat = g.apply('mean', [x], { axes: [2], keepdims: true });
    const bc = g.apply('broadcast_to', [stat], { shape: [3, 4, 8] });
    const prod = g.apply('mul', [bc, y]);
    const sum = g.apply('add', [y, bc]);
    const out = g.apply('div', [prod, sum]);
    const o = optimizeGraph(g.graph, [out]);
    expect(o.rewrites).toEqual({ 'broadcast_to read through': 1 });
    expect(o.graph.nodes.map((n) => n.op)).not.toContain('broadcast_to');
    expect(o.graph.nodes[o.idOf(prod)].inputs).toEqual([o.idOf(stat), o.idOf(y)]);
    expect(o.graph.nodes[o.idOf(sum)].inputs).toEqual([o.idOf(y), o.idOf(stat)]);
    for (const dtype of ['float32', 'float64'] as const) {
      const values = (graph: typeof g.graph, ids: number[], xi: number, yi: number) => {
        const ex = new Executor(planGraph(graph, ids), K, new Map(), dtype);
        const feed = new Rng(5);
        ex.buffer(xi).set(Array.from({ length: 96 }, () => feed.normal()));
        ex.buffer(yi).set(Array.from({ length: 96 }, () => feed.normal()));
        ex.run();
        return ids.map((id) => bits(ex.buffer(id)));
      };
      expect(values(o.graph, [o.idOf(out), o.idOf(prod)], o.idOf(x), o.idOf(y))).toEqual(values(g.graph, [out, prod], x, y));
    }

    // Kept: a reader that is no binary op, a broadcast_to that is an output, an operand that is not full-shaped.
    const h = new GraphBuilder();
    const a = h.input('a', [2, 1]);
    const full = h.input('f', [2, 3]);
    const b1 = h.apply('broadcast_to', [a], { shape: [2, 3] });
    const m1 = h.apply('mul', [b1, full]);
    const e1 = h.apply('exp', [b1]);
    expect(optimizeGraph(h.graph, [m1, e1]).rewrites).toEqual({});
    expect(optimizeGraph(h.graph, [m1, b1]).rewrites).toEqual({});
    const row = h.input('r', [1, 3]);
    const b2 = h.apply('broadcast_to', [a], { shape: [2, 3] });
    const m2 = h.apply('mul', [b2, row]);
    expect(optimizeGraph(h.graph, [m2]).rewrites).toEqual({});
  });
});
