#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js, built by tsc, and the packages it imports) into
// dist/bundle/ with esbuild: a handful of files instead of some three hundred modules, which
// halves the time `dlf` takes to start. Each command stays a chunk of its own that is loaded only
// when it runs. bin/dlf.js runs the bundle when it exists and dist/cli/main.js otherwise, so
// without esbuild (an install without dev dependencies) this prints one line and dlf still works.
// Packages that only some commands need stay behind a dynamic import and so get chunks of their
// own: @hpcc-js/wasm-graphviz (its WebAssembly inlined in its JavaScript, about 0.8 MB) is loaded
// only by dlf graph --svg (src/graph/svg.ts), and nothing else needs to be said for it here.
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
await esbuild.build({
  entryPoints: [entry],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
  // The native addon is loaded at run time from build/Release; CommonJS packages (commander,
  // cli-progress) call require, which an ES module has to make for them.
  external: ['*.node'],
  banner: { js: "import { createRequire as __dlfRequire } from 'node:module'; const require = __dlfRequire(import.meta.url);" },
});
