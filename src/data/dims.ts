// What the compiler needs to know of a data source before its rows are read: the task and the
// number of features (from the config, or the CSV header).
import type { DataConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import { readCsvHeader } from './csv.js';
import { closest } from '../suggest.js';

/** What compiling needs to know of the data: features per sample and, when known, the classes. */
export interface DataDims {
  readonly task: 'classification' | 'regression';
  readonly features: number;
  readonly classes?: number;
}

export function dataDims(cfg: DataConfig): DataDims {
  if (cfg.source !== 'csv') {
    return {
      task: cfg.source === 'linear' ? 'regression' : 'classification',
      features: cfg.source === 'linear' ? 1 : 2,
      classes: cfg.source === 'spirals' ? cfg.classes : cfg.source === 'linear' ? undefined : 2,
    };
  }
  if (cfg.features) return { task: cfg.task, features: cfg.features.length };
  const header = readCsvHeader(cfg.path);
  if (!header.includes(cfg.label)) {
    const near = closest(cfg.label, header);
    throw new DataError(`label column '${cfg.label}' not found`, { file: cfg.path, column: cfg.label }, near ? `did you mean '${near}'?` : undefined);
  }
  return { task: cfg.task, features: header.length - 1 };
}
