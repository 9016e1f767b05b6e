// Model builders: turn the `model` section of a config (a list of layers or an explicit graph)
// into graph nodes over the input `x` of shape [batch, ...sample shape], for training or for
// evaluation. Layers are plain functions that add nodes (compile/layers); parameters get
// deterministic names such as `layer0/dense/w`, or `<name>/w` for a named layer.
import type { GraphModelConfig, InitConfig, LayerConfig, ModelConfig } from '../config/schema.js';
import { ConfigError, ShapeError, type Place } from '../errors.js';
import type { GraphBuilder } from '../graph/builder.js';
import { OPS, PUBLIC_OPS, isOpName } from '../graph/ops/index.js';
import { closest } from '../suggest.js';
import type { DataDims } from '../data/dims.js';
import { encodeInputs } from './input.js';
import { LAYERS } from './layers/index.js';
import type { LayerCtx, Mode } from './layers/types.js';

export interface ParamSpec {
  readonly name: string;
  readonly shape: number[];
  readonly init: InitConfig;
  /** `param` is trained; `state` is kept and saved but not trained (running statistics). */
  readonly kind: 'param' | 'state';
  /** [fan_in, fan_out] for glorot/he initialisers, when the default reading of the shape is wrong. */
  readonly fans?: [number, number];
}

/** After a training step: state ← momentum·state + (1 − momentum)·value. */
export interface StateUpdate {
  readonly state: string;
  readonly value: number;
  readonly momentum: number;
}

/** Maps a config key path to its place in the YAML file. */
export type Locator = (path: (string | number)[]) => Place;

/** One layer (or graph node) as built: for summaries and drawings. */
export interface LayerInfo {
  /** The scope its nodes and parameters are named under, e.g. `layer0/dense`. */
  readonly scope: string;
  /** Layer type, or the op of a graph-form node. */
  readonly type: string;
  /** Its config key path: `model.layers.<i>`, `model.graph.nodes.<i>.layer` or, for an op, `model.graph.nodes.<i>`. */
  readonly key: (string | number)[];
  readonly place: Place;
  readonly output: number;
}

export interface BuiltModel {
  readonly output: number;
  readonly params: ParamSpec[];
  readonly stateUpdates: StateUpdate[];
  readonly layers: LayerInfo[];
}

/**
 * The model over input x. `data` tells what the layers may need of the data: `inputs`, for a table
 * with embedded columns, adds the input encoder (compile/input.ts) in front of the model; `tokens`
 * gives the padding mask of token ids (LayerCtx.mask) and the vocabulary size; `classes` the
 * number of classes (`units: classes`).
 */
export function buildModel(
  g: GraphBuilder,
  model: ModelConfig,
  x: number,
  locate: Locator,
  mode: Mode,
  data: Pick<DataDims, 'inputs' | 'tokens' | 'classes'> = {},
): BuiltModel {
  const { inputs, tokens } = data;
  const params: ParamSpec[] = [];
  const sharedNodes = new Map<string, number>();
  const shared = (key: string, build: () => number): number => {
    let id = sharedNodes.get(key);
    if (id === undefined) {
      id = g.rootScope('input', build);
      sharedNodes.set(key, id);
    }
    return id;
  };
  // 1 at a real token, 0 at padding (id 0), for layers whose sequence has the input's length.
  const tokenMask = (L: number) =>
    tokens && g.shapeOf(x)[1] === L ? shared('mask', () => g.apply('sub', [g.constant(1), g.apply('eq', [x, g.constant(0)])], {}, 'mask')) : undefined;
  const stateUpdates: StateUpdate[] = [];
  const layers: LayerInfo[] = [];
  const ctxAt = (place: Place): LayerCtx => ({
    g,
    mode,
    place,
    param(name, shape, init, fans) {
      const id = g.param(name, shape);
      params.push({ name: g.node(id).name, shape, init, kind: 'param', ...(fans ? { fans } : {}) });
      return id;
    },
    state(name, shape, init) {
      const id = g.state(name, shape);
      params.push({ name: g.node(id).name, shape, init, kind: 'state' });
      return id;
    },
    randomMask: (shape, keep, scale) => g.random(shape, keep, scale),
    updateState(stateNode, value, momentum) {
      stateUpdates.push({ state: g.node(stateNode).name, value, momentum });
    },
    mask: tokenMask,
    shared,
    classes: data.classes,
    vocab: tokens?.vocab,
  });
  if (inputs && inputs.embedded.length > 0) {
    const place = locate(['data', 'columns']);
    x = g.at(place, () => encodeInputs(ctxAt(place), x, inputs));
    layers.push({ scope: 'input', type: 'embedding', key: ['data', 'columns'], place, output: x });
  }
  const output = model.layers ? buildLayers(g, model.layers, x, locate, ctxAt, layers) : buildGraphForm(g, model.graph!, x, locate, ctxAt, params, layers);
  return { output, params, stateUpdates, layers };
}

function applyLayer(ctx: LayerCtx, layer: LayerConfig, inputs: number[]): number {
  const build = LAYERS[layer.type] as (c: LayerCtx, cfg: LayerConfig, ins: number[]) => number;
  return ctx.g.at(ctx.place, () => build(ctx, layer, inputs));
}

function buildLayers(g: GraphBuilder, layers: LayerConfig[], x: number, locate: Locator, ctxAt: (p: Place) => LayerCtx, info: LayerInfo[]): number {
  const named = new Map<string, number>([['x', x]]);
  let h = x;
  layers.forEach((layer, i) => {
    const place = locate(['model', 'layers', i]);
    const inputs = (layer.inputs ?? []).map((name, k) => {
      const id = named.get(name);
      if (id === undefined) {
        const near = closest(name, [...named.keys()]);
        throw new ShapeError(
          `input '${name}' is not x or an earlier named layer`,
          locate(['model', 'layers', i, 'inputs', k]),
          near ? `did you mean '${near}'?` : undefined,
        );
      }
      return id;
    });
    if (layer.name !== undefined && named.has(layer.name)) throw new ShapeError(`the layer name '${layer.name}' is already used`, place);
    const scope = layer.name ?? `layer${i}/${layer.type}`;
    h = g.scope(scope, () => applyLayer(ctxAt(place), layer, inputs.length ? inputs : [h]));
    info.push({ scope, type: layer.type, key: ['model', 'layers', i], place, output: h });
    if (layer.name !== undefined) named.set(layer.name, h);
  });
  return h;
}

/** A graph node may name a public op only: internal ops are made by autodiff and the optimiser. */
function checkPublicOp(op: string, place: Place): void {
  if (isOpName(op) && OPS[op].visibility === 'public') return;
  const listed = `public ops: ${PUBLIC_OPS.join(', ')}`;
  if (isOpName(op)) {
    const message = `'${op}' is an internal op (made by autodiff or the graph optimiser); a graph node may use a public op`;
    throw new ConfigError([{ place, message, hint: listed }]);
  }
  const near = closest(op, PUBLIC_OPS);
  throw new ConfigError([{ place, message: `unknown op '${op}'`, hint: near ? `did you mean '${near}'?` : listed }]);
}

function buildGraphForm(
  g: GraphBuilder,
  spec: GraphModelConfig,
  x: number,
  locate: Locator,
  ctxAt: (p: Place) => LayerCtx,
  params: ParamSpec[],
  info: LayerInfo[],
): number {
  const scope = new Map<string, number>([['x', x]]);
  for (const [name, p] of Object.entries(spec.params)) {
    const place = locate(['model', 'graph', 'params', name]);
    if (scope.has(name)) throw new ShapeError(`parameter '${name}' clashes with the input x`, place);
    scope.set(
      name,
      g.at(place, () => g.param(name, p.shape)),
    );
    params.push({ name, shape: [...p.shape], init: p.init, kind: 'param' });
  }
  spec.nodes.forEach((n, i) => {
    const place = { ...locate(['model', 'graph', 'nodes', i]), node: n.name };
    if (scope.has(n.name)) throw new ShapeError(`the name '${n.name}' is already used`, place);
    if (n.op !== undefined) checkPublicOp(n.op, { ...locate(['model', 'graph', 'nodes', i, 'op']), node: n.name });
    const inputs = n.inputs.map((name, k) => {
      const id = scope.get(name);
      if (id === undefined) {
        const near = closest(name, [...scope.keys()]);
        throw new ShapeError(
          `input '${name}' is not x, a parameter or an earlier node`,
          { ...locate(['model', 'graph', 'nodes', i, 'inputs', k]), node: n.name },
          near ? `did you mean '${near}'?` : undefined,
        );
      }
      return id;
    });
    const id = n.layer ? g.scope(n.name, () => applyLayer(ctxAt(place), n.layer!, inputs)) : g.at(place, () => g.apply(n.op as never, inputs, n.attrs, n.name));
    scope.set(n.name, id);
    const key = n.layer ? ['model', 'graph', 'nodes', i, 'layer'] : ['model', 'graph', 'nodes', i];
    info.push({ scope: n.name, type: n.layer ? n.layer.type : n.op!, key, place, output: id });
  });
  const out = scope.get(spec.output);
  if (out === undefined) {
    throw new ShapeError(`output '${spec.output}' is not a node`, locate(['model', 'graph', 'output']));
  }
  return out;
}
