// L1/L2 penalties and the name patterns that exclude parameters from them (and from AdamW's
// decoupled decay). The penalties act on the gradients, in place, before clipping and the
// optimizer step: g += l2·w + l1·sign(w), the gradient of l1·Σ|w| + l2/2·Σw².
//
// Name patterns match the whole parameter name, whose parts are separated by `/`:
//   `*`   any characters within one part (no `/`);
//   `**`  any characters across parts (`/` included);
//   a leading `*/` or `**/` means "at any depth, including none": `*/b` matches `b`, `dense_0/b`
//   and `block1/conv/b`, but not `dense_0/bias`.
// Every other character stands for itself.
import { InternalError } from '../errors.js';
import type { OptimizerKernels } from '../kernels/optim-kernels.js';

export interface Penalty {
  l1: number;
  l2: number;
}

function patternToRegExp(pattern: string): RegExp {
  let rest = pattern;
  let src = '';
  const lead = /^\*\*?\//.exec(rest);
  if (lead) {
    src = '(?:.*/)?';
    rest = rest.slice(lead[0].length);
  }
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '*' && rest[i + 1] === '*') {
      src += '.*';
      i++;
    } else if (c === '*') {
      src += '[^/]*';
    } else {
      src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${src}$`, 's');
}

/** Whether `name` matches any of the patterns (rules above). */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => patternToRegExp(p).test(name));
}

/** Adds the penalties' gradient to every gradient whose parameter is not excluded, in place. */
export function addPenaltyGradients(
  params: ReadonlyMap<string, Float32Array>,
  grads: ReadonlyMap<string, Float32Array>,
  penalty: Penalty,
  excluded: ReadonlySet<string>,
  k: OptimizerKernels,
): void {
  const { l1, l2 } = penalty;
  if (l1 === 0 && l2 === 0) return;
  for (const [name, w] of params) {
    if (excluded.has(name)) continue;
    const g = grads.get(name);
    if (g === undefined || g.length !== w.length) {
      throw new InternalError(`penalty: the gradient of '${name}' is missing or has the wrong size`, { node: name });
    }
    k.penaltyGrad(w, g, l1, l2);
  }
}
