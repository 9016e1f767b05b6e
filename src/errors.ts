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
  | 'INTERRUPTED' // training was interrupted (Ctrl-C); the last checkpoint is kept
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

export class InterruptedError extends DlfError {
  constructor(message: string, place: Place = {}, hint?: string) {
    super('INTERRUPTED', message, place, hint);
  }
}

export class InternalError extends DlfError {
  constructor(message: string, place: Place = {}) {
    super('INTERNAL', message, place);
  }
}

/** Exit codes: 0 success, 1 training failure (or a dlf bug), 2 invalid usage, config or data, 130 interrupted. */
export function exitCodeOf(code: ErrorCode): number {
  switch (code) {
    case 'INTERRUPTED':
      return 130;
    case 'TRAINING':
    case 'INTERNAL':
      return 1;
    default:
      return 2;
  }
}

function formatLine(place: Place, message: string, hint?: string): string {
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
