// A built-in sequence task end to end: embedding → dense (units: classes) learns `copy` position by
// position, which checks the per-token loss, the feeding of labels [batch, L], the token metrics
// and dlf eval; the per-class metrics and class weights are refused at their lines.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlf, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const config = (extra = '') => `name: copy
seed: 4
data: {source: copy, samples: 600, length: 6}
model:
  layers:
    - {type: embedding, dim: 12}
    - {type: dense, units: classes}
train:
  epochs: 6
  batch_size: 32
  optimizer: {type: adam, lr: 0.02}
${extra}`;

describe('a sequence task with a label per token', () => {
  const run = join(tmp.dir, 'copy');

  beforeAll(async () => {
    const r = await dlf('train', tmp.write('copy.yaml', config()), '--out', run, '--quiet', '--json');
    expect(r.code).toBe(0);
  });

  it('is learnt position by position: token accuracy 1 and perplexity near 1 on the validation split', async () => {
    const r = await dlf('eval', run, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.samples).toBe(120);
    // Sequences of 1 to 6 tokens: about 3.5 real tokens each, padding left out.
    expect(j.tokens.count).toBeGreaterThan(120 * 2.5);
    expect(j.tokens.count).toBeLessThan(120 * 4.5);
    expect(j.metrics.accuracy).toBe(1);
    expect(j.metrics.perplexity).toBeGreaterThan(1);
    expect(j.metrics.perplexity).toBeLessThan(1.1);
    expect(j.metrics.perplexity).toBeCloseTo(Math.exp(j.metrics.loss), 5);
    expect(j.confusion).toBeUndefined();
    expect(j.report).toBeUndefined();
  });

  it('dlf eval prints the tokens counted and says why there is no per-class table', async () => {
    const r = await dlf('eval', run, '--metrics', 'top_k_accuracy');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^val: 120 samples \(\d+ tokens\)$/m);
    expect(r.stdout).toMatch(/^ {2}perplexity +1\.0\d+$/m);
    expect(r.stdout).toMatch(/^ {2}top_k_accuracy +1\.000000$/m);
    expect(r.stdout).toContain('no per-class table or confusion matrix');
    const f1 = await dlf('eval', run, '--metrics', 'f1');
    expect(f1.code).toBe(2);
    expect(f1.stderr).toContain("'f1' does not apply to a label per token");
  });

  it('refuses per-class metrics and class weights in the config, at their lines', async () => {
    const metrics = await dlf('train', tmp.write('f1.yaml', config('  metrics: [accuracy, f1]\n')), '--out', join(tmp.dir, 'f1'), '--quiet');
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain("f1.yaml:12:23: train.metrics.1: metric 'f1' does not apply to a label per token");
    const weights = await dlf('train', tmp.write('w.yaml', config('  class_weights: balanced\n')), '--out', join(tmp.dir, 'w'), '--quiet');
    expect(weights.code).toBe(2);
    expect(weights.stderr).toContain('w.yaml:12:18: train.class_weights: class weights are not supported with a label per token');
  });
});
