// Loading a config file: read (a regular file of at most CONFIG_MAX_BYTES, strict UTF-8), parse
// YAML with positions, check that it is plain data within bounds (yaml-check.ts), apply --set
// overrides, validate with the zod schema, and report every problem at once as
// `file:line:col: key.path: message` (the first MAX_ISSUES of them, and how many more there are).
import { dirname, resolve } from 'node:path';
import type { Document } from 'yaml';
import { ConfigError, oneLine } from '../errors.js';
import { decodeUtf8, ReadFailure, readRegularFile } from '../io/read.js';
import { shortPath } from '../short-path.js';
import { trainingHash } from './hash.js';
import { capIssues, type ConfigIssue, configIssues, placeOf, sortIssues, type SourceMap } from './issues.js';
import { CONFIG_MAX_BYTES, MAX_ISSUES, MAX_SYNTAX_ERRORS } from './limits.js';
import { applySet, type Origins, parseSetArg, setPlace } from './overrides.js';
import { type Config, ConfigSchema } from './schema.js';
import { yamlProblems } from './yaml-check.js';
import { parseYaml, type Pos, walk, stepPos } from './yaml-doc.js';

export interface LoadOptions {
  /** `key.path=value` overrides, applied in order. */
  set?: string[];
}

export interface ResolvedConfig {
  /** The validated config with defaults filled; data.path (csv) is absolute. */
  config: Config;
  /** Absolute path of the config file. */
  file: string;
  /** Its directory. */
  dir: string;
  /** The plain value the user wrote, after --set, before defaults. */
  raw: unknown;
  /** Position in the YAML file of a key path (undefined if absent there or set by --set). */
  locate(path: readonly (string | number)[]): Pos | undefined;
  /** The `--set ...` argument that wrote the value at a key path (or a map above it); undefined when the file wrote it or left it out. */
  setBy(path: readonly (string | number)[]): string | undefined;
  /** SHA-256 (hex) of the canonical JSON of `config` without the keys a resumed run may change. */
  hash: string;
}

/** The text of the config file; a missing, unreadable, oversized or non-UTF-8 file is a ConfigError. */
function readText(fullPath: string): string {
  const file = shortPath(fullPath); // the file as a message names it
  // A path with a NUL byte names no file (Node's fs would throw a TypeError for it, not an errno).
  if (fullPath.includes('\0')) throw new ConfigError([{ place: { file }, message: 'the config path contains a NUL byte, which no file name can' }]);
  try {
    return decodeUtf8(readRegularFile(fullPath, CONFIG_MAX_BYTES));
  } catch (e) {
    if (!(e instanceof ReadFailure)) throw e;
    if (e.errno === 'ENOENT') {
      throw new ConfigError([{ place: { file }, message: 'config file not found', hint: `no such file: ${oneLine(shortPath(resolve(fullPath)))}` }]);
    }
    if (e.utf8At) {
      throw new ConfigError([{ place: { file, line: e.utf8At.line }, message: `not valid UTF-8 at byte ${e.utf8At.byte}`, hint: 'save the file as UTF-8' }]);
    }
    // Reasons without an errno are sentences about the file ("is a named pipe (FIFO), not a regular file").
    const message = e.errno ? `cannot read config file: ${e.reason}` : `config file ${e.reason}`;
    throw new ConfigError([{ place: { file }, message }]);
  }
}

/**
 * The document as a plain value. yamlCheck has bounded what aliases expand to, so this cannot blow
 * up; yaml's own alias limit stays on as a second guard, and anything it throws is the file's error.
 */
function plainValue(doc: Document, file: string): unknown {
  try {
    return doc.toJS();
  } catch (e) {
    throw new ConfigError([{ place: { file }, message: `cannot resolve the YAML: ${oneLine(String((e as Error)?.message ?? e), 200)}` }]);
  }
}

/** Make the relative file paths in the config absolute (relative to the config's directory). */
function resolvePaths(config: Config, dir: string): Config {
  const d = config.data;
  if (d.source === 'csv' || d.source === 'text') {
    d.path = resolve(dir, d.path);
    if (d.test !== undefined) d.test = resolve(dir, d.test);
  }
  if (d.source === 'idx') d.dir = resolve(dir, d.dir);
  return config;
}

export function loadConfig(file: string, opts: LoadOptions = {}): ResolvedConfig {
  const sets = (opts.set ?? []).map(parseSetArg);
  const text = readText(file);
  const { doc, lineCounter, errors } = parseYaml(text);
  if (errors.length) {
    // yaml repeats an error at one place once per level it unwinds; each is reported once.
    const distinct = [...new Map(errors.map((e) => [`${e.line}:${e.col}:${e.message}`, e])).values()];
    const issues = distinct.map((e) => ({ place: { file, line: e.line, col: e.col }, message: `invalid YAML: ${e.message}` }));
    throw new ConfigError(capIssues(issues, MAX_SYNTAX_ERRORS, file, 'YAML errors', 'the first ones often cause the rest'));
  }
  const problems = yamlProblems(doc, text);
  if (problems.length) {
    const issues = problems.map((p) => ({ place: { file, ...lineCounter.linePos(p.offset) }, message: p.message, ...(p.hint ? { hint: p.hint } : {}) }));
    throw new ConfigError(capIssues(sortIssues(issues), MAX_ISSUES, file, 'problems'));
  }

  const origins: Origins = new Map();
  const setIssues: ConfigIssue[] = [];
  for (const s of sets) {
    const err = applySet(doc, s, origins);
    if (err) {
      setIssues.push({ place: { file: setPlace(s), ...(err.path ? { path: err.path } : {}) }, message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
    }
  }

  const raw = plainValue(doc, file);
  if (raw === null || raw === undefined) {
    const hint = 'it needs at least name, data and model';
    throw new ConfigError([{ place: { file, line: 1, col: 1 }, message: 'the config file is empty', hint }]);
  }
  const src: SourceMap = { file, doc, lineCounter, origins };
  const result = ConfigSchema.safeParse(raw);
  const issues = [...setIssues, ...(result.success ? [] : configIssues(result.error.issues, src, raw, ConfigSchema))];
  if (issues.length || !result.success) throw new ConfigError(capIssues(sortIssues(issues), MAX_ISSUES, file, 'problems'));

  const abs = resolve(file);
  const dir = dirname(abs);
  const config = resolvePaths(result.data, dir);
  return {
    config,
    file: abs,
    dir,
    raw,
    locate: (path) => {
      const { steps, complete } = walk(doc, path);
      if (!complete || placeOf(src, path).pos === undefined) return undefined;
      return stepPos(lineCounter, steps[steps.length - 1]);
    },
    setBy: (path) => {
      const place = placeOf(src, path);
      return place.pos === undefined ? place.file : undefined;
    },
    hash: trainingHash(config),
  };
}
