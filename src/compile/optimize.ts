// The graph optimiser: rewrites a built program's node list (forward and backward) into an
// equivalent, shorter one before planning, which a static graph allows. Each rewrite does the same
// float operations in the same order, so values are unchanged bit for bit:
//   mul(g, step(x)) (relu's VJP)       → mask_positive(g, x), reading relu(x) instead of x when
//                                         there is one (relu(x) > 0 exactly where x > 0), so that
//                                         x need not live until the backward pass;
//   add(matmul(a, w), b) with b a row  → matmul_bias_act(a, w, b)            (bias epilogue);
//   relu(matmul_bias_act(a, w, b))     → matmul_bias_act(a, w, b, act=relu)  (relu epilogue);
//   add(conv2d(x, w), reshape(b)), b [F] → conv2d_bias_act(x, w, b), and its relu epilogue likewise;
//   mask_positive(maxpool2d_grad(x, g), x) → maxpool2d_grad(x, g, mask_positive)  (relu then pool);
//   op(broadcast_to(x), y), op one of add sub mul div, y of the output's shape → op(x, y) when
//                                         every reader of the broadcast_to is such an op (the
//                                         gradients of a mean or a sum over an axis, in a layer
//                                         norm's backward pass): the op reads x's value for each
//                                         element through its own broadcasting, the same values.
// A node is folded into its consumer only when that consumer is its one reader and it is not an
// output. The fused node takes the name of the node it replaces last, so outputs keep their names.
import { InternalError } from '../errors.js';
import type { Graph } from '../graph/builder.js';
import { OPS, isOpName } from '../graph/ops/index.js';
import type { Attrs, Node } from '../graph/types.js';
import { sameShape, shapeStr } from '../tensor/shape.js';

export interface OptimizedGraph {
  readonly graph: Graph;
  /** The new id of an old node id; a node folded into another maps to that one (of its shape). */
  idOf(old: number): number;
  /** How many rewrites of each kind were made, e.g. { matmul_bias_act: 2, mask_positive: 1 }. */
  readonly rewrites: Readonly<Record<string, number>>;
}

/** The binary ops that broadcast their inputs, as their kernels do for a broadcast_to's input. */
const BROADCASTING = new Set(['add', 'sub', 'mul', 'div']);

interface Work {
  op: string;
  inputs: number[];
  attrs: Attrs;
  shape: readonly number[];
  name: string;
}

export function optimizeGraph(graph: Graph, outputs: readonly number[]): OptimizedGraph {
  const work: (Work | null)[] = graph.nodes.map((n) => ({ op: n.op, inputs: [...n.inputs], attrs: n.attrs, shape: n.shape, name: n.name }));
  const into = new Map<number, number>(); // folded node → the node that took it over
  const isOutput = new Set(outputs);
  const rewrites: Record<string, number> = {};
  const count = (what: string) => (rewrites[what] = (rewrites[what] ?? 0) + 1);

  const readers = () => {
    const r = new Map<number, number>();
    for (const w of work) if (w) for (const i of w.inputs) r.set(i, (r.get(i) ?? 0) + 1);
    return r;
  };
  /** Whether node `id` (an op of kind `op`) may be folded into its single reader. */
  const foldable = (id: number, op: string, uses: Map<number, number>) => work[id]?.op === op && uses.get(id) === 1 && !isOutput.has(id);
  const fold = (from: number, to: number, w: Work) => {
    work[from] = null;
    work[to] = w;
    into.set(from, to);
  };

  // relu's VJP: mul(g, step(x)) → mask_positive(g, relu(x) or x).
  let uses = readers();
  const reluOf = new Map<number, number>();
  work.forEach((w, id) => {
    if (w?.op === 'relu' && !reluOf.has(w.inputs[0])) reluOf.set(w.inputs[0], id);
  });
  work.forEach((w, id) => {
    if (w?.op !== 'mul') return;
    const [p, q] = w.inputs;
    if (!sameShape(work[p]!.shape, w.shape) || !sameShape(work[q]!.shape, w.shape)) return;
    const side = [q, p].findIndex((s) => foldable(s, 'step', uses) && ((work[s]!.attrs.low as number | undefined) ?? 0) === 0);
    if (side < 0) return;
    const [s, grad] = side === 0 ? [q, p] : [p, q];
    const x = work[s]!.inputs[0];
    const r = reluOf.get(x);
    const masked = r !== undefined && r < id ? r : x;
    fold(s, id, { op: 'mask_positive', inputs: [grad, masked], attrs: {}, shape: w.shape, name: w.name });
    count('mask_positive');
  });

  // mask_positive(maxpool2d_grad(x, g), x) → maxpool2d_grad(x, g, mask_positive): a max pooling of
  // a relu's output routes its gradient and applies relu's mask in one pass.
  uses = readers();
  work.forEach((w, id) => {
    if (w?.op !== 'mask_positive') return;
    const [pg, x] = w.inputs;
    if (!foldable(pg, 'maxpool2d_grad', uses) || work[pg]!.inputs[0] !== x || work[pg]!.attrs.mask_positive) return;
    const p = work[pg]!;
    fold(pg, id, { ...p, attrs: { ...p.attrs, mask_positive: true }, name: w.name });
    count('masked maxpool2d_grad');
  });

  // add(matmul(a, w), b) with b a bias row → matmul_bias_act.
  uses = readers();
  work.forEach((w, id) => {
    if (w?.op !== 'add') return;
    for (const k of [0, 1]) {
      const m = w.inputs[k];
      const bias = w.inputs[1 - k];
      const bs = work[bias]!.shape;
      if (!foldable(m, 'matmul', uses) || !sameShape(work[m]!.shape, w.shape)) continue;
      if (bs.length !== 1 || bs[0] !== w.shape[w.shape.length - 1]) continue;
      const mm = work[m]!;
      const attrs: Attrs = { act: 'none' };
      if (mm.attrs.transpose_a) attrs.transpose_a = true;
      if (mm.attrs.transpose_b) attrs.transpose_b = true;
      fold(m, id, { op: 'matmul_bias_act', inputs: [mm.inputs[0], mm.inputs[1], bias], attrs, shape: w.shape, name: w.name });
      count('matmul_bias_act');
      return;
    }
  });

  // add(conv2d(x, w), reshape(b)) with b one value per output channel → conv2d_bias_act.
  uses = readers();
  work.forEach((w, id) => {
    if (w?.op !== 'add') return;
    for (const k of [0, 1]) {
      const c = w.inputs[k];
      const r = w.inputs[1 - k];
      if (!foldable(c, 'conv2d', uses) || !sameShape(work[c]!.shape, w.shape) || work[r]?.op !== 'reshape') continue;
      const f = w.shape[1];
      const bias = work[r]!.inputs[0];
      const rs = work[r]!.shape;
      const channelShaped =
        rs.length >= 3 && rs.length <= 4 && rs[rs.length - 3] === f && rs.slice(-2).every((d) => d === 1) && (rs.length === 3 || rs[0] === 1);
      if (!channelShaped || !sameShape(work[bias]!.shape, [f])) continue;
      const conv = work[c]!;
      fold(c, id, {
        op: 'conv2d_bias_act',
        inputs: [conv.inputs[0], conv.inputs[1], bias],
        attrs: { ...conv.attrs, act: 'none' },
        shape: w.shape,
        name: w.name,
      });
      count('conv2d_bias_act');
      return;
    }
  });

  // relu(matmul_bias_act(...)) or relu(conv2d_bias_act(...)) → the same with act=relu.
  uses = readers();
  work.forEach((w, id) => {
    if (w?.op !== 'relu') return;
    const f = w.inputs[0];
    const op = work[f]?.op;
    if (op !== 'matmul_bias_act' && op !== 'conv2d_bias_act') return;
    if (!foldable(f, op, uses) || work[f]!.attrs.act !== 'none') return;
    const fw = work[f]!;
    fold(f, id, { ...fw, attrs: { ...fw.attrs, act: 'relu' }, name: w.name });
    count('relu epilogue');
  });

  // op(broadcast_to(x), y) → op(x, y) when every reader of the broadcast_to allows it.
  // Every (reader, input slot) of each broadcast_to, as readers() counts them.
  const readersOf = new Map<number, number[]>();
  work.forEach((w, id) => {
    if (!w) return;
    for (const i of w.inputs) {
      if (work[i]?.op !== 'broadcast_to') continue;
      const list = readersOf.get(i);
      if (list) list.push(id);
      else readersOf.set(i, [id]);
    }
  });
  for (const [bc, ids] of readersOf) {
    const shape = work[bc]!.shape;
    const direct = (id: number) => {
      const w = work[id]!;
      if (!BROADCASTING.has(w.op) || !sameShape(w.shape, shape)) return false;
      const k = w.inputs.indexOf(bc);
      return k >= 0 && w.inputs[1 - k] !== bc && sameShape(work[w.inputs[1 - k]]!.shape, shape);
    };
    if (isOutput.has(bc) || !ids.every(direct)) continue;
    const x = work[bc]!.inputs[0];
    for (const id of ids) work[id]!.inputs = work[id]!.inputs.map((i) => (i === bc ? x : i));
    work[bc] = null;
    into.set(bc, ids[0]);
    count('broadcast_to read through');
  }

  // Renumber the surviving nodes in their (topological) order.
  const newId = new Map<number, number>();
  const resolve = (old: number): number => {
    let id = old;
    while (into.has(id)) id = into.get(id)!;
    const n = newId.get(id);
    if (n === undefined) throw new InternalError(`the optimiser lost node ${graph.nodes[old]?.name ?? old}`);
    return n;
  };
  const nodes: Node[] = [];
  const byName = new Map<string, number>();
  work.forEach((w, old) => {
    if (!w) return;
    const id = nodes.length;
    const inputs = w.inputs.map(resolve);
    const node: Node = { id, op: w.op, inputs, attrs: w.attrs, shape: w.shape, name: w.name };
    if (isOpName(w.op) && w.op !== graph.nodes[old].op) {
      // A rewritten node: its shape rule must agree with the shape it replaces.
      const want = OPS[w.op].shape(
        inputs.map((i) => nodes[i].shape),
        w.attrs as never,
      );
      if (!sameShape(want, w.shape)) throw new InternalError(`optimised ${w.op} has shape ${shapeStr(want)}, expected ${shapeStr(w.shape)}`, { node: w.name });
    }
    nodes.push(node);
    byName.set(w.name, id);
    newId.set(old, id);
  });
  return { graph: { nodes, byName }, idOf: resolve, rewrites };
}
