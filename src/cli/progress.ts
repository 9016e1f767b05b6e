// Renders training events: a live bar on an interactive terminal, one plain line per epoch
// otherwise, nothing with --quiet; with --json, NDJSON on stdout as well. Each line shows every
// metric the run computes. cli-progress is imported only for the live bar.
import type cliProgress from 'cli-progress';
import type { TrainEvent } from '../train/events.js';
import type { Metrics } from '../train/metrics.js';
import { type Io, formatBytes, num } from './output.js';

/** What goes to stderr: a live bar, plain lines, or nothing. */
export type Mode = 'quiet' | 'bar' | 'lines';

/** Shorter names for the console line. */
const SHORT: Record<string, string> = { accuracy: 'acc', top_k_accuracy: 'top_k_acc' };

/** `loss 0.1234  acc 0.9500  f1 0.9412`: the loss, then every other metric in the order computed. */
function metricsText(prefix: string, m?: Metrics): string {
  if (!m) return '';
  const parts = [`${prefix}loss ${num(m.loss)}`];
  for (const [k, v] of Object.entries(m)) if (k !== 'loss' && typeof v === 'number') parts.push(`${prefix}${SHORT[k] ?? k} ${num(v)}`);
  return parts.join('  ');
}

/** Non-empty parts joined by two spaces (no doubled or trailing blanks). */
const joined = (...parts: string[]) => parts.filter((p) => p !== '').join('  ');

export interface Renderer {
  onEvent(e: TrainEvent): void;
  /** Stops a live bar (after an error too) so that what follows prints on a clean line. */
  close(): void;
}

export async function createRenderer(io: Io, mode: Mode, json = false): Promise<Renderer> {
  const progressBars = mode === 'bar' ? (await import('cli-progress')).default : undefined;
  let bar: cliProgress.SingleBar | undefined;
  const close = () => {
    bar?.stop();
    bar = undefined;
  };
  const onEvent = (e: TrainEvent): void => {
    if (json && e.type !== 'batch') io.out(JSON.stringify(e) + '\n');
    if (mode === 'quiet') return;
    switch (e.type) {
      case 'start': {
        const m = e.memory;
        io.err(
          `training ${e.name}: ${e.trainSamples} train / ${e.valSamples} val samples, ${e.parameters} parameters, ` +
            `backend ${e.backend}, plan ${formatBytes(m.plannedBytes)} (${formatBytes(m.unplannedBytes)} without reuse)\n` +
            `run directory ${e.outDir}\n`,
        );
        if (progressBars) {
          bar = new progressBars.SingleBar(
            {
              format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} batches  loss {loss}  {last}',
              stream: process.stderr,
              hideCursor: true,
              clearOnComplete: false,
            },
            progressBars.Presets.shades_classic,
          );
          bar.start(e.batchesPerEpoch, 0, { epoch: e.startEpoch, epochs: e.epochs, loss: '-', last: '' });
        }
        return;
      }
      case 'batch':
        bar?.update(e.batch, { epoch: e.epoch, loss: num(e.loss) });
        return;
      case 'epoch': {
        const line = joined(`epoch ${e.epoch}/${e.epochs}`, metricsText('', e.train), metricsText('val_', e.val), `${e.seconds.toFixed(2)}s`);
        if (bar) {
          // Start the next epoch's bar; after the last epoch leave it full.
          const last = `| ${metricsText('val_', e.val) || metricsText('', e.train)}`;
          if (e.epoch < e.epochs) bar.update(0, { epoch: e.epoch + 1, last });
          else bar.update({ last });
        } else io.err(line + '\n');
        return;
      }
      case 'checkpoint':
      case 'step':
        return;
      case 'end':
        close();
        if (e.epochs === 0) {
          io.err(`nothing trained (0 epochs): the initialised model is checkpoints/last.json (epoch 0) in ${e.outDir}\n`);
          return;
        }
        io.err(
          `done in ${e.seconds.toFixed(1)}s: ${joined(metricsText('', e.final.train), metricsText('val_', e.final.val))}\n` +
            `best ${e.best.metric} ${num(e.best.value)} at epoch ${e.best.epoch}; saved in ${e.outDir}\n` +
            (e.final.test ? `test: ${metricsText('', e.final.test)}\n` : '') +
            (e.stopped === 'early_stopping' && e.early
              ? `stopped early after epoch ${e.epochs}: ${e.early.metric} has not improved for ${e.early.patience} epochs (best ${num(e.early.best)} at epoch ${e.early.bestEpoch})\n`
              : '') +
            (e.stopped === 'paused' ? `paused; continue with: dlf train --resume ${e.outDir}\n` : ''),
        );
        return;
    }
  };
  return { onEvent, close };
}
