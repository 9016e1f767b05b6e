// Exclusion patterns and the L1/L2 penalties (values and gradients).
import { describe, expect, it } from 'vitest';
import { TrainSchema } from '../../src/config/schema.js';
import { InternalError } from '../../src/errors.js';
import { K } from '../backend.js';
import { addPenaltyGradients, matchesAny } from '../../src/train/regularize.js';

describe('matchesAny', () => {
  it.each<[pattern: string, yes: string[], no: string[]]>([
    ['*/b', ['b', 'dense_0/b', 'block1/conv/b'], ['dense_0/bias', 'b/w', 'dense_0/b/x', 'ab']],
    ['**/gamma', ['gamma', 'bn/gamma', 'a/b/gamma'], ['gammas', 'bn/gamma/x']],
    ['dense_*/w', ['dense_0/w', 'dense_12/w', 'dense_/w'], ['dense_0/x/w', 'block/dense_0/w', 'dense_0/W']],
    ['block/**', ['block/a', 'block/a/b'], ['block', 'other/a', 'xblock/a']],
    ['a/**/w', ['a/x/w', 'a/x/y/w'], ['a/w', 'b/x/w']],
    ['*', ['w', 'bias'], ['dense/w']],
    ['**', ['w', 'dense/w', 'a/b/c'], []],
    ['w', ['w'], ['dense/w', 'ww']],
    ['dense.0/w+', ['dense.0/w+'], ['denseX0/w+', 'dense.0/ww']],
    ['*/conv*/[b]', ['x/conv1/[b]'], ['x/conv1/b']],
  ])('%s', (pattern, yes, no) => {
    for (const n of yes) expect(matchesAny(n, [pattern]), n).toBe(true);
    for (const n of no) expect(matchesAny(n, [pattern]), n).toBe(false);
  });

  it('is true when any pattern matches and false for none', () => {
    expect(matchesAny('bn/beta', ['*/b', '*/beta'])).toBe(true);
    expect(matchesAny('bn/beta', [])).toBe(false);
  });

  it('the default exclusions pick biases and norm shifts and scales', () => {
    const names = ['dense_0/w', 'dense_0/b', 'bn_1/gamma', 'bn_1/beta', 'ln/gamma', 'emb/table', 'b'];
    const { exclude } = TrainSchema.parse({}).regularization;
    expect(names.filter((n) => matchesAny(n, exclude))).toEqual(['dense_0/b', 'bn_1/gamma', 'bn_1/beta', 'ln/gamma', 'b']);
  });
});

/** w and the excluded b; gradients of ones. */
function setup(): { params: Map<string, Float32Array>; grads: Map<string, Float32Array> } {
  return {
    params: new Map([
      ['dense/w', Float32Array.from([0.5, -2, 0])],
      ['dense/b', Float32Array.from([3, -1])],
    ]),
    grads: new Map([
      ['dense/w', Float32Array.from([1, 1, 1])],
      ['dense/b', Float32Array.from([1, 1])],
    ]),
  };
}
const EXCLUDED = new Set(['dense/b']);

/** The penalty term l1·Σ|w| + l2/2·Σw² over the parameters not excluded: what the gradients are checked against. */
function penaltyValue(params: ReadonlyMap<string, Float32Array>, penalty: { l1: number; l2: number }, excluded: ReadonlySet<string>): number {
  let abs = 0;
  let sq = 0;
  for (const [name, w] of params) {
    if (excluded.has(name)) continue;
    for (const v of w) {
      abs += Math.abs(v);
      sq += v * v;
    }
  }
  return penalty.l1 * abs + (penalty.l2 / 2) * sq;
}

describe('addPenaltyGradients', () => {
  it('adds l2·w + l1·sign(w) in place, sign(0) = 0, skipping excluded parameters', () => {
    const { params, grads } = setup();
    const g = grads.get('dense/w')!;
    addPenaltyGradients(params, grads, { l1: 0.1, l2: 0.01 }, EXCLUDED, K);
    expect(grads.get('dense/w')).toBe(g);
    // [1 + 0.01·0.5 + 0.1, 1 - 0.01·2 - 0.1, 1 + 0]
    [1.105, 0.88, 1].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 6));
    expect([...grads.get('dense/b')!]).toEqual([1, 1]);
    expect([...params.get('dense/w')!]).toEqual([0.5, -2, 0]);
  });

  it('does nothing with no penalty', () => {
    const { params, grads } = setup();
    addPenaltyGradients(params, grads, { l1: 0, l2: 0 }, new Set(), K);
    expect([...grads.get('dense/w')!]).toEqual([1, 1, 1]);
  });

  it('is the gradient of penaltyValue (central differences)', () => {
    const pen = { l1: 0.3, l2: 0.7 };
    const { params } = setup();
    const zeros = new Map([...params].map(([n, w]) => [n, new Float32Array(w.length)]));
    addPenaltyGradients(params, zeros, pen, EXCLUDED, K);
    for (const [name, w] of params) {
      for (let i = 0; i < w.length; i++) {
        if (w[i] === 0) continue; // |w| has no derivative at 0
        const h = 1 / 64;
        const x = w[i];
        w[i] = x + h;
        const up = penaltyValue(params, pen, EXCLUDED);
        w[i] = x - h;
        const down = penaltyValue(params, pen, EXCLUDED);
        w[i] = x;
        expect(zeros.get(name)![i]).toBeCloseTo((up - down) / (2 * h), 6);
      }
    }
  });

  it('names a parameter whose gradient is missing', () => {
    const { params } = setup();
    expect(() => addPenaltyGradients(params, new Map(), { l1: 0, l2: 1 }, EXCLUDED, K)).toThrow(InternalError);
    expect(() => addPenaltyGradients(params, new Map(), { l1: 0, l2: 1 }, EXCLUDED, K)).toThrow(/'dense\/w'/);
  });
});
