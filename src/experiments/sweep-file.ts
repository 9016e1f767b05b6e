// The sweep file: which config to start from, which keys to vary and how (a grid over lists of
// values, or seeded random draws from lists and ranges), and the metric that ranks the trials.
// Read like a config file: YAML with positions, validated by zod, every problem a located line.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { configIssues, type SourceMap, sortIssues } from '../config/issues.js';
import { parseYaml, stepPos, walk } from '../config/yaml-doc.js';
import { ConfigError, type Place } from '../errors.js';

const KEY_PATH = /^[^.\s=]+(\.[^.\s=]+)*$/;
export const MAX_TRIALS = 10_000;

const RangeSchema = z
  .strictObject({
    min: z.number().describe('Smallest value drawn.'),
    max: z.number().describe('Largest value drawn.'),
    log: z.boolean().default(false).describe('Draw uniformly in log space (min must be > 0).'),
    integer: z.boolean().default(false).describe('Draw integers from min to max, both included.'),
  })
  .refine((r) => r.min <= r.max, { message: 'min must be ≤ max', path: ['max'] })
  .refine((r) => !r.log || r.min > 0, { message: 'a log range needs min > 0', path: ['min'] })
  .refine((r) => !r.integer || (Number.isInteger(r.min) && Number.isInteger(r.max)), { message: 'an integer range needs integer min and max', path: ['min'] });
export type Range = z.infer<typeof RangeSchema>;

const ValuesSchema = z.array(z.unknown()).min(1).describe('Values to try (any YAML value: numbers, strings, maps).');
export type Domain = unknown[] | Range;

const SweepSchema = z
  .strictObject({
    config: z.string().min(1).describe('The base config, relative to the sweep file.'),
    search: z.enum(['grid', 'random']).default('grid').describe('grid: every combination of the lists; random: `trials` seeded draws.'),
    trials: z.number().int().min(1).max(MAX_TRIALS).optional().describe('Number of trials (random search only).'),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('Seed of the random draws (random search only).'),
    parameters: z
      .record(z.string().regex(KEY_PATH, 'must be a key path such as train.optimizer.lr'), z.union([ValuesSchema, RangeSchema]))
      .refine((p) => Object.keys(p).length > 0, { message: 'name at least one key path to vary' })
      .describe('Key path (as for --set) → a list of values, or (random only) a range {min, max, log, integer}.'),
    metric: z
      .string()
      .regex(/^(train|val|test)\.\w+$/, 'must be train.<metric>, val.<metric> or test.<metric>, e.g. val.accuracy')
      .describe('The final metric that ranks the trials.'),
    mode: z.enum(['max', 'min']).optional().describe('max or min is best (default: min for loss, perplexity, mse, mae, rmse; else max).'),
  })
  .superRefine((s, ctx) => {
    if (s.search === 'random' && s.trials === undefined) ctx.addIssue({ code: 'custom', message: 'a random search needs trials: N', path: ['search'] });
    if (s.search === 'grid' && s.trials !== undefined)
      ctx.addIssue({ code: 'custom', message: 'trials is for search: random (a grid runs every combination)', path: ['trials'] });
    if (s.search === 'grid') {
      for (const [key, d] of Object.entries(s.parameters)) {
        if (!Array.isArray(d))
          ctx.addIssue({ code: 'custom', message: 'a grid takes a list of values; ranges need search: random', path: ['parameters', key] });
      }
    }
  });
export type SweepFile = z.infer<typeof SweepSchema>;

export interface LoadedSweep {
  sweep: SweepFile;
  /** Absolute paths of the sweep file and of its base config. */
  file: string;
  config: string;
  /** Where a key path of the sweep file is, for messages about it. */
  place(path: readonly (string | number)[]): Place;
}

export function loadSweep(file: string): LoadedSweep {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([{ place: { file }, message: code === 'ENOENT' ? 'sweep file not found' : `cannot read the sweep file: ${(e as Error).message}` }]);
  }
  const { doc, lineCounter, errors } = parseYaml(text);
  if (errors.length) throw new ConfigError(errors.map((e) => ({ place: { file, line: e.line, col: e.col }, message: `invalid YAML: ${e.message}` })));
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined)
    throw new ConfigError([{ place: { file, line: 1, col: 1 }, message: 'the sweep file is empty', hint: 'it needs config, parameters and metric' }]);
  const src: SourceMap = { file, doc, lineCounter, origins: new Map() };
  const result = SweepSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(sortIssues(configIssues(result.error.issues, src, raw, SweepSchema)));
  const abs = resolve(file);
  return {
    sweep: result.data,
    file: abs,
    config: resolve(dirname(abs), result.data.config),
    place(path) {
      const { steps } = walk(doc, path);
      const pos = steps.length ? stepPos(lineCounter, steps[steps.length - 1]) : undefined;
      return { file, ...(pos ?? {}), path: path.join('.') };
    },
  };
}
