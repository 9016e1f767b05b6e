// dlf report: one self-contained HTML page about a run: learning curves, an evaluation of the best
// checkpoint (metrics, the confusion matrix as a heat map and the per-class table, or a
// regression's residual charts), the model summary, the data and its fingerprints, the config, the
// timings and the environment. Written to --out (atomically) or to stdout (never a terminal).
import { cpus } from 'node:os';
import type { Command } from 'commander';
import { oneLine } from '../../errors.js';
import { nativeStatus } from '../../kernels/native.js';
import { kernelsFor } from '../../kernels/select.js';
import { dlfVersion } from '../../package-root.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { documentTarget, putDocument } from '../document-out.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import type { Io } from '../output.js';
import { runInputs, warnCutShort } from './plot.js';

export function registerReport(program: Command, io: Io): void {
  program
    .command('report')
    .description('write one self-contained HTML page about a run: curves, evaluation, model, data, config, environment (works offline, no scripts)')
    .argument('<run-dir>', 'a run directory written by dlf train')
    .option('-o, --out <file>', 'write the page to this file (atomically); without it the HTML goes to stdout, which must then be a pipe or a file')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .addHelpText(
      'after',
      '\nThe best checkpoint is evaluated on the validation split (the training split when the run has none),\nas dlf eval does. Example:\n  dlf report runs/iris/20261201T101500 --out report.html\n',
    )
    .action(async (runDir: string, flags: { out?: string; backend: string; maxMemory?: number }) => {
      const target = documentTarget(io, flags.out, 'an HTML report', 'report.html', runInputs(runDir));
      const kernels = kernelsFor(flags.backend);
      // Evaluation and drawing are loaded here, not when help lists the commands.
      const [{ gatherRunReport }, { buildReport }] = await Promise.all([import('../../report/gather.js'), import('../../report/build.js')]);
      const data = gatherRunReport(runDir, { kernels, maxMemory: flags.maxMemory });
      warnCutShort(io, data.history);
      if ('error' in data.evaluation) io.err(`warning: the report has no evaluation: ${data.evaluation.error}\n`);
      for (const c of data.dataChanges) io.err(`warning: data file ${oneLine(c.path)} ${c.what} since the run trained; the evaluation is on the data as it is now\n`);
      const { html } = await buildReport(data, environment(kernels.name), dlfVersion());
      putDocument(io, target, html, 'the report');
    });
}

/** Where this report is made: versions, CPU, the kernels the evaluation ran on and what the native addon chose. */
function environment(backend: string): [string, string][] {
  const cpu = cpus();
  const rows: [string, string][] = [
    ['dlf', dlfVersion()],
    ['Node.js', `${process.version} (${process.platform}-${process.arch})`],
    ['CPU', `${cpu[0]?.model?.trim() || 'unknown'}, ${cpu.length} logical cores`],
    ['backend', backend],
  ];
  const s = nativeStatus();
  if (s.available) {
    const i = s.addon.info();
    const features = [['avx512f', i.avx512f], ['avx2', i.avx2], ['fma', i.fma]].filter(([, on]) => on).map(([name]) => name);
    rows.push(
      ['native kernels', `${i.levelName}, GEMM micro-kernel ${i.gemmKernel}`],
      ['CPU features', features.length ? features.join(', ') : 'none of avx512f, avx2, fma'],
      ['threads', `${i.threads} of ${i.hardwareThreads}` + (process.env.DLF_THREADS?.trim() ? ' (DLF_THREADS)' : '')],
      ['denormals', `flush-to-zero ${i.ftz ? 'on' : 'off'}, denormals-are-zero ${i.daz ? 'on' : 'off'} in the kernels`],
    );
  } else rows.push(['native kernels', `unavailable: ${s.reason}`]);
  return rows;
}
