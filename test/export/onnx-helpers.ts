// Shared by the ONNX export tests: training and exporting a run through the CLI, feeding an
// exported model raw rows in ONNX Runtime, dlf predict's records for the same rows, comparing the
// two, and onnx.checker from Debian's python3-onnx when it is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { dlf } from '../cli/helpers.js';

/** Trains a config into `run` with extra CLI arguments (epochs, --set ...). */
export async function train(config: string, run: string, ...args: string[]): Promise<void> {
  const r = await dlf('train', config, '--out', run, '--quiet', ...args);
  expect(r.code, r.stderr).toBe(0);
}

/** Exports `run` to `file` with the CLI; returns the model's metadata. */
export async function exportRun(run: string, file: string, ...args: string[]): Promise<Record<string, string>> {
  const r = await dlf('export', run, '--format', 'onnx', '--out', file, ...args);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/^wrote .*: ONNX IR version 8, opset ai\.onnx 17/);
  return metadataOf(file);
}

export function metadataOf(file: string): Record<string, string> {
  const m = decodeModel(readFileSync(file));
  return Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value]));
}

export type Feeds = Record<string, ort.Tensor>;
export type Outputs = Record<string, { dims: readonly number[]; data: ArrayLike<number> | readonly string[] }>;

/** Runs a model file on `feeds` in ONNX Runtime (one thread). */
export async function runOnnx(file: string, feeds: Feeds): Promise<Outputs> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { dims: t.dims, data: t.data as ArrayLike<number> | string[] }]));
  } finally {
    await session.release();
  }
}

/** A CSV file's header and rows (cells untouched; no quoted cells in the bundled data). */
export function readCsv(file: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',')) };
}

const MISSING = new Set(['', 'NA', 'NaN', '?']);

/**
 * The inputs of a table model for raw CSV rows, laid out as the model's metadata says: the
 * numeric columns as `features` (missing cells NaN), each categorical column as a string input.
 */
export function tableFeeds(meta: Record<string, string>, header: readonly string[], rows: readonly string[][]): Feeds {
  const inputs = JSON.parse(meta.inputs) as Record<string, { columns?: string[]; column?: string }>;
  const at = (name: string) => {
    const c = header.indexOf(name);
    expect(c, `column ${name}`).toBeGreaterThanOrEqual(0);
    return c;
  };
  const feeds: Feeds = {};
  for (const [input, d] of Object.entries(inputs)) {
    if (d.columns) {
      const cols = d.columns.map(at);
      const data = new Float32Array(rows.length * cols.length);
      rows.forEach((row, r) => cols.forEach((c, k) => (data[r * cols.length + k] = MISSING.has(row[c].trim()) ? NaN : Number(row[c]))));
      feeds[input] = new ort.Tensor('float32', data, [rows.length, cols.length]);
    } else {
      const c = at(d.column!);
      feeds[input] = new ort.Tensor(
        'string',
        rows.map((row) => row[c].trim()),
        [rows.length],
      );
    }
  }
  return feeds;
}

/** A CSV file of rows under a header (for dlf predict). */
export function writeCsv(file: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  writeFileSync(file, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
  return file;
}

/** dlf predict's records for an input file, as JSON objects. */
export async function predict(run: string, input: string): Promise<Record<string, string | number | null>[]> {
  const r = await dlf('predict', run, '--input', input, '--format', 'jsonl');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string | number | null>);
}

/** The worst difference between ONNX Runtime's outputs and dlf predict's records. */
export interface Agreement {
  rows: number;
  maxDiff: number;
  labelsDiffer: number;
  /** Rows without a prediction (null in dlf predict's output), NaN and empty in ONNX Runtime's. */
  invalid: number;
}

/**
 * Checks that ONNX Runtime's outputs equal dlf predict's within `tol`: each probability
 * (absolutely) and the class name, or the value (relative to max(1, |value|): a float32 value in
 * target units carries about 7 digits, as predict prints). A class name may differ only where two
 * classes are within `tol` of each other. A row predict leaves empty must be NaN (and an empty name).
 */
export function expectAgreement(
  out: Outputs,
  records: readonly Record<string, string | number | null>[],
  classes: readonly string[] | undefined,
  tol = 1e-5,
): Agreement {
  let maxDiff = 0;
  let labelsDiffer = 0;
  let invalid = 0;
  if (classes) {
    const probs = out.probabilities.data as ArrayLike<number>;
    const labels = out.prediction.data as readonly string[];
    const c = classes.length;
    expect(out.probabilities.dims).toEqual([records.length, c]);
    records.forEach((rec, r) => {
      if (rec.prediction === null) {
        // A row dlf predict leaves out (a drop rule) or refuses: an empty name and NaN.
        expect(labels[r], `row ${r}`).toBe('');
        for (let k = 0; k < c; k++) expect(probs[r * c + k], `row ${r}`).toBeNaN();
        invalid++;
        return;
      }
      const p = classes.map((name) => rec[`p_${name}`] as number);
      for (let k = 0; k < c; k++) maxDiff = Math.max(maxDiff, Math.abs(probs[r * c + k] - p[k]));
      if (labels[r] !== rec.prediction) {
        labelsDiffer++;
        const sorted = [...p].sort((a, b) => b - a);
        expect(sorted[0] - sorted[1], `row ${r}: ${labels[r]} vs ${rec.prediction}`).toBeLessThanOrEqual(tol);
      }
    });
  } else {
    const values = out.prediction.data as ArrayLike<number>;
    const width = out.prediction.dims[1];
    records.forEach((rec, r) => {
      if (rec.prediction === null) {
        expect(values[r * width], `row ${r}`).toBeNaN();
        invalid++;
        return;
      }
      const v = rec.prediction as number;
      maxDiff = Math.max(maxDiff, Math.abs(values[r * width] - v) / Math.max(1, Math.abs(v)));
    });
  }
  expect(maxDiff).toBeLessThanOrEqual(tol);
  return { rows: records.length, maxDiff, labelsDiffer, invalid };
}

/** Why onnx.checker cannot run here, or undefined when Debian's python3-onnx is importable. */
export function onnxCheckerMissing(): string | undefined {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
  if (r.error) return `/usr/bin/python3 cannot be run (${r.error.message}); apt-get install -y python3-onnx`;
  if (r.status !== 0) return `/usr/bin/python3 cannot import onnx (apt-get install -y python3-onnx): ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/** Runs onnx.checker.check_model(full_check=True) on each file; returns its output (throws with the checker's message on failure). */
export function checkWithOnnx(files: readonly string[]): string {
  const script = [
    'import sys, onnx',
    'for f in sys.argv[1:]:',
    '    m = onnx.load(f)',
    '    onnx.checker.check_model(m, full_check=True)',
    '    print(f, m.ir_version, ",".join(f"{o.domain or \'ai.onnx\'}:{o.version}" for o in m.opset_import))',
  ].join('\n');
  return execFileSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
