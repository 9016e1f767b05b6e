// Optimizers: update parameters in place from their gradients through the kernel interface.
// Each has state (a step count and per-parameter slots such as Adam's moments) that a
// checkpoint saves and restores by parameter name.
import type { OptimizerConfig } from '../config/schema.js';
import type { Kernels } from '../kernels/kernels.js';

export interface OptimizerState {
  /** Updates taken so far. */
  step: number;
  /** Per-parameter slots by slot name (`m`, `v`), then by parameter name. */
  slots: Record<string, Record<string, Float32Array>>;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  readonly state: OptimizerState;
  /** One update of every parameter; `grads` holds the gradient of each parameter by name. */
  update(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, k: Kernels, lr?: number): void;
}

function slotsFor(names: string[], sizes: ReadonlyMap<string, number>, slotNames: string[]): OptimizerState['slots'] {
  const slots: OptimizerState['slots'] = {};
  for (const s of slotNames) {
    slots[s] = {};
    for (const n of names) slots[s][n] = new Float32Array(sizes.get(n)!);
  }
  return slots;
}

/** A fresh optimizer for parameters of the given sizes (by name). */
export function createOptimizer(config: OptimizerConfig, sizes: ReadonlyMap<string, number>): Optimizer {
  const names = [...sizes.keys()];
  switch (config.type) {
    case 'sgd': {
      const state: OptimizerState = { step: 0, slots: {} };
      return {
        config,
        state,
        update(params, grads, k, lr = config.lr) {
          for (const n of names) k.sgdStep(params.get(n)!, grads.get(n)!, lr);
          state.step++;
        },
      };
    }
    case 'adam': {
      const state: OptimizerState = { step: 0, slots: slotsFor(names, sizes, ['m', 'v']) };
      return {
        config,
        state,
        update(params, grads, k, lr = config.lr) {
          const t = state.step + 1;
          const { beta1: b1, beta2: b2, eps } = config;
          // Bias correction folded into the step size and epsilon:
          // lr·m̂/(√v̂+ε) = lrT·m/(√v+εT) with lrT = lr·√(1-b2^t)/(1-b1^t), εT = ε·√(1-b2^t).
          const c2 = Math.sqrt(1 - Math.pow(b2, t));
          const lrT = (lr * c2) / (1 - Math.pow(b1, t));
          const epsT = eps * c2;
          for (const n of names) k.adamStep(params.get(n)!, grads.get(n)!, state.slots.m[n], state.slots.v[n], b1, b2, lrT, epsT);
          state.step = t;
        },
      };
    }
  }
}

/** Copies saved state into an optimizer's state (same parameters and slots required). */
export function restoreOptimizer(opt: Optimizer, saved: OptimizerState): void {
  opt.state.step = saved.step;
  for (const [slot, byName] of Object.entries(opt.state.slots)) {
    for (const [name, buf] of Object.entries(byName)) {
      const src = saved.slots[slot]?.[name];
      if (!src || src.length !== buf.length) throw new Error(`optimizer slot ${slot} of '${name}' is missing or has the wrong size`);
      buf.set(src);
    }
  }
}
