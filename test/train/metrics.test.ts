// MetricsAccumulator on small cases worked out by hand; every expected number is a literal whose
// derivation is in the comment above it.
import { describe, expect, it } from 'vitest';
import { ConfigError, InternalError } from '../../src/errors.js';
import { type MetricName, type Metrics, MetricsAccumulator, metricNames } from '../../src/train/metrics.js';

const f32 = (rows: readonly (readonly number[])[]): Float32Array => Float32Array.from(rows.flat());
const lab = (xs: readonly number[]): Float32Array => Float32Array.from(xs);

/** Feeds all rows as one batch with loss `loss`. */
function feed(acc: MetricsAccumulator, rows: readonly (readonly number[])[], labels: readonly number[], loss = 0): MetricsAccumulator {
  acc.add(labels.length, loss, f32(rows), lab(labels), rows[0].length);
  return acc;
}

/** Equal to 12 decimal places, key by key, and no other keys. */
function expectMetrics(actual: Metrics, expected: Metrics): void {
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  for (const [k, v] of Object.entries(expected)) expect(actual[k as keyof Metrics], k).toBeCloseTo(v as number, 12);
}

const CLS: MetricName[] = ['accuracy', 'top_k_accuracy', 'precision', 'recall', 'f1'];
const REG: MetricName[] = ['mse', 'mae', 'rmse', 'r2'];

describe('metricNames', () => {
  it('defaults to accuracy for classification and mse, mae for regression', () => {
    expect(metricNames('classification')).toEqual(['accuracy']);
    expect(metricNames('regression')).toEqual(['mse', 'mae']);
  });

  it('keeps the requested order, drops repeats, and allows an empty list', () => {
    expect(metricNames('classification', ['f1', 'accuracy', 'f1'])).toEqual(['f1', 'accuracy']);
    expect(metricNames('regression', [])).toEqual([]);
  });

  it('rejects a metric of the other task with a config error at train.metrics', () => {
    let err: unknown;
    try {
      metricNames('classification', ['accuracy', 'mse']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG');
    expect((err as ConfigError).place.path).toBe('train.metrics');
    expect(() => new MetricsAccumulator('regression', { metrics: ['f1'] })).toThrow(ConfigError);
  });
});

describe('classification', () => {
  it('accuracy: argmax per row, a tie goes to the lower index; loss is reported as given', () => {
    // preds: 0 ✓, 1 (label 2) ✗, tie 0/1 → 0 (label 1) ✗, 2 ✓  → 2/4
    const acc = feed(
      new MetricsAccumulator('classification'),
      [
        [2, 1, 0],
        [0, 3, 1],
        [1, 1, 0],
        [0, 0, 5],
      ],
      [0, 2, 1, 2],
      0.75,
    );
    expectMetrics(acc.result(), { loss: 0.75, accuracy: 0.5 });
  });

  it('top-2 with ties: equal logits rank the lower index first', () => {
    // row 0 [1,1,1] label 0: nothing before it → rank 0, hit
    // row 1 [1,1,1] label 1: class 0 (equal, lower) before it → rank 1, hit
    // row 2 [1,1,1] label 2: classes 0 and 1 before it → rank 2, miss
    // row 3 [0,2,2] label 2: class 1 (equal, lower) before it → rank 1, hit      → 3/4
    // top-1 (argmax 0, 0, 0, 1) → only row 0 → 1/4
    const rows = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
      [0, 2, 2],
    ];
    const labels = [0, 1, 2, 2];
    const top = (k: number) => feed(new MetricsAccumulator('classification', { metrics: ['accuracy', 'top_k_accuracy'], topK: k }), rows, labels).result();
    expectMetrics(top(2), { loss: 0, accuracy: 0.25, top_k_accuracy: 0.75 });
    expectMetrics(top(1), { loss: 0, accuracy: 0.25, top_k_accuracy: 0.25 });
    // k = 5 is capped at the 3 classes: every label is within them
    expectMetrics(top(5), { loss: 0, accuracy: 0.25, top_k_accuracy: 1 });
  });

  // 8 samples, 3 classes; true → predicted:
  //   true 0: 0, 0, 1      true 1: 1, 2      true 2: 2, 0, 0
  // confusion (rows true) [[2,1,0],[0,1,1],[2,0,1]]; column sums 4, 2, 2; row sums 3, 2, 3
  // precision 2/4, 1/2, 1/2        → macro 0.5
  // recall    2/3, 1/2, 1/3        → macro 0.5
  // F1        2·½·⅔/(½+⅔) = 4/7, ½, 2·½·⅓/(½+⅓) = 2/5  → macro (4/7 + 1/2 + 2/5)/3 = 103/210
  // accuracy 4/8 (the F1 of the macro P and R would be 0.5: the macro F1 averages per-class F1s)
  const PREDS3 = [0, 0, 1, 1, 2, 2, 0, 0];
  const TRUE3 = [0, 0, 0, 1, 1, 2, 2, 2];
  const oneHot = (c: number, k = 3) => Array.from({ length: k }, (_, j) => (j === c ? 1 : -1));

  it('macro precision, recall and F1 on a 3-class example', () => {
    const acc = feed(
      new MetricsAccumulator('classification', { metrics: CLS, topK: 2 }),
      PREDS3.map((p) => oneHot(p)),
      TRUE3,
      1.25,
    );
    // top-2: with logits ±1 the second place is the lower of the two −1 classes:
    //   pred 0 → {0,1}, pred 1 → {0,1}, pred 2 → {0,2}; labels in them: rows 0,1,2,3,5 = 5/8
    //   (rows 6 and 7 predict 0 for a true 2)
    expectMetrics(acc.result(), {
      loss: 1.25,
      accuracy: 0.5,
      top_k_accuracy: 0.625,
      precision: 0.5,
      recall: 0.5,
      f1: 0.49047619047619045,
    });
  });

  it('confusion matrix: rows are the true class, columns the predicted class', () => {
    const acc = feed(
      new MetricsAccumulator('classification'),
      PREDS3.map((p) => oneHot(p)),
      TRUE3,
    );
    expect(acc.confusion()).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [2, 0, 1],
    ]);
  });

  it('a class never predicted has precision 0; a class with no samples has recall 0', () => {
    // true [0,1,2] → pred [0,1,1]: P 1, 1/2, 0 → 1/2; R 1, 1, 0 → 2/3; F1 1, 2/3, 0 → 5/9
    const a = feed(
      new MetricsAccumulator('classification', { metrics: ['precision', 'recall', 'f1'] }),
      [0, 1, 1].map((p) => oneHot(p)),
      [0, 1, 2],
    );
    expectMetrics(a.result(), { loss: 0, precision: 0.5, recall: 0.6666666666666666, f1: 0.5555555555555556 });
    // 3 classes, true [0,0] → pred [0,1]: class 0 P 1, R 1/2, F1 2/3; class 1 (predicted, no samples)
    // P 0, R 0, F1 0; class 2 occurs nowhere and is left out → P 1/2, R 1/4, F1 1/3
    const b = feed(new MetricsAccumulator('classification', { metrics: ['precision', 'recall', 'f1'], classes: 3 }), [oneHot(0), oneHot(1)], [0, 0]);
    expectMetrics(b.result(), { loss: 0, precision: 0.5, recall: 0.25, f1: 0.3333333333333333 });
    expect(b.confusion()).toEqual([
      [1, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('binary single logit: class 1 when the logit is > 0 (0 itself is class 0)', () => {
    // logits 2, −1, 0, 0.5, −3 → preds 1, 0, 0, 1, 0; labels 1, 0, 1, 0, 1 → rows 0, 1 right → 2/5
    // confusion [[1,1],[2,1]]: P 1/3, 1/2 → 5/12; R 1/2, 1/3 → 5/12; F1 2/5, 2/5 → 2/5
    const rows = [[2], [-1], [0], [0.5], [-3]];
    const labels = [1, 0, 1, 0, 1];
    const acc = feed(new MetricsAccumulator('classification', { metrics: CLS, topK: 1 }), rows, labels, 0.5);
    expectMetrics(acc.result(), {
      loss: 0.5,
      accuracy: 0.4,
      top_k_accuracy: 0.4,
      precision: 0.4166666666666667,
      recall: 0.4166666666666667,
      f1: 0.4,
    });
    expect(acc.confusion()).toEqual([
      [1, 1],
      [2, 1],
    ]);
    // two classes: top-2 always holds the label
    const top2 = feed(new MetricsAccumulator('classification', { metrics: ['top_k_accuracy'], topK: 2 }), rows, labels);
    expectMetrics(top2.result(), { loss: 0, top_k_accuracy: 1 });
  });

  it('rejects labels outside the classes and a column count that does not fit', () => {
    expect(() => feed(new MetricsAccumulator('classification'), [[1, 0]], [2])).toThrow(InternalError);
    expect(() => feed(new MetricsAccumulator('classification'), [[1, 0]], [0.5])).toThrow(InternalError);
    expect(() => feed(new MetricsAccumulator('classification', { classes: 3 }), [[1, 0]], [0])).toThrow(InternalError);
    const acc = feed(new MetricsAccumulator('classification'), [[1, 0]], [0]);
    expect(() => feed(acc, [[1, 0, 0]], [0])).toThrow(InternalError);
  });
});

describe('regression', () => {
  it('mse, mae, rmse and r2 from the first output column', () => {
    // preds 1, 2, 4 (the second column is ignored); targets 1, 3, 2; errors 0, −1, 2
    // SS_res 5 → mse 5/3, rmse √(5/3); mae 3/3 = 1; target mean 2 → SS_tot 1 + 1 + 0 = 2 → r2 1 − 5/2
    const acc = feed(
      new MetricsAccumulator('regression', { metrics: REG }),
      [
        [1, 99],
        [2, -99],
        [4, 7],
      ],
      [1, 3, 2],
      0.9,
    );
    expectMetrics(acc.result(), { loss: 0.9, mse: 1.6666666666666667, mae: 1, rmse: 1.2909944487358056, r2: -1.5 });
  });

  it('defaults to mse and mae', () => {
    // errors 1, 1 → mse 1, mae 1
    const acc = feed(new MetricsAccumulator('regression'), [[2], [4]], [1, 3]);
    expectMetrics(acc.result(), { loss: 0, mse: 1, mae: 1 });
  });

  it('r2 with constant targets (SS_tot = 0): 1 if exact, else 0', () => {
    const exact = feed(new MetricsAccumulator('regression', { metrics: ['r2'] }), [[3], [3]], [3, 3]);
    expectMetrics(exact.result(), { loss: 0, r2: 1 });
    const off = feed(new MetricsAccumulator('regression', { metrics: ['r2'] }), [[3], [4]], [3, 3]);
    expectMetrics(off.result(), { loss: 0, r2: 0 });
  });

  it('has no confusion matrix', () => {
    expect(() => new MetricsAccumulator('regression').confusion()).toThrow(InternalError);
  });
});

describe('accumulation', () => {
  it('weights each batch loss by its size', () => {
    // (2·1 + 1·4) / 3 = 2
    const acc = new MetricsAccumulator('classification');
    acc.add(
      2,
      1,
      f32([
        [1, 0],
        [0, 1],
      ]),
      lab([0, 1]),
      2,
    );
    acc.add(1, 4, f32([[1, 0]]), lab([1]), 2);
    expectMetrics(acc.result(), { loss: 2, accuracy: 0.6666666666666666 });
  });

  // 10 rows of 4 logits and their labels/targets from a fixed formula; fed once whole and once in
  // batches of 3, 1, 4, 2 whose losses average to the same value.
  const N = 10;
  const C = 4;
  const out = Float32Array.from({ length: N * C }, (_, i) => ((i * 7919) % 13) - 6 + ((i * 31) % 3) * 0.25);
  const cls = Float32Array.from({ length: N }, (_, i) => (i * 5) % C);
  const reg = Float32Array.from({ length: N }, (_, i) => ((i * 3) % 7) - 2.5);
  const SPLITS = [3, 1, 4, 2];

  function inBatches(acc: MetricsAccumulator, y: Float32Array): MetricsAccumulator {
    let start = 0;
    for (const b of SPLITS) {
      acc.add(b, 0.5, out.subarray(start * C, (start + b) * C), y.subarray(start, start + b), C);
      start += b;
    }
    return acc;
  }

  it('several add() calls give exactly the numbers of one call (classification)', () => {
    const opts = { metrics: CLS, topK: 2 };
    const one = new MetricsAccumulator('classification', opts);
    one.add(N, 0.5, out, cls, C);
    const many = inBatches(new MetricsAccumulator('classification', opts), cls);
    expect(many.result()).toEqual(one.result());
    expect(many.confusion()).toEqual(one.confusion());
    expect(
      one
        .confusion()
        .flat()
        .reduce((a, b) => a + b, 0),
    ).toBe(N);
  });

  it('several add() calls give exactly the numbers of one call (regression)', () => {
    const one = new MetricsAccumulator('regression', { metrics: REG });
    one.add(N, 0.5, out, reg, C);
    const many = inBatches(new MetricsAccumulator('regression', { metrics: REG }), reg);
    expect(many.result()).toEqual(one.result());
    const r = one.result();
    expect(r.rmse).toBeCloseTo(Math.sqrt(r.mse!), 12);
    expect(Number.isFinite(r.r2)).toBe(true);
  });

  it('an empty accumulator reports NaN for the loss and every requested metric', () => {
    const c = new MetricsAccumulator('classification', { metrics: CLS });
    c.add(0, 3, new Float32Array(0), new Float32Array(0), 3); // an empty batch adds nothing
    const r = c.result();
    expect(Object.keys(r)).toEqual(['loss', ...CLS]);
    for (const v of Object.values(r)) expect(v).toBeNaN();
    expect(c.confusion()).toEqual([]); // the class count is not known before the first batch
    expect(new MetricsAccumulator('classification', { classes: 2 }).confusion()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const g = new MetricsAccumulator('regression').result();
    expect(Object.keys(g)).toEqual(['loss', 'mse', 'mae']);
    for (const v of Object.values(g)) expect(v).toBeNaN();
  });
});

describe('labels per token', () => {
  // Two samples of 3 positions, 4 classes (token ids; 0 is padding). Sample 0: labels 1, 2, 0;
  // sample 1: labels 3, 0, 0. Three real tokens.
  const out = [
    [0, 2, 1, 0], // label 1: argmax 1, a hit
    [0, 3, 1, 2], // label 2: its logit 1 is below 3 and 2, rank 2: a miss, and not in the top 2
    [9, 9, 9, 9], // padding: ignored whatever it holds
    [0, 1, 2, 0], // label 3: its logit 0 is below 1 and 2, and index 0 ties lower: rank 3
    [5, 0, 0, 0], // padding
    [0, 0, 0, 7], // padding
  ];
  const labels = [1, 2, 0, 3, 0, 0];
  const acc = () => new MetricsAccumulator('classification', { positions: 3, metrics: ['accuracy', 'top_k_accuracy', 'perplexity'], topK: 2 });

  /** −log softmax(row)[label]. */
  const ce = (row: number[], label: number) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[label];

  it('counts real tokens only: accuracy, top-k and perplexity over them, the loss weighed by them', () => {
    const a = acc();
    a.add(2, 0.5, f32(out), lab(labels), 4);
    // The second batch: one sample, one real token (label 2, argmax 2, a hit).
    a.add(
      1,
      2,
      f32([
        [0, 0, 4, 0],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
      ]),
      lab([2, 0, 0]),
      4,
    );
    // Token 2 (label 2) of sample 0: logits [0,3,1,2]: 3 and 2 are above 1, rank 2, not in the top 2.
    // Token of sample 1 (label 3): logits [0,1,2,0]: 1 and 2 above 0, and index 0 ties lower: rank 3.
    // Hits: the first token and the last: 2 of 4; top-2: the same two.
    const perplexity = Math.exp((ce(out[0], 1) + ce(out[1], 2) + ce(out[3], 3) + ce([0, 0, 4, 0], 2)) / 4);
    // loss: (0.5 · 3 + 2 · 1) / 4 real tokens
    expectMetrics(a.result(), { loss: 3.5 / 4, accuracy: 0.5, top_k_accuracy: 0.5, perplexity });
    expect(a.counts()).toEqual({ samples: 3, tokens: 4 });
    expect(a.perToken).toBe(true);
    expect(() => a.confusion()).toThrow(InternalError);
  });

  it('gives NaN for a split without a real token, and defaults to accuracy and perplexity', () => {
    const a = new MetricsAccumulator('classification', { positions: 3 });
    expect(a.metrics).toEqual(['accuracy', 'perplexity']);
    a.add(
      1,
      0,
      f32([
        [1, 0],
        [1, 0],
        [1, 0],
      ]),
      lab([0, 0, 0]),
      2,
    );
    const r = a.result();
    expect(r.loss).toBeNaN();
    expect(r.accuracy).toBeNaN();
  });

  it('refuses the per-class metrics', () => {
    expect(() => new MetricsAccumulator('classification', { positions: 3, metrics: ['f1'] })).toThrow(ConfigError);
    expect(metricNames('classification', ['perplexity', 'accuracy'], true)).toEqual(['perplexity', 'accuracy']);
  });
});

describe('perplexity with a label per sample', () => {
  it('is exp of the mean cross-entropy of the outputs, for softmax rows and a single sigmoid logit', () => {
    const rows = [
      [1, 2, 0],
      [0, 0, 3],
    ];
    const a = feed(new MetricsAccumulator('classification', { metrics: ['perplexity'] }), rows, [1, 0]);
    const ce = (row: number[], label: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[label];
    expect(a.result().perplexity).toBeCloseTo(Math.exp((ce(rows[0], 1) + ce(rows[1], 0)) / 2), 12);
    // One logit z: −log σ(z) for class 1, −log(1 − σ(z)) for class 0.
    const b = feed(new MetricsAccumulator('classification', { metrics: ['perplexity'] }), [[2], [-1]], [1, 1]);
    const nll = (z: number) => Math.log1p(Math.exp(-z));
    expect(b.result().perplexity).toBeCloseTo(Math.exp((nll(2) + nll(-1)) / 2), 12);
  });
});
