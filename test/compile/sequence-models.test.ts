// Compiling models on token data: what a wrong model is told (an embedding smaller than the
// vocabulary, a per-token output for a class per sample) and that a causal mask is not a constant
// of L² values (so a long sequence is sized by the plan's memory check, not allocated first).
import { describe, expect, it } from 'vitest';
import { layoutProgram } from '../../src/compile/compile.js';
import { summarize } from '../../src/compile/summary.js';
import { type Config, ConfigSchema } from '../../src/config/schema.js';
import type { DataDims } from '../../src/data/dims.js';
import { ShapeError } from '../../src/errors.js';

const locate = (path: (string | number)[]) => ({ file: 'model.yaml', path: path.join('.') });
const CLASSES: DataDims = { task: 'classification', sampleShape: [12], classes: 2, tokens: { vocab: 14 } };
const PER_TOKEN: DataDims = { ...CLASSES, classes: 14, targetShape: [12] };

function config(layers: unknown[]): Config {
  return ConfigSchema.parse({ name: 't', data: { source: 'parity' }, model: { layers }, train: { batch_size: 4 } });
}

function failure(dims: DataDims, layers: unknown[]): ShapeError {
  try {
    layoutProgram(config(layers), dims, 4, locate);
  } catch (e) {
    if (e instanceof ShapeError) return e;
    throw e;
  }
  throw new Error('compiled');
}

describe('models on token data', () => {
  it('refuses an embedding with fewer rows than the vocabulary (ids past it would be NaN rows)', () => {
    const e = failure(CLASSES, [{ type: 'embedding', vocab: 10, dim: 4 }, { type: 'sequence_pool' }, { type: 'dense', units: 'classes' }]);
    expect(e.message).toMatch(/vocab 10 is smaller than the data's vocabulary of 14 tokens/);
    expect(e.place.path).toBe('model.layers.0');
  });

  it('tells a model with a row per token, on a class per sample, to pool the sequence', () => {
    const e = failure(CLASSES, [
      { type: 'embedding', dim: 8 },
      { type: 'attention', heads: 2 },
      { type: 'dense', units: 'classes' },
    ]);
    expect(e.message).toMatch(/one row per token, but the data has one class per sample/);
    expect(e.hint).toMatch(/sequence_pool/);
    expect(e.place.path).toBe('model.layers.2');
  });

  it('builds the causal mask from constants of L values, not one of L²', () => {
    const L = 12;
    const p = layoutProgram(
      config([
        { type: 'embedding', dim: 8 },
        { type: 'attention', heads: 2, causal: true },
        { type: 'dense', units: 'classes' },
      ]),
      PER_TOKEN,
      4,
      locate,
    );
    const consts = p.graph.nodes.filter((n) => n.op === 'const' && Array.isArray(n.attrs.values));
    expect(consts.length).toBeGreaterThan(0);
    for (const n of consts) expect((n.attrs.values as number[]).length).toBeLessThanOrEqual(L);
  });

  it('counts the multiply-adds of a recurrent layer: the input projection and every step of the scan', () => {
    const s = summarize(
      config([
        { type: 'embedding', dim: 4 },
        { type: 'lstm', units: 8 },
        { type: 'dense', units: 'classes' },
      ]),
      PER_TOKEN,
      locate,
    );
    // 12 steps, each x [4]·w_ih [4, 32] and h [8]·w_hh [8, 32].
    expect(s.layers[1].macs).toBe(12 * (4 * 32 + 8 * 32));
  });
});
