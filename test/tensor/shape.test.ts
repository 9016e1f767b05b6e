// Shape helpers: sizes, strides and numpy broadcasting.
import { describe, expect, it } from 'vitest';
import { broadcastAxes, broadcastShapes, broadcastStrides, normAxes, sameShape, shapeStr, sizeOf, stridesOf } from '../../src/tensor/shape.js';

describe('sizeOf and stridesOf', () => {
  it.each([
    { shape: [], size: 1, strides: [] },
    { shape: [5], size: 5, strides: [1] },
    { shape: [2, 3], size: 6, strides: [3, 1] },
    { shape: [2, 3, 4], size: 24, strides: [12, 4, 1] },
    { shape: [4, 1, 3], size: 12, strides: [3, 3, 1] },
    { shape: [2, 0, 3], size: 0, strides: [0, 3, 1] },
  ])('$shape: size $size, strides $strides', ({ shape, size, strides }) => {
    expect(sizeOf(shape)).toBe(size);
    expect(stridesOf(shape)).toEqual(strides);
  });

  it('sameShape and shapeStr', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([2, 3], [3, 2])).toBe(false);
    expect(sameShape([2, 3], [2, 3, 1])).toBe(false);
    expect(sameShape([], [])).toBe(true);
    expect(shapeStr([2, 3])).toBe('[2, 3]');
    expect(shapeStr([])).toBe('[]');
  });
});

describe('broadcastShapes', () => {
  it.each([
    { a: [], b: [], out: [] },
    { a: [], b: [2, 3], out: [2, 3] },
    { a: [2, 3], b: [], out: [2, 3] },
    { a: [2, 3], b: [3], out: [2, 3] },
    { a: [3], b: [2, 3], out: [2, 3] },
    { a: [2, 1], b: [1, 3], out: [2, 3] },
    { a: [4, 1, 3], b: [5, 1], out: [4, 5, 3] },
    { a: [1], b: [7], out: [7] },
    { a: [1, 1], b: [1], out: [1, 1] },
    { a: [2, 3], b: [2, 3], out: [2, 3] },
    { a: [8, 1, 6, 1], b: [7, 1, 5], out: [8, 7, 6, 5] },
  ])('$a with $b → $out', ({ a, b, out }) => {
    expect(broadcastShapes(a, b)).toEqual(out);
    expect(broadcastShapes(b, a)).toEqual(out);
  });

  it.each([
    { a: [2], b: [3] },
    { a: [2, 3], b: [2] },
    { a: [2, 3], b: [3, 3] },
    { a: [4, 2, 3], b: [3, 1, 3] },
  ])('$a with $b does not broadcast → null', ({ a, b }) => {
    expect(broadcastShapes(a, b)).toBeNull();
    expect(broadcastShapes(b, a)).toBeNull();
  });
});

describe('broadcastStrides', () => {
  it.each([
    { inShape: [2, 3], out: [2, 3], strides: [3, 1] },
    { inShape: [3], out: [2, 3], strides: [0, 1] },
    { inShape: [2, 1], out: [2, 3], strides: [1, 0] },
    { inShape: [1, 3], out: [2, 3], strides: [0, 1] },
    { inShape: [], out: [2, 3], strides: [0, 0] },
    { inShape: [4, 1, 3], out: [2, 4, 5, 3], strides: [0, 3, 0, 1] },
    // A size-1 axis that stays size 1 keeps its own stride (it is never stepped anyway).
    { inShape: [1, 3], out: [1, 3], strides: [3, 1] },
  ])('$inShape read as $out: $strides', ({ inShape, out, strides }) => {
    expect(broadcastStrides(inShape, out)).toEqual(strides);
  });
});

describe('broadcastAxes', () => {
  it.each([
    { inShape: [2, 3], out: [2, 3], axes: [] },
    { inShape: [3], out: [2, 3], axes: [0] },
    { inShape: [2, 1], out: [2, 3], axes: [1] },
    { inShape: [], out: [2, 3], axes: [0, 1] },
    { inShape: [4, 1, 3], out: [2, 4, 5, 3], axes: [0, 2] },
    { inShape: [1, 3], out: [1, 3], axes: [] },
    { inShape: [1], out: [5, 1], axes: [0] },
  ])('$inShape broadcast to $out along $axes', ({ inShape, out, axes }) => {
    expect(broadcastAxes(inShape, out)).toEqual(axes);
  });
});

describe('normAxes', () => {
  it.each([
    { axes: undefined, rank: 3, out: [0, 1, 2] },
    { axes: undefined, rank: 0, out: [] },
    { axes: [], rank: 3, out: [] },
    { axes: [1], rank: 3, out: [1] },
    { axes: [-1], rank: 3, out: [2] },
    { axes: [-3], rank: 3, out: [0] },
    { axes: [2, 0], rank: 3, out: [0, 2] },
    { axes: [-1, 2, 1], rank: 3, out: [1, 2] },
  ])('$axes at rank $rank → $out', ({ axes, rank, out }) => {
    expect(normAxes(axes, rank)).toEqual(out);
  });

  it.each([
    { axes: [3], rank: 3 },
    { axes: [-4], rank: 3 },
    { axes: [0], rank: 0 },
    { axes: [0.5], rank: 3 },
    { axes: [NaN], rank: 3 },
  ])('$axes at rank $rank throws', ({ axes, rank }) => {
    expect(() => normAxes(axes, rank)).toThrow(/out of range for rank/);
  });
});
