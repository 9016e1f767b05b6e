// Float32 arrays as base64 of their little-endian bytes, so checkpoints round-trip bit-exactly.

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeF32(a: Float32Array): string {
  const bytes = new Uint8Array(a.length * 4);
  const view = new DataView(bytes.buffer);
  if (littleEndian) bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  else for (let i = 0; i < a.length; i++) view.setFloat32(i * 4, a[i], true);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Decodes base64 little-endian float32 data; null when it is not a whole number of floats. */
export function decodeF32(text: string): Float32Array | null {
  const buf = Buffer.from(text, 'base64');
  if (buf.length % 4 !== 0) return null;
  const out = new Float32Array(buf.length / 4);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
