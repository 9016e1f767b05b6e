// The inputs of an exported model and the preprocessing that turns them into the x the model
// was trained on, as ONNX nodes: raw values go in, as `dlf predict` reads them from a file.
//
// Tables: the numeric columns in one float input `features` [N, numeric columns], in the run's
// feature order; a missing value is NaN, filled with the column's fitted value where the run has
// a fill rule (IsNaN, Where); then (v - mean) / std, computed in double precision and rounded to
// float as dlf does. Each categorical column is a string input [N] of its own: LabelEncoder
// (ai.onnx.ml) maps a category to its index, a missing cell (data.missing_values) to the index of
// the fill category, and anything else to the unknown bucket or to -1; the index becomes a
// one-hot row (Equal against 0 .. V-1, Cast) or, for an embedded column, the float index the
// model's input encoder looks up. A row that dlf predict refuses or leaves out (a NaN left after
// filling, a category the run does not know, a missing cell without a fill rule) is flagged in
// `invalid`, which the outputs turn into NaN.
//
// Images: one float input `pixels` [N, ...sample shape] of raw pixel values 0..255, scaled as the
// run scaled them: (v - mean) / std in double precision, rounded to float.
//
// Token sequences: one int64 input `ids` [N, L] of token ids in the run's vocabulary (0 is
// padding, at the end of a sequence), cast to the float ids dlf's x holds. The padding mask is
// computed in the graph from the ids, as the model computes it (1 where the id is not 0). A
// sequence with an id outside the vocabulary is flagged invalid (dlf's embedding gives NaN there).
import { type CategoricalColumnPrep, DEFAULT_MISSING_VALUES, UNKNOWN_CATEGORY, inputLayout } from '../data/columns.js';
import type { ImagePreprocessing, TablePreprocessing, TokenPreprocessing } from '../data/standardize.js';
import { BATCH, type OnnxGraph } from './onnx-graph.js';
import { DataType, ML_DOMAIN } from './onnx-proto.js';

/** Names the graph's inputs and outputs use; a categorical input never takes one of them. */
const RESERVED_NAMES = ['features', 'pixels', 'prediction', 'probabilities', 'logits'] as const;

/** What the model's graph starts from. */
export interface ModelInput {
  /** The ONNX value holding dlf's x: [N, ...sample shape], float. */
  readonly x: string;
  /** A bool [N] value, true for rows whose outputs must be NaN; absent when no row can be invalid (every cell has a fill value or a bucket). */
  readonly invalid?: string;
  /** For the model's metadata: each graph input and what it holds. */
  readonly described: Record<string, unknown>;
}

/** The name of the graph input of categorical feature `column` (feature index j). */
function categoricalInputName(column: string, j: number): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(column) && !(RESERVED_NAMES as readonly string[]).includes(column);
  return plain ? column : `column${j}`;
}

export function imageInputs(g: OnnxGraph, prep: ImagePreprocessing): ModelInput {
  const pixels = g.input(
    'pixels',
    DataType.FLOAT,
    [BATCH, ...prep.shape],
    `raw pixel values 0..255, NCHW or flattened as the run was trained: [N, ${prep.shape.join(', ')}]`,
  );
  const x = scaled(g, pixels, [prep.mean], [prep.std], 'pixels');
  const how = prep.scale === 'unit' ? 'divided by 255' : `standardised: (v - ${prep.mean}) / ${prep.std}`;
  return { x, described: { pixels: { shape: ['N', ...prep.shape], values: 'raw 0..255', scaling: how } } };
}

export function tokenInputs(g: OnnxGraph, prep: TokenPreprocessing): ModelInput {
  const L = prep.length;
  const V = prep.vocab.length;
  const ids = g.input(
    'ids',
    DataType.INT64,
    [BATCH, L],
    `token ids [N, ${L}], each in 0..${V - 1} (the vocabulary is in the metadata): a sequence cut to its first ${L} tokens and padded at the end with 0`,
  );
  // An id outside 0 .. V-1 is a row of NaN in dlf's embedding but an error in a runtime's Gather:
  // its sample is flagged invalid (NaN outputs) and the id read as padding.
  const outside = g.node(
    'Or',
    [
      g.node('Less', [ids, g.constant(DataType.INT64, [], [0], 'zero_i64')], {}, 'ids/negative'),
      g.node('GreaterOrEqual', [ids, g.constant(DataType.INT64, [], [V], 'vocabulary_size')], {}, 'ids/too_large'),
    ],
    {},
    'ids/outside_vocabulary',
  );
  const rowOutside = g.node(
    'ReduceMax',
    [g.node('Cast', [outside], { to: DataType.FLOAT }, 'ids/outside_float')],
    { axes: [1], keepdims: 0 },
    'ids/row_outside',
  );
  const invalid = g.node('Cast', [rowOutside], { to: DataType.BOOL }, 'ids/row_invalid');
  const safe = g.node('Where', [outside, g.constant(DataType.INT64, [], [0], 'zero_i64'), ids], {}, 'ids/in_vocabulary');
  const x = g.node('Cast', [safe], { to: DataType.FLOAT }, 'x');
  return {
    x,
    invalid,
    described: {
      ids: {
        shape: ['N', L],
        type: 'int64',
        vocabulary: V,
        padding: 'id 0, after the last token',
        invalid: 'a sequence with an id outside the vocabulary: NaN outputs (prediction empty, or -1 per position)',
        tokenizer: prep.tokenizer,
        lowercase: prep.lowercase,
        special: prep.vocab.slice(0, 4),
      },
    },
  };
}

export function tableInputs(g: OnnxGraph, prep: TablePreprocessing): ModelInput {
  const layout = inputLayout(prep.features, prep.columns);
  const cols = prep.features.map((name, j) => ({ name, j, col: prep.columns?.[j] }));
  const numeric = cols.filter((c) => c.col?.kind !== 'categorical');
  const invalid: string[] = [];
  const described: Record<string, unknown> = {};

  // Numeric columns: fill, standardise, flag rows with a NaN left.
  let std: string | undefined;
  if (numeric.length > 0) {
    const features = g.input(
      'features',
      DataType.FLOAT,
      [BATCH, numeric.length],
      `the numeric feature columns, in this order: ${numeric.map((c) => c.name).join(', ')} (a missing value is NaN)`,
    );
    const fills = numeric.map((c) => (c.col?.kind === 'numeric' && typeof c.col.missing === 'object' ? c.col.missing.fill : NaN));
    let filled = features;
    if (fills.some((f) => !Number.isNaN(f))) {
      const nan = g.node('IsNaN', [features], {}, 'features/missing');
      filled = g.node('Where', [nan, g.constant(DataType.FLOAT, [numeric.length], fills, 'features/fill_values'), features], {}, 'features/filled');
    }
    if (fills.some((f) => Number.isNaN(f))) {
      // Some column has no fill value: a row with a NaN left in it is one dlf predict refuses or drops.
      const left = g.node('Cast', [g.node('IsNaN', [filled], {}, 'features/still_missing')], { to: DataType.FLOAT }, 'features/still_missing_float');
      invalid.push(
        g.node('Cast', [g.node('ReduceMax', [left], { axes: [1], keepdims: 0 }, 'features/row_missing')], { to: DataType.BOOL }, 'features/row_invalid'),
      );
    }
    std = scaled(
      g,
      filled,
      numeric.map((c) => prep.mean[c.j]),
      numeric.map((c) => prep.std[c.j]),
      'features',
    );
    described.features = {
      columns: numeric.map((c) => c.name),
      fill: Object.fromEntries(numeric.flatMap((c, k) => (Number.isNaN(fills[k]) ? [] : [[c.name, fills[k]]]))),
      mean: numeric.map((c) => prep.mean[c.j]),
      std: numeric.map((c) => prep.std[c.j]),
    };
  }

  // Categorical columns: an index per row, then one-hot columns or the embedded index.
  const missingTokens = prep.missingValues ?? [...DEFAULT_MISSING_VALUES];
  const pieces = new Map<number, string>(); // feature index → its dense piece (one-hot), or its embedded index
  for (const { name, j, col } of cols) {
    if (col?.kind !== 'categorical') continue;
    const input = g.input(
      categoricalInputName(name, j),
      DataType.STRING,
      [BATCH],
      `the categorical column '${name}' as text: one of ${col.values.length} categories (a missing cell: one of ${missingTokens.map((t) => JSON.stringify(t)).join(', ')})`,
    );
    const index = categoryIndex(g, input, col, missingTokens);
    // -1, an invalid row, is what an unknown category becomes without a bucket, and a missing cell without a fill value.
    if (col.unknown !== 'bucket' || typeof col.missing !== 'object') invalid.push(g.node('Less', [index, g.ints([0])], {}, `${input}/invalid`));
    if (col.encoding === 'one_hot') {
      const width = col.values.length + (col.unknown === 'bucket' ? 1 : 0);
      const column = g.node('Unsqueeze', [index, g.ints([1])], {}, `${input}/index_column`);
      const hit = g.node('Equal', [column, g.ints([...Array(width).keys()], `${input}/categories`)], {}, `${input}/one_hot_bool`);
      pieces.set(j, g.node('Cast', [hit], { to: DataType.FLOAT }, `${input}/one_hot`));
    } else {
      // A row that is invalid anyway looks up row 0, not row -1 (which Gather counts from the end).
      const safe = g.node('Max', [index, g.constant(DataType.INT64, [], [0], 'zero_i64')], {}, `${input}/index_or_0`);
      const f = g.node('Cast', [safe], { to: DataType.FLOAT }, `${input}/index_float`);
      pieces.set(j, g.node('Unsqueeze', [f, g.ints([1])], {}, `${input}/index_column`));
    }
    described[input] = {
      column: name,
      categories: col.values,
      encoding: col.encoding,
      unknown: col.unknown === 'bucket' ? `the ${UNKNOWN_CATEGORY} bucket` : 'invalid row (NaN outputs)',
      missing:
        typeof col.missing === 'object'
          ? `filled with '${col.missing.fill}'`
          : col.missing === 'drop'
            ? 'row left out (NaN outputs)'
            : 'invalid row (NaN outputs)',
    };
  }

  // x: the dense inputs in feature order (runs of numeric columns sliced out of `std`), then the embedded indices.
  const parts: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const [first, last] = [run[0], run[run.length - 1]];
    parts.push(
      first === 0 && last === numeric.length - 1 ? std! : g.node('Slice', [std!, g.ints([first]), g.ints([last + 1]), g.ints([1])], {}, 'features/columns'),
    );
    run = [];
  };
  let k = 0;
  for (const { j, col } of cols) {
    if (col?.kind === 'categorical') {
      if (col.encoding === 'one_hot') {
        flush();
        parts.push(pieces.get(j)!);
      }
    } else run.push(k++);
  }
  flush();
  for (const { j, col } of cols) if (col?.kind === 'categorical' && col.encoding === 'embedding') parts.push(pieces.get(j)!);
  const x = parts.length === 1 ? parts[0] : g.node('Concat', parts, { axis: 1 }, 'x');
  if (layout.names.length === 0) throw new Error('a table run without inputs');
  const anyInvalid = invalid.length ? invalid.reduce((a, b) => g.node('Or', [a, b], {}, 'row_invalid')) : undefined;
  return { x, invalid: anyInvalid, described };
}

/**
 * `value` scaled to (v - mean) / std per last-axis position (one mean and std for all when given
 * one of each), in double precision and rounded to float, as dlf computes it. Nothing when every
 * mean is 0 and every std 1.
 */
function scaled(g: OnnxGraph, value: string, mean: readonly number[], std: readonly number[], hint: string): string {
  const subtract = mean.some((m) => m !== 0);
  const divide = std.some((s) => s !== 1);
  if (!subtract && !divide) return value;
  const dims = mean.length === 1 ? [] : [mean.length];
  let v = g.node('Cast', [value], { to: DataType.DOUBLE }, `${hint}/double`);
  if (subtract) v = g.node('Sub', [v, g.constant(DataType.DOUBLE, dims, mean, `${hint}/mean`)], {}, `${hint}/centred`);
  if (divide) v = g.node('Div', [v, g.constant(DataType.DOUBLE, dims, std, `${hint}/std`)], {}, `${hint}/scaled`);
  return g.node('Cast', [v], { to: DataType.FLOAT }, `${hint}/standardised`);
}

/**
 * The category index (int64 [N]) of a categorical input: the category's place in the vocabulary;
 * for a missing cell the fill category's, or -1; for any other text the unknown bucket's, or -1.
 */
function categoryIndex(g: OnnxGraph, input: string, col: CategoricalColumnPrep, missingTokens: readonly string[]): string {
  const fill = typeof col.missing === 'object' ? col.values.indexOf(col.missing.fill) : -1;
  const tokens = missingTokens.filter((t) => !col.values.includes(t));
  const keys = [...col.values, ...tokens];
  const values = [...col.values.map((_, k) => k), ...tokens.map(() => fill)];
  const unknown = col.unknown === 'bucket' ? col.values.length : -1;
  // LabelEncoder needs at least one key: a vocabulary that is only the unknown bucket, with no
  // missing-value tokens, gets one mapped to the default, which changes nothing.
  if (keys.length === 0) {
    keys.push('\u0000');
    values.push(unknown);
  }
  return g.node('LabelEncoder', [input], { keys_strings: keys, values_int64s: values, default_int64: unknown }, `${input}/index`, ML_DOMAIN);
}
