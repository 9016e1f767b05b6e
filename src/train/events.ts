// Events a training run emits. The CLI renders them (progress bar, plain lines or NDJSON); the
// library never prints.
import type { Metrics } from './metrics.js';

export type TrainEvent =
  | {
      type: 'start';
      name: string;
      outDir: string;
      epochs: number;
      startEpoch: number;
      batchesPerEpoch: number;
      trainSamples: number;
      valSamples: number;
      parameters: number;
      backend: string;
      memory: { plannedBytes: number; unplannedBytes: number; persistentBytes: number; parameterBytes: number };
    }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number }
  /** Every `stepEvery` optimizer steps (train --step-events N): the batch's loss and the learning rate used. */
  | { type: 'step'; epoch: number; step: number; loss: number; lr: number }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      step: number;
      lr: number;
      train: Metrics;
      val?: Metrics;
      seconds: number;
    }
  /** A checkpoint file was written (every train.checkpoint_interval seconds and when training stops). */
  | { type: 'checkpoint'; epoch: number; kind: 'last' | 'best'; path: string }
  | {
      type: 'end';
      epochs: number;
      best: { epoch: number; metric: string; value: number };
      final: { train: Metrics; val?: Metrics; test?: Metrics };
      seconds: number;
      outDir: string;
      stopped: 'completed' | 'early_stopping' | 'paused';
      /** With early stopping: the metric watched, its best value and epoch, and the patience. */
      early?: { metric: string; best: number; bestEpoch: number; patience: number };
    };

export type EventSink = (e: TrainEvent) => void;
