// Property test of the native addon's boundary: every function the addon exports is called with
// random and adversarial arguments (empty, short and mismatched buffers, huge shapes, negative,
// NaN, infinite and fractional sizes, values of the wrong type, too few or too many arguments),
// and must either return without writing outside its buffers or throw a TypeError or RangeError.
// The calls run in a child process (native-child.mjs), so a crash fails this test with the call
// that caused it instead of killing the runner. The exports are enumerated, so a new one fails
// here until it has an argument generator in SHAPED below (its parameter kinds come from the
// addon's table). DLF_FUZZ_SEED=n repeats a run; its seed is in every message.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeStatus } from '../../src/kernels/native.js';
import { NATIVE_SIGNATURES, type NativeParam } from '../../src/kernels/native-api.js';
import { type ArgSpec, type CallSpec, type Fill, childFailure, num, runInChild } from './native-child.js';

const status = nativeStatus();

/** Calls per export: bounded so that the test takes a few seconds. */
const RUNS_PER_FUNCTION = 250;

/**
 * What a parameter takes: a Float32Array (or null, '?'), a size or op code, any number, a boolean,
 * an Int32Array geometry, an Int32Array of indices, a Uint8Array.
 */
type Kind = NativeParam;

/** The parameters of every export, in order: the addon's table (native/kernels.def). */
const SIGNATURES: Record<string, readonly Kind[]> = NATIVE_SIGNATURES;

// ---- arguments one at a time ----

const fills = fc.constantFrom<Fill>('uniform', 'ints', 'odd');
/** A Float32Array of `len` floats: mostly a guarded view, sometimes an array of its own (empty: no memory at all). */
const floats = (len: fc.Arbitrary<number>): fc.Arbitrary<ArgSpec> => fc.record({ f32: len, guard: fc.boolean(), fill: fills, seed: fc.nat() });
const smallLength = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 70 }), fc.constantFrom(15, 16, 17, 31, 32, 33, 128));

/** Sizes no buffer here can hold, and products of them that wrap around 32 or 64 bits. */
const HUGE = [2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 52, 2 ** 53 - 1, 2 ** 62, 1e300, Number.MAX_VALUE];
/** Numbers that are not sizes. */
const NOT_SIZES = [-1, -0.5, 0.5, 1.5, NaN, Infinity, -Infinity, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, -0];
const hugeSize = fc.constantFrom(...HUGE).map(num);
const badSize = fc.constantFrom(...NOT_SIZES).map(num);

/** A value of the wrong type for any parameter (a number is wrong only where an array or boolean is wanted). */
const wrongType: fc.Arbitrary<ArgSpec> = fc.oneof(
  fc.constantFrom<ArgSpec>(
    { js: 'undefined' },
    { js: 'null' },
    { js: 'object' },
    { js: 'array' },
    { js: 'function' },
    { js: 'symbol' },
    { str: '4' },
    { bigint: '4' },
    { bool: true },
  ),
  fc.record({
    typed: fc.constantFrom<'Float64Array' | 'Int32Array' | 'Uint8Array' | 'Uint32Array'>('Float64Array', 'Int32Array', 'Uint8Array', 'Uint32Array'),
    values: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 20 }),
  }),
);
const wrongForArray = fc.oneof(wrongType, fc.integer({ min: 0, max: 16 }).map(num));

/** A geometry of `count` values: small ones mixed with negatives and huge ones, sometimes short or of the wrong type. */
const geometry = (count: number): fc.Arbitrary<ArgSpec> => {
  const value = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 6 }) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 31 - 1, 2 ** 30, 2 ** 16, -(2 ** 31)) },
  );
  return fc.oneof(
    { weight: 8, arbitrary: fc.array(value, { minLength: count, maxLength: count }).map((values) => ({ typed: 'Int32Array' as const, values })) },
    { weight: 1, arbitrary: fc.array(value, { maxLength: count - 1 }).map((values) => ({ typed: 'Int32Array' as const, values })) },
    { weight: 1, arbitrary: fc.array(value, { minLength: count, maxLength: count }).map((values) => ({ typed: 'Float32Array' as const, values })) },
  );
};

/** An Int32Array of `count` row indices: small ones mostly, now and then negative or huge. */
const indices = (count: fc.Arbitrary<number>): fc.Arbitrary<ArgSpec> =>
  count.chain((n) =>
    fc
      .array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 2 ** 31 - 1, -(2 ** 31)) }), {
        minLength: n,
        maxLength: n,
      })
      .map((values) => ({ typed: 'Int32Array' as const, values })),
  );

/** A plausible value of a kind mostly, an adversarial one sometimes. */
function argument(kind: Kind): fc.Arbitrary<ArgSpec> {
  const count = /^i32x(\d+)$/.exec(kind)?.[1];
  const base = count ? 'i32x' : (kind as Exclude<Kind, `i32x${number}`>);
  const plausible: Record<typeof base, () => fc.Arbitrary<ArgSpec>> = {
    f32: () => floats(smallLength),
    'f32?': () => fc.oneof(floats(smallLength), fc.constant<ArgSpec>({ js: 'null' })),
    size: () => fc.integer({ min: 0, max: 8 }).map(num),
    num: () => fc.oneof(fc.double(), fc.double({ min: -2, max: 2, noNaN: true })).map(num),
    bool: () => fc.boolean().map((b) => ({ bool: b })),
    i32x: () => geometry(Number(count)),
    i32s: () => indices(fc.integer({ min: 0, max: 6 })),
    u8: () => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }).map((values) => ({ typed: 'Uint8Array' as const, values })),
  };
  const adversarial: Record<typeof base, () => fc.Arbitrary<ArgSpec>> = {
    f32: () => wrongForArray,
    'f32?': () => wrongForArray,
    size: () => fc.oneof(hugeSize, badSize, wrongType),
    num: () => wrongType,
    bool: () => fc.oneof(wrongType, fc.constantFrom(0, 1).map(num)),
    i32x: () => wrongForArray,
    i32s: () => wrongForArray,
    u8: () => wrongForArray,
  };
  return fc.oneof({ weight: 7, arbitrary: plausible[base]() }, { weight: 1, arbitrary: adversarial[base]() });
}

/** The argument list cut short or given one argument too many, now and then. */
function withArity(args: fc.Arbitrary<ArgSpec[]>): fc.Arbitrary<ArgSpec[]> {
  return fc.oneof(
    { weight: 10, arbitrary: args },
    { weight: 1, arbitrary: fc.tuple(args, fc.nat()).map(([a, k]) => a.slice(0, a.length ? k % a.length : 0)) },
    { weight: 1, arbitrary: fc.tuple(args, argument('size')).map(([a, extra]) => [...a, extra]) },
  );
}

/** Arguments drawn independently by kind: mostly mismatched lengths and bad values. */
const independent = (kinds: readonly Kind[]): fc.Arbitrary<ArgSpec[]> => fc.tuple(...kinds.map(argument));

// ---- arguments that fit together: exact lengths for random small shapes, some off by one ----

const dim = (max: number) => fc.integer({ min: 0, max });
const pos = (max: number) => fc.integer({ min: 1, max });
/** A buffer of exactly n floats mostly; one float short or long, or empty, sometimes. */
const exact = (n: number): fc.Arbitrary<ArgSpec> =>
  floats(fc.oneof({ weight: 8, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: fc.constantFrom(Math.max(0, n - 1), n + 1, 0) }));
/** Fixed size arguments. */
const sizes = (...xs: number[]) => xs.map((x) => fc.constant(num(x)));
const all = (...arbs: fc.Arbitrary<ArgSpec>[]) => fc.tuple(...arbs);
const flag = fc.boolean().map((b) => ({ bool: b }));
const scalar = fc.double({ min: -2, max: 2, noNaN: true }).map(num);
const none = fc.constant<ArgSpec>({ js: 'null' });
/** r labels, exactly: small integers, some of them no class (−1, or cols and beyond). */
const labels = (r: number) => floats(fc.constant(r)).map((a) => ({ ...a, fill: 'ints' as const }));
/** A stride as given, or one off. */
const nearly = (stride: number) => fc.constantFrom(stride, stride + 1, Math.max(0, stride - 1)).map(num);

/** Output size of a window sliding over `len` cells with padding before and after (at least 1: adversarial when the window does not fit). */
const slide = (len: number, k: number, stride: number, before: number, after: number, dilation = 1) =>
  Math.max(1, Math.floor((len + before + after - dilation * (k - 1) - 1) / stride) + 1);

/** matmul(a, b, out, batch, m, n, k, transA, transB, strideA, strideB), each operand per batch or shared (stride 0). */
const matmulCase = fc
  .record({ batch: dim(3), m: dim(9), n: dim(9), k: dim(9), ta: fc.boolean(), tb: fc.boolean(), shareA: fc.boolean(), shareB: fc.boolean() })
  .chain((d) => {
    const sa = d.shareA ? 0 : d.m * d.k;
    const sb = d.shareB ? 0 : d.k * d.n;
    const span = (stride: number, size: number) => (d.batch > 0 ? (d.batch - 1) * stride + size : 0);
    return all(
      exact(span(sa, d.m * d.k)),
      exact(span(sb, d.k * d.n)),
      exact(d.batch * d.m * d.n),
      ...sizes(d.batch, d.m, d.n, d.k),
      fc.constant({ bool: d.ta }),
      fc.constant({ bool: d.tb }),
      nearly(sa),
      nearly(sb),
    );
  });

/** binary(op, a, b, out, n, sa, sb, row, rowSide) in each form the plans use. */
const binaryForm = fc.constantFrom('same', 'scalarA', 'scalarB', 'rowA', 'rowB');
const binaryCase = fc.record({ op: dim(5), rows: dim(5), row: pos(7), form: binaryForm }).chain((d) => {
  const n = d.rows * d.row;
  const FORMS = {
    same: { a: n, b: n, sa: 1, sb: 1, row: 0, side: 0 },
    scalarA: { a: 1, b: n, sa: 0, sb: 1, row: 0, side: 0 },
    scalarB: { a: n, b: 1, sa: 1, sb: 0, row: 0, side: 0 },
    rowA: { a: d.row, b: n, sa: 1, sb: 1, row: d.row, side: 1 },
    rowB: { a: n, b: d.row, sa: 1, sb: 1, row: d.row, side: 2 },
  };
  const f = FORMS[d.form];
  return all(...sizes(d.op), exact(f.a), exact(f.b), exact(n), ...sizes(n, f.sa, f.sb, f.row, f.side));
});

/** binaryChannel(op, a, b, out, n, side, mid, inner). */
const binaryChannelCase = fc.record({ op: dim(5), outer: dim(3), mid: pos(4), inner: pos(5), side: fc.constantFrom(1, 2) }).chain((d) => {
  const n = d.outer * d.mid * d.inner;
  return all(...sizes(d.op), exact(d.side === 1 ? d.mid : n), exact(d.side === 2 ? d.mid : n), exact(n), ...sizes(n, d.side, d.mid, d.inner));
});

const convDims = fc.record({
  n: pos(3),
  c: pos(3),
  h: pos(7),
  w: pos(7),
  f: pos(4),
  kh: pos(3),
  kw: pos(3),
  sh: pos(2),
  sw: pos(2),
  dh: pos(2),
  dw: pos(2),
  pt: dim(2),
  pl: dim(2),
  pb: dim(2),
  pr: dim(2),
});
/** A conv's geometry array and its buffer sizes: x [n, c, h, w], w [f, c, kh, kw], g [n, f, oh, ow], bias [f]. */
const convCase = convDims.map((d) => {
  const oh = slide(d.h, d.kh, d.sh, d.pt, d.pb, d.dh);
  const ow = slide(d.w, d.kw, d.sw, d.pl, d.pr, d.dw);
  const geom: ArgSpec = { typed: 'Int32Array', values: [d.n, d.c, d.h, d.w, d.f, d.kh, d.kw, oh, ow, d.sh, d.sw, d.dh, d.dw, d.pt, d.pl] };
  return { geom, X: d.n * d.c * d.h * d.w, W: d.f * d.c * d.kh * d.kw, G: d.n * d.f * oh * ow, F: d.f };
});
/** A conv kernel's three buffers in the order it takes them, then the geometry. */
const conv = (order: ('X' | 'W' | 'G')[]) => convCase.chain((c) => all(...order.map((k) => exact(c[k])), fc.constant(c.geom)));

/** pool2d(mode, a, b | null, out, geometry), with a, b and out as long as the mode reads and writes. */
const poolCase = fc
  .record({
    mode: dim(6),
    planes: pos(3),
    h: pos(7),
    w: pos(7),
    kh: pos(3),
    kw: pos(3),
    sh: pos(3),
    sw: pos(3),
    pt: dim(2),
    pl: dim(2),
    pb: dim(2),
    pr: dim(2),
  })
  .chain((d) => {
    const oh = slide(d.h, d.kh, d.sh, d.pt, d.pb);
    const ow = slide(d.w, d.kw, d.sw, d.pl, d.pr);
    const cells = d.planes * d.h * d.w;
    const pooled = d.planes * oh * ow;
    const maxGrad = d.mode === 1 || d.mode === 5;
    const avgGrad = d.mode === 4;
    const b = maxGrad ? pooled : d.mode === 2 ? cells : 0;
    const geom: ArgSpec = { typed: 'Int32Array', values: [d.planes, d.h, d.w, oh, ow, d.kh, d.kw, d.sh, d.sw, d.pt, d.pl] };
    return all(...sizes(d.mode), exact(avgGrad ? pooled : cells), b ? exact(b) : none, exact(maxGrad || avgGrad ? cells : pooled), fc.constant(geom));
  });

/** matmulBiasAct: matmul's arguments with a bias of n floats (now and then one off) after b, and the relu flag last. */
const matmulBiasActCase = fc
  .tuple(matmulCase, flag)
  .chain(([args, relu]) => exact(Number((args[5] as { num: string }).num)).map((bias) => [args[0], args[1], bias, ...args.slice(2), relu]));

/** byteRows(bytes, rows, table, out, size): images of `size` bytes, row indices (some outside), a 256-value table. */
const byteRowsCase = fc
  .record({ images: dim(4), size: dim(6), count: dim(5) })
  .chain((d) =>
    all(
      fc.constant<ArgSpec>({ typed: 'Uint8Array', values: Array.from({ length: d.images * d.size }, (_, i) => (i * 37) % 256) }),
      indices(fc.constant(d.count)),
      floats(fc.constantFrom(256, 256, 256, 255)),
      exact(d.count * d.size),
      ...sizes(d.size),
    ),
  );

/**
 * recurrentForward(cell, xg, whh, bhn, mask, out, batch, steps, hidden, reverse) and recurrentBackward(cell, packed,
 * whh, mask, dpacked, out, ...): a cell (now and then no cell), buffers of the cell's widths, a mask of any floats,
 * GRU's bhn (and for the others sometimes one anyway).
 */
const WIDTHS = [
  [1, 1, 1],
  [4, 6, 4],
  [3, 5, 4],
  [1, 1, 1],
];
const scanDims = fc.record({ cell: dim(3), b: dim(3), l: dim(4), h: dim(5) });
const recurrentForwardCase = scanDims.chain(({ cell, b, l, h }) => {
  const [G, P] = WIDTHS[cell];
  return all(
    ...sizes(cell),
    exact(b * l * G * h),
    exact(h * G * h),
    cell === 2 ? exact(h) : fc.oneof(none, exact(h)),
    exact(b * l),
    exact(b * l * P * h),
    ...sizes(b, l, h),
    flag,
  );
});
const recurrentBackwardCase = scanDims.chain(({ cell, b, l, h }) => {
  const [G, P, D] = WIDTHS[cell];
  return all(...sizes(cell), exact(b * l * P * h), exact(h * G * h), exact(b * l), exact(b * l * P * h), exact(b * l * D * h), ...sizes(b, l, h), flag);
});

/** Per export, arguments that fit together. */
const SHAPED: Record<string, fc.Arbitrary<ArgSpec[]>> = {
  matmul: matmulCase,
  matmulBiasAct: matmulBiasActCase,
  columnSums: fc.tuple(dim(5), dim(6)).chain(([r, c]) => all(flag, exact(r * c), exact(c), ...sizes(r, c))),
  byteRows: byteRowsCase,
  // Runs (some reaching outside x or out), and a dst with as many runs, or one fewer.
  copyRows: fc
    .record({ xn: dim(20), on: dim(20), runs: dim(4), len: dim(5) })
    .chain((d) =>
      all(exact(d.xn), exact(d.on), indices(fc.constant(d.runs)), indices(fc.constantFrom(d.runs, d.runs, Math.max(0, d.runs - 1))), ...sizes(d.len)),
    ),
  binary: binaryCase,
  // Offsets mostly inside x (0..5), sometimes outside or negative; out as long as src, or not.
  gather: fc.tuple(dim(8), dim(20)).chain(([xn, n]) => all(exact(xn), indices(fc.constant(n)), exact(n))),
  binaryOffsets: fc
    .record({ op: dim(5), an: dim(8), bn: dim(8), n: dim(20) })
    .chain((d) =>
      all(...sizes(d.op), exact(d.an), exact(d.bn), exact(d.n), indices(fc.constant(d.n)), indices(fc.constantFrom(d.n, d.n, Math.max(0, d.n - 1)))),
    ),
  binaryChannel: binaryChannelCase,
  unary: fc.tuple(dim(12), dim(40)).chain(([op, n]) => all(...sizes(op), exact(n), exact(n), scalar)),
  sgdStep: dim(40).chain((n) => all(exact(n), exact(n), scalar)),
  momentumStep: dim(40).chain((n) => all(exact(n), exact(n), exact(n), scalar, scalar, flag)),
  adagradStep: dim(40).chain((n) => all(exact(n), exact(n), exact(n), scalar, scalar)),
  rmspropStep: dim(40).chain((n) => all(exact(n), exact(n), exact(n), fc.oneof(exact(n), none), scalar, scalar, scalar, scalar)),
  adamStep: dim(40).chain((n) => all(exact(n), exact(n), exact(n), exact(n), scalar, scalar, scalar, scalar)),
  decayStep: dim(40).chain((n) => all(exact(n), scalar)),
  penaltyGrad: dim(40).chain((n) => all(exact(n), exact(n), scalar, scalar)),
  maskPositive: dim(40).chain((n) => all(exact(n), exact(n), exact(n))),
  softmax: fc.tuple(dim(5), dim(6)).chain(([r, c]) => all(exact(r * c), exact(r * c), ...sizes(r, c), flag)),
  softmaxXent: fc.tuple(dim(5), dim(6)).chain(([r, c]) => all(exact(r * c), labels(r), exact(r), ...sizes(r, c))),
  mse: fc.tuple(dim(5), dim(6)).chain(([r, c]) => all(exact(r * c), exact(r * c), exact(r), ...sizes(r, c))),
  reduceBlock: fc.tuple(dim(4), dim(4), dim(4)).chain(([o, m, i]) => all(flag, exact(o * m * i), exact(m), ...sizes(o, m, i))),
  conv2d: conv(['X', 'W', 'G']),
  conv2dBiasAct: convCase.chain((c) => all(exact(c.X), exact(c.W), exact(c.G), fc.constant(c.geom), exact(c.F), flag)),
  conv2dGradInput: conv(['G', 'W', 'X']),
  conv2dGradWeight: conv(['X', 'G', 'W']),
  pool2d: poolCase,
  recurrentForward: recurrentForwardCase,
  recurrentBackward: recurrentBackwardCase,
  info: fc.constant([]),
  setLevel: dim(3).map((l) => [num(l)]),
  setThreads: fc.integer({ min: 1, max: 3 }).map((t) => [num(t)]),
};

/** Calls of one export: fitting arguments half the time, independent ones the other half, any arity now and then. */
const callsOf = (fn: string): fc.Arbitrary<CallSpec> =>
  withArity(fc.oneof(SHAPED[fn] ?? independent(SIGNATURES[fn]), independent(SIGNATURES[fn]))).map((args) => ({ fn, args }));

describe.skipIf(!status.available)(`the native addon under random arguments${status.available ? '' : ` (skipped: ${status.reason})`}`, () => {
  // The addon defines its functions as non-enumerable properties: every own property that is a function.
  const addon = (status.available ? status.addon : {}) as unknown as Record<string, unknown>;
  const exports = Object.getOwnPropertyNames(addon)
    .filter((f) => typeof addon[f] === 'function')
    .sort();

  it('has a signature and an argument generator for every export, and none for a function it lacks', () => {
    expect(
      exports.filter((f) => !SIGNATURES[f] || !SHAPED[f]),
      'exports without an argument generator',
    ).toEqual([]);
    expect(
      Object.keys(SIGNATURES).filter((f) => !exports.includes(f)),
      'signatures of functions the addon does not export',
    ).toEqual([]);
  });

  it('every call returns, or throws a TypeError or RangeError; none crashes, hangs or writes outside its buffers', () => {
    const seed = Number(process.env.DLF_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const tag = `(DLF_FUZZ_SEED=${seed})`;
    // The exports interleaved, so that a setLevel or setThreads lands between the other calls.
    const perFn = exports.filter((f) => SIGNATURES[f]).map((fn, i) => fc.sample(callsOf(fn), { numRuns: RUNS_PER_FUNCTION, seed: seed + i }));
    const calls: CallSpec[] = [];
    for (let r = 0; r < RUNS_PER_FUNCTION; r++) for (const list of perFn) calls.push(list[r]);
    const run = runInChild(calls);
    expect(childFailure(run, calls), tag).toBeUndefined();
    const bad = run.outcomes
      .filter((o) => o.outcome !== 'returned' && o.outcome !== 'TypeError' && o.outcome !== 'RangeError')
      .map((o) => `${o.outcome}${o.message ? ` (${o.message})` : ''}: ${calls[o.i].fn}(${JSON.stringify(calls[o.i].args)})`);
    expect(bad.slice(0, 5), `${bad.length} calls ended otherwise ${tag}`).toEqual([]);
    // The generators reach the kernels (a call that returns) and the checks (one that throws) of every export.
    const seen = (fn: string, outcomes: string[]) => run.outcomes.some((o) => calls[o.i].fn === fn && outcomes.includes(o.outcome));
    expect(
      exports.filter((f) => !seen(f, ['returned'])),
      `exports that never returned ${tag}`,
    ).toEqual([]);
    expect(
      exports.filter((f) => f !== 'info' && !seen(f, ['TypeError', 'RangeError'])),
      `exports that never threw ${tag}`,
    ).toEqual([]);
  });
});
