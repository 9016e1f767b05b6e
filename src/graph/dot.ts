// Graphviz DOT of a graph: one box per node labelled with its name, op and shape. Inputs,
// parameters and constants are drawn apart; the backward pass (nodes under `grad/`) is shown
// only when asked and then in a second colour, dashed. Fused ops (what compile/optimize.ts makes)
// get a double border, and their epilogue is shown with the op. Given the model's layers, the
// nodes of each layer are drawn in a box of their own (a cluster), and the backward pass in one
// box holding a box per layer whose gradients it computes. Edges can carry the shape of the
// tensor they pass, and nodes extra lines (the values of a training step, cli/graph-values.ts).
import { shapeStr } from '../tensor/shape.js';
import type { Graph } from './builder.js';

/** A layer as the drawing needs it: the scope its nodes are named under and its type. */
export interface DotLayer {
  readonly scope: string;
  readonly type: string;
}

export interface DotOptions {
  /** Include the backward pass. */
  backward?: boolean;
  /** Node ids to mark as outputs. */
  outputs?: readonly number[];
  /** Draw each layer's nodes in a cluster, and the backward pass in a cluster of its own. */
  layers?: readonly DotLayer[];
  /** Label every edge with the shape of the tensor it carries. */
  edgeShapes?: boolean;
  /** Draw only these nodes (and the edges between them). */
  only?: ReadonlySet<number>;
  /** Extra lines under a node's label. */
  notes?: (id: number) => readonly string[];
  /** A caption above the picture (lines separated by \n). */
  title?: string;
}

const escapeDot = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
/** A DOT string whose lines are centred. */
const quote = (s: string) => `"${escapeDot(s).replace(/\n/g, '\\n')}"`;
/** A DOT string whose lines are left-aligned. */
const quoteLeft = (s: string) => `"${s.split('\n').map(escapeDot).join('\\l')}\\l"`;

/** Ops that only the graph optimiser makes, each standing for several primitives. */
const FUSED = new Set(['matmul_bias_act', 'mask_positive']);

const BACKWARD_COLOUR = '#a0527a';
const FORWARD_READ_COLOUR = '#b9a0ad';

export function isBackwardNode(name: string): boolean {
  return name.startsWith('grad/');
}

/** A cluster: its label and style, the nodes drawn directly in it, and the clusters inside it. */
interface Box {
  readonly label: string;
  readonly backward: boolean;
  readonly nodes: number[];
  readonly boxes: Map<string, Box>;
}

const newBox = (label: string, backward: boolean): Box => ({ label, backward, nodes: [], boxes: new Map() });

/**
 * The layer a node belongs to: the longest layer scope its name lies under, else the first part of
 * a scoped name (`loss/...`, `input/...`), else none.
 */
function layerOf(name: string, layers: readonly DotLayer[]): { key: string; label: string } | undefined {
  let best: DotLayer | undefined;
  for (const l of layers) {
    if ((name === l.scope || name.startsWith(`${l.scope}/`)) && (!best || l.scope.length > best.scope.length)) best = l;
  }
  if (best) {
    const typed = best.scope === best.type || best.scope.endsWith(`/${best.type}`);
    return { key: best.scope, label: typed ? best.scope : `${best.scope} (${best.type})` };
  }
  const slash = name.indexOf('/');
  return slash > 0 ? { key: name.slice(0, slash), label: name.slice(0, slash) } : undefined;
}

/** The clusters of the shown nodes: a box per layer, the backward pass in one box with a box per layer. */
function boxesOf(graph: Graph, shown: readonly number[], layers: readonly DotLayer[]): Box {
  const root = newBox('', false);
  for (const id of shown) {
    const name = graph.nodes[id].name;
    let parent = root;
    let rest = name;
    if (isBackwardNode(name)) {
      if (!root.boxes.has('grad')) root.boxes.set('grad', newBox('backward pass (autodiff)', true));
      parent = root.boxes.get('grad')!;
      rest = name.slice('grad/'.length);
    }
    const layer = layerOf(rest, layers);
    if (!layer) {
      parent.nodes.push(id);
      continue;
    }
    if (!parent.boxes.has(layer.key)) parent.boxes.set(layer.key, newBox(parent.backward ? `gradients in ${layer.label}` : layer.label, parent.backward));
    parent.boxes.get(layer.key)!.nodes.push(id);
  }
  // A box around a single node says nothing: its node is drawn in the box around it instead.
  const flatten = (box: Box) => {
    for (const [key, inner] of box.boxes) {
      flatten(inner);
      if (inner.nodes.length + inner.boxes.size <= 1 && key !== 'grad') {
        box.nodes.push(...inner.nodes);
        for (const [k, b] of inner.boxes) box.boxes.set(k, b);
        box.boxes.delete(key);
      }
    }
  };
  flatten(root);
  return root;
}

export function toDot(graph: Graph, opts: DotOptions = {}): string {
  const lines = ['digraph dlf {', '  rankdir=TB;', '  node [shape=box, fontname="Helvetica", fontsize=10];'];
  if (opts.title !== undefined) lines.push(`  labelloc=t; labeljust=l; fontname="Helvetica"; fontsize=11; label=${quoteLeft(opts.title)};`);
  if (opts.edgeShapes) lines.push('  edge [fontname="Helvetica", fontsize=8, fontcolor="#555555"];');
  const shown = graph.nodes.filter((n) => (opts.backward || !isBackwardNode(n.name)) && (!opts.only || opts.only.has(n.id)));
  const ids = new Set(shown.map((n) => n.id));
  const outputs = new Set(opts.outputs ?? []);
  const nodeLine = (id: number) => {
    const n = graph.nodes[id];
    const style =
      n.op === 'param'
        ? 'style=filled, fillcolor="#fde8c8", shape=ellipse'
        : n.op === 'input'
          ? 'style=filled, fillcolor="#d6e9f8", shape=ellipse'
          : n.op === 'const'
            ? 'style=filled, fillcolor="#eeeeee", shape=plaintext'
            : isBackwardNode(n.name)
              ? `style="filled,dashed", fillcolor="#f3d9e8", color="${BACKWARD_COLOUR}"`
              : 'style=filled, fillcolor="#e3f2dc"';
    const op = typeof n.attrs.act === 'string' && n.attrs.act !== 'none' ? `${n.op} + ${n.attrs.act}` : n.op;
    const constText = Array.isArray(n.attrs.values) ? `[${n.attrs.values.join(', ')}]` : `${n.attrs.value}`;
    const head = n.op === 'const' ? `${constText} ${shapeStr(n.shape)}` : `${n.name}\n${op} ${shapeStr(n.shape)}`;
    const label = [head, ...(opts.notes?.(id) ?? [])].join('\n');
    const border = (outputs.has(n.id) ? ', penwidth=2' : '') + (FUSED.has(n.op) ? ', peripheries=2' : '');
    return `n${n.id} [label=${quote(label)}, ${style}${border}];`;
  };
  let clusters = 0;
  const emit = (box: Box, indent: string) => {
    for (const id of box.nodes) lines.push(`${indent}${nodeLine(id)}`);
    for (const inner of box.boxes.values()) {
      lines.push(`${indent}subgraph cluster_${clusters++} {`);
      const style = inner.backward ? `style="dashed,rounded", color="${BACKWARD_COLOUR}", fontcolor="${BACKWARD_COLOUR}"` : 'style=rounded, color="#888888"';
      lines.push(`${indent}  label=${quote(inner.label)}; ${style.replace(/, /g, '; ')}; fontname="Helvetica"; fontsize=10;`);
      emit(inner, indent + '  ');
      lines.push(`${indent}}`);
    }
  };
  if (opts.layers) emit(boxesOf(graph, [...ids], opts.layers), '  ');
  else for (const n of shown) lines.push(`  ${nodeLine(n.id)}`);
  for (const n of shown) {
    for (const i of n.inputs) {
      if (!ids.has(i)) continue;
      // A forward value that a backward node reads (what dy/dx depends on) is drawn dotted and
      // light, and does not rank the backward node below it: the backward pass then runs from the
      // loss down in its own order instead of pulling the forward layers apart.
      const crossing = isBackwardNode(n.name) && !isBackwardNode(graph.nodes[i].name);
      const attrs = [
        ...(opts.edgeShapes ? [`label=${quote(shapeStr(graph.nodes[i].shape))}`] : []),
        ...(crossing ? ['style=dotted', `color="${FORWARD_READ_COLOUR}"`] : isBackwardNode(n.name) ? ['style=dashed', `color="${BACKWARD_COLOUR}"`] : []),
        ...(crossing && opts.layers ? ['constraint=false'] : []),
      ];
      lines.push(`  n${i} -> n${n.id}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
  }
  // The backward pass hangs below the forward pass: a backward node that reads no other backward
  // node (the seed dL/dL = 1, constants, a one-hot of the labels) is ranked below the forward
  // outputs (the loss) by an invisible edge.
  if (opts.layers) {
    const anchors = [...outputs].filter((o) => ids.has(o) && !isBackwardNode(graph.nodes[o].name));
    for (const n of shown) {
      if (!isBackwardNode(n.name) || n.inputs.some((i) => ids.has(i) && isBackwardNode(graph.nodes[i].name))) continue;
      for (const o of anchors) lines.push(`  n${o} -> n${n.id} [style=invis];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
