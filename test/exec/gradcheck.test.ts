// The numeric core of `dlf gradcheck`: correct gradients of whole compiled programs pass, a planted
// wrong gradient is caught at the element it was planted in, random masks are held fixed, and a
// loss kink (relu at exactly 0) is told apart from a wrong gradient.
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { analyticGradients, chooseElements, gradcheck, onKink } from '../../src/exec/gradcheck.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { InternalError } from '../../src/errors.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { initParams } from '../../src/train/loop.js';

const FEATURES = 5;
const CLASSES = 3;
const BATCH = 6;

function setup(layers: unknown[], seed = 4) {
  const config = ConfigSchema.parse({
    name: 't',
    seed,
    data: { source: 'spirals', classes: CLASSES },
    model: { layers },
    train: { batch_size: BATCH },
  });
  const model = compileModel(config, { task: 'classification', sampleShape: [FEATURES], classes: CLASSES }, () => ({}));
  const program = model.program(BATCH, 'train');
  const params = new Map<string, Float64Array>();
  for (const [name, buf] of initParams(model, seed)) params.set(name, Float64Array.from(buf));
  const rng = new Rng(seed + 100);
  const x = Float64Array.from({ length: BATCH * FEATURES }, () => 2 * rng.uniform() - 1);
  const y = Float64Array.from({ length: BATCH }, (_, i) => i % CLASSES);
  return { program, params, feed: { x, y } };
}

const MLP = [
  { type: 'dense', units: 7, activation: 'tanh' },
  { type: 'dense', units: CLASSES },
];
const REGULARISED = [{ type: 'dense', units: 8, activation: 'relu' }, { type: 'batchnorm' }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: CLASSES }];
const maskState = new Rng(99).state();

describe('gradcheck', () => {
  it('passes the gradients of a compiled MLP, checking every element of small parameters', () => {
    const { program, params, feed } = setup(MLP);
    const r = gradcheck(program, params, feed, { kernels: K, maxElements: 1000 });
    expect(r.failed).toBe(0);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(r.params.map((p) => [p.name, p.checked])).toEqual([
      ['layer0/dense/w', FEATURES * 7],
      ['layer0/dense/b', 7],
      ['layer1/dense/w', 7 * CLASSES],
      ['layer1/dense/b', CLASSES],
    ]);
    for (const p of r.params) {
      expect(p.ok).toBe(true);
      expect(p.kinks).toBe(0);
      expect(p.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('checks at most maxElements elements of each parameter', () => {
    const { program, params, feed } = setup(MLP);
    const r = gradcheck(program, params, feed, { kernels: K, maxElements: 4 });
    expect(r.params.map((p) => p.checked)).toEqual([4, 4, 4, CLASSES]);
  });

  it('restores the parameters it perturbs', () => {
    const { program, params, feed } = setup(MLP);
    const before = new Map([...params].map(([k, v]) => [k, v.slice()]));
    gradcheck(program, params, feed, { kernels: K });
    for (const [k, v] of params) expect(v).toEqual(before.get(k));
  });

  it('catches a wrong analytic gradient at the element it is in, and only in that parameter', () => {
    const { program, params, feed } = setup(MLP);
    const { grads } = analyticGradients(program, params, feed, { kernels: K });
    const wrong = new Map([...grads].map(([k, v]) => [k, v.slice()]));
    wrong.get('layer0/dense/w')![13] += 0.05;
    const r = gradcheck(program, params, feed, { kernels: K, maxElements: 1000, analytic: wrong });
    expect(r.failed).toBe(1);
    const bad = r.params.find((p) => !p.ok)!;
    expect(bad.name).toBe('layer0/dense/w');
    expect(bad.worst.index).toBe(13);
    expect(bad.kinks).toBe(0);
    expect(bad.maxRelError).toBeGreaterThan(1e-2);
    expect(r.params.filter((p) => p.ok)).toHaveLength(3);
  });

  it('catches a gradient off by a sign, and honours the tolerance', () => {
    const { program, params, feed } = setup(MLP);
    const { grads } = analyticGradients(program, params, feed, { kernels: K });
    const flipped = new Map(grads);
    flipped.set(
      'layer1/dense/b',
      grads.get('layer1/dense/b')!.map((v) => -v),
    );
    expect(gradcheck(program, params, feed, { kernels: K, analytic: flipped }).failed).toBe(1);
    // The correct gradients fail only a tolerance below the rounding error of the differences.
    expect(gradcheck(program, params, feed, { kernels: K, tolerance: 1e-14 }).failed).toBeGreaterThan(0);
  });

  it('holds dropout masks fixed across evaluations and checks batchnorm in training mode', () => {
    const { program, params, feed } = setup(REGULARISED);
    expect(program.graph.nodes.some((n) => n.op === 'random')).toBe(true);
    const r = gradcheck(program, params, feed, { kernels: K, maskState, maxElements: 1000 });
    expect(r.failed).toBe(0);
    expect(r.params.map((p) => p.name)).toEqual([
      'layer0/dense/w',
      'layer0/dense/b',
      'layer1/batchnorm/gamma',
      'layer1/batchnorm/beta',
      'layer3/dense/w',
      'layer3/dense/b',
    ]);
    // The same masks give the same loss; other masks another one.
    const again = gradcheck(program, params, feed, { kernels: K, maskState, maxElements: 1 });
    expect(again.loss).toBe(r.loss);
    const other = gradcheck(program, params, feed, { kernels: K, maskState: new Rng(5).state(), maxElements: 1 });
    expect(other.loss).not.toBe(r.loss);
  });

  it('needs an RNG state when the program has random masks', () => {
    const { program, params, feed } = setup(REGULARISED);
    expect(() => gradcheck(program, params, feed, { kernels: K })).toThrow(InternalError);
  });

  it('refuses an evaluation program and a batch of the wrong size', () => {
    const { params, feed } = setup(MLP);
    const { program } = setup(MLP);
    const config = ConfigSchema.parse({ name: 't', data: { source: 'spirals', classes: CLASSES }, model: { layers: MLP } });
    const evalProgram = compileModel(config, { task: 'classification', sampleShape: [FEATURES], classes: CLASSES }, () => ({})).program(BATCH, 'eval');
    expect(() => gradcheck(evalProgram, params, feed, { kernels: K })).toThrow(/training program/);
    expect(() => gradcheck(program, params, { x: feed.x.subarray(1), y: feed.y }, { kernels: K })).toThrow(/does not fit/);
  });

  it('counts relu inputs at exactly 0 as kinks, not failures', () => {
    // Zero inputs and a zero bias put every hidden pre-activation at 0: the analytic gradient of the
    // bias takes relu'(0) = 0 while the central difference sees half of the right-hand slope.
    const { program, params, feed } = setup([
      { type: 'dense', units: 4, activation: 'relu' },
      { type: 'dense', units: CLASSES },
    ]);
    feed.x.fill(0);
    feed.y.fill(0); // unbalanced labels, so the loss has a slope through the hidden units
    const r = gradcheck(program, params, feed, { kernels: K, maxElements: 1000 });
    expect(r.failed).toBe(0);
    const b = r.params.find((p) => p.name === 'layer0/dense/b')!;
    expect(b.kinks).toBeGreaterThan(0);
    expect(b.ok).toBe(true);
    // A wrong gradient there is still a failure unless it matches one side of the kink.
    const { grads } = analyticGradients(program, params, feed, { kernels: K });
    const wrong = new Map(grads);
    wrong.set(
      'layer1/dense/w',
      grads.get('layer1/dense/w')!.map((v) => v + 1),
    );
    expect(gradcheck(program, params, feed, { kernels: K, analytic: wrong }).failed).toBeGreaterThan(0);
  });
});

describe('onKink', () => {
  it('excuses a mismatch only when the sides differ and the analytic gradient is one of them', () => {
    expect(onKink(0, 2, 0, 1e-3)).toBe(true); // relu'(0) = 0, the right side has slope 2
    expect(onKink(2, 2, 0, 1e-3)).toBe(true);
    expect(onKink(1.5, 1, 1, 1e-3)).toBe(false); // smooth loss, wrong gradient
    expect(onKink(5, 2, 0, 1e-3)).toBe(false); // a kink, but the gradient is neither side
  });
});

describe('chooseElements', () => {
  it('draws k distinct sorted indices, or all of them when there are few', () => {
    expect(chooseElements(5, 32, new Rng(1))).toEqual([0, 1, 2, 3, 4]);
    const pick = chooseElements(10_000, 32, new Rng(1));
    expect(pick).toHaveLength(32);
    expect(new Set(pick).size).toBe(32);
    expect(pick.every((i, k) => i >= 0 && i < 10_000 && (k === 0 || i > pick[k - 1]))).toBe(true);
    expect(chooseElements(10_000, 32, new Rng(1))).toEqual(pick);
    expect(chooseElements(10_000, 32, new Rng(2))).not.toEqual(pick);
  });
});
