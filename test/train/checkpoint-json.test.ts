// The checkpoint's JSON reader and writer: the reader agrees with JSON.parse on every document
// JSON.parse accepts (but for the keys it refuses), throws only JsonSyntaxError with the offset
// of the problem for anything else, and stays within its limits; the writer's bytes read back
// as the document written, in a fixed layout.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSlice, type JsonLimits, JsonSyntaxError, type JsonValue, lineColumn, parseJson } from '../../src/train/checkpoint-json-read.js';
import { type DocValue, jsonBytes, jsonLength } from '../../src/train/checkpoint-json-write.js';

const LIMITS: JsonLimits = { maxDepth: 32, maxValues: 100_000, maxTextBytes: 1 << 20, longString: 64 };
const parse = (text: string | Uint8Array, limits = LIMITS) => parseJson(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, limits);

/** A parsed value as JSON.parse would give it (Maps as objects, byte slices as strings). */
function plain(v: JsonValue): unknown {
  if (v instanceof ByteSlice) return Buffer.from(v.bytes).toString('utf8');
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, m]) => [k, plain(m)]));
  return v;
}

/** The JsonSyntaxError parsing `text` throws. */
function syntaxError(text: string | Uint8Array, limits = LIMITS): JsonSyntaxError {
  try {
    parse(text, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(JsonSyntaxError);
    return e as JsonSyntaxError;
  }
  throw new Error(`parsed: ${String(text).slice(0, 80)}`);
}

const reserved = /"(__proto__|constructor|prototype)"\s*:/;

describe('the JSON reader', () => {
  it('gives what JSON.parse gives for any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(undefined, 2, '\t'), (value, space) => {
        const text = JSON.stringify(value, null, space);
        if (reserved.test(text)) return;
        expect(plain(parse(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('throws only JsonSyntaxError for any bytes, and only where JSON.parse fails or a rule of its own applies', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789.eE+-tfrueaslnu \n\\/bx\u00e9\ud83d\ude00'.split('')), maxLength: 40 });
    const bytes = fc.uint8Array({ maxLength: 40 });
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish.map((s) => Buffer.from(s, 'utf8')),
          bytes,
        ),
        (input) => {
          let expected: unknown;
          let valid = true;
          try {
            expected = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input));
          } catch {
            valid = false;
          }
          let got: unknown;
          try {
            got = plain(parse(input));
          } catch (e) {
            expect(e).toBeInstanceOf(JsonSyntaxError);
            const { offset } = e as JsonSyntaxError;
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThanOrEqual(input.length);
            return;
          }
          expect(valid).toBe(true);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses __proto__, constructor and prototype as keys, duplicate keys, lone surrogates and non-finite numbers', () => {
    expect(syntaxError('{"a": {"__proto__": {"x": 1}}}').message).toMatch(/the key '__proto__' is not allowed/);
    expect(syntaxError('{"constructor": 1}').message).toMatch(/'constructor'/);
    expect(syntaxError('[{"prototype": 1}]').message).toMatch(/'prototype'/);
    expect(syntaxError('{"a": 1, "a": 2}').message).toMatch(/duplicate key 'a'/);
    expect(syntaxError('"\\ud800"').message).toMatch(/lone high surrogate/);
    expect(syntaxError('"\\udc00x"').message).toMatch(/lone low surrogate/);
    expect(syntaxError('1e400').message).toMatch(/too large/);
    expect(syntaxError('-1e309').message).toMatch(/too large/);
    expect(syntaxError('1' + '0'.repeat(400)).message).toMatch(/more than 400 characters/);
    expect(syntaxError('\ufeff{}').message).toMatch(/byte 0xef/);
    expect(parse('"\\ud83d\\ude00"')).toBe('\u{1f600}');
  });

  it('stops at its limits: depth, value count and text', () => {
    const deep = syntaxError('['.repeat(200_000));
    expect(deep.message).toMatch(/nested more than 32 deep/);
    expect(deep.offset).toBe(32);
    expect(syntaxError(`[${'0,'.repeat(200_000)}0]`).message).toMatch(/more than 100000 values/);
    const many = `[${Array.from({ length: 40_000 }, () => '"abcdefghijklmnopqrstuvwxyz0123456789"').join(',')}]`;
    expect(syntaxError(many).message).toMatch(/more than 1048576 bytes of text/);
    expect(syntaxError(`"${'a\\n'.repeat(40)}"`).message).toMatch(/longer than 64 bytes/);
  });

  it('returns a long string without escapes as the bytes between its quotes', () => {
    const long = 'QUJD'.repeat(100);
    const v = parse(`{"data": "${long}", "name": "short"}`) as Map<string, JsonValue>;
    expect(v.get('data')).toBeInstanceOf(ByteSlice);
    expect(Buffer.from((v.get('data') as ByteSlice).bytes).toString('latin1')).toBe(long);
    expect(v.get('name')).toBe('short');
  });

  it('marks an input that ends too early as truncated', () => {
    const text = '{\n  "a": [1, 2],\n  "b": "xyz"\n}\n';
    for (let n = 0; n < text.trimEnd().length; n++) {
      const e = syntaxError(text.slice(0, n));
      expect(e.truncated, text.slice(0, n)).toBe(true);
    }
    expect(syntaxError('{"a": 1]').truncated).toBe(false);
  });
});

describe('line and column', () => {
  it('counts lines from 1 and columns in characters', () => {
    const b = Buffer.from('ab\ncé d\n\nx', 'utf8');
    expect(lineColumn(b, 0)).toEqual({ line: 1, col: 1 });
    expect(lineColumn(b, 2)).toEqual({ line: 1, col: 3 });
    expect(lineColumn(b, 3)).toEqual({ line: 2, col: 1 });
    expect(lineColumn(b, b.indexOf('d'))).toEqual({ line: 2, col: 4 });
    expect(lineColumn(b, b.length)).toEqual({ line: 4, col: 2 });
  });
});

describe('the JSON writer', () => {
  it('writes a fixed layout: one member per line, arrays of scalars on one line, tensors as base64', () => {
    const doc: DocValue = new Map<string, DocValue | undefined>([
      ['name', 'é"\n'],
      ['skipped', undefined],
      ['shape', [3, 2]],
      ['empty', new Map()],
      ['list', []],
      ['nested', [new Map([['x', 1.5]]), [true, null]]],
      ['data', new Float32Array([1, 2])],
    ]);
    const text = jsonBytes(doc).toString('utf8');
    expect(text).toBe(
      [
        '{',
        '  "name": "é\\"\\n",',
        '  "shape": [3, 2],',
        '  "empty": {},',
        '  "list": [],',
        '  "nested": [',
        '    {',
        '      "x": 1.5',
        '    },',
        '    [true, null]',
        '  ],',
        '  "data": "AACAPwAAAEA="',
        '}',
        '',
      ].join('\n'),
    );
    expect(jsonLength(doc)).toBe(Buffer.byteLength(text));
  });

  it('reads back as the document written', () => {
    const toDoc = (v: unknown): DocValue =>
      Array.isArray(v) ? v.map(toDoc) : v !== null && typeof v === 'object' ? new Map(Object.entries(v).map(([k, m]) => [k, toDoc(m)])) : (v as DocValue);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const bytes = jsonBytes(toDoc(value));
        expect(JSON.parse(bytes.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });
});
