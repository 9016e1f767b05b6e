// A partial kernel set (a native one) completed with the reference kernels.
import type { BroadcastPlan, Kernels, MatmulDims } from './kernels.js';
import { channelBiasAct } from './ts/matmul-bias-act.js';

/**
 * A kernel set where the given kernels replace the reference ones (for a partial native set).
 * The fused kernels the set does not replace itself are composed of the set's own kernels, so
 * that they do the same operations as the unfused ops on that set (fused and unfused graphs keep
 * giving the same bits) at the set's speed: matmulBiasAct from its matmul, then the bias add and
 * relu over the output in place; conv2dBiasAct likewise from its conv2d; maskPositive from its step into out, then the product in place.
 */
export function withOverrides(base: Kernels, name: string, over: Partial<Omit<Kernels, 'name'>>): Kernels {
  const set = { ...base, ...over, name };
  const { matmul, binary, unary } = set;
  if (over.matmul && !over.matmulBiasAct) {
    const rowPlans = new WeakMap<MatmulDims, BroadcastPlan>(); // one per plan step
    set.matmulBiasAct = (a, b, bias, out, d, act) => {
      matmul(a, b, out, d);
      let plan = rowPlans.get(d);
      if (!plan) rowPlans.set(d, (plan = { kind: 'rowB', n: d.batch * d.m * d.n, row: d.n }));
      binary('add', out, bias, out, plan);
      if (act === 'relu') unary('relu', out, out, 0);
    };
  }
  if (over.conv2d && !over.conv2dBiasAct) {
    const { conv2d } = set;
    set.conv2dBiasAct = (x, w, bias, out, d, act) => {
      conv2d(x, w, out, d);
      channelBiasAct(bias, out, d.f, d.oh * d.ow, act);
    };
  }
  if (over.binary && over.unary && !over.maskPositive) {
    const samePlans = new Map<number, BroadcastPlan>(); // one per size
    // out never shares memory with g or x (mask_positive is not an in-place op).
    set.maskPositive = (g, x, out) => {
      let plan = samePlans.get(out.length);
      if (!plan) samePlans.set(out.length, (plan = { kind: 'same', n: out.length }));
      unary('step', x, out, 0);
      binary('mul', g, out, out, plan);
    };
  }
  return set;
}
