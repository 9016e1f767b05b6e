// Reverse-mode autodiff: appends the backward pass to the same static graph as ordinary nodes.
// Walks the nodes that lie between the parameters and the loss in reverse topological order,
// asks each op for its VJP, and sums the contributions a node receives from its consumers. It can
// also say where every backward node came from (appendBackwardTraced), for drawings that show
// the chain rule.
import { InternalError } from '../errors.js';
import { sameShape, shapeStr } from '../tensor/shape.js';
import type { GraphBuilder } from './builder.js';
import { OPS, isOpName } from './ops/index.js';

/** Which rule made a backward node. */
export type BackwardOrigin =
  /** d(loss)/d(loss) = 1, where the backward pass starts. */
  | { readonly kind: 'seed' }
  /** Made by the VJP of forward node `of` (its op's rule), from the gradient of its output. */
  | { readonly kind: 'vjp'; readonly of: number }
  /** Sums the gradients that the consumers of forward node `of` sent it (fan-out in the forward pass). */
  | { readonly kind: 'sum'; readonly of: number };

export interface BackwardTrace {
  /** The gradient of d(loss) for every forward node that has one (those between `wrt` and the loss). */
  readonly gradOf: ReadonlyMap<number, number>;
  /** The origin of every node the backward pass added. */
  readonly origin: ReadonlyMap<number, BackwardOrigin>;
}

/**
 * Adds nodes computing d(loss)/d(x) for every x in `wrt` (node ids) and returns a map from each
 * of them to its gradient node. `loss` must be a scalar. Inputs that do not influence the loss get
 * no entry.
 */
export function appendBackward(g: GraphBuilder, loss: number, wrt: readonly number[]): Map<number, number> {
  return appendBackwardTraced(g, loss, wrt).grads;
}

/** appendBackward, also returning the gradient of every node on the way and where each backward node came from. */
export function appendBackwardTraced(g: GraphBuilder, loss: number, wrt: readonly number[]): BackwardTrace & { grads: Map<number, number> } {
  if (g.shapeOf(loss).length !== 0) {
    throw new InternalError(`the loss must be a scalar, got ${shapeStr(g.shapeOf(loss))}`, { node: g.node(loss).name });
  }
  // Nodes on a path from some wrt node to the loss: these, and only these, need gradients.
  const dependsOnWrt = new Set<number>(wrt);
  for (let id = 0; id <= loss; id++) {
    if (g.node(id).inputs.some((i) => dependsOnWrt.has(i))) dependsOnWrt.add(id);
  }
  const reachesLoss = new Set<number>([loss]);
  for (let id = loss; id >= 0; id--) {
    if (reachesLoss.has(id)) for (const i of g.node(id).inputs) reachesLoss.add(i);
  }
  const needed = (id: number) => dependsOnWrt.has(id) && reachesLoss.has(id);

  const origin = new Map<number, BackwardOrigin>();
  /** Runs `make`, recording `how` as the origin of every node it adds. */
  const traced = <T>(how: BackwardOrigin, make: () => T): T => {
    const first = g.graph.nodes.length;
    const out = make();
    for (let id = first; id < g.graph.nodes.length; id++) origin.set(id, how);
    return out;
  };
  const pending = new Map<number, number[]>();
  pending.set(loss, [traced({ kind: 'seed' }, () => g.scope('grad', () => g.constant(1, [])))]);
  const result = new Map<number, number>();
  const gradOf = new Map<number, number>();
  const wrtSet = new Set(wrt);

  for (let id = loss; id >= 0; id--) {
    const parts = pending.get(id);
    if (!parts || !needed(id)) continue;
    pending.delete(id);
    const node = g.node(id);
    const grad = traced({ kind: 'sum', of: id }, () => g.scope(`grad/${node.name}`, () => parts.reduce((acc, p) => g.apply('add', [acc, p]))));
    gradOf.set(id, grad);
    if (wrtSet.has(id)) result.set(id, grad);
    if (!isOpName(node.op)) continue; // a leaf
    const grads = traced({ kind: 'vjp', of: id }, () => g.scope(`grad/${node.name}`, () => OPS[node.op as keyof typeof OPS].vjp(g, node, grad)));
    node.inputs.forEach((inp, k) => {
      const gi = grads[k];
      if (gi === null || gi === undefined || !needed(inp)) return;
      const want = g.shapeOf(inp);
      if (!sameShape(g.shapeOf(gi), want)) {
        throw new InternalError(`VJP of ${node.op} gave input ${k} a gradient of shape ${shapeStr(g.shapeOf(gi))}, expected ${shapeStr(want)}`, {
          node: node.name,
        });
      }
      const list = pending.get(inp);
      if (list) list.push(gi);
      else pending.set(inp, [gi]);
    });
  }
  return { grads: result, gradOf, origin };
}
