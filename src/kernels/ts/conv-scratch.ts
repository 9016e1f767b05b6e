// Working memory of the TypeScript lowered convolutions (conv-lowered.ts): one buffer shared by
// every convolution the reference kernels run, made on first use, grown to the largest one's
// need and then reused, as the native kernels keep theirs. The plan allocates none of it, so a
// program whose convolutions run natively never holds it. The views a geometry gets are made once
// per geometry (and again only after the buffer has grown), so steady-state calls allocate nothing.
import type { Conv2dDims, ConvScratch, MatmulDims, ScratchPair } from '../kernels.js';
import type { ConvKernel } from '../plans.js';

let memory = new ArrayBuffer(0);
/** Counts the times `memory` was replaced: views made before then are out of date. */
let generation = 0;

interface Views {
  generation: number;
  byKernel: Partial<Record<ConvKernel, ConvScratch>>;
}
const views = new WeakMap<Conv2dDims, Views>();

/** Element counts of the parts of one kernel's scratch at geometry d. */
function parts(kernel: ConvKernel, d: Conv2dDims): { col: number; fp: number; fk: number; rows: number } {
  const K = d.c * d.kh * d.kw;
  const P = d.oh * d.ow;
  return { col: K * P, fp: d.f * P, fk: kernel === 'gradWeight' ? d.f * K : 0, rows: Math.max(d.f, P) };
}

/**
 * Bytes of scratch the lowered path of `kernel` takes at geometry d: float64-sized column, product
 * and weight-gradient matrices of one sample, a float64 accumulator for the weight gradient, and
 * an offset and a value per row of the gradient.
 */
export function convScratchBytes(kernel: ConvKernel, d: Conv2dDims): number {
  const { col, fp, fk, rows } = parts(kernel, d);
  return 8 * (col + fp + fk) + 8 * fk + 12 * rows;
}

/** The bytes the shared buffer holds now (0 until a lowered convolution has run). */
export function convScratchHeld(): number {
  return memory.byteLength;
}

/** The scratch of `kernel` at geometry d, in the shared buffer (grown first when it is too small). */
export function convScratch(kernel: ConvKernel, d: Conv2dDims): ConvScratch {
  let v = views.get(d);
  const made = v && v.generation === generation ? v.byKernel[kernel] : undefined;
  if (made) return made;
  const bytes = convScratchBytes(kernel, d);
  if (memory.byteLength < bytes) {
    memory = new ArrayBuffer(bytes);
    generation++;
  }
  if (!v || v.generation !== generation) views.set(d, (v = { generation, byKernel: {} }));
  const { col, fp, fk, rows } = parts(kernel, d);
  let at = 0;
  const pair = (n: number): ScratchPair => {
    const p = { f32: new Float32Array(memory, at, n), f64: new Float64Array(memory, at, n) };
    at += 8 * n;
    return p;
  };
  const f64 = (n: number): Float64Array => {
    const a = new Float64Array(memory, at, n);
    at += 8 * n;
    return a;
  };
  const K = d.c * d.kh * d.kw;
  const P = d.oh * d.ow;
  const one = { batch: 1, strideA: 0, strideB: 0 };
  const gemm: MatmulDims =
    kernel === 'conv2d'
      ? { ...one, m: d.f, n: P, k: K, transA: false, transB: false }
      : kernel === 'gradInput'
        ? { ...one, m: P, n: K, k: d.f, transA: true, transB: false }
        : { ...one, m: d.f, n: K, k: P, transA: false, transB: false };
  const s: ConvScratch = { col: pair(col), fp: pair(fp), fk: pair(fk), acc: f64(fk), val: f64(rows), idx: new Int32Array(memory, at, rows), gemm };
  v.byKernel[kernel] = s;
  return s;
}
