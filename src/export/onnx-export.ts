// dlf export --format onnx: a run's model with its preprocessing, as one ONNX file (IR version 8,
// opset 17, and ai.onnx.ml 3 when a categorical column needs LabelEncoder). Raw values go in
// (onnx-inputs.ts), the model follows (onnx-model.ts, op by op through onnx-ops.ts), and the
// outputs are those of dlf predict (onnx-outputs.ts). The class names, inputs and outputs are
// described in the model's metadata_props. Nothing is written here: the caller gets the bytes.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { trainingHash } from '../config/hash.js';
import { preprocessedDims } from '../data/dims.js';
import { CheckpointError, ExportError } from '../errors.js';
import { dlfVersion } from '../package-root.js';
import { loadCheckpoint } from '../train/checkpoint.js';
import { checkMatchesModel } from '../train/checkpoint-model.js';
import { readRunConfig } from '../train/evaluate.js';
import { DEFAULT_THRESHOLD } from '../train/metrics.js';
import { classNames } from '../train/predict.js';
import { OnnxGraph } from './onnx-graph.js';
import { type ModelInput, imageInputs, tableInputs, tokenInputs } from './onnx-inputs.js';
import { emitModel, inferenceGraph, layerOf } from './onnx-model.js';
import { isBatchDim } from './onnx-ops.js';
import { emitOutputs, emitTokenOutputs } from './onnx-outputs.js';
import { IR_VERSION, ML_DOMAIN, ML_OPSET, type ModelProto, OPSET, encodeModel } from './onnx-proto.js';

export interface OnnxExport {
  /** The model file. */
  readonly bytes: Uint8Array;
  readonly checkpoint: string;
  readonly epoch: number;
  readonly irVersion: number;
  /** Operator sets imported, by domain ('' is the default domain). */
  readonly opsets: Readonly<Record<string, number>>;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: number;
}

/** The ONNX model of a run at a checkpoint (default: best.json, else last.json). */
export function exportOnnx(runDirArg: string, opts: { checkpoint?: string } = {}): OnnxExport {
  const runDir = resolve(runDirArg);
  const config = readRunConfig(runDir);
  let ckptPath = opts.checkpoint ? resolve(opts.checkpoint) : join(runDir, 'checkpoints', 'best.json');
  if (!opts.checkpoint && !existsSync(ckptPath)) ckptPath = join(runDir, 'checkpoints', 'last.json');
  const ckpt = loadCheckpoint(ckptPath);
  if (ckpt.configHash !== trainingHash(config)) {
    throw new CheckpointError('checkpoint was written for a different config than this run directory holds', { file: ckptPath });
  }
  const prep = ckpt.preprocessing;
  const configFile = join(runDir, 'config.json');
  const inf = inferenceGraph(config, preprocessedDims(prep), (path) => ({ file: configFile, path: path.join('.') }));
  checkMatchesModel(ckpt, inf.params, ckptPath);
  const params = new Map<string, Float32Array>();
  for (const [name, t] of [...ckpt.params, ...ckpt.state]) params.set(name, t.data);

  // One row per sample [N, outputs]; with a label per token, one per position [N, L, outputs].
  const perToken = prep.kind === 'tokens' && prep.labels === 'tokens';
  const outDims = inf.dims[inf.output];
  const rank = perToken ? 3 : 2;
  const fixed = outDims.slice(1);
  if (outDims.length !== rank || !isBatchDim(outDims[0]) || outDims[0].batch !== 1 || fixed.some(isBatchDim) || (perToken && fixed[0] !== prep.length)) {
    const node = inf.graph.nodes[inf.output];
    const layer = layerOf(inf.layers, node.name);
    const shape = outDims.map((d) => (isBatchDim(d) ? (d.batch === 1 ? 'N' : `${d.batch}N`) : String(d))).join(', ');
    const wanted = perToken ? `one row per position [N, ${prep.length}, outputs]` : 'one row per sample [N, outputs]';
    throw new ExportError(
      `cannot export the model to ONNX: its output is [${shape}], not ${wanted}`,
      { ...(layer?.place ?? {}), node: node.name },
      perToken ? 'end the model with a dense layer over the sequence' : 'end the model with a dense layer (or flatten its output)',
    );
  }
  const width = outDims[outDims.length - 1] as number;

  const g = new OnnxGraph();
  const input: ModelInput = prep.kind === 'image' ? imageInputs(g, prep) : prep.kind === 'tokens' ? tokenInputs(g, prep) : tableInputs(g, prep);
  const threshold = config.train.threshold ?? DEFAULT_THRESHOLD;
  const emit = (out: string) => emitModel(g, inf, params, input.x, out);
  const outputs = perToken
    ? emitTokenOutputs(g, prep.length, width, input.invalid, emit)
    : emitOutputs(g, { prep, width, invalid: input.invalid, threshold }, emit);

  const version = dlfVersion();
  const opsets: Record<string, number> = { '': OPSET };
  if (g.domains.has(ML_DOMAIN)) opsets[ML_DOMAIN] = ML_OPSET;
  const doc = `${config.name}: exported by dlf ${version} from ${basename(ckptPath)} (epoch ${ckpt.epoch})`;
  const metadata: Record<string, string> = {
    task: perToken ? 'classification per token' : prep.task,
    ...(prep.task === 'classification' && !perToken ? { classes: JSON.stringify(classNames(prep.classes, width)) } : {}),
    ...(prep.task === 'classification' && !perToken && classNames(prep.classes, width).length === 2 ? { threshold: String(threshold) } : {}),
    ...(prep.kind === 'tokens' ? { vocab: JSON.stringify(prep.vocab) } : {}),
    ...(config.data.source === 'csv' ? { label: config.data.label } : {}),
    inputs: JSON.stringify(input.described),
    outputs: JSON.stringify(outputs),
    run: config.name,
    checkpoint: basename(ckptPath),
    epoch: String(ckpt.epoch),
    config_hash: ckpt.configHash,
  };
  const model: ModelProto = {
    irVersion: IR_VERSION,
    opsetImport: Object.entries(opsets).map(([domain, v]) => ({ domain, version: v })),
    producerName: 'dlf',
    producerVersion: version,
    docString: doc,
    graph: g.proto(config.name, doc),
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
  const graph = model.graph;
  return {
    bytes: encodeModel(model),
    checkpoint: ckptPath,
    epoch: ckpt.epoch,
    irVersion: IR_VERSION,
    opsets,
    inputs: graph.input.map((i) => i.name),
    outputs: graph.output.map((o) => o.name),
    nodes: g.nodeCount,
  };
}
