// dlf graph: the compiled graph of a config, as a node listing, Graphviz DOT or an SVG picture
// (laid out by Graphviz compiled to WebAssembly, loaded only for --svg). The programs are laid out
// but not prepared, so any model prints without allocating its buffers or tables.
import type { Command } from 'commander';
import { layoutProgram } from '../../compile/compile.js';
import { programStats, programStatsLine } from '../../compile/summary.js';
import { loadConfig } from '../../config/load.js';
import { dataDims } from '../../data/dims.js';
import { UsageError } from '../../errors.js';
import { isBackwardNode, toDot } from '../../graph/dot.js';
import { OPS, PUBLIC_OPS } from '../../graph/ops/index.js';
import { writeFileDurable } from '../../io/write.js';
import { locatorOf } from '../../train/session.js';
import { listingLine } from '../graph-listing.js';
import type { Io } from '../output.js';
import { collect } from './common.js';

interface GraphFlags {
  dot?: boolean;
  svg?: boolean;
  out?: string;
  backward?: boolean;
  optimized?: boolean;
  ops?: boolean;
  set: string[];
}

/** Flags that cannot go together, as usage errors naming them. */
function checkFlags(target: string | undefined, flags: GraphFlags): void {
  if (flags.ops) {
    const others = [target && 'a config file', flags.dot && '--dot', flags.svg && '--svg', flags.out && '--out'].filter(Boolean);
    if (others.length) throw new UsageError(`--ops lists the primitive ops and cannot go with ${others.join(', ')}`, 'dlf graph --ops, or dlf graph <config> [--dot | --svg]');
    return;
  }
  if (!target) throw new UsageError('missing the config file', 'dlf graph <config>, or dlf graph --ops for the list of ops');
  if (flags.dot && flags.svg) throw new UsageError('--dot and --svg are two forms of the same picture: choose one', 'dlf graph <config> --svg draws it without a system Graphviz');
}

export function registerGraph(program: Command, io: Io): void {
  program
    .command('graph')
    .description('compile a config and print its graph (no data rows are read), as a listing, DOT or SVG')
    .argument('[config]', 'the YAML config file')
    .option('--dot', 'print Graphviz DOT (render with: dot -Tsvg)')
    .option('--svg', 'draw the graph as SVG (Graphviz compiled to WebAssembly: no system Graphviz needed); layers as boxes, edges labelled with shapes')
    .option('--out <file>', 'write the listing, DOT or SVG to this file instead of stdout')
    .option('--backward', 'include the backward pass that autodiff appends')
    .option('--optimized', 'show the graph after the optimiser (fused ops), as training runs it')
    .option('--ops', 'list the primitive ops a config may use instead')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .action(async (target: string | undefined, flags: GraphFlags) => {
      checkFlags(target, flags);
      const write = (text: string) => (flags.out ? writeFileDurable(flags.out, text) : io.out(text));
      if (flags.ops) {
        for (const name of PUBLIC_OPS) io.out(`${name.padEnd(30)} ${OPS[name].doc}\n`);
        return;
      }
      const rc = loadConfig(target!, { set: flags.set });
      const build = (optimize: boolean) =>
        layoutProgram(rc.config, dataDims(rc.config.data, rc.config.seed, locatorOf(rc)), rc.config.train.batch_size, locatorOf(rc), 'train', {
          optimize,
          weighted: rc.config.train.class_weights !== undefined,
        });
      const p = build(!!flags.optimized);
      if (flags.dot || flags.svg) {
        const dot = toDot(p.graph, {
          backward: flags.backward,
          outputs: [p.output, p.loss, ...(flags.backward ? p.grads.values() : [])],
          layers: p.layers,
          edgeShapes: true,
        });
        write(flags.svg ? await (await import('../../graph/svg.js')).dotToSvg(dot) : dot);
        return;
      }
      const lines: string[] = [];
      for (const n of p.graph.nodes) if (flags.backward || !isBackwardNode(n.name)) lines.push(listingLine(p.graph, n));
      // The totals are those of the program training runs (the optimised one), as summary and
      // validate print them; a listing as built says how many nodes it shows.
      const trained = flags.optimized ? p : build(true);
      lines.push('', programStatsLine(programStats(trained)));
      if (!flags.optimized) lines.push(`listed as built, before the optimiser: ${p.graph.nodes.length} nodes (--optimized lists the program training runs)`);
      write(lines.join('\n') + '\n');
    });
}
