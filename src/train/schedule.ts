// Learning-rate schedules: the rate of each update as a pure function of the update count (plus,
// for `plateau`, a factor that reduce-on-plateau keeps from the metrics of past epochs).
//
// `step` counts updates from 0 and `epoch = floor(step / stepsPerEpoch)`; step, multistep and
// exponential change per epoch, cosine and onecycle per update. A linear warmup over
// `warmup_steps` multiplies the schedule's value by (step+1)/warmup_steps while step < warmup_steps.
import type { ScheduleConfig } from '../config/schema.js';
import { defaultMode, observe } from './monitor.js';

export interface RunLength {
  /** Updates per epoch (batches per epoch), at least 1. */
  stepsPerEpoch: number;
  /** Updates in the whole run (epochs · stepsPerEpoch), at least 1. */
  totalSteps: number;
}

/** The learning rate of update `step` (counted from 0); `plateauFactor` comes from PlateauState. */
export function learningRate(cfg: ScheduleConfig, baseLr: number, step: number, run: RunLength, plateauFactor = 1): number {
  const epoch = Math.floor(step / Math.max(1, run.stepsPerEpoch));
  const total = Math.max(1, run.totalSteps);
  let lr: number;
  switch (cfg.type) {
    case 'constant':
      lr = baseLr;
      break;
    case 'step':
      lr = baseLr * cfg.gamma ** Math.floor(epoch / cfg.step_epochs);
      break;
    case 'multistep': {
      let passed = 0;
      for (const m of cfg.milestones) if (m <= epoch) passed++;
      lr = baseLr * cfg.gamma ** passed;
      break;
    }
    case 'exponential':
      lr = baseLr * cfg.gamma ** epoch;
      break;
    case 'cosine':
      lr = cosineBetween(baseLr, cfg.min_lr, Math.min(step, total) / total);
      break;
    case 'onecycle':
      lr = oneCycle(cfg, step, total);
      break;
    case 'plateau':
      lr = Math.max(baseLr * plateauFactor, cfg.min_lr);
      break;
  }
  const warmup = 'warmup_steps' in cfg ? cfg.warmup_steps : 0;
  return step < warmup ? (lr * (step + 1)) / warmup : lr;
}

/** From `start` (pct 0) to `end` (pct 1) along half a cosine. */
function cosineBetween(start: number, end: number, pct: number): number {
  return end + ((start - end) * (1 + Math.cos(Math.PI * pct))) / 2;
}

/**
 * One cycle (as PyTorch's OneCycleLR with cosine annealing): from initial = max_lr/div_factor up
 * to max_lr at step pct_start·total - 1, then down to initial/final_div_factor at step total - 1.
 */
function oneCycle(cfg: Extract<ScheduleConfig, { type: 'onecycle' }>, step: number, total: number): number {
  const initial = cfg.max_lr / cfg.div_factor;
  const final = initial / cfg.final_div_factor;
  const peak = cfg.pct_start * total - 1;
  const last = total - 1;
  const s = Math.min(step, last);
  if (s <= peak && peak > 0) return cosineBetween(initial, cfg.max_lr, s / peak);
  // The fall starts at `peak` even when that is before step 0 (a rise shorter than one step);
  // peak < last since pct_start < 1.
  return cosineBetween(cfg.max_lr, final, (s - peak) / (last - peak));
}

/** Reduce-on-plateau: the factor applied to the learning rate so far and the metric's progress. */
export interface PlateauState {
  /** Product of the reductions so far (1 = none). */
  factor: number;
  /** Best metric value seen (null before the first). */
  best: number | null;
  /** Epochs since the last improvement or reduction. */
  wait: number;
}

export function initialPlateau(): PlateauState {
  return { factor: 1, best: null, wait: 0 };
}

/**
 * The state after one epoch whose watched metric was `value`: when the metric has not improved
 * (by more than min_delta, see monitor.ts) for `patience` epochs, the factor is multiplied by
 * cfg.factor and the wait starts again (patience 0 reduces after every epoch without improvement).
 * learningRate floors baseLr·factor at min_lr. The mode defaults to the metric's (monitor.ts).
 */
export function plateauStep(state: PlateauState, cfg: Extract<ScheduleConfig, { type: 'plateau' }>, value: number): PlateauState {
  const mode = cfg.mode ?? defaultMode(cfg.metric);
  const seen = observe({ best: state.best, bestEpoch: 0, wait: state.wait }, { mode, min_delta: cfg.min_delta }, value, 0);
  const { best, wait } = seen.state;
  if (!seen.improved && wait >= Math.max(1, cfg.patience)) return { factor: state.factor * cfg.factor, best, wait: 0 };
  return { factor: state.factor, best, wait };
}
