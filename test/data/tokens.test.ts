// The tokenisers, vocabulary fitting, encoding and decoding (src/data/tokens.ts): examples, then
// properties over generated text (round trips and determinism).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BOS, EOS, PAD, SPECIAL_TOKENS, UNK, decode, encode, fitVocab, tokenize } from '../../src/data/tokens.js';

const char = { tokenizer: 'char', lowercase: false } as const;
const word = { tokenizer: 'word', lowercase: false } as const;

describe('tokenize', () => {
  it('splits characters by code point, a letter outside the BMP being one token', () => {
    expect(tokenize('ab 😀é', char)).toEqual(['a', 'b', ' ', '😀', 'é']);
  });

  it('splits words into runs of letters, digits and apostrophes, and each punctuation mark alone', () => {
    expect(tokenize("Don't stop: 42 km/h, naïve café’s (ok)!!", word)).toEqual([
      "Don't",
      'stop',
      ':',
      '42',
      'km',
      '/',
      'h',
      ',',
      'naïve',
      'café’s',
      '(',
      'ok',
      ')',
      '!',
      '!',
    ]);
  });

  it('keeps letters of any script and combining marks inside words', () => {
    expect(tokenize('Привет, мир! 東京 e\u0301te', word)).toEqual(['Привет', ',', 'мир', '!', '東京', 'e\u0301te']);
  });

  it('lowercases when asked, and stops at the limit', () => {
    expect(tokenize('The CAT', { tokenizer: 'word', lowercase: true })).toEqual(['the', 'cat']);
    expect(tokenize('abcdef', char, 3)).toEqual(['a', 'b', 'c']);
    expect(tokenize('a b c d', word, 2)).toEqual(['a', 'b']);
  });
});

describe('fitVocab', () => {
  const counts = new Map([
    ['b', 3],
    ['a', 3],
    ['c', 5],
    ['d', 1],
    ['<unk>', 9],
  ]);

  it('puts the special tokens first, then by frequency, ties in code-unit order', () => {
    expect(fitVocab(counts, { minFreq: 1 })).toEqual([...SPECIAL_TOKENS, 'c', 'a', 'b', 'd']);
  });

  it('cuts by minimum frequency and by size (the special tokens counted)', () => {
    expect(fitVocab(counts, { minFreq: 2 })).toEqual([...SPECIAL_TOKENS, 'c', 'a', 'b']);
    expect(fitVocab(counts, { minFreq: 1, maxSize: 6 })).toEqual([...SPECIAL_TOKENS, 'c', 'a']);
    expect(fitVocab(new Map(), { minFreq: 1 })).toEqual([...SPECIAL_TOKENS]);
  });

  it('does not depend on the order the counts come in', () => {
    const reversed = new Map([...counts].reverse());
    expect(fitVocab(reversed, { minFreq: 1, maxSize: 7 })).toEqual(fitVocab(counts, { minFreq: 1, maxSize: 7 }));
  });
});

describe('encode and decode', () => {
  const vocab = [...SPECIAL_TOKENS, 'the', 'cat', '.', '(', ')', ',', '"', 'sat'];

  it('maps unknown tokens to <unk> and pads at the end or cuts to the length', () => {
    expect(encode('the dog sat.', word, vocab)).toEqual([4, UNK, 11, 6]);
    expect(encode('the cat', word, vocab, 4)).toEqual([4, 5, PAD, PAD]);
    expect(encode('the cat sat .', word, vocab, 2)).toEqual([4, 5]);
  });

  it('joins words with spaces, not before closing or after opening punctuation, and drops padding and markers', () => {
    const ids = encode('the cat ( sat ) , " the cat " .', word, vocab);
    expect(decode([BOS, ...ids, EOS, PAD, PAD], vocab, 'word')).toBe('the cat (sat), "the cat".');
    expect(decode([4, UNK, 99], vocab, 'word')).toBe('the <unk> <unk>');
    expect(decode([4, UNK], ['<pad>', '<unk>', '<s>', '</s>', 'x'], 'char')).toBe('x\uFFFD');
  });
});

// Text made of a few characters of several kinds, so that tokens repeat.
const alphabet = ['a', 'b', 'Z', 'é', '😀', ' ', ' ', '\n', '.', ',', '(', ')', '"', "'", '1', '-', '東'];
const someText = fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((cs) => cs.join(''));

/** The vocabulary of every token of `texts`, in a fixed order. */
function vocabOf(texts: string[], tokenizer: 'char' | 'word'): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const tok of tokenize(t, { tokenizer, lowercase: false })) counts.set(tok, (counts.get(tok) ?? 0) + 1);
  return fitVocab(counts, { minFreq: 1 });
}

describe('properties', () => {
  it('char: decode(encode(text)) is the text when every character is in the vocabulary', () => {
    fc.assert(
      fc.property(someText, (text) => {
        const vocab = vocabOf([text], 'char');
        const n = [...text].length;
        expect(decode(encode(text, char, vocab), vocab, 'char')).toBe(text);
        // Padded to a longer length, or cut to a prefix: the padding is dropped, the start kept.
        expect(decode(encode(text, char, vocab, n + 3), vocab, 'char')).toBe(text);
        const k = Math.floor(n / 2);
        expect(decode(encode(text, char, vocab, k), vocab, 'char')).toBe([...text].slice(0, k).join(''));
      }),
    );
  });

  it('word: tokenising the decoded text gives back the tokens', () => {
    fc.assert(
      fc.property(someText, (text) => {
        const vocab = vocabOf([text], 'word');
        const ids = encode(text, word, vocab);
        const back = decode(ids, vocab, 'word');
        expect(tokenize(back, word)).toEqual(tokenize(text, word));
        expect(encode(back, word, vocab)).toEqual(ids);
      }),
    );
  });

  it('every id is in the vocabulary, and unknown tokens become <unk> only', () => {
    fc.assert(
      fc.property(someText, someText, fc.integer({ min: 1, max: 40 }), (train, other, length) => {
        const vocab = vocabOf([train], 'word');
        const ids = encode(other, word, vocab, length);
        expect(ids).toHaveLength(length);
        for (const [i, id] of ids.entries()) {
          expect(id).toBeGreaterThanOrEqual(0);
          expect(id).toBeLessThan(vocab.length);
          if (id === UNK) expect(vocab).not.toContain(tokenize(other, word)[i]);
        }
      }),
    );
  });

  it('fitting and encoding are deterministic: the same text gives the same vocabulary and ids', () => {
    fc.assert(
      fc.property(fc.array(someText, { maxLength: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 5, max: 12 }), (texts, minFreq, maxSize) => {
        const counts = () => {
          const m = new Map<string, number>();
          for (const t of texts) for (const tok of tokenize(t, char)) m.set(tok, (m.get(tok) ?? 0) + 1);
          return m;
        };
        const a = fitVocab(counts(), { minFreq, maxSize });
        const b = fitVocab(new Map([...counts()].reverse()), { minFreq, maxSize });
        expect(a).toEqual(b);
        expect(a.length).toBeLessThanOrEqual(maxSize);
        expect(new Set(a).size).toBe(a.length);
        for (const t of texts) expect(encode(t, char, a, 20)).toEqual(encode(t, char, b, 20));
      }),
    );
  });
});
