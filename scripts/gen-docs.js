// Writes docs/config.md from the config schema (run `npm run build` first: it imports dist/).
// With --check, writes nothing and exits 1 when docs/config.md is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configDocs } from '../dist/config/docs.js';

const out = fileURLToPath(new URL('../docs/config.md', import.meta.url));
const text = configDocs();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // a missing file is out of date
  }
  if (current !== text) {
    process.stderr.write(`${out} is out of date: run npm run build && npm run docs\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(out, text);
  process.stderr.write(`wrote ${out}\n`);
}
