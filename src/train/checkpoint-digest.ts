// The digest a checkpoint carries: SHA-256 over a canonical binary form of the document, so that
// a file cut short, a flipped bit or an edit is found on loading. The form depends only on the
// values, not on the JSON text (spacing, member order, number spelling), and covers the tensors
// by their raw little-endian float32 bytes rather than their base64. docs/checkpoint.md defines
// it for other tools; in short, C(value) is:
//
//   null 'n'   false 'f'   true 't'
//   number     'd' + float64 little-endian (-0 as +0)
//   string     's' + uint32 LE byte length + the UTF-8 bytes
//   tensor     'b' + uint64 LE byte length + the float32 little-endian bytes
//   array      'a' + uint32 LE count + C(element)...
//   object     'o' + uint32 LE count + per member, in ascending order of the keys' UTF-8
//              bytes: uint32 LE key byte length + key bytes + C(value)
//
// and the digest is SHA-256 of the ASCII line "dlf-checkpoint-digest\n" followed by C of the
// document without its `digest` member, written `sha256:` + 64 lowercase hex digits.
import { createHash, type Hash } from 'node:crypto';
import type { DocValue } from './checkpoint-json-write.js';
import { littleEndianBytes } from './encode.js';

const DIGEST_DOMAIN = 'dlf-checkpoint-digest\n';
const DIGEST_PREFIX = 'sha256:';

const tag = (c: string) => Buffer.from(c, 'latin1');
const TAGS = { n: tag('n'), f: tag('f'), t: tag('t'), d: tag('d'), s: tag('s'), b: tag('b'), a: tag('a'), o: tag('o') };

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

function feed(h: Hash, v: DocValue): void {
  if (v === null) h.update(TAGS.n);
  else if (v === false) h.update(TAGS.f);
  else if (v === true) h.update(TAGS.t);
  else if (typeof v === 'number') {
    const b = Buffer.allocUnsafe(9);
    b[0] = TAGS.d[0];
    b.writeDoubleLE(v === 0 ? 0 : v, 1);
    h.update(b);
  } else if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    h.update(TAGS.s).update(u32(s.length)).update(s);
  } else if (v instanceof Float32Array) {
    h.update(TAGS.b).update(u64(v.byteLength)).update(littleEndianBytes(v));
  } else if (Array.isArray(v)) {
    h.update(TAGS.a).update(u32(v.length));
    for (const e of v) feed(h, e);
  } else {
    const members = [...v]
      .filter(([, m]) => m !== undefined)
      .map(([k, m]) => [Buffer.from(k, 'utf8'), m as DocValue] as const)
      .sort((x, y) => Buffer.compare(x[0], y[0]));
    h.update(TAGS.o).update(u32(members.length));
    for (const [k, m] of members) {
      h.update(u32(k.length)).update(k);
      feed(h, m);
    }
  }
}

/** The digest of a checkpoint document (its `digest` member, if any, left out): `sha256:<hex>`. */
export function digestOf(doc: Map<string, DocValue | undefined>): string {
  const h = createHash('sha256').update(DIGEST_DOMAIN, 'latin1');
  const rest = new Map(doc);
  rest.delete('digest');
  feed(h, rest);
  return DIGEST_PREFIX + h.digest('hex');
}
