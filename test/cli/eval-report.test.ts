// dlf eval's per-class table, binary section, --threshold and --metrics on bundled data: iris
// (three classes) and virginica against the rest of iris (two classes, made here), and the class
// weights a run records and eval reads back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Iris with every species but virginica renamed 'other'. */
function virginicaCsv(): string {
  const lines = readFileSync(repo('datasets', 'iris.csv'), 'utf8').trim().split('\n');
  const rows = lines.slice(1).map((l) => (l.endsWith(',virginica') ? l : l.replace(/,[a-z]+$/, ',other')));
  return tmp.write('virginica.csv', [lines[0], ...rows].join('\n') + '\n');
}

function binaryConfig(name: string, units: 1 | 2, extra = ''): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}
seed: 1
data: {source: csv, path: ${virginicaCsv()}, label: species, split: {validation: 0.2}}
model:
  layers:
    - {type: dense, units: ${units}}
${units === 1 ? 'loss: sigmoid_binary_cross_entropy\n' : ''}train: {epochs: 3, batch_size: 16, optimizer: {type: adam, lr: 0.01}${extra}}
`,
  );
}

async function train(config: string, out: string): Promise<string> {
  const dir = join(tmp.dir, out);
  const r = await dlf('train', config, '--out', dir, '--quiet');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return dir;
}

async function evalJson(run: string, ...args: string[]) {
  const r = await dlf('eval', run, '--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('dlf eval on iris (three classes)', () => {
  let run: string;
  beforeAll(async () => {
    const config = tmp.write(
      'iris.yaml',
      readFileSync(repo('configs', 'iris.yaml'), 'utf8').replace('../datasets/iris.csv', repo('datasets', 'iris.csv')).replace('epochs: 60', 'epochs: 5'),
    );
    run = await train(config, 'iris');
  });

  it('records the stratified split, which holds out 10 of each species', async () => {
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).data.split.stratify).toBe(true);
    const r = await evalJson(run);
    expect(r.report.classes.map((c: { class: string; support: number }) => [c.class, c.support])).toEqual([
      ['setosa', 10],
      ['versicolor', 10],
      ['virginica', 10],
    ]);
  });

  it('computes metrics the config did not name, consistent with the per-class table', async () => {
    const r = await evalJson(run, '--metrics', 'f1,precision,recall,top_k_accuracy');
    expect(Object.keys(r.metrics)).toEqual(['loss', 'accuracy', 'f1', 'precision', 'recall', 'top_k_accuracy']);
    expect(r.metrics.f1).toBeCloseTo(r.report.macro.f1, 12);
    expect(r.metrics.precision).toBeCloseTo(r.report.macro.precision, 12);
    expect(r.report.weighted.recall).toBeCloseTo(r.metrics.accuracy, 12); // weighted recall is accuracy
    expect(r.binary).toBeUndefined();
  });

  it('prints the table with its averages', async () => {
    const r = await dlf('eval', run);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/class +precision +recall +f1 +support\n/);
    expect(r.stdout).toMatch(/\nsetosa +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +10\n/);
    expect(r.stdout).toMatch(/\nmacro avg .* 30\nweighted avg .* 30\n/);
  });

  it("refuses unknown metrics (with the closest name), the other task's, binary ones and --threshold", async () => {
    const unknown = await dlf('eval', run, '--metrics', 'f1,acuracy');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown metric 'acuracy' (did you mean 'accuracy'?)");
    const other = await dlf('eval', run, '--metrics', 'mse');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("'mse' does not apply to classification");
    expect((await dlf('eval', run, '--metrics', 'roc_auc')).stderr).toContain('needs two classes; this run has 3');
    expect((await dlf('eval', run, '--threshold', '0.3')).stderr).toContain('--threshold applies to two classes');
    expect((await dlf('eval', run, '--threshold', '1')).code).toBe(2);
  });
});

describe('dlf eval on a binary task (virginica against the rest)', () => {
  it.each([1, 2] as const)('with %i logit(s): ROC-AUC, PR-AUC and a threshold that moves the confusion', async (units) => {
    const run = await train(binaryConfig(`bin${units}`, units), `bin${units}`);
    const base = await evalJson(run, '--metrics', 'roc_auc,pr_auc,f1');
    expect(base.binary).toMatchObject({ positive: 'virginica', negative: 'other', threshold: 0.5 });
    expect(base.binary.roc_auc).toBe(base.metrics.roc_auc);
    expect(base.binary.pr_auc).toBe(base.metrics.pr_auc);
    for (const v of [base.binary.roc_auc, base.binary.pr_auc]) expect(v).toBeGreaterThan(0);
    const low = await evalJson(run, '--threshold', '0.05');
    const high = await evalJson(run, '--threshold', '0.95');
    const predictedPositive = (r: { confusion: number[][] }) => r.confusion[0][1] + r.confusion[1][1];
    expect(predictedPositive(low)).toBeGreaterThan(predictedPositive(high));
    expect(low.confusion).not.toEqual(high.confusion);
    // the threshold moves the confusion and accuracy, never the ranking metrics
    for (const r of [low, high]) {
      expect(r.metrics.accuracy).toBeCloseTo((r.confusion[0][0] + r.confusion[1][1]) / r.samples, 12);
      expect(r.binary.roc_auc).toBe(base.binary.roc_auc);
    }
    const text = await dlf('eval', run, '--threshold', '0.05');
    expect(text.stdout).toContain("binary: positive class 'virginica' (negative 'other'), decision threshold 0.05\n  roc_auc");
  });

  it('uses train.threshold when --threshold is not given', async () => {
    const run = await train(binaryConfig('thr', 1, ', threshold: 0.05'), 'thr');
    const byConfig = await evalJson(run);
    const byFlag = await evalJson(run, '--threshold', '0.05');
    expect(byConfig.binary.threshold).toBe(0.05);
    expect(byConfig.confusion).toEqual(byFlag.confusion);
  });

  it('records balanced class weights from the training split, and eval weighs its loss with them', async () => {
    const run = await train(binaryConfig('weighted', 1, ', class_weights: balanced'), 'weighted');
    // 150 rows, 30 held out by class: 80 'other' and 40 virginica train → 120/(2·80) and 120/(2·40)
    const recorded = JSON.parse(readFileSync(join(run, 'class_weights.json'), 'utf8'));
    expect(recorded).toEqual({ mode: 'balanced', classes: ['other', 'virginica'], weights: [0.75, 1.5] });
    expect(JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')).classWeights).toEqual(recorded);
    const r = await evalJson(run);
    expect(r.classWeights).toEqual(recorded);
    expect(Number.isFinite(r.metrics.loss)).toBe(true);
  });

  it('refuses class weights naming no class, at the key', async () => {
    const config = binaryConfig('badw', 1, ', class_weights: {virginca: 2}');
    const r = await dlf('train', config, '--out', join(tmp.dir, 'badw'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("train.class_weights.virginca: 'virginca' is not a class of the data (did you mean 'virginica'?)");
  });
});

describe('the decision threshold in dlf predict', () => {
  it('predict uses train.threshold, and --threshold overrides it, as eval decides', async () => {
    const run = await train(binaryConfig('pred-threshold', 1, ', threshold: 0.9'), 'pred-threshold');
    const input = repo('datasets', 'iris.csv');
    const classesAt = async (...extra: string[]) => {
      const r = await dlf('predict', run, '-i', input, ...extra);
      expect(r.code, r.stderr).toBe(0);
      const rows = r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
      // Each prediction agrees with its probability and the threshold: p_virginica > t.
      return rows.map((c) => ({ pred: c[0], p: Number(c[2]) }));
    };
    for (const [t, extra] of [
      [0.9, []],
      [0.2, ['--threshold', '0.2']],
    ] as const) {
      const rows = await classesAt(...extra);
      for (const r of rows) expect(r.pred).toBe(r.p > t ? 'virginica' : 'other');
    }
    const iris = await dlf('predict', await train(repo('configs', 'iris.yaml'), 'iris-three'), '-i', input, '--threshold', '0.3');
    expect(iris.code).toBe(2);
    expect(iris.stderr).toMatch(/--threshold applies to two classes; this run has 3 classes/);
  });

  it('train.threshold with more than two classes is a config error at its line', async () => {
    const r = await dlf('validate', repo('configs', 'iris.yaml'), '--set', 'train.threshold=0.7');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/train\.threshold: is 0\.7, but the data has 3 classes: a decision threshold needs two classes \(remove train\.threshold\)/);
  });
});
