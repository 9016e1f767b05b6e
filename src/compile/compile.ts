// Compiling a config: model graph, loss, backward pass appended by autodiff, and the plans that
// run them. Everything is shape-checked here, before any data is read. Graphs are static, so a
// program is made per batch size (the full batch and the last partial one) and kept.
import type { Config, LossConfig } from '../config/schema.js';
import type { DataDims } from '../data/dims.js';
import { appendBackward } from '../graph/autodiff.js';
import { type Graph, GraphBuilder } from '../graph/builder.js';
import { buildLoss } from './loss.js';
import { type Locator, type ParamSpec, buildModel } from './model.js';
import { type Plan, planGraph } from './plan.js';


export interface Program {
  readonly batch: number;
  readonly graph: Graph;
  readonly x: number;
  readonly y: number;
  readonly output: number;
  readonly loss: number;
  /** Gradient node of each parameter, by parameter name. */
  readonly grads: ReadonlyMap<string, number>;
  /** Forward and backward: computes the output, the loss and every gradient. */
  readonly train: Plan;
  /** Forward only: the output and the loss. */
  readonly eval: Plan;
}

export interface CompiledModel {
  readonly params: readonly ParamSpec[];
  readonly loss: LossConfig;
  program(batch: number): Program;
}

export function lossOf(config: Config, task: DataDims['task']): LossConfig {
  return config.loss ?? (task === 'classification' ? 'softmax_cross_entropy' : 'mse');
}

/** Builds the whole graph for one batch size: forward, loss, backward. */
export function buildProgram(config: Config, dims: DataDims, batch: number, locate: Locator): Program & { params: ParamSpec[] } {
  const g = new GraphBuilder();
  const x = g.input('x', [batch, dims.features]);
  const model = buildModel(g, config.model, x, locate);
  const loss = lossOf(config, dims.task);
  const lossPlace = config.model.layers
    ? locate(['model', 'layers', config.model.layers.length - 1])
    : locate(['model', 'graph', 'output']);
  const built = buildLoss(g, loss, model.output, batch, dims.classes, lossPlace);
  const paramIds = model.params.map((p) => g.graph.byName.get(p.name)!);
  const gradById = appendBackward(g, built.loss, paramIds);
  const grads = new Map<string, number>();
  for (const p of model.params) {
    const id = g.graph.byName.get(p.name)!;
    const gid = gradById.get(id);
    // A parameter the loss does not depend on gets a zero gradient node (and a clear place in plans).
    grads.set(p.name, gid ?? g.constant(0, p.shape));
  }
  const outputs = [model.output, built.loss];
  return {
    batch,
    graph: g.graph,
    x,
    y: built.y,
    output: model.output,
    loss: built.loss,
    grads,
    train: planGraph(g.graph, [...outputs, ...grads.values()]),
    eval: planGraph(g.graph, outputs),
    params: model.params,
  };
}

/** Compiles (and so shape-checks) the config at its batch size; other batch sizes on demand. */
export function compileModel(config: Config, dims: DataDims, locate: Locator): CompiledModel {
  const first = buildProgram(config, dims, config.train.batch_size, locate);
  const programs = new Map<number, Program>([[first.batch, first]]);
  return {
    params: first.params,
    loss: lossOf(config, dims.task),
    program(batch: number): Program {
      let p = programs.get(batch);
      if (!p) {
        p = buildProgram(config, dims, batch, locate);
        programs.set(batch, p);
      }
      return p;
    },
  };
}
