// One line of the `dlf graph` listing: a node's name, op (with a fused epilogue), shape and inputs.
import type { Graph } from '../graph/builder.js';
import type { Node } from '../graph/types.js';
import { shapeStr } from '../tensor/shape.js';

export function listingLine(graph: Graph, n: Node): string {
  const ins = n.inputs.map((i) => graph.nodes[i].name).join(', ');
  const op = typeof n.attrs.act === 'string' && n.attrs.act !== 'none' ? `${n.op}+${n.attrs.act}` : n.op;
  return `${n.name.padEnd(40)} ${op.padEnd(24)} ${shapeStr(n.shape).padEnd(12)} ${ins}`.trimEnd();
}
