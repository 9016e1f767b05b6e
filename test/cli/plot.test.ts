// dlf plot: learning curves as SVG from runs' metrics.jsonl. Runs are trained for a few epochs and
// the pictures read back as text: the panels by their titles, the lines by vega's line marks, the
// legend by its entries. Broken inputs (no such run, an empty, corrupt or cut-short metrics.jsonl,
// an unknown --metric) are one-line errors naming the file or the closest name.
import { appendFileSync, cpSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { choosePanels, curvesSpec } from '../../src/plot/curves.js';
import { readRunHistory } from '../../src/plot/history.js';
import { renderSvg } from '../../src/plot/render.js';
import { dlf, repo, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The texts of an SVG's <text> elements, unescaped. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&'),
  );
}

/** The titles in the order vega writes them: the panels', then the picture's (one run). */
function titles(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-group role-title">.*?<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

/** How many lines each panel (concat_i) draws: vega makes a line mark per series (layer 0 when points are drawn too). */
function linesPerPanel(svg: string): number[] {
  const out: number[] = [];
  for (const m of svg.matchAll(/<g class="mark-line role-mark concat_(\d+)(?:_layer_0)?_marks"/g)) out[Number(m[1])] = (out[Number(m[1])] ?? 0) + 1;
  return out;
}

const train = async (name: string, config: string, ...extra: string[]) => {
  const out = join(tmp.dir, name);
  const r = await dlf('train', repo('configs', config), '--out', out, '--quiet', ...extra);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return out;
};

let iris: string;
let iris2: string;
let noVal: string;
let linear: string;
beforeAll(async () => {
  iris = await train('iris', 'iris.yaml', '--epochs', '6');
  iris2 = await train('iris-cosine', 'iris.yaml', '--epochs', '6', '--seed', '5', '--set', 'train.schedule={type: cosine}');
  noVal = await train('iris-noval', 'iris.yaml', '--epochs', '4', '--set', 'data.split.validation=0');
  linear = await train('linear', 'linear.yaml', '--epochs', '5');
});

describe('dlf plot', () => {
  it('draws loss, each metric and the learning rate of one run, to --out atomically or to stdout', async () => {
    const file = join(tmp.dir, 'one.svg');
    const r = await dlf('plot', iris, '--out', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`wrote the learning curves to ${file}\n`);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(titles(svg)).toEqual(['loss', 'accuracy', 'learning rate', iris]);
    // Train and validation lines in loss and accuracy, one learning-rate line.
    expect(linesPerPanel(svg)).toEqual([2, 2, 1]);
    expect(texts(svg)).toEqual(expect.arrayContaining(['train', 'validation', 'epoch']));
    const piped = await dlf('plot', iris);
    expect(piped.code).toBe(0);
    // The same picture; vega numbers its clip paths on from one drawing to the next in a process.
    const unnumbered = (t: string) => t.replace(/clip\d+/g, 'clip');
    expect(unnumbered(piped.stdout)).toBe(unnumbered(svg));
  });

  it('overlays several runs with a legend naming each as given', async () => {
    const r = await dlf('plot', iris, iris2 + '/');
    expect(r.code).toBe(0);
    expect(titles(r.stdout)).toEqual(['loss', 'accuracy', 'learning rate']);
    expect(linesPerPanel(r.stdout)).toEqual([4, 4, 2]);
    const t = texts(r.stdout);
    expect(t).toEqual(expect.arrayContaining(['run', iris, iris2, 'split', 'train', 'validation']));
    const same = await dlf('plot', iris, join(iris, '.'));
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/is given twice/);
  });

  it('--metric picks the panels, in the order given; an unknown one is an error with the closest name', async () => {
    const r = await dlf('plot', iris, '--metric', 'lr', '--metric', 'accuracy');
    expect(r.code).toBe(0);
    expect(titles(r.stdout)).toEqual(['learning rate', 'accuracy', iris]);
    const typo = await dlf('plot', iris, iris2, '--metric', 'acuracy');
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe("error: --metric acuracy: these runs did not log it (did you mean 'accuracy'?)\n");
    const notLogged = await dlf('plot', iris, '--metric', 'r2');
    expect(notLogged.code).toBe(2);
    expect(notLogged.stderr).toBe('error: --metric r2: this run did not log it (this run logged loss, accuracy, lr)\n');
  });

  it('draws a run without a validation split with train lines only', async () => {
    const r = await dlf('plot', noVal);
    expect(r.code).toBe(0);
    expect(linesPerPanel(r.stdout)).toEqual([1, 1, 1]);
    expect(texts(r.stdout)).toContain('train');
    expect(texts(r.stdout)).not.toContain('validation');
  });

  it("draws a regression run's loss and error metrics", async () => {
    const r = await dlf('plot', linear);
    expect(r.code).toBe(0);
    const logged = Object.keys(JSON.parse(readFileSync(join(linear, 'metrics.jsonl'), 'utf8').split('\n')[0]).train);
    expect(logged).toEqual(['loss', 'mse', 'mae']);
    // Five epochs from zero weights take the loss down by more than two decades: a log scale.
    expect(titles(r.stdout)).toEqual(['loss (log scale)', 'mse (log scale)', 'mae', 'learning rate', linear]);
    expect(linesPerPanel(r.stdout)).toEqual([2, 2, 2, 1]);
  });

  it('refuses to print the picture on a terminal, before reading anything', async () => {
    let stderr = '';
    const code = await main(['node', 'dlf', 'plot', join(tmp.dir, 'no-such-run')], {
      out: () => undefined,
      err: (t) => void (stderr += t),
      interactive: false,
      outIsTerminal: true,
    });
    expect(code).toBe(2);
    expect(stderr).toBe('error: an SVG picture is not written to a terminal (give --out curves.svg, or redirect: > curves.svg)\n');
  });

  it("will not write over a run's own files", async () => {
    const r = await dlf('plot', iris, '--out', join(iris, 'metrics.jsonl'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a file of the run directory; writing to it would destroy it/);
  });

  it('names the file of a missing, empty or corrupt metrics.jsonl in one line', async () => {
    const missing = await dlf('plot', join(tmp.dir, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: ${join(tmp.dir, 'nowhere')}: no such run directory\n`);

    const notRun = join(tmp.dir, 'not-a-run');
    mkdirSync(notRun);
    const none = await dlf('plot', notRun);
    expect(none.stderr).toBe(`error: ${join(notRun, 'metrics.jsonl')}: no such file: this is not a run directory written by dlf train\n`);

    const broken = join(tmp.dir, 'broken');
    cpSync(iris, broken, { recursive: true });
    const metrics = join(broken, 'metrics.jsonl');
    writeFileSync(metrics, '');
    const empty = await dlf('plot', broken);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe(`error: ${metrics}: is empty: the run has not finished an epoch\n`);

    const lines = readFileSync(join(iris, 'metrics.jsonl'), 'utf8').split('\n');
    writeFileSync(metrics, [lines[0], '{"epoch": 2, "train": {"loss": 0.5', lines[2], ''].join('\n'));
    const corrupt = await dlf('plot', broken);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toBe(`error: ${metrics}:2: not valid JSON\n`);

    writeFileSync(metrics, [lines[0], '{"epoch": "two", "train": {}}', ''].join('\n'));
    expect((await dlf('plot', broken)).stderr).toBe(`error: ${metrics}:2: not an epoch's record: 'epoch' must be a whole number\n`);
    writeFileSync(metrics, [lines[0], '{"epoch": 2, "train": {"loss": "low"}}', ''].join('\n'));
    expect((await dlf('plot', broken)).stderr).toBe(`error: ${metrics}:2: 'train.loss' must be a number\n`);
    writeFileSync(metrics, Buffer.from([0xff, 0xfe, 0x0a]));
    expect((await dlf('plot', broken)).stderr).toMatch(/^error: .*metrics\.jsonl: cannot read the run's file: is not valid UTF-8/);
  });

  it('leaves out, with a warning, a last line a killed process cut short', async () => {
    const cut = join(tmp.dir, 'cut');
    cpSync(iris, cut, { recursive: true });
    const metrics = join(cut, 'metrics.jsonl');
    const whole = readFileSync(metrics, 'utf8');
    appendFileSync(metrics, '{"epoch":7,"step":56,"lr":0.01,"train":{"lo');
    const r = await dlf('plot', cut);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`warning: ${metrics}: its last line was cut short (a process killed while writing it) and is left out\n`);
    expect(readRunHistory(cut).records).toHaveLength(6);
    truncateSync(metrics, 0);
    appendFileSync(metrics, whole.split('\n')[0].slice(0, 30));
    expect((await dlf('plot', cut)).stderr).toBe(`error: ${metrics}: holds only a line cut short, no whole epoch\n`);
  });

  it('escapes a hostile run name in the SVG', async () => {
    const hostile = join(tmp.dir, '<script>alert(1)&"x"<img src=x onerror=alert(2)>');
    cpSync(iris, hostile, { recursive: true });
    const r = await dlf('plot', hostile, iris);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/<script/i);
    expect(r.stdout).not.toMatch(/<img/i);
    // The legend label may be cut to fit; its aria-label holds the whole name.
    expect(r.stdout).toContain(`2 values: ${hostile.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}, ${iris}`);
  });

  it('compiles and draws without a warning from vega-lite or vega', async () => {
    const runs = [iris, iris2, noVal, linear].map((d) => ({ label: d, records: readRunHistory(d).records }));
    const { warnings, svg } = await renderSvg(curvesSpec(runs, choosePanels(runs, [])));
    expect(warnings).toEqual([]);
    expect(titles(svg).map((t) => t.replace(' (log scale)', ''))).toEqual(['loss', 'accuracy', 'mse', 'mae', 'learning rate']);
  });
});
