// The metric monitor behind early stopping, the best checkpoint and reduce-on-plateau.
import { describe, expect, it } from 'vitest';
import { defaultMode, initialMonitor, type MonitorState, metricValue, observe, parseMetric, shouldStop } from '../../src/train/monitor.js';

describe('defaultMode', () => {
  it.each([
    ['val.loss', 'min'],
    ['train.loss', 'min'],
    ['val.mse', 'min'],
    ['val.mae', 'min'],
    ['val.rmse', 'min'],
    ['val.accuracy', 'max'],
    ['val.top_k_accuracy', 'max'],
    ['val.f1', 'max'],
    ['val.r2', 'max'],
    ['val.precision', 'max'],
  ])('%s: %s', (metric, mode) => expect(defaultMode(metric)).toBe(mode));
});

describe('metricValue', () => {
  const record = { train: { loss: 0.5, accuracy: 0.8 }, val: { loss: 0.7, accuracy: 0.75, f1: undefined } };

  it.each<[string, number | undefined]>([
    ['val.accuracy', 0.75],
    ['val.loss', 0.7],
    ['train.loss', 0.5],
    ['train.accuracy', 0.8],
    ['val.f1', undefined],
    ['val.r2', undefined],
    ['loss', undefined],
    ['test.loss', undefined],
    ['val.', undefined],
  ])('%s → %s', (metric, value) => expect(metricValue(metric, record)).toBe(value));

  it('is undefined for val metrics of a run without validation', () => {
    expect(metricValue('val.loss', { train: { loss: 1 } })).toBeUndefined();
  });

  it('parseMetric splits at the first dot', () => {
    expect(parseMetric('val.top_k_accuracy')).toEqual({ split: 'val', name: 'top_k_accuracy' });
    expect(parseMetric('accuracy')).toBeUndefined();
  });
});

/** Observes the values at epochs 1, 2, … and returns the improvements and the final state. */
function run(values: number[], opts: { mode: 'min' | 'max'; min_delta?: number }): { improved: boolean[]; state: MonitorState } {
  let state = initialMonitor();
  const improved = values.map((v, i) => {
    const before = { ...state };
    const r = observe(state, opts, v, i + 1);
    expect(state).toEqual(before); // pure
    state = r.state;
    return r.improved;
  });
  return { improved, state };
}

describe('observe', () => {
  it('starts empty', () => {
    expect(initialMonitor()).toEqual({ best: null, bestEpoch: 0, wait: 0 });
  });

  it('min mode: lower is an improvement, ties are not', () => {
    const r = run([1, 0.8, 0.8, 0.9, 0.7], { mode: 'min' });
    expect(r.improved).toEqual([true, true, false, false, true]);
    expect(r.state).toEqual({ best: 0.7, bestEpoch: 5, wait: 0 });
  });

  it('min mode with min_delta: an improvement must be larger than min_delta', () => {
    const r = run([1, 0.95, 0.899, 0.85, 0.849], { mode: 'min', min_delta: 0.05 });
    expect(r.improved).toEqual([true, false, true, false, false]);
    expect(r.state).toEqual({ best: 0.899, bestEpoch: 3, wait: 2 });
  });

  it('max mode with min_delta', () => {
    const r = run([0.5, 0.6, 0.605, 0.62, 0.4], { mode: 'max', min_delta: 0.01 });
    expect(r.improved).toEqual([true, true, false, true, false]);
    expect(r.state).toEqual({ best: 0.62, bestEpoch: 4, wait: 1 });
  });

  it('a NaN or infinite value never improves; the first finite one does', () => {
    const r = run([NaN, Infinity, 2, NaN, -Infinity], { mode: 'min' });
    expect(r.improved).toEqual([false, false, true, false, false]);
    expect(r.state).toEqual({ best: 2, bestEpoch: 3, wait: 2 });
  });
});

describe('shouldStop', () => {
  it('stops once `patience` observations have not improved', () => {
    let state = initialMonitor();
    const stops = [1, 0.9, 0.95, 0.92, 0.91].map((v, i) => {
      state = observe(state, { mode: 'min' }, v, i + 1).state;
      return shouldStop(state, 3);
    });
    expect(stops).toEqual([false, false, false, false, true]);
  });

  it('treats patience 0 as 1', () => {
    expect(shouldStop(initialMonitor(), 0)).toBe(false);
    expect(shouldStop({ best: 1, bestEpoch: 1, wait: 1 }, 0)).toBe(true);
  });
});
