// Static shapes: sizes, strides and numpy broadcasting. Shapes are plain readonly number arrays.

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar []). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeStr(s: Shape): string {
  return `[${s.join(', ')}]`;
}

/** numpy broadcasting of two shapes; null when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read an input of shape `inShape` broadcast to `outShape`: the input's own stride
 * on axes it has, 0 on axes it is broadcast along (missing or of size 1).
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const own = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((d, i) => {
    const j = i - off;
    if (j < 0) return 0;
    return inShape[j] === 1 && d !== 1 ? 0 : own[j];
  });
}

/** Axes of `outShape` along which an input of `inShape` was broadcast (to be summed when undoing it). */
export function broadcastAxes(inShape: Shape, outShape: Shape): number[] {
  const off = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    const j = i - off;
    if (j < 0 || (inShape[j] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Normalises possibly negative axes against a rank, sorted and unique; throws a message on a bad axis. */
export function normAxes(axes: readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const out = new Set<number>();
  for (const a of axes) {
    const b = a < 0 ? a + rank : a;
    if (!Number.isInteger(b) || b < 0 || b >= rank) throw new Error(`axis ${a} is out of range for rank ${rank}`);
    out.add(b);
  }
  return [...out].sort((x, y) => x - y);
}
