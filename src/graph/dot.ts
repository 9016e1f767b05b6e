// Graphviz DOT of a graph: one box per node labelled with its name, op and shape. Inputs,
// parameters and constants are drawn apart; the backward pass (nodes under `grad/`) is shown
// only when asked and then in a second colour. Fused ops (what compile/optimize.ts makes) get a
// double border, and their epilogue is shown with the op.
import { shapeStr } from '../tensor/shape.js';
import type { Graph } from './builder.js';

export interface DotOptions {
  /** Include the backward pass. */
  backward?: boolean;
  /** Node ids to mark as outputs. */
  outputs?: readonly number[];
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** Ops that only the graph optimiser makes, each standing for several primitives. */
const FUSED = new Set(['matmul_bias_act', 'mask_positive']);

export function isBackwardNode(name: string): boolean {
  return name.startsWith('grad/');
}

export function toDot(graph: Graph, opts: DotOptions = {}): string {
  const lines = ['digraph dlf {', '  rankdir=TB;', '  node [shape=box, fontname="Helvetica", fontsize=10];'];
  const shown = graph.nodes.filter((n) => opts.backward || !isBackwardNode(n.name));
  const ids = new Set(shown.map((n) => n.id));
  const outputs = new Set(opts.outputs ?? []);
  for (const n of shown) {
    const style =
      n.op === 'param'
        ? 'style=filled, fillcolor="#fde8c8", shape=ellipse'
        : n.op === 'input'
          ? 'style=filled, fillcolor="#d6e9f8", shape=ellipse'
          : n.op === 'const'
            ? 'style=filled, fillcolor="#eeeeee", shape=plaintext'
            : isBackwardNode(n.name)
              ? 'style=filled, fillcolor="#f3d9e8"'
              : 'style=filled, fillcolor="#e3f2dc"';
    const op = typeof n.attrs.act === 'string' && n.attrs.act !== 'none' ? `${n.op} + ${n.attrs.act}` : n.op;
    const constText = Array.isArray(n.attrs.values) ? `[${n.attrs.values.join(', ')}]` : `${n.attrs.value}`;
    const label = n.op === 'const' ? `${constText} ${shapeStr(n.shape)}` : `${n.name}\n${op} ${shapeStr(n.shape)}`;
    const border = (outputs.has(n.id) ? ', penwidth=2' : '') + (FUSED.has(n.op) ? ', peripheries=2' : '');
    lines.push(`  n${n.id} [label=${quote(label)}, ${style}${border}];`);
  }
  for (const n of shown) for (const i of n.inputs) if (ids.has(i)) lines.push(`  n${i} -> n${n.id};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
