// The float32 base64 codec: bit-exact both ways, the same text as Node's base64, and strict:
// only canonical standard base64 of whole float32 values decodes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Length, decodeBase64, decodeF32, encodeF32, writeBase64 } from '../../src/train/encode.js';

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

describe('float32 base64', () => {
  it('round-trips every bit pattern, NaN payloads, -0 and denormals included', () => {
    const a = new Float32Array(new Uint32Array([0, 0x80000000, 1, 0x007fffff, 0x7f800000, 0xff800000, 0x7fc00001, 0xffffffff, 0x3f800000]).buffer);
    expect(bits(decodeF32(encodeF32(a))!)).toEqual(bits(a));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 40 }), (words) => {
        const f = new Float32Array(new Uint32Array(words).buffer);
        expect(bits(decodeF32(encodeF32(f))!)).toEqual(words);
      }),
    );
  });

  it("writes the text Node's base64 writes, for any byte count", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 50 }), (bytes) => {
        const out = Buffer.alloc(base64Length(bytes.length));
        expect(writeBase64(bytes, out, 0)).toBe(out.length);
        expect(out.toString('latin1')).toBe(Buffer.from(bytes).toString('base64'));
        expect([...decodeBase64(out)!]).toEqual([...bytes]);
      }),
    );
  });

  it('decodes only canonical text: any other string is refused', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AB+/-_= \n\r\tQgw='.split('')), maxLength: 24 }), (text) => {
        const bytes = decodeBase64(Buffer.from(text, 'latin1'));
        const canonical = Buffer.from(text, 'base64').toString('base64') === text;
        expect(bytes !== null).toBe(canonical);
      }),
    );
  });

  it('refuses whitespace, the URL-safe alphabet, missing or extra padding, stray bits and partial floats', () => {
    const ok = encodeF32(new Float32Array([1.4999994, 2])); // '+/+/PwAAAEA='
    expect(ok).toBe('+/+/PwAAAEA=');
    expect(decodeF32(ok)).not.toBeNull();
    for (const bad of [
      '+/+/ PwAAAEA=',
      '+/+/PwAAAEA=\n',
      '-_-_PwAAAEA=',
      '+/+/PwAAAEA',
      '+/+/PwAAAEA==',
      '+/+/PwAAAEB=',
      '+/+/PwAA',
      'AAA=',
      'Ａ/+/PwAAAEA=',
    ]) {
      expect(decodeF32(bad), bad).toBeNull();
    }
    expect(decodeF32('')).toEqual(new Float32Array(0));
  });
});
