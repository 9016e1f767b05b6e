// The memory check counts the tables an op's prepare() allocates (index offsets)
// before any is allocated, from the op's prepareBytes(). Here every node of every op's
// gradient-check graphs (forward and backward, as built and optimised) and of the bundled configs'
// compiled programs is prepared for real, and the bytes of the typed arrays it holds must not
// exceed the estimate.
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { optimizeGraph } from '../../src/compile/optimize.js';
import { loadConfig } from '../../src/config/load.js';
import { dataDims } from '../../src/data/dims.js';
import { appendBackward } from '../../src/graph/autodiff.js';
import { type Graph, GraphBuilder } from '../../src/graph/builder.js';
import { OPS, type OpName, isOpName } from '../../src/graph/ops/index.js';
import { locatorOf } from '../../src/train/session.js';
import { repo } from '../cli/helpers.js';

/** Bytes of the distinct array buffers a prepared value holds. */
function heldBytes(value: unknown, buffers = new Set<ArrayBufferLike>()): number {
  if (ArrayBuffer.isView(value)) buffers.add(value.buffer);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) heldBytes(v, buffers);
  let total = 0;
  for (const b of buffers) total += b.byteLength;
  return total;
}

interface Row {
  op: string;
  node: string;
  actual: number;
  estimate: number;
}

function rows(graph: Graph): Row[] {
  const out: Row[] = [];
  for (const n of graph.nodes) {
    if (!isOpName(n.op)) continue;
    const def = OPS[n.op];
    const ins = n.inputs.map((i) => graph.nodes[i].shape);
    const prep = def.prepare ? def.prepare(ins, n.shape, n.attrs) : undefined;
    out.push({ op: n.op, node: n.name, actual: heldBytes(prep), estimate: def.prepareBytes ? def.prepareBytes(ins, n.shape, n.attrs) : 0 });
  }
  return out;
}

/** The graph the gradient check builds for one case of `op`, with its backward pass. */
function gradGraph(op: OpName, shapes: number[][], attrs: Record<string, unknown>): Graph {
  const g = new GraphBuilder();
  const ins = shapes.map((s, i) => g.param(`in${i}`, s));
  const out = g.apply(op, ins, attrs);
  const loss = g.apply('sum', [g.apply('mul', [out, g.param('proj', g.shapeOf(out))])]);
  appendBackward(g, loss, ins);
  return g.graph;
}

const seen = new Set<string>();
const all: Row[] = [];
for (const [name, def] of Object.entries(OPS) as [OpName, (typeof OPS)[OpName]][]) {
  for (const c of def.gradCheck) {
    let graph: Graph;
    try {
      graph = gradGraph(name, c.shapes as number[][], c.attrs ?? {});
    } catch {
      continue; // a case whose integer inputs take no gradient: its forward node is enough
    }
    all.push(...rows(graph), ...rows(optimizeGraph(graph, [graph.nodes.length - 1]).graph));
  }
}
for (const cfg of ['digits-mlp.yaml', 'fashion-small.yaml', 'iris.yaml', 'linear.yaml']) {
  const rc = loadConfig(repo('configs', cfg));
  const model = compileModel(rc.config, dataDims(rc.config.data), locatorOf(rc));
  for (const mode of ['train', 'eval'] as const) all.push(...rows(model.program(rc.config.train.batch_size, mode).graph));
}
for (const r of all) seen.add(r.op);

describe('prepareBytes bounds what prepare() allocates', () => {
  it('covers the ops that allocate tables', () => {
    for (const op of ['add', 'broadcast_to', 'transpose', 'sum', 'mean', 'max', 'slice', 'pad', 'concat']) expect(seen, op).toContain(op);
  });

  it('gives the convolutions no scratch: the kernels that lower them take their own when they run', () => {
    const convs = all.filter((r) => r.op.startsWith('conv2d'));
    for (const op of ['conv2d', 'conv2d_bias_act', 'conv2d_grad_input', 'conv2d_grad_weight']) expect(seen, op).toContain(op);
    expect(convs.filter((r) => r.actual > 0).map((r) => `${r.op} ${r.node}: ${r.actual}`)).toEqual([]);
  });

  it('for every node prepared', () => {
    const under = all.filter((r) => r.actual > r.estimate).map((r) => `${r.op} ${r.node}: ${r.actual} > ${r.estimate}`);
    expect(under).toEqual([]);
  });

  it('without counting much that is not allocated', () => {
    const actual = all.reduce((s, r) => s + r.actual, 0);
    const estimate = all.reduce((s, r) => s + r.estimate, 0);
    expect(estimate).toBeLessThan(1.5 * actual + 4096);
  });
});
