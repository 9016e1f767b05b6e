// SGD and Adam against three hand-computed steps each. The expected numbers were computed once in
// float64 with the textbook formulas (Adam: m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²;
// m̂ = m/(1-b1^t); v̂ = v/(1-b2^t); w -= lr·m̂/(√v̂ + eps)) and are pasted as literals; the same
// formulas are also written out below and checked against the literals.
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../../src/config/schema.js';
import { tsKernels } from '../../src/kernels/ts/index.js';
import { type Optimizer, type OptimizerState, createOptimizer, restoreOptimizer } from '../../src/train/optimizers.js';

const W0 = [0.5, -1.5];
const GRADS = [
  [1, -2],
  [0.5, 0.25],
  [-3, 4],
];

/** Close in float32: the parameters and moments are stored as float32. */
function expectF32(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 4e-7 * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) throw new Error(`[${i}] ${actual[i]} != ${expected[i]}`);
  }
}

function setup(config: OptimizerConfig): { opt: Optimizer; w: Float32Array; params: Map<string, Float32Array> } {
  const w = Float32Array.from(W0);
  const opt = createOptimizer(config, new Map([['w', 2]]));
  return { opt, w, params: new Map([['w', w]]) };
}

const grad = (g: readonly number[]) => new Map([['w', Float32Array.from(g)]]);

describe('SGD', () => {
  // w -= lr·g with lr = 0.1, then an explicit lr of 0.05 on the third step.
  const STEPS = [
    { g: GRADS[0], lr: undefined, w: [0.4, -1.3] },
    { g: GRADS[1], lr: undefined, w: [0.35, -1.325] },
    { g: GRADS[2], lr: 0.05, w: [0.5, -1.525] },
  ];

  it('takes three hand-computed steps and counts them', () => {
    const { opt, w, params } = setup({ type: 'sgd', lr: 0.1 });
    expect(opt.state.step).toBe(0);
    expect(opt.state.slots).toEqual({});
    STEPS.forEach((s, i) => {
      opt.update(params, grad(s.g), tsKernels, s.lr);
      expectF32(w, s.w);
      expect(opt.state.step).toBe(i + 1);
    });
  });

  it('updates in place and leaves the gradients alone', () => {
    const { opt, w, params } = setup({ type: 'sgd', lr: 0.1 });
    const g = grad([1, -2]);
    opt.update(params, g, tsKernels);
    expect(params.get('w')).toBe(w);
    expect([...g.get('w')!]).toEqual([1, -2]);
  });
});

/** The textbook Adam in float64, written out step by step. */
function textbookAdam(lr: number, b1: number, b2: number, eps: number): { w: number[]; m: number[]; v: number[] }[] {
  const w = [...W0];
  const m = [0, 0];
  const v = [0, 0];
  return GRADS.map((g, s) => {
    const t = s + 1;
    for (let i = 0; i < w.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      w[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    return { w: [...w], m: [...m], v: [...v] };
  });
}

const ADAM = [
  {
    label: 'defaults (lr 0.1, b1 0.9, b2 0.999, eps 1e-8)',
    config: { type: 'adam', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const,
    steps: [
      { w: [0.400000001, -1.4000000005], m: [0.1, -0.2], v: [0.001, 0.004] },
      { w: [0.3067820382981611, -1.3427465433289554], m: [0.14, -0.155], v: [0.001249, 0.0040585] },
      { w: [0.3415043888066561, -1.379906619294568], m: [-0.174, 0.2605], v: [0.010247751, 0.0200544415] },
    ],
  },
  {
    // A large eps and small betas, so that a wrong bias correction of eps or of v shows.
    label: 'lr 0.05, b1 0.5, b2 0.75, eps 0.1',
    config: { type: 'adam', lr: 0.05, beta1: 0.5, beta2: 0.75, eps: 0.1 } as const,
    steps: [
      { w: [0.45454545454545453, -1.4523809523809523], m: [0.5, -1], v: [0.25, 1] },
      { w: [0.415601411948939, -1.4348108998589366], m: [0.5, -0.375], v: [0.25, 0.765625] },
      { w: [0.4487724309651452, -1.4703675520951887], m: [-1.25, 1.8125], v: [2.4375, 4.57421875] },
    ],
  },
];

describe.each(ADAM)('Adam, $label', ({ config, steps }) => {
  it('the textbook formulas reproduce the pasted literals', () => {
    const ref = textbookAdam(config.lr, config.beta1, config.beta2, config.eps);
    ref.forEach((r, i) => {
      r.w.forEach((v, j) => expect(v).toBeCloseTo(steps[i].w[j], 14));
      r.m.forEach((v, j) => expect(v).toBeCloseTo(steps[i].m[j], 14));
      r.v.forEach((v, j) => expect(v).toBeCloseTo(steps[i].v[j], 14));
    });
  });

  it('takes three hand-computed steps (w, m and v) and counts them', () => {
    const { opt, w, params } = setup(config);
    expect(opt.state.step).toBe(0);
    steps.forEach((s, i) => {
      opt.update(params, grad(GRADS[i]), tsKernels);
      expectF32(w, s.w);
      expectF32(opt.state.slots.m.w, s.m);
      expectF32(opt.state.slots.v.w, s.v);
      expect(opt.state.step).toBe(i + 1);
    });
  });

  it('restoreOptimizer continues exactly where the saved optimizer was', () => {
    const a = setup(config);
    a.opt.update(a.params, grad(GRADS[0]), tsKernels);
    // Save: a deep copy, as a checkpoint would hold it.
    const saved = {
      step: a.opt.state.step,
      slots: Object.fromEntries(
        Object.entries(a.opt.state.slots).map(([s, byName]) => [s, Object.fromEntries(Object.entries(byName).map(([n, b]) => [n, Float32Array.from(b)]))]),
      ),
    };
    const b = setup(config);
    b.w.set(a.w);
    restoreOptimizer(b.opt, saved);
    expect(b.opt.state.step).toBe(1);
    // The restored slots are copies: changing the saved state afterwards changes nothing.
    saved.slots.m.w.fill(1e3);
    for (let i = 1; i < 3; i++) {
      a.opt.update(a.params, grad(GRADS[i]), tsKernels);
      b.opt.update(b.params, grad(GRADS[i]), tsKernels);
      expect([...b.w]).toEqual([...a.w]);
      expectF32(b.w, steps[i].w);
    }
    expect(b.opt.state.step).toBe(3);
    expect([...b.opt.state.slots.v.w]).toEqual([...a.opt.state.slots.v.w]);
  });
});

describe('restoreOptimizer', () => {
  it('restores the step count of SGD (which has no slots)', () => {
    const { opt } = setup({ type: 'sgd', lr: 0.1 });
    restoreOptimizer(opt, { step: 7, slots: {} });
    expect(opt.state.step).toBe(7);
  });

  it('a restored step count sets Adam’s bias correction', () => {
    // Restoring step 1 with the moments after step 1 must give the step-2 update, not a second step 1.
    const config = ADAM[1].config;
    const { opt, w, params } = setup(config);
    w.set(ADAM[1].steps[0].w);
    restoreOptimizer(opt, {
      step: 1,
      slots: { m: { w: Float32Array.from(ADAM[1].steps[0].m) }, v: { w: Float32Array.from(ADAM[1].steps[0].v) } },
    });
    opt.update(params, grad(GRADS[1]), tsKernels);
    expectF32(w, ADAM[1].steps[1].w);
    expect(opt.state.step).toBe(2);
  });

  it.each<{ label: string; slots: OptimizerState['slots'] }>([
    { label: 'a missing slot', slots: { m: { w: new Float32Array(2) } } },
    { label: 'a missing parameter', slots: { m: { w: new Float32Array(2) }, v: { other: new Float32Array(2) } } },
    { label: 'a slot of the wrong size', slots: { m: { w: new Float32Array(2) }, v: { w: new Float32Array(3) } } },
  ])('rejects saved Adam state with $label', ({ slots }) => {
    const { opt } = setup(ADAM[0].config);
    expect(() => restoreOptimizer(opt, { step: 1, slots })).toThrow(/missing or has the wrong size/);
  });
});
