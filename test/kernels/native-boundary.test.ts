// The native addon's boundary, case by case: calls that once crashed, read or wrote outside a
// buffer, or hung (an empty buffer beside a full one, a batch × stride product that wraps around
// 64 bits, a repeating row against a short full side, a convolution whose scratch buffers cannot
// exist, an empty shape with a huge other dimension) now throw a RangeError or return at once. They
// run in a child process, so that a crash fails the test instead of killing the runner. Then the
// errors' kinds: TypeError for a wrong type or too few arguments, RangeError for a bad size.
// native-fuzz.test.ts calls every export at random.
import { describe, expect, it } from 'vitest';
import { nativeStatus } from '../../src/kernels/native.js';
import { type CallSpec, type Outcome, childFailure, f32, num, runInChild } from './native-child.js';

const status = nativeStatus();
const why = status.available ? '' : ` (skipped: ${status.reason})`;

/** Runs the calls in a child and expects each one's outcome. */
function expectOutcomes(cases: { call: CallSpec; want: Outcome }[], timeoutMs?: number): void {
  const calls = cases.map((c) => c.call);
  const run = runInChild(calls, timeoutMs);
  expect(childFailure(run, calls)).toBeUndefined();
  const got = run.outcomes.map((o, i) => `${calls[i].fn} #${i}: ${o.outcome}${o.message ? ` (${o.message})` : ''}`);
  expect(got).toEqual(cases.map((c, i) => expect.stringMatching(new RegExp(`^${c.call.fn} #${i}: ${c.want}\\b`))));
}

const call = (fn: string, ...args: CallSpec['args']): CallSpec => ({ fn, args });
const size = num;
const bool = (b: boolean) => ({ bool: b });
const i32 = (values: number[]) => ({ typed: 'Int32Array' as const, values });

describe.skipIf(!status.available)(`the native boundary${why}`, () => {
  it('an empty buffer beside a longer one is a RangeError for every optimizer step and every buffer', () => {
    // new Float32Array(0) has no memory at all (a null data pointer): once taken for "no buffer".
    const full = () => f32(256);
    const empty = () => f32(0, 'zero', true);
    const lr = num(0.1);
    expectOutcomes(
      [
        call('sgdStep', full(), empty(), lr),
        call('momentumStep', full(), empty(), full(), lr, lr, bool(false)),
        call('momentumStep', full(), full(), empty(), lr, lr, bool(true)),
        call('adagradStep', full(), empty(), full(), lr, lr),
        call('adagradStep', full(), full(), empty(), lr, lr),
        call('rmspropStep', full(), empty(), full(), full(), lr, lr, lr, lr),
        call('rmspropStep', full(), full(), empty(), full(), lr, lr, lr, lr),
        call('rmspropStep', full(), full(), full(), empty(), lr, lr, lr, lr),
        call('adamStep', full(), empty(), full(), full(), lr, lr, lr, lr),
        call('adamStep', full(), full(), empty(), full(), lr, lr, lr, lr),
        call('adamStep', full(), full(), full(), empty(), lr, lr, lr, lr),
        call('penaltyGrad', full(), empty(), lr, lr),
        call('maskPositive', full(), empty(), full()),
        call('maskPositive', full(), full(), empty()),
        call('unary', size(0), full(), empty(), lr),
      ].map((c) => ({ call: c, want: 'RangeError' as const })),
    );
  });

  it('a product of sizes that overflows 64 bits is a RangeError, not a wrapped-around length check', () => {
    const f = false;
    expectOutcomes(
      [
        // (batch − 1) · strideA = 4096 · 2^52 = 2^64, which wraps to 0 in 64-bit arithmetic.
        call('matmul', f32(1), f32(1), f32(4097), size(4097), size(1), size(1), size(1), bool(f), bool(f), size(2 ** 52), size(0)),
        call('matmul', f32(1), f32(1), f32(4097), size(4097), size(1), size(1), size(1), bool(f), bool(f), size(0), size(2 ** 52)),
        // batch · m · n = 2^29 · 2^29 · 2^6 = 2^64.
        call('matmul', f32(0), f32(0), f32(4), size(2 ** 29), size(2 ** 29), size(2 ** 6), size(0), bool(f), bool(f), size(0), size(0)),
        // mid · inner = 2^32 · 2^32 = 2^64.
        call('binaryChannel', size(0), f32(4), f32(4), f32(4), size(4), size(1), size(2 ** 32), size(2 ** 32)),
        call('reduceBlock', bool(f), f32(4), f32(4), size(2 ** 32), size(4), size(2 ** 32)),
        call('softmax', f32(4), f32(4), size(2 ** 32), size(2 ** 32), bool(f)),
        call('softmaxXent', f32(4), f32(4), f32(4), size(2 ** 40), size(2 ** 40)),
      ].map((c) => ({ call: c, want: 'RangeError' as const })),
    );
  });

  it('binary reads n values of a side that is neither a scalar nor the repeating row, so that side must hold them', () => {
    expectOutcomes([
      // b repeats every 16 elements, so a is the full side: 64 of its floats are read, whatever sa says.
      { call: call('binary', size(0), f32(1), f32(16), f32(64), size(64), size(0), size(1), size(16), size(2)), want: 'RangeError' },
      { call: call('binary', size(0), f32(16), f32(1), f32(64), size(64), size(1), size(0), size(16), size(1)), want: 'RangeError' },
      { call: call('binary', size(0), f32(64), f32(16), f32(64), size(64), size(0), size(1), size(16), size(2)), want: 'returned' },
      // Two scalars is no form of the kernel's: it walked b in full.
      { call: call('binary', size(0), f32(1), f32(1), f32(64), size(64), size(0), size(0), size(0), size(0)), want: 'RangeError' },
    ]);
  });

  it('a convolution whose padded sample or column matrix cannot be allocated is a RangeError before any allocation', () => {
    // [n, c, h, w, f, kh, kw, oh, ow, sh, sw, dh, dw, pt, pl]. A dilation of 2^31 − 1 makes the
    // padded sample 2^31 × 2^31 floats, whose byte count wraps around 64 bits to a few bytes.
    const dilated = i32([1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 2 ** 31 - 1, 2 ** 31 - 1, 0, 0]);
    // K · P = 2^18 · 2^18 floats of column matrix, from buffers of 2^18 floats.
    const wide = i32([1, 1, 2 ** 9, 2 ** 9, 1, 2 ** 9, 2 ** 9, 2 ** 9, 2 ** 9, 1, 1, 1, 1, 2 ** 9 - 1, 2 ** 9 - 1]);
    const big = () => f32(2 ** 18, 'zero', true);
    expectOutcomes(
      [
        call('conv2d', f32(1), f32(4), f32(1), dilated),
        call('conv2dBiasAct', f32(1), f32(4), f32(1), dilated, f32(1), bool(true)),
        call('conv2dGradInput', f32(1), f32(4), f32(1), dilated),
        call('conv2dGradWeight', f32(1), f32(1), f32(4), dilated),
        call('conv2d', big(), big(), big(), wide),
        call('conv2dGradInput', big(), big(), big(), wide),
        call('conv2dGradWeight', big(), big(), big(), wide),
      ].map((c) => ({ call: c, want: 'RangeError' as const })),
    );
  });

  it('an empty shape with a huge other dimension returns at once instead of looping over it', () => {
    expectOutcomes(
      [
        call('softmax', f32(0), f32(0), size(2 ** 50), size(0), bool(false)),
        call('reduceBlock', bool(false), f32(0), f32(1), size(2 ** 50), size(1), size(0)),
        call('reduceBlock', bool(true), f32(0), f32(1), size(2 ** 50), size(1), size(0)),
      ].map((c) => ({ call: c, want: 'returned' as const })),
      20_000,
    );
  });

  it('a wrong type or too few arguments is a TypeError; a size that is not a non-negative integer a RangeError', () => {
    if (!status.available) return;
    const { addon } = status;
    const a = new Float32Array(4);
    const mm = (m: unknown) => () => addon.matmul(a, a, a, 1, m as number, 2, 2, false, false, 4, 4);
    for (const bad of [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53]) expect(mm(bad), String(bad)).toThrow(RangeError);
    for (const bad of ['2', 2n, undefined, null, {}, [2], true]) expect(mm(bad), String(bad)).toThrow(TypeError);
    expect(mm(2)).not.toThrow();
    expect(() => addon.sgdStep(a, a, '0.1' as unknown as number)).toThrow(TypeError);
    expect(() => addon.momentumStep(a, a, a, 0.1, 0.9, 1 as unknown as boolean)).toThrow(TypeError);
    expect(() => addon.sgdStep(a, new Float64Array(4) as unknown as Float32Array, 0.1)).toThrow(TypeError);
    expect(() => addon.sgdStep(a, [0, 0, 0, 0] as unknown as Float32Array, 0.1)).toThrow(TypeError);
    expect(() => (addon.sgdStep as (...args: unknown[]) => void)(a, a)).toThrow(TypeError);
    const geom = Int32Array.from([1, 1, 2, 2, 1, 1, 1, 2, 2, 1, 1, 1, 1, 0, 0]);
    expect(() => addon.conv2d(a, a, a, Float32Array.from(geom) as unknown as Int32Array)).toThrow(TypeError);
    expect(() => addon.conv2d(a, a, a, geom.subarray(0, 14))).toThrow(RangeError);
    expect(() =>
      addon.conv2d(
        a,
        a,
        a,
        Int32Array.from(geom, (v, i) => (i === 11 ? -1 : v)),
      ),
    ).toThrow(RangeError);
    expect(() => addon.conv2d(a, a, a, geom)).not.toThrow();
  });
});
