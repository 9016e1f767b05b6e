// IDX images and labels as a Dataset: the raw pixel bytes, standing for the values 0..255
// (preprocessing scales them later), samples of shape [1, rows, cols] or, flattened, [rows·cols],
// and no feature names.
import type { DataConfig } from '../config/schema.js';
import { DataError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { checkIdxPair, readIdxImages, readIdxLabels } from './idx.js';
import { imageDataset, rawValues } from './pixels.js';

export type IdxDataConfig = Extract<DataConfig, { source: 'idx' }>;

export interface ImageSetOptions {
  /** Only the first `limit` items. */
  limit?: number;
  /** Samples as vectors [rows·cols] instead of [1, rows, cols]. */
  flatten: boolean;
  /** Class names in label order; a label must be below their number. */
  classes: readonly string[];
}

/** The default class names of an IDX data set: '0' .. '9'. */
export const DIGIT_CLASSES: readonly string[] = Array.from({ length: 10 }, (_, k) => String(k));

/** The class names of an idx data config: `classes` (e.g. a saved run's), cfg.classes, or '0'..'9'. */
export function idxClasses(cfg: IdxDataConfig, classes?: readonly string[]): string[] {
  return (classes ?? cfg.classes ?? DIGIT_CLASSES).slice();
}

/** The sample shape of rows × cols images. */
export function imageShape(rows: number, cols: number, flatten: boolean): number[] {
  return flatten ? [rows * cols] : [1, rows, cols];
}

/**
 * Reads an images file and its labels file into a classification Dataset. The pixels are the
 * file's bytes, not copied; with a limit, the bytes of the first images are copied out so that
 * the rest of the file can be freed.
 */
export function fromIdx(imagesPath: string, labelsPath: string, opts: ImageSetOptions): Dataset {
  const images = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath);
  checkIdxPair(images, labels, imagesPath, labelsPath);
  if (images.count === 0) throw new DataError('the IDX file holds no images', { file: imagesPath });
  const n = opts.limit === undefined ? images.count : Math.min(opts.limit, images.count);
  const size = images.rows * images.cols;
  const bytes = n === images.count ? images.pixels : images.pixels.slice(0, n * size);
  const k = opts.classes.length;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.labels[i];
    if (label >= k) {
      throw new DataError(
        `label ${label} of item ${i + 1} is not one of the ${k} classes`,
        { file: labelsPath },
        'list every class name in data.classes, in label order',
      );
    }
    y[i] = label;
  }
  const shape = imageShape(images.rows, images.cols, opts.flatten);
  return imageDataset({ y, n, features: [], shape, task: 'classification', classes: opts.classes.slice() }, { bytes, values: rawValues() });
}
