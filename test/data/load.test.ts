import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadData, loadTestSet } from '../../src/data/load.js';
import { dataDims } from '../../src/data/dims.js';
import { DataSchema } from '../../src/config/schema.js';
import { DataError } from '../../src/errors.js';
import type { CsvDataConfig } from '../../src/data/dataset.js';
import { DATASETS, dataError, removeTempDirs, tempCsv } from './helpers.js';

afterAll(removeTempDirs);

const hex = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
const snapshot = (d: ReturnType<typeof loadData>) => [hex(d.train.x), hex(d.train.y), hex(d.val.x), hex(d.val.y)];

describe('loadData', () => {
  it('loads, splits and standardises iris', () => {
    const cfg = DataSchema.parse({ source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species' });
    const d = loadData(cfg, 0);
    expect([d.train.n, d.val.n]).toEqual([120, 30]);
    expect(d.preprocessing.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.preprocessing.kind).toBe('table');
    if (d.preprocessing.kind === 'table') expect(d.preprocessing.features.length).toBe(4);
    expect(d.train.shape).toBeUndefined();
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < d.train.n; i++) s += d.train.x[i * 4 + j];
      expect(s / d.train.n).toBeCloseTo(0, 5);
    }
  });

  it.each(['linear', 'xor', 'moons', 'spirals'])('%s: same seed gives the same bytes, another seed others', (source) => {
    const cfg = DataSchema.parse({ source, samples: 200 });
    expect(snapshot(loadData(cfg, 42))).toEqual(snapshot(loadData(cfg, 42)));
    expect(snapshot(loadData(cfg, 42))).not.toEqual(snapshot(loadData(cfg, 43)));
    const d = loadData(cfg, 42);
    expect([d.train.n, d.val.n]).toEqual([160, 40]);
  });

  it('uses separate streams: a CSV split depends on the seed, its rows do not', () => {
    const cfg = DataSchema.parse({ source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species', standardize: false });
    const a = loadData(cfg, 1);
    const b = loadData(cfg, 2);
    expect(hex(a.val.y)).not.toEqual(hex(b.val.y));
    const sum = (d: typeof a) => [...d.train.x, ...d.val.x].reduce((s, v) => s + v, 0);
    expect(sum(a)).toBeCloseTo(sum(b), 3);
  });

  it('passes data errors through', () => {
    const cfg = DataSchema.parse({ source: 'csv', path: join(DATASETS, 'none.csv'), label: 'y' });
    expect(() => loadData(cfg, 0)).toThrow(DataError);
  });
});

describe('loadTestSet (csv and generators)', () => {
  const lines = readFileSync(join(DATASETS, 'iris.csv'), 'utf8').trim().split('\n');

  it('csv: reads data.test with the run’s statistics and class indices', () => {
    // The test file holds only virginica and setosa rows, in that order: class indices must still
    // follow the run's classes (setosa 0, virginica 2), not the file's own sorted labels.
    const test = tempCsv([lines[0], lines[150], lines[1]].join('\n') + '\n', 'test.csv');
    const cfg = DataSchema.parse({ source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species', test });
    const d = loadData(cfg, 0);
    const t = loadTestSet(cfg, d.preprocessing)!;
    expect(t.n).toBe(2);
    expect(Array.from(t.y)).toEqual([2, 0]);
    expect(t.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const p = d.preprocessing;
    if (p.kind !== 'table') throw new Error('expected a table');
    const sepal = Number(lines[150].split(',')[0]);
    expect(t.x[0]).toBeCloseTo((sepal - p.mean[0]) / p.std[0], 5);
  });

  it('csv: undefined without data.test; errors name the test file', () => {
    const cfg = DataSchema.parse({ source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species' }) as CsvDataConfig;
    const prep = loadData(cfg, 0).preprocessing;
    expect(loadTestSet(cfg, prep)).toBeUndefined();
    const test = tempCsv(lines[0] + '\n5,3,1,0.2,daisy\n', 'test.csv');
    const e = dataError(() => loadTestSet({ ...cfg, test }, prep));
    expect(e.message).toBe("unknown class 'daisy'");
    expect(e.place.file).toBe(test);
  });

  it.each(['linear', 'xor', 'moons', 'spirals'])('%s: no test set', (source) => {
    const cfg = DataSchema.parse({ source, samples: 20 });
    expect(loadTestSet(cfg, loadData(cfg, 0).preprocessing)).toBeUndefined();
  });
});

describe('dataDims (csv and generators)', () => {
  it.each([
    [{ source: 'linear' }, { task: 'regression', sampleShape: [1] }],
    [{ source: 'xor' }, { task: 'classification', sampleShape: [2], classes: 2 }],
    [{ source: 'moons' }, { task: 'classification', sampleShape: [2], classes: 2 }],
    [
      { source: 'spirals', classes: 5 },
      { task: 'classification', sampleShape: [2], classes: 5 },
    ],
    [
      { source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species' },
      { task: 'classification', sampleShape: [4], classes: 3 },
    ],
    [
      { source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species', features: ['sepal_width'] },
      { task: 'classification', sampleShape: [1], classes: 3 },
    ],
    [
      { source: 'csv', path: join(DATASETS, 'digits.csv'), label: 'digit' },
      { task: 'classification', sampleShape: [64], classes: 10 },
    ],
  ])('%o', (cfg, dims) => {
    expect(dataDims(DataSchema.parse(cfg))).toEqual(dims);
  });

  it('names a missing label column', () => {
    const e = dataError(() => dataDims(DataSchema.parse({ source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'specie' })));
    expect(e.hint).toMatch(/^did you mean 'species'\? the columns are 'sepal_length'/);
    expect(e.place).toMatchObject({ line: 1, column: 'specie' });
  });
});
