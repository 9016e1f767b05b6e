// The trials of a sweep: a grid (every combination of the value lists, the first key varying
// slowest) or seeded random draws (lists uniformly, ranges uniformly or log-uniformly, integers
// too). Each trial is the list of (key path, value) pairs given to `dlf train` as --set arguments.
import { Rng, streamSeed } from '../tensor/rng.js';
import type { Domain, Range, SweepFile } from './sweep-file.js';

export type Assignment = Record<string, unknown>;

export interface Trial {
  /** 1-based. */
  index: number;
  values: Assignment;
}

/** Number of combinations of a grid. */
export function gridSize(parameters: Record<string, Domain>): number {
  return Object.values(parameters).reduce<number>((n, d) => n * (Array.isArray(d) ? d.length : Infinity), 1);
}

export function gridTrials(parameters: Record<string, unknown[]>): Assignment[] {
  let out: Assignment[] = [{}];
  for (const [key, values] of Object.entries(parameters)) out = out.flatMap((a) => values.map((v) => ({ ...a, [key]: v })));
  return out;
}

/** One draw from a range. */
export function drawRange(r: Range, rng: Rng): number {
  const u = rng.uniform();
  if (r.integer) {
    const lo = r.log ? Math.log(r.min) : r.min;
    const hi = r.log ? Math.log(r.max + 1) : r.max + 1;
    const x = lo + u * (hi - lo);
    return Math.min(r.max, Math.max(r.min, Math.floor(r.log ? Math.exp(x) : x)));
  }
  if (r.log) return Math.min(r.max, Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min))));
  return r.min + u * (r.max - r.min);
}

export function randomTrials(parameters: Record<string, Domain>, trials: number, seed: number): Assignment[] {
  const rng = new Rng(streamSeed(seed, 'sweep'));
  return Array.from({ length: trials }, () => {
    const a: Assignment = {};
    for (const [key, d] of Object.entries(parameters)) a[key] = Array.isArray(d) ? d[rng.int(d.length)] : drawRange(d, rng);
    return a;
  });
}

export function sweepTrials(s: SweepFile): Trial[] {
  const assignments = s.search === 'grid' ? gridTrials(s.parameters as Record<string, unknown[]>) : randomTrials(s.parameters, s.trials ?? 1, s.seed);
  return assignments.map((values, i) => ({ index: i + 1, values }));
}

/** The --set argument of one value: the value as JSON, which YAML reads back as the same value. */
export const setArg = (key: string, value: unknown) => `${key}=${JSON.stringify(value)}`;

export const setArgs = (a: Assignment) => Object.entries(a).map(([k, v]) => setArg(k, v));
