// Sampling the next token (temperature, top-k, argmax, seeded draws, special tokens never drawn)
// against softmax probabilities computed here, and the config check for layers that look ahead.
import { describe, expect, it } from 'vitest';
import { type Config, ConfigSchema } from '../../src/config/schema.js';
import { lookAheadLayers, sampleNext } from '../../src/train/generate.js';
import { Rng } from '../../src/tensor/rng.js';

// Ids 0-3 are the special tokens; they get the largest logits here, so drawing one would show.
const LOGITS = [9, 9, 9, 9, 1.5, 0.5, 2, -1, 2];

/** Frequencies of each id over `n` draws. */
function frequencies(temperature: number, topK: number | undefined, n: number, seed = 1): number[] {
  const rng = new Rng(seed);
  const counts = new Array<number>(LOGITS.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleNext(LOGITS, temperature, topK, rng)]++;
  return counts.map((c) => c / n);
}

/** softmax(logits / t) over `ids`, 0 elsewhere. */
function softmaxOver(ids: number[], t: number): number[] {
  const p = new Array<number>(LOGITS.length).fill(0);
  const z = ids.map((i) => Math.exp(LOGITS[i] / t));
  const s = z.reduce((a, b) => a + b);
  ids.forEach((i, j) => (p[i] = z[j] / s));
  return p;
}

describe('sampleNext', () => {
  it('temperature 0 takes the most probable token, the lower id on a tie, never a special one', () => {
    // ids 6 and 8 tie at 2: 6 wins.
    expect(sampleNext(LOGITS, 0, undefined, new Rng(1))).toBe(6);
    expect(sampleNext(LOGITS, 0, 3, new Rng(2))).toBe(6);
  });

  it('top-k 1 is the argmax whatever the temperature, and draws nothing', () => {
    const rng = new Rng(5);
    const state = rng.state();
    for (const t of [0.1, 1, 10]) expect(sampleNext(LOGITS, t, 1, rng)).toBe(6);
    expect(rng.state()).toEqual(state);
  });

  it('draws with the softmax of logits / temperature over the non-special tokens', () => {
    for (const t of [0.5, 1, 3]) {
      const f = frequencies(t, undefined, 40_000);
      const p = softmaxOver([4, 5, 6, 7, 8], t);
      for (let i = 0; i < LOGITS.length; i++) expect(Math.abs(f[i] - p[i]), `id ${i} at t=${t}`).toBeLessThan(0.01);
    }
  });

  it('a higher temperature is flatter', () => {
    const cold = frequencies(0.3, undefined, 20_000);
    const hot = frequencies(5, undefined, 20_000);
    expect(cold[7]).toBeLessThan(0.001); // logit -1 at t=0.3: about 1e-4 of the mass
    expect(hot[7]).toBeGreaterThan(0.12);
  });

  it('top-k keeps the k most probable, ties at the cut to the lower id, renormalised', () => {
    // Ranked: 6 (2), 8 (2), 4 (1.5), 5 (0.5), 7 (-1). k = 2 keeps 6 and 8; k = 3 adds 4.
    const two = frequencies(1, 2, 20_000);
    expect(two[4] + two[5] + two[7]).toBe(0);
    expect(Math.abs(two[6] - 0.5)).toBeLessThan(0.02);
    const three = frequencies(1, 3, 40_000);
    const p = softmaxOver([6, 8, 4], 1);
    for (const i of [4, 6, 8]) expect(Math.abs(three[i] - p[i])).toBeLessThan(0.01);
    expect(three[5] + three[7]).toBe(0);
  });

  it('gives the same draws for the same seed and others for another', () => {
    const draws = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => sampleNext(LOGITS, 1, undefined, rng));
    };
    expect(draws(3)).toEqual(draws(3));
    expect(draws(3)).not.toEqual(draws(4));
  });
});

describe('lookAheadLayers', () => {
  const config = (layers: unknown[]) => ConfigSchema.parse({ name: 't', data: { source: 'copy' }, model: { layers } });

  it('is empty for layers that read each position alone', () => {
    expect(
      lookAheadLayers(
        config([
          { type: 'embedding', dim: 4 },
          { type: 'dense', units: 'classes' },
        ]),
      ),
    ).toEqual([]);
  });

  it('names a bidirectional recurrent layer and attention without causal: true, in either form of model', () => {
    // Written as plain objects: the layer schemas of the recurrent and attention layers live elsewhere.
    const layers = [
      { type: 'embedding', dim: 4 },
      { type: 'lstm', units: 8, bidirectional: true },
      { type: 'gru', units: 8 },
      { type: 'attention', heads: 2 },
      { type: 'transformer_block', heads: 2, causal: true },
      { type: 'transformer_block', heads: 2, causal: false },
    ];
    expect(lookAheadLayers({ model: { layers } } as unknown as Config)).toEqual([
      'model.layers.1 (lstm): a bidirectional lstm reads the sequence backwards too',
      'model.layers.3 (attention): attention without causal: true attends to later tokens',
      'model.layers.5 (transformer_block): transformer_block without causal: true attends to later tokens',
    ]);
    const graph = { nodes: [{ name: 'att', layer: { type: 'attention', causal: false }, inputs: ['x'] }] };
    expect(lookAheadLayers({ model: { graph } } as unknown as Config)).toEqual([
      'model.graph node att (attention): attention without causal: true attends to later tokens',
    ]);
  });
});
