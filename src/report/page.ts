// The report of a run as one HTML page that stands alone: inline CSS, the charts as inline SVG,
// no script, no font, no image or link to fetch (a Content-Security-Policy says so to the browser
// as well), so that it opens offline and can be mailed or archived as one file. Every piece of
// text from the run (names, paths, the config) goes through the escaping `html` tag.
import { isAbsolute, relative } from 'node:path';
import { formatBytes } from '../compile/bytes.js';
import { shapeStr } from '../tensor/shape.js';
import type { EvalResult } from '../train/evaluate.js';
import { type Html, html, trusted } from './html.js';
import type { RunReportData } from './gather.js';

/** The charts, as SVG text dlf drew (trusted markup). */
export interface ReportCharts {
  curves: string;
  confusion?: string;
  residualScatter?: string;
  residualHistogram?: string;
  /** The model's graph (forward pass and loss), drawn by Graphviz. */
  graph?: string;
  /** Points the residual scatter shows of all the split's samples, when it was thinned. */
  scatterShown?: number;
}

/** A section of the page: its anchor, heading and body. */
interface Section {
  id: string;
  title: string;
  body: Html;
}

const CSS = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1d1d1f; background: #f6f7f9; margin: 0; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e3e5e8; }
h3 { font-size: 15px; margin: 20px 0 8px; }
.sub { color: #5b6068; margin: 0 0 12px; word-break: break-all; }
nav { font-size: 14px; margin: 8px 0 4px; }
nav a { margin-right: 14px; color: #2b5fad; text-decoration: none; }
nav a:hover { text-decoration: underline; }
.facts { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; padding: 0; list-style: none; }
.facts li { background: #f1f4f8; border-radius: 6px; padding: 6px 12px; }
.facts b { display: block; font-size: 12px; font-weight: 600; color: #5b6068; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 14px; }
th, td { padding: 4px 12px; border-bottom: 1px solid #eceef1; text-align: left; vertical-align: top; }
th { font-weight: 600; background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; border-top: 1px solid #c9ccd1; }
tr.avg td { color: #3a3f47; font-style: italic; }
tr.first td { border-top: 1px solid #c9ccd1; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
pre { background: #f6f8fa; border: 1px solid #e3e5e8; border-radius: 6px; padding: 12px; overflow: auto; max-height: 520px; }
figure { margin: 10px 0 16px; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #5b6068; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.note { background: #fff8e6; border-left: 4px solid #e0a800; padding: 6px 12px; margin: 8px 0; }
.ok { color: #2e7d32; }
.bad { color: #b3261e; font-weight: 600; }
footer { margin-top: 40px; font-size: 13px; color: #5b6068; }
`;

/** Numbers for people: fixed decimals in the usual range, exponent notation outside it. */
function num(v: unknown, digits = 4): string {
  if (typeof v !== 'number') return v === null ? 'NaN' : '-';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-4) ? v.toExponential(3) : v.toFixed(digits);
}

const int = (n: number) => n.toLocaleString('en-US');

function seconds(s: unknown): string {
  if (typeof s !== 'number' || !Number.isFinite(s)) return '-';
  return s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** A table of rows of cells; the columns named in `numeric` are right-aligned, `cls` gives a row a class. */
function table(
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  numeric: ReadonlySet<number> = new Set(),
  cls?: (row: number) => string | undefined,
): Html {
  const th = (v: unknown, c: number) => (numeric.has(c) ? html`<th class="num">${v}</th>` : html`<th>${v}</th>`);
  const td = (v: unknown, c: number) => (numeric.has(c) ? html`<td class="num">${v}</td>` : html`<td>${v}</td>`);
  const tr = (r: readonly unknown[], i: number) => {
    const c = cls?.(i);
    return c ? html`<tr class="${c}">${r.map(td)}</tr>` : html`<tr>${r.map(td)}</tr>`;
  };
  return html`<table><thead><tr>${head.map(th)}</tr></thead><tbody>${rows.map(tr)}</tbody></table>`;
}

/** A two-column table of names and values. */
function facts(rows: readonly (readonly [string, unknown])[]): Html {
  return html`<table><tbody>${rows.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

function figure(svg: string, caption?: string): Html {
  return html`<figure>${trusted(svg)}${caption ? html`<figcaption>${caption}</figcaption>` : ''}</figure>`;
}

const splitName = (s: string) => (s === 'val' ? 'validation' : s === 'train' ? 'training' : s);

function headline(d: RunReportData): Html {
  const f = d.final ?? {};
  const best = f.best as { epoch?: number; metric?: string; value?: number } | undefined;
  const last = d.history.records[d.history.records.length - 1];
  const items: [string, unknown][] = [
    ['task', d.task + (d.classes ? ` (${d.classes.length} classes)` : '')],
    ['epochs', typeof f.epochs === 'number' ? f.epochs : last.epoch],
    ...(typeof f.stopped === 'string' ? [['stopped', f.stopped.replace(/_/g, ' ')] as [string, unknown]] : []),
    ...(best && typeof best.epoch === 'number' ? [['best', `${best.metric ?? ''} ${num(best.value)} at epoch ${best.epoch}`] as [string, unknown]] : []),
    ...(typeof f.seconds === 'number' ? [['training time', seconds(f.seconds)] as [string, unknown]] : []),
    ['parameters', int(d.summary.totals.params)],
  ];
  return html`<ul class="facts">${items.map(([k, v]) => html`<li><b>${k}</b>${v}</li>`)}</ul>`;
}

function curvesSection(d: RunReportData, charts: ReportCharts): Section {
  const notes = [
    d.history.cutShort ? html`<p class="note">The last line of metrics.jsonl was cut short (a process killed while writing it) and is left out.</p>` : '',
    !d.final ? html`<p class="note">The run has no metrics.json: training has not finished (it is running, was paused or interrupted).</p>` : '',
  ];
  return {
    id: 'curves',
    title: 'Learning curves',
    body: html`${notes}${figure(charts.curves, 'Per epoch, from metrics.jsonl; validation values are computed after each epoch.')}`,
  };
}

function metricsTable(r: EvalResult): Html {
  return table(
    ['metric', 'value'],
    Object.entries(r.metrics).map(([k, v]) => [k, num(v as number, 6)]),
    new Set([1]),
  );
}

function classificationBody(r: EvalResult, charts: ReportCharts): Html {
  const rep = r.report!;
  const rows: unknown[][] = [
    ...rep.classes.map((c) => [c.class, num(c.precision), num(c.recall), num(c.f1), int(c.support)]),
    ['macro avg', num(rep.macro.precision), num(rep.macro.recall), num(rep.macro.f1), int(rep.macro.support)],
    ['weighted avg', num(rep.weighted.precision), num(rep.weighted.recall), num(rep.weighted.f1), int(rep.weighted.support)],
  ];
  const k = rep.classes.length;
  const b = r.binary;
  const weights = r.classWeights;
  return html`
${b ? html`<p>Two classes: positive class <b>${b.positive}</b> (negative ${b.negative}), decision threshold ${b.threshold}; ROC-AUC ${num(b.roc_auc)}, PR-AUC ${num(b.pr_auc)}.</p>` : ''}
<h3>Confusion matrix</h3>
${charts.confusion ? figure(charts.confusion, 'Rows: true class; columns: predicted class. Each cell holds its count and is shaded by its share of the true class (the recall on the diagonal).') : ''}
<h3>Per class</h3>
${table(['class', 'precision', 'recall', 'f1', 'support'], rows, new Set([1, 2, 3, 4]), (i) => (i === k ? 'avg first' : i > k ? 'avg' : undefined))}
${
  weights
    ? html`<h3>Class weights (${weights.mode})</h3>${table(
        ['class', 'weight'],
        weights.classes.map((c, i) => [c, num(weights.weights[i])]),
        new Set([1]),
      )}`
    : ''
}`;
}

function regressionBody(r: EvalResult, charts: ReportCharts): Html {
  const n = r.points?.predicted.length ?? 0;
  const thinned = charts.scatterShown !== undefined && charts.scatterShown < n;
  return html`
<h3>Residuals</h3>
<p>The residual of a sample is its true value minus the prediction, in the target's units.</p>
<div class="charts">${charts.residualScatter ? figure(charts.residualScatter, thinned ? `${int(charts.scatterShown!)} of the ${int(n)} samples, evenly spaced.` : undefined) : ''}${
    charts.residualHistogram ? figure(charts.residualHistogram) : ''
  }</div>`;
}

/** A path of the run directory relative to it (checkpoints/best.json), any other path as it is. */
function inRun(d: RunReportData, path: string): string {
  const rel = relative(d.absDir, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function evaluationSection(d: RunReportData, charts: ReportCharts): Section {
  const changed = d.dataChanges.length
    ? html`<p class="note">The data files changed since the run trained (see <a href="#data">Data</a>): these scores are on the data as it is now.</p>`
    : '';
  const e = d.evaluation;
  if ('error' in e) {
    return {
      id: 'evaluation',
      title: 'Evaluation',
      body: html`<p class="note">The ${splitName(e.split)} split could not be evaluated: <span class="mono">${e.error}</span></p>`,
    };
  }
  const r = e.result;
  const trainOnly = r.split === 'train' ? html` (the run holds out no validation split, so these are the training samples)` : '';
  return {
    id: 'evaluation',
    title: 'Evaluation',
    body: html`<p>Checkpoint <span class="mono">${inRun(d, r.checkpoint)}</span> (epoch ${r.epoch}) on the ${splitName(r.split)} split: ${int(r.samples)} samples${trainOnly}.</p>
${changed}${metricsTable(r)}${r.report ? classificationBody(r, charts) : regressionBody(r, charts)}`,
  };
}

function modelSection(d: RunReportData): Section {
  const s = d.summary;
  const withState = s.totals.state > 0;
  const head = ['layer', 'type', 'output', 'params', ...(withState ? ['state'] : []), 'MACs'];
  const rows = s.layers.map((l) => [l.scope, l.type, shapeStr(l.outputShape), int(l.params), ...(withState ? [int(l.state)] : []), int(l.macs)]);
  const total = ['total', '', '', int(s.totals.params), ...(withState ? [int(s.totals.state)] : []), int(s.totals.macs)];
  const numeric = new Set(head.map((h, c) => (['params', 'state', 'MACs'].includes(h) ? c : -1)));
  const m = s.memory;
  return {
    id: 'model',
    title: 'Model',
    body: html`${table(head, [...rows, total], numeric, (i) => (i === rows.length ? 'total' : undefined))}
<p>Output shapes are per sample; MACs are multiply-adds per sample; params are trainable${withState ? ', state are running statistics' : ''}.</p>
${facts([
  ['training program', `${int(s.program.nodes)} nodes at batch ${s.program.batch}`],
  ['planned arena', `${formatBytes(m.arenaBytes)} (${formatBytes(m.unplannedBytes)} without buffer reuse)`],
  ['persistent buffers', formatBytes(m.persistentBytes)],
  ['parameters', formatBytes(m.parameterBytes)],
  ['optimizer state', formatBytes(m.optimizerBytes)],
  ['training needs in all', formatBytes(m.totalBytes)],
])}`,
  };
}

function graphSection(charts: ReportCharts): Section | undefined {
  if (!charts.graph) return undefined;
  return {
    id: 'graph',
    title: 'Graph',
    body: html`<p>The graph training builds for one batch, forward pass and loss, as <span class="mono">dlf graph --svg</span> draws it: each layer's nodes in a box, every edge labelled with the shape of its tensor, parameters apart from data. <span class="mono">dlf graph &lt;config&gt; --svg --backward</span> adds the backward pass autodiff appends.</p>${figure(charts.graph)}`,
  };
}

function dataSection(d: RunReportData): Section {
  const f = d.final ?? {};
  const rows: [string, unknown][] = [
    ['task', d.task],
    ...(d.features ? [['features', `${d.features.length}: ${d.features.join(', ')}`] as [string, unknown]] : []),
    ...(d.classes ? [['classes', `${d.classes.length}: ${d.classes.join(', ')}`] as [string, unknown]] : []),
    ...(typeof f.trainSamples === 'number' ? [['training samples', int(f.trainSamples)] as [string, unknown]] : []),
    ...(typeof f.valSamples === 'number' ? [['validation samples', int(f.valSamples)] as [string, unknown]] : []),
  ];
  const changes = new Map(d.dataChanges.map((c) => [c.path, c.what]));
  const prints = d.fingerprints
    ? html`<h3>Data fingerprints</h3>${table(
        ['file', 'bytes', 'sha256', 'now'],
        d.fingerprints.map((p) => [
          p.path,
          int(p.size),
          html`<span class="mono">${p.sha256}</span>`,
          changes.has(p.path) ? html`<span class="bad">${changes.get(p.path)}</span>` : html`<span class="ok">unchanged</span>`,
        ]),
        new Set([1]),
      )}`
    : html`<p>The run recorded no data fingerprints (it trained on generated data, or an older dlf made it).</p>`;
  return { id: 'data', title: 'Data', body: html`${facts(rows)}${prints}` };
}

function configSection(d: RunReportData): Section {
  return {
    id: 'config',
    title: 'Config',
    body: html`<p>The resolved config the run saved in <span class="mono">config.json</span> (defaults filled in, paths absolute):</p><pre>${d.configText}</pre>`,
  };
}

/** Seconds of the epochs: least, median and most. */
function epochTimes(d: RunReportData): string {
  const s = d.history.records
    .map((r) => r.seconds)
    .filter((v): v is number => typeof v === 'number')
    .sort((a, b) => a - b);
  if (s.length === 0) return '-';
  return `${seconds(s[0])} / ${seconds(s[s.length >> 1])} / ${seconds(s[s.length - 1])}`;
}

function environmentSection(d: RunReportData, environment: readonly (readonly [string, string])[]): Section {
  const f = d.final ?? {};
  const e = d.evaluation;
  return {
    id: 'environment',
    title: 'Timings and environment',
    body: html`<h3>Training</h3>${facts([
      ['backend', typeof f.backend === 'string' ? f.backend : '-'],
      ['epochs, optimizer steps', `${typeof f.epochs === 'number' ? f.epochs : d.history.records.length}, ${typeof f.steps === 'number' ? int(f.steps) : '-'}`],
      ['total time', seconds(f.seconds)],
      ['mean epoch', seconds(f.secondsPerEpoch)],
      ['fastest / median / slowest epoch', epochTimes(d)],
    ])}
<h3>This report</h3>${facts([...('result' in e ? [['evaluation', seconds(e.seconds)] as const] : []), ...environment])}`,
  };
}

/** The whole page. `environment` lists where the report was made (versions, backend, CPU). */
export function reportPage(d: RunReportData, charts: ReportCharts, environment: readonly (readonly [string, string])[], dlfVersion: string): string {
  const sections = [
    curvesSection(d, charts),
    evaluationSection(d, charts),
    modelSection(d),
    graphSection(charts),
    dataSection(d),
    configSection(d),
    environmentSection(d, environment),
  ].filter((s): s is Section => s !== undefined);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dlf ${dlfVersion}">
<title>${d.name}: dlf run report</title>
<style>${trusted(CSS)}</style>
</head>
<body>
<main>
<h1>${d.name}</h1>
<p class="sub">Run <span class="mono">${d.runDir}</span></p>
${headline(d)}
<nav>${sections.map((s) => html`<a href="#${s.id}">${s.title}</a>`)}</nav>
${sections.map((s) => html`<section id="${s.id}"><h2>${s.title}</h2>${s.body}</section>\n`)}
<footer>Made by dlf ${dlfVersion} with <span class="mono">dlf report</span>. One static file: no scripts, and nothing is loaded from elsewhere.</footer>
</main>
</body>
</html>
`;
  return page.markup;
}
