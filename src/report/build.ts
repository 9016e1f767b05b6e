// A run's report from its gathered data: the charts drawn (learning curves; the confusion heat
// map of a classifier, or a regression's residual charts; the graph, laid out by Graphviz as
// WebAssembly, graph/svg.ts) and laid into the page.
import { choosePanels, curvesSpec } from '../plot/curves.js';
import { confusionSpec, residualHistogramSpec, residualScatterSpec, SCATTER_POINTS, scatterStep } from '../plot/eval-charts.js';
import { renderSvg } from '../plot/render.js';
import { dotToSvg } from '../graph/svg.js';
import type { RunReportData } from './gather.js';
import { type ReportCharts, reportPage } from './page.js';

export interface BuiltReport {
  html: string;
  /** What vega-lite or vega warned about while drawing (none expected). */
  warnings: string[];
}

export async function buildReport(d: RunReportData, environment: readonly (readonly [string, string])[], dlfVersion: string): Promise<BuiltReport> {
  const warnings: string[] = [];
  const draw = async (spec: Parameters<typeof renderSvg>[0]) => {
    const out = await renderSvg(spec);
    warnings.push(...out.warnings);
    return out.svg;
  };
  const runs = [{ label: d.runDir, records: d.history.records }];
  const charts: ReportCharts = {
    curves: await draw(curvesSpec(runs, choosePanels(runs, []), { title: '' })),
    graph: inlineSvg(await dotToSvg(d.graphDot)),
  };
  if ('result' in d.evaluation) {
    const r = d.evaluation.result;
    if (r.confusion && r.classes) charts.confusion = await draw(confusionSpec(r.classes, r.confusion));
    if (r.points && r.points.predicted.length > 0) {
      charts.residualScatter = await draw(residualScatterSpec(r.points));
      charts.residualHistogram = await draw(residualHistogramSpec(r.points));
      const n = r.points.predicted.length;
      if (n > SCATTER_POINTS) charts.scatterShown = Math.ceil(n / scatterStep(n));
    }
  }
  return { html: reportPage(d, charts, environment, dlfVersion), warnings };
}

/** An SVG document as an element to put in a page: without the XML declaration and DOCTYPE before its <svg>. */
function inlineSvg(doc: string): string {
  const at = doc.indexOf('<svg');
  return at < 0 ? doc : doc.slice(at);
}
