// Image sets stored as bytes (src/data/pixels.ts) against the same images stored as float32: the
// batches a model is fed, and the fitted preprocessing, must be bit-identical.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DataSchema } from '../../src/config/schema.js';
import { gatherRows, selectRows, sampleSize, type Dataset } from '../../src/data/dataset.js';
import { readIdxImages, readIdxLabels } from '../../src/data/idx.js';
import { type IdxDataConfig, imageShape } from '../../src/data/images.js';
import { loadDataset, loadTestSet, fitPreprocessingFor } from '../../src/data/load.js';
import { splitDataset } from '../../src/data/split.js';
import { applyPreprocessing, applyPreprocessingInPlace } from '../../src/data/standardize.js';
import { Rng, streamSeed } from '../../src/tensor/rng.js';
import { FASHION_SMALL } from './helpers.js';

const idx = (extra: Record<string, unknown> = {}) => DataSchema.parse({ source: 'idx', dir: FASHION_SMALL, ...extra }) as IdxDataConfig;

/** The training images as a float32 data set, as every image set was stored before pixels.ts. */
function floatSet(flatten: boolean): Dataset {
  const images = readIdxImages(join(FASHION_SMALL, 'train-images-idx3-ubyte.gz'));
  const labels = readIdxLabels(join(FASHION_SMALL, 'train-labels-idx1-ubyte.gz'));
  return {
    x: Float32Array.from(images.pixels),
    y: Float32Array.from(labels.labels),
    n: images.count,
    features: [],
    shape: imageShape(images.rows, images.cols, flatten),
    task: 'classification',
    classes: Array.from({ length: 10 }, (_, k) => String(k)),
  };
}

/** Mean and population std of all values, summed in order over one flat array (the reference). */
function flatStats(x: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  const mean = sum / x.length;
  let sq = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    sq += d * d;
  }
  return { mean, std: Math.sqrt(sq / x.length) };
}

/** Every batch of an epoch in a seeded random order, one after another, as bytes. */
function epochBytes(ds: Dataset, batch: number, seed: number): Buffer {
  const order = new Int32Array(ds.n);
  for (let i = 0; i < ds.n; i++) order[i] = i;
  new Rng(seed).shuffle(order);
  const f = sampleSize(ds);
  const out = new Float32Array(ds.n * f);
  const dst = new Float32Array(batch * f);
  for (let start = 0; start < ds.n; start += batch) {
    const count = Math.min(batch, ds.n - start);
    gatherRows(ds, order, start, count, dst);
    out.set(dst.subarray(0, count * f), start * f);
  }
  return Buffer.from(out.buffer);
}

describe('image sets stored as bytes', () => {
  it.each([
    ['unit', false],
    ['unit', true],
    ['standardize', false],
    ['standardize', true],
  ] as const)('feed the same floats as float32 storage (scale %s, flatten %s)', (scale, flatten) => {
    const cfg = idx({ scale, flatten, split: { validation: 0.15 } });
    const parts = (ds: Dataset) => {
      const { train, val } = splitDataset(ds, cfg.split, new Rng(streamSeed(5, 'split')));
      const raw = Float32Array.from(train.x);
      const prep = fitPreprocessingFor(cfg, train);
      return { raw, prep, train: applyPreprocessingInPlace(train, prep), val: applyPreprocessingInPlace(val, prep) };
    };
    const bytes = parts(loadDataset(cfg, 5));
    const floats = parts(floatSet(flatten));
    expect(bytes.train.pixels).toBeDefined();
    expect(floats.train.pixels).toBeUndefined();
    expect(bytes.prep).toEqual(floats.prep); // mean and std to the last bit
    expect(Buffer.from(bytes.raw.buffer).equals(Buffer.from(floats.raw.buffer))).toBe(true);
    if (scale === 'standardize' && bytes.prep.kind === 'image') {
      const want = flatStats(floats.raw);
      expect([bytes.prep.mean, bytes.prep.std]).toEqual([want.mean, want.std]);
    }
    for (const k of ['train', 'val'] as const) {
      expect(bytes[k].n).toBe(floats[k].n);
      expect(Array.from(bytes[k].y)).toEqual(Array.from(floats[k].y));
      expect(epochBytes(bytes[k], 32, 9).equals(epochBytes(floats[k], 32, 9))).toBe(true);
      expect(Buffer.from(bytes[k].x.buffer).equals(Buffer.from(floats[k].x.buffer))).toBe(true);
    }
  });

  it('keep the test set as bytes too, scaled like the training set', () => {
    const cfg = idx({ scale: 'standardize', limit: 300 });
    const prep = fitPreprocessingFor(cfg, loadDataset(cfg, 0));
    const t = loadTestSet(cfg, prep)!;
    expect(t.pixels!.bytes.length).toBe(500 * 784);
    const raw = readIdxImages(join(FASHION_SMALL, 't10k-images-idx3-ubyte.gz')).pixels;
    if (prep.kind !== 'image') throw new Error('expected image preprocessing');
    const want = Float32Array.from(raw, (v) => (v - prep.mean) / prep.std);
    expect(Buffer.from(t.x.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });

  it('are split without copying pixels: a row index into the same bytes', () => {
    const ds = loadDataset(idx(), 0);
    expect(ds.pixels!.bytes.length).toBe(2000 * 784);
    expect(ds.pixels!.index).toBeUndefined();
    const a = selectRows(ds, [5, 3, 1999]);
    const b = selectRows(a, [2, 0]);
    expect(a.pixels!.bytes).toBe(ds.pixels!.bytes);
    expect(b.pixels!.bytes).toBe(ds.pixels!.bytes);
    expect(Array.from(b.pixels!.index!)).toEqual([1999, 5]);
    expect(Array.from(b.y)).toEqual([ds.y[1999], ds.y[5]]);
    expect(Array.from(b.x)).toEqual([...ds.x.subarray(1999 * 784, 2000 * 784), ...ds.x.subarray(5 * 784, 6 * 784)]);
  });

  it('with a limit keep only the first images’ bytes', () => {
    const ds = loadDataset(idx({ limit: 100 }), 0);
    expect(ds.pixels!.bytes.length).toBe(100 * 784);
    expect(ds.pixels!.bytes.buffer.byteLength).toBe(100 * 784);
  });

  it('make x once, on first read, equal to gathering every row', () => {
    const ds = loadDataset(idx({ limit: 10 }), 0);
    const x = ds.x;
    expect(ds.x).toBe(x);
    const all = new Float32Array(10 * 784);
    gatherRows(ds, null, 0, 10, all);
    expect(Array.from(x)).toEqual(Array.from(all));
    expect(Array.from(x.subarray(0, 784))).toEqual(Array.from(ds.pixels!.bytes.subarray(0, 784)));
  });

  it('are preprocessed into a new set; the source keeps its raw values', () => {
    const ds = loadDataset(idx({ limit: 10 }), 0);
    const before = Array.from(ds.x);
    const out = applyPreprocessing(ds, fitPreprocessingFor(idx({ scale: 'unit' }), ds));
    expect(out.pixels!.bytes).toBe(ds.pixels!.bytes);
    expect(Array.from(ds.x)).toEqual(before);
    expect(Array.from(out.x)).toEqual(before.map((v) => Math.fround(v / 255)));
  });
});

describe('gatherRows', () => {
  it.each([
    ['bytes', () => loadDataset(idx({ limit: 6, flatten: true }), 0)],
    ['floats', () => floatSet(true)],
  ])('writes the chosen rows from `at` on and nothing else (%s)', (_, make) => {
    const ds = make();
    const dst = new Float32Array(4 * 784).fill(-1);
    gatherRows(ds, [4, 2, 0], 1, 2, dst, 784);
    expect(dst.subarray(0, 784).every((v) => v === -1)).toBe(true);
    expect(Array.from(dst.subarray(784, 2 * 784))).toEqual(Array.from(ds.x.subarray(2 * 784, 3 * 784)));
    expect(Array.from(dst.subarray(2 * 784, 3 * 784))).toEqual(Array.from(ds.x.subarray(0, 784)));
    expect(dst.subarray(3 * 784).every((v) => v === -1)).toBe(true);
    gatherRows(ds, null, 3, 1, dst);
    expect(Array.from(dst.subarray(0, 784))).toEqual(Array.from(ds.x.subarray(3 * 784, 4 * 784)));
  });
});
