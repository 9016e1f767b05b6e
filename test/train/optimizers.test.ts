// Every optimizer against three hand-computed steps. The expected numbers were computed once in
// Python 3 (float64) with the textbook formulas, PyTorch conventions, and are pasted as literals:
//   SGD momentum: buf = μ·buf + g; w -= lr·(g + μ·buf) (Nesterov) or lr·buf.
//   AdaGrad: sum += g²; w -= lr·g/(√sum + eps).
//   RMSProp: s = ρ·s + (1-ρ)·g²; buf = μ·buf + g/(√s + eps), w -= lr·buf (or lr·g/(√s + eps) when μ = 0).
//   Adam: m = b1·m + (1-b1)·g; v = b2·v + (1-b2)·g²; m̂ = m/(1-b1^t); v̂ = v/(1-b2^t); w -= lr·m̂/(√v̂ + eps).
//   AdamW: w *= 1 - lr·weight_decay, then the Adam step.
// For Adam the same formulas are also written out below and checked against the literals.
import { describe, expect, it } from 'vitest';
import type { OptimizerConfig } from '../../src/config/schema.js';
import { InternalError } from '../../src/errors.js';
import { K } from '../backend.js';
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
const SGD = { type: 'sgd', lr: 0.1, momentum: 0, nesterov: false } as const;

describe('SGD', () => {
  // w -= lr·g with lr = 0.1, then a scheduled lr of 0.05 on the third step.
  const STEPS = [
    { g: GRADS[0], lr: 0.1, w: [0.4, -1.3] },
    { g: GRADS[1], lr: 0.1, w: [0.35, -1.325] },
    { g: GRADS[2], lr: 0.05, w: [0.5, -1.525] },
  ];

  it('takes three hand-computed steps and counts them', () => {
    const { opt, w, params } = setup(SGD);
    expect(opt.state.step).toBe(0);
    expect(opt.state.slots).toEqual({});
    STEPS.forEach((s, i) => {
      opt.update(params, grad(s.g), K, s.lr);
      expectF32(w, s.w);
      expect(opt.state.step).toBe(i + 1);
    });
  });

  it('updates in place and leaves the gradients alone', () => {
    const { opt, w, params } = setup(SGD);
    const g = grad([1, -2]);
    opt.update(params, g, K, 0.1);
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
      opt.update(params, grad(GRADS[i]), K, config.lr);
      expectF32(w, s.w);
      expectF32(opt.state.slots.m.w, s.m);
      expectF32(opt.state.slots.v.w, s.v);
      expect(opt.state.step).toBe(i + 1);
    });
  });

  it('restoreOptimizer continues exactly where the saved optimizer was', () => {
    const a = setup(config);
    a.opt.update(a.params, grad(GRADS[0]), K, config.lr);
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
      a.opt.update(a.params, grad(GRADS[i]), K, config.lr);
      b.opt.update(b.params, grad(GRADS[i]), K, config.lr);
      expect([...b.w]).toEqual([...a.w]);
      expectF32(b.w, steps[i].w);
    }
    expect(b.opt.state.step).toBe(3);
    expect([...b.opt.state.slots.v.w]).toEqual([...a.opt.state.slots.v.w]);
  });
});

describe('restoreOptimizer', () => {
  it('restores the step count of SGD (which has no slots)', () => {
    const { opt } = setup(SGD);
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
    opt.update(params, grad(GRADS[1]), K, config.lr);
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

/** A case: the config, the lr of each of the three steps, and w plus every slot after each step. */
interface Case {
  label: string;
  config: OptimizerConfig;
  lrs: [number, number, number];
  steps: { w: number[]; slots: Record<string, number[]> }[];
}

const CASES: Case[] = [
  {
    label: 'SGD, momentum 0.9',
    config: { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: false },
    lrs: [0.1, 0.1, 0.05],
    steps: [
      { w: [0.4, -1.3], slots: { momentum: [1, -2] } },
      { w: [0.26, -1.145], slots: { momentum: [1.4, -1.55] } },
      { w: [0.347, -1.27525], slots: { momentum: [-1.74, 2.605] } },
    ],
  },
  {
    label: 'SGD, Nesterov momentum 0.9',
    config: { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
    lrs: [0.1, 0.1, 0.05],
    steps: [
      { w: [0.31, -1.12], slots: { momentum: [1, -2] } },
      { w: [0.134, -1.0055], slots: { momentum: [1.4, -1.55] } },
      { w: [0.3623, -1.322725], slots: { momentum: [-1.74, 2.605] } },
    ],
  },
  {
    label: 'AdaGrad, defaults (eps 1e-10, no initial accumulator)',
    config: { type: 'adagrad', lr: 0.1, eps: 1e-10, initial_accumulator: 0 },
    lrs: [0.1, 0.1, 0.1],
    steps: [
      { w: [0.40000000001, -1.400000000005], slots: { sum: [1, 4] } },
      { w: [0.35527864046400426, -1.4124034734633053], slots: { sum: [1.25, 4.0625] } },
      { w: [0.4489828975942411, -1.5017067650110631], slots: { sum: [10.25, 20.0625] } },
    ],
  },
  {
    label: 'AdaGrad, eps 0.1, initial accumulator 0.5, decaying lr',
    config: { type: 'adagrad', lr: 0.5, eps: 0.1, initial_accumulator: 0.5 },
    lrs: [0.5, 0.25, 0.125],
    steps: [
      { w: [0.12256883510349359, -1.049817295421015], slots: { sum: [1.5, 4.5] } },
      { w: [0.03471857249341491, -1.0777689831795183], slots: { sum: [1.75, 4.5625] } },
      { w: [0.1457073735461733, -1.1856534081108956], slots: { sum: [10.75, 20.5625] } },
    ],
  },
  {
    label: 'RMSProp, defaults (rho 0.9, eps 1e-8, no momentum)',
    config: { type: 'rmsprop', lr: 0.01, rho: 0.9, eps: 1e-8, momentum: 0 },
    lrs: [0.01, 0.01, 0.01],
    steps: [
      { w: [0.4683772243983162, -1.4683772238983162], slots: { square_avg: [0.1, 0.4] } },
      { w: [0.45363302921760906, -1.4725081857539168], slots: { square_avg: [0.115, 0.36625] } },
      { w: [0.4835806663304294, -1.5013036131957278], slots: { square_avg: [1.0035, 1.929625] } },
    ],
  },
  {
    label: 'RMSProp, rho 0.5, eps 0.1, momentum 0.8',
    config: { type: 'rmsprop', lr: 0.05, rho: 0.5, eps: 0.1, momentum: 0.8 },
    lrs: [0.05, 0.05, 0.02],
    steps: [
      {
        w: [0.4380503284503523, -1.4339591174686888],
        slots: { square_avg: [0.5, 2], momentum: [1.238993430992954, -1.320817650626226] },
      },
      {
        w: [0.35339658876571667, -1.3923321005572198],
        slots: { square_avg: [0.375, 1.03125], momentum: [1.693074793692712, -0.8325403382293786] },
      },
      {
        w: [0.35279671554448805, -1.4055177201876337],
        slots: { square_avg: [4.6875, 8.515625], momentum: [0.0299936610614302, 0.659280981520693] },
      },
    ],
  },
  {
    label: 'Adam with a scheduled lr (0.05, 0.05, 0.02)',
    config: { type: 'adam', lr: 0.05, beta1: 0.5, beta2: 0.75, eps: 0.1 },
    lrs: [0.05, 0.05, 0.02],
    steps: [
      { w: [0.45454545454545453, -1.4523809523809523], slots: { m: [0.5, -1], v: [0.25, 1] } },
      { w: [0.415601411948939, -1.4348108998589366], slots: { m: [0.5, -0.375], v: [0.25, 0.765625] } },
      { w: [0.42886981955542147, -1.4490335607534375], slots: { m: [-1.25, 1.8125], v: [2.4375, 4.57421875] } },
    ],
  },
  {
    label: 'AdamW, defaults (weight decay 0.01) with lr 0.1 and weight decay 0.1',
    config: { type: 'adamw', lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1 },
    lrs: [0.1, 0.1, 0.1],
    steps: [
      { w: [0.395000001, -1.3850000004999998], slots: { m: [0.1, -0.2], v: [0.001, 0.004] } },
      { w: [0.29783203828816107, -1.3138965433239553], slots: { m: [0.14, -0.155], v: [0.001249, 0.0040585] } },
      { w: [0.3295760684137745, -1.3379176538563282], slots: { m: [-0.174, 0.2605], v: [0.010247751, 0.0200544415] } },
    ],
  },
  {
    label: 'AdamW, weight decay 2, b1 0.5, b2 0.75, eps 0.1, scheduled lr',
    config: { type: 'adamw', lr: 0.05, beta1: 0.5, beta2: 0.75, eps: 0.1, weight_decay: 2 },
    lrs: [0.05, 0.05, 0.02],
    steps: [
      { w: [0.40454545454545454, -1.3023809523809524], slots: { m: [0.5, -1], v: [0.25, 1] } },
      { w: [0.32514686649439356, -1.1545728046208414], slots: { m: [0.5, -0.375], v: [0.25, 0.765625] } },
      { w: [0.32540939944110026, -1.1226125533305087], slots: { m: [-1.25, 1.8125], v: [2.4375, 4.57421875] } },
    ],
  },
];

/** A deep copy of optimizer state, as a checkpoint would hold it. */
function saveState(s: OptimizerState): OptimizerState {
  return {
    step: s.step,
    slots: Object.fromEntries(
      Object.entries(s.slots).map(([slot, byName]) => [slot, Object.fromEntries(Object.entries(byName).map(([n, b]) => [n, Float32Array.from(b)]))]),
    ),
  };
}

describe.each(CASES)('$label', ({ config, lrs, steps }) => {
  it('takes three hand-computed steps (w and every slot) and counts them', () => {
    const { opt, w, params } = setup(config);
    expect(Object.keys(opt.state.slots).sort()).toEqual(Object.keys(steps[0].slots).sort());
    steps.forEach((s, i) => {
      const g = grad(GRADS[i]);
      opt.update(params, g, K, lrs[i]);
      expectF32(w, s.w);
      for (const [slot, values] of Object.entries(s.slots)) expectF32(opt.state.slots[slot].w, values);
      expect(opt.state.step).toBe(i + 1);
      expect([...g.get('w')!]).toEqual(GRADS[i]);
    });
  });

  it('keeps the same slot buffers (no allocation per step) and restores to continue exactly', () => {
    const a = setup(config);
    const buffers = Object.values(a.opt.state.slots).map((byName) => byName.w);
    a.opt.update(a.params, grad(GRADS[0]), K, lrs[0]);
    buffers.forEach((b, i) => expect(Object.values(a.opt.state.slots)[i].w).toBe(b));

    const saved = saveState(a.opt.state);
    const b = setup(config);
    b.w.set(a.w);
    restoreOptimizer(b.opt, saved);
    for (let i = 1; i < 3; i++) {
      a.opt.update(a.params, grad(GRADS[i]), K, lrs[i]);
      b.opt.update(b.params, grad(GRADS[i]), K, lrs[i]);
      expect([...b.w]).toEqual([...a.w]);
      expectF32(b.w, steps[i].w);
    }
    expect(b.opt.state.step).toBe(3);
  });
});

describe('optimizer details', () => {
  it('Nesterov with momentum 0 is plain SGD without a slot', () => {
    const { opt, w, params } = setup({ ...SGD, nesterov: true });
    expect(opt.state.slots).toEqual({});
    opt.update(params, grad(GRADS[0]), K, 0.1);
    expectF32(w, [0.4, -1.3]);
  });

  it('AdaGrad starts its sum at initial_accumulator', () => {
    const { opt } = setup({ type: 'adagrad', lr: 0.1, eps: 1e-10, initial_accumulator: 0.25 });
    expect([...opt.state.slots.sum.w]).toEqual([0.25, 0.25]);
  });

  it('AdamW skips the decay of parameters in noDecay, which then step exactly like Adam', () => {
    const adamw = CASES.find((c) => c.config.type === 'adamw' && c.config.weight_decay === 2)!;
    const adam = CASES.find((c) => c.config.type === 'adam')!;
    const w = Float32Array.from(W0);
    const b = Float32Array.from(W0);
    const params = new Map([
      ['dense/w', w],
      ['dense/b', b],
    ]);
    const opt = createOptimizer(
      adamw.config,
      new Map([
        ['dense/w', 2],
        ['dense/b', 2],
      ]),
      { noDecay: new Set(['dense/b']) },
    );
    for (let i = 0; i < 3; i++) {
      const g = Float32Array.from(GRADS[i]);
      opt.update(
        params,
        new Map([
          ['dense/w', g],
          ['dense/b', Float32Array.from(g)],
        ]),
        K,
        adamw.lrs[i],
      );
      expectF32(w, adamw.steps[i].w);
      expectF32(b, adam.steps[i].w);
    }
  });

  it('AdamW with weight decay 0 is Adam', () => {
    const adam = CASES.find((c) => c.config.type === 'adam')!;
    const { opt, w, params } = setup({ ...(adam.config as Extract<OptimizerConfig, { type: 'adam' }>), type: 'adamw', weight_decay: 0 });
    for (let i = 0; i < 3; i++) opt.update(params, grad(GRADS[i]), K, adam.lrs[i]);
    expectF32(w, adam.steps[2].w);
  });

  it('a learning rate of 0 changes no parameter (but still moves the slots)', () => {
    const { opt, w, params } = setup(CASES[0].config);
    opt.update(params, grad(GRADS[0]), K, 0);
    expect([...w]).toEqual(W0);
    expect([...opt.state.slots.momentum.w]).toEqual([1, -2]);
  });

  it.each([NaN, -0.1, Infinity, undefined as unknown as number])('rejects the learning rate %s', (lr) => {
    const { opt, w, params } = setup(SGD);
    expect(() => opt.update(params, grad(GRADS[0]), K, lr)).toThrow(InternalError);
    expect([...w]).toEqual(W0);
  });

  it.each([
    { label: 'a missing gradient', grads: new Map<string, Float32Array>(), re: /gradient of 'w' is missing/ },
    { label: 'a gradient of the wrong size', grads: grad([1, 2, 3]), re: /gradient of 'w' has 3 elements, expected 2/ },
  ])('names the parameter of $label', ({ grads, re }) => {
    const { opt, params } = setup(CASES[2].config);
    expect(() => opt.update(params, grads, K, 0.1)).toThrow(re);
  });

  it('a failed restore leaves the optimizer as it was', () => {
    const { opt, params } = setup(ADAM[0].config);
    opt.update(params, grad(GRADS[0]), K, 0.1);
    const before = saveState(opt.state);
    expect(() => restoreOptimizer(opt, { step: 5, slots: { m: { w: new Float32Array(2).fill(9) } } })).toThrow(/slot v of 'w'/);
    expect(saveState(opt.state)).toEqual(before);
  });
});
