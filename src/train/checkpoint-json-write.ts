// Writing a checkpoint document as JSON bytes, without JSON.stringify: a large model's text is
// longer than the longest string V8 allows (2^29 - 24 characters), so the text is measured first
// and then written into one buffer, tensors encoded straight into it as base64.
//
// The layout is fixed, so equal documents give equal bytes: two-space indentation, one member or
// element per line, except arrays of numbers, strings, booleans and null, which stay on one line
// (`"shape": [784, 256]`); members in the order of the Map; members whose value is undefined left
// out; a final newline. Numbers and strings are written as JSON.stringify writes them.
import { InternalError } from '../errors.js';
import { base64Length, writeF32Base64 } from './encode.js';

/** A JSON value as written: objects are ordered Maps, and a Float32Array is its base64 text. */
export type DocValue = null | boolean | number | string | Float32Array | DocValue[] | DocObject;
export type DocObject = Map<string, DocValue | undefined>;

interface Sink {
  text(s: string): void;
  f32(a: Float32Array): void;
}

const isPrimitive = (v: DocValue): boolean => v === null || typeof v !== 'object';

function scalar(v: null | boolean | number | string): string {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new InternalError(`checkpoint JSON: the number ${v} has no JSON form`);
  return JSON.stringify(v);
}

function walk(v: DocValue, indent: string, out: Sink): void {
  if (v instanceof Float32Array) {
    out.text('"');
    out.f32(v);
    out.text('"');
  } else if (v instanceof Map) {
    const members = [...v].filter(([, m]) => m !== undefined) as [string, DocValue][];
    if (members.length === 0) return out.text('{}');
    const inner = indent + '  ';
    out.text('{\n');
    members.forEach(([k, m], i) => {
      out.text(`${inner}${JSON.stringify(k)}: `);
      walk(m, inner, out);
      out.text(i < members.length - 1 ? ',\n' : '\n');
    });
    out.text(`${indent}}`);
  } else if (Array.isArray(v)) {
    if (v.every(isPrimitive)) return out.text(`[${v.map((e) => scalar(e as null | boolean | number | string)).join(', ')}]`);
    const inner = indent + '  ';
    out.text('[\n');
    v.forEach((e, i) => {
      out.text(inner);
      walk(e, inner, out);
      out.text(i < v.length - 1 ? ',\n' : '\n');
    });
    out.text(`${indent}]`);
  } else out.text(scalar(v));
}

/** The length in bytes of `doc` written by jsonBytes. */
export function jsonLength(doc: DocValue): number {
  let size = 1; // the final newline
  walk(doc, '', {
    text: (s) => (size += Buffer.byteLength(s, 'utf8')),
    f32: (a) => (size += base64Length(a.byteLength)),
  });
  return size;
}

/** `doc` as JSON bytes in the layout of the header; `length` is jsonLength(doc) when known. */
export function jsonBytes(doc: DocValue, length = jsonLength(doc)): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let at = 0;
  walk(doc, '', {
    text: (s) => (at += buf.write(s, at, 'utf8')),
    f32: (a) => (at += writeF32Base64(a, buf, at)),
  });
  buf[at++] = 0x0a;
  if (at !== length) throw new InternalError(`checkpoint JSON: wrote ${at} bytes, measured ${length}`);
  return buf;
}
