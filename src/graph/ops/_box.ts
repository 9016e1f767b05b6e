// Row-copy plans for the ops that move a box of elements within a larger tensor (slice, pad,
// concat): the box is walked as runs of contiguous elements, trailing axes the box spans in full
// merged into one run.
import type { CopyRowsPlan } from '../../kernels/kernels.js';
import { type Shape, sizeOf, stridesOf } from '../../tensor/shape.js';

/** The last axis the box `inner` does not span of `outer` in full: axes from it on form one run. */
function runAxis(inner: Shape, outer: Shape): number {
  let j = inner.length - 1;
  while (j > 0 && inner[j] === outer[j]) j--;
  return j;
}

/** The axes before the run axis: the box has one run per position in them. */
const leadOf = (inner: Shape, outer: Shape): Shape => inner.slice(0, Math.max(runAxis(inner, outer), 0));

/** Start offsets (in `outer`) of the runs of the box `inner` placed at `begin`, and the run length. */
function runs(inner: Shape, outer: Shape, begin: readonly number[]): { starts: Int32Array; len: number } {
  const rank = inner.length;
  const st = stridesOf(outer);
  const j = runAxis(inner, outer);
  const len = rank === 0 ? 1 : inner[j] * st[j];
  const lead = leadOf(inner, outer);
  const starts = new Int32Array(sizeOf(lead));
  let off = 0;
  for (let d = 0; d < rank; d++) off += begin[d] * st[d];
  const idx = new Array<number>(lead.length).fill(0);
  for (let r = 0; r < starts.length; r++) {
    starts[r] = off;
    for (let d = lead.length - 1; d >= 0; d--) {
      idx[d]++;
      off += st[d];
      if (idx[d] < lead[d]) break;
      off -= st[d] * lead[d];
      idx[d] = 0;
    }
  }
  return { starts, len };
}

const dense = (count: number, len: number) => Int32Array.from({ length: count }, (_, r) => r * len);

/** The bytes of a box plan (either direction): an Int32 source and destination offset per run. */
export function boxBytes(inner: Shape, outer: Shape): number {
  return 2 * 4 * sizeOf(leadOf(inner, outer));
}

/** Copies the box `inner` at `begin` of a tensor of shape `outer` into a dense tensor of shape `inner` (slice). */
export function boxToDense(inner: Shape, outer: Shape, begin: readonly number[]): CopyRowsPlan {
  const { starts, len } = runs(inner, outer, begin);
  return { src: starts, dst: dense(starts.length, len), len };
}

/** Copies a dense tensor of shape `inner` into the box at `begin` of a tensor of shape `outer` (pad, concat). */
export function denseToBox(inner: Shape, outer: Shape, begin: readonly number[]): CopyRowsPlan {
  const { starts, len } = runs(inner, outer, begin);
  return { src: dense(starts.length, len), dst: starts, len };
}
