// Ctrl-C (SIGINT) and SIGTERM, from the moment main() starts. Until a command says it will stop
// by itself (cooperate()), a signal ends the command at once: main() resolves with 130 or 143 and
// a line saying nothing was written. While training runs, a signal instead aborts the controller
// the loop watches, which stops after the current batch and writes the last finished epoch.
// Synchronous work (reading data, compiling) holds the event loop, so a signal is seen when it
// next yields; commands yield between their stages (stage()).
import { InternalError, InterruptedError, type InterruptSignal, interruptOf } from '../errors.js';

export interface Interrupts {
  /** Aborted, with the signal's name as its reason, when a signal arrives. */
  readonly signal: AbortSignal;
  /** Rejects with an InterruptedError when a signal arrives and the command is not cooperating. */
  readonly stopped: Promise<never>;
  /** From now on the command itself stops on the signal (see the header). */
  cooperate(): void;
  /** Lets pending signals be delivered, then throws an InterruptedError if one was (`doing`: what was under way). */
  stage(doing: string): Promise<void>;
  /** Removes the handlers. */
  dispose(): void;
}

export function watchInterrupts(): Interrupts {
  const controller = new AbortController();
  let cooperating = false;
  let reject: (e: unknown) => void = () => {};
  const stopped = new Promise<never>((_, r) => (reject = r));
  stopped.catch(() => {}); // observed only by the race in main()
  const early = (sig: InterruptSignal, doing?: string) =>
    new InterruptedError(`interrupted by ${sig}${doing ? ` while ${doing}` : ''}; nothing was written`, {}, undefined, sig);
  const on = (sig: InterruptSignal) => () => {
    if (controller.signal.aborted) return;
    controller.abort(sig);
    if (!cooperating) reject(early(sig));
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    stopped,
    cooperate: () => void (cooperating = true),
    async stage(doing) {
      await new Promise((r) => setImmediate(r));
      const sig = interruptOf(controller.signal);
      if (sig) throw early(sig, doing);
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/** The interrupts main() set up for the command it runs (every command is run by main). */
export function interruptsOf(io: { interrupts?: Interrupts }): Interrupts {
  if (!io.interrupts) throw new InternalError('a command ran without the interrupt handlers of main()');
  return io.interrupts;
}
