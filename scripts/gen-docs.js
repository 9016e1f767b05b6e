// Writes the generated part of docs/config.md from the config schema (run `npm run build` first: it
// imports dist/), keeping the part written by hand after the mark. With --check, writes nothing and
// exits 1 when docs/config.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDocsFile } from '../dist/config/docs.js';

const out = fileURLToPath(new URL('../docs/config.md', import.meta.url));
let current = '';
try {
  current = readFileSync(out, 'utf8');
} catch {
  // a missing file is written anew (and is out of date)
}
const text = configDocsFile(current);

if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write(`${out} is out of date: run npm run build && npm run docs\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(out, text);
  process.stderr.write(`wrote ${out}\n`);
}
