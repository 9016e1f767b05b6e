// A CSV reader: a header row, then records of the same width. RFC 4180 quoting ("" inside a quoted
// field is one quote; quoted fields may hold commas and newlines), CRLF or LF line ends, an optional
// UTF-8 byte-order mark, and blank lines at the end ignored. Rows are counted from 1 with the header
// as row 1, so a row number is the record a user sees when counting records in the file.
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';

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

/** Reads and parses a CSV file; a missing or unreadable file is a DataError naming it. */
export function readCsvTable(path: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DataError('data file not found', { file: path }, 'check data.path; a relative path is resolved against the folder of the config file');
    }
    if (code === 'EISDIR') throw new DataError('data path is a directory, not a file', { file: path });
    throw new DataError(`cannot read data file: ${(e as Error).message}`, { file: path });
  }
  return parseCsv(text, path);
}

/** Parses CSV text; `file` only names the source in errors. */
export function parseCsv(text: string, file: string): CsvTable {
  const { records, blank } = splitRecords(text, file);
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
      throw new DataError(
        `expected ${header.length} fields (as in the header), found ${rec.length}`,
        { file, row: r + 1 },
        'quote fields that contain commas',
      );
    }
    rows.push(rec);
  }
  return { header, rows };
}

function checkHeader(header: string[], file: string): void {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new DataError('duplicate column name in the header', { file, row: 1, column: name }, 'give every column a distinct name');
    }
    seen.add(name);
  }
}

/** Splits text into records of fields; `blank[i]` marks a record that was an empty (or whitespace-only) line. */
function splitRecords(text: string, file: string): { records: string[][]; blank: boolean[] } {
  const records: string[][] = [];
  const blank: boolean[] = [];
  const n = text.length;
  let i = n > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (i >= n) return { records, blank };

  let record: string[] = [];
  let anyQuoted = false;
  for (;;) {
    let field: string;
    if (i < n && text.charCodeAt(i) === QUOTE) {
      anyQuoted = true;
      ({ field, next: i } = quotedField(text, i, file, records.length + 1));
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    record.push(field);

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
    blank.push(record.length === 1 && !anyQuoted && record[0].trim() === '');
    if (i >= n) break;
    record = [];
    anyQuoted = false;
  }
  return { records, blank };
}

/** Reads the quoted field whose opening quote is at `start`; returns it and the index after it. */
function quotedField(text: string, start: number, file: string, row: number): { field: string; next: number } {
  const n = text.length;
  let field = '';
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) throw new DataError('unterminated quoted field', { file, row }, 'close the field with a double quote');
    field += text.slice(i, q);
    if (text.charCodeAt(q + 1) === QUOTE) {
      field += '"';
      i = q + 2;
    } else {
      i = q + 1;
      break;
    }
  }
  while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
  if (i < n) {
    const c = text.charCodeAt(i);
    if (c !== COMMA && c !== LF && c !== CR) {
      throw new DataError(
        `unexpected '${text[i]}' after a closing quote`,
        { file, row },
        'write a quote inside a quoted field as two quotes ("")',
      );
    }
  }
  return { field, next: i };
}

/** Just the header of a CSV file (for compiling a model before its data is read). */
export function readCsvHeader(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return readCsvTable(path).header; // raises the same DataError a full read would
  }
  const nl = text.indexOf('\n');
  return parseCsv(nl < 0 ? text : text.slice(0, nl + 1), path).header;
}
