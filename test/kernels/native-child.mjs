// Runs calls on the native addon in a process of its own, for tests that must survive a crash:
// a segmentation fault here ends this process with a signal, which the test reports, instead of
// killing the test runner. Reads one JSON object from stdin, { addon, calls }, where each call is
// { fn, args } with every argument described as plain JSON (see `materialize`), and writes one
// JSON line per call to stdout as it finishes: { i, outcome, message? }, the outcome being
// 'returned', 'TypeError', 'RangeError', 'other' (any other throw) or 'corrupt' (the call wrote
// outside a Float32Array it was given: the guard floats around the array changed).
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Floats of guard on each side of a guarded array, and the bits they hold (a NaN no kernel makes). */
const GUARD = 16;
const GUARD_BITS = 0x7fc0dead;

/** A small deterministic generator, so that array contents follow from the call's description alone. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Values a kernel may meet in a buffer; labels and indices among them (integers, in and out of range). */
const ODD_VALUES = [0, -0, 1, -1, 2, 3, 0.5, NaN, Infinity, -Infinity, 1e30, -1e30, 1e-40, 2 ** 31, 2 ** 53, 7.25];

function fill(x, how, seed) {
  if (how === 'zero') return;
  const r = lcg(seed);
  for (let i = 0; i < x.length; i++) {
    if (how === 'ints') x[i] = Math.floor(r() * 6) - 1;
    else if (how === 'odd') x[i] = ODD_VALUES[Math.floor(r() * ODD_VALUES.length)];
    else x[i] = 2 * r() - 1;
  }
}

/** Guarded arrays of the current call: their guard floats are checked after it. */
let guarded = [];

/**
 * The JavaScript value an argument description stands for:
 *   { f32: n, guard, fill, seed }   a Float32Array of n floats; guard: a view with guard floats on
 *                                   both sides, else an array of its own (empty: a null data pointer)
 *   { typed: name, values }        any other typed array (or a Float32Array) holding `values`
 *   { num: '…' }                   Number(string), so NaN, ±Infinity and −0 survive JSON
 *   { bigint: '…' }, { bool: b }, { str: s }
 *   { js: 'undefined' | 'null' | 'object' | 'array' | 'function' | 'symbol' }
 */
function materialize(a) {
  if ('f32' in a) {
    if (!a.guard) {
      const x = new Float32Array(a.f32);
      fill(x, a.fill, a.seed);
      return x;
    }
    const all = new Float32Array(a.f32 + 2 * GUARD);
    new Uint32Array(all.buffer).fill(GUARD_BITS);
    const x = all.subarray(GUARD, GUARD + a.f32);
    fill(x, a.fill, a.seed);
    guarded.push(all);
    return x;
  }
  if ('typed' in a) return globalThis[a.typed].from(a.values);
  if ('num' in a) return Number(a.num);
  if ('bigint' in a) return BigInt(a.bigint);
  if ('bool' in a) return a.bool;
  if ('str' in a) return a.str;
  switch (a.js) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'object':
      return { length: 4 };
    case 'array':
      return [1, 2, 3, 4];
    case 'function':
      return () => 4;
    case 'symbol':
      return Symbol('dlf');
  }
  throw new Error(`native-child: cannot make an argument of ${JSON.stringify(a)}`);
}

/** Whether every guard float of the guarded arrays still holds its bits. */
function guardsIntact() {
  for (const all of guarded) {
    const bits = new Uint32Array(all.buffer);
    for (let i = 0; i < GUARD; i++) if (bits[i] !== GUARD_BITS || bits[bits.length - 1 - i] !== GUARD_BITS) return false;
  }
  return true;
}

function outcomeOf(e) {
  if (e instanceof TypeError) return 'TypeError';
  if (e instanceof RangeError) return 'RangeError';
  return 'other';
}

const { addon: path, calls } = JSON.parse(readFileSync(0, 'utf8'));
const addon = createRequire(import.meta.url)(path);
for (let i = 0; i < calls.length; i++) {
  const { fn, args } = calls[i];
  guarded = [];
  let line;
  try {
    addon[fn](...args.map(materialize));
    line = guardsIntact() ? { i, outcome: 'returned' } : { i, outcome: 'corrupt' };
  } catch (e) {
    line = { i, outcome: outcomeOf(e), message: e instanceof Error ? e.message : String(e) };
    if (!guardsIntact()) line.outcome = 'corrupt';
  }
  // Written synchronously, so that every finished call is on record if the next one crashes.
  writeSync(1, JSON.stringify(line) + '\n');
}
