// What a checkpoint's optimizer state may hold, learnt from the optimizers themselves rather than
// from a second list that could drift: the types are the config schema's, and the slot names of
// a configuration are those createOptimizer makes for it (given no parameters, it makes empty
// slots and nothing else).
import { type OptimizerConfig, OptimizerSchema } from '../config/schema.js';
import { createOptimizer } from './optimizers.js';

/** The optimizer types dlf knows: sgd, adagrad, rmsprop, adam, adamw. */
export const OPTIMIZER_TYPES: readonly string[] = OptimizerSchema.options.map((o) => o.shape.type.value);

/** The slot names an optimizer with this configuration keeps, sorted. */
export function slotNamesOf(config: OptimizerConfig): string[] {
  return Object.keys(createOptimizer(config, new Map()).state.slots).sort();
}

const slotSetCache = new Map<string, string[][]>();

/**
 * Every set of slot names (each sorted) an optimizer of `type` can keep: with its defaults and
 * with momentum, for the types that take a momentum (SGD and RMSProp keep a `momentum` slot only
 * when it is above 0). Empty for an unknown type.
 */
export function slotSetsOf(type: string): string[][] {
  const cached = slotSetCache.get(type);
  if (cached) return cached;
  const sets: string[][] = [];
  if (OPTIMIZER_TYPES.includes(type)) {
    for (const extra of [{}, { momentum: 0.5 }]) {
      const parsed = OptimizerSchema.safeParse({ type, lr: 0.1, ...extra });
      if (!parsed.success) continue;
      const names = slotNamesOf(parsed.data);
      if (!sets.some((s) => s.join('\0') === names.join('\0'))) sets.push(names);
    }
  }
  slotSetCache.set(type, sets);
  return sets;
}
