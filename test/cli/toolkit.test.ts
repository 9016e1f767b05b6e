// The toolkit end to end: a small CNN on the bundled Fashion-MNIST subset scored on its test set,
// early stopping that keeps the best checkpoint, and eval on every split.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe('images', () => {
  it('trains a CNN on the bundled IDX subset, scores the test set, and eval agrees', async () => {
    const out = join(tmp.dir, 'cnn');
    const r = await dlf('train', repo('configs', 'fashion-small.yaml'), '--out', out, '--json', '--epochs', '2', '--set', 'data.limit=400');
    expect(r.code).toBe(0);
    const end = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(end.type).toBe('end');
    expect(end.final.test.accuracy).toBeGreaterThan(0.2); // 10 classes: chance is 0.1
    const ev = await dlf('eval', out, '--split', 'test', '--json');
    expect(ev.code).toBe(0);
    const res = JSON.parse(ev.stdout);
    expect(res.samples).toBe(500);
    expect(res.metrics).toEqual(end.final.test);
    expect(res.confusion).toHaveLength(10);
    expect(res.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(500);
    expect(res.classes[0]).toBe('T-shirt/top');
    expect(Object.keys(res.metrics)).toEqual(['loss', 'accuracy', 'top_k_accuracy', 'f1']);
  });
});

describe('early stopping', () => {
  it('stops when the monitored metric stops improving and keeps the best checkpoint', async () => {
    const cfg = tmp.write(
      'es.yaml',
      `name: es
seed: 2
data: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species}
model:
  layers:
    - {type: dense, units: 32, activation: relu}
    - {type: dense, units: 3}
train:
  epochs: 200
  batch_size: 8
  optimizer: {type: adam, lr: 0.05}
  early_stopping: {metric: val.loss, patience: 3}
`,
    );
    const out = join(tmp.dir, 'es');
    expect((await dlf('train', cfg, '--out', out, '--quiet')).code).toBe(0);
    const m = readJson(join(out, 'metrics.json'));
    expect(m.stopped).toBe('early_stopping');
    expect(m.epochs).toBeLessThan(200);
    expect(m.epochs - m.best.epoch).toBe(3);
    const best = readJson(join(out, 'checkpoints', 'best.json'));
    expect(best.epoch).toBe(m.best.epoch);
    const history = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const minLoss = Math.min(...history.map((h) => h.val.loss));
    expect(m.best.value).toBe(minLoss);
  });
});

describe('csv test sets', () => {
  it('data.test is scored by eval --split test', async () => {
    const cfg = tmp.write(
      'test.yaml',
      `name: t
data: {source: csv, path: ${repo('datasets', 'iris.csv')}, label: species, test: ${repo('datasets', 'iris.csv')}}
model: {layers: [{type: dense, units: 3}]}
train: {epochs: 2}
`,
    );
    const out = join(tmp.dir, 'csvtest');
    expect((await dlf('train', cfg, '--out', out, '--quiet')).code).toBe(0);
    const ev = JSON.parse((await dlf('eval', out, '--split', 'test', '--json')).stdout);
    expect(ev.samples).toBe(150);
    const none = await dlf('eval', join(tmp.dir, 'es'), '--split', 'test');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no test set/);
  });
});
