#!/usr/bin/env node
// Draws the graph pictures the docs show (docs/*.svg) with the dlf of this checkout (bin/dlf.js;
// run `npm run build` first), and the listing docs/chain-rule.md quotes. The numbers come from the
// TypeScript kernels (--backend ts), so that they are the same on every machine, and Graphviz is
// the WebAssembly build pinned in package-lock.json, so that the layout is too.
// With --check, writes nothing and exits 1 when a picture or the quoted listing differs from what
// dlf draws now (test/cli/docs-graphs.test.ts runs it).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const chainRule = '$ dlf graph configs/linear.yaml --values --set train.batch_size=4 --backend ts';

/** Each picture: the file under docs/ and the dlf graph arguments that draw it. */
const PICTURES = [
  ['linear-values.svg', ['configs/linear.yaml', '--values', '--backward', '--set', 'train.batch_size=4', '--backend', 'ts', '--svg']],
  ['graph-iris.svg', ['configs/iris.yaml', '--svg']],
  ['graph-iris-backward.svg', ['configs/iris.yaml', '--svg', '--backward']],
];

function dlf(args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'dlf.js'), 'graph', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`dlf graph ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
    process.exit(2);
  }
  return r.stdout;
}

/** docs/chain-rule.md with the listing after the line `chainRule` (up to the closing fence) replaced by `listing`. */
function withListing(doc, listing) {
  const start = doc.indexOf(`${chainRule}\n`);
  if (start < 0) throw new Error(`docs/chain-rule.md has no line '${chainRule}'`);
  const from = start + chainRule.length + 1;
  const end = doc.indexOf('```', from);
  return doc.slice(0, from) + listing + doc.slice(end);
}

const check = process.argv.includes('--check');
const stale = [];
const outputs = PICTURES.map(([file, args]) => [join(root, 'docs', file), dlf(args)]);
const docFile = join(root, 'docs', 'chain-rule.md');
const doc = readFileSync(docFile, 'utf8');
outputs.push([docFile, withListing(doc, dlf(chainRule.split(' ').slice(3)))]);
for (const [file, text] of outputs) {
  let current;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) stale.push(file);
  else {
    writeFileSync(file, text);
    process.stderr.write(`wrote ${file}\n`);
  }
}
if (stale.length) {
  process.stderr.write(
    `out of date (dlf draws them differently now): ${stale.join(', ')}\nrun: npm run build && node scripts/docs-graphs.mjs, and check the numbers docs/chain-rule.md works through by hand\n`,
  );
  process.exitCode = 1;
}
