// Float32 arrays as base64 of their little-endian bytes, so checkpoints round-trip bit-exactly.
//
// The codec works on bytes, not strings: a checkpoint's tensors are encoded straight into the
// output buffer and decoded straight from the bytes read, so no tensor ever becomes a JavaScript
// string (whose length V8 caps at 2^29 - 24 characters, about 100M floats of base64). Decoding is
// strict: only canonical standard base64 (RFC 4648 section 4: the alphabet A-Z a-z 0-9 + /, `=`
// padding to a multiple of 4 characters, the unused bits of the last character zero, no
// whitespace, no URL-safe `-` `_`) of a whole number of float32 values is accepted, so that one
// text means one array and one array has one text.

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='

/** Two base64 characters (their codes, low byte first) for each 12-bit value. */
const PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++) PAIRS[i] = ALPHABET.charCodeAt(i >> 6) | (ALPHABET.charCodeAt(i & 63) << 8);

/**
 * For the k-th character of a group of four (k = 0..3): each byte's 6-bit value shifted to its
 * place in the group's 24 bits, or INVALID (the sign bit, so that OR-ing a group's four entries
 * gives its 24 bits, negative when any byte was no base64 character).
 */
const INVALID = -0x80000000;
const PLACED = [18, 12, 6, 0].map((shift) => {
  const t = new Int32Array(256).fill(INVALID);
  for (let i = 0; i < 64; i++) t[ALPHABET.charCodeAt(i)] = i << shift;
  return t;
});
const [P0, P1, P2, P3] = PLACED;

/** Characters of the base64 text of `bytes` bytes (padded). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** The little-endian bytes of `a`: a view of it on little-endian hosts, a swapped copy otherwise. */
export function littleEndianBytes(a: Float32Array): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (littleEndian) return view;
  const out = new Uint8Array(a.byteLength);
  for (let i = 0; i < out.length; i += 4) {
    out[i] = view[i + 3];
    out[i + 1] = view[i + 2];
    out[i + 2] = view[i + 1];
    out[i + 3] = view[i];
  }
  return out;
}

/** Writes the base64 text of `src` into `out` from `at`; returns the number of bytes written. */
export function writeBase64(src: Uint8Array, out: Uint8Array, at: number): number {
  const n = src.length;
  const whole = n - (n % 3);
  let o = at;
  for (let i = 0; i < whole; i += 3) {
    const v = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
    const hi = PAIRS[v >>> 12];
    const lo = PAIRS[v & 4095];
    out[o] = hi;
    out[o + 1] = hi >>> 8;
    out[o + 2] = lo;
    out[o + 3] = lo >>> 8;
    o += 4;
  }
  if (n > whole) {
    const v = (src[whole] << 16) | (n - whole === 2 ? src[whole + 1] << 8 : 0);
    out[o] = ALPHABET.charCodeAt(v >>> 18);
    out[o + 1] = ALPHABET.charCodeAt((v >>> 12) & 63);
    out[o + 2] = n - whole === 2 ? ALPHABET.charCodeAt((v >>> 6) & 63) : PAD;
    out[o + 3] = PAD;
    o += 4;
  }
  return o - at;
}

/** Writes the base64 text of `a`'s little-endian bytes into `out` from `at`; returns the bytes written. */
export function writeF32Base64(a: Float32Array, out: Uint8Array, at: number): number {
  return writeBase64(littleEndianBytes(a), out, at);
}

/** The base64 text of `a`'s little-endian bytes. */
export function encodeF32(a: Float32Array): string {
  const out = Buffer.allocUnsafe(base64Length(a.byteLength));
  writeF32Base64(a, out, 0);
  return out.toString('latin1');
}

/**
 * Decodes canonical standard base64 (see the header) into bytes; null when `text` is anything
 * else. `text` is the characters' codes, one byte each.
 */
export function decodeBase64(text: Uint8Array): Uint8Array | null {
  const n = text.length;
  if (n % 4 !== 0) return null;
  if (n === 0) return new Uint8Array(0);
  const pad = text[n - 1] === PAD ? (text[n - 2] === PAD ? 2 : 1) : 0;
  const out = new Uint8Array((n / 4) * 3 - pad);
  const full = pad ? n - 4 : n;
  let o = 0;
  let bad = 0;
  for (let i = 0; i < full; i += 4) {
    const v = P0[text[i]] | P1[text[i + 1]] | P2[text[i + 2]] | P3[text[i + 3]];
    bad |= v; // negative once any byte was no base64 character
    out[o] = v >>> 16;
    out[o + 1] = v >>> 8;
    out[o + 2] = v;
    o += 3;
  }
  if (bad < 0) return null;
  if (pad) {
    // The last group: two or three characters and padding; the bits past the last whole byte
    // must be zero for the text to be canonical.
    const v = P0[text[n - 4]] | P1[text[n - 3]] | (pad === 1 ? P2[text[n - 2]] : 0);
    if (v < 0 || (v & (pad === 2 ? 0xffff : 0xff)) !== 0) return null;
    out[o] = v >>> 16;
    if (pad === 1) out[o + 1] = v >>> 8;
  }
  return out;
}

/**
 * Decodes the base64 of little-endian float32 values (a string, or its bytes); null unless the
 * text is canonical standard base64 of a whole number of float32 values.
 */
export function decodeF32(text: string | Uint8Array): Float32Array | null {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const raw = decodeBase64(bytes);
  if (raw === null || raw.length % 4 !== 0) return null;
  const out = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  if (!littleEndian) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const copy = new Float32Array(out.length);
    for (let i = 0; i < copy.length; i++) copy[i] = view.getFloat32(i * 4, true);
    return copy;
  }
  return out;
}
