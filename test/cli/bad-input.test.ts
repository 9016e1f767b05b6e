// Every kind of bad input gives one clear line naming the file and the place, exit code 2, and no
// run directory; a diverging loss stops training with exit code 1 and keeps the last checkpoint.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const digits = repo('datasets', 'digits.csv');
const base = (body: string) => `name: t\nseed: 1\n${body}`;
const csvData = (path: string, label = 'digit') => `data:\n  source: csv\n  path: ${path}\n  label: ${label}\n`;
const mlp = `model:\n  layers:\n    - {type: dense, units: 8, activation: relu}\n    - {type: dense, units: 10}\n`;
const trainBlock = `train:\n  epochs: 1\n  batch_size: 32\n  optimizer: {type: adam, lr: 0.01}\n`;

interface Case {
  name: string;
  file?: string; // config text; absent = missing file
  extra?: string[];
  expect: RegExp[];
}

const cases: Case[] = [
  { name: 'missing config file', expect: [/nope\.yaml/, /not found/] },
  { name: 'invalid YAML', file: base(`data: {source: csv\n${mlp}`), expect: [/bad\.yaml:\d+:\d+/, /YAML/i] },
  {
    name: 'wrong type',
    file: base(csvData(digits) + `model:\n  layers:\n    - {type: dense, units: many}\n` + trainBlock),
    expect: [/bad\.yaml:9:\d+: model\.layers\.0\.units/],
  },
  {
    name: 'unknown key',
    file: base(csvData(digits) + mlp + `train:\n  epoch: 3\n`),
    expect: [/bad\.yaml:12:\d+: train\.epoch/, /did you mean 'epochs'/],
  },
  {
    name: 'negative learning rate',
    file: base(csvData(digits) + mlp + `train:\n  optimizer: {type: adam, lr: -0.1}\n`),
    expect: [/bad\.yaml:12:\d+: train\.optimizer\.lr/],
  },
  {
    name: 'missing data file',
    file: base(csvData('no-such.csv') + mlp + trainBlock),
    expect: [/no-such\.csv/, /not found/],
  },
  {
    name: 'non-numeric CSV cell',
    file: base(csvData('cells.csv', 'y') + mlp + trainBlock),
    expect: [/cells\.csv/, /row 3/, /column 'b'/],
  },
  {
    name: 'label column that does not exist',
    file: base(csvData(digits, 'digits') + mlp + trainBlock),
    expect: [/digits\.csv/, /'digits'/, /did you mean 'digit'/],
  },
  {
    name: 'shape mismatch between layers',
    file: base(
      csvData(digits) +
        `model:\n  graph:\n    params:\n      w1: {shape: [64, 16]}\n      w2: {shape: [8, 10]}\n    nodes:\n` +
        `      - {name: h, op: matmul, inputs: [x, w1]}\n      - {name: out, op: matmul, inputs: [h, w2]}\n    output: out\n` +
        trainBlock,
    ),
    expect: [/bad\.yaml:14:\d+/, /node 'out'/, /inner sizes differ: 16 .* vs 8/],
  },
  {
    name: 'output units that do not fit the classes',
    file: base(csvData(digits) + `model:\n  layers:\n    - {type: dense, units: 3}\n` + trainBlock),
    expect: [/bad\.yaml:9:\d+/, /ends in 3 units but the data has 10 classes/],
  },
  {
    name: 'bad --set value',
    file: base(csvData(digits) + mlp + trainBlock),
    extra: ['--set', 'train.batch_size=-4'],
    expect: [/--set train\.batch_size=-4/, /train\.batch_size/],
  },
];

describe('bad input: one clear line, exit code 2, no run directory', () => {
  tmp.write('cells.csv', 'a,b,y\n1,2,0\n3,x,1\n');
  for (const c of cases) {
    it(c.name, async () => {
      const cfg = c.file === undefined ? join(tmp.dir, 'nope.yaml') : tmp.write('bad.yaml', c.file);
      const out = join(tmp.dir, `run-${c.name.replace(/\W+/g, '-')}`);
      const r = await dlf('train', cfg, '--out', out, ...(c.extra ?? []));
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length).toBe(1);
      for (const re of c.expect) expect(r.stderr).toMatch(re);
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('a diverging loss', () => {
  it('stops with exit code 1 naming epoch and step, and keeps the last good checkpoint', async () => {
    const cfg = repo('configs', 'linear.yaml');
    const out = join(tmp.dir, 'diverge');
    const r = await dlf('train', cfg, '--out', out, '--set', 'train.optimizer.lr=1.5', '--epochs', '50');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/loss became (NaN|Infinity|-Infinity) at epoch (\d+), step (\d+)/);
    const failedEpoch = Number(/at epoch (\d+)/.exec(r.stderr)![1]);
    expect(failedEpoch).toBeGreaterThan(1);
    const last = JSON.parse(readFileSync(join(out, 'checkpoints', 'last.json'), 'utf8'));
    expect(last.epoch).toBe(failedEpoch - 1);
    const evalRun = await dlf('eval', out, '--checkpoint', join(out, 'checkpoints', 'last.json'), '--json');
    expect(evalRun.code).toBe(0);
  });
});
