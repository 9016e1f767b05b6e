import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadData } from '../../src/data/load.js';
import { DataSchema } from '../../src/config/schema.js';
import { DataError } from '../../src/errors.js';
import { DATASETS } from './helpers.js';

const hex = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
const snapshot = (d: ReturnType<typeof loadData>) => [hex(d.train.x), hex(d.train.y), hex(d.val.x), hex(d.val.y)];

describe('loadData', () => {
  it('loads, splits and standardises iris', () => {
    const cfg = DataSchema.parse({ source: 'csv', path: join(DATASETS, 'iris.csv'), label: 'species' });
    const d = loadData(cfg, 0);
    expect([d.train.n, d.val.n]).toEqual([120, 30]);
    expect(d.preprocessing.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.preprocessing.features.length).toBe(4);
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
