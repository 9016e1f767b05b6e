// dlf side of the W4 transformer timing of issue 13 (compare scripts/torch-bench-transformer.py):
// embedding 65 → 128 plus positional_embedding (learned), 2 transformer_blocks (4 heads, causal,
// ff_units 512, no dropout), dense to 65; token cross-entropy over every position, Adam; batch 32
// of sequences of 64 random tokens. The graph is built from the layer builders as `dlf train` builds
// it (forward, autodiff, the graph optimiser) and run by the executor, with an Adam step per
// parameter after each run.
//
//   npm run build && DLF_THREADS=1 node scripts/bench-transformer.mjs [--backend native|ts] [--steps 20] [--profile]
//
// Prints one JSON line: the backend, the thread count, the seconds of each timed step and, with
// --profile, the time of one step taken by each op (summed over its nodes, the median of 5 runs; with
// BENCH_SHAPES=1 in the environment, by op, shape and attributes).
import { parseArgs } from 'node:util';
import { buildModel } from '../dist/compile/model.js';
import { initialise } from '../dist/compile/init.js';
import { optimizeGraph } from '../dist/compile/optimize.js';
import { LayerSchema } from '../dist/config/schema.js';
import { Executor, GraphBuilder, Rng, appendBackward, kernelsFor, planGraph } from '../dist/index.js';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
  },
});
const K = kernelsFor(args.backend);
const [V, D, H, FF, L, B] = [65, 128, 4, 512, 64, 32];
const layers = [
  { type: 'embedding', vocab: V, dim: D },
  { type: 'positional_embedding' },
  { type: 'transformer_block', heads: H, ff_units: FF, causal: true },
  { type: 'transformer_block', heads: H, ff_units: FF, causal: true },
  { type: 'dense', units: V },
].map((l) => LayerSchema.parse(l));

const g = new GraphBuilder();
const x = g.input('x', [B, L]);
const place = { file: 'bench', line: 1, col: 1 };
const model = buildModel(g, { layers }, x, () => place, 'train', {});
const y = g.input('y', [B * L]);
const logits = g.apply('reshape', [model.output], { shape: [B * L, V] });
const loss = g.apply('mean', [g.apply('softmax_cross_entropy', [logits, y])]);
const params = model.params.filter((p) => p.kind === 'param');
const paramIds = params.map((p) => g.graph.byName.get(p.name));
const grads = appendBackward(g, loss, paramIds);
const outputs = [loss, ...paramIds.map((id) => grads.get(id))];
const o = optimizeGraph(g.graph, outputs);
const plan = planGraph(
  o.graph,
  outputs.map((id) => o.idOf(id)),
);

const rng = new Rng(1);
const bufs = new Map();
for (const p of params) {
  const buf = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
  initialise(p.init, p.shape, rng, buf, p.fans);
  bufs.set(p.name, buf);
}
const ex = new Executor(plan, K, bufs, 'float32');
const xs = ex.buffer(o.idOf(x));
const ys = ex.buffer(o.idOf(y));
for (let i = 0; i < xs.length; i++) xs[i] = 1 + Math.floor(rng.uniform() * (V - 1));
for (let i = 0; i < ys.length; i++) ys[i] = 1 + Math.floor(rng.uniform() * (V - 1));

const slots = params.map((p, i) => ({
  w: bufs.get(p.name),
  g: ex.buffer(o.idOf(grads.get(paramIds[i]))),
  m: new Float32Array(bufs.get(p.name).length),
  v: new Float32Array(bufs.get(p.name).length),
}));
const [b1, b2, lr, eps] = [0.9, 0.999, 1e-3, 1e-8];
let t = 0;
function step() {
  ex.run();
  t++;
  const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
  const epsT = eps * Math.sqrt(1 - b2 ** t);
  for (const s of slots) K.adamStep(s.w, s.g, s.m, s.v, b1, b2, lrT, epsT);
}

const warmup = Number(args.warmup);
const steps = Number(args.steps);
const times = [];
for (let i = 0; i < warmup + steps; i++) {
  const t0 = performance.now();
  step();
  if (i >= warmup) times.push((performance.now() - t0) / 1000);
}
const result = { backend: K.name, threads: process.env.DLF_THREADS ?? 'all', tokens_per_step: B * L, times, loss: ex.buffer(o.idOf(loss))[0] };
if (args.profile) {
  // Five more runs, timing each step by the moment its value is complete; per op the median over
  // the runs of its summed time.
  const opOf = new Map(plan.steps.map((st) => [st.node.id, st.node.op]));
  const keyOf = (id) => {
    const op = opOf.get(id);
    const n = plan.graph.nodes[id];
    if (process.env.BENCH_SHAPES) return `${op} [${n.shape}] ${JSON.stringify(n.attrs)}`;
    return op === 'matmul' || op === 'matmul_bias_act' ? `${op} ${n.shape.length}d` : op;
  };
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const byOp = new Map();
    let last = performance.now();
    const start = last;
    ex.runWatched((id) => {
      const now = performance.now();
      if (opOf.has(id)) byOp.set(keyOf(id), (byOp.get(keyOf(id)) ?? 0) + now - last);
      last = now;
    });
    byOp.set('(total)', performance.now() - start);
    runs.push(byOp);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const ops = new Map([...runs[0].keys()].map((k) => [k, median(runs.map((m) => m.get(k) ?? 0))]));
  const total = ops.get('(total)');
  result.profile = Object.fromEntries([...ops].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, `${v.toFixed(1)} ms (${((100 * v) / total).toFixed(1)}%)`]));
}
process.stdout.write(`${JSON.stringify(result)}\n`);
