import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['label', 'lable', 1],
    ['epoch', 'epochs', 1],
    ['kitten', 'sitting', 3],
  ])('%s -> %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const keys = ['epochs', 'batch_size', 'optimizer', 'checkpoint'];
  it.each([
    ['epoch', 'epochs'],
    ['batchsize', 'batch_size'],
    ['Optimiser', 'optimizer'],
    ['chekpoint', 'checkpoint'],
    ['lr', undefined],
    ['learning_rate', undefined],
  ])('%s -> %s', (word, expected) => {
    expect(closest(word, keys)).toBe(expected);
  });
});
