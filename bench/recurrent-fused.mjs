// The measurement behind lstm_seq's header: one LSTM layer (H 256, L 64, B 32, 128 input
// features), forward and backward of loss = Σ h·proj, as the fused scan (the lstm layer builder:
// x·w_ih + b, lstm_seq, its VJP) and as an unrolled subgraph of existing primitives (per step a
// slice of the input projection, a matmul with w_hh, the gate slices, sigmoid, tanh, products and
// sums, and a concat of the hidden states), both through the graph optimiser and the planner,
// timed alternately in one process. No padding mask on either side (the unrolled graph would
// need a blend per step for one).
//
//   npm run build && DLF_THREADS=2 node bench/recurrent-fused.mjs [--backend native] [--runs 7]
//
// Prints one JSON line: the median milliseconds of a forward and backward run of each, every run,
// and the node counts of the two programs.
import { parseArgs } from 'node:util';
import { lstm } from '../dist/compile/layers/recurrent.js';
import { optimizeGraph } from '../dist/compile/optimize.js';
import { LayerSchema } from '../dist/config/schema.js';
import { Executor, GraphBuilder, Rng, appendBackward, kernelsFor, planGraph } from '../dist/index.js';

const { values: args } = parseArgs({ options: { backend: { type: 'string', default: 'native' }, runs: { type: 'string', default: '7' } } });
const K = kernelsFor(args.backend);
const [B, L, F, H] = [32, 64, 128, 256];

function program(build) {
  const g = new GraphBuilder();
  const x = g.param('x', [B, L, F]);
  const params = [x];
  const param = (name, shape) => {
    const id = g.param(name, shape);
    params.push(id);
    return id;
  };
  const h = build(g, x, param);
  const loss = g.apply('sum', [g.apply('mul', [h, g.input('proj', [B, L, H])])]);
  const grads = appendBackward(g, loss, params);
  const outputs = [loss, ...params.map((p) => grads.get(p))];
  const o = optimizeGraph(g.graph, outputs);
  const plan = planGraph(
    o.graph,
    outputs.map((id) => o.idOf(id)),
  );
  const rng = new Rng(3);
  const bufs = new Map();
  for (const id of params) {
    const n = g.node(id);
    const size = n.shape.reduce((a, b) => a * b, 1);
    bufs.set(
      n.name,
      Float32Array.from({ length: size }, () => (rng.uniform() - 0.5) / 8),
    );
  }
  const ex = new Executor(plan, K, bufs, 'float32');
  const proj = ex.buffer(o.idOf(g.graph.byName.get('proj')));
  for (let i = 0; i < proj.length; i++) proj[i] = rng.uniform() - 0.5;
  return { ex, nodes: plan.steps.length };
}

const fused = program((g, x, param) => {
  const ctx = {
    g,
    mode: 'train',
    place: {},
    param: (name, shape) => param(name, shape),
    mask: () => undefined,
  };
  return lstm(ctx, LayerSchema.parse({ type: 'lstm', units: H }), [x]);
});

const unrolled = program((g, x, param) => {
  const wih = param('w_ih', [F, 4 * H]);
  const whh = param('w_hh', [H, 4 * H]);
  const b = param('b', [4 * H]);
  const xg = g.apply('add', [g.apply('matmul', [x, wih]), b]);
  let h = null;
  let c = null;
  let seq = null;
  for (let t = 0; t < L; t++) {
    const xt = g.apply('reshape', [g.apply('slice', [xg], { begin: [0, t, 0], size: [B, 1, 4 * H] })], { shape: [B, 4 * H] });
    const a = h === null ? xt : g.apply('add', [xt, g.apply('matmul', [h, whh])]);
    const gate = (k) => g.apply('slice', [a], { begin: [0, k * H], size: [B, H] });
    const i = g.apply('sigmoid', [gate(0)]);
    const f = g.apply('sigmoid', [gate(1)]);
    const gg = g.apply('tanh', [gate(2)]);
    const o = g.apply('sigmoid', [gate(3)]);
    const ig = g.apply('mul', [i, gg]);
    c = c === null ? ig : g.apply('add', [g.apply('mul', [f, c]), ig]);
    h = g.apply('mul', [o, g.apply('tanh', [c])]);
    const step = g.apply('reshape', [h], { shape: [B, 1, H] });
    seq = seq === null ? step : g.apply('concat', [seq, step], { axis: 1 });
  }
  return seq;
});

const time = (p) => {
  const t0 = performance.now();
  p.ex.run();
  return performance.now() - t0;
};
for (let i = 0; i < 2; i++) {
  time(fused);
  time(unrolled);
}
const runs = { fused: [], unrolled: [] };
for (let i = 0; i < Number(args.runs); i++) {
  runs.fused.push(time(fused));
  runs.unrolled.push(time(unrolled));
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
process.stdout.write(
  `${JSON.stringify({
    backend: K.name,
    threads: process.env.DLF_THREADS ?? 'all',
    fusedMs: median(runs.fused),
    unrolledMs: median(runs.unrolled),
    nodes: { fused: fused.nodes, unrolled: unrolled.nodes },
    runs,
  })}\n`,
);
