// Loading a config file: read, parse YAML with positions, apply --set overrides, validate with
// the zod schema, and report every problem at once as `file:line:col: key.path: message`.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { trainingHash } from './hash.js';
import { type ConfigIssue, configIssues, placeOf, sortIssues, type SourceMap } from './issues.js';
import { applySet, type Origins, parseSetArg, setPlace } from './overrides.js';
import { type Config, ConfigSchema } from './schema.js';
import { parseYaml, type Pos, walk, stepPos } from './yamlDoc.js';

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
  /** SHA-256 (hex) of the canonical JSON of `config` without the keys a resumed run may change. */
  hash: string;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'config file not found' : `cannot read config file: ${(e as Error).message}`;
    const hint = code === 'ENOENT' ? `no such file: ${resolve(file)}` : undefined;
    throw new ConfigError([{ place: { file }, message, ...(hint ? { hint } : {}) }]);
  }
}

/** Make the relative file paths in the config absolute (relative to the config's directory). */
function resolvePaths(config: Config, dir: string): Config {
  const d = config.data;
  if (d.source === 'csv') {
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
    const issues = errors.map((e) => ({ place: { file, line: e.line, col: e.col }, message: `invalid YAML: ${e.message}` }));
    throw new ConfigError(issues);
  }

  const origins: Origins = new Map();
  const setIssues: ConfigIssue[] = [];
  for (const s of sets) {
    const err = applySet(doc, s, origins);
    if (err) {
      setIssues.push({ place: { file: setPlace(s), ...(err.path ? { path: err.path } : {}) }, message: err.message });
    }
  }

  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) {
    const hint = 'it needs at least name, data and model';
    throw new ConfigError([{ place: { file, line: 1, col: 1 }, message: 'the config file is empty', hint }]);
  }
  const src: SourceMap = { file, doc, lineCounter, origins };
  const result = ConfigSchema.safeParse(raw);
  const issues = [...setIssues, ...(result.success ? [] : configIssues(result.error.issues, src, raw, ConfigSchema))];
  if (issues.length || !result.success) throw new ConfigError(sortIssues(issues));

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
    hash: trainingHash(config),
  };
}
