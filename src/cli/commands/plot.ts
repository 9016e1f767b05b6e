// dlf plot: the learning curves of one or more runs as an SVG picture, from their metrics.jsonl:
// a panel for the loss, one for each logged metric (train and validation) and one for the learning
// rate; several runs overlaid, with a legend naming them. The picture goes to the file --out names
// (atomically) or to stdout (a pipe or redirection; never a terminal). The charting packages are
// loaded only when the picture is drawn (plot/render.ts).
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, oneLine } from '../../errors.js';
import { choosePanels, curvesSpec, type CurveRun } from '../../plot/curves.js';
import { type RunHistory, readRunHistory } from '../../plot/history.js';
import { renderSvg } from '../../plot/render.js';
import { documentTarget, putDocument } from '../document-out.js';
import type { Io } from '../output.js';
import { collect } from './common.js';

export function registerPlot(program: Command, io: Io): void {
  program
    .command('plot')
    .description("draw the learning curves of runs as SVG (loss, each logged metric for train and validation, the learning rate) from their metrics.jsonl")
    .argument('<run-dir...>', 'run directories written by dlf train; several are overlaid, the legend naming each as given')
    .option('--metric <name>', 'draw this panel only (repeatable, in the order given): loss, a logged metric such as accuracy, or lr', collect, [])
    .option('-o, --out <file>', 'write the SVG to this file (atomically); without it the SVG goes to stdout, which must then be a pipe or a file')
    .addHelpText('after', '\nExamples:\n  dlf plot runs/iris/20261201T101500 --out curves.svg\n  dlf plot runs/a runs/b --metric loss --metric accuracy > compare.svg\n')
    .action(async (dirs: string[], flags: { metric: string[]; out?: string }) => {
      const runs = distinctRuns(dirs);
      const target = documentTarget(io, flags.out, 'an SVG picture', 'curves.svg', runs.flatMap(runInputs));
      const histories = runs.map((d) => readRunHistory(d));
      for (const h of histories) warnCutShort(io, h);
      const curveRuns: CurveRun[] = histories.map((h) => ({ label: h.dir, records: h.records }));
      const panels = choosePanels(curveRuns, flags.metric);
      const { svg } = await renderSvg(curvesSpec(curveRuns, panels));
      putDocument(io, target, svg + '\n', 'the learning curves');
    });
}

/** The run directories as given, less a trailing slash; one given twice (by any spelling) is a usage error. */
function distinctRuns(dirs: string[]): string[] {
  const seen = new Map<string, string>();
  return dirs.map((d) => {
    const label = d.length > 1 ? d.replace(/\/+$/, '') : d;
    const abs = resolve(label);
    const before = seen.get(abs);
    if (before !== undefined) throw new UsageError(`the run ${oneLine(label)} is given twice` + (before !== label ? ` (also as ${oneLine(before)})` : ''));
    seen.set(abs, label);
    return label;
  });
}

/** The files of a run directory that an output must not replace. */
export function runInputs(dir: string): { what: string; path: string }[] {
  return ['metrics.jsonl', 'metrics.json', 'config.json', 'preprocessing.json', 'fingerprints.json', 'checkpoints/best.json', 'checkpoints/last.json'].map(
    (name) => ({ what: 'a file of the run directory', path: resolve(dir, name) }),
  );
}

export function warnCutShort(io: Io, h: RunHistory): void {
  if (h.cutShort) io.err(`warning: ${oneLine(h.file)}: its last line was cut short (a process killed while writing it) and is left out\n`);
}
