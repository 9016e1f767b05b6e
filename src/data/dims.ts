// What the compiler needs to know of a data source before its rows are read: the task, the shape
// of one sample and the number of classes (from the config, a CSV header or an IDX header).
import { resolve } from 'node:path';
import type { DataConfig } from '../config/schema.js';
import { DataError, oneLine } from '../errors.js';
import { readCsvHeader } from './csv.js';
import { readIdxHeader } from './idx.js';
import { DIGIT_CLASSES, imageShape } from './images.js';
import { columnHint } from './suggest.js';

/** What compiling needs to know of the data: the shape of one sample and, when known, the classes. */
export interface DataDims {
  readonly task: 'classification' | 'regression';
  /** The shape of one sample, without the batch axis: [features] for tables, [1, rows, cols] for images. */
  readonly sampleShape: number[];
  readonly classes?: number;
}

export function dataDims(cfg: DataConfig): DataDims {
  switch (cfg.source) {
    case 'csv':
      return csvDims(cfg);
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

function csvDims(cfg: Extract<DataConfig, { source: 'csv' }>): DataDims {
  if (cfg.features) return { task: cfg.task, sampleShape: [cfg.features.length] };
  const header = readCsvHeader(cfg.path);
  if (!header.includes(cfg.label)) {
    // The header is line 1 of the file: the place to look for the column.
    throw new DataError('label column not found', { file: cfg.path, line: 1, column: oneLine(cfg.label, 60) }, columnHint(cfg.label, header));
  }
  return { task: cfg.task, sampleShape: [header.length - 1] };
}
