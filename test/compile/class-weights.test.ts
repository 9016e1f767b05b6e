// Class weights in the loss: the weighted mean Σ w·loss / Σ w computed by hand from the logits,
// and the gradient check of whole programs with a weighted softmax and a weighted sigmoid loss.
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { gradcheck } from '../../src/exec/gradcheck.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { resolveClassWeights } from '../../src/train/class-weights.js';
import { initParams } from '../../src/train/loop.js';
import { Rng } from '../../src/tensor/rng.js';
import { K } from '../backend.js';

const FEATURES = 4;
const BATCH = 6;

function setup(units: number, classWeights: number[] | undefined, loss?: string) {
  const config = ConfigSchema.parse({
    name: 't',
    seed: 2,
    data: { source: 'spirals' },
    model: {
      layers: [
        { type: 'dense', units, activation: 'tanh' },
        { type: 'dense', units },
      ],
    },
    ...(loss ? { loss } : {}),
    train: { batch_size: BATCH },
  });
  const classes = units === 1 ? 2 : units;
  const model = compileModel(config, { task: 'classification', sampleShape: [FEATURES], classes }, () => ({}), { classWeights });
  const params = new Map<string, Float64Array>();
  for (const [name, buf] of initParams(model, 2)) params.set(name, Float64Array.from(buf));
  const rng = new Rng(7);
  const x = Float64Array.from({ length: BATCH * FEATURES }, () => 2 * rng.uniform() - 1);
  const y = Float64Array.from([0, 1, 2, 0, 0, 1].map((c) => c % classes));
  return { program: model.program(BATCH, 'train'), params, feed: { x, y } };
}

/** The model's logits, computed here in float64: tanh(x·w0 + b0)·w1 + b1. */
function logits(params: Map<string, Float64Array>, x: Float64Array, units: number): number[][] {
  const [w0, b0, w1, b1] = ['layer0/dense/w', 'layer0/dense/b', 'layer1/dense/w', 'layer1/dense/b'].map((n) => params.get(n)!);
  const out: number[][] = [];
  for (let r = 0; r < BATCH; r++) {
    const h = Array.from({ length: units }, (_, j) =>
      Math.tanh(b0[j] + Array.from({ length: FEATURES }, (_, i) => x[r * FEATURES + i] * w0[i * units + j]).reduce((a, b) => a + b)),
    );
    out.push(Array.from({ length: units }, (_, j) => b1[j] + h.reduce((a, v, i) => a + v * w1[i * units + j], 0)));
  }
  return out;
}

const weightedMean = (per: number[], w: number[]) => per.reduce((a, l, i) => a + w[i] * l, 0) / w.reduce((a, b) => a + b, 0);

describe('a weighted softmax cross-entropy', () => {
  const weights = [0.5, 2, 3];

  it('is Σ w·loss / Σ w with each sample weighed by its class', () => {
    const { program, params, feed } = setup(3, weights);
    const z = logits(params, feed.x, 3);
    const per = z.map((row, r) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[feed.y[r]]);
    const w = Array.from(feed.y, (c) => weights[c]);
    const r = gradcheck(program, params, feed, { kernels: K, maxElements: 1000 });
    expect(r.loss).toBeCloseTo(weightedMean(per, w), 12);
    // and not the plain mean (the weights change the loss)
    expect(Math.abs(r.loss - per.reduce((a, b) => a + b) / BATCH)).toBeGreaterThan(1e-3);
    expect(r.failed).toBe(0);
    for (const p of r.params) expect(p.maxRelError).toBeLessThan(1e-6);
  });

  it('with equal weights is the plain mean', () => {
    const plain = setup(3, undefined);
    const equal = setup(3, [4, 4, 4]);
    const a = gradcheck(plain.program, plain.params, plain.feed, { kernels: K });
    const b = gradcheck(equal.program, equal.params, equal.feed, { kernels: K });
    expect(b.loss).toBeCloseTo(a.loss, 14);
  });
});

describe('a weighted sigmoid binary cross-entropy', () => {
  const weights = [0.25, 3]; // class 0 (negative), class 1 (positive)

  it('weighs positives and negatives, and its gradient checks', () => {
    const { program, params, feed } = setup(1, weights, 'sigmoid_binary_cross_entropy');
    const z = logits(params, feed.x, 1).map((row) => row[0]);
    // BCE of a logit z against y: log(1 + e^z) − y·z
    const per = z.map((v, r) => Math.log1p(Math.exp(v)) - feed.y[r] * v);
    const w = Array.from(feed.y, (c) => weights[c]);
    const r = gradcheck(program, params, feed, { kernels: K, maxElements: 1000 });
    expect(r.loss).toBeCloseTo(weightedMean(per, w), 12);
    expect(r.failed).toBe(0);
    for (const p of r.params) expect(p.maxRelError).toBeLessThan(1e-6);
  });
});

describe('resolveClassWeights', () => {
  it('balanced: n / (k · count) on the training labels', () => {
    // 4 labels, 2 classes: a three times, b once → 4/(2·3) and 4/(2·1)
    const r = resolveClassWeights('balanced', ['a', 'b'], [0, 0, 0, 1]);
    expect(r.weights[0]).toBeCloseTo(2 / 3, 15);
    expect(r.weights[1]).toBe(2);
    expect(r).toMatchObject({ mode: 'balanced', classes: ['a', 'b'] });
    // every class then carries the same total weight: 3 · 2/3 = 1 · 2
    expect(resolveClassWeights('balanced', ['a', 'b', 'c'], [0, 1]).weights[2]).toBe(1); // absent from training
  });

  it('a map: the named weight, 1 for the others; an unknown name is an error with the closest class', () => {
    expect(resolveClassWeights({ b: 5 }, ['a', 'b'], []).weights).toEqual([1, 5]);
    expect(() => resolveClassWeights({ setosaa: 2 }, ['setosa', 'virginica'], [])).toThrow(ConfigError);
    try {
      resolveClassWeights({ setosaa: 2 }, ['setosa', 'virginica'], []);
    } catch (e) {
      expect((e as ConfigError).format()).toBe("train.class_weights.setosaa: 'setosaa' is not a class of the data (did you mean 'setosa'?)");
    }
  });
});
