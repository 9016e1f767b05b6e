// dlf graph: the compiled graph of a config, as a node listing, Graphviz DOT or an SVG picture
// (laid out by Graphviz compiled to WebAssembly, loaded only for --svg). The programs are laid out
// but not prepared, so any model prints without allocating its buffers or tables. With --values,
// one training step is run on the first batch of the training split and every node shows its value
// and its gradient (cli/graph-values.ts); only then are the data and the training code loaded.
import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { layoutProgram } from '../../compile/compile.js';
import { programStats, programStatsLine } from '../../compile/summary.js';
import { loadConfig } from '../../config/load.js';
import { dataDims } from '../../data/dims.js';
import { UsageError } from '../../errors.js';
import { type DotOptions, isBackwardNode, toDot } from '../../graph/dot.js';
import { OPS, PUBLIC_OPS } from '../../graph/ops/index.js';
import { writeFileDurable } from '../../io/write.js';
import { kernelsFor } from '../../kernels/select.js';
import { locatorOf } from '../../train/session.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { runFiles } from '../document-out.js';
import { checkOutputFile } from '../file-paths.js';
import { listingLine } from '../graph-listing.js';
import { notRunLine, shownNodes, stepHeader, valueNotes, valuesListing } from '../graph-values.js';
import type { Io } from '../output.js';
import { collect } from './common.js';

interface GraphFlags {
  dot?: boolean;
  svg?: boolean;
  out?: string;
  backward?: boolean;
  optimized?: boolean;
  values?: boolean;
  checkpoint?: string;
  backend: string;
  ops?: boolean;
  set: string[];
}

const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // loadConfig names a missing file
  }
};

/** Flags that cannot go together, as usage errors naming them. */
function checkFlags(target: string | undefined, flags: GraphFlags): void {
  if (flags.ops) {
    const others = [target && 'a config file', flags.dot && '--dot', flags.svg && '--svg', flags.values && '--values', flags.out && '--out'].filter(Boolean);
    if (others.length)
      throw new UsageError(
        `--ops lists the primitive ops and cannot go with ${others.join(', ')}`,
        'dlf graph --ops, or dlf graph <config> [--dot | --svg] [--values]',
      );
    return;
  }
  if (!target) throw new UsageError('missing the config file', 'dlf graph <config>, or dlf graph --ops for the list of ops');
  if (flags.dot && flags.svg)
    throw new UsageError('--dot and --svg are two forms of the same picture: choose one', 'dlf graph <config> --svg draws it without a system Graphviz');
  if (flags.values && flags.optimized) {
    throw new UsageError(
      '--values shows the graph as built, every primitive with its value; --optimized cannot go with it',
      'dlf graph <config> --values [--backward] [--svg]',
    );
  }
  if (flags.values && flags.dot)
    throw new UsageError('--values prints a listing or, with --svg, a picture; --dot cannot go with it', 'dlf graph <config> --values --svg');
  const runDir = isDirectory(target);
  if (runDir && !flags.values) {
    throw new UsageError(
      `${target} is a directory: a run directory is drawn with --values (its weights on one batch)`,
      `dlf graph ${target} --values, or dlf graph ${target}/config.json for its structure`,
    );
  }
  if (runDir && flags.set.length) throw new UsageError('--set changes a config file; a run directory is drawn with the config it trained with');
  if (flags.checkpoint && !runDir)
    throw new UsageError('--checkpoint picks the weights of a run directory', 'dlf graph <run-dir> --values --checkpoint <file>');
}

export function registerGraph(program: Command, io: Io): void {
  program
    .command('graph')
    .description(
      'compile a config and print its graph as a listing, DOT or SVG (nothing is trained; a CSV table is read to fit its columns); --values runs one training step on one batch and shows every value and gradient',
    )
    .argument('[config|run-dir]', 'the YAML config file; with --values also a run directory')
    .option('--dot', 'print Graphviz DOT (render with: dot -Tsvg)')
    .option('--svg', 'draw the graph as SVG (Graphviz compiled to WebAssembly: no system Graphviz needed); layers as boxes, edges labelled with shapes')
    .option('--out <file>', 'write the listing, DOT or SVG to this file instead of stdout')
    .option('--backward', 'include the backward pass that autodiff appends')
    .option('--optimized', 'show the graph after the optimiser (fused ops), as training runs it')
    .option(
      '--values',
      "run one training step on the first batch of the training split (as training feeds it) and show under every node its value and the gradient of the loss; with --backward also the backward nodes and the VJP that made each. A run directory uses its checkpoint's weights",
    )
    .option('-c, --checkpoint <file>', 'with --values and a run directory: the checkpoint whose weights to use (default: best.json, else last.json)')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--ops', 'list the primitive ops a config may use instead')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .action(async (target: string | undefined, flags: GraphFlags) => {
      checkFlags(target, flags);
      // --out must not name what the command reads: the config, or a file of the run directory.
      const inputs = target === undefined ? [] : isDirectory(target) ? runFiles(target) : [{ what: 'the config file', path: target }];
      if (flags.checkpoint !== undefined) inputs.push({ what: 'the checkpoint', path: flags.checkpoint });
      // (A path that does not exist yet, or cannot, is left to the write, which reports it as an output error.)
      const out = flags.out !== undefined && existsSync(flags.out) ? checkOutputFile('--out', flags.out, inputs) : flags.out;
      const write = (text: string) => (out ? writeFileDurable(out, text) : io.out(text));
      if (flags.ops) {
        for (const name of PUBLIC_OPS) io.out(`${name.padEnd(30)} ${OPS[name].doc}\n`);
        return;
      }
      if (flags.values) {
        write(await drawValues(target!, flags, isDirectory(target!)));
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

/** `dlf graph --values`: one training step of a config or a run directory, as a listing or an SVG picture. */
async function drawValues(target: string, flags: GraphFlags, runDir: boolean): Promise<string> {
  const kernels = kernelsFor(flags.backend);
  const { configStepValues, runStepValues } = await import('../../train/step-values.js');
  const step = runDir ? runStepValues(target, { checkpoint: flags.checkpoint, kernels }) : configStepValues(target, { set: flags.set, kernels });
  const backward = !!flags.backward;
  if (!flags.svg) return valuesListing(step, target, backward);
  const p = step.program;
  const { shown, notRun } = shownNodes(step, backward);
  const opts: DotOptions = {
    backward,
    only: shown,
    outputs: [p.output, p.loss, ...(backward ? p.grads.values() : [])],
    layers: p.layers,
    edgeShapes: true,
    notes: valueNotes(step),
    title: [...stepHeader(step, target), ...(notRun ? [notRunLine(notRun)] : [])].join('\n'),
  };
  return (await import('../../graph/svg.js')).dotToSvg(toDot(p.graph, opts));
}
