// dlf summary: the layer table of a config (shapes per sample, parameters, multiply-adds, YAML
// lines), its totals and the planned memory of training, without reading data rows.
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function summaryJson(...args: string[]) {
  const r = await dlf('summary', ...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('dlf summary', () => {
  it('digits-mlp: three dense layers with their parameters, multiply-adds and YAML lines', async () => {
    const s = await summaryJson(repo('configs/digits-mlp.yaml'));
    expect(s.layers.map((l: any) => [l.scope, l.type, l.outputShape, l.params, l.state, l.macs, l.place.line])).toEqual([
      ['layer0/dense', 'dense', [128], 64 * 128 + 128, 0, 8192, 12],
      ['layer1/dense', 'dense', [64], 128 * 64 + 64, 0, 8192, 13],
      ['layer2/dense', 'dense', [10], 64 * 10 + 10, 0, 640, 14],
    ]);
    expect(s.totals).toEqual({ params: 8320 + 8256 + 650, state: 0, macs: 8192 + 8192 + 640 });
    expect(s.memory.batch).toBe(32);
    expect(s.memory.parameterBytes).toBe((8320 + 8256 + 650) * 4);
    expect(s.memory.arenaBytes).toBeGreaterThan(0);
    expect(s.memory.arenaBytes).toBeLessThan(s.memory.unplannedBytes);
  });

  it('prints the same as a table', async () => {
    const r = await dlf('summary', repo('configs/digits-mlp.yaml'));
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('layer0/dense'))).toMatch(/^layer0\/dense\s+dense\s+\[128\]\s+8,320\s+8,192\s+12$/);
    expect(lines.find((l) => l.startsWith('layer2/dense'))).toMatch(/^layer2\/dense\s+dense\s+\[10\]\s+650\s+640\s+14$/);
    expect(lines.find((l) => l.startsWith('total'))).toMatch(/^total\s+17,226\s+17,024$/);
    expect(r.stdout).toMatch(/training plan at batch 32: arena [\d.]+ KiB \([\d.]+ KiB without buffer reuse\)/);
  });

  it('counts running statistics apart and --set changes the model', async () => {
    const cfg = tmp.write(
      'bn.yaml',
      `name: bn\ndata:\n  source: csv\n  path: ${repo('datasets/iris.csv')}\n  label: species\nmodel:\n  layers:\n` +
        `    - {type: dense, units: 8, activation: relu}\n    - {type: batchnorm}\n    - {type: dropout, rate: 0.3}\n    - {type: dense, units: 3}\n`,
    );
    const s = await summaryJson(cfg, '--set', 'model.layers.0.units=6');
    expect(s.layers.map((l: any) => [l.type, l.outputShape, l.params, l.state, l.macs])).toEqual([
      ['dense', [6], 4 * 6 + 6, 0, 24],
      ['batchnorm', [6], 12, 12, 0],
      ['dropout', [6], 0, 0, 0],
      ['dense', [3], 6 * 3 + 3, 0, 18],
    ]);
    expect(s.totals).toEqual({ params: 30 + 12 + 21, state: 12, macs: 42 });
    const text = await dlf('summary', cfg);
    expect(text.stdout).toMatch(/^layer\s+type\s+output\s+params\s+state\s+MACs\s+line$/m);
  });

  it('graph form: parameters count towards the node that reads them', async () => {
    const s = await summaryJson(repo('configs/linear.yaml'));
    expect(s.layers.map((l: any) => [l.scope, l.type, l.params, l.macs])).toEqual([
      ['xw', 'matmul', 1, 1],
      ['y', 'add', 1, 0],
    ]);
  });

  it('conv2d multiply-adds are N·F·OH·OW·C·KH·KW per sample, from the IDX header alone', async () => {
    const cfg = tmp.write(
      'conv.yaml',
      `name: conv\ndata:\n  source: idx\n  dir: ${repo('datasets/fashion-mnist-small')}\nmodel:\n  layers:\n` +
        `    - {type: conv2d, filters: 4, kernel_size: 3, activation: relu}\n    - {type: maxpool2d}\n    - {type: flatten}\n    - {type: dense, units: 10}\n`,
    );
    const s = await summaryJson(cfg);
    expect(s.layers.map((l: any) => [l.type, l.outputShape, l.params, l.macs])).toEqual([
      ['conv2d', [4, 26, 26], 4 * 9 + 4, 4 * 26 * 26 * 9],
      ['maxpool2d', [4, 13, 13], 0, 0],
      ['flatten', [676], 0, 0],
      ['dense', [10], 6770, 6760],
    ]);
  });

  it('shows the sequence shapes of a task with a label per token, and its input and labels', async () => {
    const cfg = tmp.write(
      'seq.yaml',
      `name: seq\ndata: {source: copy, length: 12}\nmodel:\n  layers:\n    - {type: embedding, dim: 16}\n    - {type: dense, units: classes}\n`,
    );
    const s = await summaryJson(cfg);
    expect(s.input).toEqual({ shape: [12], vocab: 14, labels: [12] });
    expect(s.layers.map((l: any) => [l.type, l.outputShape, l.params, l.macs])).toEqual([
      ['embedding', [12, 16], 14 * 16, 0],
      ['dense', [12, 14], 16 * 14 + 14, 12 * 16 * 14],
    ]);
    const text = await dlf('summary', cfg);
    expect(text.stdout).toContain('input [12] token ids of a vocabulary of 14; labels [12], one per token\n');
    expect(text.stdout).toMatch(/layer1\/dense +dense +\[12, 14\]/);
  });

  it('reports a bad config with exit code 2', async () => {
    const r = await dlf('summary', repo('configs/iris.yaml'), '--set', 'model.layers.1.units=0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.layers\.1\.units/);
  });
});
