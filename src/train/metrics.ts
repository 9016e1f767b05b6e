// Metrics accumulated over batches: the loss plus accuracy (classification) or MSE and MAE
// (regression), read from a plan's output buffers after each batch.
import type { Buf } from '../graph/types.js';

export interface Metrics {
  loss: number;
  accuracy?: number;
  mse?: number;
  mae?: number;
}

export class MetricsAccumulator {
  private n = 0;
  private lossSum = 0;
  private correct = 0;
  private se = 0;
  private ae = 0;

  constructor(private readonly task: 'classification' | 'regression') {}

  /** Adds a batch: its mean loss, the model outputs [batch, C] and the labels or targets. */
  add(batch: number, loss: number, output: Buf, labels: Buf, cols: number): void {
    this.n += batch;
    this.lossSum += loss * batch;
    if (this.task === 'classification') {
      for (let r = 0; r < batch; r++) {
        const o = r * cols;
        let best = 0;
        if (cols === 1) best = output[o] > 0 ? 1 : 0; // one logit: sigmoid > 0.5
        else for (let c = 1; c < cols; c++) if (output[o + c] > output[o + best]) best = c;
        if (best === labels[r]) this.correct++;
      }
    } else {
      for (let r = 0; r < batch; r++) {
        const e = output[r * cols] - labels[r];
        this.se += e * e;
        this.ae += Math.abs(e);
      }
    }
  }

  result(): Metrics {
    const n = Math.max(this.n, 1);
    const m: Metrics = { loss: this.lossSum / n };
    if (this.task === 'classification') m.accuracy = this.correct / n;
    else {
      m.mse = this.se / n;
      m.mae = this.ae / n;
    }
    return m;
  }
}
