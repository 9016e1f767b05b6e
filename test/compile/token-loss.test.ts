// The loss of a label per token: softmax cross-entropy of each real token (label ≠ 0) averaged over
// the real tokens of the batch, computed here by hand from the logits in float64; its gradient
// checked by finite differences; 0 (not NaN) for a batch of padding only; and the clear errors of
// an output without the sequence axis, of a regression loss and of class weights.
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../src/compile/compile.js';
import { ConfigSchema } from '../../src/config/schema.js';
import type { DataDims } from '../../src/data/dims.js';
import { ShapeError } from '../../src/errors.js';
import { gradcheck } from '../../src/exec/gradcheck.js';
import { initParams } from '../../src/train/loop.js';
import { K } from '../backend.js';

const L = 4;
const VOCAB = 7;
const DIM = 3;
const BATCH = 3;
const DIMS: DataDims = { task: 'classification', sampleShape: [L], classes: VOCAB, tokens: { vocab: VOCAB }, targetShape: [L] };

function setup(
  layers: unknown[] = [
    { type: 'embedding', dim: DIM },
    { type: 'dense', units: 'classes' },
  ],
  extra: Record<string, unknown> = {},
) {
  const config = ConfigSchema.parse({ name: 't', seed: 3, data: { source: 'copy', length: L }, model: { layers }, train: { batch_size: BATCH }, ...extra });
  const model = compileModel(config, DIMS, () => ({}));
  const params = new Map<string, Float64Array>();
  for (const [name, buf] of initParams(model, 3)) params.set(name, Float64Array.from(buf));
  return { model, params };
}

/** Logits of embedding → dense for one token id, in float64. */
function logitsOf(params: Map<string, Float64Array>, id: number): number[] {
  const e = params.get('layer0/embedding/w')!;
  const w = params.get('layer1/dense/w')!;
  const b = params.get('layer1/dense/b')!;
  return Array.from({ length: VOCAB }, (_, c) => b[c] + Array.from({ length: DIM }, (_, i) => e[id * DIM + i] * w[i * VOCAB + c]).reduce((p, q) => p + q));
}

const ce = (z: number[], label: number) => Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[label];

describe('the per-token softmax cross-entropy', () => {
  // Three sequences right-padded with 0; the labels differ from the inputs so that the loss is not trivial.
  const x = Float64Array.from([4, 5, 6, 0, 4, 0, 0, 0, 6, 6, 5, 4]);
  const y = Float64Array.from([5, 6, 4, 0, 6, 0, 0, 0, 4, 5, 6, 5]);

  it('is the mean over real tokens, padding left out, and its gradient checks', () => {
    const { model, params } = setup();
    const r = gradcheck(model.program(BATCH, 'train'), params, { x, y }, { kernels: K, maxElements: 1000 });
    let sum = 0;
    let real = 0;
    for (let i = 0; i < x.length; i++) {
      if (y[i] === 0) continue;
      sum += ce(logitsOf(params, x[i]), y[i]);
      real++;
    }
    expect(real).toBe(8);
    expect(r.loss).toBeCloseTo(sum / real, 12);
    // The mean over all 12 positions (padding counted as class 0) would differ.
    let all = 0;
    for (let i = 0; i < x.length; i++) all += ce(logitsOf(params, x[i]), y[i]);
    expect(Math.abs(r.loss - all / x.length)).toBeGreaterThan(1e-3);
    expect(r.failed).toBe(0);
    for (const p of r.params) expect(p.maxRelError).toBeLessThan(1e-6);
  });

  it('is 0, not NaN, for a batch of padding only, with zero gradients', () => {
    const { model, params } = setup();
    const zeros = new Float64Array(BATCH * L);
    const r = gradcheck(model.program(BATCH, 'train'), params, { x: zeros, y: zeros }, { kernels: K });
    expect(r.loss).toBe(0);
    expect(r.failed).toBe(0);
  });

  it('refuses an output without the sequence axis, naming the shape it needs', () => {
    const layers = [{ type: 'embedding', dim: DIM }, { type: 'flatten' }, { type: 'dense', units: VOCAB }];
    expect(() => setup(layers)).toThrow(ShapeError);
    try {
      setup(layers);
    } catch (e) {
      expect((e as ShapeError).message).toContain(`must be [batch, ${L}, classes] for a label per token, got [${BATCH}, ${VOCAB}]`);
      expect((e as ShapeError).hint).toContain('units: classes');
    }
  });

  it('refuses a regression loss', () => {
    expect(() => setup(undefined, { loss: 'mse' })).toThrow(/mse is a regression loss/);
  });

  it('refuses class weights', () => {
    const config = ConfigSchema.parse({
      name: 't',
      data: { source: 'copy', length: L },
      model: {
        layers: [
          { type: 'embedding', dim: DIM },
          { type: 'dense', units: 'classes' },
        ],
      },
    });
    expect(() => compileModel(config, DIMS, () => ({}), { classWeights: new Array(VOCAB).fill(1) })).toThrow(
      /class weights are not supported with a label per token/,
    );
  });
});
