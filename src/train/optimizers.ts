// Optimizers: update parameters in place from their gradients through the kernel interface.
// Each has state (a step count and per-parameter slots such as Adam's moments) that a
// checkpoint saves and restores by parameter name. An update allocates nothing: the slots are
// made once, here, and every step goes through one OptimizerKernels call per parameter.
//
// Slots by optimizer: sgd with momentum `momentum`; adagrad `sum`; rmsprop `square_avg` (and
// `momentum` when momentum > 0); adam and adamw `m`, `v`. Plain SGD has none.
import type { OptimizerConfig } from '../config/schema.js';
import { CheckpointError, InternalError } from '../errors.js';
import type { OptimizerKernels } from '../kernels/optim-kernels.js';

export interface OptimizerState {
  /** Updates taken so far. */
  step: number;
  /** Per-parameter slots by slot name (`m`, `v`), then by parameter name. Updated in place. */
  slots: Record<string, Record<string, Float32Array>>;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  readonly state: OptimizerState;
  /**
   * One update of every parameter; `grads` holds the gradient of each parameter by name and is
   * left unchanged. `lr` is this step's learning rate (the schedule's value, see schedule.ts).
   */
  update(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, k: OptimizerKernels, lr: number): void;
}

export interface OptimizerOptions {
  /** Parameters AdamW's decoupled weight decay skips (regularization.exclude, see regularize.ts). */
  noDecay?: ReadonlySet<string>;
}

type Update = Optimizer['update'];

/** A fresh optimizer for parameters of the given sizes (by name). */
export function createOptimizer(config: OptimizerConfig, sizes: ReadonlyMap<string, number>, opts: OptimizerOptions = {}): Optimizer {
  const names = [...sizes.keys()];
  const lens = names.map((n) => sizes.get(n)!);
  const count = names.length;
  const state: OptimizerState = { step: 0, slots: {} };

  /** Adds a slot (one buffer per parameter, filled with `init`) and returns its buffers in name order. */
  const addSlot = (slot: string, init = 0): Float32Array[] => {
    const byName: Record<string, Float32Array> = {};
    state.slots[slot] = byName;
    return names.map((n, i) => (byName[n] = new Float32Array(lens[i]).fill(init)));
  };
  const w = (params: ReadonlyMap<string, Float32Array>, i: number) => buffer(params, names[i], lens[i], 'parameter');
  const g = (grads: ReadonlyMap<string, Float32Array>, i: number) => buffer(grads, names[i], lens[i], 'gradient');

  let update: Update;
  switch (config.type) {
    case 'sgd': {
      const { momentum: mu, nesterov } = config;
      if (mu === 0) {
        update = (params, grads, k, lr) => {
          checkLr(lr);
          for (let i = 0; i < count; i++) k.sgdStep(w(params, i), g(grads, i), lr);
          state.step++;
        };
      } else {
        const buf = addSlot('momentum');
        update = (params, grads, k, lr) => {
          checkLr(lr);
          for (let i = 0; i < count; i++) k.momentumStep(w(params, i), g(grads, i), buf[i], lr, mu, nesterov);
          state.step++;
        };
      }
      break;
    }
    case 'adagrad': {
      const { eps } = config;
      const sum = addSlot('sum', config.initial_accumulator);
      update = (params, grads, k, lr) => {
        checkLr(lr);
        for (let i = 0; i < count; i++) k.adagradStep(w(params, i), g(grads, i), sum[i], lr, eps);
        state.step++;
      };
      break;
    }
    case 'rmsprop': {
      const { rho, eps, momentum: mu } = config;
      const sq = addSlot('square_avg');
      const buf = mu > 0 ? addSlot('momentum') : null;
      update = (params, grads, k, lr) => {
        checkLr(lr);
        for (let i = 0; i < count; i++) k.rmspropStep(w(params, i), g(grads, i), sq[i], buf ? buf[i] : null, lr, rho, mu, eps);
        state.step++;
      };
      break;
    }
    case 'adam':
    case 'adamw': {
      const { beta1: b1, beta2: b2, eps } = config;
      const decay = config.type === 'adamw' ? config.weight_decay : 0;
      const decays = names.map((n) => decay > 0 && !opts.noDecay?.has(n));
      const m = addSlot('m');
      const v = addSlot('v');
      update = (params, grads, k, lr) => {
        checkLr(lr);
        const t = state.step + 1;
        // Bias correction folded into the step size and epsilon:
        // lr·m̂/(√v̂+ε) = lrT·m/(√v+εT) with lrT = lr·√(1-b2^t)/(1-b1^t), εT = ε·√(1-b2^t).
        const c2 = Math.sqrt(1 - b2 ** t);
        const lrT = (lr * c2) / (1 - b1 ** t);
        const epsT = eps * c2;
        for (let i = 0; i < count; i++) {
          const wi = w(params, i);
          // AdamW (PyTorch convention): decay with the un-corrected lr first, then the Adam step.
          if (decays[i]) k.decayStep(wi, lr * decay);
          k.adamStep(wi, g(grads, i), m[i], v[i], b1, b2, lrT, epsT);
        }
        state.step = t;
      };
      break;
    }
  }
  return { config, state, update };
}

/** Copies saved state into an optimizer's state (same parameters and slots required). */
export function restoreOptimizer(opt: Optimizer, saved: OptimizerState): void {
  if (!Number.isInteger(saved.step) || saved.step < 0) {
    throw new CheckpointError(`optimizer step count ${saved.step} is not a count`);
  }
  for (const [slot, byName] of Object.entries(opt.state.slots)) {
    for (const [name, buf] of Object.entries(byName)) {
      const src = saved.slots[slot]?.[name];
      if (!src || src.length !== buf.length) {
        throw new CheckpointError(`optimizer slot ${slot} of '${name}' is missing or has the wrong size`, { node: name });
      }
    }
  }
  // Checked first, copied after: a failed restore leaves the optimizer as it was.
  for (const [slot, byName] of Object.entries(opt.state.slots)) {
    for (const [name, buf] of Object.entries(byName)) buf.set(saved.slots[slot][name]);
  }
  opt.state.step = saved.step;
}

function buffer(map: ReadonlyMap<string, Float32Array>, name: string, len: number, what: string): Float32Array {
  const b = map.get(name);
  if (b === undefined || b.length !== len) {
    const why = b === undefined ? 'is missing' : `has ${b.length} elements, expected ${len}`;
    throw new InternalError(`optimizer: the ${what} of '${name}' ${why}`, { node: name });
  }
  return b;
}

function checkLr(lr: number): void {
  if (!(lr >= 0) || !Number.isFinite(lr)) throw new InternalError(`optimizer: learning rate ${lr} is not a finite number ≥ 0`);
}
