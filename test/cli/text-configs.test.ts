// The shipped text configs, trained as they are: the names classifier beats the bag-of-characters
// logistic regression on its held-out split, the Moby-Dick language model's validation
// perplexity falls well below (under half) the unigram model's, and dlf generate on it gives the
// same text for the same seed, made of the book's characters.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOBY_UNIGRAM_PERPLEXITY, NAMES_BOW_BASELINE } from '../data/text-baselines.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function evalJson(run: string): Promise<{ metrics: Record<string, number> }> {
  const r = await dlf('eval', run, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe('configs/names-classify.yaml', () => {
  it(`beats the bag-of-characters logistic regression (${NAMES_BOW_BASELINE}) on its held-out split`, async () => {
    const run = join(tmp.dir, 'names');
    const r = await dlf('train', repo('configs/names-classify.yaml'), '--out', run, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const { metrics } = await evalJson(run);
    expect(metrics.accuracy).toBeGreaterThan(NAMES_BOW_BASELINE + 0.05);
  });
});

describe('configs/moby-dick-lm.yaml', () => {
  const run = join(tmp.dir, 'moby');
  beforeAll(async () => {
    const r = await dlf('train', repo('configs/moby-dick-lm.yaml'), '--out', run, '--quiet');
    expect(r.code, r.stderr).toBe(0);
  });

  it(`reaches a validation perplexity under half the unigram model's (${MOBY_UNIGRAM_PERPLEXITY})`, async () => {
    const { metrics } = await evalJson(run);
    expect(metrics.perplexity).toBeLessThan(MOBY_UNIGRAM_PERPLEXITY / 2);
  });

  it('generates the same text for the same seed, and other text for another', async () => {
    const gen = async (seed: string) => {
      const r = await dlf('generate', run, '--prompt', 'Call me ', '--length', '120', '--temperature', '0.8', '--seed', seed);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    const [a, b, c] = [await gen('1'), await gen('1'), await gen('2')];
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.startsWith('Call me ')).toBe(true);
    expect(a.length).toBeGreaterThanOrEqual('Call me '.length + 100);
    // Mostly letters and spaces, as prose is: a model that learnt nothing draws its 70-odd characters evenly.
    const prose = [...a].filter((ch) => /[a-z ]/.test(ch)).length / a.length;
    expect(prose).toBeGreaterThan(0.85);
  });
});
