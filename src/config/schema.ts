// The config schema: the single source of truth for what a dlf YAML file may say. Types come
// from z.infer, the JSON Schema (`dlf schema`) and docs/config.md are generated from it, and
// every key carries its documentation in `.describe()`.
import { z } from 'zod';

const positiveInt = z.number().int().positive();
// A decay rate of a moving average: 1 would never forget and makes Adam's bias correction divide by 0.
const decayRate = z.number().min(0).lt(1);

// ---------- initialisers ----------
export const InitSchema = z
  .union([
    z.enum(['zeros', 'ones', 'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal']),
    z.strictObject({
      type: z.literal('constant').describe('Every element has the same value.'),
      value: z.number().describe('The value of every element.'),
    }),
    z.strictObject({
      type: z.literal('normal').describe('Elements drawn from a normal distribution.'),
      mean: z.number().default(0).describe('Mean of the normal distribution.'),
      std: z.number().positive().default(0.05).describe('Standard deviation.'),
    }),
    z
      .strictObject({
        type: z.literal('uniform').describe('Elements drawn uniformly from [low, high).'),
        low: z.number().default(-0.05).describe('Lower bound.'),
        high: z.number().default(0.05).describe('Upper bound (greater than low).'),
      })
      .refine((u) => u.low < u.high, { message: 'must be greater than low', path: ['high'] }),
  ])
  .describe(
    'How a parameter is initialised: zeros, ones, glorot_uniform, glorot_normal, he_uniform, he_normal, ' +
      'or {type: constant, value}, {type: normal, mean, std}, {type: uniform, low, high}.',
  );
export type InitConfig = z.infer<typeof InitSchema>;

// ---------- layers (the list form of a model) ----------
export const ActivationName = z
  .enum(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'softmax', 'linear'])
  .describe('An activation function.');
export type Activation = z.infer<typeof ActivationName>;

const DenseLayer = z.strictObject({
  type: z.literal('dense').describe('A fully connected layer: y = x·w + b.'),
  units: positiveInt.describe('Number of outputs.'),
  activation: ActivationName.default('linear').describe('Activation applied to the output.'),
  use_bias: z.boolean().default(true).describe('Whether the layer adds a bias b.'),
  kernel_init: InitSchema.optional().describe('Initialiser of w (default glorot_uniform, he_uniform before relu).'),
  bias_init: InitSchema.default('zeros').describe('Initialiser of b.'),
});
const ActivationLayer = z.strictObject({
  type: z.literal('activation').describe('An activation on its own.'),
  activation: ActivationName.describe('Which activation.'),
  alpha: z.number().positive().optional().describe('Negative slope of leaky_relu (default 0.01).'),
});
export const LayerSchema = z
  .discriminatedUnion('type', [DenseLayer, ActivationLayer])
  .describe('One layer, chosen by its type.');
export type LayerConfig = z.infer<typeof LayerSchema>;

// ---------- the graph form of a model ----------
const ParamSchema = z
  .strictObject({
    shape: z.array(positiveInt).min(1).describe('Static shape of the parameter.'),
    init: InitSchema.default('zeros').describe('Initialiser of the parameter.'),
  })
  .describe('A trainable parameter.');
const GraphNodeSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, _)')
      .describe('Name of the node; later nodes refer to it.'),
    op: z.string().describe('A primitive op (see `dlf graph --ops`, e.g. matmul, add, relu).'),
    inputs: z
      .array(z.string())
      .min(1)
      .describe('Names of the inputs: `x` (the features), a parameter, or an earlier node.'),
    attrs: z.record(z.string(), z.unknown()).default({}).describe('Attributes of the op (e.g. axes, transpose_b).'),
  })
  .describe('A node: an op applied to named inputs.');
export const GraphModelSchema = z.strictObject({
  params: z.record(z.string(), ParamSchema).default({}).describe('Trainable parameters by name.'),
  nodes: z.array(GraphNodeSchema).min(1).describe('Nodes in order; the input `x` has shape [batch, features].'),
  output: z.string().describe('Name of the node that is the model output.'),
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

// ---------- data ----------
const SplitSchema = z.strictObject({
  validation: z.number().min(0).lt(1).default(0.2).describe('Fraction of rows held out for validation.'),
  shuffle: z.boolean().default(true).describe('Shuffle (seeded) before splitting.'),
});
const common = {
  split: SplitSchema.prefault({}).describe('Train/validation split.'),
  standardize: z
    .boolean()
    .default(true)
    .describe('Standardise features with mean and standard deviation fitted on the training split.'),
};
const CsvData = z.strictObject({
  source: z.literal('csv').describe('Read a CSV file with a header row.'),
  path: z.string().min(1).describe('Path of the CSV file, relative to the config file.'),
  features: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('Feature columns by name (default: every column but the label).'),
  label: z.string().describe('The label (target) column.'),
  task: z
    .enum(['classification', 'regression'])
    .default('classification')
    .describe('classification: labels are class names mapped to indices; regression: a numeric target.'),
  ...common,
});
const SyntheticData = z.strictObject({
  source: z.enum(['linear', 'xor', 'moons', 'spirals']).describe(
    'A built-in seeded generator: linear (y = 2x + 3 + noise, regression), xor, moons, spirals (classification).',
  ),
  samples: positiveInt.default(1000).describe('Number of samples generated.'),
  noise: z.number().min(0).default(0.1).describe('Standard deviation of the noise added.'),
  classes: z.number().int().min(2).default(3).describe('Number of arms (spirals only).'),
  ...common,
});
export const DataSchema = z.discriminatedUnion('source', [CsvData, SyntheticData]).describe('Where the data comes from.');
export type DataConfig = z.infer<typeof DataSchema>;

// ---------- training ----------
const SgdSchema = z.strictObject({
  type: z.literal('sgd').describe('Stochastic gradient descent.'),
  lr: z.number().positive().describe('Learning rate.'),
});
const AdamSchema = z.strictObject({
  type: z.literal('adam').describe('Adam with bias correction.'),
  lr: z.number().positive().default(0.001).describe('Learning rate.'),
  beta1: decayRate.default(0.9).describe('Decay of the first moment.'),
  beta2: decayRate.default(0.999).describe('Decay of the second moment.'),
  eps: z.number().positive().default(1e-8).describe('Added to the denominator.'),
});
export const OptimizerSchema = z.discriminatedUnion('type', [SgdSchema, AdamSchema]).describe('The optimizer.');
export type OptimizerConfig = z.infer<typeof OptimizerSchema>;

export const LossName = z
  .enum(['softmax_cross_entropy', 'sigmoid_binary_cross_entropy', 'mse'])
  .describe(
    'softmax_cross_entropy (integer class labels, model outputs logits), sigmoid_binary_cross_entropy ' +
      '(labels 0/1, one logit), or mse (regression).',
  );
export type LossConfig = z.infer<typeof LossName>;

const TrainSchema = z.strictObject({
  epochs: positiveInt.default(10).describe('Number of passes over the training split.'),
  batch_size: positiveInt.default(32).describe('Samples per step; the last partial batch is used.'),
  optimizer: OptimizerSchema.prefault({ type: 'adam' }),
  checkpoint: z
    .enum(['best', 'last', 'both'])
    .default('both')
    .describe('Which checkpoints to write each epoch (best by validation loss, last, or both).'),
});
export type TrainConfig = z.infer<typeof TrainSchema>;

export const ConfigSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, ., _ or -')
      .describe('Name of the run; the default output directory is `runs/<name>/<timestamp>`.'),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('Seed of every random choice.'),
    data: DataSchema,
    model: ModelSchema,
    loss: LossName.optional().describe('The loss (default: softmax_cross_entropy for classification, mse for regression).'),
    train: TrainSchema.prefault({}).describe('How to train.'),
  })
  .describe('A dlf config file.');

/** What the user wrote, after defaults. */
export type Config = z.infer<typeof ConfigSchema>;
