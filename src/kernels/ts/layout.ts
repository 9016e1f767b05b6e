// Reference gather and reduction kernels over plans computed at plan time (kernels/plans.ts).
import type { Buf } from '../../tensor/buffer.js';
import type { GatherPlan, ReducePlan } from '../kernels.js';

export function gather(x: Buf, out: Buf, plan: GatherPlan): void {
  const src = plan.src;
  for (let i = 0; i < src.length; i++) out[i] = x[src[i]];
}

export function reduce(op: 'sum' | 'mean' | 'max', x: Buf, out: Buf, plan: ReducePlan): void {
  if (plan.block) return reduceBlock(op, x, out, plan.block.outer, plan.block.mid, plan.block.inner);
  const { kept, red } = plan;
  const nk = kept.length;
  const nr = red.length;
  if (op === 'max') {
    for (let o = 0; o < nk; o++) {
      const base = kept[o];
      let m = -Infinity;
      for (let r = 0; r < nr; r++) {
        const v = x[base + red[r]];
        if (v > m || v !== v) m = v; // NaN propagates
      }
      out[o] = m;
    }
    return;
  }
  if (plan.innerKept) {
    // The kept axes are contiguous: accumulate whole output rows, one reduced position at a time.
    out.fill(0, 0, nk);
    for (let r = 0; r < nr; r++) {
      const base = red[r];
      for (let o = 0; o < nk; o++) out[o] += x[base + kept[o]];
    }
  } else {
    for (let o = 0; o < nk; o++) {
      const base = kept[o];
      let s = 0;
      for (let r = 0; r < nr; r++) s += x[base + red[r]];
      out[o] = s;
    }
  }
  if (op === 'mean') {
    const inv = 1 / nr;
    for (let o = 0; o < nk; o++) out[o] *= inv;
  }
}

/**
 * A reduction of x viewed as [outer, mid, inner] over its first and last axes (see
 * ReducePlan.block): each output walks its runs of `inner` contiguous elements, in the order of the
 * offset-table loop above, so the results are the same.
 */
function reduceBlock(op: 'sum' | 'mean' | 'max', x: Buf, out: Buf, outer: number, mid: number, inner: number): void {
  const stride = mid * inner;
  for (let m = 0; m < mid; m++) {
    if (op === 'max') {
      let v = -Infinity;
      for (let o = 0; o < outer; o++) {
        const start = o * stride + m * inner;
        for (let i = start, end = start + inner; i < end; i++) {
          const e = x[i];
          if (e > v || e !== e) v = e; // NaN propagates
        }
      }
      out[m] = v;
    } else {
      let s = 0;
      for (let o = 0; o < outer; o++) {
        const start = o * stride + m * inner;
        for (let i = start, end = start + inner; i < end; i++) s += x[i];
      }
      out[m] = s;
      if (op === 'mean') out[m] *= 1 / (outer * inner);
    }
  }
}
