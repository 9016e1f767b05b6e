// dlf side of W4 (bench/README.md): training throughput, in tokens per second, of a character-level
// language model on random tokens, built from the layer builders as `dlf train` builds a model
// (buildModel with token input and its padding mask, autodiff, the graph optimiser, the planner)
// and run by the executor, with an Adam step per parameter after each run. Two models:
//   lstm:        embedding 65 → 128, lstm units 256 num_layers 2, dense 65
//   transformer: embedding 65 → 128, positional_embedding (learned), 2 × transformer_block heads 4
//                causal (ff_units 512), dense 65  (needs the attention layers; skipped without them)
// Token cross-entropy over all 32 × 64 positions of a batch, Adam lr 1e-3. Each step draws a new
// batch of random tokens (ids 1..64) from a seeded RNG; drawing is not timed.
//
//   npm run build && DLF_THREADS=2 node bench/w4-seq.mjs --model lstm [--backend native] [--steps 10] [--runs 3] [--profile]
//
// Prints one JSON line: {model, backend, threads, tokensPerStep, steps, values (tokens/s of each
// run), loss} and, with --profile, the time of one more step by op (summed over its nodes) and,
// for the lstm, by the parts of a recurrent layer. Exits 3 with {"skipped": why} when a layer type
// of the model does not exist in this build.
import { parseArgs } from 'node:util';
import { initialise } from '../dist/compile/init.js';
import { buildModel } from '../dist/compile/model.js';
import { optimizeGraph } from '../dist/compile/optimize.js';
import { LayerSchema } from '../dist/config/schema.js';
import { Executor, GraphBuilder, Rng, appendBackward, kernelsFor, planGraph } from '../dist/index.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'lstm' },
    backend: { type: 'string', default: 'native' },
    steps: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const [V, B, L] = [65, 32, 64];
const MODELS = {
  lstm: [
    { type: 'embedding', vocab: V, dim: 128 },
    { type: 'lstm', units: 256, num_layers: 2 },
    { type: 'dense', units: V },
  ],
  transformer: [
    { type: 'embedding', vocab: V, dim: 128 },
    { type: 'positional_embedding', encoding: 'learned' },
    { type: 'transformer_block', heads: 4, ff_units: 512, causal: true },
    { type: 'transformer_block', heads: 4, ff_units: 512, causal: true },
    { type: 'dense', units: V },
  ],
};
const raw = MODELS[args.model];
if (!raw) throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
const parsed = raw.map((l) => LayerSchema.safeParse(l));
const missing = raw.filter((_, i) => !parsed[i].success).map((l) => l.type);
if (missing.length) {
  emit({ skipped: `this build has no layer type ${missing.join(', ')} (the attention layers of branch seq-attn)` });
  process.exit(3);
}
const layers = parsed.map((p) => p.data);
const K = kernelsFor(args.backend);

const g = new GraphBuilder();
const x = g.input('x', [B, L]);
const place = { file: 'bench', line: 1, col: 1 };
const model = buildModel(g, { layers }, x, () => place, 'train', { tokens: { vocab: V } });
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

const rng = new Rng(4);
const bufs = new Map();
for (const p of params) {
  const buf = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
  initialise(p.init, p.shape, rng, buf, p.fans);
  bufs.set(p.name, buf);
}
const ex = new Executor(plan, K, bufs, 'float32');
const xs = ex.buffer(o.idOf(x));
const ys = ex.buffer(o.idOf(y));
/** A new batch: random ids 1..V-1, the labels the next token of the same stream. */
function feed() {
  let prev = 1 + Math.floor(rng.uniform() * (V - 1));
  for (let i = 0; i < xs.length; i++) {
    const next = 1 + Math.floor(rng.uniform() * (V - 1));
    xs[i] = prev;
    ys[i] = next;
    prev = next;
  }
}
const slots = params.map((p, i) => ({
  w: bufs.get(p.name),
  g: ex.buffer(o.idOf(grads.get(paramIds[i]))),
  m: new Float32Array(bufs.get(p.name).length),
  v: new Float32Array(bufs.get(p.name).length),
}));
const [b1, b2, lr, eps] = [0.9, 0.999, 1e-3, 1e-8];
let t = 0;
function update() {
  t++;
  const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
  const epsT = eps * Math.sqrt(1 - b2 ** t);
  for (const s of slots) K.adamStep(s.w, s.g, s.m, s.v, b1, b2, lrT, epsT);
}
/** Seconds of `n` training steps, feeding excluded. */
function steps(n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    feed();
    const t0 = performance.now();
    ex.run(rng);
    update();
    total += performance.now() - t0;
  }
  return total / 1000;
}

const n = Number(args.steps);
steps(Number(args.warmup));
const values = [];
for (let r = 0; r < Number(args.runs); r++) values.push((n * B * L) / steps(n));
const result = {
  model: args.model,
  backend: K.name,
  threads: process.env.DLF_THREADS ?? 'all',
  tokensPerStep: B * L,
  steps: n,
  values,
  loss: ex.buffer(o.idOf(loss))[0],
};
if (args.profile) {
  // One more step, each plan step timed from the end of the one before (leaves: their fill).
  feed();
  const byOp = new Map();
  const byPart = new Map();
  const nodes = plan.graph.nodes;
  let last = performance.now();
  const start = last;
  ex.runWatched((id) => {
    const now = performance.now();
    const node = nodes[id];
    const key = node.op.startsWith('matmul') ? `${node.op} ${node.shape.length}d` : node.op;
    byOp.set(key, (byOp.get(key) ?? 0) + now - last);
    // The recurrent layer's share: its scans, their backward pass, the input projections and the whh gradients.
    const part =
      node.op === 'lstm_seq'
        ? 'scan forward (lstm_seq)'
        : node.op === 'recurrent_seq_grad'
          ? 'scan backward (recurrent_seq_grad)'
          : /\/lstm\//.test(node.name) || /\/l\d+\//.test(node.name)
            ? `recurrent layer, other: ${key}`
            : `rest of the model: ${key}`;
    byPart.set(part, (byPart.get(part) ?? 0) + now - last);
    last = now;
  }, rng);
  const t0 = performance.now();
  update();
  const adam = performance.now() - t0;
  const total = performance.now() - start;
  const table = (m) => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, `${v.toFixed(2)} ms (${((100 * v) / total).toFixed(1)}%)`]));
  result.profile = { totalMs: total, adamMs: adam, byOp: table(byOp), byPart: table(byPart) };
}
emit(result);
