// Reference gather and reduction kernels over plans computed at plan time (kernels/plans.ts).
import type { Buf } from '../../graph/types.js';
import type { GatherPlan, ReducePlan } from '../kernels.js';

export function gather(x: Buf, out: Buf, plan: GatherPlan): void {
  const src = plan.src;
  for (let i = 0; i < src.length; i++) out[i] = x[src[i]];
}

export function reduce(op: 'sum' | 'mean' | 'max', x: Buf, out: Buf, plan: ReducePlan): void {
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
