// What the compiler needs to know of a data source: the task, the shape of one sample, the number
// of classes and, for a table with embedded columns, the layout of its inputs. Images and the
// generators tell it before their data are read (from the config or an IDX header); a CSV table
// only once it is read and its columns fitted on the training split (one-hot columns add an input
// per category), and text once its vocabulary is fitted, so their dims come from their preprocessing.
import { resolve } from 'node:path';
import type { DataConfig } from '../config/schema.js';
import { readIdxHeader } from './idx.js';
import { DIGIT_CLASSES, imageShape } from './images.js';
import { type ColumnLocator, type InputLayout, inputLayout } from './columns.js';
import { loadData } from './load.js';
import { isSequenceTask, taskPreprocessing } from './sequence-tasks.js';
import type { Preprocessing } from './standardize.js';

/** What compiling needs to know of the data: the shape of one sample and, when known, the classes. */
export interface DataDims {
  readonly task: 'classification' | 'regression';
  /** The shape of one sample, without the batch axis: [features] for tables, [1, rows, cols] for images. */
  readonly sampleShape: number[];
  readonly classes?: number;
  /** A table with embedded columns: which inputs are category indices, and their tables (data/columns.ts). */
  readonly inputs?: InputLayout;
  /**
   * The shape of one sample's labels when not a single value: [L] for a label per token, label 0
   * being padding that the loss ignores (Dataset.targetShape).
   */
  readonly targetShape?: number[];
  /**
   * Samples are token ids [L] (float-encoded), 0 being padding: `vocab` ids in all. Layers get the
   * padding mask from the ids (LayerCtx.mask).
   */
  readonly tokens?: { readonly vocab: number };
}

/** The dims of data prepared with `prep` (a run's, or one just fitted). */
export function preprocessedDims(prep: Preprocessing): DataDims {
  if (prep.kind === 'image') return { task: prep.task, sampleShape: prep.shape.slice(), classes: prep.classes?.length };
  if (prep.kind === 'tokens') {
    const perToken = prep.labels === 'tokens';
    return {
      task: prep.task,
      sampleShape: [prep.length],
      classes: perToken ? prep.vocab.length : prep.classes?.length,
      tokens: { vocab: prep.vocab.length },
      ...(perToken ? { targetShape: [prep.length] } : {}),
    };
  }
  const layout = inputLayout(prep.features, prep.columns);
  return { task: prep.task, sampleShape: [layout.names.length], classes: prep.classes?.length, ...(layout.embedded.length ? { inputs: layout } : {}) };
}

/** The dims of `cfg`'s data; a CSV table is read, split with `seed` and fitted for it. */
export function dataDims(cfg: DataConfig, seed = 0, locate?: ColumnLocator): DataDims {
  // A sequence task's vocabulary and length are fixed by its config.
  if (isSequenceTask(cfg)) return preprocessedDims(taskPreprocessing(cfg));
  switch (cfg.source) {
    case 'csv':
    case 'text':
      return preprocessedDims(loadData(cfg, seed, locate).preprocessing);
    case 'idx': {
      const h = readIdxHeader(resolve(cfg.dir, cfg.train_images), 'images');
      return {
        task: 'classification',
        sampleShape: imageShape(h.rows!, h.cols!, cfg.flatten),
        classes: cfg.classes?.length ?? DIGIT_CLASSES.length,
      };
    }
    case 'linear':
      return { task: 'regression', sampleShape: [1] };
    case 'spirals':
      return { task: 'classification', sampleShape: [2], classes: cfg.classes };
    default:
      return { task: 'classification', sampleShape: [2], classes: 2 };
  }
}
