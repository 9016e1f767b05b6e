// The data section: where samples come from, how they are split and preprocessed, and an
// optional test set.
import * as z from 'zod';
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
    .describe(
      'Set by `dlf cv`: k-fold cross-validation (stratified by class for classification); fold `index` is the validation set and `validation` is ignored.',
    ),
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
  standardize: z.boolean().default(true).describe('Standardise features with mean and standard deviation fitted on the training split.'),
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
// Missing cells and categorical columns of a CSV table (data/columns.ts). Every key is optional
// and not defaulted: a default would enter the hash of runs saved before these keys existed.
const MissingRule = z
  .union([
    z.enum(['error', 'mean', 'median', 'most_frequent', 'drop']),
    z.strictObject({ constant: z.union([z.number(), text]).describe('The value written into every missing cell.') }),
  ])
  .describe(
    'What a missing cell becomes: error (the default: file, row and column named), mean, median or most_frequent ' +
      '(fitted on the training split), {constant: value}, or drop (the row is left out).',
  );
const ColumnSchema = z
  .strictObject({
    type: z
      .enum(['auto', 'numeric', 'categorical'])
      .optional()
      .describe('auto (the default): categorical when most of its cells are not numbers; numeric; or categorical (e.g. codes written as numbers).'),
    encoding: z
      .enum(['one_hot', 'embedding'])
      .optional()
      .describe('A categorical column as one 0/1 input per category (one_hot, the default) or as a learnt vector (embedding).'),
    dim: count(LIMITS.dim).optional().describe('Size of the learnt vector of an embedded column (default: min(50, round(1.6·categories^0.56))).'),
    unknown: z
      .enum(['error', 'bucket'])
      .optional()
      .describe(
        'A category the training split did not have: bucket (the default: one extra category, __unknown__, reported in a warning) or error (file, row and column named).',
      ),
    missing: MissingRule.optional(),
  })
  .describe('Rules for one column.');
const CsvData = z.strictObject({
  source: z.literal('csv').describe('Read a CSV file with a header row.'),
  path: pathString.describe('Path of the CSV file, relative to the config file.'),
  features: z.array(text).min(1).optional().describe('Feature columns by name (default: every column but the label).'),
  label: text.describe('The label (target) column.'),
  task: z
    .enum(['classification', 'regression'])
    .default('classification')
    .describe('classification: labels are class names mapped to indices; regression: a numeric target.'),
  test: pathString.optional().describe('A CSV file with the same columns used as the test set (`dlf eval --split test`).'),
  missing_values: z.array(text).max(100).optional().describe('Cells (after trimming blanks) that mean a missing value (default: "", NA, NaN and ?).'),
  missing: MissingRule.optional().describe(
    'What a missing cell of a feature column becomes, unless data.columns says otherwise (default: error). ' +
      'mean and median apply to numeric columns; a categorical column then takes its most frequent category.',
  ),
  columns: z
    .record(text, ColumnSchema)
    .optional()
    .describe('Rules for columns by name: type, encoding and dim, unknown, missing. The label column takes only missing: error or drop.'),
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
  flatten: z.boolean().default(false).describe('Samples as vectors [rows·cols] (for dense models) instead of images [1, rows, cols].'),
  split: SplitSchema.prefault({ validation: 0.1 }).describe('Train/validation split of the training images.'),
});
const SyntheticData = z.strictObject({
  source: z
    .enum(['linear', 'xor', 'moons', 'spirals'])
    .describe('A built-in seeded generator: linear (y = 2x + 3 + noise, regression), xor, moons, spirals (classification).'),
  samples: count(LIMITS.samples).default(1000).describe('Number of samples generated.'),
  noise: z.number().min(0).default(0.1).describe('Standard deviation of the noise added.'),
  classes: z.number().int().min(2).max(LIMITS.classes).default(3).describe('Number of arms (spirals only).'),
  ...common,
});
// Text (data/text.ts): token sequences from a CSV text column (a class per row) or a plain text
// file (a language model). Optional keys without a default are resolved by the loader, whose
// defaults depend on the file (format by extension, task by format).
const TextData = z.strictObject({
  source: z.literal('text').describe('Text read as token sequences: a CSV file with a text column, or a plain text file.'),
  path: pathString.describe('Path of the text file (CSV with a header, or plain UTF-8 text), relative to the config file.'),
  format: z
    .enum(['csv', 'plain'])
    .optional()
    .describe('csv: a table with a header row; plain: the whole file is one text. Default: csv for a .csv file, else plain.'),
  text: text.optional().describe('The column that holds the text (CSV only; default: text).'),
  label: text.optional().describe('The column that holds the class of each row (CSV classification only; default: label).'),
  task: z
    .enum(['classification', 'language_model'])
    .optional()
    .describe(
      'classification: one class per row (CSV); language_model: the text is one token stream, cut into windows of length + 1 tokens, ' +
        'the model predicting each next token. Default: classification for csv, language_model for plain.',
    ),
  tokenizer: z
    .enum(['char', 'word'])
    .default('char')
    .describe('char: every character (Unicode code point) is a token; word: runs of letters, digits and apostrophes, and each punctuation mark.'),
  lowercase: z.boolean().default(false).describe('Lowercase the text before it is split into tokens.'),
  vocab: z
    .strictObject({
      min_freq: count(LIMITS.samples).default(1).describe('Leave out tokens seen fewer times than this in the training split.'),
      max_size: z
        .number()
        .int()
        .min(5)
        .max(LIMITS.vocab)
        .optional()
        .describe('At most this many ids in all, the four special tokens included: the most frequent tokens are kept (ties in UTF-16 code-unit order).'),
    })
    .prefault({})
    .describe('The vocabulary, fitted on the training split: <pad>, <unk>, <s> and </s> first, then tokens by frequency.'),
  length: count(LIMITS.sequence).describe(
    'Tokens per sample, L: a row is cut to its first L tokens or padded at the end; a language model reads windows of L + 1 tokens.',
  ),
  bucket: z
    .boolean()
    .default(false)
    .describe(
      'Training batches of samples of similar length (seeded; the batches shuffled). Every batch is still padded to `length`; ' +
        'the recurrent layers skip the steps that are padding in every sample of a batch, so bucketing saves their time.',
    ),
  split: SplitSchema.prefault({}).describe(
    'Train/validation split. A language model holds out the last fraction of the text (its windows in order), never shuffled windows.',
  ),
  test: pathString.optional().describe('A second file of the same kind used as the test set (`dlf eval --split test`).'),
});
// The built-in sequence tasks (data/sequence-tasks.ts): token ids, with a label per token or one per sample.
const SequenceTaskData = z.strictObject({
  source: z
    .enum(['copy', 'reverse', 'sort', 'parity'])
    .describe(
      'A built-in seeded sequence task: copy, reverse or sort a sequence of digits (a label per token: the target sequence), ' +
        'or parity (a sequence of bits; one class per sample: even or odd number of 1s).',
    ),
  samples: count(LIMITS.samples).default(1000).describe('Number of sequences generated.'),
  length: count(LIMITS.sequence).default(8).describe('Longest sequence: each has a random length from 1 to `length`, padded to `length`.'),
  split: SplitSchema.prefault({}).describe('Train/validation split.'),
});
const AdditionTaskData = z.strictObject({
  source: z
    .literal('addition')
    .describe(
      'A built-in seeded sequence task: two numbers written as characters, "123+45", padded to 2·digits + 1 tokens; the labels ' +
        "are the sum's digits, most significant first, from position 0 on (a label per token; padding after).",
    ),
  samples: count(LIMITS.samples).default(1000).describe('Number of sums generated.'),
  digits: count(LIMITS.digits).default(3).describe('Most digits of each number (each number has 1 to `digits` digits).'),
  split: SplitSchema.prefault({}).describe('Train/validation split.'),
});
export const DataSchema = z
  .discriminatedUnion('source', [CsvData, IdxData, SyntheticData, TextData, SequenceTaskData, AdditionTaskData])
  .describe('Where the data comes from.');
export type DataConfig = z.infer<typeof DataSchema>;
export type MissingRuleConfig = z.infer<typeof MissingRule>;
export type ColumnConfig = z.infer<typeof ColumnSchema>;
export type TextDataConfig = z.infer<typeof TextData>;
