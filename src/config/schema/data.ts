// The data section: where samples come from, how they are split and preprocessed, and an
// optional test set.
import { z } from 'zod';
import { LIMITS, count, pathString, text } from './common.js';

const SplitSchema = z.strictObject({
  validation: z.number().min(0).lt(1).default(0.2).describe('Fraction of rows held out for validation.'),
  shuffle: z.boolean().default(true).describe('Shuffle (seeded) before splitting.'),
  fold: z
    .strictObject({
      k: z.number().int().min(2).max(1000).describe('Number of folds.'),
      index: z.number().int().min(1).max(1000).describe('The fold held out, from 1 to k.'),
    })
    .refine((f) => f.index <= f.k, { message: 'fold index must be from 1 to k', path: ['index'] })
    .optional()
    .describe('Set by `dlf cv`: k-fold cross-validation (stratified by class for classification); fold `index` is the validation set and `validation` is ignored.'),
  // Optional, not defaulted: a default would enter the hash of runs saved before these keys existed.
  stratify: z
    .boolean()
    .optional()
    .describe(
      'Hold out each class in proportion (classification; regression is always split plainly). Default: true for ' +
        'classification; a new run records the value in its config.json, and a run saved without it was split plainly.',
    ),
  seed: z
    .number()
    .int()
    .min(0)
    .max(0xffffffff)
    .optional()
    .describe("Seed of the split's shuffle (default: the run's `seed`; the same value as `seed` gives the same split)."),
});
const common = {
  split: SplitSchema.prefault({}).describe('Train/validation split.'),
  standardize: z
    .boolean()
    .default(true)
    .describe('Standardise features with mean and standard deviation fitted on the training split.'),
  // Optional, not defaulted: a default would enter the hash of runs saved before this key existed.
  standardize_target: z
    .boolean()
    .optional()
    .describe(
      'Regression: train on the target standardised with the mean and standard deviation of the training split; ' +
        'metrics, `dlf eval` and `dlf predict` report in the original units (the loss stays in training units). ' +
        'Default: true for regression; a new run records the value in its config.json, and a run saved without it was not standardised.',
    ),
};
const CsvData = z.strictObject({
  source: z.literal('csv').describe('Read a CSV file with a header row.'),
  path: pathString.describe('Path of the CSV file, relative to the config file.'),
  features: z
    .array(text)
    .min(1)
    .optional()
    .describe('Feature columns by name (default: every column but the label).'),
  label: text.describe('The label (target) column.'),
  task: z
    .enum(['classification', 'regression'])
    .default('classification')
    .describe('classification: labels are class names mapped to indices; regression: a numeric target.'),
  test: pathString.optional().describe('A CSV file with the same columns used as the test set (`dlf eval --split test`).'),
  ...common,
});
const IdxData = z.strictObject({
  source: z.literal('idx').describe('Images and labels in the IDX format of MNIST (raw or .gz).'),
  dir: pathString.describe('Folder of the files, relative to the config file (e.g. a Fashion-MNIST folder).'),
  train_images: pathString.default('train-images-idx3-ubyte.gz').describe('Training images, in `dir`.'),
  train_labels: pathString.default('train-labels-idx1-ubyte.gz').describe('Training labels, in `dir`.'),
  test_images: pathString.optional().describe('Test images, in `dir` (default t10k-images-idx3-ubyte.gz when it exists).'),
  test_labels: pathString.optional().describe('Test labels, in `dir` (default t10k-labels-idx1-ubyte.gz when it exists).'),
  classes: z.array(text).optional().describe('Class names in label order (default: the label numbers).'),
  limit: count(LIMITS.axis).optional().describe('Use only the first N training images (quick runs).'),
  scale: z
    .enum(['unit', 'standardize'])
    .default('unit')
    .describe('unit: pixel values / 255 into [0, 1]; standardize: (value - mean) / std over all training pixels.'),
  flatten: z
    .boolean()
    .default(false)
    .describe('Samples as vectors [rows·cols] (for dense models) instead of images [1, rows, cols].'),
  split: SplitSchema.prefault({ validation: 0.1 }).describe('Train/validation split of the training images.'),
});
const SyntheticData = z.strictObject({
  source: z.enum(['linear', 'xor', 'moons', 'spirals']).describe(
    'A built-in seeded generator: linear (y = 2x + 3 + noise, regression), xor, moons, spirals (classification).',
  ),
  samples: count(LIMITS.samples).default(1000).describe('Number of samples generated.'),
  noise: z.number().min(0).default(0.1).describe('Standard deviation of the noise added.'),
  classes: z.number().int().min(2).max(LIMITS.classes).default(3).describe('Number of arms (spirals only).'),
  ...common,
});
export const DataSchema = z
  .discriminatedUnion('source', [CsvData, IdxData, SyntheticData])
  .describe('Where the data comes from.');
export type DataConfig = z.infer<typeof DataSchema>;
