// dlf predict: a trained run's predictions for new CSV rows or IDX images, as CSV or JSONL, with
// the run's preprocessing; bad input exits with code 2 naming the place.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const iris = readFileSync(repo('datasets/iris.csv'), 'utf8').trim().split('\n');
const CLASSES = ['setosa', 'versicolor', 'virginica'];
/** iris.csv with the species column dropped (and optionally other columns). */
const irisWithout = (...drop: string[]) => {
  const header = iris[0].split(',');
  const keep = header.map((h, i) => (drop.includes(h) || h === 'species' ? -1 : i)).filter((i) => i >= 0);
  return iris.map((l) => keep.map((i) => l.split(',')[i]).join(',')).join('\n') + '\n';
};
const parseCsv = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.split(','));
let irisRun: string;

beforeAll(async () => {
  irisRun = join(tmp.dir, 'iris');
  const r = await dlf('train', repo('configs/iris.yaml'), '--out', irisRun, '--quiet', '--epochs', '3');
  expect(r.code).toBe(0);
});

describe('dlf predict on a table run', () => {
  it('predicts 150 iris rows without the label column: class names and probabilities summing to 1', async () => {
    const input = tmp.write('unlabeled.csv', irisWithout());
    const r = await dlf('predict', irisRun, '--input', input);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(['prediction', 'p_setosa', 'p_versicolor', 'p_virginica']);
    expect(rows).toHaveLength(150);
    for (const row of rows) {
      expect(CLASSES).toContain(row[0]);
      const p = row.slice(1).map(Number);
      expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      expect(row[0]).toBe(CLASSES[p.indexOf(Math.max(...p))]);
    }
    // After 3 epochs the classes are mostly right already.
    const truth = iris.slice(1).map((l) => l.split(',')[4]);
    const right = rows.filter((row, i) => row[0] === truth[i]).length;
    expect(right).toBeGreaterThan(100);
  });

  it('ignores a label column and the batch size does not change the predictions', async () => {
    const unlabeled = await dlf('predict', irisRun, '--input', tmp.write('u2.csv', irisWithout()));
    const labeled = await dlf('predict', irisRun, '--input', repo('datasets/iris.csv'), '--batch-size', '7');
    expect(labeled.code).toBe(0);
    expect(labeled.stdout).toBe(unlabeled.stdout);
  });

  it('writes JSONL to stdout with --format jsonl, and to a file chosen by its extension', async () => {
    const input = tmp.write('u3.csv', irisWithout());
    const r = await dlf('predict', irisRun, '--input', input, '--format', 'jsonl');
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(150);
    expect(Object.keys(records[0])).toEqual(['prediction', 'p_setosa', 'p_versicolor', 'p_virginica']);
    expect(typeof records[0].p_setosa).toBe('number');

    const out = join(tmp.dir, 'out', 'pred.jsonl');
    const f = await dlf('predict', irisRun, '--input', input, '--output', out);
    expect(f.code).toBe(0);
    expect(f.stdout).toBe('');
    expect(f.stderr).toMatch(/wrote 150 predictions/);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout);
    expect(readdirSync(join(tmp.dir, 'out'))).toEqual(['pred.jsonl']); // no temporary file left

    const csvOut = join(tmp.dir, 'out', 'pred.csv');
    expect((await dlf('predict', irisRun, '--input', input, '--output', csvOut)).code).toBe(0);
    expect(readFileSync(csvOut, 'utf8').split('\n')[0]).toBe('prediction,p_setosa,p_versicolor,p_virginica');
  });

  it('uses another checkpoint with --checkpoint', async () => {
    const input = tmp.write('u4.csv', irisWithout());
    const best = await dlf('predict', irisRun, '--input', input);
    const last = await dlf('predict', irisRun, '--input', input, '--checkpoint', join(irisRun, 'checkpoints', 'last.json'));
    expect(last.code).toBe(0);
    expect(parseCsv(last.stdout)).toHaveLength(151);
    expect(best.code).toBe(0);
  });

  it('a missing feature column exits with code 2 naming the column', async () => {
    const input = tmp.write('missing.csv', irisWithout('petal_width'));
    const r = await dlf('predict', irisRun, '--input', input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/missing\.csv: column 'petal_width': feature column missing from the input/);
  });

  it('a non-numeric cell exits with code 2 naming the file, row and column', async () => {
    const lines = irisWithout().split('\n');
    lines[3] = '4.7,3.2,abc,0.2';
    const r = await dlf('predict', irisRun, '--input', tmp.write('bad.csv', lines.join('\n')));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv:4: row 4, column 'petal_length': not a number: 'abc'/);
  });

  it('leaves no output file when the input is bad, and rejects a bad --format', async () => {
    const out = join(tmp.dir, 'never.csv');
    const r = await dlf('predict', irisRun, '--input', tmp.write('m2.csv', irisWithout('sepal_length')), '--output', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const f = await dlf('predict', irisRun, '--input', repo('datasets/iris.csv'), '--format', 'xml');
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/--format must be csv or jsonl/);
  });

  it('refuses IDX images for a table run and needs --input', async () => {
    const r = await dlf('predict', irisRun, '--input', repo('datasets/fashion-mnist-small/t10k-images-idx3-ubyte.gz'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IDX file but the run was trained on a table/);
    expect((await dlf('predict', irisRun)).code).toBe(2);
  });
});

describe('dlf predict on other runs', () => {
  it('regression: the value itself (linear: y ≈ 2x + 3)', async () => {
    const run = join(tmp.dir, 'linear');
    expect((await dlf('train', repo('configs/linear.yaml'), '--out', run, '--quiet')).code).toBe(0);
    const r = await dlf('predict', run, '--input', tmp.write('x.csv', 'x\n0\n1\n-2\n'));
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(['prediction']);
    expect(rows.map((row) => Number(row[0]))).toEqual([expect.closeTo(3, 1), expect.closeTo(5, 1), expect.closeTo(-1, 1)]);
  });

  it('one logit with a sigmoid loss: two class probabilities', async () => {
    const run = join(tmp.dir, 'xor');
    const t = await dlf(
      'train',
      repo('configs/xor.yaml'),
      '--out',
      run,
      '--quiet',
      '--epochs',
      '2',
      '--set',
      'model.layers.1.units=1',
      '--set',
      'loss=sigmoid_binary_cross_entropy',
    );
    expect(t.code).toBe(0);
    const r = await dlf('predict', run, '--input', tmp.write('xor.csv', 'x1,x2\n1,1\n-1,1\n'), '--format', 'jsonl');
    expect(r.code).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    for (const rec of records) {
      expect(Object.keys(rec)).toEqual(['prediction', 'p_0', 'p_1']);
      expect(rec.p_0 + rec.p_1).toBeCloseTo(1, 6);
      expect(rec.prediction).toBe(rec.p_1 >= 0.5 ? '1' : '0');
    }
  });

  it("images: IDX (gzip) input with the run's image preprocessing", async () => {
    const cfg = tmp.write(
      'fashion.yaml',
      `name: fashion\nseed: 1\ndata:\n  source: idx\n  dir: ${repo('datasets/fashion-mnist-small')}\n  limit: 200\n  flatten: true\n` +
        `model:\n  layers:\n    - {type: dense, units: 10}\ntrain:\n  epochs: 1\n  batch_size: 50\n`,
    );
    const run = join(tmp.dir, 'fashion');
    expect((await dlf('train', cfg, '--out', run, '--quiet')).code).toBe(0);
    const r = await dlf('predict', run, '--input', repo('datasets/fashion-mnist-small/t10k-images-idx3-ubyte.gz'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(['prediction', ...Array.from({ length: 10 }, (_, k) => `p_${k}`)]);
    expect(rows).toHaveLength(500);
    for (const row of rows.slice(0, 20))
      expect(
        Math.abs(
          row
            .slice(1)
            .map(Number)
            .reduce((a, b) => a + b, 0) - 1,
        ),
      ).toBeLessThan(1e-5);
    const csv = await dlf('predict', run, '--input', repo('datasets/iris.csv'));
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/trained on images/);
  });
});

describe('dlf predict --keep', () => {
  const withId = () => iris.map((l, i) => `${i === 0 ? 'id' : `r${i}`},"${i === 0 ? 'name' : `n, ${i}`}",${l}`).join('\n') + '\n';

  it('copies the named input columns before the prediction, in CSV and JSONL', async () => {
    const input = tmp.write('keep.csv', withId());
    const csv = await dlf('predict', irisRun, '--input', input, '--keep', 'id,name');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,name,prediction,p_setosa,p_versicolor,p_virginica');
    expect(lines[1].startsWith('r1,"n, 1",')).toBe(true);
    expect(lines).toHaveLength(151);
    const plain = await dlf('predict', irisRun, '--input', input);
    expect(lines[5].split(',').slice(3).join(',')).toBe(plain.stdout.trim().split('\n')[5]);
    const jsonl = await dlf('predict', irisRun, '--input', input, '--keep', 'species', '--format', 'jsonl');
    expect(jsonl.code).toBe(0);
    const first = JSON.parse(jsonl.stdout.split('\n')[0]) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['species', 'prediction', 'p_setosa', 'p_versicolor', 'p_virginica']);
    expect(first.species).toBe('setosa');
  });

  it('refuses a column the input lacks, an empty name and a name of the output', async () => {
    const input = tmp.write('keep2.csv', withId());
    const missing = await dlf('predict', irisRun, '--input', input, '--keep', 'id,nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope');
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect((await dlf('predict', irisRun, '--input', input, '--keep', 'id,')).code).toBe(2);
    const clash = await dlf(
      'predict',
      irisRun,
      '--input',
      tmp.write('keep3.csv', iris.map((l, i) => `${i === 0 ? 'prediction' : 'x'},${l}`).join('\n') + '\n'),
      '--keep',
      'prediction',
    );
    expect(clash.code).toBe(2);
  });
});
