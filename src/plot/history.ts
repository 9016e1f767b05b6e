// A run's history as training recorded it, one record per epoch, read from <run-dir>/metrics.jsonl
// for drawing. The reader is strict: a missing or empty file, a line that is not JSON or not an
// epoch's record is a CheckpointError naming the file (and the line). The one thing it forgives is
// what a process killed mid-append leaves, a last line cut short without its newline: that line is
// dropped and `cutShort` says so, as `dlf train --resume` drops it too.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';
import { METRICS_CAP, readRunFile } from '../train/rundir.js';

/** The numbers of one split in one epoch by metric name; null where the value was not finite (JSON has no NaN). */
export type SplitValues = Record<string, number | null>;

/** One line of metrics.jsonl. */
export interface HistoryRecord {
  epoch: number;
  lr?: number;
  train: SplitValues;
  val?: SplitValues;
  /** Wall time of the epoch. */
  seconds?: number;
}

export interface RunHistory {
  /** The run directory as given. */
  dir: string;
  /** Its metrics.jsonl. */
  file: string;
  records: HistoryRecord[];
  /** Whether a last line cut short (a killed process) was dropped. */
  cutShort: boolean;
}

const METRICS_FILE = 'metrics.jsonl';

/** Reads `<runDir>/metrics.jsonl`; see the header for what is an error. */
export function readRunHistory(runDir: string): RunHistory {
  const file = join(runDir, METRICS_FILE);
  if (!existsSync(file)) {
    const dirKind = existsSync(runDir) ? (statSync(runDir).isDirectory() ? 'dir' : 'file') : 'none';
    if (dirKind === 'none') throw new CheckpointError('no such run directory', { file: runDir });
    if (dirKind === 'file') throw new CheckpointError('is a file, not a run directory', { file: runDir }, 'give the directory dlf train wrote');
    throw new CheckpointError('no such file: this is not a run directory written by dlf train', { file });
  }
  const text = readRunFile(file, METRICS_CAP);
  const lines = text.split('\n');
  // The text after the last newline: empty when the file ends with its newline, as written.
  const tail = lines.pop() ?? '';
  const records: HistoryRecord[] = [];
  let cutShort = false;
  const at = (i: number) => ({ file, line: i + 1 });
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    records.push(parseRecord(line, at(i)));
  });
  if (tail.trim() !== '') {
    try {
      records.push(parseRecord(tail, at(lines.length)));
    } catch (e) {
      if (!(e instanceof CheckpointError) || !e.message.startsWith('not valid JSON')) throw e;
      cutShort = true;
    }
  }
  if (records.length === 0) {
    throw new CheckpointError(cutShort ? 'holds only a line cut short, no whole epoch' : 'is empty: the run has not finished an epoch', { file });
  }
  return { dir: runDir, file, records, cutShort };
}

/** One line as a HistoryRecord, or a CheckpointError at its line. */
function parseRecord(line: string, place: { file: string; line: number }): HistoryRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new CheckpointError('not valid JSON', place);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckpointError("not an epoch's record (a JSON object)", place);
  const r = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(r.epoch) || (r.epoch as number) < 0) throw new CheckpointError("not an epoch's record: 'epoch' must be a whole number", place);
  if (r.lr !== undefined && r.lr !== null && !(typeof r.lr === 'number')) throw new CheckpointError("'lr' must be a number", place);
  const train = splitValues(r.train, 'train', place);
  if (!train) throw new CheckpointError("not an epoch's record: no 'train' metrics", place);
  const val = splitValues(r.val, 'val', place);
  return {
    epoch: r.epoch as number,
    ...(typeof r.lr === 'number' ? { lr: r.lr } : {}),
    train,
    ...(val ? { val } : {}),
    ...(typeof r.seconds === 'number' ? { seconds: r.seconds } : {}),
  };
}

/** The metrics of one split: an object of numbers (null for a value that was not finite); undefined when absent. */
function splitValues(v: unknown, name: string, place: { file: string; line: number }): SplitValues | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new CheckpointError(`'${name}' must be an object of metrics`, place);
  // No prototype: a metric named __proto__ in a hand-edited file stays a plain key.
  const out: SplitValues = Object.create(null) as SplitValues;
  for (const [k, x] of Object.entries(v)) {
    if (x !== null && typeof x !== 'number') throw new CheckpointError(`'${name}.${k}' must be a number`, place);
    out[k] = x;
  }
  return out;
}
