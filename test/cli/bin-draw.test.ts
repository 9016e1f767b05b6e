// dlf plot and dlf report as a user runs them: bin/dlf.js in a child process on the CLI bundle,
// whose vega and vega-lite chunks must load only when something is drawn. Hooks (node --import)
// record every bundle file the process loads: the CommonJS chunks bin/load-bundle.js reads with
// fs.readFileSync, and the ES modules of dist/bundle/esm/ through the module-loading hook. `dlf
// --help` and `dlf train` load no drawing package, `dlf plot` loads vega and vega-lite, and `dlf
// report` Graphviz as well.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const hooks = tmp.write(
  'hooks.mjs',
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.includes('/dist/bundle/')) appendFileSync(process.env.DLF_TEST_LOAD_LOG, url + '\\n');
  return next(url, context);
}
`,
);
const register = tmp.write(
  'register.mjs',
  `import { register } from 'node:module';
import fs from 'node:fs';
register(${JSON.stringify('file://' + hooks)});
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string' && file.includes('/dist/bundle/')) fs.appendFileSync(process.env.DLF_TEST_LOAD_LOG, 'file://' + file + '\\n');
  return readFileSync.call(this, file, ...rest);
};
`,
);

/** Runs bin/dlf.js with `args`; returns its result and the bundle files it loaded. */
function bin(...args: string[]) {
  const log = join(tmp.dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', register, repo('bin', 'dlf.js'), ...args], {
    encoding: 'utf8',
    cwd: tmp.dir,
    env: { ...process.env, DLF_TEST_LOAD_LOG: log },
  });
  const loaded = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((u) => fileURLToPath(u));
  return { ...r, loaded };
}

/** Which drawing packages the loaded files hold: vega's SVG renderer, vega-lite's compiler, Graphviz as WebAssembly. */
function charting(files: string[]): string[] {
  const found = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (text.includes('SVGStringRenderer')) found.add('vega');
    if (text.includes('CoreNormalizer')) found.add('vega-lite');
    if (text.includes('unflatten')) found.add('graphviz');
  }
  return [...found].sort();
}

let run: string;
beforeAll(() => {
  run = join(tmp.dir, 'run');
  const r = bin('train', repo('configs', 'iris.yaml'), '--epochs', '4', '--out', run, '--quiet');
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.loaded.length).toBeGreaterThan(1);
  expect(charting(r.loaded)).toEqual([]);
});

describe('bin/dlf.js plot and report', () => {
  it('dlf --help lists both commands without loading vega, vega-lite or Graphviz', () => {
    const r = bin('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}plot \[options\] <run-dir\.\.\.>/m);
    expect(r.stdout).toMatch(/^ {2}report \[options\] <run-dir>/m);
    expect(charting(r.loaded)).toEqual([]);
  });

  it('dlf plot draws with the bundled vega and vega-lite', () => {
    const out = join(tmp.dir, 'curves.svg');
    const r = bin('plot', run, '--out', out);
    expect(r.stderr).toBe(`wrote the learning curves to ${out}\n`);
    expect(r.status).toBe(0);
    expect(charting(r.loaded)).toEqual(['vega', 'vega-lite']);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('>learning rate</text>');
    // The same picture the sources draw to stdout.
    const piped = bin('plot', run);
    expect(piped.stdout).toBe(svg);
  });

  it('dlf report writes its page from the bundle', () => {
    const out = join(tmp.dir, 'report.html');
    const r = bin('report', run, '--out', out);
    expect(r.stderr).toBe(`wrote the report to ${out}\n`);
    expect(r.status).toBe(0);
    expect(charting(r.loaded)).toEqual(['graphviz', 'vega', 'vega-lite']);
    const page = readFileSync(out, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    // Curves and heat map (vega), the graph (Graphviz as WebAssembly, from its own chunk).
    expect((page.match(/<svg /g) ?? []).length).toBe(3);
    expect(page).toContain('>layer0/dense/matmul:0</text>');
    expect(page).toContain('<h2>Evaluation</h2>');
  });
});
