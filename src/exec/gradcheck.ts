// Gradient check of a whole compiled training program: the gradients autodiff appended are
// compared, parameter by parameter, with central finite differences of the loss, all in float64.
// Random masks (dropout) are refilled from the same RNG state before every evaluation, so the
// loss is one fixed function of the parameters; batch normalisation uses the batch statistics, as
// in training. Only a seeded sample of each parameter's elements is checked when it is large.
// An element where the loss has a kink (see onKink) is counted apart rather than failed.
import { InternalError } from '../errors.js';
import { Executor } from './executor.js';
import type { Kernels } from '../kernels/kernels.js';
import { Rng, type RngState } from '../tensor/rng.js';
import type { Program } from '../compile/compile.js';
import { type Plan, planGraph } from '../compile/plan.js';

export interface GradcheckOptions {
  kernels: Kernels;
  /** RNG state every evaluation refills the random masks from (required when the program has any). */
  maskState?: RngState;
  /** Seed of the choice of elements to check. */
  seed?: number;
  /** At most this many elements per parameter (default 32); all of them when it has fewer. */
  maxElements?: number;
  /** Largest relative error that passes (default 1e-4). */
  tolerance?: number;
  /** Smallest scale of the relative error, so gradients near 0 are judged by absolute error (default 1e-3). */
  floor?: number;
  /** Analytic gradients to check instead of the program's own (tests plant wrong ones). */
  analytic?: ReadonlyMap<string, Float64Array>;
}

export interface ParamCheck {
  name: string;
  shape: number[];
  /** Elements of the parameter, and how many of them were checked. */
  size: number;
  checked: number;
  /**
   * Checked elements whose mismatch a kink explains (see onKink): excluded from the errors below,
   * neither passed nor failed.
   */
  kinks: number;
  /** Largest |a − n| over the checked elements but the kinks. */
  maxAbsError: number;
  /** Largest |a − n| / max(|a|, |n|, floor) over the checked elements but the kinks. */
  maxRelError: number;
  /** The flat index of the element with the largest relative error, its analytic and numeric gradient (index −1: none). */
  worst: { index: number; analytic: number; numeric: number };
  ok: boolean;
}

export interface GradcheckResult {
  /** The loss at the unperturbed parameters. */
  loss: number;
  params: ParamCheck[];
  /** How many parameters exceed the tolerance. */
  failed: number;
}

/** Runs the training program once in float64 and returns a copy of every analytic gradient. */
export function analyticGradients(
  program: Program,
  params: ReadonlyMap<string, Float64Array>,
  feed: { x: ArrayLike<number>; y: ArrayLike<number> },
  opts: Pick<GradcheckOptions, 'kernels' | 'maskState'>,
): { loss: number; grads: Map<string, Float64Array> } {
  const ex = bindExecutor(program.plan, program, params, feed, opts.kernels);
  ex.run(maskRng(ex, opts.maskState));
  const grads = new Map<string, Float64Array>();
  for (const [name, id] of program.grads) grads.set(name, Float64Array.from(ex.buffer(id)));
  return { loss: ex.buffer(program.loss)[0], grads };
}

/**
 * Checks the gradient of every trainable parameter of a training `program`. `params` holds every
 * parameter and state tensor by name as float64; the checked ones are perturbed in place and
 * restored. `feed` is one batch: x (batch × sample values) and y (batch labels or targets).
 */
export function gradcheck(
  program: Program,
  params: ReadonlyMap<string, Float64Array>,
  feed: { x: ArrayLike<number>; y: ArrayLike<number> },
  opts: GradcheckOptions,
): GradcheckResult {
  if (program.mode !== 'train') throw new InternalError('a gradient check needs a training program');
  const tolerance = opts.tolerance ?? 1e-4;
  const floor = opts.floor ?? 1e-3;
  const maxElements = opts.maxElements ?? 32;
  const grads = opts.analytic ?? analyticGradients(program, params, feed, opts).grads;

  // The loss alone needs only the forward pass; its plan draws the same masks in the same order
  // as the full plan when both hold the same random nodes, else the full plan is used.
  const lossPlan = planGraph(program.graph, [program.loss]);
  const plan = sameRandomNodes(lossPlan, program.plan) ? lossPlan : program.plan;
  const ex = bindExecutor(plan, program, params, feed, opts.kernels);
  const lossAt = () => {
    ex.run(maskRng(ex, opts.maskState));
    return ex.buffer(program.loss)[0];
  };
  const base = lossAt();
  if (!Number.isFinite(base)) throw new InternalError(`the loss is ${base} at the starting parameters; nothing to check`);

  const pick = new Rng(opts.seed ?? 0);
  const results: ParamCheck[] = [];
  for (const [name] of program.grads) {
    const w = params.get(name);
    const a = grads.get(name);
    if (!w) throw new InternalError(`no buffer for parameter '${name}'`, { node: name });
    if (!a || a.length !== w.length) throw new InternalError(`no analytic gradient of the size of '${name}'`, { node: name });
    const shape = [...program.graph.nodes[program.graph.byName.get(name)!].shape];
    const r: ParamCheck = {
      name,
      shape,
      size: w.length,
      checked: 0,
      maxAbsError: 0,
      maxRelError: 0,
      kinks: 0,
      worst: { index: -1, analytic: 0, numeric: 0 },
      ok: true,
    };
    for (const i of chooseElements(w.length, maxElements, pick)) {
      const w0 = w[i];
      const h = 1e-6 * Math.max(1, Math.abs(w0));
      w[i] = w0 + h;
      const up = lossAt();
      w[i] = w0 - h;
      const down = lossAt();
      w[i] = w0;
      const numeric = (up - down) / (2 * h);
      const abs = Math.abs(a[i] - numeric);
      const rel = abs / Math.max(Math.abs(a[i]), Math.abs(numeric), floor);
      r.checked++;
      // A NaN (a gradient or a loss that is not finite) fails as well.
      if (!(rel <= tolerance) && onKink(a[i], (up - base) / h, (base - down) / h, floor)) {
        r.kinks++;
        continue;
      }
      r.maxAbsError = Math.max(r.maxAbsError, abs);
      if (r.worst.index < 0 || rel > r.maxRelError || (Number.isNaN(rel) && !Number.isNaN(r.maxRelError))) {
        r.worst = { index: i, analytic: a[i], numeric };
      }
      r.maxRelError = Math.max(r.maxRelError, rel); // NaN stays NaN
      if (!(rel <= tolerance)) r.ok = false;
    }
    results.push(r);
  }
  return { loss: base, params: results, failed: results.filter((r) => !r.ok).length };
}

/**
 * Whether a mismatch comes from a kink of the loss at the checked point rather than from a wrong
 * gradient: the one-sided slopes `fwd` and `bwd` differ by far more than curvature explains over
 * one step h (more than 1% of the scale), and the analytic gradient `a` is one of them (within
 * 1%). ReLU inputs at exactly 0 do this, e.g. a zero bias over zero-valued pixels: the analytic
 * gradient takes relu'(0) = 0, the central difference averages the two sides. A smooth loss with
 * a wrong gradient has fwd ≈ bwd, so it is never excused.
 */
export function onKink(a: number, fwd: number, bwd: number, floor: number): boolean {
  const scale = Math.max(Math.abs(a), Math.abs(fwd), Math.abs(bwd), floor);
  return Math.abs(fwd - bwd) > 1e-2 * scale && Math.min(Math.abs(a - fwd), Math.abs(a - bwd)) <= 1e-2 * scale;
}

/** `k` distinct indices below `n` in increasing order (all of them when n ≤ k), drawn from `rng`. */
export function chooseElements(n: number, k: number, rng: Rng): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  // A partial Fisher-Yates shuffle over a sparse map: O(k) time and memory however large n is.
  const moved = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const vj = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
    out.push(vj);
  }
  return out.sort((x, y) => x - y);
}

function bindExecutor(
  plan: Plan,
  program: Program,
  params: ReadonlyMap<string, Float64Array>,
  feed: { x: ArrayLike<number>; y: ArrayLike<number> },
  kernels: Kernels,
): Executor {
  const ex = new Executor(plan, kernels, params, 'float64');
  for (const [id, values] of [
    [program.x, feed.x],
    [program.y, feed.y],
  ] as const) {
    if (!plan.storage.has(id)) continue; // a loss that does not read it
    const buf = ex.buffer(id);
    const name = plan.graph.nodes[id].name;
    if (values.length !== buf.length) throw new InternalError(`the batch does not fit: ${name} needs ${buf.length} values, got ${values.length}`);
    buf.set(values);
  }
  return ex;
}

function maskRng(ex: Executor, state: RngState | undefined): Rng | undefined {
  if (!ex.needsRng) return undefined;
  if (!state) throw new InternalError('the program has random masks: give maskState so every evaluation draws the same ones');
  return Rng.fromState(state);
}

function randomNodes(plan: Plan): number[] {
  return [...plan.storage.keys()].filter((id) => plan.graph.nodes[id].op === 'random');
}

function sameRandomNodes(a: Plan, b: Plan): boolean {
  const ra = randomNodes(a);
  const rb = randomNodes(b);
  return ra.length === rb.length && ra.every((id, i) => id === rb[i]);
}
