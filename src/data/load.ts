// The data stage of a run: read or generate, split, then preprocess with statistics of the
// training split. Randomness comes from two named streams of the run's seed, `data` and `split`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import { Rng, streamSeed } from '../tensor/rng.js';
import { type ColumnLocator, type ReadRules, checkColumnKeys, columnConfig, fitColumns, savedReadRules } from './columns.js';
import { fromCsv, type Dataset } from './dataset.js';
import { fromIdx, idxClasses, type IdxDataConfig } from './images.js';
import { applyPreprocessingInPlace, fitImagePreprocessing, fitPreprocessing, type Preprocessing } from './standardize.js';
import { splitDataset } from './split.js';
import { generateTask, isSequenceTask, taskPreprocessing } from './sequence-tasks.js';
import { generate } from './synthetic.js';
import { fitTokenPreprocessing, readTextDataset } from './text.js';

export interface LoadedData {
  train: Dataset;
  val: Dataset;
  preprocessing: Preprocessing;
}

/** The test files of Fashion-MNIST and MNIST, used when an idx config names none. */
const DEFAULT_TEST_IMAGES = 't10k-images-idx3-ubyte.gz';
const DEFAULT_TEST_LABELS = 't10k-labels-idx1-ubyte.gz';

/**
 * The whole training data set, unsplit and not preprocessed (images as raw 0..255 values, text as
 * ids of the file's own vocabulary, data/text.ts). `cfg.path` (csv, text) and `cfg.dir` (idx) must
 * already be absolute; `classes` (from a saved run) fixes the class indices of a CSV file and
 * names the classes of an idx data set.
 */
export function loadDataset(cfg: DataConfig, seed: number, classes?: readonly string[], prep?: Preprocessing): Dataset {
  switch (cfg.source) {
    case 'csv':
      return fromCsv(cfg, cfg.path, classes, 'data.path', prep ? tableReadRules(cfg, prep) : undefined);
    case 'text':
      return readTextDataset(cfg, cfg.path, 'data.path', classes);
    case 'idx':
      return fromIdx(resolve(cfg.dir, cfg.train_images), resolve(cfg.dir, cfg.train_labels), {
        limit: cfg.limit,
        flatten: cfg.flatten,
        classes: idxClasses(cfg, classes),
      });
    case 'copy':
    case 'reverse':
    case 'sort':
    case 'parity':
    case 'addition':
      return generateTask(cfg, new Rng(streamSeed(seed, 'data')));
    default:
      return generate(cfg, new Rng(streamSeed(seed, 'data')));
  }
}

/**
 * How a saved run reads a CSV file of `cfg`: the kinds and missing-value rules of its features as
 * it was trained, and what a missing label becomes as the config says.
 */
function tableReadRules(cfg: Extract<DataConfig, { source: 'csv' }>, prep: Preprocessing): ReadRules | undefined {
  if (prep.kind !== 'table') return undefined;
  const label = columnConfig(cfg.columns, cfg.label)?.missing === 'drop' ? 'drop' : 'error';
  return savedReadRules(prep.features, prep.columns, prep.missingValues, label);
}

/** Where a config key is, for errors the data find in the config; by default only its path. */
const pathOnly: ColumnLocator = (path) => ({ path: path.join('.') });

/** The preprocessing the config asks for, fitted on `train` (the training split only). */
export function fitPreprocessingFor(cfg: DataConfig, train: Dataset, locate: ColumnLocator = pathOnly): Preprocessing {
  if (cfg.source === 'idx') return fitImagePreprocessing(train, cfg.scale);
  if (isSequenceTask(cfg)) return taskPreprocessing(cfg);
  if (cfg.source === 'text') return fitTokenPreprocessing(train, cfg);
  const columns = cfg.source === 'csv' ? fitColumns(train, cfg, locate) : undefined;
  const rules = columns ? { columns, missingValues: cfg.source === 'csv' ? cfg.missing_values : undefined } : undefined;
  return fitPreprocessing(train, cfg.standardize, cfg.standardize_target === true, rules);
}

/** Train and validation splits, preprocessed with statistics of the training split. */
export function loadData(cfg: DataConfig, seed: number, locate?: ColumnLocator): LoadedData {
  if (cfg.source === 'csv') checkColumnKeys(cfg, locate ?? pathOnly);
  // The whole set is not kept in a variable, so it can be freed once split.
  const { train, val } = splitDataset(loadDataset(cfg, seed), cfg.split, new Rng(streamSeed(seed, 'split')));
  const preprocessing = fitPreprocessingFor(cfg, train, locate);
  return {
    // The splits are fresh data sets owned here, so they may be preprocessed in place.
    train: applyPreprocessingInPlace(train, preprocessing),
    val: applyPreprocessingInPlace(val, preprocessing),
    preprocessing,
  };
}

/**
 * The test set, preprocessed with `prep` (the run's): for csv and text the file `cfg.test` (absolute), for
 * idx `test_images` and `test_labels` in `cfg.dir` (by default t10k-images-idx3-ubyte.gz and
 * t10k-labels-idx1-ubyte.gz when both exist). Undefined when the config has none, and for the
 * generators.
 */
export function loadTestSet(cfg: DataConfig, prep: Preprocessing): Dataset | undefined {
  switch (cfg.source) {
    case 'csv':
      if (cfg.test === undefined) return undefined;
      return applyPreprocessingInPlace(fromCsv(cfg, cfg.test, prep.classes, 'data.test', tableReadRules(cfg, prep)), prep);
    case 'text':
      if (cfg.test === undefined) return undefined;
      return applyPreprocessingInPlace(readTextDataset(cfg, cfg.test, 'data.test', prep.classes), prep);
    case 'idx': {
      const files = idxTestFiles(cfg);
      if (!files) return undefined;
      const ds = fromIdx(files.images, files.labels, { flatten: cfg.flatten, classes: idxClasses(cfg, prep.classes) });
      return applyPreprocessingInPlace(ds, prep);
    }
    default:
      return undefined;
  }
}

/** Absolute paths of an idx config's test files, or undefined when it has none. */
export function idxTestFiles(cfg: IdxDataConfig): { images: string; labels: string } | undefined {
  const images = resolve(cfg.dir, cfg.test_images ?? DEFAULT_TEST_IMAGES);
  const labels = resolve(cfg.dir, cfg.test_labels ?? DEFAULT_TEST_LABELS);
  if (cfg.test_images === undefined && cfg.test_labels === undefined) {
    const has = [existsSync(images), existsSync(labels)];
    if (!has[0] && !has[1]) return undefined;
    if (!has[0] || !has[1]) {
      const missing = has[0] ? labels : images;
      throw new DataError(
        'IDX test file not found (its partner is there)',
        { file: missing },
        'add the missing file, or name the test files with data.test_images and data.test_labels',
      );
    }
  }
  return { images, labels };
}
