// The model section: a list of layers, or an explicit graph of named nodes over named parameters.
import * as z from 'zod';
import { InitSchema, LIMITS, count, identifier } from './common.js';
import { LayerSchema } from './layers.js';

const ParamSchema = z
  .strictObject({
    shape: z.array(count(LIMITS.axis)).min(1).max(LIMITS.rank).describe('Static shape of the parameter.'),
    init: InitSchema.default('zeros').describe('Initialiser of the parameter.'),
  })
  .describe('A trainable parameter.');

const GraphNodeSchema = z
  .strictObject({
    name: identifier.describe('Name of the node; later nodes refer to it.'),
    op: z.string().max(LIMITS.name).optional().describe('A primitive op (see `dlf graph --ops`, e.g. matmul, add, relu).'),
    layer: LayerSchema.optional().describe('A layer instead of an op (its parameters are named `<name>/...`).'),
    inputs: z.array(z.string().max(LIMITS.name)).min(1).describe('Names of the inputs: `x` (the features), a parameter, or an earlier node.'),
    attrs: z.record(z.string(), z.unknown()).default({}).describe('Attributes of the op (e.g. axes, transpose_b).'),
  })
  .refine((n) => (n.op === undefined) !== (n.layer === undefined), { message: 'give exactly one of op or layer' })
  .describe('A node: an op or a layer applied to named inputs.');

const GraphModelSchema = z.strictObject({
  params: z.record(z.string().max(LIMITS.name), ParamSchema).default({}).describe('Trainable parameters by name.'),
  nodes: z.array(GraphNodeSchema).min(1).describe('Nodes in order; the input `x` has shape [batch, ...sample shape].'),
  output: z.string().max(LIMITS.name).describe('Name of the node that is the model output.'),
});
export type GraphModelConfig = z.infer<typeof GraphModelSchema>;

export const ModelSchema = z
  .strictObject({
    layers: z.array(LayerSchema).min(1).optional().describe('The list form: layers applied in order.'),
    graph: GraphModelSchema.optional().describe('The graph form: named parameters and nodes.'),
  })
  .refine((m) => (m.layers === undefined) !== (m.graph === undefined), {
    message: 'give exactly one of model.layers or model.graph',
  })
  .describe('The model: give exactly one of `layers` (a list of layers) or `graph` (an explicit graph).');
export type ModelConfig = z.infer<typeof ModelSchema>;
