// dlf gradcheck: the compiled gradients of whole configs agree with finite differences in
// float64 (dropout masks held fixed, batchnorm in training mode); a failure exits with code 1.
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const regularised = () =>
  tmp.write(
    'bn-dropout.yaml',
    `name: bn-dropout\nseed: 5\ndata:\n  source: csv\n  path: ${repo('datasets/iris.csv')}\n  label: species\nmodel:\n  layers:\n` +
      `    - {type: dense, units: 8, activation: relu}\n    - {type: batchnorm}\n    - {type: dropout, rate: 0.3}\n    - {type: dense, units: 3}\n` +
      `train:\n  batch_size: 16\n`,
  );

describe('dlf gradcheck', () => {
  it('passes on configs/iris.yaml with one line per parameter', async () => {
    const r = await dlf('gradcheck', repo('configs/iris.yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 training samples, float64/);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('layer'));
    expect(rows.map((l) => l.split(/\s{2,}/)).map((c) => [c[0], c[2]])).toEqual([
      ['layer0/dense/w', '32/64'],
      ['layer0/dense/b', '16/16'],
      ['layer1/dense/w', '32/48'],
      ['layer1/dense/b', '3/3'],
    ]);
    for (const l of rows) expect(l).toMatch(/\sok$/);
    expect(r.stdout).toMatch(/^ok: 4 parameters within relative error 0\.0001$/m);
  });

  it('passes with batchnorm and dropout, --json', async () => {
    const r = await dlf('gradcheck', regularised(), '--samples', '8', '--max-elements', '100', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(true);
    expect(j.samples).toBe(8);
    expect(j.params.map((p: any) => [p.name, p.checked, p.ok])).toEqual([
      ['layer0/dense/w', 32, true],
      ['layer0/dense/b', 8, true],
      ['layer1/batchnorm/gamma', 8, true],
      ['layer1/batchnorm/beta', 8, true],
      ['layer3/dense/w', 24, true],
      ['layer3/dense/b', 3, true],
    ]);
    for (const p of j.params) expect(p.maxRelError).toBeLessThan(1e-4);
  });

  it('passes on a sequence task with a label per token (each sample a row of labels)', async () => {
    const cfg = tmp.write(
      'seq.yaml',
      'name: seq\nseed: 2\ndata: {source: sort, samples: 40, length: 5}\nmodel:\n  layers:\n    - {type: embedding, dim: 6}\n    - {type: dense, units: classes}\n',
    );
    const r = await dlf('gradcheck', cfg);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok: 3 parameters within relative error/);
  });

  it('is deterministic', async () => {
    const a = await dlf('gradcheck', regularised(), '--json');
    const b = await dlf('gradcheck', regularised(), '--json');
    expect(a.stdout).toBe(b.stdout);
  });

  it('exits with code 1 naming the parameters when the tolerance is not met', async () => {
    const r = await dlf('gradcheck', repo('configs/iris.yaml'), '--tolerance', '1e-15');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL/);
    expect(r.stderr).toMatch(/gradient check failed for \d+ parameters?: layer/);
  });

  it('rejects bad flags with exit code 2', async () => {
    expect((await dlf('gradcheck', repo('configs/iris.yaml'), '--samples', '0')).code).toBe(2);
    expect((await dlf('gradcheck', repo('configs/iris.yaml'), '--tolerance', 'x')).code).toBe(2);
    expect((await dlf('gradcheck', repo('configs/iris.yaml'), '--max-elements', '-3')).code).toBe(2);
  });
});
