// dlf export --format onnx on every bundled config whose data are bundled: each is trained for a
// few epochs, exported, and ONNX Runtime's outputs for raw rows must equal dlf predict's within
// 1e-5. Tables and generated sets are fed every row of the data the run split (which holds its
// validation rows); image runs the 500 test images of datasets/fashion-mnist-small. The
// Fashion-MNIST configs that need the full data set (fashion-mlp, fashion-cnn) are trained on
// the bundled subset instead (--set data.dir). Every model also passes onnx.checker (full
// check) when Debian's python3-onnx is installed.
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import { readIdxImages } from '../../src/data/idx.js';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { readRunConfig } from '../../src/train/evaluate.js';
import { readFileSync } from 'node:fs';
import { repo, tempDir } from '../cli/helpers.js';
import { checkWithOnnx, expectAgreement, exportRun, onnxCheckerMissing, predict, readCsv, runOnnx, tableFeeds, train, writeCsv } from './onnx-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Every model exported here, for onnx.checker at the end. */
const exported: string[] = [];

async function trainAndExport(name: string, ...args: string[]) {
  const run = join(tmp.dir, name);
  await train(repo('configs', `${name}.yaml`), run, ...args);
  const file = join(tmp.dir, `${name}.onnx`);
  const meta = await exportRun(run, file);
  exported.push(file);
  return { run, file, meta, classes: meta.classes ? (JSON.parse(meta.classes) as string[]) : undefined };
}

describe('tables: ONNX Runtime agrees with dlf predict on every row of the file', () => {
  it.each([
    ['iris', '--epochs', '5'],
    ['diabetes', '--epochs', '5'],
    ['digits-mlp', '--epochs', '2'],
    ['penguins', '--epochs', '5'],
  ])('%s', async (name, ...args) => {
    const { run, file, meta, classes } = await trainAndExport(name, ...args);
    const data = readRunConfig(run).data as { path: string };
    const { header, rows } = readCsv(data.path);
    const out = await runOnnx(file, tableFeeds(meta, header, rows));
    const records = await predict(run, data.path);
    expect(records).toHaveLength(rows.length);
    expectAgreement(out, records, classes);
    if (name === 'diabetes') {
      expect(meta.task).toBe('regression');
      expect(Object.keys(out)).toEqual(['prediction']);
    }
  });
});

describe('generated data: the rows of the run’s data set, written to CSV for dlf predict', () => {
  it.each([
    ['linear', '--epochs', '5'],
    ['xor', '--epochs', '5'],
  ])('%s', async (name, ...args) => {
    const { run, file, meta, classes } = await trainAndExport(name, ...args);
    const config = readRunConfig(run);
    const ds = loadDataset(config.data, config.seed);
    const f = ds.features.length;
    const rows = Array.from({ length: ds.n }, (_, r) => Array.from(ds.x.subarray(r * f, (r + 1) * f), String));
    const input = writeCsv(join(tmp.dir, `${name}-rows.csv`), ds.features, rows);
    const out = await runOnnx(file, tableFeeds(meta, ds.features, rows));
    expectAgreement(out, await predict(run, input), classes);
  });
});

describe('images: the 500 test images of the bundled Fashion-MNIST subset', () => {
  const testImages = repo('datasets', 'fashion-mnist-small', 't10k-images-idx3-ubyte.gz');
  const subset = ['--set', 'data.dir=../datasets/fashion-mnist-small'];
  it.each([
    ['fashion-small', '--epochs', '1'],
    // The full Fashion-MNIST is not bundled: the same architectures on the subset.
    ['fashion-mlp', '--epochs', '1', ...subset],
    ['fashion-cnn', '--epochs', '1', ...subset, '--set', 'data.limit=400'],
  ])('%s', async (name, ...args) => {
    const { run, file, classes } = await trainAndExport(name, ...args);
    const images = readIdxImages(testImages);
    const shape = decodeModel(readFileSync(file))
      .graph.input[0].type.tensorType.shape.dim.slice(1)
      .map((d) => ('dimValue' in d ? Number(d.dimValue) : NaN));
    const pixels = new ort.Tensor('float32', Float32Array.from(images.pixels), [images.count, ...shape]);
    const out = await runOnnx(file, { pixels });
    const agreement = expectAgreement(out, await predict(run, testImages), classes);
    expect(agreement.rows).toBe(500);
  });
});

describe('onnx.checker (Debian python3-onnx 1.12, full check)', () => {
  const missing = onnxCheckerMissing();
  it.skipIf(missing !== undefined)(`accepts every model exported above${missing ? ` (skipped: ${missing})` : ''}`, () => {
    expect(exported.length).toBe(9);
    const lines = checkWithOnnx(exported).trim().split('\n');
    expect(lines).toHaveLength(exported.length);
    for (const line of lines) expect(line).toMatch(/ 8 ai\.onnx:17(,ai\.onnx\.ml:3)?$/);
  });
});
