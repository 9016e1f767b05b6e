// Learning-rate schedules at chosen steps, against literals computed by hand or in Python 3
// (cosine: min + (base-min)·(1+cos(π·step/total))/2; onecycle: PyTorch's OneCycleLR rule with
// cosine annealing, phase ends at pct_start·total - 1 and total - 1), and reduce-on-plateau.
import { describe, expect, it } from 'vitest';
import type { ScheduleConfig } from '../../src/config/schema.js';
import { initialPlateau, learningRate, type PlateauState, plateauStep } from '../../src/train/schedule.js';

type Plateau = Extract<ScheduleConfig, { type: 'plateau' }>;

/** 10 epochs of 10 updates. */
const RUN = { stepsPerEpoch: 10, totalSteps: 100 };

const CASES: { label: string; cfg: ScheduleConfig; base: number; at: [step: number, lr: number][]; run?: typeof RUN }[] = [
  {
    label: 'constant',
    cfg: { type: 'constant', warmup_steps: 0 },
    base: 0.1,
    at: [
      [0, 0.1],
      [57, 0.1],
      [99, 0.1],
    ],
  },
  {
    label: 'constant with 4 warmup steps',
    cfg: { type: 'constant', warmup_steps: 4 },
    base: 0.1,
    at: [
      [0, 0.025],
      [1, 0.05],
      [2, 0.075],
      [3, 0.1],
      [4, 0.1],
      [50, 0.1],
    ],
  },
  {
    label: 'step every 3 epochs by 0.5',
    cfg: { type: 'step', step_epochs: 3, gamma: 0.5, warmup_steps: 0 },
    base: 0.2,
    at: [
      [0, 0.2],
      [29, 0.2],
      [30, 0.1],
      [59, 0.1],
      [60, 0.05],
      [99, 0.025],
    ],
  },
  {
    label: 'step with 5 warmup steps',
    cfg: { type: 'step', step_epochs: 3, gamma: 0.5, warmup_steps: 5 },
    base: 0.2,
    at: [
      [0, 0.04],
      [2, 0.12],
      [4, 0.2],
      [5, 0.2],
      [30, 0.1],
    ],
  },
  {
    label: 'step each epoch with a warmup longer than an epoch (15 steps)',
    cfg: { type: 'step', step_epochs: 1, gamma: 0.5, warmup_steps: 15 },
    base: 0.2,
    at: [
      [9, 0.2 * (10 / 15)],
      [12, 0.08666666666666667],
      [14, 0.1],
      [15, 0.1],
      [20, 0.05],
    ],
  },
  {
    label: 'multistep at epochs 2 and 5 (milestones unsorted)',
    cfg: { type: 'multistep', milestones: [5, 2], gamma: 0.1, warmup_steps: 0 },
    base: 1,
    at: [
      [0, 1],
      [19, 1],
      [20, 0.1],
      [49, 0.1],
      [50, 0.01],
      [99, 0.01],
    ],
  },
  {
    label: 'exponential by 0.9 per epoch',
    cfg: { type: 'exponential', gamma: 0.9, warmup_steps: 0 },
    base: 0.5,
    at: [
      [0, 0.5],
      [9, 0.5],
      [10, 0.45],
      [35, 0.36450000000000005],
    ],
  },
  {
    label: 'cosine to 0.001',
    cfg: { type: 'cosine', min_lr: 0.001, warmup_steps: 0 },
    base: 0.1,
    at: [
      [0, 0.1],
      [25, 0.0855017856687341],
      [50, 0.0505],
      [99, 0.0010244252618962857],
      [100, 0.001],
      [150, 0.001],
    ],
  },
  {
    label: 'cosine with 10 warmup steps',
    cfg: { type: 'cosine', min_lr: 0, warmup_steps: 10 },
    base: 0.1,
    at: [
      [0, 0.01],
      [4, 0.04980286753286195],
      [9, 0.09801468428384716],
      [10, 0.09755282581475769],
    ],
  },
  {
    label: 'onecycle to max_lr 1 (the optimizer lr is ignored)',
    cfg: { type: 'onecycle', max_lr: 1, pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
    base: 123,
    at: [
      [0, 0.04],
      [10, 0.29516394846410077],
      [29, 1],
      [30, 0.9994965352845243],
      [64, 0.500002],
      [99, 4e-6],
      [120, 4e-6],
    ],
  },
  {
    label: 'onecycle rising half the run',
    cfg: { type: 'onecycle', max_lr: 0.3, pct_start: 0.5, div_factor: 10, final_div_factor: 100 },
    base: 0.1,
    run: { stepsPerEpoch: 10, totalSteps: 50 },
    at: [
      [0, 0.03],
      [12, 0.165],
      [24, 0.3],
      [37, 0.14074084064853237],
      [49, 0.0003],
    ],
  },
  {
    label: 'onecycle over 2 steps (the rise is shorter than one step)',
    cfg: { type: 'onecycle', max_lr: 1, pct_start: 0.3, div_factor: 25, final_div_factor: 1e4 },
    base: 0.1,
    run: { stepsPerEpoch: 1, totalSteps: 2 },
    at: [
      [0, 0.811745653949763],
      [1, 4e-6],
    ],
  },
];

describe.each(CASES)('$label', ({ cfg, base, at, run }) => {
  it.each(at)('step %i: lr %f', (step, lr) => {
    expect(learningRate(cfg, base, step, run ?? RUN)).toBeCloseTo(lr, 14);
  });
});

const PLATEAU: Plateau = {
  type: 'plateau',
  metric: 'val.loss',
  factor: 0.5,
  patience: 2,
  min_lr: 0.005,
  min_delta: 0.01,
  warmup_steps: 0,
};

describe('plateau', () => {
  it('learningRate is baseLr·factor, floored at min_lr, with warmup', () => {
    expect(learningRate(PLATEAU, 0.1, 7, RUN)).toBe(0.1);
    expect(learningRate(PLATEAU, 0.1, 7, RUN, 0.25)).toBe(0.025);
    expect(learningRate(PLATEAU, 0.1, 7, RUN, 0.01)).toBe(0.005);
    expect(learningRate(PLATEAU, 0.1, 7, RUN, 0)).toBe(0.005);
    expect(learningRate({ ...PLATEAU, warmup_steps: 4 }, 0.1, 1, RUN, 0.5)).toBeCloseTo(0.025, 15);
  });

  it('reduces after `patience` epochs without an improvement larger than min_delta (min mode)', () => {
    const values = [1.0, 0.995, 0.98, 0.985, 0.99, 1.2, 0.5, 0.6, 0.6, 0.6, 0.6];
    const expected: PlateauState[] = [
      { factor: 1, best: 1.0, wait: 0 },
      { factor: 1, best: 1.0, wait: 1 }, // 0.995 is within min_delta
      { factor: 1, best: 0.98, wait: 0 },
      { factor: 1, best: 0.98, wait: 1 },
      { factor: 0.5, best: 0.98, wait: 0 }, // second epoch without improvement: reduce, wait again
      { factor: 0.5, best: 0.98, wait: 1 },
      { factor: 0.5, best: 0.5, wait: 0 },
      { factor: 0.5, best: 0.5, wait: 1 },
      { factor: 0.25, best: 0.5, wait: 0 },
      { factor: 0.25, best: 0.5, wait: 1 },
      { factor: 0.125, best: 0.5, wait: 0 },
    ];
    let s = initialPlateau();
    expect(s).toEqual({ factor: 1, best: null, wait: 0 });
    values.forEach((v, i) => {
      const before = { ...s };
      const next = plateauStep(s, PLATEAU, v);
      expect(s).toEqual(before); // pure: the old state is left alone
      s = next;
      expect(s).toEqual(expected[i]);
    });
  });

  it('watches a metric whose default mode is max (val.accuracy), patience 0 reducing at every non-improvement', () => {
    const cfg: Plateau = { ...PLATEAU, metric: 'val.accuracy', patience: 0, min_delta: 0 };
    let s = initialPlateau();
    const factors = [0.5, 0.6, 0.6, 0.55, 0.7].map((v) => (s = plateauStep(s, cfg, v)).factor);
    expect(factors).toEqual([1, 1, 0.5, 0.25, 0.25]);
    expect(s.best).toBe(0.7);
  });

  it('an explicit mode overrides the metric’s default', () => {
    const cfg: Plateau = { ...PLATEAU, metric: 'val.accuracy', mode: 'min', patience: 1, min_delta: 0 };
    let s = plateauStep(initialPlateau(), cfg, 0.5);
    s = plateauStep(s, cfg, 0.6);
    expect(s.factor).toBe(0.5);
  });

  it('a NaN metric never improves', () => {
    let s = plateauStep(initialPlateau(), { ...PLATEAU, patience: 1 }, NaN);
    expect(s).toEqual({ factor: 0.5, best: null, wait: 0 });
    s = plateauStep(s, PLATEAU, 2);
    expect(s.best).toBe(2);
  });
});
