// Image data sets kept as their raw bytes, one byte per pixel, with a 256-entry table of the float
// each byte value stands for. Floats are made only when rows are read into a caller's buffer (a
// training batch), so 60,000 Fashion-MNIST images take 47 MB instead of 188 MB as float32, and a
// split or a preprocessing step makes a new row index or table instead of copying pixels.
import type { Dataset, Pixels } from './types.js';

export type { Pixels };

/** The table of raw pixels: byte value v stands for the float v. */
export function rawValues(): Float32Array {
  const t = new Float32Array(256);
  for (let v = 0; v < 256; v++) t[v] = v;
  return t;
}

/**
 * The table after scaling every pixel to (x - mean) / std: the same arithmetic, element for
 * element, as scaling a float32 copy of the pixels, so the floats are bit-identical to it.
 */
export function scaledValues(values: Float32Array, mean: number, std: number): Float32Array {
  const t = new Float32Array(256);
  for (let v = 0; v < 256; v++) t[v] = (values[v] - mean) / std;
  return t;
}

/** The source image of row `row`. */
export function imageOf(p: Pixels, row: number): number {
  return p.index ? p.index[row] : row;
}

/** The pixels of the rows `rows` of `p` (row k of the result is row rows[k] of p), sharing its bytes. */
export function selectPixels(p: Pixels, rows: ArrayLike<number>): Pixels {
  const index = new Uint32Array(rows.length);
  for (let k = 0; k < rows.length; k++) index[k] = imageOf(p, rows[k]);
  return { bytes: p.bytes, index, values: p.values };
}

/**
 * Writes rows order[start .. start+count) of `p` (rows start .. without an order) as floats into
 * dst from `at` on; `size` is the number of pixels of one image. Allocates nothing.
 */
export function gatherPixels(p: Pixels, size: number, order: ArrayLike<number> | null, start: number, count: number, dst: Float32Array, at = 0): void {
  const { bytes, index, values } = p;
  for (let r = 0; r < count; r++) {
    const row = order ? order[start + r] : start + r;
    const s = (index ? index[row] : row) * size;
    for (let c = 0, d = at + r * size; c < size; c++) dst[d + c] = values[bytes[s + c]];
  }
}

/** The fields of a Dataset other than its values. */
export type ImageFields = Omit<Dataset, 'x' | 'pixels'> & { shape: number[] };

/**
 * An image Dataset stored as `pixels`. Its `x` is a float32 copy of all rows, made on first read
 * and then kept: for callers that want plain floats (tests, the gradient check); training reads
 * rows with gatherRows and never makes it.
 */
export function imageDataset(fields: ImageFields, pixels: Pixels): Dataset {
  let floats: Float32Array | undefined;
  const size = fields.shape.reduce((a, b) => a * b, 1);
  return {
    ...fields,
    pixels,
    get x(): Float32Array {
      if (!floats) {
        floats = new Float32Array(fields.n * size);
        gatherPixels(pixels, size, null, 0, fields.n, floats);
      }
      return floats;
    },
  };
}
