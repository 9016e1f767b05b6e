// The charts of an evaluation as Vega-Lite specs: the confusion matrix of a classifier as a heat
// map (each cell shaded by its share of the true class, so that a small class reads as clearly as
// a large one, and labelled with its count), and for a regression the residuals (true value minus
// prediction) against the prediction and as a histogram. render.ts draws them.
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from './curves.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Classes up to which every cell of the heat map carries its count. */
const LABELLED_CELLS = 20;

/** The heat map of `confusion` (rows: true class, columns: predicted) over `classes`. */
export function confusionSpec(classes: readonly string[], confusion: readonly (readonly number[])[]): TopLevelSpec {
  const cells: { actual: string; predicted: string; count: number; share: number }[] = [];
  confusion.forEach((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    row.forEach((count, j) => cells.push({ actual: classes[i], predicted: classes[j], count, share: total > 0 ? count / total : 0 }));
  });
  const k = classes.length;
  const cell = Math.max(14, Math.min(56, Math.floor(560 / Math.max(1, k))));
  const axis = (title: string) => ({ field: title === 'true class' ? 'actual' : 'predicted', type: 'nominal', sort: [...classes], title });
  return {
    $schema: SCHEMA,
    background: 'white',
    padding: 8,
    width: cell * k,
    height: cell * k,
    data: { values: cells },
    encoding: {
      x: { ...axis('predicted class'), axis: { orient: 'top', labelAngle: -40, labelLimit: 140 } },
      y: { ...axis('true class'), axis: { labelLimit: 140 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            title: 'share of true class',
            // From white: an empty cell is blank, whatever the class count.
            scale: { domain: [0, 1], range: ['#ffffff', '#08519c'], interpolate: 'lab' },
            legend: { format: '.0%', gradientLength: Math.min(200, cell * k), titleLimit: 240 },
          },
        },
      },
      ...(k <= LABELLED_CELLS
        ? [
            {
              mark: { type: 'text', fontSize: cell >= 30 ? 12 : 10 },
              encoding: {
                text: { field: 'count', type: 'quantitative' },
                color: { condition: { test: 'datum.share > 0.55', value: 'white' }, value: '#222' },
              },
            },
          ]
        : []),
    ],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}

/** Points drawn at most in the residual scatter; a larger split is thinned evenly (the histogram keeps all). */
export const SCATTER_POINTS = 2000;

export interface ResidualData {
  predicted: readonly number[];
  actual: readonly number[];
}

/** Residuals (true − predicted) of every sample, with its prediction; every `step`-th sample when thinned. */
function residuals(d: ResidualData, step = 1): { predicted: number; residual: number }[] {
  const out: { predicted: number; residual: number }[] = [];
  for (let i = 0; i < d.predicted.length; i += step) {
    const residual = d.actual[i] - d.predicted[i];
    if (Number.isFinite(residual) && Number.isFinite(d.predicted[i])) out.push({ predicted: d.predicted[i], residual });
  }
  return out;
}

/** The sampling step that keeps at most SCATTER_POINTS points. */
export function scatterStep(n: number): number {
  return Math.max(1, Math.ceil(n / SCATTER_POINTS));
}

/** What the two residual charts share: size, padding, background and a title. */
function residualFrame(title: string) {
  return { $schema: SCHEMA, background: 'white', padding: 8, width: 380, height: 260, title };
}

/** Residual against prediction, with the zero line: a pattern here is what the model missed. */
export function residualScatterSpec(d: ResidualData): TopLevelSpec {
  return {
    ...residualFrame('residual against prediction'),
    layer: [
      {
        data: { values: residuals(d, scatterStep(d.predicted.length)) },
        mark: { type: 'point', filled: true, size: 22, opacity: 0.6, color: '#4c78a8' },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: 'prediction', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'true − predicted' },
        },
      },
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#e45756', strokeDash: [4, 3] },
        encoding: { y: { field: 'zero', type: 'quantitative' } },
      },
    ],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}

/** How the residuals are spread: a histogram of every sample's residual. */
export function residualHistogramSpec(d: ResidualData): TopLevelSpec {
  return {
    ...residualFrame('residuals'),
    data: { values: residuals(d) },
    mark: { type: 'bar', color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'residual', type: 'quantitative', bin: { maxbins: 30 }, title: 'true − predicted' },
      y: { aggregate: 'count', type: 'quantitative', title: 'samples' },
    },
    config: CHART_CONFIG,
  } as TopLevelSpec;
}
