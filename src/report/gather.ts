// Everything a report of a run shows, gathered from its directory: the config as the run saved it,
// its epochs (metrics.jsonl) and final numbers (metrics.json), the model summary, an evaluation of
// its best checkpoint on the validation split (the training split when it has none) with the
// per-sample values a regression's residual charts need, the class weights and the data
// fingerprints with how the files differ now. Nothing here draws or formats (page.ts does).
import { join, resolve } from 'node:path';
import { layoutProgram } from '../compile/compile.js';
import { type ModelSummary, summarize } from '../compile/summary.js';
import { dataDims, preprocessedDims } from '../data/dims.js';
import { type DataChange, type Fingerprint, dataChanges } from '../data/fingerprint.js';
import { DataError } from '../errors.js';
import { toDot } from '../graph/dot.js';
import type { Kernels } from '../kernels/kernels.js';
import { type RunHistory, readRunHistory } from '../plot/history.js';
import { type EvalResult, type Split, evaluateRun, loadRun } from '../train/evaluate.js';
import { readRunFile, readRunJson } from '../train/rundir.js';
import { readFingerprints } from '../train/session.js';

export interface RunReportData {
  /** The run directory as given, and absolute. */
  runDir: string;
  absDir: string;
  name: string;
  /** config.json, verbatim. */
  configText: string;
  history: RunHistory;
  /** metrics.json (final and best values, timings, backend), when training wrote it. */
  final?: Record<string, unknown>;
  task: 'classification' | 'regression';
  /** The feature columns of a table run; the class names of a classifier. */
  features?: string[];
  classes?: string[];
  summary: ModelSummary;
  /** Graphviz DOT of the graph training builds for one batch (forward pass and loss), as `dlf graph --svg` draws it. */
  graphDot: string;
  /** The evaluation of the best checkpoint, or why there is none (the data cannot be read now). */
  evaluation: { result: EvalResult; seconds: number } | { split: Split; error: string };
  fingerprints?: Fingerprint[];
  /** How the recorded data files differ from the files now. */
  dataChanges: DataChange[];
}

export interface GatherOptions {
  kernels: Kernels;
  maxMemory?: number;
  /** The clock for the evaluation's timing; performance.now by default. */
  now?: () => number;
}

export function gatherRunReport(runDir: string, opts: GatherOptions): RunReportData {
  const absDir = resolve(runDir);
  const history = readRunHistory(runDir);
  const { config, prep } = loadRun(absDir, undefined, opts.maxMemory);
  const configFile = join(absDir, 'config.json');
  const configText = readRunFile(configFile, 8 << 20);
  const dims = prep.kind !== 'image' ? preprocessedDims(prep) : { ...dataDims(config.data), classes: prep.classes?.length };
  const locate = (path: (string | number)[]) => ({ file: configFile, path: path.join('.') });
  const summary = summarize(config, dims, locate, { maxMemory: opts.maxMemory });
  const program = layoutProgram(config, dims, config.train.batch_size, locate, 'train', { weighted: config.train.class_weights !== undefined });
  const graphDot = toDot(program.graph, { outputs: [program.output, program.loss], layers: program.layers, edgeShapes: true });
  const final = readRunJson(join(absDir, 'metrics.json'));
  const fingerprints = readFingerprints(absDir);
  const split: Split = config.data.split.validation > 0 ? 'val' : 'train';
  const now = opts.now ?? (() => performance.now());
  let evaluation: RunReportData['evaluation'];
  try {
    const t0 = now();
    const result = evaluateRun(absDir, { split, kernels: opts.kernels, maxMemory: opts.maxMemory, keepPoints: true });
    evaluation = { result, seconds: (now() - t0) / 1000 };
  } catch (e) {
    // The data may have moved since training (a run copied to another machine): the rest of the
    // report stands without the evaluation, which says why it is missing.
    if (!(e instanceof DataError)) throw e;
    evaluation = { split, error: e.format() };
  }
  return {
    runDir,
    absDir,
    name: config.name,
    configText,
    history,
    ...(isRecord(final) ? { final } : {}),
    task: prep.task,
    ...(prep.kind === 'table' ? { features: [...prep.features] } : {}),
    ...(prep.classes ? { classes: [...prep.classes] } : {}),
    summary,
    graphDot,
    evaluation,
    ...(fingerprints ? { fingerprints } : {}),
    dataChanges: fingerprints ? dataChanges(fingerprints) : [],
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
