// data.standardize_target: a regression target with mean 1000 and std 300 is learnt on its
// standardised scale, while metrics, eval and predict speak in its own units; a run saved
// without the key keeps its unstandardised target.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSequenceTask } from '../../src/data/sequence-tasks.js';
import { withTargetDefault } from '../../src/data/split.js';
import type { Config, DataConfig } from '../../src/config/schema.js';
import { Rng } from '../../src/tensor/rng.js';
import { olsR2OfRun } from '../ols.js';
import { dlf, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** 400 rows of y = 1000 + 200·a − 150·b + 80·c + noise (std about 290), from a seeded generator. */
function bigTarget(): string {
  const rng = new Rng(42);
  const lines = ['a,b,c,y'];
  for (let i = 0; i < 400; i++) {
    const [a, b, c, e] = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
    lines.push([a, b, c, 1000 + 200 * a - 150 * b + 80 * c + 100 * e].map((v) => v.toFixed(5)).join(','));
  }
  return lines.join('\n') + '\n';
}

const config = (extra = '') => `name: big
seed: 1
data: {source: csv, path: big.csv, label: y, task: regression${extra}}
model: {layers: [{type: dense, units: 1}]}
train: {epochs: 40, batch_size: 32, optimizer: {type: adam, lr: 0.05}, metrics: [mse, r2]}
`;

let run: string;
beforeAll(async () => {
  tmp.write('big.csv', bigTarget());
  run = join(tmp.dir, 'run');
  const r = await dlf('train', tmp.write('big.yaml', config()), '--out', run, '--quiet');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

describe('standardised regression targets', () => {
  it('records standardize_target: true and the target mean/std in the preprocessing and the checkpoint', () => {
    const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Config;
    expect(cfg.data.source === 'csv' && cfg.data.standardize_target).toBe(true);
    const prep = JSON.parse(readFileSync(join(run, 'preprocessing.json'), 'utf8')) as { target: { mean: number; std: number } };
    expect(prep.target.mean).toBeGreaterThan(950);
    expect(prep.target.mean).toBeLessThan(1050);
    expect(prep.target.std).toBeGreaterThan(250);
    const ckpt = JSON.parse(readFileSync(join(run, 'checkpoints/best.json'), 'utf8')) as { preprocessing: unknown };
    expect(ckpt.preprocessing).toEqual(prep);
  });

  it('reaches the R² of least squares, and eval reports metrics in the original units', async () => {
    const ols = olsR2OfRun(run);
    const r = await dlf('eval', run, '--json');
    expect(r.code).toBe(0);
    const m = (JSON.parse(r.stdout) as { metrics: { loss: number; mse: number; r2: number } }).metrics;
    expect(m.r2).toBeGreaterThan(ols - 0.02);
    // mse in the target's units (the noise alone has variance 10^4); the loss in standardised units.
    expect(m.mse).toBeGreaterThan(5000);
    expect(m.loss).toBeLessThan(1);
    const last = JSON.parse(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { val: { mse: number } };
    expect(last.val.mse).toBeGreaterThan(5000);
  });

  it('predicts in the original units', async () => {
    const r = await dlf('predict', run, '--input', join(tmp.dir, 'big.csv'));
    expect(r.code).toBe(0);
    const preds = r.stdout.trim().split('\n').slice(1).map(Number);
    expect(preds).toHaveLength(400);
    const mean = preds.reduce((s, v) => s + v, 0) / preds.length;
    expect(mean).toBeGreaterThan(950);
    expect(mean).toBeLessThan(1050);
  });

  it('leaves the target as it is with standardize_target: false, and for a data config saved without the key', async () => {
    const plain = join(tmp.dir, 'plain');
    const r = await dlf('train', tmp.write('plain.yaml', config(', standardize_target: false')), '--out', plain, '--quiet', '--epochs', '1');
    expect(r.code).toBe(0);
    const prep = JSON.parse(readFileSync(join(plain, 'preprocessing.json'), 'utf8')) as Record<string, unknown>;
    expect(prep.target).toBeUndefined();
    const data = { source: 'linear', samples: 10, noise: 0.1, classes: 3, standardize: true, split: { validation: 0.2, shuffle: true } } as const;
    const target = (d: DataConfig) => (d.source === 'idx' || d.source === 'text' || isSequenceTask(d) ? undefined : d.standardize_target);
    expect(target(withTargetDefault<DataConfig>(data))).toBe(true);
    expect(target(withTargetDefault<DataConfig>({ ...data, source: 'xor' }))).toBe(false);
    expect(target(withTargetDefault<DataConfig>({ ...data, standardize_target: false }))).toBe(false);
  });
});
