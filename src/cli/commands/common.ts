// Option parsers shared by commands. Bad values are usage errors (exit code 2).
import { UsageError } from '../../errors.js';

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > 0xffffffff) throw new UsageError(`${name} must be an integer from 0 to 4294967295, got '${v}'`);
    return n;
  };
}

/** Collects a repeatable option into a list. */
export const collect = (v: string, prev: string[] = []) => [...prev, v];
