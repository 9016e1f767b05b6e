// dlf generate: sample text from a trained language model (a run on data.source: text with task:
// language_model), seeded and reproducible. The text goes to stdout (or one JSON object with the
// tokens and ids); progress of a long generation goes to stderr.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { kernelsFor } from '../../kernels/select.js';
import { generateFromRun } from '../../train/generate.js';
import { BACKEND_HELP, defaultBackend } from '../backend.js';
import { maxMemory, maxMemoryHelp } from '../max-memory.js';
import type { Io } from '../output.js';
import { nonNegativeInt, positiveInt } from './common.js';

interface GenerateFlags {
  prompt?: string;
  length: number;
  temperature: number;
  topK?: number;
  seed: number;
  checkpoint?: string;
  json?: boolean;
  backend: string;
  maxMemory?: number;
}

/** --temperature: a finite number ≥ 0. */
function parseTemperature(v: string): number {
  const t = Number(v);
  if (v.trim() === '' || !Number.isFinite(t) || t < 0) throw new UsageError(`--temperature must be a number ≥ 0, got '${v}'`);
  return t;
}

/** Generations longer than this many tokens report progress on stderr. */
const PROGRESS_FROM = 200;

export function registerGenerate(program: Command, io: Io): void {
  program
    .command('generate')
    .description('sample text from a trained language model (a run on text with task: language_model), seeded and reproducible')
    .argument('<run-dir>', 'a run directory written by dlf train')
    .option('-p, --prompt <text>', 'text to continue (default: a line break, when the vocabulary has one); unknown tokens become <unk>')
    .option('-n, --length <n>', 'tokens to generate', positiveInt('--length'), 200)
    .option(
      '-t, --temperature <t>',
      'divide the logits by t before sampling: 0 always takes the most probable token, below 1 sharper, above 1 flatter',
      parseTemperature,
      1,
    )
    .option('-k, --top-k <k>', 'sample only among the k most probable tokens (1: the most probable); default all', positiveInt('--top-k'))
    .option('-s, --seed <n>', 'seed of the sampling: the same seed, prompt, settings and backend give the same text', nonNegativeInt('--seed'), 0)
    .option('-c, --checkpoint <file>', 'checkpoint file (default: <run-dir>/checkpoints/best.json, else last.json)')
    .option('--json', 'print one JSON object: the prompt and generated tokens with their ids, the text, the settings')
    .option('--backend <name>', BACKEND_HELP, defaultBackend())
    .option('--max-memory <size>', maxMemoryHelp(), maxMemory)
    .action((runDir: string, flags: GenerateFlags) => {
      let last = performance.now();
      const r = generateFromRun(runDir, {
        prompt: flags.prompt,
        length: flags.length,
        temperature: flags.temperature,
        topK: flags.topK,
        seed: flags.seed,
        checkpoint: flags.checkpoint,
        kernels: kernelsFor(flags.backend),
        maxMemory: flags.maxMemory,
        onToken: (done, total) => {
          if (total < PROGRESS_FROM) return;
          const now = performance.now();
          if (now - last < 1000 && done < total) return;
          last = now;
          io.err(io.interactive ? `\rgenerated ${done}/${total} tokens${done === total ? '\n' : ''}` : `generated ${done}/${total} tokens\n`);
        },
      });
      for (const w of r.warnings) io.err(`warning: ${w}\n`);
      if (flags.json) {
        io.out(JSON.stringify(r) + '\n');
        return;
      }
      io.out(r.text.endsWith('\n') ? r.text : r.text + '\n');
    });
}
