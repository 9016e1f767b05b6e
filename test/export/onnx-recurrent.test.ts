// The recurrent layers through ONNX (opset 17's LSTM, GRU and RNN, batch first): a model reading
// a table of 8 numbers as a sequence of 4 steps of 2 through a stacked bidirectional LSTM, a GRU
// that returns its last state and a tanh RNN, exported and run in ONNX Runtime against dlf predict.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/export/onnx-proto.js';
import { tempDir } from '../cli/helpers.js';
import { expectAgreement, exportRun, predict, runOnnx, tableFeeds, train, writeCsv } from './onnx-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const CONFIG = `
name: recurrent-onnx
seed: 3
data: {source: csv, path: TABLE, label: label, split: {validation: 0.25}}
model:
  layers:
    - {type: reshape, shape: [4, 2]}
    - {name: bi, type: lstm, units: 5, num_layers: 2, bidirectional: true}
    - {name: g, type: gru, units: 4, bidirectional: true, return_sequences: false, inputs: [bi]}
    - {name: r, type: rnn, units: 3, return_sequences: false, inputs: [bi]}
    - {type: concat, inputs: [g, r]}
    - {type: dense, units: 3}
train: {epochs: 2, batch_size: 16, optimizer: {type: adam, lr: 0.02}}
`;

describe('recurrent layers through ONNX', () => {
  it('export as ONNX LSTM, GRU and RNN nodes and agree with dlf predict on every row', async () => {
    const header = [...Array.from({ length: 8 }, (_, i) => `f${i}`), 'label'];
    const rows = Array.from({ length: 64 }, (_, r) => [
      ...Array.from({ length: 8 }, (_, i) => (Math.sin(r * 1.3 + i * 0.7) * 1.2).toFixed(3)),
      'ABC'[(r * 5) % 3],
    ]);
    const csv = writeCsv(join(tmp.dir, 'seq.csv'), header, rows);
    const run = join(tmp.dir, 'run');
    await train(tmp.write('rec.yaml', CONFIG.replace('TABLE', csv)), run);
    const file = join(tmp.dir, 'rec.onnx');
    const meta = await exportRun(run, file);
    const ops = decodeModel(readFileSync(file)).graph.node.map((n) => n.opType);
    for (const [op, count] of [
      ['LSTM', 4],
      ['GRU', 2],
      ['RNN', 1],
    ] as const)
      expect(
        ops.filter((o) => o === op),
        op,
      ).toHaveLength(count);
    const out = await runOnnx(file, tableFeeds(meta, header, rows));
    const agreement = expectAgreement(out, await predict(run, csv), JSON.parse(meta.classes) as string[]);
    expect(agreement.rows).toBe(64);
  });
});
