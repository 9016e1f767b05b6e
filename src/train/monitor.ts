// Watching one metric across epochs: the single "has it improved?" rule behind early stopping,
// the choice of the best checkpoint and reduce-on-plateau. Pure functions over a small state.

export type MonitorMode = 'min' | 'max';

const LOWER_IS_BETTER = ['loss', 'perplexity', 'mse', 'mae', 'rmse'];

/** `min` for metrics whose name ends in loss, perplexity, mse, mae or rmse (e.g. val.loss), `max` otherwise. */
export function defaultMode(metric: string): MonitorMode {
  const m = metric.toLowerCase();
  return LOWER_IS_BETTER.some((s) => m.endsWith(s)) ? 'min' : 'max';
}

/** Splits `val.accuracy` into its split and metric name; undefined unless it starts with train. or val. */
export function parseMetric(metric: string): { split: 'train' | 'val'; name: string } | undefined {
  const dot = metric.indexOf('.');
  const split = metric.slice(0, dot);
  const name = metric.slice(dot + 1);
  if (dot < 0 || name === '' || (split !== 'train' && split !== 'val')) return undefined;
  return { split, name };
}

/** The value of `metric` (e.g. `val.accuracy` → record.val.accuracy) in an epoch's record. */
export function metricValue(
  metric: string,
  record: { train: Record<string, number | undefined>; val?: Record<string, number | undefined> },
): number | undefined {
  const p = parseMetric(metric);
  if (!p) return undefined;
  return record[p.split]?.[p.name];
}

export interface MonitorState {
  /** Best value so far (null before the first observation). */
  best: number | null;
  /** Epoch of the best value (0 before the first observation). */
  bestEpoch: number;
  /** Observations since the last improvement. */
  wait: number;
}

export function initialMonitor(): MonitorState {
  return { best: null, bestEpoch: 0, wait: 0 };
}

/**
 * Observes the metric's `value` at `epoch`. It improves when it beats the best so far by more
 * than min_delta (min: value < best - min_delta; max: value > best + min_delta); the first
 * finite value always improves, a NaN or infinite one never does.
 */
export function observe(
  state: MonitorState,
  opts: { mode: MonitorMode; min_delta?: number },
  value: number,
  epoch: number,
): { state: MonitorState; improved: boolean } {
  const delta = opts.min_delta ?? 0;
  const improved = Number.isFinite(value) && (state.best === null || (opts.mode === 'min' ? value < state.best - delta : value > state.best + delta));
  return improved ? { state: { best: value, bestEpoch: epoch, wait: 0 }, improved } : { state: { ...state, wait: state.wait + 1 }, improved };
}

/** True once the metric has gone `patience` observations without improving (0 counts as 1). */
export function shouldStop(state: MonitorState, patience: number): boolean {
  return state.wait >= Math.max(1, patience);
}

/** Config key paths of the metrics the monitors watch: the best checkpoint, early stopping, reduce-on-plateau. */
export function watchedMetrics(tc: {
  best: { metric: string };
  early_stopping?: { metric: string };
  schedule: { type: string; metric?: string };
}): { path: (string | number)[]; metric: string }[] {
  return [
    { path: ['train', 'best', 'metric'], metric: tc.best.metric },
    ...(tc.early_stopping ? [{ path: ['train', 'early_stopping', 'metric'], metric: tc.early_stopping.metric }] : []),
    ...(tc.schedule.type === 'plateau' && tc.schedule.metric !== undefined ? [{ path: ['train', 'schedule', 'metric'], metric: tc.schedule.metric }] : []),
  ];
}
