// The recurrent scan kernels of the backend under test, in float32, against the reference
// (kernels/ts/recurrent.ts) in float64: every cell, both directions, masks with padding at the
// end, in the middle, and a step that is padding in every sample (which the native scan skips),
// and one mask row for the whole batch, at sizes the native kernels spread over threads
// (B·G·H ≥ 2^16); the native scans give the same bits on one thread and on several. The reference itself is gradient-checked through the scan ops
// (test/graph/gradcheck.test.ts) and matched against PyTorch (test/compile/layers-recurrent.test.ts).
import { describe, expect, it } from 'vitest';
import type { RecurrentCell, RecurrentDims } from '../../src/kernels/kernels.js';
import { nativeStatus } from '../../src/kernels/native.js';
import { RECURRENT_CELL } from '../../src/kernels/native-api.js';
import { tsKernels } from '../../src/kernels/ts/index.js';
import { DGATES, GATES, PACKED } from '../../src/kernels/ts/recurrent.js';
import { Rng } from '../../src/tensor/rng.js';
import { K } from '../backend.js';
import { expectClose } from './close.js';

const B = 5;
const L = 7;

/** Real steps per sample: full, padded at the end, padding in the middle, and step 3 padding in every sample. */
function maskOf(): Float64Array {
  const m = new Float64Array(B * L).fill(1);
  const lengths = [L, 4, 2, 6, 5];
  for (let b = 0; b < B; b++) for (let t = lengths[b]; t < L; t++) m[b * L + t] = 0;
  m[0 * L + 1] = 0;
  for (let b = 0; b < B; b++) m[b * L + 3] = 0;
  return m;
}

function draw(rng: Rng, n: number, scale: number): Float64Array {
  return Float64Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
}

function inputs(cell: RecurrentCell, H: number, seed: number) {
  const rng = new Rng(seed);
  const G = GATES[cell] * H;
  const P = PACKED[cell] * H;
  return {
    xg: draw(rng, B * L * G, 1),
    whh: draw(rng, H * G, 1 / Math.sqrt(H)),
    bhn: cell === 'gru' ? draw(rng, H, 0.5) : null,
    dpacked: draw(rng, B * L * P, 1),
    mask: maskOf(),
  };
}

const f32 = (x: Float64Array) => Float32Array.from(x);

describe.each(['rnn', 'lstm', 'gru'] as const)('recurrent scan kernels: %s', (cell) => {
  for (const [H, reverse] of [
    [3, false],
    [3, true],
    [128, false],
    [128, true],
  ] as const) {
    it(`H ${H}${reverse ? ', reverse' : ''}: the backend in float32 matches the reference in float64`, () => {
      const d: RecurrentDims = { cell, batch: B, steps: L, hidden: H, reverse };
      const v = inputs(cell, H, 7 + H);
      const P = PACKED[cell] * H;
      const D = DGATES[cell] * H;
      const ref = new Float64Array(B * L * P);
      tsKernels.recurrentForward(v.xg, v.whh, v.bhn, v.mask, ref, d);
      const refGrad = new Float64Array(B * L * D);
      tsKernels.recurrentBackward(ref, v.whh, v.mask, v.dpacked, refGrad, d);
      const out = new Float32Array(B * L * P).fill(Number.NaN);
      K.recurrentForward(f32(v.xg), f32(v.whh), v.bhn && f32(v.bhn), f32(v.mask), out, d);
      expectClose(out, ref, { rtol: 1e-4, atol: 1e-5 });
      const grad = new Float32Array(B * L * D).fill(Number.NaN);
      // The backward pass from the reference's own forward output, so that only its errors count.
      K.recurrentBackward(f32(ref), f32(v.whh), f32(v.mask), f32(v.dpacked), grad, d);
      expectClose(grad, refGrad, { rtol: 1e-4, atol: 1e-5 });
      // The carried state: at a padded step h equals the previous step's h, and the gates are zero.
      const t = 3;
      const before = reverse ? 4 : 2;
      for (let b = 0; b < B; b++)
        for (let j = 0; j < H; j++) {
          expect(out[(b * L + t) * P + P - H + j]).toBe(out[(b * L + before) * P + P - H + j]);
          if (cell !== 'rnn') expect(out[(b * L + t) * P + j]).toBe(0);
          expect(grad[(b * L + t) * D + j]).toBe(0);
        }
    });
  }

  it('one mask row [1, L] applies to every sample as the same row repeated would', () => {
    const H = 128;
    const d: RecurrentDims = { cell, batch: B, steps: L, hidden: H, reverse: false };
    const v = inputs(cell, H, 5);
    const row = Float64Array.from([1, 1, 0, 1, 1, 0, 0]);
    const full = Float64Array.from({ length: B * L }, (_, i) => row[i % L]);
    const P = PACKED[cell] * H;
    const D = DGATES[cell] * H;
    const run = (mask: Float64Array) => {
      const out = new Float32Array(B * L * P);
      K.recurrentForward(f32(v.xg), f32(v.whh), v.bhn && f32(v.bhn), f32(mask), out, d);
      const grad = new Float32Array(B * L * D);
      K.recurrentBackward(out, f32(v.whh), f32(mask), f32(v.dpacked), grad, d);
      return [out, grad];
    };
    const [a, b] = [run(row), run(full)];
    expect(Buffer.from(a[0].buffer).equals(Buffer.from(b[0].buffer))).toBe(true);
    expect(Buffer.from(a[1].buffer).equals(Buffer.from(b[1].buffer))).toBe(true);
  });

  it('gives the same bits on one thread and on two (native)', () => {
    const status = nativeStatus();
    if (!status.available) return;
    const { addon } = status;
    const threads = addon.info().threads;
    const H = 128;
    const v = inputs(cell, H, 99);
    const P = PACKED[cell] * H;
    const D = DGATES[cell] * H;
    const run = (t: number) => {
      addon.setThreads(t);
      const out = new Float32Array(B * L * P);
      addon.recurrentForward(RECURRENT_CELL[cell], f32(v.xg), f32(v.whh), v.bhn && f32(v.bhn), f32(v.mask), out, B, L, H, false);
      const grad = new Float32Array(B * L * D);
      addon.recurrentBackward(RECURRENT_CELL[cell], out, f32(v.whh), f32(v.mask), f32(v.dpacked), grad, B, L, H, false);
      return [out, grad];
    };
    try {
      const [one, two] = [run(1), run(2)];
      expect(Buffer.from(two[0].buffer).equals(Buffer.from(one[0].buffer))).toBe(true);
      expect(Buffer.from(two[1].buffer).equals(Buffer.from(one[1].buffer))).toBe(true);
    } finally {
      addon.setThreads(threads);
    }
  });
});
