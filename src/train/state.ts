// What training carries from one epoch to the next, and the checkpoint that saves it whole.
import type { Preprocessing } from '../data/standardize.js';
import type { RngState } from '../tensor/rng.js';
import type { Metrics } from './metrics.js';
import type { MonitorState } from './monitor.js';
import type { OptimizerState } from './optimizers.js';
import type { PlateauState } from './schedule.js';

export type Tensors = Map<string, { shape: number[]; data: Float32Array }>;

export interface Progress {
  best: MonitorState;
  early: MonitorState;
  plateau: PlateauState;
}

export interface Checkpoint {
  configHash: string;
  epoch: number;
  step: number;
  /** Trainable parameters by name. */
  params: Tensors;
  /** Non-trainable state tensors (running statistics) by name. */
  state: Tensors;
  optimizer: { type: string; state: OptimizerState };
  rng: { shuffle: RngState; dropout: RngState };
  progress: Progress;
  preprocessing: Preprocessing;
  metrics?: { train?: Metrics; val?: Metrics };
}

export interface EpochRecord {
  epoch: number;
  step: number;
  lr: number;
  train: Metrics;
  val?: Metrics;
  seconds: number;
}

/** Everything that carries over from one epoch to the next. */
export interface TrainState {
  /** Epochs completed. */
  epoch: number;
  /** Parameters and state tensors by name. */
  params: Map<string, Float32Array>;
  optimizer?: Checkpoint['optimizer']['state'];
  rng: Checkpoint['rng'];
  progress: Progress;
  history: EpochRecord[];
}
