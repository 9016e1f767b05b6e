// A model summary without data rows: per layer its output shape (per sample), its parameters
// (trainable, and state such as running statistics, counted apart), its multiply-adds per sample
// (from the matmul and conv2d nodes named under the layer's scope) and its place in the YAML file;
// then the totals and the planned memory of the training program. Programs are only laid out,
// never prepared, so a summary allocates nothing in proportion to the model; a model beyond the
// memory bound is refused as compiling refuses it.
import type { Config } from '../config/schema.js';
import type { DataDims } from '../data/dims.js';
import type { Place } from '../errors.js';
import type { Graph } from '../graph/builder.js';
import type { Node } from '../graph/types.js';
import { sizeOf } from '../tensor/shape.js';
import { type BuildOptions, layoutProgram } from './compile.js';
import { checkMemory, defaultMemoryBound, memoryNeed } from './memory.js';
import type { LayerInfo, Locator, ParamSpec } from './model.js';
import { formatBytes } from './bytes.js';
import { type Layout, planMemory } from './plan.js';

export interface LayerSummary {
  /** The scope the layer's nodes and parameters are named under, e.g. `layer0/dense`. */
  scope: string;
  type: string;
  /** Output shape of one sample (the batch axis removed when the output has one). */
  outputShape: number[];
  /** Trainable parameters. */
  params: number;
  /** Non-trainable state values (running statistics). */
  state: number;
  /** Multiply-adds per sample of the layer's matmul, conv2d and recurrent-scan nodes. */
  macs: number;
  place: Place;
}

export interface ModelSummary {
  /**
   * One sample of the model input and its labels: the input's shape, the vocabulary size when the
   * input is token ids, and the labels' shape when not one per sample ([L]: a label per token).
   */
  input: { shape: number[]; vocab?: number; labels?: number[] };
  layers: LayerSummary[];
  /** The training program's node count and plan, as graph and validate report them. */
  program: ProgramStats;
  totals: { params: number; state: number; macs: number };
  /** Planned memory of the training program at the training batch size, in bytes. */
  memory: {
    batch: number;
    /** The shared arena, with buffer reuse. */
    arenaBytes: number;
    /** What the arena's values would take without buffer reuse. */
    unplannedBytes: number;
    /** Inputs, constants, masks and outputs (loss, gradients), kept for the whole step. */
    persistentBytes: number;
    /** Parameters and state tensors. */
    parameterBytes: number;
    /** The optimizer's slots. */
    optimizerBytes: number;
    /** The plan's tables (index offsets; the kernels' conv working buffers are not the plan's). */
    tableBytes: number;
    /** All of the above: what the memory check compares with the bound. */
    totalBytes: number;
    /** The memory bound. */
    boundBytes: number;
  };
}

/**
 * The numbers of the training program as training runs it (optimised, at the training batch size),
 * which summary, graph and validate all print, so that they agree for one config.
 */
export interface ProgramStats {
  batch: number;
  /** Nodes of the program's graph, the backward pass included. */
  nodes: number;
  /** The arena with buffer reuse, and what its values would take without. */
  plannedBytes: number;
  unplannedBytes: number;
  persistentBytes: number;
}

export function programStats(p: { batch: number; graph: Graph; layout: Layout }): ProgramStats {
  return { batch: p.batch, nodes: p.graph.nodes.length, ...planMemory(p.layout) };
}

/** The one line that reports a ProgramStats. */
export function programStatsLine(s: ProgramStats): string {
  return (
    `training program at batch ${s.batch}: ${s.nodes} nodes, plan ${formatBytes(s.plannedBytes)} ` +
    `(${formatBytes(s.unplannedBytes)} without buffer reuse), ${formatBytes(s.persistentBytes)} persistent`
  );
}

/** Multiply-adds of one matmul (plain or fused) or conv2d node for its whole batch; 0 for other ops. */
function nodeMacs(graph: Graph, n: Node): number {
  if (n.op === 'matmul' || n.op === 'matmul_bias_act') {
    // Output [...lead, m, n]; the inner size is the contracted axis of input a.
    const a = graph.nodes[n.inputs[0]].shape;
    const k = n.attrs.transpose_a ? a[a.length - 2] : a[a.length - 1];
    return sizeOf(n.shape) * k;
  }
  if (n.op === 'rnn_seq' || n.op === 'lstm_seq' || n.op === 'gru_seq') {
    // Each step multiplies the state [B, H] by w_hh [H, G·H]: B·L·H·G·H (the input projection is a matmul of its own).
    const [B, L] = graph.nodes[n.inputs[0]].shape;
    const whh = graph.nodes[n.inputs[1]].shape;
    return B * L * whh[0] * whh[1];
  }
  if (n.op === 'conv2d') {
    // Output [N, F, OH, OW]; each output value takes C·KH·KW products of the kernel [F, C, KH, KW].
    const w = graph.nodes[n.inputs[1]].shape;
    return sizeOf(n.shape) * w[1] * w[2] * w[3];
  }
  return 0;
}

/** Whether a node or parameter name lies under `scope`. */
function inScope(name: string, scope: string): boolean {
  return name === scope || name.startsWith(scope + '/');
}

/**
 * Summarises a config: lays it out in evaluation mode at batch 1 (for shapes, parameters and
 * multiply-adds) and in training mode at `config.train.batch_size` (for the planned memory, which
 * must be within `opts.maxMemory`, by default half of this machine's memory).
 */
export function summarize(config: Config, dims: DataDims, locate: Locator, opts: Pick<BuildOptions, 'maxMemory'> = {}): ModelSummary {
  const evalProgram = layoutProgram(config, dims, 1, locate, 'eval');
  const batch = config.train.batch_size;
  // The training plan as it runs: optimised (fused epilogues, in-place elementwise ops).
  const trainOpts = { optimize: true, weighted: config.train.class_weights !== undefined };
  const trainProgram = layoutProgram(config, dims, batch, locate, 'train', trainOpts);
  const bound = opts.maxMemory ?? defaultMemoryBound();
  const optimizer = config.train.optimizer;
  checkMemory(trainProgram, { bound, optimizer, locate, rebuild: (b) => layoutProgram(config, dims, b, locate, 'train', trainOpts) });
  const need = memoryNeed(trainProgram, optimizer);
  const graph = evalProgram.graph;
  const params = evalProgram.params;

  // Parameters outside every layer scope (the graph form's named parameters) count towards the
  // first layer that reads them.
  const owner = new Map<string, number>();
  evalProgram.layers.forEach((l, i) => {
    for (const p of params) if (!owner.has(p.name) && inScope(p.name, l.scope)) owner.set(p.name, i);
  });
  const consumers = new Map<number, number>(); // node id of a free parameter → layer index
  evalProgram.layers.forEach((l, i) => {
    for (const n of graph.nodes) {
      if (!inScope(n.name, l.scope)) continue;
      for (const inp of n.inputs) if (!consumers.has(inp)) consumers.set(inp, i);
    }
  });
  for (const p of params) {
    if (owner.has(p.name)) continue;
    const id = graph.byName.get(p.name);
    const i = id === undefined ? undefined : consumers.get(id);
    if (i !== undefined) owner.set(p.name, i);
  }

  const layers: LayerSummary[] = evalProgram.layers.map((l, i) => ({
    scope: l.scope,
    type: l.type,
    outputShape: perSample(l, trainProgram.layers[i], batch, graph, trainProgram.graph),
    params: count(params, owner, i, 'param'),
    state: count(params, owner, i, 'state'),
    macs: graph.nodes.filter((n) => inScope(n.name, l.scope)).reduce((s, n) => s + nodeMacs(graph, n), 0) / evalProgram.batch,
    place: l.place,
  }));
  // Parameters no layer reads (unusual) still count in the totals.
  const total = (kind: ParamSpec['kind']) => params.filter((p) => p.kind === kind).reduce((s, p) => s + sizeOf(p.shape), 0);
  const totals = { params: total('param'), state: total('state'), macs: layers.reduce((s, l) => s + l.macs, 0) };
  const m = planMemory(trainProgram.layout);
  return {
    input: {
      shape: dims.sampleShape.slice(),
      ...(dims.tokens ? { vocab: dims.tokens.vocab } : {}),
      ...(dims.targetShape ? { labels: dims.targetShape.slice() } : {}),
    },
    layers,
    program: programStats(trainProgram),
    totals,
    memory: {
      batch,
      arenaBytes: m.plannedBytes,
      unplannedBytes: m.unplannedBytes,
      persistentBytes: m.persistentBytes,
      parameterBytes: (totals.params + totals.state) * 4,
      optimizerBytes: need.optimizer,
      tableBytes: need.tables,
      totalBytes: need.total,
      boundBytes: bound,
    },
  };
}

function count(params: readonly ParamSpec[], owner: ReadonlyMap<string, number>, layer: number, kind: ParamSpec['kind']): number {
  return params.filter((p) => p.kind === kind && owner.get(p.name) === layer).reduce((s, p) => s + sizeOf(p.shape), 0);
}

/**
 * A layer's output shape without the batch axis. The axis is the batch when it grows with the
 * batch (compared with the training program); at a training batch of 1 a leading 1 is taken to be it.
 */
function perSample(evalLayer: LayerInfo, trainLayer: LayerInfo | undefined, batch: number, evalGraph: Graph, trainGraph: Graph): number[] {
  const s = evalGraph.nodes[evalLayer.output].shape;
  if (s.length === 0) return [];
  const t = trainLayer ? trainGraph.nodes[trainLayer.output].shape : undefined;
  const batched = batch > 1 && t ? s[0] === 1 && t[0] === batch : s[0] === 1;
  return batched ? s.slice(1) : s.slice();
}
