// dlf export on the command line: help, the default output file, another checkpoint, usage
// errors; the metadata of the file; categorical inputs (one-hot and embedded, the unknown bucket)
// and rows dlf predict refuses or leaves out, which come out of ONNX Runtime as NaN and ''.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { dlf, repo, tempDir } from '../cli/helpers.js';
import { expectAgreement, exportRun, metadataOf, predict, readCsv, runOnnx, tableFeeds, train, writeCsv } from './onnx-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let iris: string;
beforeAll(async () => {
  iris = join(tmp.dir, 'iris');
  await train(repo('configs', 'iris.yaml'), iris, '--epochs', '3');
});

describe('dlf export on the command line', () => {
  it('is listed by dlf --help, and its help states the format, IR version and opset', async () => {
    expect((await dlf('--help')).stdout).toMatch(/\n {2}export \[options\] <run-dir> +write a run's model/);
    const h = await dlf('export', '--help');
    expect(h.code).toBe(0);
    const text = h.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('onnx (IR version 8, opset 17; ai.onnx.ml 3 for categorical columns)');
    expect(text).toContain('docs/export.md');
  });

  it('writes <run-dir>/model.onnx by default and says what it wrote', async () => {
    const r = await dlf('export', iris, '--format', 'onnx');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const file = join(iris, 'model.onnx');
    expect(r.stderr).toMatch(
      new RegExp(
        `^wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ONNX IR version 8, opset ai\\.onnx 17; \\d+ nodes, \\d+ bytes; inputs features; outputs prediction, probabilities, logits \\(checkpoint epoch \\d+\\)\\n$`,
      ),
    );
    const model = decodeModel(readFileSync(file));
    expect(model.irVersion).toBe(8);
    expect(model.opsetImport).toEqual([{ domain: '', version: 17 }]);
    expect(model.producerName).toBe('dlf');
    const meta = metadataOf(file);
    expect(meta.task).toBe('classification');
    expect(JSON.parse(meta.classes)).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(meta.label).toBe('species');
    expect(Object.keys(JSON.parse(meta.outputs))).toEqual(['prediction', 'probabilities', 'logits']);
    expect(JSON.parse(meta.inputs).features.columns).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    expect(model.graph.input.map((i) => [i.name, i.type.tensorType.shape.dim])).toEqual([['features', [{ dimParam: 'N' }, { dimValue: 4 }]]]);
  });

  it('exports another checkpoint with --checkpoint', async () => {
    const file = join(tmp.dir, 'other.onnx');
    const r = await dlf('export', iris, '--format', 'onnx', '--out', file, '--checkpoint', join(iris, 'checkpoints', 'last.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\(checkpoint epoch 3\)\n$/);
    expect(metadataOf(file)).toMatchObject({ checkpoint: 'last.json', epoch: '3' });
    // A checkpoint that is not there is a usage error naming the flag.
    const other = await dlf('export', iris, '--format', 'onnx', '--out', file, '--checkpoint', join(tmp.dir, 'nope.json'));
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`--checkpoint ${join(tmp.dir, 'nope.json')}: no such file`);
  });

  it('refuses an unknown format, a missing one, a folder that is no run, and an output over a file the export reads', async () => {
    const bad = await dlf('export', iris, '--format', 'tflite');
    expect([bad.code, bad.stderr.trim()]).toEqual([2, "error: --format must be onnx, got 'tflite'"]);
    const none = await dlf('export', iris);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("required option '-f, --format <format>' not specified");
    const notRun = await dlf('export', tmp.dir, '--format', 'onnx', '--out', join(tmp.dir, 'x.onnx'));
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toContain('not a run directory (no config.json)');
    const over = await dlf('export', iris, '--format', 'onnx', '--out', join(iris, 'checkpoints', 'best.json'));
    expect(over.code).toBe(2);
    expect(existsSync(join(tmp.dir, 'x.onnx'))).toBe(false);
  });
});

describe('two classes: the class is decided by the run’s train.threshold, as dlf predict decides it', () => {
  it.each([
    ['two logits', []],
    ['one logit', ['--set', 'model.layers.1.units=1', '--set', 'loss=sigmoid_binary_cross_entropy']],
  ])('%s', async (what, extra) => {
    const run = join(tmp.dir, `xor-${what.replace(' ', '-')}`);
    await train(repo('configs', 'xor.yaml'), run, '--epochs', '3', '--set', 'train.threshold=0.8', ...extra);
    const file = join(tmp.dir, `xor-${what.replace(' ', '-')}.onnx`);
    const meta = await exportRun(run, file);
    expect(meta.threshold).toBe('0.8');
    const rows = Array.from({ length: 200 }, (_, i) => [String(Math.sin(i * 1.3)), String(Math.cos(i * 0.7))]);
    const out = await runOnnx(file, tableFeeds(meta, ['x1', 'x2'], rows));
    const records = await predict(run, writeCsv(join(tmp.dir, `xor-${what}.csv`), ['x1', 'x2'], rows));
    expectAgreement(out, records, JSON.parse(meta.classes) as string[]);
    // The threshold matters here: rows more likely class 1 than 0 but under 0.8 are class 0.
    const p = out.probabilities.data as Float32Array;
    const between = records.filter((_, r) => p[2 * r + 1] > 0.5 && p[2 * r + 1] < 0.8);
    expect(between.length).toBeGreaterThan(0);
    expect(between.every((rec) => rec.prediction === '0')).toBe(true);
  });
});

describe('categorical columns and rows dlf predict refuses', () => {
  const HEADER = ['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex'];

  it('an embedded column with an unknown bucket and a one-hot column: unknown or missing categories as predict treats them', async () => {
    const run = join(tmp.dir, 'penguins-embedded');
    await train(
      repo('configs', 'penguins.yaml'),
      run,
      '--epochs',
      '3',
      '--set',
      'data.columns={island: {encoding: embedding, dim: 2, unknown: bucket}, sex: {unknown: error}}',
    );
    const file = join(tmp.dir, 'penguins-embedded.onnx');
    const meta = await exportRun(run, file);
    expect(decodeModel(readFileSync(file)).opsetImport).toEqual([
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    const inputs = JSON.parse(meta.inputs) as Record<string, { encoding?: string; categories?: string[] }>;
    expect(Object.keys(inputs)).toEqual(['features', 'island', 'sex']);
    expect(inputs.island).toMatchObject({ encoding: 'embedding', categories: ['Biscoe', 'Dream', 'Torgersen'] });
    // Valid rows: a known island, an island the run never saw (its bucket), missing cells filled.
    const valid = [
      ['Dream', '39', '18', '185', '3700', 'female'],
      ['Atlantis', '47', '15', '215', '5000', 'male'],
      ['Biscoe', 'NA', '17', '200', '4000', 'NA'],
      ['Torgersen', '41', 'NA', '190', '3800', 'male'],
    ];
    const out = await runOnnx(file, tableFeeds(meta, HEADER, valid));
    const records = await predict(run, writeCsv(join(tmp.dir, 'valid.csv'), HEADER, valid));
    expect(records.map((r) => r.prediction).every((p) => typeof p === 'string')).toBe(true);
    expectAgreement(out, records, JSON.parse(meta.classes) as string[]);
    // A sex the run does not know is an error in dlf predict (unknown: error): NaN and '' here, the other rows unharmed.
    const refused = await dlf('predict', run, '--input', writeCsv(join(tmp.dir, 'refused.csv'), HEADER, [['Dream', '39', '18', '185', '3700', 'unknown']]));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("unknown category 'unknown'");
    const mixed = await runOnnx(file, tableFeeds(meta, HEADER, [valid[0], ['Dream', '39', '18', '185', '3700', 'unknown']]));
    expect(mixed.prediction.data).toEqual([(out.prediction.data as string[])[0], '']);
    const probs = Array.from(mixed.probabilities.data as Float32Array);
    expect(probs.slice(0, 3)).toEqual(Array.from((out.probabilities.data as Float32Array).slice(0, 3)));
    expect(probs.slice(3).every(Number.isNaN)).toBe(true);
    expect(
      Array.from(mixed.logits.data as Float32Array)
        .slice(3)
        .every(Number.isNaN),
    ).toBe(true);
  });

  it('rows a drop rule leaves out (null in dlf predict) are NaN and an empty name', async () => {
    const run = join(tmp.dir, 'penguins-drop');
    await train(repo('configs', 'penguins.yaml'), run, '--epochs', '3', '--set', 'data.missing=drop');
    const file = join(tmp.dir, 'penguins-drop.onnx');
    const meta = await exportRun(run, file);
    const { header, rows } = readCsv(repo('datasets', 'penguins.csv'));
    const out = await runOnnx(file, tableFeeds(meta, header, rows));
    const agreement = expectAgreement(out, await predict(run, repo('datasets', 'penguins.csv')), JSON.parse(meta.classes) as string[]);
    expect(agreement.invalid).toBe(11); // the rows with an NA cell
  });

  it('a numeric NaN in a run without a fill rule: NaN out, where dlf predict stops at the cell', async () => {
    const file = join(tmp.dir, 'iris.onnx');
    await exportRun(iris, file);
    const x = new ort.Tensor('float32', Float32Array.from([5.1, 3.5, 1.4, 0.2, 5.9, NaN, 5.1, 1.8]), [2, 4]);
    const out = await runOnnx(file, { features: x });
    expect((out.prediction.data as string[])[1]).toBe('');
    expect(
      Array.from(out.probabilities.data as Float32Array)
        .slice(3)
        .every(Number.isNaN),
    ).toBe(true);
    expect(Number.isNaN((out.probabilities.data as Float32Array)[0])).toBe(false);
  });
});
