// Runs many dlf commands in one process, for the hostile corpus (batch.ts starts it): each command
// as bin/dlf.js runs it, main(argv) of the CLI bundle, with everything it writes to stdout and
// stderr, and the warnings the process emits, captured as that command's output. After each
// command one JSON line { i, code, stdout, stderr } is appended to the results file, so that the
// parent knows how far a child got that crashed, exited or hung.
// Usage: node --no-warnings batch-child.mjs <spec.json>, the spec { main, results, runs: [argv...] }.
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// The bundle's main.cjs runs through bin/load-bundle.js, as bin/dlf.js runs it; tsc's main.js is an ES module.
const { main } = spec.main.endsWith('.cjs')
  ? createRequire(import.meta.url)('../../bin/load-bundle.js').loadBundle(dirname(spec.main))
  : await import(pathToFileURL(spec.main).href);

let out = '';
let err = '';
const capture = (stream, add) => {
  stream.write = (chunk, encoding, cb) => {
    add(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : cb;
    if (done) process.nextTick(done);
    return true;
  };
};
capture(process.stdout, (t) => (out += t));
capture(process.stderr, (t) => (err += t));
// Node prints these on stderr (here they are off: --no-warnings) as `(node:pid) SomeWarning: ...`.
process.on('warning', (w) => (err += `(node) ${w.name}: ${w.message}\n`));

const tick = () => new Promise((resolve) => setImmediate(resolve));
for (let i = 0; i < spec.runs.length; i++) {
  out = '';
  err = '';
  const code = await main(['node', 'dlf', ...spec.runs[i]]);
  // Output a command leaves to the event loop (a stream's last write, a warning) is its own.
  await tick();
  await tick();
  appendFileSync(spec.results, JSON.stringify({ i, code, stdout: out, stderr: err }) + '\n');
}
