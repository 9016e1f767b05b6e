// configs/diabetes.yaml trains on datasets/diabetes.csv to the validation R² of ordinary least
// squares fitted on the same training split (within 0.05).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { olsR2OfRun } from '../ols.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());



const SEEDS = (process.env.DLF_DIABETES_SEEDS ?? '1').split(',');

describe('configs/diabetes.yaml', () => {
  it('has 442 rows of 10 features and a target', () => {
    const lines = readFileSync(repo('datasets/diabetes.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,target');
    expect(lines).toHaveLength(443);
  });

  it.each(SEEDS)('reaches the validation R² of least squares within 0.05 (seed %s)', async (seed) => {
    const run = join(tmp.dir, `seed-${seed}`);
    const r = await dlf('train', repo('configs/diabetes.yaml'), '--out', run, '--quiet', '--seed', seed);
    expect(r.code).toBe(0);
    const e = await dlf('eval', run, '--json');
    const r2 = (JSON.parse(e.stdout) as { metrics: { r2: number } }).metrics.r2;
    const ols = olsR2OfRun(run);
    if (process.env.DLF_DIABETES_SEEDS) console.log(`seed ${seed}: dlf R² ${r2.toFixed(4)}, OLS R² ${ols.toFixed(4)}`);
    expect(r2).toBeGreaterThanOrEqual(ols - 0.05);
  });
});
