// One training step value by value (train/step-values.ts): on y = w·x + b with an mse loss, the
// gradients the step shows are the ones worked out by hand from the values it shows; every node
// the step runs has a value; and the batch, dropout masks and batch statistics are those of the
// first step of training (its loss equals the loss `dlf train` reports for step 1).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize, configStepValues, SMALL_TENSOR } from '../../src/train/step-values.js';
import { K } from '../backend.js';
import { dlf, repo, tempDir } from '../cli/helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const close = (a: number, b: number, rel = 1e-5) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

describe('summarize', () => {
  it('keeps a small tensor whole and describes a large one by mean, std, min, max', () => {
    expect(summarize(Float32Array.of(1, 2, 3, 6))).toEqual({ size: 4, values: [1, 2, 3, 6], mean: 3, std: Math.sqrt(3.5), min: 1, max: 6 });
    const big = summarize(new Float32Array(SMALL_TENSOR + 1).fill(2));
    expect(big.values).toBeUndefined();
    expect(big).toMatchObject({ mean: 2, std: 0, min: 2, max: 2 });
  });
});

describe('configStepValues', () => {
  it('on linear.yaml: dL/dw = mean(2(ŷ − y)·x) and dL/db = mean(2(ŷ − y)) from the values it shows', () => {
    const step = configStepValues(repo('configs', 'linear.yaml'), {
      set: ['train.batch_size=4', 'model.graph.params.w.init={type: constant, value: 0.5}'],
      kernels: K,
    });
    const { program, values } = step;
    const id = (name: string) => program.graph.byName.get(name)!;
    const v = (name: string) => values.get(id(name))!.values!;
    const grad = (name: string) => values.get(program.backward!.gradOf.get(id(name))!)!.values!;
    const x = v('x');
    const target = v('loss/y');
    const [w] = v('w');
    const [b] = v('b');
    expect(x).toHaveLength(4);
    expect(w).toBe(0.5);
    const yhat = x.map((xi) => xi * w + b);
    v('y').forEach((p, i) => close(p, yhat[i]));
    const dyhat = yhat.map((p, i) => (2 * (p - target[i])) / 4);
    grad('y').forEach((g, i) => close(g, dyhat[i]));
    close(
      grad('w')[0],
      dyhat.reduce((s, d, i) => s + d * x[i], 0),
    );
    close(
      grad('b')[0],
      dyhat.reduce((s, d) => s + d, 0),
    );
    close(step.loss, yhat.reduce((s, p, i) => s + (p - target[i]) ** 2, 0) / 4);
    // The program as built: no fused ops, and every node it runs has a value.
    expect(program.graph.nodes.some((n) => n.op.includes('_bias_act') || n.op === 'mask_positive')).toBe(false);
    for (const n of program.plan.order) expect(values.has(n)).toBe(true);
  });

  for (const [config, sets] of [
    ['linear.yaml', ['train.batch_size=4']],
    ['digits-mlp.yaml', ['model.layers.1={type: dropout, rate: 0.5}']],
    ['fashion-small.yaml', ['train.batch_size=8']],
  ] as const) {
    it(`${config}: the batch, masks and batch statistics are those of training's first step (the same loss)`, async () => {
      const out = join(tmp.dir, config);
      const r = await dlf(
        'train',
        repo('configs', config),
        '--out',
        out,
        '--epochs',
        '1',
        '--json',
        '--quiet',
        '--step-events',
        '1',
        ...sets.flatMap((s) => ['--set', s]),
      );
      expect(r.code).toBe(0);
      const first = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .find((e) => e.type === 'step');
      expect(first.step).toBe(1);
      const step = configStepValues(repo('configs', config), { set: [...sets], kernels: K });
      close(step.loss, first.loss);
    });
  }
});
