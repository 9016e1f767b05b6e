// SVG of a DOT graph, laid out by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz), so
// that no system Graphviz is needed. The package (about 0.8 MB of JavaScript with the wasm inside)
// is imported only when a picture is asked for: commands that draw nothing never load it.
import { InternalError } from '../errors.js';

/** Lays out `dot` with Graphviz's `dot` engine and returns the SVG document. */
export async function dotToSvg(dot: string): Promise<string> {
  const { Graphviz } = await import('@hpcc-js/wasm-graphviz');
  const graphviz = await Graphviz.load();
  try {
    return graphviz.dot(dot, 'svg');
  } catch (e) {
    // The DOT is dlf's own: Graphviz refusing it is a bug in dlf, not in the user's input.
    throw new InternalError(`Graphviz could not lay out the graph: ${e instanceof Error ? e.message : String(e)}`);
  }
}
