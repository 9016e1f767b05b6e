// dlf cv end to end on the bundled iris data: k fold runs under one parent, mean ± std in cv.json,
// stratified validation folds, and a resume that reruns no finished fold.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadData } from '../../src/data/load.js';
import { dlf, repo, tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const iris = repo('configs', 'iris.yaml');

describe('dlf cv', () => {
  const parent = join(tmp.dir, 'cv');

  it('trains 3 folds and writes the mean and std of every validation metric', async () => {
    const r = await dlf('cv', iris, '--folds', '3', '--out', parent, '--set', 'train.epochs=3');
    expect(r.stderr).toMatch(/fold 3\/3: val\.loss/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/val\.accuracy\s+\d\.\d{4} ± \d\.\d{4}/);
    const cv = JSON.parse(readFileSync(join(parent, 'cv.json'), 'utf8'));
    expect(cv).toMatchObject({ k: 3, seed: 3, complete: true, set: ['train.epochs=3'] });
    expect(cv.folds.map((f: { dir: string }) => f.dir)).toEqual(['fold-1', 'fold-2', 'fold-3']);
    const accs = cv.folds.map((f: { final: { val: { accuracy: number } } }) => f.final.val.accuracy);
    const mean = accs.reduce((a: number, b: number) => a + b, 0) / 3;
    expect(cv.val.mean.accuracy).toBeCloseTo(mean, 12);
    expect(cv.val.std.accuracy).toBeCloseTo(Math.sqrt(accs.reduce((a: number, b: number) => a + (b - mean) ** 2, 0) / 3), 12);
    expect(Object.keys(cv.val.mean).sort()).toEqual(['accuracy', 'loss']);
    for (let i = 1; i <= 3; i++) expect(existsSync(join(parent, `fold-${i}`, 'checkpoints', 'best.json'))).toBe(true);
    expect(existsSync(join(parent, '.dlf.lock'))).toBe(false);
  });

  it('holds each class in proportion in each validation fold, and every row out once', () => {
    const seen: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const { config } = loadConfig(join(parent, `fold-${i}`, 'config.json'));
      expect(config.data.split.fold).toEqual({ k: 3, index: i });
      const { train, val } = loadData(config.data, config.seed);
      expect(train.n + val.n).toBe(150);
      for (let c = 0; c < 3; c++) {
        const n = Array.from(val.y).filter((y) => y === c).length;
        expect([16, 17]).toContain(n); // 50 of each species over 3 folds
      }
      seen.push(val.n);
    }
    expect(seen.reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('--resume reruns no finished fold and redoes the missing ones', async () => {
    const mtime = (f: string) => statSync(join(parent, f)).mtimeMs;
    const before = mtime('fold-1/metrics.json');
    rmSync(join(parent, 'fold-3'), { recursive: true });
    rmSync(join(parent, 'fold-2', 'metrics.json')); // as if stopped after its last checkpoint
    const r = await dlf('cv', '--resume', parent);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/fold 1\/3: .*\(collected/);
    expect(r.stderr).toMatch(/fold 2\/3: .*\(resumed/);
    expect(r.stderr).toMatch(/fold 3\/3: .*\(trained/);
    expect(mtime('fold-1/metrics.json')).toBe(before);
    expect(JSON.parse(readFileSync(join(parent, 'cv.json'), 'utf8')).complete).toBe(true);
  });

  it('refuses bad usage with exit code 2 and leaves nothing behind', async () => {
    expect((await dlf('cv', iris)).code).toBe(2);
    expect((await dlf('cv', iris, '--folds', '1')).code).toBe(2);
    const r = await dlf('cv', '--resume', tmp.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a cross-validation directory/);
    const bad = await dlf('cv', iris, '--folds', '3', '--out', join(tmp.dir, 'bad'), '--set', 'model.layers.0.units=0');
    expect(bad.code).toBe(2);
    expect(existsSync(join(tmp.dir, 'bad'))).toBe(false);
  });
});
