// Findings of a newcomer with tabular data, second round: a loss that does not fit the task, the
// number of classes or the output width is a located config error at validation, and the fix its
// hint names (as --set arguments) is applied here and must make validate pass.
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A CSV of two features and a float target (60 distinct values), and the same rows labelled a/b. */
function tables(): { numeric: string; binary: string } {
  const rows = Array.from({ length: 60 }, (_, i) => [((i * 7) % 11) / 3, ((i * 5) % 13) / 4]);
  const numeric = tmp.write('num.csv', 'a,b,y\n' + rows.map(([a, b], i) => `${a},${b},${(a * 2 - b + i / 100).toFixed(3)}`).join('\n') + '\n');
  const binary = tmp.write('bin.csv', 'a,b,label\n' + rows.map(([a, b]) => `${a},${b},${a > b ? 'yes' : 'no'}`).join('\n') + '\n');
  return { numeric, binary };
}
const { numeric, binary } = tables();

let n = 0;
/** A config file: a CSV source, two dense layers (the last of `units`) and extra top-level lines. */
function config(data: string, units: number, extra = ''): string {
  return tmp.write(
    `c${n++}.yaml`,
    `name: t\n${data}\nmodel:\n  layers:\n    - {type: dense, units: 8, activation: relu}\n    - {type: dense, units: ${units}}\n${extra}train: {epochs: 2, batch_size: 16}\n`,
  );
}
const csv = (path: string, label: string, more = '') => `data:\n  source: csv\n  path: ${path}\n  label: ${label}\n${more}`;

/** The --set arguments of an error line's hint. */
function fixOf(stderr: string): string[] {
  const sets = [...stderr.matchAll(/--set (\S+?)(?=[\s);]|$)/g)].map((m) => m[1]);
  expect(sets.length).toBeGreaterThan(0);
  return sets.flatMap((s) => ['--set', s]);
}

/** validate fails with a located error matching `re` at line `line`, and validate with the hint's fix passes. */
async function failsThenFixed(file: string, line: number, re: RegExp): Promise<string> {
  const r = await dlf('validate', file);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: ${re.source}`));
  const fixed = await dlf('validate', file, ...fixOf(r.stderr));
  expect(fixed.stderr).toBe('');
  expect(fixed.code).toBe(0);
  return r.stderr;
}

describe('loss, task and output width agree at validation', () => {
  it('a regression with softmax_cross_entropy or a binary cross-entropy is refused at loss:, with a fix that works', async () => {
    const reg = csv(numeric, 'y', '  task: regression\n');
    await failsThenFixed(
      config(reg, 1, 'loss: softmax_cross_entropy\n'),
      12,
      /loss: softmax_cross_entropy is a classification loss, but the task is regression/,
    );
    await failsThenFixed(config(reg, 1, 'loss: sigmoid_binary_cross_entropy\n'), 12, /loss: sigmoid_binary_cross_entropy is a classification loss/);
    const wide = await failsThenFixed(config(reg, 3, 'loss: softmax_cross_entropy\n'), 12, /loss: softmax_cross_entropy is a classification loss/);
    expect(wide).toContain('--set model.layers.1.units=1');
    // A built-in regression source has no data.task to change.
    const lin = tmp.write('lin.yaml', 'name: l\ndata: {source: linear}\nmodel:\n  layers: [{type: dense, units: 1}]\nloss: sigmoid_binary_cross_entropy\n');
    await failsThenFixed(lin, 5, /loss: sigmoid_binary_cross_entropy is a classification loss/);
  });

  it('a regression model of 3 units without a loss key is refused at its units', async () => {
    await failsThenFixed(
      config(csv(numeric, 'y', '  task: regression\n'), 3),
      11,
      /model\.layers\.1\.units: a regression model must end in 1 unit, this one ends in 3 units/,
    );
  });

  it('classification with mse, or a sigmoid loss on three classes, is refused with a working fix', async () => {
    const iris = csv(repo('datasets', 'iris.csv'), 'species');
    await failsThenFixed(config(iris, 1, 'loss: mse\n'), 11, /loss: mse is a regression loss, but the task is classification/);
    await failsThenFixed(
      config(iris, 1, 'loss: sigmoid_binary_cross_entropy\n'),
      11,
      /loss: sigmoid_binary_cross_entropy needs two classes, but the data has 3/,
    );
    await failsThenFixed(config(iris, 1), 10, /model\.layers\.1\.units: a model with one logit .*needs two classes, but the data has 3/);
    await failsThenFixed(config(iris, 4), 10, /model\.layers\.1\.units: the model ends in 4 units but the data has 3 classes/);
  });

  it('a one-logit two-class model without a loss key trains with sigmoid_binary_cross_entropy', async () => {
    const file = config(csv(binary, 'label'), 1);
    expect((await dlf('validate', file)).code).toBe(0);
    const r = await dlf('train', file, '--out', `${tmp.dir}/bin-run`, '--json', '--quiet');
    expect(r.code).toBe(0);
    const end = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(end.final.train.loss).toBeGreaterThan(0);
    expect(end.final.train.loss).toBeLessThan(5);
    // softmax_cross_entropy written out on one logit is refused, naming the sigmoid loss.
    const sm = await failsThenFixed(
      config(csv(binary, 'label'), 1, 'loss: softmax_cross_entropy\n'),
      11,
      /loss: the model ends in 1 unit but the data has 2 classes/,
    );
    expect(sm).toContain('--set loss=sigmoid_binary_cross_entropy');
  });

  it('a float target read as classes is refused at data.label with the regression fix, unless task: classification is written', async () => {
    const err = await failsThenFixed(config(csv(numeric, 'y'), 60), 5, /data\.label: column 'y' holds numbers that are not all integers, taken as 60 classes/);
    expect(err).toContain('--set data.task=regression');
    expect(err).toContain('--set model.layers.1.units=1');
    const explicit = await dlf('validate', config(csv(numeric, 'y', '  task: classification\n'), 60));
    expect(explicit.code).toBe(0);
  });
});

describe('no validation split', () => {
  const iris = repo('configs', 'iris.yaml');
  const noVal = ['--set', 'data.split.validation=0'];

  it('picks the best checkpoint by train.loss and says so', async () => {
    const out = `${tmp.dir}/noval`;
    const r = await dlf('train', iris, '--out', out, '--epochs', '2', '--json', '--quiet', ...noVal);
    expect(r.code).toBe(0);
    const end = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(end.best.metric).toBe('train.loss');
    const { readFileSync } = await import('node:fs');
    expect(JSON.parse(readFileSync(`${out}/config.json`, 'utf8')).train.best.metric).toBe('train.loss');
  });

  it('a val.* best, early-stopping or plateau metric is a located config error', async () => {
    const file = tmp.write(
      'valmetric.yaml',
      `name: v\ndata: {source: moons, split: {validation: 0}}\nmodel:\n  layers: [{type: dense, units: 2}]\ntrain:\n  best: {metric: val.accuracy}\n  early_stopping: {metric: val.loss}\n  schedule: {type: plateau, metric: val.loss}\n`,
    );
    const r = await dlf('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/valmetric\.yaml:6:\d+: train\.best\.metric: watches val\.accuracy, but data\.split\.validation is 0/);
    expect(r.stderr).toMatch(/valmetric\.yaml:7:\d+: train\.early_stopping\.metric: watches val\.loss/);
    expect(r.stderr).toMatch(/valmetric\.yaml:8:\d+: train\.schedule\.metric: watches val\.loss/);
    const fixed = await dlf('validate', file, ...fixOf(r.stderr));
    expect(fixed.code).toBe(0);
  });

  it('eval --split val of a run without validation is an error, exit 2', async () => {
    const r = await dlf('eval', `${tmp.dir}/noval`, '--split', 'val');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: the val split of this run holds no samples \(the run was trained with data\.split\.validation: 0\) \(evaluate another split: --split train\)$/m,
    );
    expect((await dlf('eval', `${tmp.dir}/noval`, '--split', 'train')).code).toBe(0);
  });
});

describe('summary, graph and validate agree', () => {
  const line = (out: string) => out.split('\n').find((l) => l.startsWith('training program at batch '));
  for (const [what, file, set] of [
    ['iris', repo('configs', 'iris.yaml'), []],
    ['iris with class weights', repo('configs', 'iris.yaml'), ['--set', 'train.class_weights=balanced']],
    ['the small CNN with batchnorm', repo('configs', 'fashion-small.yaml'), []],
  ] as const) {
    it(`on the node count and planned memory of the training program: ${what}`, async () => {
      const outs = await Promise.all(['summary', 'graph', 'validate'].map((c) => dlf(c, file, ...set)));
      for (const o of outs) expect(o.code).toBe(0);
      const [s, g, v] = outs.map((o) => line(o.stdout));
      expect(s).toMatch(/^training program at batch \d+: \d+ nodes, plan /);
      expect(g).toBe(s);
      expect(v).toBe(s);
      const opt = await dlf('graph', file, ...set, '--optimized');
      expect(line(opt.stdout)).toBe(s);
      const listed = opt.stdout
        .split('\n\n')[0]
        .split('\n')
        .filter((l) => l.trim()).length;
      expect(listed).toBeLessThanOrEqual(Number(/(\d+) nodes/.exec(s!)![1]));
    });
  }
});

describe('top_k_accuracy', () => {
  it('defaults to k = min(5, classes - 1), at least 1', async () => {
    const { MetricsAccumulator, defaultTopK } = await import('../../src/train/metrics.js');
    expect([1, 2, 3, 6, 10, 100].map(defaultTopK)).toEqual([1, 1, 2, 5, 5, 5]);
    expect(new MetricsAccumulator('classification', { metrics: ['top_k_accuracy'], classes: 3 }).topK).toBe(2);
    // Three classes, k = 2: a sample whose label ranks third is a miss (k = 5 scored every sample a hit).
    const acc = new MetricsAccumulator('classification', { metrics: ['top_k_accuracy'], classes: 3 });
    const logits = new Float32Array([3, 2, 1, 3, 2, 1]);
    acc.add(2, 0, logits, new Float32Array([0, 2]), 3);
    expect(acc.result().top_k_accuracy).toBe(0.5);
  });

  it('an explicit train.top_k of the number of classes or more is a located config error', async () => {
    const file = tmp.write(
      'topk.yaml',
      `name: k\ndata: {source: spirals, classes: 3}\nmodel:\n  layers: [{type: dense, units: 3}]\ntrain:\n  metrics: [top_k_accuracy]\n  top_k: 3\n`,
    );
    const r = await dlf('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/topk\.yaml:7:10: train\.top_k: is 3, but the data has 3 classes: top_k_accuracy would always be 1/);
    expect((await dlf('validate', file, ...fixOf(r.stderr))).code).toBe(0);
    // A CSV's classes are known once its rows are read: still a config error at the key.
    const iris = tmp.write(
      'topk-iris.yaml',
      `name: k\n${csv(repo('datasets', 'iris.csv'), 'species')}model:\n  layers: [{type: dense, units: 3}]\ntrain: {top_k: 4}\n`,
    );
    const c = await dlf('validate', iris);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/topk-iris\.yaml:8:\d+: train\.top_k: is 4, but the data has 3 classes/);
  });
});

describe('semantic errors point into the config file', () => {
  it('metrics that do not fit the task or the classes, at their item of train.metrics, before training', async () => {
    const file = tmp.write(
      'metrics.yaml',
      `name: m\n${csv(repo('datasets', 'iris.csv'), 'species')}model:\n  layers: [{type: dense, units: 3}]\ntrain:\n  metrics: [accuracy, mse, roc_auc]\n`,
    );
    const r = await dlf('train', file, '--out', `${tmp.dir}/metrics-run`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/metrics\.yaml:9:23: train\.metrics\.1: metric 'mse' does not apply to classification/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${tmp.dir}/metrics-run`)).toBe(false);
    const bin = await dlf('validate', file, '--set', 'train.metrics=[roc_auc]');
    expect(bin.stderr).toMatch(/train\.metrics\.0: metric 'roc_auc' needs two classes; the data has 3/);
  });

  it('a key the file does not write is placed at its nearest written parent', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    const { locatorOf } = await import('../../src/train/session.js');
    const file = tmp.write('loc.yaml', 'name: l\ndata: {source: moons}\nmodel:\n  layers: [{type: dense, units: 2}]\ntrain:\n  epochs: 3\n');
    const locate = locatorOf(loadConfig(file));
    expect(locate(['train', 'batch_size'])).toMatchObject({ file, line: 5, path: 'train.batch_size' });
    expect(locate(['loss'])).toMatchObject({ file, line: 1, col: 1, path: 'loss' });
    expect(locate(['train', 'epochs'])).toMatchObject({ line: 6, col: 11 });
    const set = locatorOf(loadConfig(file, { set: ['loss=mse'] }));
    expect(set(['loss']).line).toBeUndefined();
  });
});
