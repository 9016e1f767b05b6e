// dlf report's page in a real browser: headless Chromium (Debian's package `chromium`, which
// .ci/run installs) driven by playwright-core opens the file and records every console message,
// page error, dialog and network request. A page must log no error, ask for nothing (the file
// itself aside), open no alert from a hostile name, and show its charts drawn: SVGs with a real
// size, a line per curve, a heat-map cell per pair of classes, a node per op of the graph, a point
// per residual. Where no
// Chromium can be found the suite is skipped and its title says why.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dlf, tempDir } from './helpers.js';
import { HOSTILE, hostileIrisConfig, trainRun } from './report-fixtures.js';

const CANDIDATES = [
  process.env.DLF_CHROMIUM,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
].filter((p): p is string => !!p);
const executablePath = CANDIDATES.find((p) => existsSync(p));
const title = executablePath
  ? 'dlf report in headless Chromium'
  : `dlf report in headless Chromium (skipped: no Chromium at ${CANDIDATES.join(', ')}; apt-get install chromium, or set DLF_CHROMIUM)`;

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** What a page did while it loaded. */
interface Visit {
  page: Page;
  problems: string[];
  requests: string[];
}

describe.skipIf(!executablePath)(title, () => {
  let browser: Browser;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    const runs = {
      iris: await trainRun('iris.yaml', join(tmp.dir, 'iris'), '--epochs', '8'),
      hostile: await trainRun(hostileIrisConfig(tmp.dir), join(tmp.dir, 'hostile-run')),
      diabetes: await trainRun('diabetes.yaml', join(tmp.dir, 'diabetes'), '--epochs', '4'),
    };
    for (const [name, dir] of Object.entries(runs)) {
      files[name] = join(tmp.dir, `${name}.html`);
      const r = await dlf('report', dir, '--out', files[name]);
      expect(r.code).toBe(0);
    }
    browser = await chromium.launch({ executablePath });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a report file and records what happens. */
  async function visit(file: string): Promise<Visit> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const url = pathToFileURL(file).href;
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    context.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  /** The widths and heights of the elements `selector` finds. */
  async function boxes(page: Page, selector: string): Promise<{ width: number; height: number }[]> {
    return page.locator(selector).evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((b) => ({ width: b.width, height: b.height })));
  }

  it("a classifier's report loads without errors or requests and shows its curves and heat map", async () => {
    const { page, problems, requests } = await visit(files.iris);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.title()).toBe('iris: dlf run report');
    const charts = await boxes(page, 'figure svg');
    expect(charts).toHaveLength(3);
    for (const b of charts) expect(b.width > 200 && b.height > 150, JSON.stringify(b)).toBe(true);
    // Loss and accuracy for train and validation, and the learning rate: five lines, each drawn.
    const lines = await boxes(page, '#curves .mark-line.role-mark path');
    expect(lines).toHaveLength(5);
    for (const b of lines) expect(b.width).toBeGreaterThan(50);
    // Nine cells, each a visible square, and the counts written on them add up to the 30 samples.
    const cells = await boxes(page, '#evaluation .mark-rect.role-mark path');
    expect(cells).toHaveLength(9);
    for (const b of cells) expect(b.width > 10 && b.height > 10 && Math.abs(b.width - b.height) < 1).toBe(true);
    const counts = await page.locator('#evaluation .mark-text.role-mark text').allTextContents();
    expect(counts.map(Number).reduce((s, v) => s + v, 0)).toBe(30);
    await expect(page.getByRole('heading', { name: 'Per class' }).isVisible()).resolves.toBe(true);
    // The graph: thirteen nodes (data, parameters, ops and the loss), each drawn with a size.
    const nodes = await boxes(page, '#graph svg g.node');
    expect(nodes).toHaveLength(13);
    for (const b of nodes) expect(b.width > 20 && b.height > 10).toBe(true);
    await page.close();
  });

  it('shows hostile names as text: no script element, no image, no alert', async () => {
    const { page, problems, requests } = await visit(files.hostile);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    // Exactly the pictures' SVGs (curves, heat map, graph); a class name did not make one.
    expect(await page.locator('svg').count()).toBe(3);
    const classCells = await page.locator('#evaluation table').nth(1).locator('tbody tr td:first-child').allTextContents();
    expect(classCells.slice(0, 3).sort()).toEqual(Object.values(HOSTILE.classes).sort());
    // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered (laid out) is what is checked
    const text = await page.locator('#data').innerText();
    expect(text).toContain(HOSTILE.column);
    expect(text).toContain(HOSTILE.folder);
    await page.close();
  });

  it("a regression's report shows a point per residual and the histogram's bars", async () => {
    const { page, problems, requests } = await visit(files.diabetes);
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    const figures = await boxes(page, '#evaluation figure svg');
    expect(figures).toHaveLength(2);
    for (const b of figures) expect(b.width > 200 && b.height > 150).toBe(true);
    const points = await boxes(page, '#evaluation figure:nth-of-type(1) .mark-symbol.role-mark path');
    expect(points).toHaveLength(88);
    expect(points.every((b) => b.width > 0 && b.height > 0)).toBe(true);
    const bars = await boxes(page, '#evaluation figure:nth-of-type(2) .mark-rect.role-mark path');
    expect(bars.length).toBeGreaterThan(3);
    expect(bars.some((b) => b.height > 20)).toBe(true);
    await page.close();
  });
});
