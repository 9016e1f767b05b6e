// Small schema pieces shared by the sections of the config schema.
import * as z from 'zod';

/**
 * Upper bounds of config values. Each is far above what a model trained on a CPU uses, and low
 * enough that a slip (a value 1000 times too large) is refused at its line instead of running
 * until killed or failing to allocate; the memory check of compiling bounds what they add up to.
 */
export const LIMITS = {
  /** train.epochs, and the epoch counts of schedules and patiences. */
  epochs: 1_000_000,
  /** train.batch_size. */
  batch: 1_000_000,
  /** Updates: warmup steps. */
  steps: 1_000_000_000,
  /** dense units. */
  units: 1_000_000,
  /** conv2d filters. */
  filters: 65_536,
  /** Kernel and pool sizes, strides, dilations and padding: per spatial axis. */
  window: 1_024,
  /** embedding vocab (rows of the table). */
  vocab: 10_000_000,
  /** embedding dim. */
  dim: 65_536,
  /** One axis of a shape written in the config (parameters, reshape). */
  axis: 1_000_000_000,
  /** Axes of a shape written in the config. */
  rank: 8,
  /** Tokens per sample of a sequence (data.length of text and of the built-in sequence tasks). */
  sequence: 1_000_000,
  /** Samples of a built-in generator. */
  samples: 10_000_000,
  /** Digits of each number of the addition task. */
  digits: 100,
  /** top_k of top_k_accuracy, and the classes (arms) of the spirals generator. */
  classes: 10_000,
  /** Run, layer, node and parameter names (a run name is a directory name). */
  name: 100,
  /** File and folder paths (Linux's PATH_MAX). */
  path: 4_096,
  /** Other text: column and class names, metric names, name patterns. */
  text: 1_000,
} as const;

/** A whole number from 1 to `max`. */
export const count = (max: number) => z.number().int().positive().max(max);
/** A name: a run, layer, graph node or parameter; it becomes part of parameter and node names. */
export const identifier = z
  .string()
  .max(LIMITS.name)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, _)');
/** A file or folder path. */
export const pathString = z.string().min(1).max(LIMITS.path);
/** Short text: a column, class or metric name, a pattern. */
export const text = z.string().max(LIMITS.text);
// A decay rate of a moving average: 1 would never forget and makes Adam's bias correction divide by 0.
export const decayRate = z.number().min(0).lt(1);

export const InitSchema = z
  .union([
    z.enum([
      'zeros',
      'ones',
      'glorot_uniform',
      'glorot_normal',
      'xavier_uniform',
      'xavier_normal',
      'he_uniform',
      'he_normal',
      'kaiming_uniform',
      'kaiming_normal',
    ]),
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
    'How a parameter is initialised: zeros, ones, glorot_uniform, glorot_normal (alias xavier_*), ' +
      'he_uniform, he_normal (alias kaiming_*), or {type: constant, value}, {type: normal, mean, std}, ' +
      '{type: uniform, low, high}.',
  );
export type InitConfig = z.infer<typeof InitSchema>;

export const ActivationName = z.enum(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'softmax', 'linear']).describe('An activation function.');
export type Activation = z.infer<typeof ActivationName>;
