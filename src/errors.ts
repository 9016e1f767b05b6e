// The one error hierarchy of dlf. The library throws these; only cli/ turns them into
// messages and exit codes. Every error carries a code, the place it refers to (a file with
// line and column, a data row and column, or a graph node name) and an optional one-line hint.

export type ErrorCode =
  | 'USAGE' // bad command-line usage
  | 'CONFIG' // the config file is missing, not YAML, or fails the schema
  | 'DATA' // a data file is missing or malformed
  | 'SHAPE' // shapes do not fit together when the model is compiled
  | 'CHECKPOINT' // a checkpoint or run directory is missing, corrupt or does not match
  | 'TRAINING' // training diverged (NaN or infinite loss)
  | 'INTERRUPTED' // training was interrupted (Ctrl-C or SIGTERM); the last checkpoint is kept
  | 'IO' // the operating system refused a write (disk full, permission, read-only file system, ...)
  | 'EXPORT' // the model has a layer or op that an export format (ONNX) cannot express
  | 'INTERNAL'; // a bug in dlf

/** Where an error points: any subset of file, line:col, data row/column, graph node, config key path. */
export interface Place {
  file?: string;
  line?: number; // 1-based
  col?: number; // 1-based
  row?: number; // 1-based data row (the header is row 1 of a CSV file)
  column?: string; // data column name
  node?: string; // graph node or parameter name
  path?: string; // config key path, e.g. model.layers.1.units
}

export class DlfError extends Error {
  readonly code: ErrorCode;
  readonly place: Place;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, place: Place = {}, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.place = place;
    this.hint = hint;
  }

  /** One line: `file:line:col: path: message (hint)`. */
  format(): string {
    return formatLine(this.place, this.message, this.hint);
  }
}

export class UsageError extends DlfError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, {}, hint);
  }
}

export class ConfigError extends DlfError {
  /** All problems found in one config file; `message` holds the first. */
  readonly issues: { place: Place; message: string; hint?: string }[];

  constructor(issues: { place: Place; message: string; hint?: string }[]) {
    const first = issues[0] ?? { place: {}, message: 'invalid config' };
    super('CONFIG', first.message, first.place, first.hint);
    this.issues = issues;
  }

  override format(): string {
    return this.issues.map((i) => formatLine(i.place, i.message, i.hint)).join('\n');
  }
}

export class DataError extends DlfError {
  constructor(message: string, place: Place = {}, hint?: string) {
    super('DATA', message, place, hint);
  }
}

export class ShapeError extends DlfError {
  constructor(message: string, place: Place = {}, hint?: string) {
    super('SHAPE', message, place, hint);
  }
}

export class CheckpointError extends DlfError {
  constructor(message: string, place: Place = {}, hint?: string) {
    super('CHECKPOINT', message, place, hint);
  }
}

export class TrainingError extends DlfError {
  constructor(message: string, place: Place = {}, hint?: string) {
    super('TRAINING', message, place, hint);
  }
}

/**
 * A model that an export format cannot express: the message names the op and the layer it belongs
 * to, the place its config key and graph node. Exit code 2, like any other model the input does not allow.
 */
export class ExportError extends DlfError {
  constructor(message: string, place: Place = {}, hint?: string) {
    super('EXPORT', message, place, hint);
  }
}

/** The signals that interrupt dlf; each has its conventional exit code 128 + number. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** The signal that aborted `signal` (its reason, as interrupt handlers set it), or undefined when it was not aborted. */
export function interruptOf(signal: AbortSignal | undefined): InterruptSignal | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

export class InterruptedError extends DlfError {
  readonly signal: InterruptSignal;

  constructor(message: string, place: Place = {}, hint?: string, signal: InterruptSignal = 'SIGINT') {
    super('INTERRUPTED', message, place, hint);
    this.signal = signal;
  }
}

/**
 * The operating system failed an operation dlf needed to write its results: `op` says what dlf
 * was doing (`write`, `create`, `rename`, ...), `path` on what, `errno` the system's code
 * (ENOSPC, EACCES, ...). Formats as `cannot write runs/x/last.json: no space left on device`.
 * Reading an input that fails is the input's own error (ConfigError, DataError, CheckpointError).
 */
export class IoError extends DlfError {
  constructor(
    readonly op: string,
    readonly path: string,
    readonly reason: string,
    readonly errno?: string,
    hint?: string,
  ) {
    super('IO', `cannot ${op} ${path}: ${reason}`, {}, hint);
  }

  /** The same failure with a hint (what is still intact, how to go on). */
  withHint(hint: string): IoError {
    return new IoError(this.op, this.path, this.reason, this.errno, hint);
  }
}

export class InternalError extends DlfError {
  constructor(message: string, place: Place = {}) {
    super('INTERNAL', message, place);
  }
}

/**
 * Exit codes: 0 success, 1 training failure (or a dlf bug), 2 invalid usage, config, data or
 * checkpoint, 3 an output could not be written, 130 interrupted by SIGINT, 143 by SIGTERM.
 */
export function exitCodeOf(code: ErrorCode, signal?: InterruptSignal): number {
  switch (code) {
    case 'INTERRUPTED':
      return signal === 'SIGTERM' ? 143 : 130;
    case 'IO':
      return 3;
    case 'TRAINING':
    case 'INTERNAL':
      return 1;
    default:
      return 2;
  }
}

/** The exit code of any error: a DlfError's by its code, anything else 1 (a bug in dlf). */
export function exitCodeFor(e: unknown): number {
  return e instanceof DlfError ? exitCodeOf(e.code, e instanceof InterruptedError ? e.signal : undefined) : 1;
}

/**
 * Text from outside (a file name, a cell, a YAML key) made safe for a one-line message: control
 * characters and line breaks are escaped as \n, \t, \xNN, and anything over `max` characters is
 * cut with an ellipsis.
 */
export function oneLine(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
  let s = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const hex = c.charCodeAt(0).toString(16);
    return c.charCodeAt(0) < 0x100 ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
  });
  if (s.length > max) s = s.slice(0, max) + '…';
  return s;
}

function formatLine(place: Place, message: string, hint?: string): string {
  return oneLine(formatRaw(place, message, hint), 4000);
}

function formatRaw(place: Place, message: string, hint?: string): string {
  let where = '';
  if (place.file) {
    where = place.file;
    if (place.line !== undefined) where += `:${place.line}` + (place.col !== undefined ? `:${place.col}` : '');
    else if (place.row !== undefined) where += `:${place.row}`;
    where += ': ';
  }
  const parts: string[] = [];
  if (place.path) parts.push(place.path);
  if (place.node && place.node !== place.path) parts.push(`node '${place.node}'`);
  if (place.row !== undefined && place.line === undefined) {
    parts.push(`row ${place.row}` + (place.column !== undefined ? `, column '${place.column}'` : ''));
  } else if (place.column !== undefined) parts.push(`column '${place.column}'`);
  const prefix = parts.length ? parts.join(', ') + ': ' : '';
  return `${where}${prefix}${message}${hint ? ` (${hint})` : ''}`;
}
