// Mean and standard deviation of metrics over the runs of an experiment (cv folds).
export interface MetricSummary {
  mean: Record<string, number>;
  /** Population standard deviation (divided by n, as numpy's np.std). */
  std: Record<string, number>;
}

/** Mean and std of every metric that all of `runs` hold (a metric missing in one is left out). */
export function summarize(runs: readonly Readonly<Record<string, number | undefined>>[]): MetricSummary {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  if (runs.length === 0) return { mean, std };
  for (const name of Object.keys(runs[0])) {
    const values = runs.map((r) => r[name]);
    if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) continue;
    const xs = values as number[];
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    mean[name] = m;
    std[name] = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  }
  return { mean, std };
}
