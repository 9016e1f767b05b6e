// The built-in seeded sequence tasks, for tests and teaching. Each draws only from the Rng it is
// given (the run's `data` stream), so the same seed gives the same bytes. Samples are token ids
// (Dataset.tokens) in a vocabulary of the four special tokens followed by the task's symbols,
// right-padded with 0 to the task's length L:
//   copy, reverse, sort: digits 0-9, each sequence of a random length 1..L; a label per token, the
//     target sequence (the input itself, reversed, or sorted) at positions 0..n-1, padding 0 after.
//   parity: bits 0/1, each sequence of a random length 1..L; one class per sample, `even` or `odd`
//     (the parity of the number of 1s).
//   addition: "a+b" written as characters, a and b of 1..digits digits each (L = 2·digits + 1); a
//     label per token: the decimal digits of a + b, most significant first, at positions 0..m-1
//     (m ≤ digits + 1 ≤ L), padding 0 after. "123+45" gives labels "168" then padding.
import type { DataConfig } from '../config/schema.js';
import type { Rng } from '../tensor/rng.js';
import type { Dataset } from './types.js';
import type { TokenPreprocessing } from './standardize.js';
import { PAD, SPECIAL_TOKENS } from './tokens.js';

export type SequenceTaskConfig = Extract<DataConfig, { source: 'copy' | 'reverse' | 'sort' | 'parity' | 'addition' }>;
export type SequenceTaskName = SequenceTaskConfig['source'];

export const SEQUENCE_TASKS: readonly SequenceTaskName[] = ['copy', 'reverse', 'sort', 'parity', 'addition'];

/** Whether a data config is one of the built-in sequence tasks. */
export function isSequenceTask(cfg: DataConfig): cfg is SequenceTaskConfig {
  return (SEQUENCE_TASKS as readonly string[]).includes(cfg.source);
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const PARITY_CLASSES = ['even', 'odd'];

/** The task's symbols, after the special tokens in its vocabulary. */
function symbols(task: SequenceTaskName): string[] {
  if (task === 'parity') return ['0', '1'];
  if (task === 'addition') return [...DIGITS, '+'];
  return DIGITS.slice();
}

/** The task's vocabulary: the special tokens, then its symbols (id of symbol s = 4 + its index). */
export function taskVocab(task: SequenceTaskName): string[] {
  return [...SPECIAL_TOKENS, ...symbols(task)];
}

/** The sequence length L of the task's samples. */
export function taskLength(cfg: SequenceTaskConfig): number {
  return cfg.source === 'addition' ? 2 * cfg.digits + 1 : cfg.length;
}

/** Whether the task has a label per token (all but parity, which has one class per sample). */
export function taskPerToken(task: SequenceTaskName): boolean {
  return task !== 'parity';
}

/** What a run of the task saves to read its data again: nothing is fitted, the vocabulary is fixed. */
export function taskPreprocessing(cfg: SequenceTaskConfig): TokenPreprocessing {
  const perToken = taskPerToken(cfg.source);
  return {
    kind: 'tokens',
    tokenizer: 'char',
    lowercase: false,
    vocab: taskVocab(cfg.source),
    length: taskLength(cfg),
    labels: perToken ? 'tokens' : 'class',
    ...(perToken ? {} : { classes: PARITY_CLASSES.slice() }),
    task: 'classification',
  };
}

/** Generates the task's samples from `rng`. */
export function generateTask(cfg: SequenceTaskConfig, rng: Rng): Dataset {
  const L = taskLength(cfg);
  const n = cfg.samples;
  const vocab = taskVocab(cfg.source);
  const x = new Float32Array(n * L);
  const perToken = taskPerToken(cfg.source);
  const y = new Float32Array(perToken ? n * L : n);
  const first = SPECIAL_TOKENS.length; // id of the first symbol
  for (let i = 0; i < n; i++) {
    const xi = x.subarray(i * L, (i + 1) * L);
    if (cfg.source === 'addition') {
      const a = randomNumber(cfg.digits, rng);
      const b = randomNumber(cfg.digits, rng);
      writeChars(`${a}+${b}`, vocab, xi);
      writeChars(String(BigInt(a) + BigInt(b)), vocab, y.subarray(i * L, (i + 1) * L));
      continue;
    }
    const len = 1 + rng.int(L);
    const base = cfg.source === 'parity' ? 2 : 10;
    let ones = 0;
    for (let t = 0; t < len; t++) {
      const s = rng.int(base);
      ones += s;
      xi[t] = first + s;
    }
    if (cfg.source === 'parity') {
      y[i] = ones % 2;
      continue;
    }
    const yi = y.subarray(i * L, (i + 1) * L);
    const seq = Array.from(xi.subarray(0, len));
    if (cfg.source === 'reverse') seq.reverse();
    else if (cfg.source === 'sort') seq.sort((p, q) => p - q);
    yi.set(seq);
  }
  const out: Dataset = { x, y, n, features: [], shape: [L], task: 'classification', tokens: { vocab } };
  if (perToken) out.targetShape = [L];
  else out.classes = PARITY_CLASSES.slice();
  return out;
}

/** A number of 1..digits digits (uniform number of digits, then uniform digits; no leading zero unless it is 0), as text. */
function randomNumber(digits: number, rng: Rng): string {
  const d = 1 + rng.int(digits);
  let s = d === 1 ? String(rng.int(10)) : String(1 + rng.int(9));
  for (let k = 1; k < d; k++) s += String(rng.int(10));
  return s;
}

/** Writes the ids of the characters of `s` into `dst` from position 0; the rest stays padding. */
function writeChars(s: string, vocab: readonly string[], dst: Float32Array): void {
  for (let t = 0; t < s.length; t++) dst[t] = vocab.indexOf(s[t]);
  dst.fill(PAD, s.length);
}
