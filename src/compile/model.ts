// Model builders: turn the `model` section of a config (a list of layers or an explicit graph)
// into graph nodes over an input `x` of shape [batch, features]. Layers are plain functions that
// add nodes; parameters get deterministic names such as `layer0/dense/w`.
import type { Activation, GraphModelConfig, InitConfig, LayerConfig, ModelConfig } from '../config/schema.js';
import { ShapeError, type Place } from '../errors.js';
import type { GraphBuilder } from '../graph/builder.js';
import { OPS, isOpName } from '../graph/ops/index.js';
import { closest } from '../suggest.js';

export interface ParamSpec {
  readonly name: string;
  readonly shape: number[];
  readonly init: InitConfig;
}

/** Maps a config key path to its place in the YAML file. */
export type Locator = (path: (string | number)[]) => Place;

export interface BuiltModel {
  readonly output: number;
  readonly params: ParamSpec[];
}

export function buildModel(g: GraphBuilder, model: ModelConfig, x: number, locate: Locator): BuiltModel {
  if (model.layers) return buildLayers(g, model.layers, x, locate);
  return buildGraphForm(g, model.graph!, x, locate);
}

function activate(g: GraphBuilder, act: Activation, h: number, alpha?: number): number {
  switch (act) {
    case 'linear':
      return h;
    case 'leaky_relu':
      return g.apply('leaky_relu', [h], { alpha: alpha ?? 0.01 });
    default:
      return g.apply(act, [h]);
  }
}

function buildLayers(g: GraphBuilder, layers: LayerConfig[], x: number, locate: Locator): BuiltModel {
  const params: ParamSpec[] = [];
  let h = x;
  layers.forEach((layer, i) => {
    const place = locate(['model', 'layers', i]);
    h = g.at(place, () =>
      g.scope(`layer${i}`, () => {
        if (layer.type === 'activation') return activate(g, layer.activation, h, layer.alpha);
        return g.scope('dense', () => {
          const inShape = g.shapeOf(h);
          if (inShape.length !== 2) {
            throw new ShapeError(`a dense layer needs input [batch, features], got [${inShape.join(', ')}]`, place);
          }
          const w = g.param('w', [inShape[1], layer.units]);
          const kernelInit: InitConfig = layer.kernel_init ?? (layer.activation === 'relu' ? 'he_uniform' : 'glorot_uniform');
          params.push({ name: g.node(w).name, shape: [inShape[1], layer.units], init: kernelInit });
          let y = g.apply('matmul', [h, w]);
          if (layer.use_bias) {
            const b = g.param('b', [layer.units]);
            params.push({ name: g.node(b).name, shape: [layer.units], init: layer.bias_init });
            y = g.apply('add', [y, b]);
          }
          return activate(g, layer.activation, y);
        });
      }),
    );
  });
  return { output: h, params };
}

function buildGraphForm(g: GraphBuilder, spec: GraphModelConfig, x: number, locate: Locator): BuiltModel {
  const params: ParamSpec[] = [];
  const scope = new Map<string, number>([['x', x]]);
  for (const [name, p] of Object.entries(spec.params)) {
    const place = locate(['model', 'graph', 'params', name]);
    if (scope.has(name)) throw new ShapeError(`parameter '${name}' clashes with the input x`, place);
    scope.set(name, g.at(place, () => g.param(name, p.shape)));
    params.push({ name, shape: [...p.shape], init: p.init });
  }
  spec.nodes.forEach((n, i) => {
    const place = locate(['model', 'graph', 'nodes', i]);
    if (scope.has(n.name)) throw new ShapeError(`the name '${n.name}' is already used`, { ...place, node: n.name });
    if (!isOpName(n.op)) {
      const ops = Object.keys(OPS);
      const near = closest(n.op, ops);
      throw new ShapeError(`unknown op '${n.op}'`, { ...locate(['model', 'graph', 'nodes', i, 'op']), node: n.name }, near ? `did you mean '${near}'?` : `ops: ${ops.join(', ')}`);
    }
    const inputs = n.inputs.map((name, k) => {
      const id = scope.get(name);
      if (id === undefined) {
        const near = closest(name, [...scope.keys()]);
        throw new ShapeError(`input '${name}' is not x, a parameter or an earlier node`, { ...locate(['model', 'graph', 'nodes', i, 'inputs', k]), node: n.name }, near ? `did you mean '${near}'?` : undefined);
      }
      return id;
    });
    scope.set(n.name, g.at(place, () => g.apply(n.op as never, inputs, n.attrs, n.name)));
  });
  const out = scope.get(spec.output);
  if (out === undefined) {
    throw new ShapeError(`output '${spec.output}' is not a node`, locate(['model', 'graph', 'output']));
  }
  return { output: out, params };
}
