// The planner on a small MLP with its backward pass: buffers are reused, no two values that are
// alive at the same time share memory (lifetimes recomputed here from the step order) except an
// in-place step writing over an input that dies at that step, views alias their input, and the
// planned run gives the values of a run that reuses nothing.
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { type Plan, type Storage, planGraph, planMemory } from '../../src/compile/plan.js';
import { loadConfig } from '../../src/config/load.js';
import { dataDims } from '../../src/data/dims.js';
import { locatorOf } from '../../src/train/session.js';
import { Executor } from '../../src/exec/executor.js';
import { appendBackward } from '../../src/graph/autodiff.js';
import { type Graph, GraphBuilder } from '../../src/graph/builder.js';
import { OPS, isOpName } from '../../src/graph/ops/index.js';
import type { Buf } from '../../src/graph/types.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { sameShape, sizeOf } from '../../src/tensor/shape.js';

const BATCH = 4;
const IN = 3;
const HIDDEN = 5;
const CLASSES = 2;
const PARAMS = { w1: [IN, HIDDEN], b1: [HIDDEN], w2: [HIDDEN, CLASSES], b2: [CLASSES] } as const;

interface Mlp {
  graph: Graph;
  x: number;
  y: number;
  logits: number;
  loss: number;
  forwardViews: number[];
  grads: Map<string, number>;
  outputs: number[];
}

/** x → relu(x·w1 + b1) → (two reshapes, a view of a view) → ·0.5 → ·w2 + b2 → mean softmax-xent. */
function buildMlp(): Mlp {
  const g = new GraphBuilder();
  const x = g.input('x', [BATCH, IN]);
  const y = g.input('y', [BATCH]);
  const ids = Object.fromEntries(Object.entries(PARAMS).map(([n, s]) => [n, g.param(n, s)])) as Record<keyof typeof PARAMS, number>;
  const h = g.scope('hidden', () => g.apply('relu', [g.apply('add', [g.apply('matmul', [x, ids.w1]), ids.b1])]));
  const flat = g.apply('reshape', [h], { shape: [BATCH * HIDDEN] });
  const back = g.apply('reshape', [flat], { shape: [BATCH, HIDDEN] });
  const half = g.apply('mul', [back, g.constant(0.5)]);
  const logits = g.scope('out', () => g.apply('add', [g.apply('matmul', [half, ids.w2]), ids.b2]));
  const loss = g.apply('mean', [g.apply('softmax_cross_entropy', [logits, y])]);
  const byId = appendBackward(g, loss, Object.values(ids));
  const grads = new Map(Object.entries(ids).map(([n, id]) => [n, byId.get(id)!]));
  const outputs = [loss, logits, ...grads.values()];
  return { graph: g.graph, x, y, logits, loss, forwardViews: [flat, back], grads, outputs };
}

const isView = (graph: Graph, id: number) => {
  const op = graph.nodes[id].op;
  return isOpName(op) && OPS[op].alias === true;
};
const rootOf = (graph: Graph, id: number): number => (isView(graph, id) ? rootOf(graph, graph.nodes[id].inputs[0]) : id);

/** [birth, death] step indices of every arena root, recomputed from the plan's step order. */
function arenaLifetimes(plan: Plan): Map<number, { birth: number; death: number; s: Storage }> {
  const { graph } = plan;
  const life = new Map<number, { birth: number; death: number; s: Storage }>();
  plan.steps.forEach(({ node }, t) => {
    const s = plan.storage.get(node.id)!;
    if (s.kind === 'arena' && rootOf(graph, node.id) === node.id) life.set(node.id, { birth: t, death: t, s });
  });
  plan.steps.forEach(({ node }, t) => {
    // A step touches the memory of its inputs and, for a view, of its own root.
    const touched = [...node.inputs, node.id].map((i) => rootOf(graph, i));
    for (const r of touched) {
      const l = life.get(r);
      if (l) l.death = Math.max(l.death, t);
    }
  });
  return life;
}

const disjoint = (a: { offset: number; size: number }, b: { offset: number; size: number }) => a.offset + a.size <= b.offset || b.offset + b.size <= a.offset;

/**
 * Whether `b` may share `a`'s memory although their lifetimes touch: `b` is written at the very
 * step where `a` is last read, by an elementwise op marked in-place, over an input of its own
 * shape whose storage root is `a`.
 */
function writtenInPlaceOver(graph: Graph, aId: number, a: { death: number }, bId: number, b: { birth: number }): boolean {
  const n = graph.nodes[bId];
  if (a.death !== b.birth || !isOpName(n.op) || OPS[n.op].inPlace !== true) return false;
  return n.inputs.some((i) => rootOf(graph, i) === aId && sameShape(graph.nodes[i].shape, n.shape));
}

/** Throws on two arena values alive at one step that share memory (in-place writes excepted); returns counts. */
function checkLifetimes(plan: Plan): { overlapping: number; sharing: number; inPlace: number } {
  const life = [...arenaLifetimes(plan)];
  let overlapping = 0;
  let sharing = 0;
  let inPlace = 0;
  for (let i = 0; i < life.length; i++) {
    for (let j = i + 1; j < life.length; j++) {
      const [ida, a] = life[i];
      const [idb, b] = life[j];
      const sa = a.s as { offset: number; size: number };
      const sb = b.s as { offset: number; size: number };
      if (!disjoint(sa, sb)) sharing++;
      if (a.birth <= b.death && b.birth <= a.death) {
        overlapping++;
        if (disjoint(sa, sb)) continue;
        const [first, second] =
          a.birth <= b.birth
            ? ([
                [ida, a],
                [idb, b],
              ] as const)
            : ([
                [idb, b],
                [ida, a],
              ] as const);
        if (writtenInPlaceOver(plan.graph, first[0], first[1], second[0], second[1])) {
          inPlace++;
          continue;
        }
        const name = (id: number) => plan.graph.nodes[id].name;
        throw new Error(`${name(ida)} [${a.birth}, ${a.death}] and ${name(idb)} [${b.birth}, ${b.death}] share memory`);
      }
    }
  }
  return { overlapping, sharing, inPlace };
}

function paramBuffers<T extends Buf>(Ctor: { new (n: number): T }, seed: number): Map<string, T> {
  const rng = new Rng(seed);
  const out = new Map<string, T>();
  for (const [n, s] of Object.entries(PARAMS)) {
    const b = new Ctor(sizeOf(s));
    for (let i = 0; i < b.length; i++) b[i] = rng.normal();
    out.set(n, b);
  }
  return out;
}

const X_DATA = [0.5, -1, 2, 1.5, 0.25, -0.75, -2, 1, 0, 0.3, 0.6, -0.9];
const Y_DATA = [0, 1, 1, 0];

function feed(ex: Executor, m: Mlp, xs = X_DATA, ys = Y_DATA): void {
  ex.buffer(m.x).set(xs);
  ex.buffer(m.y).set(ys);
}

/** Copies of every output buffer after a run. */
function results(ex: Executor, m: Mlp): number[][] {
  ex.run();
  return m.outputs.map((id) => Array.from(ex.buffer(id)));
}

describe('planGraph on an MLP with its backward pass', () => {
  const m = buildMlp();
  const plan = planGraph(m.graph, m.outputs);

  it('reuses buffers: the arena is smaller than all intermediates laid end to end', () => {
    expect(plan.unplannedSize).toBeGreaterThan(0);
    expect(plan.arenaSize).toBeGreaterThan(0);
    expect(plan.arenaSize).toBeLessThan(plan.unplannedSize);
    expect(planMemory(plan)).toEqual({
      plannedBytes: 4 * plan.arenaSize,
      unplannedBytes: 4 * plan.unplannedSize,
      persistentBytes: 4 * plan.persistentSize,
    });
  });

  it('gives storage to every node a step reads or writes, inside its area', () => {
    for (const { node } of plan.steps) {
      for (const id of [...node.inputs, node.id]) {
        const s = plan.storage.get(id);
        expect(s, m.graph.nodes[id].name).toBeDefined();
        expect(s!.size).toBe(sizeOf(m.graph.nodes[id].shape));
        if (s!.kind === 'arena') expect(s!.offset + s!.size).toBeLessThanOrEqual(plan.arenaSize);
        if (s!.kind === 'persistent') expect(s!.offset + s!.size).toBeLessThanOrEqual(plan.persistentSize);
      }
    }
    // Steps are the op nodes only, in topological (id) order.
    const ids = plan.steps.map((s) => s.node.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(plan.steps.every((s) => isOpName(s.node.op))).toBe(true);
  });

  it('never lets two values alive at the same step share arena memory, except in-place writes', () => {
    expect(arenaLifetimes(plan).size).toBeGreaterThan(3);
    const { overlapping, sharing, inPlace } = checkLifetimes(plan);
    expect(overlapping).toBeGreaterThan(0);
    expect(sharing).toBeGreaterThan(0); // reuse does happen, between values that are never alive together
    expect(inPlace).toBeGreaterThan(0); // and in place (relu over the bias add, at least)
    expect(plan.inPlace.size).toBeGreaterThan(0);
  });

  it('lets reshape nodes alias their input storage (a view of a view included)', () => {
    const views = plan.steps.filter((s) => s.node.op === 'reshape').map((s) => s.node.id);
    expect(views.length).toBeGreaterThan(2); // the two forward ones and the backward ones
    for (const id of m.forwardViews) expect(views).toContain(id);
    for (const id of views) {
      const input = m.graph.nodes[id].inputs[0];
      expect(plan.storage.get(id)).toEqual(plan.storage.get(input));
      expect(plan.storage.get(id)).toEqual(plan.storage.get(rootOf(m.graph, id)));
    }
  });

  it('keeps outputs, inputs and constants persistent, in disjoint slots; parameters stay outside', () => {
    const persistent: { id: number; s: Storage }[] = [];
    const outputRoots = m.outputs.map((o) => rootOf(m.graph, o));
    for (const [id, s] of plan.storage) {
      const n = m.graph.nodes[id];
      if (n.op === 'param') expect(s).toEqual({ kind: 'param', name: n.name, size: sizeOf(n.shape) });
      else if (n.op === 'input' || n.op === 'const' || m.outputs.includes(id)) expect(s.kind, n.name).toBe('persistent');
      else if (outputRoots.includes(rootOf(m.graph, id))) expect(s.kind, n.name).toBe('persistent');
      else if (!isView(m.graph, id)) expect(s.kind, n.name).toBe('arena');
      if (s.kind === 'persistent' && rootOf(m.graph, id) === id) persistent.push({ id, s });
    }
    expect(plan.storage.get(m.x)!.kind).toBe('persistent');
    expect(plan.storage.get(m.y)!.kind).toBe('persistent');
    expect([...plan.storage.keys()].some((id) => m.graph.nodes[id].op === 'const')).toBe(true);
    for (let i = 0; i < persistent.length; i++) {
      for (let j = i + 1; j < persistent.length; j++) {
        expect(disjoint(persistent[i].s as never, persistent[j].s as never)).toBe(true);
      }
    }
    expect(persistent.reduce((acc, p) => acc + p.s.size, 0)).toBe(plan.persistentSize);
  });

  it('computes the same values as a plan that reuses nothing', () => {
    // Every node an output: nothing lives in the arena, so nothing can be overwritten early.
    const reference = planGraph(m.graph, [...plan.storage.keys()]);
    expect(reference.arenaSize).toBe(0);
    const params = paramBuffers(Float32Array, 5);
    const planned = new Executor(plan, K, params);
    const naive = new Executor(reference, K, params);
    feed(planned, m);
    feed(naive, m);
    const got = results(planned, m);
    const want = results(naive, m);
    expect(got).toEqual(want);
    // Every output is a finite, non-trivial value.
    for (const r of got) for (const v of r) expect(Number.isFinite(v)).toBe(true);
    expect(got.slice(2).some((g) => g.some((v) => v !== 0))).toBe(true);
  });

  it('computes the forward pass of the MLP (checked against plain float64 loops)', () => {
    const params = paramBuffers(Float32Array, 5);
    const ex = new Executor(plan, K, params);
    feed(ex, m);
    ex.run();
    const [w1, b1, w2, b2] = ['w1', 'b1', 'w2', 'b2'].map((n) => params.get(n)!);
    let loss = 0;
    const logits: number[] = [];
    for (let r = 0; r < BATCH; r++) {
      const h: number[] = [];
      for (let j = 0; j < HIDDEN; j++) {
        let s = b1[j];
        for (let i = 0; i < IN; i++) s += X_DATA[r * IN + i] * w1[i * HIDDEN + j];
        h.push(0.5 * Math.max(s, 0));
      }
      const z: number[] = [];
      for (let c = 0; c < CLASSES; c++) {
        let s = b2[c];
        for (let j = 0; j < HIDDEN; j++) s += h[j] * w2[j * CLASSES + c];
        z.push(s);
      }
      logits.push(...z);
      const lse = Math.log(z.reduce((acc, v) => acc + Math.exp(v), 0));
      loss += (lse - z[Y_DATA[r]]) / BATCH;
    }
    const got = Array.from(ex.buffer(m.logits));
    got.forEach((v, i) => expect(v).toBeCloseTo(logits[i], 5));
    expect(ex.buffer(m.loss)[0]).toBeCloseTo(loss, 5);
  });

  it('gives identical results when run twice, and after running other inputs in between', () => {
    const ex = new Executor(plan, K, paramBuffers(Float32Array, 9));
    feed(ex, m);
    const first = results(ex, m);
    expect(results(ex, m)).toEqual(first);
    feed(
      ex,
      m,
      X_DATA.map((v) => -2 * v),
      [1, 1, 0, 0],
    );
    const other = results(ex, m);
    expect(other).not.toEqual(first);
    feed(ex, m);
    expect(results(ex, m)).toEqual(first);
  });

  it('runs the same plan on float64 buffers', () => {
    const p32 = paramBuffers(Float32Array, 5);
    const p64 = new Map([...p32].map(([n, b]) => [n, Float64Array.from(b)]));
    const e32 = new Executor(plan, K, p32);
    const e64 = new Executor(plan, K, p64, 'float64');
    feed(e32, m);
    feed(e64, m);
    const r32 = results(e32, m);
    const r64 = results(e64, m);
    expect(e64.buffer(m.loss)).toBeInstanceOf(Float64Array);
    r32.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(r64[i][j], 5)));
  });
});

describe('planGraph on small graphs with a known layout', () => {
  it('a chain of four in-place unary ops runs in one arena block', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2, 3]);
    const a = g.apply('neg', [x]);
    const b = g.apply('exp', [a]);
    const c = g.apply('neg', [b]);
    const d = g.apply('exp', [c]);
    const plan = planGraph(g.graph, [d]);
    expect(plan.steps.map((s) => s.node.id)).toEqual([a, b, c, d]);
    // a cannot overwrite x (an input); b and c overwrite their dying inputs; d is the output.
    expect(plan.storage.get(a)).toEqual({ kind: 'arena', offset: 0, size: 6 });
    expect(plan.storage.get(b)).toEqual({ kind: 'arena', offset: 0, size: 6 });
    expect(plan.storage.get(c)).toEqual({ kind: 'arena', offset: 0, size: 6 });
    expect(plan.storage.get(d)).toEqual({ kind: 'persistent', offset: 6, size: 6 });
    expect(plan.storage.get(x)).toEqual({ kind: 'persistent', offset: 0, size: 6 });
    expect([plan.arenaSize, plan.unplannedSize, plan.persistentSize]).toEqual([6, 18, 12]);
    expect([...plan.inPlace]).toEqual([
      [b, a],
      [c, b],
    ]);

    const ex = new Executor(plan, K, new Map());
    ex.buffer(x).set([0, 1, -1, 2, 0.5, -0.5]);
    ex.run();
    const want = [0, 1, -1, 2, 0.5, -0.5].map((v) => Math.exp(-Math.exp(-v)));
    Array.from(ex.buffer(d)).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('a value read late is not overwritten by values made in between', () => {
    // s = exp(x) is read again by the last add, after three other intermediates were made.
    const g = new GraphBuilder();
    const x = g.input('x', [4]);
    const s = g.apply('exp', [x]);
    const t1 = g.apply('neg', [s]);
    const t2 = g.apply('tanh', [t1]);
    const t3 = g.apply('neg', [t2]);
    const out = g.apply('add', [t3, s]);
    const plan = planGraph(g.graph, [out]);
    const ex = new Executor(plan, K, new Map(), 'float64');
    const xs = [0, 0.5, -1, 2];
    ex.buffer(x).set(xs);
    ex.run();
    const want = xs.map((v) => Math.tanh(Math.exp(v)) + Math.exp(v));
    Array.from(ex.buffer(out)).forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
    const ss = plan.storage.get(s) as { offset: number; size: number };
    for (const id of [t1, t2, t3]) expect(disjoint(ss, plan.storage.get(id) as never)).toBe(true);
  });

  it('an output that is a view makes its root persistent', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2, 3]);
    const e = g.apply('exp', [x]);
    const r = g.apply('reshape', [e], { shape: [6] });
    const plan = planGraph(g.graph, [r]);
    expect(plan.storage.get(e)!.kind).toBe('persistent');
    expect(plan.storage.get(r)).toEqual(plan.storage.get(e));
    expect(plan.arenaSize).toBe(0);
    const ex = new Executor(plan, K, new Map(), 'float64');
    ex.buffer(x).set([0, 1, 2, 3, 4, 5]);
    ex.run();
    Array.from(ex.buffer(r)).forEach((v, i) => expect(v).toBeCloseTo(Math.exp(i), 12));
  });

  it('leaves out nodes the outputs do not need', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [3]);
    const used = g.apply('neg', [x]);
    const unused = g.apply('exp', [x]);
    const plan = planGraph(g.graph, [used]);
    expect(plan.storage.has(unused)).toBe(false);
    expect(plan.steps.map((s) => s.node.id)).toEqual([used]);
  });
});

describe('planGraph: in-place elementwise steps', () => {
  it('writes over a dying input of the same shape, never over a value read later', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [4]);
    const s = g.apply('exp', [x]);
    const t = g.apply('neg', [s]); // s is read again below: t cannot take its buffer
    const u = g.apply('tanh', [t]); // t dies here: u takes its buffer
    const out = g.apply('add', [u, s]); // an output: persistent, never in place
    const plan = planGraph(g.graph, [out]);
    expect([...plan.inPlace]).toEqual([[u, t]]);
    expect(plan.storage.get(u)).toEqual(plan.storage.get(t));
    expect(disjoint(plan.storage.get(s) as never, plan.storage.get(t) as never)).toBe(true);
    expect(plan.storage.get(out)!.kind).toBe('persistent');
    checkLifetimes(plan);
    const ex = new Executor(plan, K, new Map(), 'float64');
    const xs = [0, 0.5, -1, 2];
    ex.buffer(x).set(xs);
    ex.run();
    Array.from(ex.buffer(out)).forEach((v, i) => expect(v).toBeCloseTo(Math.tanh(-Math.exp(xs[i])) + Math.exp(xs[i]), 12));
  });

  it('never writes over an input, a parameter, a constant, an output or a broadcast operand', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2, 3]);
    const p = g.param('p', [2, 3]);
    const c = g.constant(2, [2, 3]);
    const a = g.apply('relu', [x]);
    const b = g.apply('mul', [p, c]);
    const row = g.apply('exp', [g.param('r', [3])]);
    const kept = g.apply('neg', [a]); // an output
    const big = g.apply('add', [row, b]); // row [3] dies but is smaller: big takes b's buffer
    const out = g.apply('sub', [big, kept]);
    const plan = planGraph(g.graph, [out, kept]);
    expect([...plan.inPlace]).toEqual([[big, b]]);
    for (const id of [a, b, row]) expect(plan.inPlace.has(id)).toBe(false);
    expect(plan.inPlace.has(out)).toBe(false);
    checkLifetimes(plan);
  });

  it('writes over the root of a dying view, and runs ops without the flag out of place', () => {
    const g = new GraphBuilder();
    const x = g.input('x', [2, 3]);
    const e = g.apply('exp', [x]);
    const v = g.apply('reshape', [e], { shape: [6] });
    const n = g.apply('neg', [v]);
    const sm = g.apply('softmax', [g.apply('reshape', [n], { shape: [2, 3] })]);
    const out = g.apply('sum', [sm]);
    const plan = planGraph(g.graph, [out]);
    expect(plan.inPlace.get(n)).toBe(v);
    expect(plan.storage.get(n)).toEqual(plan.storage.get(e));
    expect(plan.inPlace.has(sm)).toBe(false);
    checkLifetimes(plan);
    const ex = new Executor(plan, K, new Map(), 'float64');
    ex.buffer(x).set([0, 1, 2, 0, 0, 0]);
    ex.run();
    expect(ex.buffer(out)[0]).toBeCloseTo(2, 12);
  });

  it('keeps compiled programs of the shipped configs free of overlapping live values', () => {
    // fashion-cnn's full data set is not in the repository: its bundled subset has the same shapes.
    const cases: [string, string[]][] = [
      ['configs/digits-mlp.yaml', []],
      ['configs/fashion-cnn.yaml', ['data.dir=../datasets/fashion-mnist-small']],
    ];
    for (const [file, set] of cases) {
      const rc = loadConfig(file, { set });
      const dims = dataDims(rc.config.data);
      const model = compileModel(rc.config, dims, locatorOf(rc));
      for (const mode of ['train', 'eval'] as const) {
        const plan = model.program(rc.config.train.batch_size, mode).plan;
        const { inPlace } = checkLifetimes(plan);
        if (mode === 'train') expect(inPlace, file).toBeGreaterThan(0);
        expect(plan.inPlace.size).toBe(inPlace);
      }
    }
  });
});
