// The sequence layers trained from YAML on the built-in token tasks: a transformer learns to
// reverse sequences of digits of varying length, a run with attention dropout resumes bit for bit, pooled attention models train on parity, and
// dlf summary and graph show them (the padding mask one node, shared by the layers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dlf, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const REVERSE = `name: reverse
seed: 1
data: {source: reverse, samples: 2000, length: 8}
model:
  layers:
    - {type: embedding, dim: 32}
    - {type: positional_embedding}
    - {type: transformer_block, heads: 4, ff_units: 64}
    - {type: transformer_block, heads: 4, ff_units: 64}
    - {type: dense, units: classes}
train:
  epochs: 15
  batch_size: 32
  optimizer: {type: adam, lr: 0.003}
`;

interface Metrics {
  final: { val: { accuracy: number; loss: number }; train: { loss: number } };
}

describe('sequence layers in training', () => {
  it('a two-block transformer learns to reverse digit sequences of varying length (token accuracy well above chance)', async () => {
    const cfg = tmp.write('reverse.yaml', REVERSE);
    const out = join(tmp.dir, 'reverse');
    const r = await dlf('train', cfg, '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as Metrics;
    // 10 digits: chance is 0.1. 15 epochs reach about 0.7.
    expect(m.final.val.accuracy).toBeGreaterThan(0.5);
  });

  it('a run with dropout in the attention and the blocks resumes bit for bit', async () => {
    const cfg = tmp.write(
      'drop.yaml',
      `name: drop
seed: 4
data: {source: sort, samples: 200, length: 6}
model:
  layers:
    - {type: embedding, dim: 8}
    - {type: positional_embedding, encoding: sinusoidal}
    - {type: transformer_block, heads: 2, ff_units: 16, dropout: 0.2, causal: true}
    - {type: attention, heads: 2, dropout: 0.3}
    - {type: dense, units: classes}
train: {epochs: 4, batch_size: 32, optimizer: {type: adam, lr: 0.01}}
`,
    );
    const whole = join(tmp.dir, 'drop-whole');
    const split = join(tmp.dir, 'drop-split');
    expect((await dlf('train', cfg, '--out', whole, '--quiet')).code).toBe(0);
    expect((await dlf('train', cfg, '--out', split, '--quiet', '--stop-after', '2')).code).toBe(0);
    const r = await dlf('train', '--resume', split, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['last.json', 'best.json'])
      expect(readFileSync(join(whole, 'checkpoints', f)).equals(readFileSync(join(split, 'checkpoints', f)))).toBe(true);
  });

  it.each(['mean', 'max', 'last'])('parity with attention and sequence_pool %s: trains to a finite loss that falls, and evaluates', async (mode) => {
    const cfg = tmp.write(
      `parity-${mode}.yaml`,
      `name: parity
seed: 2
data: {source: parity, samples: 400, length: 6}
model:
  layers:
    - {type: embedding, dim: 16}
    - {type: positional_embedding}
    - {type: attention, heads: 2}
    - {type: sequence_pool, mode: ${mode}}
    - {type: dense, units: classes}
train: {epochs: 6, batch_size: 32, optimizer: {type: adam, lr: 0.01}}
`,
    );
    const out = join(tmp.dir, `parity-${mode}`);
    const r = await dlf('train', cfg, '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { train?: { loss: number } });
    const losses = lines.filter((l) => l.train).map((l) => l.train!.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    const e = await dlf('eval', out);
    expect(e.code, e.stderr).toBe(0);
  });

  it('dlf summary lists the layers with sequence shapes; dlf graph has one padding mask node and one score bias that the attention layers read', async () => {
    const cfg = tmp.write('reverse-summary.yaml', REVERSE);
    const s = await dlf('summary', cfg);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/layer1\/positional_embedding\s+positional_embedding\s+\[8, 32\]\s+256/);
    expect(s.stdout).toMatch(/layer2\/transformer_block\s+transformer_block\s+\[8, 32\]\s+8,544/);
    const g = await dlf('graph', cfg);
    expect(g.code, g.stderr).toBe(0);
    const maskLines = g.stdout.split('\n').filter((l) => /^\S*mask\s/.test(l));
    expect(maskLines.map((l) => l.split(/\s+/)[0])).toEqual(['input/mask']);
    // One score bias made from the mask, read by the attention of both blocks.
    const biasLines = g.stdout.split('\n').filter((l) => /^input\/score_bias/.test(l));
    expect(biasLines).toHaveLength(1);
    expect(g.stdout).toMatch(/input\/reshape:\d+\s+reshape\s+\[32, 1, 8\]\s+input\/mask/);
    for (const block of ['layer2', 'layer3']) expect(g.stdout).toMatch(new RegExp(`${block}/transformer_block/attn/add:0\\s+add\\s+.*input/score_bias`));
    const dot = await dlf('graph', cfg, '--dot');
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/label="layer2\/transformer_block"/);
  });
});
