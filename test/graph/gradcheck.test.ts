// Walks OPS and checks every op's VJP against central finite differences in float64, on small
// random inputs including broadcast cases. An op is covered the moment it is registered.
import { describe, expect, it } from 'vitest';
import { appendBackward } from '../../src/graph/autodiff.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { OPS, type OpName } from '../../src/graph/ops/index.js';
import type { GradCase } from '../../src/graph/types.js';
import { planGraph } from '../../src/compile/plan.js';
import { Executor } from '../../src/exec/executor.js';
import { K } from '../backend.js';
import { Rng } from '../../src/tensor/rng.js';
import { sizeOf } from '../../src/tensor/shape.js';

function draw(rng: Rng, n: number, domain: string): Float64Array {
  const v = new Float64Array(n);
  if (domain === 'positive') for (let i = 0; i < n; i++) v[i] = 0.5 + 1.5 * rng.uniform();
  else if (domain === 'binary') for (let i = 0; i < n; i++) v[i] = rng.int(2);
  else if (domain.startsWith('labels:')) for (let i = 0; i < n; i++) v[i] = rng.int(Number(domain.slice(7)));
  else if (domain === 'distinct') {
    // Well apart from each other and from 0, so no finite difference straddles a kink.
    const order = Array.from({ length: n }, (_, i) => i);
    rng.shuffle(order);
    for (let i = 0; i < n; i++) v[i] = (order[i] - n / 2 + 0.5) * 0.3;
  } else for (let i = 0; i < n; i++) v[i] = 2 * rng.uniform() - 1;
  return v;
}

function check(op: OpName, c: GradCase, seed: number) {
  const rng = new Rng(seed);
  const g = new GraphBuilder();
  const ins = c.shapes.map((s, i) => g.param(`in${i}`, s));
  const out = g.apply(op, ins, c.attrs ?? {});
  // A random projection makes the loss a scalar that weighs every output element differently.
  const proj = g.param('proj', g.shapeOf(out));
  const loss = g.apply('sum', [g.apply('mul', [out, proj])]);
  const domains = c.shapes.map((_, i) => c.domains?.[i] ?? 'any');
  const diff = ins.filter((_, i) => !domains[i].startsWith('labels:'));
  const grads = appendBackward(g, loss, diff);
  const plan = planGraph(g.graph, [loss, ...grads.values()]);
  const params = new Map<string, Float64Array>();
  c.shapes.forEach((s, i) => params.set(`in${i}`, draw(rng, sizeOf(s), domains[i])));
  params.set('proj', draw(rng, sizeOf(g.shapeOf(out)), 'any'));
  const ex = new Executor(plan, K, params, 'float64');
  const lossAt = () => {
    ex.run();
    return ex.buffer(loss)[0];
  };
  lossAt();
  let worst = 0;
  let checked = 0;
  for (const id of diff) {
    const gid = grads.get(id);
    const x = params.get(g.node(id).name)!;
    const analytic = gid === undefined ? new Float64Array(x.length) : Float64Array.from(ex.buffer(gid));
    for (let i = 0; i < x.length; i++) {
      const h = 1e-6 * Math.max(1, Math.abs(x[i]));
      const x0 = x[i];
      x[i] = x0 + h;
      const up = lossAt();
      x[i] = x0 - h;
      const down = lossAt();
      x[i] = x0;
      const numeric = (up - down) / (2 * h);
      const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric), Math.abs(analytic[i]));
      worst = Math.max(worst, err);
      checked++;
    }
  }
  return { worst, checked };
}

describe('gradient check of every op in OPS', () => {
  const entries = Object.entries(OPS) as [OpName, (typeof OPS)[OpName]][];
  it('walks the internal ops (made by autodiff and the optimiser) as well as the public ones', () => {
    expect(new Set(entries.map(([, d]) => d.visibility))).toEqual(new Set(['public', 'internal']));
  });
  for (const [name, def] of entries) {
    if (def.gradientOf) {
      // A fused backward op: checked through the cases of the ops it is the gradient of, which must have some.
      it(`${name} is checked through ${def.gradientOf.join(', ')}`, () => {
        for (const of of def.gradientOf ?? []) expect(OPS[of as OpName].gradCheck.length).toBeGreaterThan(0);
        expect(def.gradCheck).toHaveLength(0);
      });
      continue;
    }
    if (def.gradCheck.length === 0) {
      it(`${name} declares itself non-differentiable`, () => {
        const g = new GraphBuilder();
        // Its VJP must give no gradient to any input.
        const ins = Array.from({ length: def.arity }, (_, i) => g.param(`x${i}`, [2, 3]));
        const attrs = name === 'one_hot' ? { depth: 4 } : {};
        const out = g.apply(name, name === 'one_hot' ? [ins[0]] : ins, attrs);
        expect(def.vjp(g, g.node(out), out).every((v) => v === null)).toBe(true);
      });
      continue;
    }
    def.gradCheck.forEach((c, k) => {
      it(`${name} ${c.label ?? c.shapes.map((s) => `[${s.join(',')}]`).join(' ')}`, () => {
        const { worst, checked } = check(name, c, 1000 + k);
        expect(checked).toBeGreaterThan(0);
        expect(worst).toBeLessThan(1e-6);
      });
    });
  }
});
