// A strict JSON parser over the bytes of a checkpoint file. JSON.parse cannot be used: it needs
// the whole file as one string (V8 caps a string at 2^29 - 24 characters, a checkpoint of about
// 33M parameters with Adam), it reports a character offset rather than a line and column, and it
// gives objects whose `__proto__` key is special. This parser:
//   - follows RFC 8259 exactly (no comments, no trailing commas, no byte-order mark, UTF-8 only,
//     no lone surrogates in \u escapes), and reports every error with the byte offset at which it
//     was found (lineColumn turns it into line:column);
//   - returns objects as Maps in file order, rejects duplicate keys and the keys `__proto__`,
//     `constructor` and `prototype` anywhere;
//   - returns a string longer than `longString` bytes that holds no escape as a ByteSlice (the raw
//     bytes between its quotes, unchecked) instead of a string: that is how base64 tensor data
//     arrive without ever becoming a string; longer strings with escapes are an error;
//   - bounds its work: nesting depth, the number of values and the total bytes of strings are
//     capped, a number has at most 400 characters and must be finite.
// Every failure is a JsonSyntaxError; nothing else is thrown for any input.

export type JsonValue = null | boolean | number | string | ByteSlice | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A long string's raw bytes (between its quotes, no escapes in them), not decoded or checked. */
export class ByteSlice {
  constructor(readonly bytes: Uint8Array) {}
}

/** Invalid JSON, or JSON past a limit: what was wrong and the byte offset where it was found. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** The input ended where more was expected: the file was cut short. */
    readonly truncated = false,
  ) {
    super(message);
  }
}

export interface JsonLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most values (of any kind, members and elements included) in the document. */
  maxValues: number;
  /** Most bytes of strings that become JavaScript strings (keys included), in total. */
  maxTextBytes: number;
  /** Strings of more bytes than this are returned as ByteSlice. */
  longString: number;
}

/** Names that must never be keys: they are special on JavaScript objects. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const MAX_NUMBER_CHARS = 400;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses `bytes` as one JSON document within `limits`; throws JsonSyntaxError for anything else. */
export function parseJson(bytes: Uint8Array, limits: JsonLimits): JsonValue {
  // A Buffer view: its indexOf is a fast byte search, which finds the end of a long string.
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = b.length;
  let pos = 0;
  let values = 0;
  let textBytes = 0;

  const fail = (message: string, at = pos): never => {
    throw new JsonSyntaxError(message, at, at >= n);
  };
  const describe = (at: number): string => {
    if (at >= n) return 'the end of the file';
    const c = b[at];
    return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  };
  const skipSpace = () => {
    while (pos < n) {
      const c = b[pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
  };
  const expect = (c: number, what: string) => {
    skipSpace();
    if (b[pos] !== c || pos >= n) fail(`expected ${what}, found ${describe(pos)}`);
    pos++;
  };
  const countText = (len: number, at: number) => {
    textBytes += len;
    if (textBytes > limits.maxTextBytes) fail(`more than ${limits.maxTextBytes} bytes of text`, at);
  };

  /** The string starting at the quote at `pos`, which is moved past its closing quote. */
  const parseString = (): string | ByteSlice => {
    const start = pos + 1;
    let end = b.indexOf(QUOTE, start);
    if (end < 0) fail('a string is not closed', n);
    const escaped = b.subarray(start, end).indexOf(BACKSLASH) >= 0;
    if (!escaped) {
      pos = end + 1;
      if (end - start > limits.longString) return new ByteSlice(b.subarray(start, end));
      return plainText(start, end);
    }
    // With escapes: walk to the real closing quote, decoding as we go.
    let out = '';
    let run = start; // start of the current run of bytes without escapes
    let i = start;
    for (;;) {
      if (i - start > limits.longString) fail(`a string with escapes is longer than ${limits.longString} bytes`, start);
      if (i >= n) fail('a string is not closed', n);
      const c = b[i];
      if (c === QUOTE) break;
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += plainText(run, i);
      const e = b[i + 1];
      let len = 2;
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const hi = hex4(i + 2);
          len = 6;
          if (hi >= 0xdc00 && hi <= 0xdfff) fail('a \\u escape is a lone low surrogate', i);
          if (hi >= 0xd800 && hi <= 0xdbff) {
            const lo = b[i + 6] === BACKSLASH && b[i + 7] === 0x75 ? hex4(i + 8) : -1;
            if (lo < 0xdc00 || lo > 0xdfff) fail('a \\u escape is a lone high surrogate', i);
            len = 12;
            out += String.fromCharCode(hi, lo);
          } else out += String.fromCharCode(hi);
          break;
        }
        default:
          fail(`invalid escape \\${i + 1 < n ? String.fromCharCode(b[i + 1]) : ''}`, i);
      }
      i += len;
      run = i;
    }
    out += plainText(run, i);
    end = i;
    pos = end + 1;
    return out;
  };
  /** Four hex digits at `at` as a number; fails when they are not. */
  const hex4 = (at: number): number => {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      if (at + k >= n) fail('a \\u escape is cut short', n);
      const c = b[at + k];
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) fail('a \\u escape needs four hex digits', at + k);
      v = v * 16 + d;
    }
    return v;
  };
  /** Bytes [s, e) of a string without escapes: no control characters, valid UTF-8. */
  const plainText = (s: number, e: number): string => {
    countText(e - s, s);
    for (let i = s; i < e; i++) {
      const c = b[i];
      if (c < 0x20) fail(`a control character (byte 0x${c.toString(16).padStart(2, '0')}) in a string`, i);
    }
    try {
      return utf8.decode(b.subarray(s, e));
    } catch {
      return fail('a string is not valid UTF-8', s);
    }
  };

  const parseNumber = (): number => {
    const start = pos;
    if (b[pos] === 0x2d) pos++;
    const digits = () => {
      const s = pos;
      while (pos < n && b[pos] >= 0x30 && b[pos] <= 0x39) pos++;
      if (pos === s) fail(`expected a digit, found ${describe(pos)}`);
    };
    if (b[pos] === 0x30) pos++;
    else digits();
    if (b[pos] === 0x2e) {
      pos++;
      digits();
    }
    if (b[pos] === 0x65 || b[pos] === 0x45) {
      pos++;
      if (b[pos] === 0x2b || b[pos] === 0x2d) pos++;
      digits();
    }
    if (pos - start > MAX_NUMBER_CHARS) fail(`a number of more than ${MAX_NUMBER_CHARS} characters`, start);
    const v = Number(String.fromCharCode.apply(null, b.subarray(start, pos) as unknown as number[]));
    if (!Number.isFinite(v)) fail('a number too large for a double', start);
    return v;
  };

  const literal = (word: string, value: JsonValue): JsonValue => {
    for (let k = 0; k < word.length; k++) {
      if (b[pos + k] !== word.charCodeAt(k)) fail(`expected a value, found ${describe(pos + k)}`, pos + k);
    }
    pos += word.length;
    return value;
  };

  const parseValue = (depth: number): JsonValue => {
    skipSpace();
    if (++values > limits.maxValues) fail(`more than ${limits.maxValues} values`);
    if (pos >= n) fail('expected a value, found the end of the file');
    const c = b[pos];
    if (c === QUOTE) return parseString();
    if (c === 0x7b || c === 0x5b) {
      if (depth >= limits.maxDepth) fail(`nested more than ${limits.maxDepth} deep`);
      return c === 0x7b ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    return fail(`expected a value, found ${describe(pos)}`);
  };

  const parseArray = (depth: number): JsonValue[] => {
    pos++; // [
    const out: JsonValue[] = [];
    skipSpace();
    if (b[pos] === 0x5d) {
      pos++;
      return out;
    }
    for (;;) {
      out.push(parseValue(depth));
      skipSpace();
      if (b[pos] === 0x2c) {
        pos++;
        continue;
      }
      if (b[pos] === 0x5d && pos < n) {
        pos++;
        return out;
      }
      fail(`expected ',' or ']', found ${describe(pos)}`);
    }
  };

  const parseObject = (depth: number): JsonObject => {
    pos++; // {
    const out: JsonObject = new Map();
    skipSpace();
    if (b[pos] === 0x7d) {
      pos++;
      return out;
    }
    for (;;) {
      skipSpace();
      const at = pos;
      if (b[pos] !== QUOTE || pos >= n) fail(`expected a key in quotes, found ${describe(pos)}`);
      const key = parseString();
      if (typeof key !== 'string') fail(`a key of more than ${limits.longString} bytes`, at);
      const k = key as string;
      if (RESERVED_KEYS.has(k)) fail(`the key '${k}' is not allowed`, at);
      if (out.has(k)) fail(`duplicate key '${k.length > 80 ? k.slice(0, 80) + '…' : k}'`, at);
      expect(0x3a, "':'");
      out.set(k, parseValue(depth));
      skipSpace();
      if (b[pos] === 0x2c) {
        pos++;
        continue;
      }
      if (b[pos] === 0x7d && pos < n) {
        pos++;
        return out;
      }
      fail(`expected ',' or '}', found ${describe(pos)}`);
    }
  };

  const value = parseValue(0);
  skipSpace();
  if (pos < n) fail(`unexpected ${describe(pos)} after the end of the document`);
  return value;
}

/** The 1-based line and column (in characters) of byte `offset` of UTF-8 `bytes`. */
export function lineColumn(bytes: Uint8Array, offset: number): { line: number; col: number } {
  const end = Math.min(offset, bytes.length);
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let col = 1;
  for (let i = lineStart; i < end; i++) if ((bytes[i] & 0xc0) !== 0x80) col++;
  return { line, col };
}
