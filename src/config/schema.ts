// The config schema: the single source of truth for what a dlf YAML file may say. Types come
// from z.infer, the JSON Schema (`dlf schema`) and docs/config.md are generated from it, and
// every key carries its documentation in `.describe()`. The sections live in schema/.
import * as z from 'zod';
import { LIMITS } from './schema/common.js';
import { DataSchema } from './schema/data.js';
import { ModelSchema } from './schema/model.js';
import { LossName, TrainSchema } from './schema/train.js';

export * from './schema/common.js';
export * from './schema/layers.js';
export * from './schema/model.js';
export * from './schema/data.js';
export * from './schema/train.js';

export const ConfigSchema = z
  .strictObject({
    name: z
      .string()
      .max(LIMITS.name)
      // A directory name: no separators, NUL or control characters, and not `.`, `..`, hidden or an option.
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must start with a letter, digit or _, then letters, digits, ., _ or -')
      .describe('Name of the run; the default output directory is `runs/<name>/<timestamp>`.'),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('Seed of every random choice.'),
    data: DataSchema,
    model: ModelSchema,
    loss: LossName.optional().describe(
      'The loss (default: mse for regression; for classification sigmoid_binary_cross_entropy when the model ends in one logit, which needs two classes, else softmax_cross_entropy). It must fit the task, the classes and the output width.',
    ),
    train: TrainSchema.prefault({}).describe('How to train.'),
  })
  .describe('A dlf config file.');

/** What the user wrote, after defaults. */
export type Config = z.infer<typeof ConfigSchema>;
