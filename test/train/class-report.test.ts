import { describe, expect, it } from 'vitest';
import { classReport } from '../../src/train/class-report.js';
import { MetricsAccumulator } from '../../src/train/metrics.js';

// rows: true class a, b, c; columns: predicted a, b, c
const CONF = [
  [5, 1, 0],
  [2, 3, 1],
  [0, 0, 4],
];

describe('classReport on a hand-made confusion matrix', () => {
  const r = classReport(CONF.flat(), 3);

  it('gives each class its precision, recall, F1 and support', () => {
    // a: TP 5 of 7 predicted, 6 actual; F1 = 2·(5/7)(5/6) / (5/7 + 5/6) = 10/13
    // b: TP 3 of 4 predicted, 6 actual; F1 = 2·(3/4)(1/2) / (5/4) = 3/5
    // c: TP 4 of 5 predicted, 4 actual; F1 = 2·(4/5)·1 / (9/5) = 8/9
    const expected = [
      [5 / 7, 5 / 6, 10 / 13, 6],
      [3 / 4, 1 / 2, 3 / 5, 6],
      [4 / 5, 1, 8 / 9, 4],
    ];
    r.classes.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(expected[i][0], 15);
      expect(c.recall).toBeCloseTo(expected[i][1], 15);
      expect(c.f1).toBeCloseTo(expected[i][2], 15);
      expect(c.support).toBe(expected[i][3]);
    });
  });

  it('averages them plainly (macro) and by support (weighted)', () => {
    expect(r.macro.precision).toBeCloseTo((5 / 7 + 3 / 4 + 4 / 5) / 3, 15);
    expect(r.macro.recall).toBeCloseTo((5 / 6 + 1 / 2 + 1) / 3, 15);
    expect(r.macro.f1).toBeCloseTo((10 / 13 + 3 / 5 + 8 / 9) / 3, 15);
    expect(r.weighted.precision).toBeCloseTo(((5 / 7) * 6 + (3 / 4) * 6 + (4 / 5) * 4) / 16, 15);
    // weighted recall is the accuracy: 12 of 16
    expect(r.weighted.recall).toBeCloseTo(12 / 16, 15);
    expect(r.weighted.f1).toBeCloseTo(((10 / 13) * 6 + (3 / 5) * 6 + (8 / 9) * 4) / 16, 15);
    expect(r.macro.support).toBe(16);
  });

  it('skips in the macro average a class neither present nor predicted, and counts a never-predicted one as 0', () => {
    const r2 = classReport([3, 1, 0, 0, 0, 0, 0, 0, 0], 3); // class b never predicted right, class c absent
    expect(r2.classes[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r2.macro.precision).toBeCloseTo((1 + 0) / 2, 15);
  });
});

describe('MetricsAccumulator with a binary threshold', () => {
  const logits = new Float32Array([-1, 0.5, 2]);
  const pairs = new Float32Array([0, -1, 0, 0.5, 0, 2]); // softmax of (0, l) is sigmoid(l)
  const labels = new Float32Array([0, 0, 1]);

  it.each([
    [
      0.5,
      [
        [1, 1],
        [0, 1],
      ],
    ],
    [
      0.7,
      [
        [2, 0],
        [0, 1],
      ],
    ], // logit(0.7) ≈ 0.847 > 0.5
    [
      0.1,
      [
        [0, 2],
        [0, 1],
      ],
    ],
  ])('threshold %f gives the confusion %j for one logit and for two', (t, conf) => {
    for (const [out, cols] of [
      [logits, 1],
      [pairs, 2],
    ] as const) {
      const acc = new MetricsAccumulator('classification', { threshold: t, metrics: ['accuracy', 'roc_auc', 'pr_auc'] });
      acc.add(3, 0, out, labels, cols);
      expect(acc.confusion()).toEqual(conf);
      const m = acc.result();
      expect(m.accuracy).toBeCloseTo((conf[0][0] + conf[1][1]) / 3, 15);
      // the ranking does not depend on the threshold: the positive (2) scores above both negatives
      expect(m.roc_auc).toBe(1);
      expect(m.pr_auc).toBe(1);
    }
  });

  it('refuses the ranking metrics for more than two classes', () => {
    const acc = new MetricsAccumulator('classification', { metrics: ['roc_auc'] });
    expect(() => acc.add(1, 0, new Float32Array([1, 2, 3]), new Float32Array([0]), 3)).toThrow(/two classes/);
  });
});
