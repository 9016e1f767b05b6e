// The data stage of a run: read or generate, split, then standardise with statistics of the
// training split. Randomness comes from two named streams of the run's seed, `data` and `split`.
import type { DataConfig } from '../config/schema.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { fromCsv, type Dataset } from './dataset.js';
import { applyPreprocessing, fitPreprocessing, type Preprocessing } from './standardize.js';
import { splitDataset } from './split.js';
import { generate } from './synthetic.js';

export interface LoadedData {
  train: Dataset;
  val: Dataset;
  preprocessing: Preprocessing;
}

/**
 * The whole data set, unsplit and unstandardised. `cfg.path` must already be absolute; `classes`
 * (from a saved run) fixes the class indices of a CSV file.
 */
export function loadDataset(cfg: DataConfig, seed: number, classes?: readonly string[]): Dataset {
  if (cfg.source === 'csv') return fromCsv(cfg, cfg.path, classes);
  return generate(cfg, new Rng(streamSeed(seed, 'data')));
}

/** Train and validation splits, standardised with statistics of the training split. */
export function loadData(cfg: DataConfig, seed: number): LoadedData {
  const all = loadDataset(cfg, seed);
  const { train, val } = splitDataset(all, cfg.split, new Rng(streamSeed(seed, 'split')));
  const preprocessing = fitPreprocessing(train, cfg.standardize);
  return {
    train: applyPreprocessing(train, preprocessing),
    val: applyPreprocessing(val, preprocessing),
    preprocessing,
  };
}
