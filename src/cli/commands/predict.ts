// dlf predict: predictions of a trained run for new data (CSV rows or IDX images), as CSV or
// JSONL on stdout or in a file written atomically. The input must be a regular file and the
// output a new or regular file that is none of the files the prediction reads (checked first).
import { join } from 'node:path';
import type { Command } from 'commander';
import { kernelsFor } from '../../kernels/select.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { writeFileDurable } from '../../io/write.js';
import { formatPredictions, predictFormat, predictRun } from '../../train/predict.js';
import type { Io } from '../output.js';
import { parseThreshold } from './eval.js';
import { UsageError, oneLine } from '../../errors.js';
import { checkInputFile, checkOutputFile } from '../file-paths.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import { positiveInt } from './common.js';

interface PredictFlags {
  input: string;
  output?: string;
  checkpoint?: string;
  format?: string;
  batchSize?: number;
  keep?: string;
  threshold?: number;
  backend: string;
  maxMemory?: number;
}

export function registerPredict(program: Command, io: Io): void {
  program
    .command('predict')
    .description("predict with a run's checkpoint (best by default): the class and a probability per class, or the value")
    .argument('<run-dir>', 'a run directory written by dlf train')
    .requiredOption('-i, --input <file>', "data to predict: CSV with the run's feature columns (a label column is ignored), or IDX images (raw or .gz)")
    .option('-o, --output <file>', 'write the predictions to this file (atomically) instead of stdout')
    .option('-c, --checkpoint <file>', 'checkpoint file (default: <run-dir>/checkpoints/best.json, else last.json)')
    .option('--format <format>', 'csv or jsonl (default: jsonl for an --output ending in .jsonl or .ndjson, else csv)')
    .option('--batch-size <n>', "samples per batch (default: the run's train.batch_size)", positiveInt('--batch-size'))
    .option('--keep <columns>', 'copy these input columns (comma-separated names, e.g. id,name) into the output, before the prediction')
    .option(
      '--threshold <t>',
      'two classes: the probability of the positive class above which it is the prediction (default: train.threshold, else 0.5)',
      parseThreshold,
    )
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action((runDir: string, flags: PredictFlags) => {
      const format = predictFormat(flags.format, flags.output);
      const input = checkInputFile('--input', flags.input);
      // The checkpoint reader is not yet guarded against pipes and devices: a FIFO would hang it.
      const checkpoint = flags.checkpoint === undefined ? undefined : checkInputFile('--checkpoint', flags.checkpoint);
      const out = flags.output === undefined ? undefined : checkOutputFile('--output', flags.output, readFiles(runDir, input, checkpoint));
      const keep = flags.keep === undefined ? undefined : keepList(flags.keep);
      const p = predictRun(runDir, {
        input,
        checkpoint,
        batchSize: flags.batchSize,
        keep,
        threshold: flags.threshold,
        kernels: kernelsFor(flags.backend),
        maxMemory: flags.maxMemory,
      });
      for (const w of p.warnings) io.err(`warning: ${w}\n`);
      const text = formatPredictions(p, format);
      if (out !== undefined) {
        writeFileDurable(out, text);
        io.err(`wrote ${p.rows.length} predictions to ${oneLine(out)}\n`);
      } else io.out(text);
    });
}

/** The files a prediction reads, which its output must not replace. */
function readFiles(runDir: string, input: string, checkpoint?: string): { what: string; path: string }[] {
  const run = (name: string) => ({ what: 'a file of the run directory', path: join(runDir, name) });
  return [
    { what: 'the input file', path: input },
    ...(checkpoint ? [{ what: 'the checkpoint', path: checkpoint }] : []),
    ...['config.json', 'preprocessing.json', 'metrics.json', 'metrics.jsonl', 'checkpoints/best.json', 'checkpoints/last.json'].map(run),
  ];
}

/** The column names of --keep: comma-separated, none empty, none twice. */
function keepList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--keep takes comma-separated column names, got '${oneLine(text, 80)}'`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--keep names the column '${oneLine(twice, 60)}' twice`);
  return names;
}
