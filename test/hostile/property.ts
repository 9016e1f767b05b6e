// Shared pieces of the property tests of the input readers (fast-check): the one property they all
// check, that a reader gives a value or a typed dlf error whose message is printable, and
// mutations that turn a valid file into a near-miss (inserted tokens, cut, repeated and swapped
// pieces) so the readers are tried where their parsers branch, not only on noise.
import fc from 'fast-check';
import { expect } from 'vitest';
import { DlfError } from '../../src/errors.js';

/** Runs per property: enough to find shallow bugs, few enough to keep each property to seconds. */
export const RUNS = Number(process.env.DLF_PROPERTY_RUNS) || 150;

/**
 * `read()` returns, or throws a DlfError (any subclass) whose message is printable lines: no
 * control characters, no line longer than the formatter's cut. Anything else fails the property.
 * Returns the value, or undefined after an error.
 */
export function valueOrDlfError<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof DlfError)) throw e;
    for (const line of e.format().split('\n')) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach a message
      expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(line.length).toBeLessThanOrEqual(4001);
    }
    return undefined;
  }
}

/** One edit of a text. */
export type Edit =
  | { op: 'insert'; at: number; text: string }
  | { op: 'delete'; at: number; length: number }
  | { op: 'repeat'; at: number; length: number; times: number }
  | { op: 'swap'; a: number; b: number };

/** Edits of a text, inserting pieces from `tokens` (positions are fractions of the length). */
export function edits(tokens: readonly string[], max = 6): fc.Arbitrary<Edit[]> {
  const at = fc.integer({ min: 0, max: 10_000 });
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ op: fc.constant('insert' as const), at, text: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 8 })) }),
    fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ op: fc.constant('repeat' as const), at, length: fc.integer({ min: 1, max: 30 }), times: fc.integer({ min: 2, max: 50 }) }),
    fc.record({ op: fc.constant('swap' as const), a: at, b: at }),
  );
  return fc.array(edit, { minLength: 1, maxLength: max });
}

/** `text` with `list` applied in order. */
export function applyEdits(text: string, list: Edit[]): string {
  let s = text;
  const pos = (p: number) => (s.length === 0 ? 0 : p % (s.length + 1));
  for (const e of list) {
    if (e.op === 'insert') {
      const i = pos(e.at);
      s = s.slice(0, i) + e.text + s.slice(i);
    } else if (e.op === 'delete') {
      const i = pos(e.at);
      s = s.slice(0, i) + s.slice(i + e.length);
    } else if (e.op === 'repeat') {
      const i = pos(e.at);
      const piece = s.slice(i, i + e.length);
      s = s.slice(0, i) + piece.repeat(e.times) + s.slice(i + e.length);
    } else {
      const [i, j] = [pos(e.a), pos(e.b)].sort((x, y) => x - y);
      const k = Math.min(j, i + 20);
      s = s.slice(0, i) + s.slice(k, k + (k - i)) + s.slice(i, k) + s.slice(k + (k - i));
    }
  }
  return s;
}
