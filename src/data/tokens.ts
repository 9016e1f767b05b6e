// Token ids: the special tokens every vocabulary starts with, the two tokenisers (characters, and
// words with punctuation), fitting a vocabulary on counted tokens, and encoding text to ids and
// decoding ids to text. Id 0 is padding, so a mask of real tokens is `id != 0` and a label 0 is
// ignored by the loss and the metrics. Pure functions: the same text and settings give the same ids.

/** The special tokens, at ids 0–3 of every vocabulary: padding, unknown, start and end of a sequence. */
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<s>', '</s>'] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;

export type Tokenizer = 'char' | 'word';

/** How text becomes tokens. */
export interface TokenizeSettings {
  tokenizer: Tokenizer;
  /** Lowercase the text before splitting it. */
  lowercase: boolean;
}

/**
 * A word: a run of letters, combining marks, digits and apostrophes (' and ’); anything else that
 * is not white space is a token of its own (one code point: a punctuation mark, a symbol).
 */
const WORD_OR_MARK = /[\p{L}\p{M}\p{N}'\u2019]+|[^\s\p{L}\p{M}\p{N}'\u2019]/gu;

/**
 * Calls `each` with every token of `text` in order, at most `limit` of them (a sample cut to L
 * tokens needs no more, however long its text). Characters are code points, so a letter outside
 * the Basic Multilingual Plane is one token, not two halves of a surrogate pair.
 */
export function forEachToken(text: string, s: TokenizeSettings, each: (token: string) => void, limit = Infinity): void {
  const t = s.lowercase ? text.toLowerCase() : text;
  let n = 0;
  if (s.tokenizer === 'char') {
    for (const c of t) {
      if (n++ >= limit) return;
      each(c);
    }
    return;
  }
  const re = new RegExp(WORD_OR_MARK.source, WORD_OR_MARK.flags);
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    if (n++ >= limit) return;
    each(m[0]);
  }
}

/** The tokens of `text`, at most `limit`. */
export function tokenize(text: string, s: TokenizeSettings, limit = Infinity): string[] {
  const out: string[] = [];
  forEachToken(text, s, (t) => out.push(t), limit);
  return out;
}

/** How a vocabulary is cut: tokens seen fewer than `minFreq` times are left out, and at most `maxSize` ids in all. */
export interface VocabRule {
  minFreq: number;
  /** The whole vocabulary, the four special tokens included (so at least 5); undefined: no cap. */
  maxSize?: number;
}

/**
 * A vocabulary from token counts (of the training split only): the special tokens, then every
 * token counted at least `minFreq` times, most frequent first, ties in code-unit order of the
 * token, cut to `maxSize` ids in all. A token spelled like a special token is not added twice.
 */
export function fitVocab(counts: ReadonlyMap<string, number>, rule: VocabRule): string[] {
  const special = new Set<string>(SPECIAL_TOKENS);
  const kept: [string, number][] = [];
  for (const [token, c] of counts) if (c >= rule.minFreq && !special.has(token)) kept.push([token, c]);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const room = rule.maxSize === undefined ? kept.length : Math.max(0, rule.maxSize - SPECIAL_TOKENS.length);
  return [...SPECIAL_TOKENS, ...kept.slice(0, room).map(([t]) => t)];
}

/** Token → id of a vocabulary. */
export function vocabIndex(vocab: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  vocab.forEach((t, i) => index.set(t, i));
  return index;
}

/**
 * The ids of `text` under `vocab` (a token it lacks is UNK). With `length`, the ids are cut to
 * that many (the start kept) and padded at the end with PAD up to it.
 */
export function encode(text: string, s: TokenizeSettings, vocab: readonly string[] | ReadonlyMap<string, number>, length?: number): number[] {
  const index = vocab instanceof Map ? vocab : vocabIndex(vocab as readonly string[]);
  const ids: number[] = [];
  forEachToken(text, s, (t) => ids.push(index.get(t) ?? UNK), length);
  if (length !== undefined) while (ids.length < length) ids.push(PAD);
  return ids;
}

/** Punctuation written against the word before it: no space in front. */
const CLOSING = new Set(['.', ',', ';', ':', '!', '?', ')', ']', '}', '%', '…', '»', '”']);
/** Punctuation written against the word after it: no space behind. */
const OPENING = new Set(['(', '[', '{', '¿', '¡', '«', '“', '‘', '$', '#', '@']);

/**
 * Text from ids: padding, start and end tokens are left out, an unknown token is shown as `<unk>`
 * (words) or U+FFFD (characters). Characters are joined as they are; words with one space between
 * them, except before closing punctuation and after opening punctuation, and a straight double
 * quote opens and closes in turn. Re-tokenising the text of known word tokens gives them back.
 */
export function decode(ids: ArrayLike<number>, vocab: readonly string[], tokenizer: Tokenizer): string {
  const tokens: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === PAD || id === BOS || id === EOS) continue;
    if (id === UNK || !(id >= 0 && id < vocab.length)) tokens.push(tokenizer === 'char' ? '\uFFFD' : '<unk>');
    else tokens.push(vocab[id]);
  }
  if (tokenizer === 'char') return tokens.join('');
  let out = '';
  let prev: string | undefined;
  let quoteOpen = false;
  for (const t of tokens) {
    let space = prev !== undefined && !CLOSING.has(t) && !OPENING.has(prev);
    if (t === '"') {
      if (quoteOpen) space = false;
      quoteOpen = !quoteOpen;
    }
    if (prev === '"' && quoteOpen) space = false;
    out += (space ? ' ' : '') + t;
    prev = t;
  }
  return out;
}
