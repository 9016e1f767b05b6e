// The list form of a model: layers applied in order. Every layer may have a `name` (its
// parameters are then named `<name>/w` rather than `layer<i>/<type>/w`) and `inputs` naming earlier
// layers (default: the previous layer; `x` is the model input), which is how residual and
// multi-input models are written in the list form.
import * as z from 'zod';
import { ActivationName, InitSchema, LIMITS, count, identifier } from './common.js';

const base = {
  name: identifier.optional().describe('Name of the layer: it names its parameters and lets later layers refer to it.'),
  inputs: z.array(identifier).min(1).optional().describe('Names of earlier layers (or `x`) this layer reads; default: the previous layer.'),
};

const Padding = z
  .union([z.enum(['same', 'valid']), z.number().int().min(0).max(LIMITS.window)])
  .describe(`same (output size = ceil(input / stride)), valid (no padding), or a number of zeros on each side (at most ${LIMITS.window}).`);

const size2 = z
  .union([count(LIMITS.window), z.tuple([count(LIMITS.window), count(LIMITS.window)])])
  .describe(`A size for both spatial axes, or [height, width]; each from 1 to ${LIMITS.window}.`);

const DenseLayer = z.strictObject({
  type: z.literal('dense').describe('A fully connected layer: y = x·w + b over the last axis.'),
  ...base,
  units: z
    .union([count(LIMITS.units), z.literal('classes')])
    .describe('Number of outputs, or `classes`: as many as the data has classes (for a language model, tokens in its vocabulary).'),
  activation: ActivationName.default('linear').describe('Activation applied to the output.'),
  use_bias: z.boolean().default(true).describe('Whether the layer adds a bias b.'),
  kernel_init: InitSchema.optional().describe('Initialiser of w (default glorot_uniform; he_uniform before relu).'),
  bias_init: InitSchema.default('zeros').describe('Initialiser of b.'),
});

const ActivationLayer = z.strictObject({
  type: z.literal('activation').describe('An activation on its own.'),
  ...base,
  activation: ActivationName.describe('Which activation.'),
  alpha: z.number().positive().optional().describe('Negative slope of leaky_relu (default 0.01).'),
});

const Conv2dLayer = z.strictObject({
  type: z.literal('conv2d').describe('2-D convolution over NCHW input [batch, channels, height, width].'),
  ...base,
  filters: count(LIMITS.filters).describe('Number of output channels.'),
  kernel_size: size2.describe('Kernel height and width.'),
  stride: size2.default(1).describe('Step between windows.'),
  padding: Padding.default('valid'),
  dilation: size2.default(1).describe('Spacing between kernel taps.'),
  activation: ActivationName.default('linear').describe('Activation applied to the output.'),
  use_bias: z.boolean().default(true).describe('Whether the layer adds a bias per output channel.'),
  kernel_init: InitSchema.optional().describe('Initialiser of w (default he_uniform before relu, else glorot_uniform).'),
  bias_init: InitSchema.default('zeros').describe('Initialiser of b.'),
});

const poolFields = {
  ...base,
  pool_size: size2.default(2).describe('Window height and width.'),
  stride: size2.optional().describe('Step between windows (default: pool_size).'),
  padding: Padding.default('valid'),
};
const MaxPoolLayer = z.strictObject({ type: z.literal('maxpool2d').describe('Maximum over windows (NCHW).'), ...poolFields });
const AvgPoolLayer = z.strictObject({
  type: z.literal('avgpool2d').describe('Mean over windows (NCHW); padded cells are not counted.'),
  ...poolFields,
});
const GlobalAvgPoolLayer = z.strictObject({
  type: z.literal('global_avg_pool2d').describe('Mean over height and width: [N, C, H, W] → [N, C].'),
  ...base,
});
const FlattenLayer = z.strictObject({
  type: z.literal('flatten').describe('Flattens every axis but the batch: [N, ...] → [N, features].'),
  ...base,
});
const DropoutLayer = z.strictObject({
  type: z.literal('dropout').describe('Zeroes a random fraction of values while training and scales the rest by 1/(1-rate); identity in evaluation.'),
  ...base,
  rate: z.number().min(0).lt(1).describe('Fraction of values dropped.'),
});
const BatchNormLayer = z.strictObject({
  type: z
    .literal('batchnorm')
    .describe('Batch normalisation over the batch (and spatial axes for NCHW input): batch statistics while training, running statistics in evaluation.'),
  ...base,
  momentum: decay().default(0.9).describe('Weight of the old running statistics in each update.'),
  eps: z.number().positive().default(1e-5).describe('Added to the variance.'),
});
const LayerNormLayer = z.strictObject({
  type: z.literal('layernorm').describe('Layer normalisation over the last axis, with a learnt scale and shift.'),
  ...base,
  eps: z.number().positive().default(1e-5).describe('Added to the variance.'),
});
const EmbeddingLayer = z.strictObject({
  type: z.literal('embedding').describe('Maps integer ids [N, L] (or [N]) to learnt vectors [N, L, dim].'),
  ...base,
  vocab: count(LIMITS.vocab).optional().describe('Number of distinct ids (ids are 0 .. vocab-1); default, for text data, the size of its vocabulary.'),
  dim: count(LIMITS.dim).describe('Size of each vector.'),
  init: InitSchema.default({ type: 'normal', mean: 0, std: 0.05 }).describe('Initialiser of the table.'),
});
/** The keys shared by rnn, lstm and gru (docs/recurrent.md). */
function recurrentLayer<T extends 'rnn' | 'lstm' | 'gru'>(type: T, what: string) {
  return z.strictObject({
    type: z
      .literal(type)
      .describe(
        `${what} over a sequence [batch, L, features] → [batch, L, units·directions], or [batch, units·directions] without return_sequences; the state is carried through padding.`,
      ),
    ...base,
    units: count(LIMITS.dim).describe('Size of the hidden state (H).'),
    num_layers: count(16).default(1).describe('Number of stacked layers; each reads the sequence the one before it returns.'),
    bidirectional: z
      .boolean()
      .default(false)
      .describe('Also run each layer from the last real token to the first and concatenate the two directions (forward first).'),
    return_sequences: z
      .boolean()
      .default(true)
      .describe(
        'Return every step [batch, L, units·directions]; false: the last state [batch, units·directions] (forward: at the last real token; backward: at position 0).',
      ),
    dropout: z.number().min(0).lt(1).default(0).describe('Dropout rate on the sequence between stacked layers, while training.'),
    init: InitSchema.optional().describe('Initialiser of every weight and bias (default: uniform in ±1/√units, as PyTorch).'),
  });
}
const RnnLayer = recurrentLayer('rnn', 'A tanh recurrent layer');
const LstmLayer = recurrentLayer('lstm', 'An LSTM layer');
const GruLayer = recurrentLayer('gru', 'A GRU layer');
const AddLayer = z.strictObject({
  type: z.literal('add').describe('Sum of two or more earlier layers of the same shape (residual connections).'),
  ...base,
  inputs: z.array(identifier).min(2).describe('The layers to add.'),
});
const ConcatLayer = z.strictObject({
  type: z.literal('concat').describe('Concatenation of earlier layers along an axis.'),
  ...base,
  inputs: z.array(identifier).min(2).describe('The layers to concatenate.'),
  axis: z
    .number()
    .int()
    .min(-LIMITS.rank)
    .max(LIMITS.rank - 1)
    .default(-1)
    .describe('Axis to join along (negative counts from the end; 1 = channels for NCHW).'),
});
const ReshapeLayer = z.strictObject({
  type: z.literal('reshape').describe('Reshapes each sample (the batch axis is kept).'),
  ...base,
  shape: z.array(z.number().int().min(-1).max(LIMITS.axis)).min(1).max(LIMITS.rank).describe('Shape of one sample; one size may be -1.'),
});

const AttentionLayer = z.strictObject({
  type: z
    .literal('attention')
    .describe(
      'Multi-head scaled dot-product self-attention over [batch, length, dim] with query, key, value and output projections; padded keys get no weight.',
    ),
  ...base,
  heads: count(LIMITS.dim).default(4).describe('Number of heads; must divide the input dim.'),
  causal: z.boolean().default(false).describe('Whether a position attends only to itself and earlier positions (a language model).'),
  dropout: z.number().min(0).lt(1).default(0).describe('Fraction of attention weights dropped while training.'),
  use_bias: z.boolean().default(true).describe('Whether the four projections add a bias.'),
});
const PositionalEmbeddingLayer = z.strictObject({
  type: z.literal('positional_embedding').describe('Adds a vector per position to [batch, length, dim].'),
  ...base,
  encoding: z
    .enum(['learned', 'sinusoidal'])
    .default('learned')
    .describe('learned: a trained table [length, dim]; sinusoidal: the fixed sine and cosine table of the original transformer.'),
  init: InitSchema.default({ type: 'normal', mean: 0, std: 0.02 }).describe('Initialiser of the learned table.'),
});
const TransformerBlockLayer = z.strictObject({
  type: z
    .literal('transformer_block')
    .describe('A pre-norm transformer block over [batch, length, dim]: x + drop(attention(ln1(x))), then x + drop(mlp(ln2(x))).'),
  ...base,
  heads: count(LIMITS.dim).default(4).describe('Number of attention heads; must divide the input dim.'),
  ff_units: count(LIMITS.units).optional().describe('Hidden units of the MLP (dense relu, then dense back to dim); default 4·dim.'),
  dropout: z.number().min(0).lt(1).default(0).describe('Dropout on the attention weights and on both residual branches while training.'),
  causal: z.boolean().default(false).describe('Whether a position attends only to itself and earlier positions.'),
  eps: z.number().positive().default(1e-5).describe('Added to the variance in both layer normalisations.'),
});
const SequencePoolLayer = z.strictObject({
  type: z.literal('sequence_pool').describe('Pools [batch, length, dim] over the length to [batch, dim], leaving padding out.'),
  ...base,
  mode: z.enum(['mean', 'max', 'last']).default('mean').describe('mean or max over the real positions, or the last real position.'),
});

function decay() {
  return z.number().min(0).lt(1);
}

export const LayerSchema = z
  .discriminatedUnion('type', [
    DenseLayer,
    ActivationLayer,
    Conv2dLayer,
    MaxPoolLayer,
    AvgPoolLayer,
    GlobalAvgPoolLayer,
    FlattenLayer,
    DropoutLayer,
    BatchNormLayer,
    LayerNormLayer,
    EmbeddingLayer,
    AddLayer,
    ConcatLayer,
    ReshapeLayer,
    RnnLayer,
    LstmLayer,
    GruLayer,
    AttentionLayer,
    PositionalEmbeddingLayer,
    TransformerBlockLayer,
    SequencePoolLayer,
  ])
  .describe('One layer, chosen by its type.');
export type LayerConfig = z.infer<typeof LayerSchema>;
export type LayerOf<T extends LayerConfig['type']> = Extract<LayerConfig, { type: T }>;
