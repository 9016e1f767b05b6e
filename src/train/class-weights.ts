// Class weights of a run (train.class_weights): resolved to one weight per class index from the
// config and the training split, and recorded in the run directory (class_weights.json) so that
// evaluating or resuming the run weighs its loss exactly as training did.
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { readRunJson } from './rundir.js';

export type ClassWeightsSpec = NonNullable<Config['train']['class_weights']>;

/** What a run records: how the weights were chosen and the weight of each class, by name and in index order. */
export interface ClassWeights {
  mode: 'balanced' | 'given';
  classes: string[];
  weights: number[];
}

export const CLASS_WEIGHTS_FILE = 'class_weights.json';

/**
 * One weight per class of `classes` (in index order). `balanced`: n / (k · count of the class)
 * over the training labels `labels`, so that every class contributes the same total weight; a
 * class with no training sample gets 1 (it adds nothing to the training loss either way). A map:
 * the weight named for each class, 1 for classes it does not name; a name that is not a class is
 * a config error (with the closest class name).
 */
export function resolveClassWeights(spec: ClassWeightsSpec, classes: readonly string[], labels: ArrayLike<number>): ClassWeights {
  const k = classes.length;
  if (spec === 'balanced') {
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
    const n = labels.length;
    return { mode: 'balanced', classes: [...classes], weights: counts.map((c) => (c > 0 ? n / (k * c) : 1)) };
  }
  const unknown = Object.keys(spec).filter((name) => !classes.includes(name));
  if (unknown.length) {
    throw new ConfigError(
      unknown.map((name) => ({
        place: { path: `train.class_weights.${name}` },
        message: `'${name}' is not a class of the data`,
        hint: didYouMean(name, classes) ?? `the classes are ${classes.join(', ')}`,
      })),
    );
  }
  return { mode: 'given', classes: [...classes], weights: classes.map((c) => spec[c] ?? 1) };
}

/** The weights a run recorded, or undefined when it has no class_weights.json. */
export function readClassWeights(runDir: string): ClassWeights | undefined {
  const file = join(runDir, CLASS_WEIGHTS_FILE);
  const raw = readRunJson(file);
  if (raw === undefined) return undefined;
  const r = raw as Partial<ClassWeights> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    (r.mode === 'balanced' || r.mode === 'given') &&
    Array.isArray(r.classes) &&
    r.classes.every((c) => typeof c === 'string') &&
    Array.isArray(r.weights) &&
    r.weights.length === r.classes.length &&
    r.weights.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0);
  if (!ok) throw new CheckpointError('does not hold class weights (mode, classes and one positive weight per class)', { file });
  return r as ClassWeights;
}
