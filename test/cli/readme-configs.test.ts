// The configs the README ships, trained as they are at every seed 1-5 (each seed its own split),
// reach on held-out data what simple reference models reach: a logistic regression tuned on the
// training split scores 0.95 or more on digits and 0.93 or more on iris, so digits-mlp and iris must
// too, with the last epoch and with the best checkpoint that eval and predict use; diabetes reaches
// the validation R² of least squares fitted on the same training split, within 0.05.
// DLF_README_SCORES=1 prints the scores (the README's table of bundled configs quotes them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { olsR2OfRun } from '../ols.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SEEDS = ['1', '2', '3', '4', '5'];

async function train(name: string, seed: string): Promise<string> {
  const run = join(tmp.dir, `${name}-${seed}`);
  const r = await dlf('train', repo('configs', `${name}.yaml`), '--out', run, '--quiet', '--seed', seed);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return run;
}

/** The metrics of `dlf eval` on the validation split: the best checkpoint. */
async function evaluated(run: string): Promise<Record<string, number>> {
  const r = await dlf('eval', run, '--json');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { metrics: Record<string, number> }).metrics;
}

const show = (line: string) => void (process.env.DLF_README_SCORES && console.log(line));

describe.each([
  ['digits-mlp', 0.95],
  ['iris', 0.93],
])('configs/%s.yaml', (name, least) => {
  it.each(SEEDS)(`reaches ${least} validation accuracy at seed %s`, async (seed) => {
    const run = await train(name, seed);
    const last = (JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { final: { val: { accuracy: number } } }).final.val.accuracy;
    const best = (await evaluated(run)).accuracy;
    show(`${name} seed ${seed}: last epoch ${last.toFixed(4)}, best checkpoint ${best.toFixed(4)}`);
    expect(last).toBeGreaterThanOrEqual(least);
    expect(best).toBeGreaterThanOrEqual(least);
  });
});

describe('configs/diabetes.yaml', () => {
  it('has 442 rows of 10 features and a target', () => {
    const lines = readFileSync(repo('datasets/diabetes.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,target');
    expect(lines).toHaveLength(443);
  });

  it.each(SEEDS)('reaches the validation R² of least squares within 0.05 at seed %s', async (seed) => {
    const run = await train('diabetes', seed);
    const r2 = (await evaluated(run)).r2;
    const ols = olsR2OfRun(run);
    show(`diabetes seed ${seed}: R² ${r2.toFixed(4)}, least squares ${ols.toFixed(4)}`);
    expect(r2).toBeGreaterThanOrEqual(ols - 0.05);
  });
});
