// Property tests of the data readers (fast-check): any bytes and near-misses of valid files, as CSV
// (also as predict's input), as IDX raw or gzip, give a value or a DlfError with printable lines,
// in bounded time. A value read is sound: every CSV feature is finite in float32, an IDX file
// holds exactly the pixels its header announces.
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvHeader, readCsvTable } from '../../src/data/csv.js';
import { FLOAT32_MAX, fromTable } from '../../src/data/dataset.js';
import { readIdxHeader, readIdxImages, readIdxLabels } from '../../src/data/idx.js';
import type { ImagePreprocessing, TablePreprocessing } from '../../src/data/standardize.js';
import { readPredictInput } from '../../src/train/predict.js';
import { scratch, idxImagesRaw } from '../hostile/make.js';
import { RUNS, applyEdits, edits, valueOrDlfError } from '../hostile/property.js';

const tmp = scratch('dlf-data-property-');
afterAll(() => tmp.cleanup());
const path = tmp.path('input');
const put = (bytes: string | Uint8Array) => writeFileSync(path, bytes);

const CSV = 'a,b,label\n1.5,2,x\n-3,4e2,y\n5,.5,x\n7,8,z\n';
const CSV_TOKENS = [
  '"',
  '""',
  ',',
  '\n',
  '\r\n',
  '\r',
  '1e400',
  '-1e39',
  'inf',
  '-inf',
  'NaN',
  'Infinity',
  '0x10',
  '-',
  '.',
  'e',
  ' ',
  '\u0000',
  '\ufeff',
  'é',
  '\u2028',
  'x'.repeat(300),
];

const tablePrep: TablePreprocessing = { kind: 'table', features: ['a', 'b'], mean: [0, 0], std: [1, 1], classes: ['x', 'y', 'z'], task: 'classification' };
const imagePrep: ImagePreprocessing = { kind: 'image', scale: 'unit', mean: 0, std: 255, shape: [4], classes: ['0', '1'], task: 'classification' };

/** Every way dlf reads a CSV file; each gives a sound value or a DlfError. */
function readCsvEveryWay(bytes: string | Uint8Array): void {
  put(bytes);
  const table = valueOrDlfError(() => readCsvTable(path));
  valueOrDlfError(() => readCsvHeader(path));
  if (table) {
    for (const task of ['classification', 'regression'] as const) {
      const ds = valueOrDlfError(() => fromTable(table, { label: 'label', task }, path));
      if (ds) {
        for (const v of ds.x) expect(Math.abs(v)).toBeLessThanOrEqual(FLOAT32_MAX);
        for (const v of ds.y) expect(Number.isFinite(v)).toBe(true);
      }
    }
  }
  const input = valueOrDlfError(() => readPredictInput(path, tablePrep));
  if (input) for (const v of input.x) expect(Number.isFinite(v)).toBe(true);
}

describe('CSV on any input', () => {
  it('any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), readCsvEveryWay), { numRuns: RUNS });
  });

  it('near-misses of a valid file', () => {
    fc.assert(
      fc.property(edits(CSV_TOKENS, 8), (list) => readCsvEveryWay(applyEdits(CSV, list))),
      { numRuns: RUNS * 2 },
    );
  });

  it('invalid UTF-8 bytes inside a valid file', () => {
    const bad = fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf5, 0x80, 0x80, 0x80], [0x80]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: CSV.length }), bad, (at, b) => {
        readCsvEveryWay(Buffer.concat([Buffer.from(CSV.slice(0, at)), Buffer.from(b), Buffer.from(CSV.slice(at))]));
      }),
      { numRuns: RUNS },
    );
  });

  it('the caps hold for any text, with small caps', () => {
    const limits = fc.record({
      recordChars: fc.integer({ min: 1, max: 50 }),
      columns: fc.integer({ min: 1, max: 5 }),
      cells: fc.integer({ min: 1, max: 30 }),
      records: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), limits, (text, lim) => {
        const t = valueOrDlfError(() => parseCsv(text, 'f.csv', lim));
        if (t) {
          expect(t.header.length).toBeLessThanOrEqual(lim.columns);
          expect((t.rows.length + 1) * t.header.length).toBeLessThanOrEqual(lim.cells);
          expect(t.rows.length + 1).toBeLessThanOrEqual(lim.records);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** Every way dlf reads an IDX file; a value holds exactly what its header says. */
function readIdxEveryWay(bytes: Uint8Array): void {
  put(bytes);
  const im = valueOrDlfError(() => readIdxImages(path));
  if (im) expect(im.pixels.length).toBe(im.count * im.rows * im.cols);
  const lb = valueOrDlfError(() => readIdxLabels(path));
  if (lb) expect(lb.labels.length).toBe(lb.count);
  valueOrDlfError(() => readIdxHeader(path, 'images'));
  valueOrDlfError(() => readIdxHeader(path, 'labels'));
  valueOrDlfError(() => readPredictInput(path, imagePrep));
}

describe('IDX on any input', () => {
  it('any bytes, raw and gzip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (bytes, gz) => readIdxEveryWay(gz ? gzipSync(bytes) : bytes)),
      { numRuns: RUNS },
    );
  });

  it('any header numbers with any amount of data', () => {
    const n = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 28, 0xffff, 0x10000, 0x7fffffff, 0xffffffff), fc.nat());
    const magic = fc.constantFrom(0x803, 0x801, 0x802, 0x0d03, 0);
    fc.assert(
      fc.property(magic, n, n, n, fc.integer({ min: 0, max: 300 }), fc.boolean(), (m, count, rows, cols, data, gz) => {
        const b = idxImagesRaw(count, rows, cols, data, m);
        readIdxEveryWay(gz ? gzipSync(b) : b);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('a valid gzip file with bytes flipped or cut', () => {
    const valid = gzipSync(idxImagesRaw(3, 2, 2, 12).fill(7, 16));
    const damage = fc.record({
      flips: fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      cut: fc.nat({ max: valid.length }),
    });
    fc.assert(
      fc.property(damage, ({ flips, cut }) => {
        const b = Buffer.from(valid);
        for (const [i, x] of flips) b[i] ^= x;
        readIdxEveryWay(b.subarray(0, b.length - (cut % 8 === 0 ? cut : 0)));
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
