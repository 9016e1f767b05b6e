// dlf generate on small language models trained here: a bigram model (embedding → dense, which
// reads each position alone) of a text that cycles through "abcde\n" continues a prompt exactly at
// temperature 0; sampling is reproducible by seed; --json gives tokens and ids; a run that is not a
// language model, and a model that looks ahead, are refused; an unknown prompt is warned about.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlf, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const lmConfig = (name: string, layers: string, epochs: number) => `name: ${name}
seed: 2
data: {source: text, path: cycle.txt, length: 12}
model:
  layers:
${layers}
train: {epochs: ${epochs}, batch_size: 16, optimizer: {type: adam, lr: 0.05}}
`;
const BIGRAM = '    - {type: embedding, dim: 8}\n    - {type: dense, units: classes}';

describe('dlf generate', () => {
  const trained = join(tmp.dir, 'trained');
  const untrained = join(tmp.dir, 'untrained');

  beforeAll(async () => {
    tmp.write('cycle.txt', 'abcde\n'.repeat(300));
    expect((await dlf('train', tmp.write('lm.yaml', lmConfig('lm', BIGRAM, 15)), '--out', trained, '--quiet')).code).toBe(0);
    // Initial weights only: every token stays likely, so that samples depend on the seed.
    expect((await dlf('train', tmp.write('lm0.yaml', lmConfig('lm0', BIGRAM, 0)), '--out', untrained, '--quiet')).code).toBe(0);
  });

  it('continues a prompt with the most probable tokens at temperature 0, and the same with --top-k 1', async () => {
    const r = await dlf('generate', trained, '--prompt', 'c', '--length', '9', '--temperature', '0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('cde\nabcde\n'); // c + d e \n a b c d e \n
    const k1 = await dlf('generate', trained, '--prompt', 'c', '--length', '9', '--top-k', '1', '--seed', '5');
    expect(k1.stdout).toBe(r.stdout);
  });

  it('gives the same text for the same seed and another for another seed', async () => {
    const args = ['generate', untrained, '--prompt', 'ab', '--length', '40'];
    const a = await dlf(...args, '--seed', '1');
    const b = await dlf(...args, '--seed', '1');
    const c = await dlf(...args, '--seed', '2');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
    expect(a.stdout.startsWith('ab')).toBe(true);
    expect(a.stdout.length).toBeGreaterThan(40);
  });

  it('--json gives the prompt and the generated tokens with their ids, and the settings', async () => {
    const r = await dlf('generate', trained, '--length', '6', '--temperature', '0', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // No --prompt: a line break starts the text; the vocabulary is "\n", a..e by frequency then code point.
    expect(j.prompt).toEqual({ text: '\n', tokens: ['\n'], ids: [4] });
    expect(j.generated).toEqual({ tokens: ['a', 'b', 'c', 'd', 'e', '\n'], ids: [5, 6, 7, 8, 9, 4] });
    expect(j.text).toBe('\nabcde\n');
    expect(j).toMatchObject({ seed: 0, temperature: 0, warnings: [] });
    expect(j.checkpoint).toBe(join(trained, 'checkpoints', 'best.json'));
  });

  it('warns about a prompt of unknown tokens only, and still generates', async () => {
    const r = await dlf('generate', trained, '--prompt', 'zz', '--length', '3', '--temperature', '0');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: every token of the prompt is unknown to the vocabulary: the model sees only <unk>\n');
    expect(r.stdout).toHaveLength('\uFFFD\uFFFD'.length + 3 + 1);
  });

  it('refuses a run that is not a language model', async () => {
    const cfg = tmp.write('copy.yaml', `name: copy\ndata: {source: copy, samples: 50}\nmodel:\n  layers:\n${BIGRAM}\ntrain: {epochs: 1}\n`);
    const run = join(tmp.dir, 'copy');
    expect((await dlf('train', cfg, '--out', run, '--quiet')).code).toBe(0);
    const r = await dlf('generate', run);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a language model (it was trained on data.source copy)');
  });

  it('refuses a model whose output at a position depends on later tokens', async () => {
    // A dense layer over the flattened window sees every position: found by running the model.
    const layers = '    - {type: embedding, dim: 4}\n    - {type: flatten}\n    - {type: dense, units: 120}\n    - {type: reshape, shape: [12, 10]}';
    const run = join(tmp.dir, 'ahead');
    expect((await dlf('train', tmp.write('ahead.yaml', lmConfig('ahead', layers, 0)), '--out', run, '--quiet')).code).toBe(0);
    const r = await dlf('generate', run, '--prompt', 'a');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/can look ahead: its output at position \d+ changes with the token at position 11/);
  });

  it('refuses a negative temperature and a zero length as usage errors', async () => {
    expect((await dlf('generate', trained, '--temperature', '-1')).code).toBe(2);
    expect((await dlf('generate', trained, '--length', '0')).code).toBe(2);
  });
});
