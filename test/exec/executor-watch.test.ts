// Executor.runWatched: on a program whose plan reuses buffers and writes in place, every value is
// seen once, and seen as it is when computed: equal to a run of a plan that keeps every value
// (nothing reused), and the outputs equal to those of run().
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { planGraph } from '../../src/compile/plan.js';
import { loadConfig } from '../../src/config/load.js';
import { dataDims } from '../../src/data/dims.js';
import { Executor } from '../../src/exec/executor.js';
import type { Buf } from '../../src/graph/types.js';
import { Rng } from '../../src/tensor/rng.js';
import { initParams } from '../../src/train/loop.js';
import { locatorOf } from '../../src/train/session.js';
import { repo } from '../cli/helpers.js';
import { K } from '../backend.js';

describe('Executor.runWatched', () => {
  it('sees every value of a training step before its buffer is reused', () => {
    // digits-mlp with dropout: buffer reuse, in-place steps and a random mask.
    const rc = loadConfig(repo('configs', 'digits-mlp.yaml'), { set: ['model.layers.1={type: dropout, rate: 0.5}'] });
    const model = compileModel(rc.config, dataDims(rc.config.data, rc.config.seed, locatorOf(rc)), locatorOf(rc));
    const program = model.asBuilt(8, 'train');
    const plan = program.plan;
    expect(plan.arenaSize).toBeLessThan(plan.unplannedSize);
    const params = initParams(model, 1);
    const fill = (ex: Executor) => {
      const x = ex.buffer(program.x);
      for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 17) / 17;
      const y = ex.buffer(program.y);
      for (let i = 0; i < y.length; i++) y[i] = i % 10;
    };

    const watched = new Executor(plan, K, params);
    fill(watched);
    const seen = new Map<number, number[]>();
    watched.runWatched((id, v) => {
      expect(seen.has(id)).toBe(false);
      seen.set(id, Array.from(v));
    }, new Rng(5));
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([...plan.order].sort((a, b) => a - b));

    // Every value kept: a plan whose outputs are all its nodes reuses nothing.
    const keepAll = planGraph(plan.graph, plan.order);
    const full = new Executor(keepAll, K, params);
    fill(full);
    full.run(new Rng(5));
    for (const id of plan.order) expect(seen.get(id), plan.graph.nodes[id].name).toEqual(Array.from(full.buffer(id)));

    const plain = new Executor(plan, K, params);
    fill(plain);
    plain.run(new Rng(5));
    const out = (ex: Executor, id: number): Buf => ex.buffer(id);
    for (const id of plan.outputs) expect(Array.from(out(plain, id))).toEqual(seen.get(id));
  });
});
