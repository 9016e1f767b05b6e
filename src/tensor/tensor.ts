// A tensor: float32 data with a static row-major shape. Used at the edges (parameters,
// checkpoints, datasets); inside a plan, data lives in the executor's preallocated buffers.
import { type Shape, sizeOf, shapeStr } from './shape.js';

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float32Array;
}

export function tensor(shape: Shape, data?: Float32Array | number[]): Tensor {
  const n = sizeOf(shape);
  const d = data === undefined ? new Float32Array(n) : data instanceof Float32Array ? data : Float32Array.from(data);
  if (d.length !== n) throw new Error(`tensor: ${d.length} values do not fill shape ${shapeStr(shape)}`);
  return { shape: [...shape], data: d };
}
