// Trials of a search and the shell quoting of emitted commands: pure functions.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { drawRange, gridTrials, randomTrials, setArg } from '../../src/experiments/search.js';
import { shellLine } from '../../src/experiments/shell.js';
import { Rng } from '../../src/tensor/rng.js';

describe('search', () => {
  it('a grid is every combination, the first key varying slowest', () => {
    expect(gridTrials({ a: [1, 2], b: ['x', 'y'] })).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
      { a: 2, b: 'x' },
      { a: 2, b: 'y' },
    ]);
  });

  it('random draws are seeded and stay in their ranges', () => {
    const params = { lr: { min: 1e-4, max: 1e-1, log: true, integer: false }, units: { min: 8, max: 64, log: true, integer: true }, act: ['relu', 'tanh'] };
    const a = randomTrials(params, 50, 7);
    expect(randomTrials(params, 50, 7)).toEqual(a);
    expect(randomTrials(params, 50, 8)).not.toEqual(a);
    for (const t of a) {
      expect(t.lr as number).toBeGreaterThanOrEqual(1e-4);
      expect(t.lr as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(t.units)).toBe(true);
      expect(t.units as number).toBeGreaterThanOrEqual(8);
      expect(t.units as number).toBeLessThanOrEqual(64);
      expect(['relu', 'tanh']).toContain(t.act);
    }
    const rng = new Rng(1);
    const ints = new Set(Array.from({ length: 200 }, () => drawRange({ min: 1, max: 3, log: false, integer: true }, rng)));
    expect([...ints].sort()).toEqual([1, 2, 3]);
  });

  it('a --set value reads back as the same value', () => {
    expect(setArg('train.optimizer', { type: 'sgd', lr: 0.1 })).toBe('train.optimizer={"type":"sgd","lr":0.1}');
    expect(setArg('a', 1e-7)).toBe('a=1e-7');
  });

  it('shell quoting passes any argument through sh unchanged', () => {
    const args = ['plain', 'a b', "it's", '{"type":"sgd"}', '$HOME', 'x=1'];
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${shellLine(args)}`], { encoding: 'utf8' });
    expect(echoed.trimEnd().split('\n')).toEqual(args);
  });
});
