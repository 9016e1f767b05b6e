// Placing config problems: each explained zod issue gets the file, line and column of the node it
// is about (the key itself for an unknown key, the parent map for a missing key), or the --set
// argument that put the value there.
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { type ConfigError, oneLine, type Place } from '../errors.js';
import { explainIssue, type Explained, mergeMisspelt } from './messages.js';
import { formatPath, type KeyPath } from './paths.js';
import type { Origins } from './overrides.js';
import { stepPos, walk, type Pos } from './yaml-doc.js';

export type ConfigIssue = ConfigError['issues'][number];

export interface SourceMap {
  /** The file name as shown in messages. */
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  origins: Origins;
}

/** Where a key path lives: a file position, or the --set argument that wrote it. */
export function placeOf(src: SourceMap, path: KeyPath, atKey = false): { file: string; pos?: Pos } {
  const { steps, complete } = walk(src.doc, path);
  // The innermost override wins: `--set train.optimizer=...` inside a `train` another --set created.
  const origin = steps.reduce<string | undefined>((o, s) => src.origins.get(s.value) ?? o, undefined);
  if (origin !== undefined) return { file: origin };
  return { file: src.file, pos: stepPos(src.lineCounter, steps[steps.length - 1], atKey && complete) };
}

/** Issues given a line:column at most: finding one walks the document, so a flood of issues is not placed. */
const MAX_PLACED = 200;

function toIssue(src: SourceMap, e: Explained, locate: boolean): ConfigIssue {
  const { file, pos } = locate ? placeOf(src, e.path, e.atKey) : { file: src.file, pos: undefined };
  const place: Place = { file, ...(pos ?? {}) };
  const path = formatPath(e.path);
  if (path !== undefined) place.path = oneLine(path, 200);
  return { place, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
}

/** Every zod issue as config issues, in file order (then --set ones), each with its place. */
export function configIssues(issues: readonly z.core.$ZodIssue[], src: SourceMap, raw: unknown, schema: z.core.$ZodType): ConfigIssue[] {
  const explained = mergeMisspelt(issues.flatMap((i) => explainIssue(i, { root: raw, schema })));
  return sortIssues(explained.map((e, n) => toIssue(src, e, n < MAX_PLACED)));
}

/** File issues by position first, then the rest in their original order. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const key = (i: ConfigIssue) => (i.place.line === undefined ? Infinity : i.place.line * 1e6 + (i.place.col ?? 0));
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => key(a.issue) - key(b.issue) || a.n - b.n)
    .map((x) => x.issue);
}

/**
 * The first `max` issues, and when there are more, a last line saying how many were left out
 * (`what` names them: `YAML errors`, `problems`; `why` may follow).
 */
export function capIssues(issues: ConfigIssue[], max: number, file: string, what: string, why?: string): ConfigIssue[] {
  // One more is shown rather than summarised.
  if (issues.length <= max + 1) return issues;
  const rest = issues.length - max;
  return [...issues.slice(0, max), { place: { file }, message: `${rest} more ${what} not shown`, ...(why ? { hint: why } : {}) }];
}
