// A second implementation of the checkpoint digest, written from docs/checkpoint.md over plain
// JSON.parse output (not dlf's parser or document code), to check that the documented canonical
// form is the one dlf computes, and to re-sign edited checkpoints in tests so that they reach the
// checks behind the digest.
import { createHash } from 'node:crypto';

/** The members whose strings are tensor data, hashed as their decoded bytes. */
function isDataPath(path: readonly string[]): boolean {
  const [top, , leaf] = path;
  if ((top === 'params' || top === 'state') && path.length === 3 && leaf === 'data') return true;
  return top === 'optimizer' && path[1] === 'slots' && path.length === 4;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function canonical(v: unknown, path: string[], out: Buffer[]): void {
  if (v === null) out.push(Buffer.from('n'));
  else if (v === false) out.push(Buffer.from('f'));
  else if (v === true) out.push(Buffer.from('t'));
  else if (typeof v === 'number') {
    const b = Buffer.alloc(9);
    b.write('d');
    b.writeDoubleLE(v === 0 ? 0 : v, 1);
    out.push(b);
  } else if (typeof v === 'string' && isDataPath(path)) {
    const bytes = Buffer.from(v, 'base64');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(bytes.length));
    out.push(Buffer.from('b'), len, bytes);
  } else if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    out.push(Buffer.from('s'), u32(s.length), s);
  } else if (Array.isArray(v)) {
    out.push(Buffer.from('a'), u32(v.length));
    v.forEach((e, i) => canonical(e, [...path, String(i)], out));
  } else {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    out.push(Buffer.from('o'), u32(keys.length));
    for (const k of keys) {
      const kb = Buffer.from(k, 'utf8');
      out.push(u32(kb.length), kb);
      canonical(o[k], [...path, k], out);
    }
  }
}

/** The digest of a parsed checkpoint document as docs/checkpoint.md defines it. */
export function referenceDigest(doc: Record<string, unknown>): string {
  const { digest: _ignored, ...rest } = doc;
  const parts: Buffer[] = [Buffer.from('dlf-checkpoint-digest\n')];
  canonical(rest, [], parts);
  return 'sha256:' + createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

/** `doc` with its digest recomputed, as JSON text. */
export function resigned(doc: Record<string, unknown>): string {
  return JSON.stringify({ ...doc, digest: referenceDigest(doc) }, null, 2);
}
