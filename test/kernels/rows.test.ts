// Reference row-wise kernels against literals: softmax, log-softmax (including logits of 1000),
// the fused softmax-cross-entropy, one-hot, sigmoid binary cross-entropy (stable at ±100) and mse.
import { describe, expect, it } from 'vitest';
import { K } from '../backend.js';
import { DTYPES, expectClose } from './close.js';

const LOGITS = [
  [1, 2, 3],
  [0, 0, 0],
  [1000, 999, 998],
  [-1000, 0, 1000],
];
const SOFTMAX = [
  [0.09003057317038046, 0.24472847105479764, 0.6652409557748218],
  [1 / 3, 1 / 3, 1 / 3],
  [0.6652409557748218, 0.24472847105479764, 0.09003057317038046],
  [0, 0, 1],
];
const LOG_SOFTMAX = [
  [-2.4076059644443806, -1.4076059644443806, -0.4076059644443806],
  [-1.0986122886681098, -1.0986122886681098, -1.0986122886681098],
  [-0.40760596444442854, -1.4076059644444285, -2.4076059644444285],
  [-2000, -1000, 0],
];
const dims = { rows: 4, cols: 3 };

describe.each(DTYPES)('row kernels ($name)', ({ Ctor, tol }) => {
  it('softmax of each row, finite for logits of ±1000', () => {
    const out = new Ctor(12);
    K.softmax(Ctor.from(LOGITS.flat()), out, dims, false);
    expectClose(out, SOFTMAX.flat(), tol);
    for (let r = 0; r < 4; r++) {
      const s = out[3 * r] + out[3 * r + 1] + out[3 * r + 2];
      expect(Math.abs(s - 1)).toBeLessThan(1e-6);
    }
  });

  it('log-softmax of each row, finite for logits of ±1000', () => {
    const out = new Ctor(12);
    K.softmax(Ctor.from(LOGITS.flat()), out, dims, true);
    expectClose(out, LOG_SOFTMAX.flat(), tol);
  });

  it('a single column gives probability 1 (log 0)', () => {
    const p = new Ctor(2);
    const lp = new Ctor(2);
    K.softmax(Ctor.from([5, -7]), p, { rows: 2, cols: 1 }, false);
    K.softmax(Ctor.from([5, -7]), lp, { rows: 2, cols: 1 }, true);
    expect([...p]).toEqual([1, 1]);
    expectClose(lp, [0, 0]);
  });

  it('softmaxXent is logsumexp minus the label logit', () => {
    const out = new Ctor(4);
    K.softmaxXent(Ctor.from(LOGITS.flat()), Ctor.from([2, 1, 0, 0]), out, dims);
    expectClose(out, [0.4076059644443806, 1.0986122886681098, 0.40760596444442854, 2000], tol);
  });

  it('softmaxXent gives NaN for a label out of range or not an integer', () => {
    const out = new Ctor(4);
    K.softmaxXent(Ctor.from([1, 2, 1, 2, 1, 2, 1, 2]), Ctor.from([2, -1, 0.5, 1]), out, { rows: 4, cols: 2 });
    expectClose(out, [NaN, NaN, NaN, 0.31326168751822286], tol);
  });

  it('oneHot writes one 1 per row and clears the rest; labels out of range give a zero row', () => {
    const out = new Ctor(13).fill(9);
    K.oneHot(Ctor.from([2, 0, 1, 3]), out.subarray(0, 12), dims);
    expect([...out]).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 9]);
  });

  it('sigmoidBce is stable at x = ±100', () => {
    const pairs = [
      [-100, 0],
      [-100, 1],
      [100, 0],
      [100, 1],
      [0, 1],
      [2, 0],
      [-0.5, 1],
      [0.5, 0.25],
    ];
    const out = new Ctor(pairs.length);
    K.sigmoidBce(Ctor.from(pairs.map((p) => p[0])), Ctor.from(pairs.map((p) => p[1])), out);
    expectClose(
      out,
      [3.720075976020836e-44, 100, 100, 3.720075976020836e-44, 0.6931471805599453, 2.1269280110429727, 0.9740769841801067, 0.8490769841801067],
      tol,
    );
    for (const v of out) expect(Number.isFinite(v)).toBe(true);
  });

  it('mse is the per-row mean of squared differences', () => {
    const out = new Ctor(3);
    K.mse(Ctor.from([1, 2, 3, 5, -1, 0.5]), Ctor.from([0, 0, 3, 1, 1, -0.5]), out, { rows: 3, cols: 2 });
    // (1 + 4) / 2, (0 + 16) / 2, (4 + 1) / 2
    expect([...out]).toEqual([2.5, 8, 2.5]);
    const one = new Ctor(1);
    K.mse(Ctor.from([1, 2, 3]), Ctor.from([2, 2, 2]), one, { rows: 1, cols: 3 });
    expectClose(one, [2 / 3], tol);
  });
});
