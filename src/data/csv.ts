// A CSV reader: a header row, then records of the same width. RFC 4180 quoting ("" inside a quoted
// field is one quote; quoted fields may hold commas and newlines), CRLF or LF line ends, an optional
// UTF-8 byte-order mark, and blank lines at the end ignored. Rows are counted from 1 with the header
// as row 1, so a row number is the record a user sees when counting records in the file.
// Files are strict UTF-8, and bounded: see limits.ts for the size, record, column and cell caps.
import { DataError, oneLine } from '../errors.js';
import { sizeText } from '../io/read.js';
import { CSV_LIMITS, CSV_MAX_BYTES, CSV_MAX_RECORD_CHARS, type CsvLimits } from './limits.js';
import { decodeDataText, type FileKind, readDataBytes, readDataHead } from './read-file.js';

export interface CsvTable {
  header: string[];
  rows: string[][];
}

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** How messages name a CSV file given by the config key `key`, and what to check when it is missing. */
export function csvFile(key = 'data.path'): FileKind {
  return { noun: 'data file', missingHint: `check ${key}; a relative path is resolved against the folder of the config file` };
}

const CSV_FILE: FileKind = csvFile();

/**
 * Reads and parses a CSV file that must hold at least one data row; a missing, unreadable,
 * oversized or malformed file is a DataError naming it.
 */
export function readCsvTable(path: string, kind: FileKind = CSV_FILE): CsvTable {
  const table = parseCsv(decodeDataText(readDataBytes(path, CSV_MAX_BYTES, kind), path, kind), path);
  if (table.rows.length === 0) throw new DataError('the file has no data rows, only a header', { file: path, line: 1 });
  return table;
}

/** Parses CSV text; `file` only names the source in errors; `limits` are the caps of limits.ts. */
export function parseCsv(text: string, file: string, limits: CsvLimits = CSV_LIMITS): CsvTable {
  const { records, blank } = splitRecords(text, file, limits);
  let end = records.length;
  while (end > 0 && blank[end - 1]) end--;
  if (end === 0) throw new DataError('the CSV file is empty (no header row)', { file });

  const header = records[0];
  checkHeader(header, file);
  const rows: string[][] = [];
  for (let r = 1; r < end; r++) {
    const rec = records[r];
    if (rec.length !== header.length) {
      if (blank[r]) throw new DataError('blank line inside the data', { file, row: r + 1 }, 'remove the blank line');
      throw new DataError(`expected ${header.length} fields (as in the header), found ${rec.length}`, { file, row: r + 1 }, 'quote fields that contain commas');
    }
    rows.push(rec);
  }
  return { header, rows };
}

function checkHeader(header: string[], file: string): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new DataError('duplicate column name in the header', { file, row: 1, column: oneLine(name, 60) }, 'give every column a distinct name');
    }
    seen.add(name);
  }
}

/** Splits text into records of fields; `blank[i]` marks a record that was an empty (or whitespace-only) line. */
function splitRecords(text: string, file: string, limits: CsvLimits): { records: string[][]; blank: boolean[] } {
  const records: string[][] = [];
  const blank: boolean[] = [];
  const n = text.length;
  let i = n > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (i >= n) return { records, blank };

  let record: string[] = [];
  let recordStart = i;
  let cells = 0;
  let anyQuoted = false;
  for (;;) {
    const row = records.length + 1;
    let field: string;
    if (i < n && text.charCodeAt(i) === QUOTE) {
      anyQuoted = true;
      ({ field, next: i } = quotedField(text, i, file, row, recordStart, limits.recordChars));
    } else {
      // Scanning stops at the record cap, so a huge line is refused before it is cut into fields.
      const stop = Math.min(n, recordStart + limits.recordChars + 1);
      let j = i;
      while (j < stop) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    if (i - recordStart > limits.recordChars) throw tooLong(file, row, limits.recordChars);
    record.push(field);
    if (record.length > limits.columns) {
      throw new DataError(`more than ${limits.columns} fields in one row`, { file, row }, 'dlf reads CSV tables of at most that many columns');
    }
    if (++cells > limits.cells) {
      throw new DataError(`more than ${limits.cells} cells in the file`, { file, row }, 'dlf reads CSV tables of at most that many cells; use a smaller file');
    }

    if (i < n && text.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    // End of the record: a line end or the end of the text.
    if (i < n) {
      if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
      else i++;
    }
    records.push(record);
    if (records.length > limits.records) {
      throw new DataError(`more than ${limits.records} rows in the file`, { file, row }, 'dlf reads CSV tables of at most that many rows; use a smaller file');
    }
    blank.push(record.length === 1 && !anyQuoted && record[0].trim() === '');
    if (i >= n) break;
    record = [];
    recordStart = i;
    anyQuoted = false;
  }
  return { records, blank };
}

function tooLong(file: string, row: number, max: number, hint = 'dlf reads CSV rows up to that length; is this a CSV file?'): DataError {
  return new DataError(`longer than ${max} characters`, { file, row }, hint);
}

/**
 * Reads the quoted field whose opening quote is at `start`; returns it and the index after it.
 * The field must close within the longest record allowed, `maxChars` from `recordStart`.
 */
function quotedField(text: string, start: number, file: string, row: number, recordStart: number, maxChars: number): { field: string; next: number } {
  const n = text.length;
  const limit = recordStart + maxChars;
  // Find the closing quote first (a quote not followed by another), then copy the field once.
  let i = start + 1;
  let doubled = false;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0 || q > limit) {
      if (q < 0 && n <= limit) throw new DataError('unterminated quoted field', { file, row }, 'close the field with a double quote');
      throw tooLong(file, row, maxChars, 'a quoted field runs on past that length; is a closing quote missing?');
    }
    if (text.charCodeAt(q + 1) === QUOTE) {
      doubled = true;
      i = q + 2;
    } else {
      i = q + 1;
      break;
    }
  }
  const inner = text.slice(start + 1, i - 1);
  const field = doubled ? inner.replace(/""/g, '"') : inner;
  while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  if (i < n) {
    const c = text.charCodeAt(i);
    if (c !== COMMA && c !== LF && c !== CR) {
      throw new DataError(`unexpected '${text[i]}' after a closing quote`, { file, row }, 'write a quote inside a quoted field as two quotes ("")');
    }
  }
  return { field, next: i };
}

/**
 * Just the header of a CSV file (for compiling a model before its data is read): only the bytes up
 * to the first line break are read, in steps, up to the longest record dlf reads.
 */
export function readCsvHeader(path: string): string[] {
  // A character takes at most 4 bytes of UTF-8, so the longest record fits in 4 times its length.
  const maxBytes = 4 * CSV_MAX_RECORD_CHARS;
  for (let want = 64 * 1024; ; want *= 4) {
    const { head, size } = readDataHead(path, Math.min(want, maxBytes), CSV_FILE);
    const nl = head.indexOf(LF);
    if (nl >= 0 || head.length >= size) {
      // A line feed byte never occurs inside a multi-byte UTF-8 character, so the cut is clean.
      const text = decodeDataText(nl >= 0 ? head.subarray(0, nl + 1) : head, path, CSV_FILE);
      return parseCsv(text, path).header;
    }
    if (head.length >= maxBytes) throw new DataError(`header line longer than ${sizeText(maxBytes)}`, { file: path, line: 1 }, 'is this a CSV file?');
  }
}
