// The built-in sequence tasks: every sample decoded back to text and checked against the task's
// rule (copy, reverse, sort, parity, addition), padding after the real tokens, the same bytes for
// the same seed, and a split and preprocessing that keep a label per token together.
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { dataDims } from '../../src/data/dims.js';
import { loadData } from '../../src/data/load.js';
import { type SequenceTaskConfig, generateTask, taskVocab } from '../../src/data/sequence-tasks.js';
import type { Dataset } from '../../src/data/types.js';
import { Rng } from '../../src/tensor/rng.js';

const task = (data: Record<string, unknown>) =>
  ConfigSchema.parse({ name: 't', data, model: { layers: [{ type: 'dense', units: 1 }] } }).data as SequenceTaskConfig;

/** Sample i's tokens and labels as text (ids → symbols), with padding positions checked to be 0 after the text. */
function decode(ds: Dataset, i: number): { x: string; y: string } {
  const L = ds.shape![0];
  const vocab = ds.tokens!.vocab;
  const text = (a: Float32Array) => {
    let s = '';
    let t = 0;
    for (; t < a.length && a[t] !== 0; t++) s += vocab[a[t]];
    for (; t < a.length; t++) expect(a[t]).toBe(0);
    return s;
  };
  const x = text(ds.x.subarray(i * L, (i + 1) * L));
  const y = ds.targetShape ? text(ds.y.subarray(i * L, (i + 1) * L)) : String(ds.y[i]);
  return { x, y };
}

describe.each([
  ['copy', (s: string) => s],
  ['reverse', (s: string) => [...s].reverse().join('')],
  ['sort', (s: string) => [...s].sort().join('')],
] as const)('%s', (source, rule) => {
  const cfg = task({ source, samples: 300, length: 6 });
  const ds = generateTask(cfg, new Rng(4));

  it('has a label per token: the rule applied to the digits, padded after', () => {
    expect(ds.tokens!.vocab).toEqual(['<pad>', '<unk>', '<s>', '</s>', ...'0123456789']);
    expect(ds.targetShape).toEqual([6]);
    expect(ds.x.length).toBe(300 * 6);
    expect(ds.y.length).toBe(300 * 6);
    const lengths = new Set<number>();
    for (let i = 0; i < ds.n; i++) {
      const { x, y } = decode(ds, i);
      expect(x).toMatch(/^[0-9]{1,6}$/);
      expect(y).toBe(rule(x));
      lengths.add(x.length);
    }
    expect([...lengths].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives the same bytes for the same seed, others for another', () => {
    const again = generateTask(cfg, new Rng(4));
    expect(Buffer.from(again.x.buffer).equals(Buffer.from(ds.x.buffer))).toBe(true);
    expect(Buffer.from(again.y.buffer).equals(Buffer.from(ds.y.buffer))).toBe(true);
    expect(Buffer.from(generateTask(cfg, new Rng(5)).x.buffer).equals(Buffer.from(ds.x.buffer))).toBe(false);
  });
});

describe('parity', () => {
  it('has one class per sample: odd when the bits hold an odd number of 1s', () => {
    const ds = generateTask(task({ source: 'parity', samples: 200, length: 5 }), new Rng(1));
    expect(ds.tokens!.vocab).toEqual(['<pad>', '<unk>', '<s>', '</s>', '0', '1']);
    expect(ds.targetShape).toBeUndefined();
    expect(ds.classes).toEqual(['even', 'odd']);
    expect(ds.y.length).toBe(200);
    const seen = new Set<string>();
    for (let i = 0; i < ds.n; i++) {
      const { x, y } = decode(ds, i);
      expect(x).toMatch(/^[01]{1,5}$/);
      expect(y).toBe(String([...x].filter((c) => c === '1').length % 2));
      seen.add(y);
    }
    expect(seen.size).toBe(2);
  });
});

describe('addition', () => {
  it('writes "a+b" in 2·digits + 1 tokens and labels the digits of the sum from position 0', () => {
    const ds = generateTask(task({ source: 'addition', samples: 300, digits: 3 }), new Rng(2));
    expect(taskVocab('addition').slice(4)).toEqual([...'0123456789+']);
    expect(ds.shape).toEqual([7]);
    expect(ds.targetShape).toEqual([7]);
    let carries = 0;
    for (let i = 0; i < ds.n; i++) {
      const { x, y } = decode(ds, i);
      const m = /^(0|[1-9][0-9]{0,2})\+(0|[1-9][0-9]{0,2})$/.exec(x);
      expect(m, x).not.toBeNull();
      const sum = Number(m![1]) + Number(m![2]);
      expect(y).toBe(String(sum));
      if (String(sum).length > Math.max(m![1].length, m![2].length)) carries++;
    }
    expect(carries).toBeGreaterThan(0); // some sums have one digit more than either number
  });
});

describe('loading a task', () => {
  it('splits plainly with labels per token kept with their sample, and knows its dims before generating', () => {
    const cfg = task({ source: 'reverse', samples: 100, length: 5, split: { validation: 0.25 } });
    expect(dataDims(cfg)).toEqual({ task: 'classification', sampleShape: [5], classes: 14, tokens: { vocab: 14 }, targetShape: [5] });
    const { train, val, preprocessing } = loadData(cfg, 9);
    expect([train.n, val.n]).toEqual([75, 25]);
    expect(preprocessing).toMatchObject({ kind: 'tokens', length: 5, labels: 'tokens', vocab: taskVocab('reverse') });
    for (const ds of [train, val]) {
      expect(ds.y.length).toBe(ds.n * 5);
      for (let i = 0; i < ds.n; i++) {
        const { x, y } = decode(ds, i);
        expect(y).toBe([...x].reverse().join(''));
      }
    }
  });

  it('parity is split stratified by its two classes', () => {
    const cfg = task({ source: 'parity', samples: 100, length: 4, split: { validation: 0.2, stratify: true } });
    expect(dataDims(cfg)).toMatchObject({ sampleShape: [4], classes: 2, tokens: { vocab: 6 } });
    const { val } = loadData(cfg, 3);
    expect(val.n).toBe(20);
  });

  it('keeps samples with the same input on one side of the split, stratified or not', () => {
    for (const stratify of [true, false]) {
      // 2000 bit sequences of length 1..8 (510 possible): short ones recur many times.
      const cfg = task({ source: 'parity', samples: 2000, length: 8, split: { validation: 0.2, stratify } });
      const { train, val } = loadData(cfg, 5);
      const inputs = (ds: Dataset) => new Set(Array.from({ length: ds.n }, (_, i) => decode(ds, i).x));
      const seen = inputs(train);
      expect([...inputs(val)].filter((x) => seen.has(x))).toEqual([]);
      expect(train.n + val.n).toBe(2000);
      expect(val.n).toBeLessThanOrEqual(400);
      expect(val.n).toBeGreaterThan(300);
    }
  });
});
