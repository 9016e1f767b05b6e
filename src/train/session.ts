// The stages of a training run, in the order `dlf train` takes them: load and validate the
// config, compile (shape check, before any data is read), load the data, compile against the
// data's classes, then train into a fresh run directory. Nothing is written before the last
// check has passed, so bad input never leaves a half-made run directory.
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ResolvedConfig, loadConfig } from '../config/load.js';
import { type CompiledModel, compileModel } from '../compile/compile.js';
import type { Locator } from '../compile/model.js';
import { dataDims } from '../data/dims.js';
import { type LoadedData, loadData } from '../data/load.js';
import { UsageError } from '../errors.js';
import { formatPath } from '../config/paths.js';

/** A locator for compile errors: key path → file, line, column and the dotted path. */
export function locatorOf(rc: ResolvedConfig): Locator {
  return (path) => {
    const pos = rc.locate(path);
    return { file: rc.file, ...(pos ? { line: pos.line, col: pos.col } : {}), path: formatPath(path) };
  };
}

export interface PreparedRun {
  resolved: ResolvedConfig;
  model: CompiledModel;
  data: LoadedData;
}

/** Config → compile → data → compile with the data's classes. Throws the first problem found. */
export function prepareRun(configFile: string, set: string[] = []): PreparedRun {
  const resolved = loadConfig(configFile, { set });
  const { config } = resolved;
  const locate = locatorOf(resolved);
  const dims = dataDims(config.data);
  compileModel(config, dims, locate); // shapes checked before any data row is read
  const data = loadData(config.data, config.seed);
  const classes = data.train.classes?.length;
  const model = compileModel(config, { ...dims, features: data.train.features.length, classes }, locate);
  return { resolved, model, data };
}

/** The default run directory: runs/<name>/<UTC timestamp>, made unique if it exists. */
export function defaultOutDir(name: string, now = new Date(), base = 'runs'): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let dir = resolve(base, name, stamp);
  for (let k = 2; existsSync(dir); k++) dir = resolve(base, name, `${stamp}-${k}`);
  return dir;
}

/** Refuses an output directory that already holds files, so no earlier run is overwritten. */
export function checkOutDir(dir: string): string {
  const abs = resolve(dir);
  if (existsSync(abs) && readdirSync(abs).length > 0) {
    throw new UsageError(`output directory ${abs} is not empty`, 'choose another --out, or remove it');
  }
  return abs;
}
