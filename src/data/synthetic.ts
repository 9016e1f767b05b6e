// Seeded toy data sets. Each generator draws only from the Rng it is given, so the same seed gives
// the same bytes. Class k of a classification set is sample i with i % classes === k, so classes are
// balanced; the split shuffles the rows.
import type { DataConfig } from '../config/schema.js';
import type { Rng } from '../tensor/rng.js';
import type { Dataset } from './dataset.js';

export type SyntheticConfig = Extract<DataConfig, { source: 'linear' | 'xor' | 'moons' | 'spirals' }>;
export type GeneratorSpec = Pick<SyntheticConfig, 'samples' | 'noise'>;

/** Runs the generator named by cfg.source. */
export function generate(cfg: SyntheticConfig, rng: Rng): Dataset {
  switch (cfg.source) {
    case 'linear':
      return linear(cfg, rng);
    case 'xor':
      return xor(cfg, rng);
    case 'moons':
      return moons(cfg, rng);
    case 'spirals':
      return spirals(cfg, rng);
  }
}

/** Regression on one feature: x uniform in [-1, 1), y = 2x + 3 + noise·N(0, 1). */
export function linear(cfg: GeneratorSpec, rng: Rng): Dataset {
  const n = cfg.samples;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = 2 * rng.uniform() - 1;
    x[i] = xi;
    y[i] = 2 * xi + 3 + cfg.noise * rng.normal();
  }
  return { x, y, n, features: ['x'], task: 'regression' };
}

/**
 * Two classes on two features: a point in one of the four quadrants of [-1, 1]², plus noise·N(0, 1)
 * per coordinate; the class is 1 where the quadrant's signs differ (x1·x2 < 0 before the noise).
 */
function xor(cfg: GeneratorSpec, rng: Rng): Dataset {
  const n = cfg.samples;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const q = i % 4;
    const s1 = q & 1 ? -1 : 1;
    const s2 = q & 2 ? -1 : 1;
    x[2 * i] = s1 * rng.uniform() + cfg.noise * rng.normal();
    x[2 * i + 1] = s2 * rng.uniform() + cfg.noise * rng.normal();
    y[i] = s1 === s2 ? 0 : 1;
  }
  return { x, y, n, features: ['x1', 'x2'], task: 'classification', classes: ['0', '1'] };
}

/**
 * Two interleaving half circles (as in scikit-learn's make_moons): class 0 on (cos t, sin t),
 * class 1 on (1 − cos t, 0.5 − sin t), t uniform in [0, π), plus noise·N(0, 1) per coordinate.
 */
function moons(cfg: GeneratorSpec, rng: Rng): Dataset {
  const n = cfg.samples;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 2;
    const t = Math.PI * rng.uniform();
    const c = Math.cos(t);
    const s = Math.sin(t);
    x[2 * i] = (k === 0 ? c : 1 - c) + cfg.noise * rng.normal();
    x[2 * i + 1] = (k === 0 ? s : 0.5 - s) + cfg.noise * rng.normal();
    y[i] = k;
  }
  return { x, y, n, features: ['x1', 'x2'], task: 'classification', classes: ['0', '1'] };
}

/** How far (radians) an arm turns from the centre to radius 1 (as in the CS231n spiral data). */
const SPIRAL_TURN = 4;

/**
 * `classes` spiral arms around the origin: arm k at radius r (uniform in [0, 1)) has angle
 * 2πk/classes + SPIRAL_TURN·r; point (r cos θ, r sin θ) plus noise·N(0, 1) per coordinate.
 */
function spirals(cfg: GeneratorSpec & { classes: number }, rng: Rng): Dataset {
  const n = cfg.samples;
  const k = cfg.classes;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const arm = i % k;
    const r = rng.uniform();
    const theta = (2 * Math.PI * arm) / k + SPIRAL_TURN * r;
    x[2 * i] = r * Math.cos(theta) + cfg.noise * rng.normal();
    x[2 * i + 1] = r * Math.sin(theta) + cfg.noise * rng.normal();
    y[i] = arm;
  }
  const classes = Array.from({ length: k }, (_, c) => String(c));
  return { x, y, n, features: ['x1', 'x2'], task: 'classification', classes };
}
