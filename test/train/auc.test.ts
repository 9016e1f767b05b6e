import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averagePrecision, rocAuc, thresholdCounts } from '../../src/train/auc.js';

describe('rocAuc', () => {
  it('is the share of (positive, negative) pairs ranked correctly', () => {
    // positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both → 3 of 4 pairs
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([1, 2, 3], [0, 1, 1])).toBe(1);
    expect(rocAuc([3, 2, 1], [0, 1, 1])).toBe(0);
  });

  it('counts a tied pair as one half (average ranks), whatever the order of the samples', () => {
    // positives 2 and 3, negatives 1 and 2: 2>1, 2=2 (½), 3>1, 3>2 → 3.5 / 4. Average ranks: 1, 2.5, 2.5, 4;
    // U = (2.5 + 4) − 2·3/2 = 3.5.
    expect(rocAuc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([2, 3, 1, 2], [1, 1, 0, 0])).toBe(0.875);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
  });

  it('is undefined without both classes', () => {
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
    expect(rocAuc([1, 2], [0, 0])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });

  it('equals the pair count on random data with many ties', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1 })), { minLength: 2, maxLength: 60 });
    fc.assert(
      fc.property(data, (rows) => {
        const s = rows.map((r) => r[0]);
        const y = rows.map((r) => r[1]);
        let wins = 0;
        let pairs = 0;
        for (let i = 0; i < rows.length; i++) {
          for (let j = 0; j < rows.length; j++) {
            if (y[i] !== 1 || y[j] !== 0) continue;
            pairs++;
            wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
          }
        }
        const auc = rocAuc(s, y);
        if (pairs === 0) expect(auc).toBeNaN();
        else expect(auc).toBeCloseTo(wins / pairs, 12);
      }),
    );
  });
});

describe('averagePrecision', () => {
  it('sums recall gains times precision over the distinct scores', () => {
    // from the top: 0.8 (pos) → P 1, R ½; 0.4 (neg); 0.35 (pos) → P ⅔, R 1: ½·1 + ½·⅔
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 15);
    expect(averagePrecision([1, 2, 3], [0, 1, 1])).toBe(1);
  });

  it('lets tied samples enter together', () => {
    // 3 (pos) → P 1, R ½; the tie at 2 (one pos, one neg) → P ⅔, R 1; 1 (neg) adds no recall
    expect(averagePrecision([1, 2, 2, 3], [0, 0, 1, 1])).toBeCloseTo(5 / 6, 15);
    // all tied: one threshold with precision ½ and recall 1
    expect(averagePrecision([7, 7, 7, 7], [0, 1, 0, 1])).toBe(0.5);
    // a tie ranked as positive-first would give 1·½ + ⅔·½; as one threshold it is ⅔·1
    expect(averagePrecision([5, 5, 5, 1], [1, 0, 1, 0])).toBeCloseTo(2 / 3, 15);
  });

  it('is undefined without positives', () => expect(averagePrecision([1, 2], [0, 0])).toBeNaN());
});

describe('thresholdCounts', () => {
  it('steps once per distinct score', () => {
    expect(thresholdCounts([1, 2, 2, 3], [0, 0, 1, 1])).toEqual({ tp: [1, 2, 2], fp: [0, 1, 2] });
  });
});
