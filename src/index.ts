// The dlf library API. The command line (src/cli) is one client of it.
export { loadConfig, type ResolvedConfig, type LoadOptions } from './config/load.js';
export { ConfigSchema, type Config } from './config/schema.js';
export { configJsonSchema } from './config/json-schema.js';
export { loadData, loadDataset, type LoadedData } from './data/load.js';
export { dataDims, type DataDims } from './data/dims.js';
export { compileModel, buildProgram, type CompiledModel, type Program } from './compile/compile.js';
export { planGraph, planMemory, type Plan } from './compile/plan.js';
export { GraphBuilder, type Graph } from './graph/builder.js';
export { appendBackward } from './graph/autodiff.js';
export { OPS, type OpName } from './graph/ops/index.js';
export { toDot } from './graph/dot.js';
export { dotToSvg } from './graph/svg.js';
export { configStepValues, runStepValues, stepValues, type StepValues } from './train/step-values.js';
export { Executor } from './exec/executor.js';
export type { Kernels } from './kernels/kernels.js';
export { kernelsFor } from './kernels/select.js';
export { tsKernels } from './kernels/ts/index.js';
export { Rng, streamSeed } from './tensor/rng.js';
export { prepareRun } from './train/session.js';
export { train, initParams, type TrainOptions, type TrainResult } from './train/loop.js';
export { evaluateRun, type EvalResult } from './train/evaluate.js';
export { loadCheckpoint, saveCheckpoint, type Checkpoint } from './train/checkpoint.js';
export type { OnnxExport } from './export/onnx-export.js';

/** A run's model and preprocessing as ONNX bytes (docs/export.md); protobufjs is loaded on the first call only. */
export async function exportOnnx(runDir: string, opts: { checkpoint?: string } = {}): Promise<import('./export/onnx-export.js').OnnxExport> {
  return (await import('./export/onnx-export.js')).exportOnnx(runDir, opts);
}
export type { TrainEvent } from './train/events.js';
export * from './errors.js';
