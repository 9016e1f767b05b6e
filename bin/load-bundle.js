// Loads the CLI bundle (dist/bundle/*.cjs, made by scripts/bundle.mjs) as CommonJS modules
// compiled with vm.Script, keeping V8's compiled code for each chunk in a cache folder so that
// the next run skips parsing and compiling what it runs again. The cache is an optimisation only:
// a cache that is missing, stale, damaged or unwritable is ignored (V8 rejects data made for other
// code or by another V8), and the CLI behaves the same with or without it.
//
// Where: $DLF_CACHE_DIR, else $XDG_CACHE_HOME/dlf, else ~/.cache/dlf; then
// code/<node version>-<arch>/<build>/, where <build> is the hash scripts/bundle.mjs writes on the
// first line of main.cjs. DLF_CACHE_DIR set to an empty string turns the cache off. A run that
// compiled a chunk without cached code writes the cache after the command (each file written to
// a temporary name and renamed, so a concurrent run reads a whole file or none); the folders of
// other builds for the same Node that were not written for a day are removed then.
'use strict';
const fs = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

/** The folder that holds the code caches of every build for this Node, or undefined (cache off). */
function cacheRoot() {
  const env = process.env.DLF_CACHE_DIR;
  if (env === '') return undefined;
  let base = env;
  if (base === undefined) {
    try {
      base = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dlf');
    } catch {
      return undefined; // no home folder to be found (homedir throws): run without the cache
    }
  }
  return join(base, 'code', `${process.version}-${process.arch}`);
}

/** Writes the compiled code of `scripts` into `dir`; best effort, never throws. */
function writeCache(root, dir, scripts) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, script] of scripts) {
      const file = join(dir, `${name}.v8`);
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      } catch (err) {
        fs.rmSync(tmp, { force: true }); // a part-written file on a full disk is not left behind
        throw err;
      }
    }
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    for (const other of fs.readdirSync(root)) {
      const path = join(root, other);
      if (path !== dir && fs.statSync(path).mtimeMs < dayAgo) fs.rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // A read-only or full disk, or another run removing the folder: the cache is only an optimisation.
  }
}

/**
 * Runs the bundle in `dir` and returns what main.cjs exports. Chunks require each other by
 * './name.cjs'; anything else goes to Node's require; __dlfImport(path) imports one of the ES
 * modules in esm/ (see scripts/bundle.mjs).
 */
function loadBundle(dir) {
  const mainSource = fs.readFileSync(join(dir, 'main.cjs'), 'utf8');
  const build = /^\/\/dlf-build ([0-9a-f]+)\n/.exec(mainSource)?.[1];
  const root = build ? cacheRoot() : undefined;
  const cacheDir = root && join(root, build);
  const nodeRequire = createRequire(join(dir, 'main.cjs'));
  const importEsm = (path) => import(pathToFileURL(join(dir, path)).href);
  const modules = new Map();
  const fresh = [];

  const load = (name, source) => {
    const known = modules.get(name);
    if (known) return known.exports;
    const file = join(dir, name);
    const module = { exports: {} };
    modules.set(name, module);
    let cachedData;
    if (cacheDir) {
      try {
        cachedData = fs.readFileSync(join(cacheDir, `${name}.v8`));
      } catch {
        // Not cached yet.
      }
    }
    const wrapped = `(function (exports, require, module, __filename, __dirname, __dlfImport) {${source ?? fs.readFileSync(file, 'utf8')}\n})`;
    const script = new Script(wrapped, { filename: file, cachedData });
    if (cacheDir && (cachedData === undefined || script.cachedDataRejected)) fresh.push([name, script]);
    const require = (spec) => (spec.startsWith('./') ? load(spec.slice(2)) : nodeRequire(spec));
    require.resolve = nodeRequire.resolve;
    script.runInThisContext().call(module.exports, module.exports, require, module, file, dir, importEsm);
    return module.exports;
  };

  const exported = load('main.cjs', mainSource);
  return {
    ...exported,
    async main(argv) {
      const code = await exported.main(argv);
      if (fresh.length && code !== 130 && code !== 143) writeCache(root, cacheDir, fresh);
      return code;
    },
  };
}

module.exports = { loadBundle };
