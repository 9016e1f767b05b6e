// Earlier results on this machine: a measurement whose median falls far below the medians the same
// implementation had in earlier full runs here (bench/results/*.json of the same hostname, quick
// runs left out) was probably disturbed by other processes, and the table and notes say so.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './report.mjs';

/**
 * Flagged when the median is below this fraction of the median of the earlier medians. The stored
 * full runs of one implementation on a quiet 2-core machine stay within about ±20% of each other,
 * while a process that shares its core with another one runs at about half speed: 0.7 lies between.
 */
export const DISTURBED_BELOW = 0.7;

/** Earlier medians needed before a measurement is judged: one earlier run may itself have been disturbed. */
export const MIN_EARLIER = 2;

/**
 * The threads a record ran on. Records from before the benchmark measured W1 and W2 at several
 * thread counts do not say: there dlf's native kernels used every core (up to 16) except for GEMM,
 * the TypeScript kernels one, and PyTorch what its settings record.
 */
function threadsOf(r, cores) {
  if (r.threads !== undefined) return r.threads;
  if (r.framework === 'torch') return r.settings?.threads;
  if (r.framework === 'dlf') return r.backend === 'ts' || r.workload === 'gemm' ? 1 : Math.min(cores, 16);
  return undefined;
}

/** What makes two records the same measurement: workload, shape or model and batch, implementation, configuration and threads. */
export function recordKey(r, cores) {
  return [r.workload, r.shape ?? '', r.model ?? '', r.batch ?? '', r.framework, r.backend ?? r.mode ?? '', threadsOf(r, cores) ?? ''].join('|');
}

/** The medians of every measurement in the earlier full runs on `hostname`, by recordKey. */
export function loadHistory(resultsDir, hostname) {
  const byKey = new Map();
  let files = [];
  try {
    files = readdirSync(resultsDir).filter((f) => f.endsWith(`-${hostname}.json`));
  } catch {
    return byKey; // no results yet
  }
  for (const f of files.sort()) {
    let run;
    try {
      run = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
    } catch {
      continue; // a file cut short or edited by hand says nothing
    }
    if (run.quick || run.machine?.hostname !== hostname || !Array.isArray(run.records)) continue;
    for (const r of run.records) {
      if (r.status !== 'ok' || !Number.isFinite(r.median) || r.reduced) continue;
      const key = recordKey(r, run.machine.cores);
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key).push({ median: r.median, date: run.date });
    }
  }
  return byKey;
}

/**
 * Marks every measured record whose speed is below DISTURBED_BELOW of its earlier median (for a
 * time, W3, above 1 / DISTURBED_BELOW of it): sets `disturbed` to {fraction, earlierMedian, earlierRuns}
 * and returns the records marked.
 */
export function markDisturbed(records, history, cores) {
  const marked = [];
  for (const r of records) {
    if (r.status !== 'ok' || !Number.isFinite(r.median) || r.reduced) continue;
    const earlier = history.get(recordKey(r, cores)) ?? [];
    if (earlier.length < MIN_EARLIER) continue;
    const before = median(earlier.map((e) => e.median));
    const fraction = r.unit === 's' ? before / r.median : r.median / before;
    if (fraction < DISTURBED_BELOW) {
      r.disturbed = { fraction, earlierMedian: before, earlierRuns: earlier.length };
      marked.push(r);
    }
  }
  return marked;
}
