// Learning curves as a Vega-Lite spec: one panel per quantity (the loss, each logged metric, the
// learning rate last), epochs along x, train and validation values as lines. One run is coloured
// by split (train blue, validation orange); several runs are coloured by run, with validation
// dashed, and the legend names them. This file only describes the chart: render.ts draws it.
import type { TopLevelSpec } from 'vega-lite';
import { UsageError, oneLine } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { HistoryRecord } from './history.js';

/** A run to draw: the name its legend entry shows and its records. */
export interface CurveRun {
  label: string;
  records: readonly HistoryRecord[];
}

/** The panel of the learning rate; every other panel is a metric logged for train and validation. */
const LR_PANEL = 'lr';

const SPLIT_COLOURS = { train: '#4c78a8', validation: '#f58518' } as const;
const LR_COLOUR = '#54a24b';

/**
 * The panels the runs can fill, in drawing order: the loss, the other metrics in the order the
 * records name them, then the learning rate when a record has one.
 */
function availablePanels(runs: readonly CurveRun[]): string[] {
  const metrics = new Set<string>(['loss']);
  let lr = false;
  for (const run of runs) {
    for (const r of run.records) {
      for (const k of Object.keys(r.train)) metrics.add(k);
      for (const k of Object.keys(r.val ?? {})) metrics.add(k);
      if (r.lr !== undefined) lr = true;
    }
  }
  metrics.delete(LR_PANEL);
  return [...metrics, ...(lr ? [LR_PANEL] : [])];
}

/**
 * The panels `wanted` names (--metric, in the order given, each once), or every available one
 * when none is named. A name no run logged is a usage error with the closest available name.
 */
export function choosePanels(runs: readonly CurveRun[], wanted: readonly string[]): string[] {
  const available = availablePanels(runs);
  if (wanted.length === 0) return available;
  const out: string[] = [];
  for (const w of wanted) {
    if (!available.includes(w)) {
      const what = runs.length === 1 ? 'this run' : 'these runs';
      throw new UsageError(`--metric ${oneLine(w, 60)}: ${what} did not log it`, didYouMean(w, available) ?? `${what} logged ${available.join(', ')}`);
    }
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

/** One value of the chart's data table. */
interface Point {
  run: string;
  panel: string;
  split: 'train' | 'validation';
  epoch: number;
  value: number;
}

function points(runs: readonly CurveRun[], panels: readonly string[]): Point[] {
  const out: Point[] = [];
  const keep = new Set(panels);
  for (const run of runs) {
    for (const r of run.records) {
      const add = (panel: string, split: Point['split'], v: number | null | undefined) => {
        if (typeof v === 'number' && Number.isFinite(v) && keep.has(panel)) out.push({ run: run.label, panel, split, epoch: r.epoch, value: v });
      };
      for (const [k, v] of Object.entries(r.train)) if (k !== LR_PANEL) add(k, 'train', v);
      for (const [k, v] of Object.entries(r.val ?? {})) if (k !== LR_PANEL) add(k, 'validation', v);
      add(LR_PANEL, 'train', r.lr);
    }
  }
  return out;
}

/** Quantities that fall towards 0 over training and may span decades; bounded scores (accuracy, r2) stay linear. */
const ERROR_PANELS = new Set(['loss', 'perplexity', 'mse', 'mae', 'rmse']);

/**
 * A log scale for an error panel whose values are all positive and span more than two decades
 * (a loss falling from 50 to 0.05), where a linear axis would flatten every epoch after the first.
 */
function wantsLog(panel: string, values: readonly number[]): boolean {
  if (!ERROR_PANELS.has(panel) || values.length < 2 || values.some((v) => v <= 0)) return false;
  return Math.max(...values) / Math.min(...values) >= 100;
}

export interface CurveOptions {
  /** Panel size in pixels. */
  width?: number;
  height?: number;
  /** The picture's title; by default the label of a single run, none for several (the legend names them). */
  title?: string;
}

/** The Vega-Lite spec of the learning curves of `runs` on `panels` (see choosePanels). */
export function curvesSpec(runs: readonly CurveRun[], panels: readonly string[], opts: CurveOptions = {}): TopLevelSpec {
  const data = points(runs, panels);
  const several = runs.length > 1;
  const maxEpochs = Math.max(0, ...runs.map((r) => r.records.length));
  const labels = runs.map((r) => r.label);
  const title = opts.title ?? (several ? undefined : labels[0]);
  // The splits the data hold: a run without a validation split has no validation legend entry.
  const splits = (['train', 'validation'] as const).filter((sp) => data.some((p) => p.split === sp && p.panel !== LR_PANEL));
  const charts = panels.map((panel) => {
    const isLr = panel === LR_PANEL;
    // The learning rate on a linear scale from 0: a schedule decaying towards 0 would fill a log
    // scale with its last epochs.
    const log = wantsLog(
      panel,
      data.filter((p) => p.panel === panel).map((p) => p.value),
    );
    // A constant learning rate would run along the top edge of the frame: leave room above it.
    const lrMax = isLr ? Math.max(0, ...data.filter((p) => p.panel === LR_PANEL).map((p) => p.value)) : 0;
    const yScale = log ? { type: 'log' } : isLr && lrMax > 0 ? { zero: true, domainMax: lrMax * 1.1 } : { zero: false };
    const colour = several
      ? { field: 'run', type: 'nominal', title: 'run', scale: { domain: labels, scheme: 'tableau10' }, legend: { labelLimit: 360 } }
      : isLr
        ? { value: LR_COLOUR }
        : {
            field: 'split',
            type: 'nominal',
            title: 'split',
            scale: { domain: splits, range: splits.map((sp) => SPLIT_COLOURS[sp]) },
          };
    const dash =
      several && !isLr
        ? {
            strokeDash: {
              field: 'split',
              type: 'nominal',
              title: 'split',
              scale: { domain: splits, range: splits.map((sp) => (sp === 'train' ? [1, 0] : [6, 3])) },
            },
          }
        : {};
    return {
      title: (isLr ? 'learning rate' : panel) + (log ? ' (log scale)' : ''),
      width: opts.width ?? 320,
      height: opts.height ?? 190,
      transform: [{ filter: { field: 'panel', equal: panel } }],
      mark: { type: 'line', point: maxEpochs <= 30, strokeWidth: 1.8, clip: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: yScale, axis: { format: '~g' } },
        color: colour,
        // Lines join the points of one run and split, in epoch order.
        detail: { field: 'run', type: 'nominal' },
        order: { field: 'epoch', type: 'quantitative' },
        ...dash,
      },
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title: { text: title, anchor: 'start', fontSize: 14 } } : {}),
    background: 'white',
    padding: 8,
    data: { values: data },
    columns: Math.min(2, panels.length),
    concat: charts,
    config: CHART_CONFIG,
  } as TopLevelSpec;
}

/** The look shared by dlf's charts: plain sans-serif text, light grid lines. */
export const CHART_CONFIG = {
  font: 'sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6', domainColor: '#888', tickColor: '#888', labelColor: '#333', titleColor: '#333' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelColor: '#333', titleColor: '#333' },
  title: { fontSize: 13, color: '#222', anchor: 'start' },
  view: { stroke: '#ccc' },
} as const;
