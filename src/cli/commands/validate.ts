// dlf validate: check a config, its shapes and its data without training.
import type { Command } from 'commander';
import { sampleShape } from '../../data/dataset.js';
import { prepareRun } from '../../train/session.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import type { Io } from '../output.js';
import { collect } from './common.js';

export function registerValidate(program: Command, io: Io): void {
  program
    .command('validate')
    .description('check a config: schema, shapes, memory and data; exit 0 when all is well')
    .argument('<config>', 'the YAML config file')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--json', 'print the result as JSON')
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action((configFile: string, flags: { set: string[]; json?: boolean; maxMemory?: number }) => {
      const { resolved, model, data } = prepareRun(configFile, flags.set, flags.maxMemory);
      const parameters = model.params.reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
      const summary = {
        ok: true,
        file: resolved.file,
        name: resolved.config.name,
        parameters,
        trainSamples: data.train.n,
        valSamples: data.val.n,
        sampleShape: sampleShape(data.train),
        classes: data.train.classes?.length,
      };
      if (flags.json) io.out(JSON.stringify(summary) + '\n');
      else
        io.out(
          `ok: ${resolved.file}: ${parameters} parameters, samples of shape [${summary.sampleShape.join(', ')}]` +
            (summary.classes ? `, ${summary.classes} classes` : '') +
            `, ${summary.trainSamples} train / ${summary.valSamples} val samples\n`,
        );
    });
}
