import { describe, expect, it } from 'vitest';
import { generate, linear, type SyntheticConfig } from '../../src/data/synthetic.js';
import { Rng } from '../../src/tensor/rng.js';
import type { Dataset } from '../../src/data/dataset.js';

const base = { samples: 400, noise: 0.1, classes: 3, split: { validation: 0.2, shuffle: true }, standardize: true };
const cfg = (source: SyntheticConfig['source'], extra: Partial<SyntheticConfig> = {}): SyntheticConfig => ({ ...base, source, ...extra }) as SyntheticConfig;

const bytes = (ds: Dataset) => [Buffer.from(ds.x.buffer).toString('hex'), Buffer.from(ds.y.buffer).toString('hex')];

describe.each([
  ['linear', 1, undefined],
  ['xor', 2, 2],
  ['moons', 2, 2],
  ['spirals', 2, 3],
] as const)('%s', (source, features, classes) => {
  const c = cfg(source);

  it('has the right shape', () => {
    const ds = generate(c, new Rng(1));
    expect(ds.n).toBe(400);
    expect(ds.x.length).toBe(400 * features);
    expect(ds.y.length).toBe(400);
    expect(ds.features.length).toBe(features);
    expect(ds.task).toBe(classes === undefined ? 'regression' : 'classification');
    expect(ds.classes?.length).toBe(classes);
    if (classes !== undefined) {
      const counts = new Array(classes).fill(0);
      for (const y of ds.y) counts[y]++;
      for (const k of counts) expect(k).toBeGreaterThanOrEqual(Math.floor(400 / classes));
    }
    expect(ds.x.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic per seed and differs across seeds', () => {
    expect(bytes(generate(c, new Rng(7)))).toEqual(bytes(generate(c, new Rng(7))));
    expect(bytes(generate(c, new Rng(7)))[0]).not.toEqual(bytes(generate(c, new Rng(8)))[0]);
  });
});

describe('generators', () => {
  it('linear fits y ≈ 2x + 3', () => {
    const ds = linear({ samples: 2000, noise: 0.1 }, new Rng(3));
    let sx = 0,
      sy = 0,
      sxx = 0,
      sxy = 0;
    for (let i = 0; i < ds.n; i++) {
      sx += ds.x[i];
      sy += ds.y[i];
      sxx += ds.x[i] * ds.x[i];
      sxy += ds.x[i] * ds.y[i];
    }
    const slope = (ds.n * sxy - sx * sy) / (ds.n * sxx - sx * sx);
    const intercept = (sy - slope * sx) / ds.n;
    expect(slope).toBeCloseTo(2, 1);
    expect(intercept).toBeCloseTo(3, 1);
    expect(Math.min(...ds.x)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...ds.x)).toBeLessThan(1);
  });

  it('linear without noise is exact', () => {
    const ds = linear({ samples: 50, noise: 0 }, new Rng(3));
    for (let i = 0; i < ds.n; i++) expect(ds.y[i]).toBeCloseTo(2 * ds.x[i] + 3, 5);
  });

  it('xor without noise labels by the sign of x1·x2', () => {
    const ds = generate(cfg('xor', { noise: 0 }), new Rng(5));
    for (let i = 0; i < ds.n; i++) {
      const p = ds.x[2 * i] * ds.x[2 * i + 1];
      if (p !== 0) expect(ds.y[i]).toBe(p < 0 ? 1 : 0);
    }
  });

  it('moons without noise lie on their half circles', () => {
    const ds = generate(cfg('moons', { noise: 0 }), new Rng(5));
    for (let i = 0; i < ds.n; i++) {
      const [a, b] = [ds.x[2 * i], ds.x[2 * i + 1]];
      const r = ds.y[i] === 0 ? Math.hypot(a, b) : Math.hypot(a - 1, b - 0.5);
      expect(r).toBeCloseTo(1, 5);
    }
  });

  it('spirals follow the number of arms asked for', () => {
    const ds = generate(cfg('spirals', { classes: 5 }), new Rng(5));
    expect(ds.classes).toEqual(['0', '1', '2', '3', '4']);
    expect(Math.max(...ds.y)).toBe(4);
  });
});
