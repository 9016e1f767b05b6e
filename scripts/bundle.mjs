#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js, built by tsc, and the packages it imports) into dist/bundle/
// with esbuild: a handful of files instead of some three hundred modules. Each command stays a
// chunk of its own that is loaded only when it runs. bin/dlf.js runs the bundle when it exists and
// dist/cli/main.js otherwise, so without esbuild (an install without dev dependencies) this prints
// one line and dlf still works.
//
// The chunks are CommonJS (`*.cjs`): esbuild splits an ES-module build, and each chunk is then
// turned into CommonJS, its imports of other chunks into require calls. bin/load-bundle.js runs
// them through vm.Script, which can keep V8's compiled code between runs (Node 20 has no compile
// cache for ES modules), and loading them needs none of Node's ES-module loader.
//
// vega and vega-lite use top-level await, which CommonJS cannot hold; they are imported only when
// a picture is drawn (src/plot/render.ts), so they are bundled apart as ES modules (dist/bundle/esm/)
// and their dynamic imports call __dlfImport, which bin/load-bundle.js supplies. The first line of
// main.cjs names the build (a hash of every file written), which keys the code cache.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');
const outdir = join(root, 'dist', 'bundle');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('dlf: esbuild is not installed; the CLI runs from dist/ unbundled (slower to start)');
  process.exit(0);
}
if (!existsSync(entry)) {
  console.error(`dlf: ${entry} is missing; run tsc first (npm run build does both)`);
  process.exit(1);
}
rmSync(outdir, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  // The native addon is loaded at run time from build/Release.
  external: ['*.node'],
};
/** Packages with top-level await, imported dynamically: bundled as ES modules of their own. */
const ESM_ONLY = ['vega', 'vega-lite'];

const esm = await esbuild.build({
  ...common,
  entryPoints: Object.fromEntries(ESM_ONLY.map((p) => [p, p])),
  outdir: join(outdir, 'esm'),
  outExtension: { '.js': '.mjs' },
  splitting: true,
  format: 'esm',
  write: false,
  // Their CommonJS dependencies call require, which an ES module has to make for them.
  banner: { js: "import { createRequire as __dlfRequire } from 'node:module'; const require = __dlfRequire(import.meta.url);" },
});

/**
 * commander requires node:child_process when it loads, for commands that are executables of their
 * own (dlf has none); loading child_process (and net, which it needs) is a few milliseconds of
 * every start. commander gets a stand-in that loads it on the first spawn.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (a) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};

const split = await esbuild.build({
  ...common,
  entryPoints: [entry],
  outdir,
  splitting: true,
  format: 'esm',
  write: false,
  plugins: [
    {
      name: 'esm-only',
      setup(build) {
        build.onResolve({ filter: new RegExp(`^(${ESM_ONLY.join('|')})$`) }, (a) => ({ path: `./esm/${a.path}.mjs`, external: true }));
      },
    },
    lazyChildProcess,
  ],
});

/** Each chunk as CommonJS: imports of chunks become require('./x.cjs'), import.meta.url this file's URL. */
async function toCommonJs(text) {
  const esmImports = text.replace(/\bimport\("(\.\/esm\/[^"]+\.mjs)"\)/g, '__dlfImport("$1")');
  if (/\bimport\("(?!\.\/)/.test(esmImports)) throw new Error('scripts/bundle.mjs: a dynamic import of a package esbuild left external');
  const { code } = await esbuild.transform(esmImports, {
    format: 'cjs',
    loader: 'js',
    target: 'node20',
    // import() of another chunk becomes a require in a resolved promise.
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__dlfUrl' },
    minifySyntax: true,
    minifyWhitespace: true,
    logLevel: 'warning',
    banner: "var __dlfUrl=require('node:url').pathToFileURL(__filename).href;",
  });
  return code.replace(/require\("\.\/([^"]+)\.js"\)/g, 'require("./$1.cjs")');
}

const files = [];
for (const f of split.outputFiles) files.push([basename(f.path).replace(/\.js$/, '.cjs'), await toCommonJs(f.text)]);
for (const f of esm.outputFiles) files.push([`esm/${basename(f.path)}`, f.text]);
files.sort(([a], [b]) => (a < b ? -1 : 1));
const build = createHash('sha256');
for (const [name, text] of files) build.update(`${name}\0${text}\0`);
const id = build.digest('hex').slice(0, 16);
mkdirSync(join(outdir, 'esm'), { recursive: true });
for (const [name, text] of files) writeFileSync(join(outdir, name), name === 'main.cjs' ? `//dlf-build ${id}\n${text}` : text);
