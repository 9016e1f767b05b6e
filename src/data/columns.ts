// Feature columns of a CSV table as users have them: numbers, categories (strings) and missing
// cells. Reading decides each column's kind (data.columns.<c>.type, or by its cells) and keeps a
// missing cell as NaN; fitting on the training split gives each categorical column its vocabulary
// and each imputed column its fill value; encoding (standardize.ts) turns a row into model inputs:
// a numeric column one input, a one-hot column one input per category (one more for the unknown
// bucket), an embedded column one category index that the model's input encoder
// (compile/input.ts) looks up in a learnt table.
import type { ColumnConfig, DataConfig, MissingRuleConfig } from '../config/schema.js';
import { ConfigError, DataError, oneLine } from '../errors.js';
import { closest } from '../suggest.js';
import { looksNumeric, sortClasses } from './cells.js';
import { readCsvHeader } from './csv.js';
import type { Dataset, UnseenCategories } from './types.js';

export type { UnseenCategories };

/** Cells that mean "missing" unless data.missing_values says otherwise (compared after trimming). */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'NA', 'NaN', '?'];

/** The most categories a one-hot column may have: each is one input of the model. */
const MAX_ONE_HOT = 1000;

export type ColumnKind = 'numeric' | 'categorical';

/** What a missing cell becomes. */
export type MissingRule = MissingRuleConfig;

/**
 * A column's fitted rules, saved with the run (preprocessing.columns): everything evaluation and
 * prediction need to encode new rows as training did.
 */
export type ColumnPrep = NumericColumnPrep | CategoricalColumnPrep;

export interface NumericColumnPrep {
  kind: 'numeric';
  /** drop: a row missing this cell is left out; fill: the value written into a missing cell (raw units). */
  missing?: 'drop' | { fill: number };
}

export interface CategoricalColumnPrep {
  kind: 'categorical';
  /** The vocabulary, fitted on the training split, in sorted order: category k is input k. */
  values: string[];
  encoding: 'one_hot' | 'embedding';
  /** The size of an embedded column's learnt vectors. */
  dim?: number;
  /** bucket: a category outside `values` becomes category values.length, named __unknown__. */
  unknown: 'error' | 'bucket';
  missing?: 'drop' | { fill: string };
}

/** The name of the unknown bucket of a categorical column, as its one-hot input is named. */
export const UNKNOWN_CATEGORY = '__unknown__';

/** One line about the categories data put in unknown buckets, for a warning; undefined when none. */
export function unseenNote(unseen: readonly UnseenCategories[] | undefined): string | undefined {
  if (!unseen || unseen.length === 0) return undefined;
  const parts = unseen.map((u) => {
    const where = u.first.row !== undefined ? ` at row ${u.first.row}` : '';
    return `${oneLine(u.column, 60)}: ${u.rows} row${u.rows === 1 ? '' : 's'}, first '${oneLine(u.first.category, 40)}'${where}`;
  });
  const total = unseen.reduce((s, u) => s + u.rows, 0);
  return `${total === 1 ? '1 value' : `${total} values`} of categories the training split did not have went to __unknown__ (${parts.join('; ')}); data.columns.<name>.unknown: error makes them errors`;
}

/** What reading needs to know of one feature column. */
export interface ReadRule {
  /** The kind, or auto: decided by the cells. */
  type: ColumnKind | 'auto';
  /** error: a missing cell is a DataError naming it; drop: its row is left out; keep: NaN, filled later. */
  missing: 'error' | 'drop' | 'keep';
}

/** How to read the columns of a table. */
export interface ReadRules {
  missingValues: ReadonlySet<string>;
  rule(column: string): ReadRule;
  /** What a missing label becomes: error, or drop (the row is left out). */
  label: 'error' | 'drop';
  /** Whether the rules come from data.columns (messages then point there), not from a saved run. */
  fromConfig: boolean;
}

/** The CSV data keys reading and fitting look at. */
export type ColumnsSpec = Pick<Extract<DataConfig, { source: 'csv' }>, 'label' | 'missing_values' | 'missing' | 'columns'>;

/** The rules of column `name` in `cols`, or undefined (an own member only: a column may be named toString). */
export function columnConfig(cols: ColumnsSpec['columns'], name: string): ColumnConfig | undefined {
  return cols && Object.hasOwn(cols, name) ? cols[name] : undefined;
}

/** Reading rules from the config's data section. */
export function configReadRules(spec: ColumnsSpec): ReadRules {
  const labelRule = columnConfig(spec.columns, spec.label)?.missing;
  return {
    missingValues: new Set(spec.missing_values ?? DEFAULT_MISSING_VALUES),
    rule(column) {
      const c = columnConfig(spec.columns, column);
      const m = c?.missing ?? spec.missing ?? 'error';
      return { type: c?.type ?? 'auto', missing: m === 'error' ? 'error' : m === 'drop' ? 'drop' : 'keep' };
    },
    label: labelRule === 'drop' ? 'drop' : 'error',
    fromConfig: true,
  };
}

/** Reading rules of a saved run: its columns' kinds and missing rules (all numeric for a run without them). */
export function savedReadRules(
  features: readonly string[],
  columns: readonly ColumnPrep[] | undefined,
  missingValues: readonly string[] | undefined,
  label: 'error' | 'drop' = 'error',
): ReadRules {
  const byName = new Map<string, ColumnPrep>();
  if (columns) features.forEach((f, j) => byName.set(f, columns[j]));
  return {
    missingValues: new Set(missingValues ?? DEFAULT_MISSING_VALUES),
    rule(column) {
      const c = byName.get(column);
      if (!c) return { type: 'numeric', missing: 'error' };
      return { type: c.kind, missing: c.missing === undefined ? 'error' : c.missing === 'drop' ? 'drop' : 'keep' };
    },
    label,
    fromConfig: false,
  };
}

/**
 * The kind of column `c` of `rows` under `rule`: auto is categorical when more of its present
 * cells are not written as numbers than are (so a stray word in a column of numbers is still
 * reported, not taken for a category).
 */
export function columnKind(rows: readonly string[][], c: number, rule: ReadRule, missing: ReadonlySet<string>): ColumnKind {
  if (rule.type !== 'auto') return rule.type;
  let numbers = 0;
  let words = 0;
  for (const row of rows) {
    const cell = row[c];
    if (missing.has(cell.trim())) continue;
    if (looksNumeric(cell)) numbers++;
    else words++;
  }
  return words > numbers ? 'categorical' : 'numeric';
}

/** A DataError for a missing cell whose column has no rule for it. */
export function missingCell(cell: string, file: string, row: number, column: string, rules: ReadRules): DataError {
  const shown = cell.trim() === '' ? 'empty cell' : `missing value '${oneLine(cell.trim(), 40)}'`;
  const name = oneLine(column, 60);
  const hint = rules.fromConfig
    ? `choose what a missing cell becomes: data.columns.${keyName(column)}.missing (or data.missing for every column): mean, median, most_frequent, {constant: v} or drop`
    : 'the run was trained without a rule for missing cells in this column; fill them in or drop the row';
  return new DataError(shown, { file, row, column: name }, hint);
}

/** A column name as it is written in a YAML key path (quoted when it is not a plain word). */
export function keyName(column: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(column) ? column : JSON.stringify(oneLine(column, 60));
}

/** The effective missing rule of a feature column of kind `kind`; a config error for a rule that cannot apply. */
function missingRuleOf(spec: ColumnsSpec, column: string, kind: ColumnKind, locate: ColumnLocator): MissingRule {
  const own = columnConfig(spec.columns, column)?.missing;
  const rule = own ?? spec.missing ?? 'error';
  if (kind === 'categorical' && (rule === 'mean' || rule === 'median')) {
    if (own !== undefined) {
      throw new ConfigError([
        {
          place: locate(['data', 'columns', column, 'missing']),
          message: `is ${rule}, but column '${oneLine(column, 60)}' is categorical`,
          hint: 'use most_frequent, {constant: value} or drop for a categorical column',
        },
      ]);
    }
    return 'most_frequent'; // data.missing: mean/median means "the usual centre": a category's is its mode
  }
  if (kind === 'numeric' && typeof rule === 'object' && typeof rule.constant !== 'number') {
    const place = own !== undefined ? locate(['data', 'columns', column, 'missing', 'constant']) : locate(['data', 'missing', 'constant']);
    throw new ConfigError([
      { place, message: `is '${oneLine(String(rule.constant), 40)}', but column '${oneLine(column, 60)}' is numeric`, hint: 'give a number' },
    ]);
  }
  return rule;
}

/** Maps a config key path to its place (config/locate). */
export type ColumnLocator = (path: (string | number)[]) => import('../errors.js').Place;

/**
 * Fits the rules of every feature column of `train` (as read: categorical cells are codes into
 * train.categories, missing cells NaN): vocabularies, fill values, encodings. Undefined when
 * every column is numeric without a fill or drop rule, so that such a run saves exactly what it
 * saved before these rules existed.
 */
export function fitColumns(train: Dataset, spec: ColumnsSpec, locate: ColumnLocator): ColumnPrep[] | undefined {
  const f = train.features.length;
  const cats = train.categories;
  const out: ColumnPrep[] = [];
  let plain = true;
  for (let j = 0; j < f; j++) {
    const name = train.features[j];
    const names = cats?.[j] ?? null;
    const kind: ColumnKind = names ? 'categorical' : 'numeric';
    const rule = missingRuleOf(spec, name, kind, locate);
    const cfg = columnConfig(spec.columns, name);
    if (kind === 'numeric') {
      const col: NumericColumnPrep = { kind: 'numeric' };
      if (rule === 'drop') col.missing = 'drop';
      else if (rule !== 'error') col.missing = { fill: numericFill(train, j, rule, name) };
      if (col.missing !== undefined) plain = false;
      out.push(col);
      continue;
    }
    plain = false;
    const counts = categoryCounts(train, j, names!.length);
    const present = names!.filter((_, k) => counts[k] > 0);
    let fill: string | undefined;
    if (typeof rule === 'object') fill = String(rule.constant);
    else if (rule === 'most_frequent') fill = mostFrequent(names!, counts, name);
    const values = sortClasses(fill !== undefined && !present.includes(fill) ? [...present, fill] : present);
    const encoding = cfg?.encoding ?? 'one_hot';
    const unknown = cfg?.unknown ?? 'bucket';
    const size = values.length + (unknown === 'bucket' ? 1 : 0);
    if (encoding === 'one_hot' && size > MAX_ONE_HOT) {
      throw new DataError(
        `categorical column with ${values.length} categories in the training split: too many for one-hot inputs (at most ${MAX_ONE_HOT})`,
        { column: oneLine(name, 60) },
        `embed it (data.columns.${keyName(name)}.encoding: embedding) or leave it out with data.features`,
      );
    }
    const col: CategoricalColumnPrep = { kind: 'categorical', values, encoding, unknown };
    if (encoding === 'embedding') col.dim = cfg?.dim ?? defaultEmbeddingDim(size);
    if (rule === 'drop') col.missing = 'drop';
    else if (fill !== undefined) col.missing = { fill };
    out.push(col);
  }
  return plain ? undefined : out;
}

/** min(50, round(1.6·n^0.56)): a common rule of thumb for the width of a category's vector. */
export function defaultEmbeddingDim(categories: number): number {
  return Math.max(1, Math.min(50, Math.round(1.6 * categories ** 0.56)));
}

function categoryCounts(ds: Dataset, j: number, k: number): Int32Array {
  const f = ds.features.length;
  const counts = new Int32Array(k);
  for (let i = 0; i < ds.n; i++) {
    const v = ds.x[i * f + j];
    if (!Number.isNaN(v)) counts[v]++;
  }
  return counts;
}

/** The most frequent category; ties go to the first in sorted order. */
function mostFrequent(names: readonly string[], counts: Int32Array, column: string): string {
  const count = new Map(names.map((n, k) => [n, counts[k]]));
  let best: string | undefined;
  for (const n of sortClasses(names.filter((_, k) => counts[k] > 0))) if (best === undefined || count.get(n)! > count.get(best)!) best = n;
  if (best === undefined) throw noValues(column, 'most_frequent');
  return best;
}

function noValues(column: string, rule: string): DataError {
  return new DataError(
    `every cell of the column is missing in the training split: there is nothing to fit ${rule} on`,
    { column: oneLine(column, 60) },
    'use {constant: value} or leave the column out with data.features',
  );
}

/** The fill value of numeric column j under an imputing rule, from the present values of `ds`. */
function numericFill(ds: Dataset, j: number, rule: Exclude<MissingRule, 'error' | 'drop'>, column: string): number {
  if (typeof rule === 'object') return rule.constant as number;
  const f = ds.features.length;
  const values: number[] = [];
  for (let i = 0; i < ds.n; i++) {
    const v = ds.x[i * f + j];
    if (!Number.isNaN(v)) values.push(v);
  }
  if (values.length === 0) throw noValues(column, rule);
  if (rule === 'mean') return Math.fround(values.reduce((s, v) => s + v, 0) / values.length);
  values.sort((a, b) => a - b);
  if (rule === 'median') {
    const m = values.length >> 1;
    return Math.fround(values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2);
  }
  // most_frequent: ties go to the smallest value.
  let best = values[0];
  let bestRun = 0;
  for (let i = 0; i < values.length; ) {
    let k = i;
    while (k < values.length && values[k] === values[i]) k++;
    if (k - i > bestRun) {
      best = values[i];
      bestRun = k - i;
    }
    i = k;
  }
  return best;
}

/** The number of model inputs of a column. */
export function encodedWidth(col: ColumnPrep | undefined): number {
  if (!col || col.kind === 'numeric') return 1;
  if (col.encoding === 'embedding') return 1;
  return col.values.length + (col.unknown === 'bucket' ? 1 : 0);
}

/** An embedded column as the model's input encoder sees it: its index among the inputs and its table. */
export interface EmbeddedInput {
  readonly column: string;
  /** Rows of the table: the categories, and the unknown bucket when there is one. */
  readonly vocab: number;
  readonly dim: number;
}

/** The layout of encoded inputs: `dense` inputs first (numeric and one-hot), then one index per embedded column. */
export interface InputLayout {
  readonly dense: number;
  readonly embedded: EmbeddedInput[];
  /** Names of the encoded inputs, in order (numeric: the column; one-hot: column=category; embedded: column#index). */
  readonly names: string[];
}

/** The input layout of features with `columns` (all numeric when absent). */
export function inputLayout(features: readonly string[], columns: readonly ColumnPrep[] | undefined): InputLayout {
  const names: string[] = [];
  const embedded: EmbeddedInput[] = [];
  features.forEach((name, j) => {
    const col = columns?.[j];
    if (!col || col.kind === 'numeric') names.push(name);
    else if (col.encoding === 'one_hot') {
      for (const v of col.values) names.push(`${name}=${v}`);
      if (col.unknown === 'bucket') names.push(`${name}=${UNKNOWN_CATEGORY}`);
    } else embedded.push({ column: name, vocab: col.values.length + (col.unknown === 'bucket' ? 1 : 0), dim: col.dim ?? 1 });
  });
  const dense = names.length;
  for (const e of embedded) names.push(`${e.column}#index`);
  return { dense, embedded, names };
}

/** Why `v` (from a saved run) is not a ColumnPrep, or undefined when it is one. */
export function columnPrepProblem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'is not an object';
  const c = v as Record<string, unknown>;
  const keys = Object.keys(c);
  const allowed =
    c.kind === 'numeric' ? ['kind', 'missing'] : c.kind === 'categorical' ? ['kind', 'values', 'encoding', 'dim', 'unknown', 'missing'] : undefined;
  if (!allowed) return 'has no kind numeric or categorical';
  const extra = keys.find((k) => !allowed.includes(k));
  if (extra !== undefined) return `has the unknown member '${oneLine(extra, 60)}'`;
  const m = c.missing;
  const isFill = (t: 'number' | 'string') =>
    typeof m === 'object' &&
    m !== null &&
    !Array.isArray(m) &&
    Object.keys(m).length === 1 &&
    typeof (m as { fill?: unknown }).fill === t &&
    (t === 'string' || Number.isFinite((m as { fill: number }).fill));
  if (c.kind === 'numeric') {
    if (m !== undefined && m !== 'drop' && !isFill('number')) return 'has a missing rule that is not drop or {fill: number}';
    return undefined;
  }
  const values = c.values;
  if (!Array.isArray(values) || !values.every((s) => typeof s === 'string')) return 'has values that are not a list of strings';
  if (new Set(values).size !== values.length) return 'has a category twice';
  if (c.encoding !== 'one_hot' && c.encoding !== 'embedding') return 'has an encoding that is not one_hot or embedding';
  if (c.unknown !== 'error' && c.unknown !== 'bucket') return 'has an unknown rule that is not error or bucket';
  if (values.length + (c.unknown === 'bucket' ? 1 : 0) === 0) return 'has no categories';
  if (c.encoding === 'embedding' ? !(Number.isSafeInteger(c.dim) && (c.dim as number) > 0) : c.dim !== undefined)
    return 'has a dim that does not fit its encoding';
  if (m !== undefined && m !== 'drop' && !isFill('string')) return 'has a missing rule that is not drop or {fill: string}';
  if (isFill('string') && !values.includes((m as { fill: string }).fill)) return 'fills missing cells with a category it does not have';
  return undefined;
}

/**
 * data.columns must name columns of the file: a feature, or the label (which takes only missing:
 * error or drop). A ConfigError lists every key that does not, at its line.
 */
export function checkColumnKeys(cfg: ColumnsSpec & { path: string; features?: string[] }, locate: ColumnLocator): void {
  if (!cfg.columns || Object.keys(cfg.columns).length === 0) return;
  const header = readCsvHeader(cfg.path);
  const features = cfg.features ?? header.filter((h) => h !== cfg.label);
  const issues: { place: import('../errors.js').Place; message: string; hint?: string }[] = [];
  for (const [name, rule] of Object.entries(cfg.columns)) {
    const place = locate(['data', 'columns', name]);
    if (name === cfg.label) {
      const bad = Object.keys(rule).find((k) => k !== 'missing' && rule[k as keyof ColumnConfig] !== undefined);
      if (bad !== undefined)
        issues.push({
          place: locate(['data', 'columns', name, bad]),
          message: `'${oneLine(name, 60)}' is the label column: it takes only missing (error or drop)`,
        });
      else if (rule.missing !== undefined && rule.missing !== 'error' && rule.missing !== 'drop') {
        issues.push({
          place: locate(['data', 'columns', name, 'missing']),
          message: 'a missing label cannot be filled in',
          hint: 'use missing: drop to leave such rows out',
        });
      }
      continue;
    }
    if (features.includes(name)) {
      if (rule.dim !== undefined && rule.encoding !== 'embedding') {
        issues.push({
          place: locate(['data', 'columns', name, 'dim']),
          message: 'dim is the size of an embedding',
          hint: 'add encoding: embedding, or remove dim',
        });
      }
      if (rule.type === 'numeric' && (rule.encoding !== undefined || rule.unknown !== undefined)) {
        const key = rule.encoding !== undefined ? 'encoding' : 'unknown';
        issues.push({ place: locate(['data', 'columns', name, key]), message: `${key} applies to categorical columns, and this one is numeric` });
      }
      continue;
    }
    const message = header.includes(name) ? `'${oneLine(name, 60)}' is not one of data.features` : `the data file has no column '${oneLine(name, 60)}'`;
    const near = closest(name, features);
    issues.push({ place, message, hint: near ? `did you mean '${oneLine(near, 60)}'?` : `the feature columns are ${oneLine(features.join(', '), 200)}` });
  }
  if (issues.length) throw new ConfigError(issues);
}
