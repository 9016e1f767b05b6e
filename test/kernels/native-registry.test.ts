// The native addon's functions are listed once, in native/kernels.def. These tests fail when what
// is made from that table disagrees: the TypeScript side (src/kernels/native-api.ts) is not what
// the generator makes from it; the built addon exports other functions than the TypeScript list,
// or reads other parameters (count, kinds, Int32Array lengths); or a kernel of the list is never
// called by the native kernel set (nativeKernels, what the backend selector gives).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Buf } from '../../src/graph/types.js';
import type { Kernels } from '../../src/kernels/kernels.js';
import { NATIVE_FUNCTIONS, NATIVE_SIGNATURES, type NativeAddon, type NativeParam } from '../../src/kernels/native-api.js';
import { nativeKernels, nativeStatus } from '../../src/kernels/native.js';
import { broadcastPlan, reducePlan } from '../../src/kernels/plans.js';

const status = nativeStatus();
const GENERATOR = fileURLToPath(new URL('../../scripts/gen-native-api.mjs', import.meta.url));

/** The functions that are no kernel: they say or set how the kernels run. */
const CONTROLS: readonly string[] = ['info', 'setLevel', 'setThreads'];

describe('the native table', () => {
  it('src/kernels/native-api.ts is what scripts/gen-native-api.mjs makes from native/kernels.def', () => {
    const r = spawnSync(process.execPath, [GENERATOR, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('lists each function once, and the controls', () => {
    expect(new Set(NATIVE_FUNCTIONS).size).toBe(NATIVE_FUNCTIONS.length);
    expect(CONTROLS.filter((f) => !(NATIVE_FUNCTIONS as readonly string[]).includes(f))).toEqual([]);
  });
});

describe.skipIf(!status.available)(`the built addon against the table${status.available ? '' : ` (skipped: ${status.reason})`}`, () => {
  const addon = (status.available ? status.addon : {}) as NativeAddon;
  const call = (f: string, args: unknown[]) => (addon as unknown as Record<string, (...a: unknown[]) => unknown>)[f](...args);
  /** The error a call throws ('returned' when none). */
  const outcome = (f: string, args: unknown[]): string => {
    try {
      call(f, args);
      return 'returned';
    } catch (e) {
      return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
    }
  };

  it('exports exactly the functions of the TypeScript list', () => {
    const exported = Object.getOwnPropertyNames(addon).filter((f) => typeof (addon as unknown as Record<string, unknown>)[f] === 'function');
    expect(exported.sort()).toEqual([...NATIVE_FUNCTIONS].sort());
  });

  it('each function takes as many arguments as its signature lists', () => {
    for (const f of NATIVE_FUNCTIONS) {
      const n = NATIVE_SIGNATURES[f].length;
      const want = n === 0 ? 'returned' : `TypeError: dlf native: ${f}: takes ${n} arguments, got ${n - 1}`;
      expect(outcome(f, Array(Math.max(0, n - 1)).fill(0)), f).toBe(want);
    }
  });

  /** A value of a kind that reads without error (an empty buffer, zero sizes, a geometry of zeros). */
  const valid = (k: NativeParam): unknown => {
    if (k === 'f32') return new Float32Array(0);
    if (k === 'f32?') return null;
    if (k === 'bool') return false;
    if (k === 'size' || k === 'num') return 0;
    if (k === 'u8') return new Uint8Array(0);
    if (k === 'i32s') return new Int32Array(0);
    return new Int32Array(Number(k.slice('i32x'.length)));
  };
  /** What the addon says of a symbol where it wants this kind. */
  const wrongTypeMessage = (k: NativeParam): RegExp =>
    k.startsWith('f32')
      ? /must be a Float32Array$/
      : k === 'bool'
        ? /must be a boolean$/
        : k.startsWith('i32')
          ? /must be an Int32Array$/
          : k === 'u8'
            ? /must be a Uint8Array$/
            : /must be a number$/;

  it('each function reads each parameter as the kind its signature lists, in order', () => {
    const bad: string[] = [];
    for (const f of NATIVE_FUNCTIONS) {
      const kinds = NATIVE_SIGNATURES[f];
      kinds.forEach((k, i) => {
        const args = kinds.map(valid);
        const check = (arg: unknown, want: RegExp, what: string) => {
          args[i] = arg;
          const got = outcome(f, args);
          if (!want.test(got)) bad.push(`${f} parameter ${i} (${k}) given ${what}: ${got}`);
        };
        const typeError = new RegExp(`^TypeError: dlf native: ${f}: \\w+ ${wrongTypeMessage(k).source}`);
        check(Symbol('x'), typeError, 'a symbol');
        if (k === 'size') check(-1, /^RangeError: .* must be a non-negative integer below 2\^53, got -1$/, '-1');
        if (k === 'num') check(-1.5, /^(returned|RangeError: (?!.*must be a non-negative integer))/, '-1.5');
        if (k === 'f32?') check(undefined, /^(returned|RangeError)/, 'undefined');
        // A typed array of another element type of the same width is no buffer of the kind.
        if (k === 'u8') check(new Int8Array(4), typeError, 'an Int8Array');
        if (k.startsWith('i32')) check(new Uint32Array(4), typeError, 'a Uint32Array');
        // Any length, any values: an Int32Array holding a negative value is read, whatever the body then says of it.
        if (k === 'i32s') check(Int32Array.from([-1]), /^(returned|RangeError: (?!.*must be non-negative))/, 'a negative value');
        const i32 = /^i32x(\d+)$/.exec(k);
        if (i32) {
          const n = Number(i32[1]);
          check(new Int32Array(n - 1), new RegExp(`^RangeError: .* holds ${n - 1} values, needs ${n}$`), `${n - 1} values`);
        }
      });
    }
    expect(bad).toEqual([]);
  });

  it('every kernel of the list is called by the native kernel set', () => {
    if (!status.available) return;
    const called = new Set<string>();
    // The addon's functions are read-only properties: a recording copy of it stands in.
    const real = status.addon as unknown as Record<string, (...a: unknown[]) => unknown>;
    const spy = Object.fromEntries(
      NATIVE_FUNCTIONS.map((name) => [
        name,
        (...args: unknown[]) => {
          called.add(name);
          return real[name](...args);
        },
      ]),
    ) as unknown as NativeAddon;
    exerciseEveryKernel(nativeKernels(spy, 0));
    const kernels = NATIVE_FUNCTIONS.filter((f) => !CONTROLS.includes(f));
    expect(kernels.filter((f) => !called.has(f))).toEqual([]);
  });
});

/** Calls every method of a kernel set once or more on small float32 data, in every form the native set tells apart. */
function exerciseEveryKernel(k: Kernels): void {
  const f = (n: number, v = 0.5): Float32Array => new Float32Array(n).fill(v);
  const ones = (n: number): Buf => f(n, 1);
  // Elementwise, in each broadcast form: same, scalars, rows, a channel and a general one.
  const forms: [number[], number[], number[]][] = [
    [
      [2, 3],
      [2, 3],
      [2, 3],
    ], // same
    [[2, 3], [], [2, 3]], // a scalar b
    [[], [2, 3], [2, 3]], // a scalar a
    [[2, 3], [3], [2, 3]], // a row b
    [[3], [2, 3], [2, 3]], // a row a
    [
      [2, 3, 2],
      [3, 1],
      [2, 3, 2],
    ], // a channel
    [
      [2, 1],
      [1, 3],
      [2, 3],
    ], // a general one (an outer sum)
  ];
  for (const [a, b, out] of forms) {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    k.binary('add', ones(size(a)), ones(size(b)), f(size(out)), broadcastPlan(a, b, out));
  }
  k.unary('exp', ones(8), f(8), 0);
  k.abs(ones(8), f(8));
  k.sign(ones(8), f(8));
  k.copy(ones(8), f(8));
  k.copyRows(ones(8), f(8), { src: Int32Array.from([4, 0]), dst: Int32Array.from([0, 4]), len: 4 });
  k.gather(ones(8), f(8), { src: Int32Array.from([7, 6, 5, 4, 3, 2, 1, 0]) });
  k.byteRows(Uint8Array.from([0, 1, 2, 3, 4, 5]), Int32Array.from([1, 0]), f(256), f(6), 3);
  k.fill(f(8), 1);
  k.maskPositive(ones(8), ones(8), f(8));
  for (const op of ['sum', 'mean', 'max'] as const) k.reduce(op, ones(24), f(3), reducePlan([2, 3, 4], [0, 2]));
  for (const op of ['sum', 'mean'] as const) k.reduce(op, ones(12), f(3), reducePlan([4, 3], [0])); // over the leading axis
  const mm = { batch: 1, m: 2, n: 3, k: 4, transA: false, transB: false, strideA: 8, strideB: 12 };
  k.matmul(ones(8), ones(12), f(6), mm);
  k.matmulBiasAct(ones(8), ones(12), ones(3), f(6), mm, 'relu');
  const rows = { rows: 2, cols: 3 };
  k.softmax(ones(6), f(6), rows, false);
  k.softmaxXent(ones(6), f(2, 1), f(2), rows);
  k.mse(ones(6), f(6), f(2), rows);
  k.oneHot(f(2, 1), f(6), rows);
  k.sigmoidBce(ones(6), f(6), f(6));
  const conv = { n: 1, c: 2, h: 4, w: 4, f: 3, kh: 3, kw: 3, oh: 2, ow: 2, sh: 1, sw: 1, dh: 1, dw: 1, pt: 0, pl: 0 };
  k.conv2d(ones(32), ones(54), f(12), conv);
  k.conv2dBiasAct(ones(32), ones(54), ones(3), f(12), conv, 'relu');
  k.conv2dGradInput(ones(12), ones(54), f(32), conv);
  k.conv2dGradWeight(ones(32), ones(12), f(54), conv);
  const pool = { planes: 2, h: 4, w: 4, oh: 2, ow: 2, kh: 2, kw: 2, sh: 2, sw: 2, pt: 0, pl: 0 };
  k.maxPool2d(ones(32), f(8), pool);
  k.maxPool2dGrad(ones(32), ones(8), f(32), pool);
  k.maxPool2dGrad(ones(32), ones(8), f(32), pool, true);
  k.maxPool2dPick(ones(32), ones(32), f(8), pool);
  k.avgPool2d(ones(32), f(8), pool);
  k.avgPool2dGrad(ones(8), f(32), pool);
  for (const cell of ['rnn', 'lstm', 'gru'] as const) {
    const [G, P, D] = { rnn: [1, 1, 1], lstm: [4, 6, 4], gru: [3, 5, 4] }[cell];
    const scan = { cell, batch: 2, steps: 3, hidden: 2, reverse: false };
    k.recurrentForward(ones(12 * G), ones(4 * G), cell === 'gru' ? ones(2) : null, ones(6), f(12 * P), scan);
    k.recurrentBackward(ones(12 * P), ones(4 * G), ones(6), ones(12 * P), f(12 * D), scan);
  }
  k.sgdStep(f(8), f(8), 0.1);
  k.momentumStep(f(8), f(8), f(8), 0.1, 0.9, false);
  k.adagradStep(f(8), f(8), f(8), 0.1, 1e-8);
  k.rmspropStep(f(8), f(8), f(8), f(8), 0.1, 0.9, 0.5, 1e-8);
  k.adamStep(f(8), f(8), f(8), f(8), 0.9, 0.999, 1e-3, 1e-8);
  k.decayStep(f(8), 0.1);
  k.penaltyGrad(f(8), f(8), 0.1, 0.1);
}
