// dlf report: the HTML page of a run, read back as text. A classifier's page has its curves, the
// confusion heat map (a cell per pair of classes) and the per-class table; a regression's has its
// residual charts; a run without a validation split is evaluated on its training split; data that
// moved or changed is said so. Every name from the run is escaped (hostile column, label, class and
// folder names stay text), nothing is fetched from elsewhere, and no id is used twice. The page in
// a real browser is report-browser.test.ts.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { escapeHtml, html, trusted } from '../../src/report/html.js';
import { dlf, tempDir } from './helpers.js';
import { HOSTILE, hostileIrisConfig, trainRun } from './report-fixtures.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let iris: string;
let hostile: string;
let noVal: string;
let diabetes: string;
beforeAll(async () => {
  iris = await trainRun('iris.yaml', join(tmp.dir, 'iris'), '--epochs', '8');
  hostile = await trainRun(hostileIrisConfig(tmp.dir), join(tmp.dir, 'hostile-run'));
  noVal = await trainRun('iris.yaml', join(tmp.dir, 'iris-noval'), '--epochs', '3', '--set', 'data.split.validation=0');
  diabetes = await trainRun('diabetes.yaml', join(tmp.dir, 'diabetes'), '--epochs', '4');
});

async function report(run: string, ...extra: string[]): Promise<{ page: string; stderr: string }> {
  const r = await dlf('report', run, ...extra);
  expect(r.code).toBe(0);
  return { page: r.stdout, stderr: r.stderr };
}

/** The page's section headings, in order. */
const headings = (page: string) => [...page.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);

/** Every tag name the page opens (svg content included). */
const tags = (page: string) => new Set([...page.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1].toLowerCase()));

/** A count of each id the page defines; each must be unique in the page. */
function duplicateIds(page: string): string[] {
  const seen = new Map<string, number>();
  for (const m of page.matchAll(/\sid="([^"]*)"/g)) seen.set(m[1], (seen.get(m[1]) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

describe('dlf report', () => {
  it("a classifier's page: curves, metrics, confusion heat map, per-class table, model, data, config, environment", async () => {
    const file = join(tmp.dir, 'iris.html');
    const r = await dlf('report', iris, '--out', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote the report to ${file}\n`);
    const { page } = await report(iris);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(headings(page)).toEqual(['Learning curves', 'Evaluation', 'Model', 'Graph', 'Data', 'Config', 'Timings and environment']);
    // Three inline SVG pictures: the curves and the heat map drawn by vega, the graph by Graphviz.
    expect((page.match(/<svg /g) ?? []).length).toBe(3);
    // The graph as dlf graph --svg draws it: a box per layer, a node per op, shapes on the edges.
    const graph = page.slice(page.indexOf('<h2>Graph</h2>'), page.indexOf('<h2>Data</h2>'));
    expect((graph.match(/<g id="node\d+" class="node">/g) ?? []).length).toBe(13);
    for (const label of ['layer0/dense', 'layer1/dense', 'layer0/dense/matmul:0', 'matmul [16, 16]', 'softmax_cross_entropy [16]', '[16, 3]'])
      expect(graph).toContain(`>${label}</text>`);
    expect(graph).not.toMatch(/<\?xml|<!DOCTYPE/);
    // The heat map: a rect per pair of classes, and the per-class rows.
    const heat = page.slice(page.indexOf('<h3>Confusion matrix</h3>'), page.indexOf('<h3>Per class</h3>'));
    expect((heat.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(9);
    for (const c of ['setosa', 'versicolor', 'virginica']) expect(page).toMatch(new RegExp(`<tr><td>${c}</td><td class="num">`));
    expect(page).toContain(`<p class="sub">Run <span class="mono">${iris}</span></p>`);
    expect(page).toMatch(/Checkpoint <span class="mono">checkpoints\/best\.json<\/span> \(epoch [1-8]\) on the validation split: 30 samples\./);
    expect(page).toMatch(/<td>layer0\/dense<\/td><td>dense<\/td><td>\[16\]<\/td><td class="num">80<\/td>/);
    expect(page).toContain('&quot;label&quot;: &quot;species&quot;'); // config.json, escaped
    expect(page).toMatch(/<th>Node\.js<\/th><td>v\d+/);
    expect(page).toMatch(/<th>backend<\/th><td>(native|ts)<\/td>/);
    expect(page).toMatch(/iris\.csv<\/td><td class="num">3,858<\/td><td><span class="mono">[0-9a-f]{64}<\/span><\/td><td><span class="ok">unchanged/);
    expect(duplicateIds(page)).toEqual([]);
  });

  it('is self-contained: no script, no external resource, a policy that forbids both', async () => {
    const { page } = await report(iris);
    const t = tags(page);
    for (const bad of ['script', 'img', 'link', 'iframe', 'object', 'embed', 'image', 'use', 'foreignobject']) expect(t.has(bad), bad).toBe(false);
    expect(page).not.toMatch(/\s(src|href)="(?!#)/); // only links within the page
    expect(page).not.toMatch(/url\((?!#)/); // CSS and SVG references only to ids in the page
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/); // the SVG namespaces are names, not requests
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
  });

  it('escapes hostile column, label, class and folder names everywhere', async () => {
    const { page } = await report(hostile);
    const t = tags(page);
    expect(t.has('script')).toBe(false);
    expect(t.has('img')).toBe(false);
    expect((page.match(/<svg /g) ?? []).length).toBe(3); // the pictures, not a class name
    expect(page).toContain(escapeHtml(HOSTILE.column));
    for (const c of Object.values(HOSTILE.classes)) expect(page).toContain(`<tr><td>${escapeHtml(c)}</td>`);
    expect(page).toContain(escapeHtml(HOSTILE.folder));
    expect(page).not.toContain(HOSTILE.folder);
    expect(page).not.toMatch(/<\/pre><script/);
    expect(duplicateIds(page)).toEqual([]);
  });

  it('evaluates a run without a validation split on its training split', async () => {
    const { page } = await report(noVal);
    expect(page).toContain('on the training split: 150 samples (the run holds out no validation split, so these are the training samples)');
    expect((page.match(/aria-roledescription="rect mark"/g) ?? []).length).toBe(9);
  });

  it("a regression's page: residuals against prediction and their histogram, no confusion matrix", async () => {
    const { page } = await report(diabetes);
    expect(page).not.toContain('Confusion matrix');
    expect(page).toContain('<h3>Residuals</h3>');
    expect(page).toContain("Title text 'residual against prediction'");
    expect(page).toContain("Title text 'residuals'");
    // A point per validation sample (88 of diabetes' 442) and the bars of the histogram.
    expect(page).toContain('on the validation split: 88 samples');
    const residuals = page.slice(page.indexOf('<h3>Residuals</h3>'));
    expect((residuals.match(/aria-roledescription="point"/g) ?? []).length).toBe(88);
    expect((residuals.match(/aria-roledescription="bar"/g) ?? []).length).toBeGreaterThan(3);
    expect(page).toMatch(/<td>r2<\/td><td class="num">-?\d/);
  });

  it('says so, and still writes the page, when the data changed or cannot be read now', async () => {
    const csv = join(tmp.dir, HOSTILE.folder, 'iris.csv');
    const moved = csv + '.moved';
    renameSync(csv, moved);
    try {
      const r = await dlf('report', hostile);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/^warning: the report has no evaluation: .*iris\.csv.*\n/);
      expect(r.stderr).toContain('is missing or unreadable since the run trained');
      expect(r.stdout).toContain('The validation split could not be evaluated');
      expect(r.stdout).toContain('<span class="bad">is missing or unreadable</span>');
    } finally {
      renameSync(moved, csv);
    }
  });

  it('refuses a terminal, and a run directory that is not one, in one line', async () => {
    let stderr = '';
    const code = await main(['node', 'dlf', 'report', iris], { out: () => undefined, err: (t) => void (stderr += t), interactive: false, outIsTerminal: true });
    expect(code).toBe(2);
    expect(stderr).toBe('error: an HTML report is not written to a terminal (give --out report.html, or redirect: > report.html)\n');
    const size = await dlf('report', iris, '--max-memory', '12Q');
    expect(size.code).toBe(2);
    expect(size.stderr).toBe("error: --max-memory must be a size in bytes such as 512M, 4G or 2GiB, got '12Q'\n");
    const none = await dlf('report', join(tmp.dir, 'nowhere'));
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`error: ${join(tmp.dir, 'nowhere')}: no such run directory\n`);
    const over = await dlf('report', iris, '--out', join(iris, 'config.json'));
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/config\.json is a file of the run directory; writing to it would destroy it/);
    const corrupt = join(tmp.dir, 'corrupt');
    await trainRun('iris.yaml', corrupt, '--epochs', '1');
    writeFileSync(join(corrupt, 'metrics.jsonl'), '{"epoch": 1, "train": {"loss": 1}}\nnot json\n');
    const bad = await dlf('report', corrupt);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`error: ${join(corrupt, 'metrics.jsonl')}:2: not valid JSON\n`);
  });
});

describe('the html tag', () => {
  it('escapes text and attribute values, keeps Html and trusted markup, drops undefined and false', () => {
    const name = `<a href="x">&'`;
    expect(escapeHtml(name)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    expect(html`<td title="${name}">${name}</td>`.markup).toBe(
      '<td title="&lt;a href=&quot;x&quot;&gt;&amp;&#39;">&lt;a href=&quot;x&quot;&gt;&amp;&#39;</td>',
    );
    expect(html`<p>${[html`<b>${'<i>'}</b>`, '<u>', 3]}${undefined}${false}${null}</p>`.markup).toBe('<p><b>&lt;i&gt;</b>&lt;u&gt;3</p>');
    expect(html`${trusted('<svg></svg>')}`.markup).toBe('<svg></svg>');
  });
});
