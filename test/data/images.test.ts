import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DataSchema } from '../../src/config/schema.js';
import { loadData, loadDataset, loadTestSet } from '../../src/data/load.js';
import { splitDataset } from '../../src/data/split.js';
import { sampleShape, sampleSize } from '../../src/data/dataset.js';
import { dataDims } from '../../src/data/dims.js';
import type { Preprocessing } from '../../src/data/standardize.js';
import type { IdxDataConfig } from '../../src/data/images.js';
import { Rng, streamSeed } from '../../src/tensor/rng.js';
import { FASHION_SMALL, dataError, idxImages, idxLabels, removeTempDirs, tempIdx } from './helpers.js';

afterAll(removeTempDirs);

const idx = (extra: Record<string, unknown> = {}) => DataSchema.parse({ source: 'idx', dir: FASHION_SMALL, ...extra }) as IdxDataConfig;
const stats = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const m = s / a.length;
  let q = 0;
  for (let i = 0; i < a.length; i++) q += (a[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(q / a.length) };
};
const image = (p: Preprocessing) => {
  if (p.kind !== 'image') throw new Error('expected image preprocessing');
  return p;
};

/** A tiny data set of four 2×2 images with labels 0..3 (classes given in cfg). */
function tiny(gzip = false, test = true) {
  const imgs = [
    [0, 0, 0, 0],
    [255, 255, 255, 255],
    [10, 20, 30, 40],
    [100, 0, 100, 0],
  ];
  const files: Record<string, Buffer> = {
    'train-images-idx3-ubyte.gz': idxImages(2, 2, imgs),
    'train-labels-idx1-ubyte.gz': idxLabels([0, 1, 2, 3]),
  };
  if (test) {
    files['t10k-images-idx3-ubyte.gz'] = idxImages(2, 2, [[51, 51, 51, 51]]);
    files['t10k-labels-idx1-ubyte.gz'] = idxLabels([2]);
  }
  return tempIdx(files, gzip);
}

describe('loadDataset (idx)', () => {
  it('reads the shipped subset as raw pixel values in images of [1, 28, 28]', () => {
    const ds = loadDataset(idx(), 0);
    expect(ds.n).toBe(2000);
    expect(ds.shape).toEqual([1, 28, 28]);
    expect(ds.features).toEqual([]);
    expect(sampleShape(ds)).toEqual([1, 28, 28]);
    expect(sampleSize(ds)).toBe(784);
    expect(ds.x.length).toBe(2000 * 784);
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.task).toBe('classification');
    expect(ds.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(Array.from(ds.y.subarray(0, 4))).toEqual([9, 0, 0, 3]);
  });

  it('flattens, limits and names classes', () => {
    const names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    const ds = loadDataset(idx({ flatten: true, limit: 100, classes: names }), 0);
    expect([ds.n, ds.x.length]).toEqual([100, 78400]);
    expect(ds.shape).toEqual([784]);
    expect(ds.classes![ds.y[0]]).toBe('Ankle boot');
    const all = loadDataset(idx(), 0);
    expect(Array.from(ds.x)).toEqual(Array.from(all.x.subarray(0, 78400))); // the first 100, in order
  });

  it('uses the whole file when limit exceeds it', () => {
    expect(loadDataset(idx({ limit: 5000 }), 0).n).toBe(2000);
  });

  it('rejects a label beyond the classes, and mismatched counts', () => {
    const dir = tiny();
    const e = dataError(() => loadDataset(idx({ dir, classes: ['a', 'b', 'c'] }), 0));
    expect(e.message).toBe('label 3 of item 4 is not one of the 3 classes');
    expect(e.place.file).toBe(join(dir, 'train-labels-idx1-ubyte.gz'));
    const bad = tempIdx({
      'i.idx': idxImages(1, 2, [
        [1, 2],
        [3, 4],
      ]),
      'l.idx': idxLabels([0]),
    });
    expect(dataError(() => loadDataset(idx({ dir: bad, train_images: 'i.idx', train_labels: 'l.idx' }), 0)).message).toBe(
      'images has 2 items but labels has 1 (i.idx)',
    );
  });

  it('names the missing file', () => {
    const dir = tempIdx({});
    const e = dataError(() => loadDataset(idx({ dir }), 0));
    expect(e.place.file).toBe(join(dir, 'train-images-idx3-ubyte.gz'));
  });
});

describe('loadData (idx)', () => {
  it('unit scale: pixels / 255, split 90/10 by default', () => {
    const d = loadData(idx(), 0);
    expect([d.train.n, d.val.n]).toEqual([1800, 200]);
    expect(d.preprocessing).toEqual({
      kind: 'image',
      scale: 'unit',
      mean: 0,
      std: 255,
      shape: [1, 28, 28],
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      task: 'classification',
    });
    expect(d.train.shape).toEqual([1, 28, 28]);
    expect(d.val.shape).toEqual([1, 28, 28]);
    expect(d.train.x.length).toBe(1800 * 784);
    let max = 0;
    for (const v of d.train.x) max = Math.max(max, v);
    expect(max).toBe(1);
    expect(d.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('standardize: one mean and std fitted on the training split only', () => {
    const cfg = idx({ scale: 'standardize', limit: 300 });
    const d = loadData(cfg, 7);
    const p = image(d.preprocessing);
    // The same split of the raw pixels, drawn from the same stream.
    const raw = splitDataset(loadDataset(cfg, 7), cfg.split, new Rng(streamSeed(7, 'split')));
    const want = stats(raw.train.x);
    expect(p.mean).toBeCloseTo(want.mean, 6);
    expect(p.std).toBeCloseTo(want.std, 6);
    const whole = stats(loadDataset(cfg, 7).x);
    expect(p.mean).not.toBeCloseTo(whole.mean, 6); // the validation pixels are not in the fit
    const t = stats(d.train.x);
    expect(t.mean).toBeCloseTo(0, 4);
    expect(t.std).toBeCloseTo(1, 4);
    expect(d.val.x[5]).toBeCloseTo((raw.val.x[5] - p.mean) / p.std, 5);
  });

  it('flatten carries [784] through split and preprocessing', () => {
    const d = loadData(idx({ flatten: true, limit: 50 }), 0);
    expect([d.train.n, d.val.n]).toEqual([45, 5]);
    expect(d.train.shape).toEqual([784]);
    expect(image(d.preprocessing).shape).toEqual([784]);
    expect(d.train.x.length).toBe(45 * 784);
  });

  it('same seed, same bytes', () => {
    const h = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    const a = loadData(idx({ limit: 200, scale: 'standardize' }), 3);
    const b = loadData(idx({ limit: 200, scale: 'standardize' }), 3);
    expect([h(a.train.x), h(a.val.y)]).toEqual([h(b.train.x), h(b.val.y)]);
  });
});

describe('loadTestSet', () => {
  it('idx: the t10k files in dir, preprocessed with the run’s statistics', () => {
    const cfg = idx({ scale: 'standardize', limit: 200 });
    const d = loadData(cfg, 0);
    const t = loadTestSet(cfg, d.preprocessing)!;
    expect(t.n).toBe(500);
    expect(t.shape).toEqual([1, 28, 28]);
    expect(t.classes).toEqual(d.preprocessing.classes);
    const raw = loadDataset(idx({ train_images: 't10k-images-idx3-ubyte.gz', train_labels: 't10k-labels-idx1-ubyte.gz' }), 0);
    const p = image(d.preprocessing);
    expect(t.x[300]).toBeCloseTo((raw.x[300] - p.mean) / p.std, 5);
    expect(Array.from(t.y)).toEqual(Array.from(raw.y));
  });

  it.each([false, true])('idx: tiny set, gzip %s', (gzip) => {
    const cfg = idx({ dir: tiny(gzip), classes: ['a', 'b', 'c', 'd'], split: { validation: 0 } });
    const d = loadData(cfg, 0);
    const t = loadTestSet(cfg, d.preprocessing)!;
    expect(Array.from(t.x)).toEqual([0.2, 0.2, 0.2, 0.2].map(Math.fround));
    expect(Array.from(t.y)).toEqual([2]);
    expect(t.classes).toEqual(['a', 'b', 'c', 'd']);
  });

  it('idx: undefined without test files; an error when only one of them is there or a named one is missing', () => {
    const none = idx({ dir: tiny(false, false), split: { validation: 0 } });
    const prep = loadData(none, 0).preprocessing;
    expect(loadTestSet(none, prep)).toBeUndefined();
    const half = tempIdx({
      'train-images-idx3-ubyte.gz': idxImages(1, 1, [[1]]),
      'train-labels-idx1-ubyte.gz': idxLabels([0]),
      't10k-images-idx3-ubyte.gz': idxImages(1, 1, [[1]]),
    });
    const e = dataError(() => loadTestSet(idx({ dir: half }), prep));
    expect(e.place.file).toBe(join(half, 't10k-labels-idx1-ubyte.gz'));
    const named = idx({ dir: tiny(), test_images: 'other-images.gz' });
    expect(dataError(() => loadTestSet(named, prep)).place.file).toBe(join(named.dir, 'other-images.gz'));
  });

  it('idx: a test set whose images differ in size from the run’s', () => {
    const cfg = idx({ limit: 10 });
    const prep = loadData(cfg, 0).preprocessing;
    const other = idx({ dir: tiny() });
    expect(dataError(() => loadTestSet(other, prep)).message).toBe('the data have samples of shape [1, 2, 2] but the run was trained on [1, 28, 28]');
  });
});

describe('dataDims (idx)', () => {
  it('reads the image size from the header', () => {
    expect(dataDims(idx())).toEqual({ task: 'classification', sampleShape: [1, 28, 28], classes: 10 });
    expect(dataDims(idx({ flatten: true, classes: ['a', 'b', 'c'] }))).toEqual({
      task: 'classification',
      sampleShape: [784],
      classes: 3,
    });
  });

  it('needs only the header: a file without its pixels is enough', () => {
    const header = idxImages(32, 24, []);
    header.writeUInt32BE(1000, 4);
    const dir = tempIdx({ 'train-images-idx3-ubyte.gz': header }, true);
    expect(dataDims(idx({ dir })).sampleShape).toEqual([1, 32, 24]);
    expect(dataError(() => dataDims(idx({ dir: tempIdx({}) }))).message).toBe('IDX file not found');
  });
});
