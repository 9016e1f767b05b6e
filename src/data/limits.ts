// The largest data inputs dlf reads, per kind of file. Every data file is read whole into memory, so
// each cap bounds what a file, hostile or mistaken, can make dlf allocate; each is far above what
// a real data set of that kind needs. docs/limits.md lists them for users.

/**
 * A CSV file: 256 MiB. The text becomes one JavaScript string (at most 2 bytes per character, and
 * V8's longest string is 2^29 - 24 characters, about 512 MiB), and the parsed cells cost about 35
 * bytes each on top, so the cap keeps a whole read well inside Node's default heap.
 */
export const CSV_MAX_BYTES = 256 * 1024 ** 2;

/**
 * One CSV record (a line, or several when a quoted field holds line breaks): 8 Mi characters.
 * Enough for 262,144 numeric columns of 32 characters; a longer line is not a table row.
 */
export const CSV_MAX_RECORD_CHARS = 8 * 1024 ** 2;

/** Columns of a CSV file: 262,144 (2^18), a flattened 512×512 image or 3×224×224 with room to spare. */
const CSV_MAX_COLUMNS = 2 ** 18;

/**
 * Cells of a whole CSV file (header included): 16 million, and records: 4 million. A parsed cell
 * takes about 35 bytes of heap and a record about 120 more (measured), so a table at both caps
 * takes about 1 GB before its floats are made, and a whole run (split, standardised) stays within
 * Node's default heap. (At 32 million cells in 16 million records, validate peaked at 4.2 GB.)
 */
const CSV_MAX_CELLS = 16_000_000;
const CSV_MAX_RECORDS = 4_000_000;

/**
 * The data of an IDX file (after decompression, without its header): 2 GiB, e.g. 2.7 million
 * images of 28×28. The bytes are kept as they are (one per pixel or label), outside the JS heap.
 */
export const IDX_MAX_DATA_BYTES = 2 * 1024 ** 3;

/** Pixels of one IDX image: 2^24 (4096×4096); the model takes one image per sample. */
export const IDX_MAX_IMAGE_PIXELS = 2 ** 24;

/**
 * How much deflate can expand: at most about 1032 output bytes per input byte. An IDX header that
 * announces more data than its gzip file could hold is refused before anything is inflated.
 */
export const DEFLATE_MAX_RATIO = 1032;

/**
 * A plain text file (data.source: text): 16 MiB. Its tokens are numbered as they are read (4 bytes
 * each), then cut into windows of floats (8 bytes per token, x and y), so a whole read stays well
 * inside Node's default heap; a character-level corpus for a CPU run is far smaller.
 */
export const TEXT_MAX_BYTES = 16 * 1024 ** 2;

/** One line of a plain text file: 1 Mi characters. A longer line is not prose but data or a dump. */
export const TEXT_MAX_LINE_CHARS = 1024 ** 2;

/** The caps of one CSV read; parseCsv takes others in tests. */
export interface CsvLimits {
  recordChars: number;
  columns: number;
  cells: number;
  records: number;
}

export const CSV_LIMITS: CsvLimits = { recordChars: CSV_MAX_RECORD_CHARS, columns: CSV_MAX_COLUMNS, cells: CSV_MAX_CELLS, records: CSV_MAX_RECORDS };
