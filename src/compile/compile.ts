// Compiling a config: model graph, loss, backward pass appended by autodiff, and the plan that
// runs them. Everything is shape-checked here, before any data is read. Graphs are static, so a
// program is made per batch size (the full batch and the last partial one) and per mode
// (training: dropout masks, batch statistics and the backward pass; evaluation: forward only).
// A program is laid out first, and its memory checked (compile/memory.ts) before its plan is
// prepared: nothing large is allocated for a model that would not fit.
import type { Config, LossConfig } from '../config/schema.js';
import type { DataDims } from '../data/dims.js';
import { type BackwardTrace, appendBackwardTraced } from '../graph/autodiff.js';
import { GraphBuilder } from '../graph/builder.js';
import type { Mode } from './layers/types.js';
import { checkLossAgreement, lossOf } from './agree.js';
import { buildLoss } from './loss.js';
import { checkMemory, defaultMemoryBound } from './memory.js';
import type { Program, ProgramLayout } from './program.js';
import { type LayerInfo, type Locator, type ParamSpec, buildModel } from './model.js';
import { optimizeGraph } from './optimize.js';
import { layoutGraph, prepareLayout } from './plan.js';

export type { Mode };

export type { Program, ProgramLayout };

export interface CompiledModel {
  /** Trainable parameters and state tensors, in a fixed order. */
  readonly params: readonly ParamSpec[];
  readonly loss: LossConfig;
  /** The training batch size, whose training program is built when compiling. */
  readonly batch: number;
  program(batch: number, mode: Mode): Program;
  /**
   * The program as built, before the optimiser: every primitive that the layers and autodiff
   * made, with its backward trace in training. Made anew on each call (for inspection, not for
   * training), within the same memory bound.
   */
  asBuilt(batch: number, mode: Mode): Program & { readonly layers: readonly LayerInfo[] };
}

export interface BuildOptions {
  /**
   * Run the graph optimiser (compile/optimize.ts: fused matmul + bias + relu, fused relu
   * gradient) before planning. Off by default here, so that a program is the graph as built;
   * compileModel, which makes the programs that train and evaluate, turns it on.
   */
  readonly optimize?: boolean;
  /**
   * Bytes the program may need in all (parameters, optimizer slots, the plan's buffers and tables;
   * see compile/memory.ts); default: half of this machine's memory (defaultMemoryBound).
   */
  readonly maxMemory?: number;
  /** A weight per class index (two for a sigmoid loss) making the loss a weighted mean (compile/loss.ts). */
  readonly classWeights?: readonly number[];
  /**
   * Lay the loss out weighted even without classWeights (all weights 1): the program then has the
   * nodes and buffers of a run with train.class_weights, whose values only the data can tell.
   */
  readonly weighted?: boolean;
}

/**
 * Builds the whole graph for one batch size and mode, checks that its memory is within the bound
 * (a ConfigError at the responsible key when not), and prepares its plan.
 */
export function buildProgram(
  config: Config,
  dims: DataDims,
  batch: number,
  locate: Locator,
  mode: Mode = 'train',
  opts: BuildOptions = {},
): Program & { params: ParamSpec[]; layers: LayerInfo[] } {
  const { layout, ...parts } = layoutProgram(config, dims, batch, locate, mode, opts);
  checkMemory(
    { ...parts, layout },
    {
      bound: opts.maxMemory ?? defaultMemoryBound(),
      optimizer: config.train.optimizer,
      locate,
      rebuild: (b) => layoutProgram(config, dims, b, locate, mode, opts),
    },
  );
  return { ...parts, plan: prepareLayout(layout) };
}

/** Builds the whole graph for one batch size and mode and lays out its buffers, allocating none of them. */
export function layoutProgram(config: Config, dims: DataDims, batch: number, locate: Locator, mode: Mode = 'train', opts: BuildOptions = {}): ProgramLayout {
  const g = new GraphBuilder();
  const x = g.input('x', [batch, ...dims.sampleShape]);
  const model = buildModel(g, config.model, x, locate, mode, dims);
  const out = g.shapeOf(model.output);
  // The output's classes axis: [batch, n], or [batch, ...targetShape, n] with a label per token.
  const rank = 2 + (dims.targetShape?.length ?? 0);
  const width = out.length === rank ? out[rank - 1] : undefined;
  checkLossAgreement(config, dims, width, locate);
  const loss = lossOf(config, dims.task, width);
  const lossPlace = config.model.layers ? locate(['model', 'layers', config.model.layers.length - 1]) : locate(['model', 'graph', 'output']);
  const weights =
    opts.classWeights ??
    (opts.weighted && loss !== 'mse' && !dims.targetShape ? new Array<number>(loss === 'softmax_cross_entropy' ? (width ?? 1) : 2).fill(1) : undefined);
  const built = buildLoss(g, loss, model.output, batch, dims.classes, lossPlace, weights, dims.targetShape);
  const grads = new Map<string, number>();
  let trace: BackwardTrace | undefined;
  if (mode === 'train') {
    const trainable = model.params.filter((p) => p.kind === 'param');
    const { grads: gradById, ...traced } = appendBackwardTraced(
      g,
      built.loss,
      trainable.map((p) => g.graph.byName.get(p.name)!),
    );
    trace = traced;
    for (const p of trainable) {
      // A parameter the loss does not depend on gets a zero gradient.
      grads.set(p.name, gradById.get(g.graph.byName.get(p.name)!) ?? g.constant(0, p.shape));
    }
  }
  const outputs = [model.output, built.loss, ...grads.values(), ...model.stateUpdates.map((u) => u.value)];
  const o = opts.optimize ? optimizeGraph(g.graph, outputs) : undefined;
  const id = o ? (old: number) => o.idOf(old) : (old: number) => old;
  const graph = o ? o.graph : g.graph;
  return {
    batch,
    mode,
    graph,
    x: id(x),
    y: id(built.y),
    output: id(model.output),
    loss: id(built.loss),
    lossName: loss,
    grads: new Map([...grads].map(([name, gid]) => [name, id(gid)])),
    stateUpdates: model.stateUpdates.map((u) => ({ ...u, value: id(u.value) })),
    ...(trace && !o ? { backward: trace } : {}),
    layout: layoutGraph(graph, outputs.map(id)),
    params: model.params,
    layers: model.layers.map((l) => ({ ...l, output: id(l.output) })),
  };
}

/** Compiles (and so shape-checks) the config at its batch size; other programs on demand. */
export function compileModel(config: Config, dims: DataDims, locate: Locator, opts: BuildOptions = { optimize: true }): CompiledModel {
  const first = buildProgram(config, dims, config.train.batch_size, locate, 'train', opts);
  const programs = new Map<string, Program>([[`train:${first.batch}`, first]]);
  return {
    params: first.params,
    loss: first.lossName,
    batch: first.batch,
    program(batch: number, mode: Mode): Program {
      const key = `${mode}:${batch}`;
      let p = programs.get(key);
      if (!p) {
        p = buildProgram(config, dims, batch, locate, mode, opts);
        programs.set(key, p);
      }
      return p;
    },
    asBuilt: (batch, mode) => buildProgram(config, dims, batch, locate, mode, { ...opts, optimize: false }),
  };
}
