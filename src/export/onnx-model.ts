// A run's model as ONNX nodes. dlf's graph of the model is built as evaluation runs it (no
// dropout masks, batchnorm on its running statistics), before the training optimiser, at two
// batch sizes: the axes whose sizes differ are the batch axis, which ONNX leaves symbolic. The
// parts that depend only on parameters and constants (batchnorm's running statistics reshaped
// and square-rooted, a bias reshaped for a convolution) are computed here with dlf's own
// kernels and written as initializers. Every other node goes through ONNX_OPS in graph order,
// except two pairs that ONNX has one op for: a matrix product plus a bias row (a dense layer)
// becomes Gemm, and a convolution plus a per-filter bias becomes Conv with its bias input; and
// one direction of a recurrent layer (input projection, scan, slice of h) becomes one ONNX RNN,
// LSTM or GRU node (onnx-recurrent.ts).
import type { Config } from '../config/schema.js';
import type { DataDims } from '../data/dims.js';
import { ExportError } from '../errors.js';
import { type Graph, GraphBuilder } from '../graph/builder.js';
import { OPS, type OpName, isOpName } from '../graph/ops/index.js';
import type { Buf, Node } from '../graph/types.js';
import { tsKernels } from '../kernels/ts/index.js';
import { type LayerInfo, type Locator, type ParamSpec, buildModel } from '../compile/model.js';
import { sizeOf } from '../tensor/shape.js';
import type { OnnxGraph } from './onnx-graph.js';
import { DataType } from './onnx-proto.js';
import { type Emit, ONNX_OPS, type SymDim, emitConv, isBatchDim } from './onnx-ops.js';
import { type MaskPrep, emitScan, recurrentScans } from './onnx-recurrent.js';

/** The batch sizes the model is built at; any two different sizes would do. */
const BATCHES = [2, 3] as const;

/** The model's inference graph with the batch axis found. */
export interface InferenceGraph {
  /** The graph at batch size BATCHES[0]. */
  readonly graph: Graph;
  readonly x: number;
  readonly output: number;
  readonly params: readonly ParamSpec[];
  readonly layers: readonly LayerInfo[];
  /** The shape of every node with the batch axis symbolic. */
  readonly dims: readonly (readonly SymDim[])[];
  readonly locate: Locator;
}

/** Builds the model of `config` for `dims` in evaluation mode at both batch sizes and compares them. */
export function inferenceGraph(config: Config, dims: DataDims, locate: Locator): InferenceGraph {
  const [a, b] = BATCHES.map((batch) => {
    const g = new GraphBuilder();
    const x = g.input('x', [batch, ...dims.sampleShape]);
    const model = buildModel(g, config.model, x, locate, 'eval', dims);
    return { graph: g.graph, x, model };
  });
  const nodes = a.graph.nodes;
  const other = b.graph.nodes;
  const symbolic = nodes.map((n, id) => {
    const m = other[id];
    if (!m || m.name !== n.name || m.op !== n.op || m.shape.length !== n.shape.length) {
      throw new ExportError(
        `the model's graph differs between batch sizes at node '${n.name}'`,
        { node: n.name },
        'a model whose structure depends on the batch size cannot be exported',
      );
    }
    return n.shape.map((d, i): SymDim => {
      const e = m.shape[i];
      if (d === e) return d;
      const k = d / BATCHES[0];
      if (Number.isInteger(k) && e === k * BATCHES[1]) return { batch: k };
      throw new ExportError(`axis ${i} of node '${n.name}' grows with the batch size other than in proportion`, { node: n.name });
    });
  });
  return { graph: a.graph, x: a.x, output: a.model.output, params: a.model.params, layers: a.model.layers, dims: symbolic, locate };
}

/**
 * Adds the nodes of the model to `g`: `x` is the ONNX value of dlf's input x, `params` the
 * checkpoint's tensors by name; the result is computed into `out` (a name claimed in `g`).
 */
export function emitModel(g: OnnxGraph, inf: InferenceGraph, params: ReadonlyMap<string, Float32Array>, x: string, out: string): void {
  const nodes = inf.graph.nodes;
  const needed = reachable(nodes, inf.output);
  const constant = constantNodes(nodes, needed);
  const folded = new Map<number, Float32Array>();
  const valueNames = new Map<number, string>([[inf.x, x]]);
  const readers = new Map<number, number>();
  for (const id of needed) for (const i of nodes[id].inputs) readers.set(i, (readers.get(i) ?? 0) + 1);

  const failAt = (n: Node, why: string, hint?: string): never => {
    throw exportError(inf, n, why, hint);
  };
  /** The values of a constant node, computed once. */
  const valuesOf = (id: number): Float32Array => {
    let v = folded.get(id);
    if (v) return v;
    const n = nodes[id];
    if (inf.dims[id].some(isBatchDim)) failAt(n, 'it is a constant whose size depends on the batch size');
    v = computeConstant(n, nodes, valuesOf, params, failAt);
    folded.set(id, v);
    return v;
  };
  /** The ONNX value of a node: an initializer for a constant one (a parameter under its own name). */
  const use = (id: number): string => {
    let name = valueNames.get(id);
    if (name === undefined) {
      const n = nodes[id];
      if (!constant.has(id)) throw new Error(`node '${n.name}' is used before it is computed`);
      const values = valuesOf(id);
      name = n.op === 'const' && values.length <= 16 ? g.constant(DataType.FLOAT, n.shape, values, n.name) : g.floats(n.name, n.shape, values);
      valueNames.set(id, name);
    }
    return name;
  };
  const emitFor = (n: Node, outName: string, ins: readonly string[], inIds: readonly number[]): Emit => ({
    g,
    node: n,
    ins,
    inDims: inIds.map((i) => inf.dims[i]),
    outDims: inf.dims[n.id],
    out: outName,
    fail: (why, hint) => failAt(n, why, hint),
  });

  const fused = fusions(nodes, needed, constant, readers, inf.dims);
  const scans = recurrentScans(nodes, needed, constant, readers);
  for (const plan of scans.values()) for (const i of plan.inner) fused.inner.add(i);
  const masks = new Map<string, MaskPrep>();
  for (const id of needed) {
    const n = nodes[id];
    if (constant.has(id) || n.op === 'input' || fused.inner.has(id)) continue;
    if (n.op === 'random') failAt(n, 'it is a random mask, which evaluation never draws');
    const outName = id === inf.output ? out : g.fresh(n.name);
    const pair = fused.outer.get(id);
    const scan = scans.get(id);
    if (scan) {
      const scanNode = nodes[scan.scan];
      emitScan({ g, nodes, dims: inf.dims, use, valuesOf, masks, fail: (why, hint) => failAt(scanNode, why, hint) }, scan, outName);
    } else if (pair) {
      pair.emit(g, emitFor(nodes[pair.inner], outName, nodes[pair.inner].inputs.map(use), nodes[pair.inner].inputs), pair.bias(g, valuesOf));
    } else {
      if (!isOpName(n.op)) failAt(n, `it is a '${n.op}' node, which export does not know`);
      const form = ONNX_OPS[n.op as OpName];
      if ('none' in form) failAt(n, `it has no ONNX form: ${form.none}`);
      (form as (e: Emit) => void)(emitFor(n, outName, n.inputs.map(use), n.inputs));
    }
    valueNames.set(id, outName);
  }
  const result = use(inf.output);
  if (result !== out) g.node('Identity', [result], {}, out);
}

/** Ids of the nodes the output depends on, in graph (topological) order. */
function reachable(nodes: readonly Node[], output: number): number[] {
  const seen = new Uint8Array(nodes.length);
  const stack = [output];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen[id]) continue;
    seen[id] = 1;
    stack.push(...nodes[id].inputs);
  }
  const out: number[] = [];
  seen.forEach((s, id) => s && out.push(id));
  return out;
}

/** The needed nodes whose values depend on no input and no random mask. */
function constantNodes(nodes: readonly Node[], needed: readonly number[]): Set<number> {
  const constant = new Set<number>();
  for (const id of needed) {
    const n = nodes[id];
    const leaf = n.op === 'param' || n.op === 'state' || n.op === 'const';
    if (leaf || (n.inputs.length > 0 && isOpName(n.op) && n.inputs.every((i) => constant.has(i)))) constant.add(id);
  }
  return constant;
}

/** A constant node's values: a checkpoint tensor, a filled constant, or an op over constants run on dlf's TypeScript kernels. */
function computeConstant(
  n: Node,
  nodes: readonly Node[],
  valuesOf: (id: number) => Float32Array,
  params: ReadonlyMap<string, Float32Array>,
  failAt: (n: Node, why: string) => never,
): Float32Array {
  const size = sizeOf(n.shape);
  if (n.op === 'param' || n.op === 'state') {
    const t = params.get(n.name);
    if (!t || t.length !== size) failAt(n, 'the checkpoint has no tensor of its name and size');
    return t!;
  }
  if (n.op === 'const') {
    const values = n.attrs.values as number[] | undefined;
    return values ? Float32Array.from(values) : new Float32Array(size).fill(n.attrs.value as number);
  }
  const def = OPS[n.op as OpName];
  const inShapes = n.inputs.map((i) => nodes[i].shape);
  const out = new Float32Array(size);
  const prep = def.prepare?.(inShapes, n.shape, n.attrs);
  def.forward(
    tsKernels,
    n.inputs.map((i) => valuesOf(i) as Buf),
    out,
    { inShapes, outShape: n.shape, attrs: n.attrs, prep },
  );
  return out;
}

/** A pair of nodes written as one ONNX op: `inner` (a matmul or conv2d) read only by the add `outer`. */
interface Fusion {
  readonly inner: number;
  /** Writes the bias as an initializer of the shape the fused op takes; returns its name. */
  bias(g: OnnxGraph, valuesOf: (id: number) => Float32Array): string;
  /** Emits the fused op; `e` is the inner node's, with the outer node's output name. */
  emit(g: OnnxGraph, e: Emit, bias: string): void;
}

/**
 * The dense and convolution pairs of the graph: add(matmul(a, w), b) with a and w matrices and b
 * a constant row, and add(conv2d(x, w), b) with b a constant of one value per filter.
 */
function fusions(
  nodes: readonly Node[],
  needed: readonly number[],
  constant: ReadonlySet<number>,
  readers: ReadonlyMap<number, number>,
  dims: readonly (readonly SymDim[])[],
): { outer: Map<number, Fusion>; inner: Set<number> } {
  const outer = new Map<number, Fusion>();
  const inner = new Set<number>();
  for (const id of needed) {
    const n = nodes[id];
    if (n.op !== 'add' || constant.has(id)) continue;
    const [a, c] = n.inputs;
    const m = nodes[a];
    if (constant.has(a) || !constant.has(c) || readers.get(a) !== 1) continue;
    const cShape = nodes[c].shape;
    const outCols = n.shape[n.shape.length - 1];
    if (m.op === 'matmul' && !m.attrs.transpose_a && dims[m.inputs[0]].length === 2 && dims[m.inputs[1]].length === 2 && sameSizes(n.shape, m.shape)) {
      if (!((cShape.length === 1 || (cShape.length === 2 && cShape[0] === 1)) && cShape[cShape.length - 1] === outCols)) continue;
      outer.set(id, {
        inner: a,
        bias: (g, valuesOf) => initializerFor(g, nodes, c, valuesOf, [outCols]),
        emit: (g, e, bias) => void g.node('Gemm', [e.ins[0], e.ins[1], bias], m.attrs.transpose_b ? { transB: 1 } : {}, e.out),
      });
      inner.add(a);
    } else if (m.op === 'conv2d' && sameSizes(n.shape, m.shape)) {
      const filters = m.shape[1];
      const perFilter = cShape.length >= 3 && cShape.slice(-2).every((d) => d === 1) && cShape[cShape.length - 3] === filters && sizeOf(cShape) === filters;
      if (!perFilter) continue;
      outer.set(id, {
        inner: a,
        bias: (g, valuesOf) => initializerFor(g, nodes, c, valuesOf, [filters]),
        emit: (_g, e, bias) => emitConv(e, e.ins[0], e.ins[1], bias),
      });
      inner.add(a);
    }
  }
  return { outer, inner };
}

function sameSizes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The initializer of constant node `id` reshaped to `dims`. A bias reshaped from a parameter
 * takes the parameter's name (`layer0/conv2d/b`), so the file names the checkpoint's tensors.
 */
function initializerFor(g: OnnxGraph, nodes: readonly Node[], id: number, valuesOf: (id: number) => Float32Array, dims: number[]): string {
  const n = nodes[id];
  const src = n.op === 'reshape' && nodes[n.inputs[0]].op === 'param' ? nodes[n.inputs[0]] : n;
  return g.floats(src.name, dims, valuesOf(id));
}

/** The ExportError of node `n`: its op, its name and the layer (and config key) it belongs to. */
function exportError(inf: InferenceGraph, n: Node, why: string, hint?: string): ExportError {
  const layer = layerOf(inf.layers, n.name);
  // A graph-form node that applies an op is no layer: it is named as the node it is.
  const opNode = layer && layer.key[1] === 'graph' && layer.key[layer.key.length - 1] !== 'layer';
  const what = !layer ? `op '${n.op}'` : opNode ? `op '${n.op}' of graph node '${layer.scope}'` : `op '${n.op}' of the ${layer.type} layer '${layer.scope}'`;
  return new ExportError(`cannot export ${what} to ONNX: ${why}`, { ...(layer?.place ?? {}), node: n.name }, hint);
}

/** The layer a node belongs to: the one with the longest scope that is the node's name or a prefix of it. */
export function layerOf(layers: readonly LayerInfo[], name: string): LayerInfo | undefined {
  let best: LayerInfo | undefined;
  for (const l of layers) {
    if ((name === l.scope || name.startsWith(l.scope + '/')) && (!best || l.scope.length > best.scope.length)) best = l;
  }
  return best;
}
