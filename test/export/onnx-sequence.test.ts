// The sequence layers through ONNX on a model without token input (the rows of the 8×8 digits as a
// sequence of 8 vectors): attention (causal and not), both position encodings, a transformer block
// and the three poolings, exported and run in ONNX Runtime on every row of the table (a batch size
// other than training's) against dlf predict. Token models with these layers: onnx-tokens.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { repo, tempDir } from '../cli/helpers.js';
import { expectAgreement, exportRun, predict, readCsv, runOnnx, tableFeeds, train } from './onnx-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const config = (pool: string, encoding: string) => `
name: digits-attention
seed: 3
data: {source: csv, path: ${repo('datasets', 'digits.csv')}, label: digit, split: {validation: 0.2}, standardize: true}
model:
  layers:
    - {type: reshape, shape: [8, 8]}
    - {type: dense, units: 16}
    - {type: positional_embedding, encoding: ${encoding}}
    - {type: transformer_block, heads: 2, ff_units: 32, dropout: 0.1}
    - {type: attention, heads: 4, causal: true}
    - {type: sequence_pool, mode: ${pool}}
    - {type: dense, units: 10}
train: {epochs: 1, batch_size: 32, optimizer: {type: adam, lr: 0.003}}
`;

describe('sequence layers through ONNX', () => {
  it.each([
    ['mean', 'learned'],
    ['max', 'sinusoidal'],
    ['last', 'learned'],
  ])('pool %s, %s positions: exports and agrees with dlf predict on every row', async (pool, encoding) => {
    const file = tmp.write(`${pool}.yaml`, config(pool, encoding));
    const run = join(tmp.dir, pool);
    await train(file, run);
    const onnx = join(tmp.dir, `${pool}.onnx`);
    const meta = await exportRun(run, onnx);
    const ops = new Set(decodeModel(readFileSync(onnx)).graph.node.map((n) => n.opType));
    for (const op of ['Transpose', 'Softmax', 'MatMul']) expect(ops, op).toContain(op);
    const csv = repo('datasets', 'digits.csv');
    const { header, rows } = readCsv(csv);
    const out = await runOnnx(onnx, tableFeeds(meta, header, rows));
    const agreement = expectAgreement(out, await predict(run, csv), JSON.parse(meta.classes) as string[]);
    expect(agreement.rows).toBe(rows.length);
  });
});
