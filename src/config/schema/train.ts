// The train section: loss, optimizer, penalties, clipping, learning-rate schedule, early stopping,
// checkpoints and metrics.
import * as z from 'zod';
import { LIMITS, count, decayRate, text } from './common.js';

// Two overloads, not one function returning a union: the union would hide that a default makes the key optional.
function lr(): z.ZodNumber;
function lr(d: number): z.ZodDefault<z.ZodNumber>;
function lr(d?: number): z.ZodNumber | z.ZodDefault<z.ZodNumber> {
  return d === undefined ? z.number().positive() : z.number().positive().default(d);
}
const eps = (d: number) => z.number().positive().default(d).describe('Added to the denominator.');

const SgdSchema = z.strictObject({
  type: z.literal('sgd').describe('Stochastic gradient descent, optionally with (Nesterov) momentum.'),
  lr: lr().describe('Learning rate.'),
  momentum: decayRate.default(0).describe('Momentum factor (0 = plain SGD).'),
  nesterov: z.boolean().default(false).describe('Nesterov momentum (with momentum 0 this is plain SGD).'),
});
const AdaGradSchema = z.strictObject({
  type: z.literal('adagrad').describe('AdaGrad: per-element steps scaled by the root of the summed squared gradients.'),
  lr: lr(0.01).describe('Learning rate.'),
  eps: eps(1e-10),
  initial_accumulator: z.number().min(0).default(0).describe('Starting value of the sum of squares.'),
});
const RmsPropSchema = z.strictObject({
  type: z.literal('rmsprop').describe('RMSProp: steps scaled by a moving root mean square of the gradients.'),
  lr: lr(0.001).describe('Learning rate.'),
  rho: decayRate.default(0.9).describe('Decay of the mean square.'),
  eps: eps(1e-8),
  momentum: decayRate.default(0).describe('Momentum factor.'),
});
const adamFields = {
  lr: lr(0.001).describe('Learning rate.'),
  beta1: decayRate.default(0.9).describe('Decay of the first moment.'),
  beta2: decayRate.default(0.999).describe('Decay of the second moment.'),
  eps: eps(1e-8),
};
const AdamSchema = z.strictObject({ type: z.literal('adam').describe('Adam with bias correction.'), ...adamFields });
const AdamWSchema = z.strictObject({
  type: z.literal('adamw').describe('Adam with decoupled weight decay (w -= lr·weight_decay·w each step).'),
  ...adamFields,
  weight_decay: z.number().min(0).default(0.01).describe('Decoupled weight decay factor.'),
});
export const OptimizerSchema = z.discriminatedUnion('type', [SgdSchema, AdaGradSchema, RmsPropSchema, AdamSchema, AdamWSchema]).describe('The optimizer.');
export type OptimizerConfig = z.infer<typeof OptimizerSchema>;

export const LossName = z
  .enum(['softmax_cross_entropy', 'sigmoid_binary_cross_entropy', 'mse'])
  .describe(
    'softmax_cross_entropy (integer class labels, model outputs logits), sigmoid_binary_cross_entropy ' + '(labels 0/1, one logit), or mse (regression).',
  );
export type LossConfig = z.infer<typeof LossName>;

const RegularizationSchema = z.strictObject({
  l1: z.number().min(0).default(0).describe('L1 penalty factor: adds l1·Σ|w| to the loss.'),
  l2: z.number().min(0).default(0).describe('L2 penalty factor: adds l2/2·Σw² to the loss (weight decay for SGD).'),
  exclude: z
    .array(text)
    .default(['*/b', '*/beta', '*/gamma'])
    .describe(
      'Parameters the penalties and AdamW decay skip, as patterns matched against the whole parameter name: `*` matches ' +
        'within a name part (no `/`), `**` across parts, and a leading `*/` (or `**/`) means at any depth, so `*/b` matches ' +
        '`b`, `dense_0/b` and `block/conv/b` but not `dense_0/bias`; default: biases and norm shifts/scales.',
    ),
});

const ClipSchema = z.strictObject({
  norm: z.number().positive().optional().describe('Rescale all gradients together when their global L2 norm exceeds this.'),
  value: z.number().positive().optional().describe('Clip every gradient element to [-value, value].'),
});

const Warmup = {
  warmup_steps: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.steps)
    .default(0)
    .describe('Updates of linear warmup: update s (from 0) uses the scheduled lr times (s+1)/warmup_steps while s < warmup_steps.'),
};
const ScheduleSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('constant').describe('The optimizer lr throughout.'), ...Warmup }),
    z.strictObject({
      type: z.literal('step').describe('lr · gamma^floor(epoch / step_epochs).'),
      step_epochs: count(LIMITS.epochs).describe('Epochs between decays.'),
      gamma: z.number().positive().default(0.1).describe('Decay factor.'),
      ...Warmup,
    }),
    z.strictObject({
      type: z.literal('multistep').describe('lr · gamma^(number of milestones passed).'),
      milestones: z.array(count(LIMITS.epochs)).min(1).describe('Epochs at which lr decays.'),
      gamma: z.number().positive().default(0.1).describe('Decay factor.'),
      ...Warmup,
    }),
    z.strictObject({
      type: z.literal('exponential').describe('lr · gamma^epoch.'),
      gamma: z.number().positive().describe('Decay per epoch.'),
      ...Warmup,
    }),
    z.strictObject({
      type: z.literal('cosine').describe('Cosine decay from lr to min_lr over the run (per update).'),
      min_lr: z.number().min(0).default(0).describe('Final learning rate.'),
      ...Warmup,
    }),
    z.strictObject({
      type: z
        .literal('onecycle')
        .describe(
          'One cycle over the run (cosine both ways): up from max_lr/div_factor to max_lr, then down to ' +
            'max_lr/div_factor/final_div_factor; the optimizer lr is not used.',
        ),
      max_lr: z.number().positive().describe('Peak learning rate.'),
      pct_start: z.number().gt(0).lt(1).default(0.3).describe('Fraction of the steps spent rising.'),
      div_factor: z.number().positive().default(25).describe('Start lr = max_lr / div_factor.'),
      final_div_factor: z.number().positive().default(1e4).describe('End lr = start lr / final_div_factor.'),
    }),
    z.strictObject({
      type: z.literal('plateau').describe('Reduce on plateau: multiply lr by factor when the metric stops improving.'),
      metric: text.default('val.loss').describe('Metric watched, e.g. val.loss or val.accuracy (train.loss by default when data.split.validation is 0).'),
      mode: z.enum(['min', 'max']).optional().describe('Whether lower or higher is better (default: min for loss, perplexity, mse, mae, rmse; max otherwise).'),
      factor: z.number().gt(0).lt(1).default(0.1).describe('Factor applied to lr.'),
      patience: z
        .number()
        .int()
        .min(0)
        .max(LIMITS.epochs)
        .default(5)
        .describe('Epochs without improvement before reducing (0 reduces after every epoch without improvement).'),
      min_lr: z.number().min(0).default(0).describe('Lower bound of lr.'),
      min_delta: z.number().min(0).default(0).describe('Smallest change that counts as an improvement.'),
      ...Warmup,
    }),
  ])
  .describe('Learning-rate schedule; its value is a pure function of the step (plateau also of past metrics).');
export type ScheduleConfig = z.infer<typeof ScheduleSchema>;

const MetricSelector = {
  metric: text
    .default('val.loss')
    .describe(
      'The metric: train.<m> or val.<m>, e.g. val.loss, val.accuracy, val.f1 (train.loss by default when data.split.validation is 0, where a val.* metric is an error).',
    ),
  mode: z.enum(['min', 'max']).optional().describe('Whether lower or higher is better (default: min for loss, perplexity, mse, mae, rmse; max otherwise).'),
};

const EarlyStoppingSchema = z.strictObject({
  ...MetricSelector,
  patience: count(LIMITS.epochs).default(5).describe('Evaluations without improvement before stopping.'),
  min_delta: z.number().min(0).default(0).describe('Smallest change that counts as an improvement.'),
});

export const MetricName = z
  .enum(['accuracy', 'top_k_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'pr_auc', 'perplexity', 'mse', 'mae', 'rmse', 'r2'])
  .describe(
    'A metric: accuracy, top_k_accuracy, precision, recall, f1 (macro), roc_auc and pr_auc (average precision; two classes ' +
      'only, class 1 positive), perplexity (exp of the mean cross-entropy), mse, mae, rmse, r2. With a label per token, accuracy, ' +
      'top_k_accuracy and perplexity count the real tokens (padding left out); precision, recall, f1, roc_auc and pr_auc do not apply.',
  );
export type MetricNameT = z.infer<typeof MetricName>;

/** Seconds between checkpoint writes when `train.checkpoint_interval` is not set. */
export const CHECKPOINT_INTERVAL_DEFAULT = 30;

export const TrainSchema = z.strictObject({
  epochs: z
    .number()
    .int()
    .min(0)
    .max(LIMITS.epochs)
    .default(10)
    .describe('Number of passes over the training split; 0 writes the initialised model as checkpoints/last.json (epoch 0) without training.'),
  // Optional rather than defaulted, like threshold below, so that the hash of older runs stays as it was.
  shuffle: z
    .boolean()
    .optional()
    .describe(
      'Shuffle the training split (seeded) before each epoch (default true); false takes its rows in the same order every ' +
        "epoch, the order the split left them in: the file's order only when `data.split.shuffle` is false too.",
    ),
  batch_size: count(LIMITS.batch).default(32).describe('Samples per step; the last partial batch is used.'),
  optimizer: OptimizerSchema.prefault({ type: 'adam' }),
  schedule: ScheduleSchema.prefault({ type: 'constant' }),
  regularization: RegularizationSchema.prefault({}).describe('L1/L2 penalties and which parameters they skip.'),
  clip: ClipSchema.prefault({}).describe('Gradient clipping (by global norm, by value, or both: value first).'),
  early_stopping: EarlyStoppingSchema.optional().describe('Stop when a metric has not improved for `patience` epochs.'),
  best: z.strictObject(MetricSelector).prefault({}).describe('Metric that picks the best checkpoint.'),
  metrics: z
    .array(MetricName)
    .optional()
    .describe(
      'Metrics logged each epoch besides the loss (default: accuracy for classification, with perplexity for a label per token; mse, mae for regression).',
    ),
  // Optional, not defaulted: the default depends on the number of classes, which the data tells.
  top_k: count(LIMITS.classes).optional().describe('k of top_k_accuracy: below the number of classes (default min(5, classes - 1), at least 1).'),
  // threshold and class_weights are optional rather than defaulted, so that the hash of runs saved
  // before they existed stays as it was.
  threshold: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .describe(
      'Two classes: the probability of the positive class (class 1; for CSV data the second class name in sorted order) above which a ' +
        'sample is predicted positive, for accuracy, precision, recall, f1 and the confusion matrix in training and `dlf eval` ' +
        '(default 0.5; `dlf eval --threshold` and `dlf predict --threshold` override it), and for the `prediction` of `dlf predict`. ' +
        'A config error with more than two classes.',
    ),
  class_weights: z
    .union([
      z.literal('balanced').describe('n_samples / (n_classes · count of the class), counted on the training split.'),
      z.record(text, z.number().positive().max(1e6)).describe('A weight per class name; classes not named weigh 1.'),
    ])
    .optional()
    .describe(
      'Classification: weigh each sample of the loss by its class (softmax and sigmoid cross-entropy); the loss is the weighted mean ' +
        'Σ w·loss / Σ w over a batch. The weights a run uses are recorded in class_weights.json and metrics.json.',
    ),
  checkpoint: z.enum(['best', 'last', 'both']).default('both').describe('Which checkpoints to write (best by `best.metric`, last, or both).'),
  // Optional rather than defaulted: a default would enter every config's hash and make runs
  // written before this key existed impossible to resume.
  checkpoint_interval: z
    .number()
    .min(0)
    .optional()
    .describe(
      `Seconds between checkpoint writes while training (default ${CHECKPOINT_INTERVAL_DEFAULT}; 0 writes after every epoch): after an epoch, ` +
        'last.json and best.json are written when this long has passed since the last write. They are always written when ' +
        'training ends, pauses (--stop-after), is interrupted (Ctrl-C, SIGTERM) or fails, so the interval bounds only what a process killed outright loses.',
    ),
  evaluate_test: z.boolean().default(false).describe('Evaluate the best checkpoint on the test set when training ends.'),
});
