#!/usr/bin/env node
// The dlf command: the bundled CLI that `npm run build` makes (dist/bundle/, quick to load; see
// load-bundle.js), or the CLI as tsc compiled it (dist/cli/) when there is no bundle. This folder
// is CommonJS (bin/package.json), so that starting dlf needs none of Node's ES-module loader.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'bundle');

async function run() {
  const { main } = existsSync(join(bundle, 'main.cjs')) ? require('./load-bundle.js').loadBundle(bundle) : await import('../dist/cli/main.js');
  const code = await main(process.argv);
  // After an interrupt, work a command had under way must not go on: leave now.
  if (code === 130 || code === 143) process.exit(code);
  process.exitCode = code;
  // When nothing is left but the standard streams, with nothing buffered in them, Node would end
  // the process anyway; ending it here skips freeing the heap and the rest of Node's teardown,
  // which take longer than a short command. Anything else still pending (a timer, a child process,
  // a file operation, a beforeExit listener) is left to finish as Node would.
  if (settled()) process.exit(code);
}

/** Whether the process has nothing left to do: only idle standard streams. */
function settled() {
  const streams = new Set(['TTYWrap', 'PipeWrap', 'CloseReq']);
  if (!process.getActiveResourcesInfo().every((r) => streams.has(r)) || process.listenerCount('beforeExit') > 0) return false;
  return process.stdout.writableLength === 0 && process.stderr.writableLength === 0;
}

run().catch((err) => {
  // main() turns every error of a command into a message and an exit code; what reaches here is a
  // failure to load the CLI itself.
  console.error(err);
  process.exitCode = 1;
});
