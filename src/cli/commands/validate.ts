// dlf validate: check a config, its shapes and its data without training.
import type { Command } from 'commander';
import { programStats, programStatsLine } from '../../compile/summary.js';
import { sampleShape } from '../../data/dataset.js';
import { ConfigError, DlfError, exitCodeFor } from '../../errors.js';
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
      let prepared;
      try {
        prepared = prepareRun(configFile, flags.set, flags.maxMemory);
      } catch (e) {
        // With --json the failure is JSON on stdout too (the lines on stderr and the exit code stay).
        if (flags.json && e instanceof DlfError)
          io.out(JSON.stringify({ ok: false, file: configFile, exitCode: exitCodeFor(e), errors: problemsOf(e) }) + '\n');
        throw e;
      }
      const { resolved, model, data } = prepared;
      const trained = model.program(model.batch, 'train'); // the program training runs first
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
        program: programStats({ ...trained, layout: trained.plan }),
      };
      if (flags.json) io.out(JSON.stringify(summary) + '\n');
      else
        io.out(
          `ok: ${resolved.file}: ${parameters} parameters, samples of shape [${summary.sampleShape.join(', ')}]` +
            (summary.classes ? `, ${summary.classes} classes` : '') +
            `, ${summary.trainSamples} train / ${summary.valSamples} val samples\n` +
            programStatsLine(summary.program) +
            '\n',
        );
    });
}

/** Every problem an error reports, as JSON-ready objects: place fields, message and hint. */
function problemsOf(e: DlfError): { message: string; hint?: string; code: string; [k: string]: unknown }[] {
  const issues = e instanceof ConfigError ? e.issues : [{ place: e.place, message: e.message, hint: e.hint }];
  return issues.map((i) => ({ code: e.code, ...i.place, message: i.message, ...(i.hint ? { hint: i.hint } : {}) }));
}
