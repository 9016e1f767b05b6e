// What dlf plot and dlf report do once their arguments are parsed. The command files only register
// the commands; this module (and with it the run readers, the evaluation and the chart specs) is
// imported when one of them runs, and the charting packages later still, when a chart is drawn
// (plot/render.ts), so that `dlf --help`, which registers every command, loads none of it.
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { UsageError, oneLine } from '../errors.js';
import { nativeStatus } from '../kernels/native.js';
import { kernelsFor } from '../kernels/select.js';
import { dlfVersion } from '../package-root.js';
import { choosePanels, curvesSpec, type CurveRun } from '../plot/curves.js';
import { type RunHistory, readRunHistory } from '../plot/history.js';
import { renderSvg } from '../plot/render.js';
import { buildReport } from '../report/build.js';
import { gatherRunReport } from '../report/gather.js';
import { documentTarget, putDocument, runFiles } from './document-out.js';
import { maxMemory } from './max-memory.js';
import type { Io } from './output.js';

export interface PlotFlags {
  metric: string[];
  out?: string;
}

/** dlf plot <run-dir>... : the learning curves of the runs, overlaid, as one SVG picture. */
export async function plotCommand(io: Io, dirs: string[], flags: PlotFlags): Promise<void> {
  const runs = distinctRuns(dirs);
  const target = documentTarget(io, flags.out, 'an SVG picture', 'curves.svg', runs.flatMap(runFiles));
  const histories = runs.map((d) => readRunHistory(d));
  for (const h of histories) warnCutShort(io, h);
  const curveRuns: CurveRun[] = histories.map((h) => ({ label: h.dir, records: h.records }));
  const panels = choosePanels(curveRuns, flags.metric);
  const { svg } = await renderSvg(curvesSpec(curveRuns, panels));
  putDocument(io, target, svg + '\n', 'the learning curves');
}

export interface ReportFlags {
  out?: string;
  backend: string;
  /** --max-memory as given (see commands/report.ts for why it is parsed here). */
  maxMemory?: string;
}

/** dlf report <run-dir>: the run's HTML page. */
export async function reportCommand(io: Io, runDir: string, flags: ReportFlags): Promise<void> {
  const bound = flags.maxMemory === undefined ? undefined : maxMemory(flags.maxMemory);
  const target = documentTarget(io, flags.out, 'an HTML report', 'report.html', runFiles(runDir));
  const kernels = kernelsFor(flags.backend);
  const data = gatherRunReport(runDir, { kernels, maxMemory: bound });
  warnCutShort(io, data.history);
  if ('error' in data.evaluation) io.err(`warning: the report has no evaluation: ${data.evaluation.error}\n`);
  for (const c of data.dataChanges)
    io.err(`warning: data file ${oneLine(c.path)} ${c.what} since the run trained; the evaluation is on the data as it is now\n`);
  const { html } = await buildReport(data, environment(kernels.name), dlfVersion());
  putDocument(io, target, html, 'the report');
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

function warnCutShort(io: Io, h: RunHistory): void {
  if (h.cutShort) io.err(`warning: ${oneLine(h.file)}: its last line was cut short (a process killed while writing it) and is left out\n`);
}

/** Where a report is made: versions, CPU, the kernels the evaluation ran on and what the native addon chose. */
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
    const features = [
      ['avx512f', i.avx512f],
      ['avx2', i.avx2],
      ['fma', i.fma],
    ]
      .filter(([, on]) => on)
      .map(([name]) => name);
    rows.push(
      ['native kernels', `${i.levelName}, GEMM micro-kernel ${i.gemmKernel}`],
      ['CPU features', features.length ? features.join(', ') : 'none of avx512f, avx2, fma'],
      ['threads', `${i.threads} of ${i.hardwareThreads}` + (process.env.DLF_THREADS?.trim() ? ' (DLF_THREADS)' : '')],
      ['denormals', `flush-to-zero ${i.ftz ? 'on' : 'off'}, denormals-are-zero ${i.daz ? 'on' : 'off'} in the kernels`],
    );
  } else rows.push(['native kernels', `unavailable: ${s.reason}`]);
  return rows;
}
