// dlf plot: the learning curves of one or more runs as an SVG picture, from their metrics.jsonl:
// a panel for the loss, one for each logged metric (train and validation) and one for the learning
// rate; several runs overlaid, with a legend naming them. The picture goes to the file --out names
// (atomically) or to stdout (a pipe or redirection; never a terminal). What the command does is in
// ../draw.ts, imported only when it runs.
import type { Command } from 'commander';
import type { Io } from '../output.js';
import { collect } from './common.js';

export function registerPlot(program: Command, io: Io): void {
  program
    .command('plot')
    .description('draw the learning curves of runs as SVG (loss, each logged metric for train and validation, the learning rate) from their metrics.jsonl')
    .argument('<run-dir...>', 'run directories written by dlf train; several are overlaid, the legend naming each as given')
    .option('--metric <name>', 'draw this panel only (repeatable, in the order given): loss, a logged metric such as accuracy, or lr', collect, [])
    .option('-o, --out <file>', 'write the SVG to this file (atomically); without it the SVG goes to stdout, which must then be a pipe or a file')
    .addHelpText(
      'after',
      '\nExamples:\n  dlf plot runs/iris/20261201T101500 --out curves.svg\n  dlf plot runs/a runs/b --metric loss --metric accuracy > compare.svg\n',
    )
    .action(async (dirs: string[], flags: { metric: string[]; out?: string }) => {
      const { plotCommand } = await import('../draw.js');
      await plotCommand(io, dirs, flags);
    });
}
