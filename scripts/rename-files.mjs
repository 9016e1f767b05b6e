// Renames the source files whose names break the naming rule of CONTRIBUTING.md to kebab-case
// (filePaths.ts -> file-paths.ts, conv_lowered.ts -> conv-lowered.ts) with `git mv`, and rewrites
// every reference to them (import paths, docs, scripts). Op and layer files (src/graph/ops,
// src/compile/layers) keep the snake_case name of their op or layer type. Running it again when
// every name keeps the rule changes nothing. Usage: node scripts/rename-files.mjs [--dry-run]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const dryRun = process.argv.includes('--dry-run');
const root = join(dirname(new URL(import.meta.url).pathname), '..');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

const SOURCE = /\.(ts|mjs|js)$/;
const NAMED_AFTER_OP = ['src/graph/ops/', 'src/compile/layers/'];
/** Where references are rewritten: text files, less the recorded benchmark results, the lock file and this script. */
const TEXT = /(\.(ts|mjs|js|cjs|json|md|yaml|yml|gyp|cc|h|py|sh)|^\.ci\/run)$/;
const SKIP_TEXT = ['bench/results/', 'package-lock.json', 'scripts/rename-files.mjs'];

/** kebab-case of a file's stem: fooBar and foo_bar -> foo-bar (a leading `_` stays). */
function kebab(stem) {
  const lead = stem.match(/^_*/)[0];
  return (
    lead +
    stem
      .slice(lead.length)
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/_/g, '-')
      .toLowerCase()
  );
}

const files = git('ls-files', 'src', 'test', 'scripts', 'bench', 'bin')
  .split('\n')
  .filter((f) => SOURCE.test(f));
const renames = [];
for (const file of files) {
  if (NAMED_AFTER_OP.some((d) => file.startsWith(d))) continue;
  const name = basename(file);
  const dot = name.indexOf('.');
  const stem = name.slice(0, dot);
  const to = kebab(stem);
  if (to !== stem) renames.push({ from: file, to: join(dirname(file), to + name.slice(dot)), stem, newStem: to });
}

for (const r of renames) {
  console.log(`${r.from} -> ${r.to}`);
  if (!dryRun) git('mv', r.from, r.to);
}
if (renames.length === 0 || dryRun) process.exit(0);

// A reference is the old stem right after a path separator, quote, backtick or space and right
// before the extension dot: './filePaths.js', 'src/shortPath.ts', `conv_lowered.test.ts`. A stem
// that another file keeps (src/kernels/ts/matmul_bias_act.ts is renamed, the op file
// src/graph/ops/matmul_bias_act.ts is not) is rewritten only where the path says which file:
// after its folder's name, or in a relative import that resolves to it.
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const EXT = '(?=\\.(?:test\\.)?(?:ts|js|mjs)\\b)';
const kept = new Set(files.filter((f) => !renames.some((r) => r.from === f)).map((f) => basename(f).split('.')[0]));
const withoutExt = (p) => p.replace(/\.(ts|js|mjs)$/, '');
function rewrite(file, text) {
  let next = text;
  for (const r of renames) {
    if (!kept.has(r.stem)) {
      next = next.replace(new RegExp(`(?<=[/'"\`\\s(])${escapeRe(r.stem)}${EXT}`, 'g'), r.newStem);
      continue;
    }
    next = next.replace(new RegExp(`(?<=[\\s'"\`(/]${escapeRe(basename(dirname(r.from)))}/)${escapeRe(r.stem)}${EXT}`, 'g'), r.newStem);
    next = next.replace(/(['"])(\.\.?\/[^'"]+)\1/g, (whole, q, spec) => {
      const target = join(dirname(file), spec);
      if (withoutExt(target) !== withoutExt(r.from)) return whole;
      return q + join(dirname(spec), r.newStem + basename(spec).slice(r.stem.length)).replace(/^(?!\.)/, './') + q;
    });
  }
  return next;
}
const texts = git('ls-files')
  .split('\n')
  .filter((f) => TEXT.test(f) && !SKIP_TEXT.some((s) => f.startsWith(s)));
for (const file of texts) {
  const path = join(root, file);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    continue; // deleted in the working tree
  }
  const next = rewrite(file, text);
  if (next !== text) {
    writeFileSync(path, next);
    console.log(`  references updated in ${file}`);
  }
}
