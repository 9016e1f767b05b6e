// dlf graph: the compiled graph of a config, as a node listing or Graphviz DOT. The programs are
// laid out but not prepared, so any model prints without allocating its buffers or tables.
import type { Command } from 'commander';
import { layoutProgram } from '../../compile/compile.js';
import { programStats, programStatsLine } from '../../compile/summary.js';
import { loadConfig } from '../../config/load.js';
import { dataDims } from '../../data/dims.js';
import { isBackwardNode, toDot } from '../../graph/dot.js';
import { OPS, PUBLIC_OPS } from '../../graph/ops/index.js';
import { shapeStr } from '../../tensor/shape.js';
import { locatorOf } from '../../train/session.js';
import type { Io } from '../output.js';
import { UsageError } from '../../errors.js';
import { collect } from './common.js';

export function registerGraph(program: Command, io: Io): void {
  program
    .command('graph')
    .description('compile a config and print its graph (no data rows are read)')
    .argument('[config]', 'the YAML config file')
    .option('--dot', 'print Graphviz DOT (render with: dot -Tsvg)')
    .option('--backward', 'include the backward pass that autodiff appends')
    .option('--optimized', 'show the graph after the optimiser (fused ops), as training runs it')
    .option('--ops', 'list the primitive ops a config may use instead')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .action((configFile: string | undefined, flags: { dot?: boolean; backward?: boolean; optimized?: boolean; ops?: boolean; set: string[] }) => {
      if (flags.ops) {
        if (configFile) throw new UsageError('--ops lists the primitive ops and takes no config', 'dlf graph --ops, or dlf graph <config>');
        for (const name of PUBLIC_OPS) io.out(`${name.padEnd(30)} ${OPS[name].doc}\n`);
        return;
      }
      if (!configFile) throw new UsageError('missing the config file', 'dlf graph <config>, or dlf graph --ops for the list of ops');
      const rc = loadConfig(configFile, { set: flags.set });
      const build = (optimize: boolean) =>
        layoutProgram(rc.config, dataDims(rc.config.data, rc.config.seed, locatorOf(rc)), rc.config.train.batch_size, locatorOf(rc), 'train', {
          optimize,
          weighted: rc.config.train.class_weights !== undefined,
        });
      const p = build(!!flags.optimized);
      if (flags.dot) {
        io.out(toDot(p.graph, { backward: flags.backward, outputs: [p.output, p.loss, ...(flags.backward ? p.grads.values() : [])] }));
        return;
      }
      for (const n of p.graph.nodes) {
        if (!flags.backward && isBackwardNode(n.name)) continue;
        const ins = n.inputs.map((i) => p.graph.nodes[i].name).join(', ');
        const op = typeof n.attrs.act === 'string' && n.attrs.act !== 'none' ? `${n.op}+${n.attrs.act}` : n.op;
        io.out(`${n.name.padEnd(40)} ${op.padEnd(24)} ${shapeStr(n.shape).padEnd(12)} ${ins}\n`);
      }
      // The totals are those of the program training runs (the optimised one), as summary and
      // validate print them; a listing as built says how many nodes it shows.
      const trained = flags.optimized ? p : build(true);
      io.out('\n' + programStatsLine(programStats(trained)) + '\n');
      if (!flags.optimized) io.out(`listed as built, before the optimiser: ${p.graph.nodes.length} nodes (--optimized lists the program training runs)\n`);
    });
}
