// Drawing a Vega-Lite spec as SVG text in Node, without a browser: vega-lite compiles the spec to a
// Vega spec, and a headless vega View (renderer 'none') lays out the scene and serialises it with
// toSVG(). Both packages are large (about a second to load unbundled), so they are imported here,
// on the first drawing, and never by a command that does not draw. Text in the SVG (run, metric
// and class names) is escaped by vega's serialiser. The charts hold their data inline: the
// View's loader refuses every URL, so drawing never reads a file or the network.
import type { TopLevelSpec } from 'vega-lite';
import { InternalError } from '../errors.js';

export interface Drawing {
  svg: string;
  /** What vega-lite or vega warned about while drawing (a spec mistake; tests expect none). */
  warnings: string[];
}

/** Renders `spec` to SVG text. */
export async function renderSvg(spec: TopLevelSpec): Promise<Drawing> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const warnings: string[] = [];
  const note =
    (level: string) =>
    (...args: unknown[]) =>
      void warnings.push(`${level}: ${args.map(String).join(' ')}`);
  const quiet = { level: () => quiet, error: note('error'), warn: note('warn'), info: () => quiet, debug: () => quiet };
  let compiled;
  try {
    compiled = vl.compile(spec, { logger: quiet as never }).spec;
  } catch (e) {
    throw new InternalError(`the chart could not be compiled: ${(e as Error).message}`);
  }
  const loader = vega.loader();
  loader.load = (uri: string) => Promise.reject(new Error(`dlf's charts hold their data inline; refused to load ${uri}`));
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    loader,
    logger: vega.logger(
      vega.Warn,
      undefined,
      (_method: string, level: string, input: readonly unknown[]) => void warnings.push(`${level}: ${input.map(String).join(' ')}`),
    ),
  });
  try {
    return { svg: await view.toSVG(), warnings };
  } finally {
    view.finalize();
  }
}
