// dlf gradcheck: compare the gradients of a config's compiled training program with central
// finite differences, in float64, on the first few training samples and the initial parameters.
import type { Command } from 'commander';
import { gradcheck } from '../../exec/gradcheck.js';
import { gatherRows, sampleSize } from '../../data/dataset.js';
import { DataError, TrainingError, UsageError } from '../../errors.js';
import { kernelsFor } from '../../kernels/select.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { Rng, streamSeed } from '../../tensor/rng.js';
import { shapeStr } from '../../tensor/shape.js';
import { initParams } from '../../train/loop.js';
import { labelsPerSample } from '../../train/runtime.js';
import { prepareRun } from '../../train/session.js';
import type { Io } from '../output.js';
import { collect, positiveInt } from './common.js';
import { textTable } from '../table.js';

interface GradcheckFlags {
  samples: number;
  maxElements: number;
  tolerance: number;
  set: string[];
  json?: boolean;
  backend: string;
}

function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${v}'`);
    return n;
  };
}

const sci = (v: number) => (Number.isNaN(v) ? 'NaN' : v.toExponential(2));

export function registerGradcheck(program: Command, io: Io): void {
  program
    .command('gradcheck')
    .description(
      'check the compiled gradients of a config against finite differences (float64, the first training samples, the initial parameters); exit 1 when one is off',
    )
    .argument('<config>', 'the YAML config file')
    .option('--samples <n>', 'training samples in the batch', positiveInt('--samples'), 4)
    .option('--max-elements <n>', 'elements checked per parameter (chosen by a seeded RNG)', positiveInt('--max-elements'), 32)
    .option('--tolerance <t>', 'largest relative error that passes', positiveNumber('--tolerance'), 1e-4)
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--json', 'print the result as one JSON object')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .action((configFile: string, flags: GradcheckFlags) => {
      const kernels = kernelsFor(flags.backend);
      const { resolved, model, data } = prepareRun(configFile, flags.set);
      const { config } = resolved;
      const train = data.train;
      if (train.n === 0) throw new DataError('the training split is empty', { file: resolved.file });
      const n = Math.min(flags.samples, train.n);
      const program = model.program(n, 'train');
      const params = new Map<string, Float64Array>();
      for (const [name, buf] of initParams(model, config.seed)) params.set(name, Float64Array.from(buf));
      // Only the first n rows as floats (an image set keeps its pixels as bytes).
      const x = new Float32Array(n * sampleSize(train));
      gatherRows(train, null, 0, n, x);
      const result = gradcheck(
        program,
        params,
        // A label per token: each sample's row of labels.
        { x, y: train.y.subarray(0, n * labelsPerSample(train)) },
        {
          kernels,
          maskState: new Rng(streamSeed(config.seed, 'dropout')).state(),
          seed: streamSeed(config.seed, 'gradcheck'),
          maxElements: flags.maxElements,
          tolerance: flags.tolerance,
        },
      );
      const failed = result.params.filter((p) => !p.ok);
      if (flags.json) {
        io.out(
          JSON.stringify({
            ok: failed.length === 0,
            file: resolved.file,
            samples: n,
            tolerance: flags.tolerance,
            loss: result.loss,
            params: result.params,
          }) + '\n',
        );
      } else {
        io.out(`gradient check of ${resolved.file}: ${n} training samples, float64, loss ${result.loss.toPrecision(8)}\n`);
        const kinks = result.params.reduce((k, p) => k + p.kinks, 0);
        const head = ['parameter', 'shape', 'checked', ...(kinks ? ['kinks'] : []), 'max abs err', 'max rel err', ''];
        const rows = result.params.map((p) => [
          p.name,
          shapeStr(p.shape),
          `${p.checked}/${p.size}`,
          ...(kinks ? [String(p.kinks)] : []),
          p.checked > p.kinks ? sci(p.maxAbsError) : '-',
          p.checked > p.kinks ? sci(p.maxRelError) : '-',
          !p.ok ? 'FAIL' : p.checked > p.kinks ? 'ok' : 'unchecked',
        ]);
        const all = [head, ...rows];
        const table = textTable(all, (c) => c >= 2 && c < head.length - 1);
        for (const r of all) io.out(table.line(r));
        if (kinks) {
          io.out(
            `${kinks} element${kinks === 1 ? ' sits' : 's sit'} on a kink of the loss (the one-sided differences disagree and the analytic gradient matches one side), ` +
              'which finite differences cannot check; relu inputs at exactly 0 do this (a zero bias over zero pixels): a nonzero bias_init or data.scale=standardize moves them off\n',
          );
        }
        const unchecked = result.params.filter((p) => p.checked === p.kinks).length;
        if (failed.length === 0) {
          io.out(
            `ok: ${result.params.length - unchecked} parameters within relative error ${flags.tolerance}` +
              (unchecked ? `, ${unchecked} unchecked` : '') +
              '\n',
          );
        }
      }
      if (failed.length) {
        const worst = failed.map(
          (p) => `${p.name} (element ${p.worst.index}: analytic ${p.worst.analytic.toPrecision(6)}, numeric ${p.worst.numeric.toPrecision(6)})`,
        );
        throw new TrainingError(
          `gradient check failed for ${failed.length} parameter${failed.length === 1 ? '' : 's'}: ${worst.join('; ')}`,
          { file: resolved.file },
          `relative error above ${flags.tolerance}; a kink (relu at 0, max ties) can explain a single element, a wrong VJP explains many`,
        );
      }
    });
}
