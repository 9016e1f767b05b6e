// Small schema pieces shared by the sections of the config schema.
import { z } from 'zod';

export const positiveInt = z.number().int().positive();
// A decay rate of a moving average: 1 would never forget and makes Adam's bias correction divide by 0.
export const decayRate = z.number().min(0).lt(1);

export const InitSchema = z
  .union([
    z.enum([
      'zeros',
      'ones',
      'glorot_uniform',
      'glorot_normal',
      'xavier_uniform',
      'xavier_normal',
      'he_uniform',
      'he_normal',
      'kaiming_uniform',
      'kaiming_normal',
    ]),
    z.strictObject({
      type: z.literal('constant').describe('Every element has the same value.'),
      value: z.number().describe('The value of every element.'),
    }),
    z.strictObject({
      type: z.literal('normal').describe('Elements drawn from a normal distribution.'),
      mean: z.number().default(0).describe('Mean of the normal distribution.'),
      std: z.number().positive().default(0.05).describe('Standard deviation.'),
    }),
    z
      .strictObject({
        type: z.literal('uniform').describe('Elements drawn uniformly from [low, high).'),
        low: z.number().default(-0.05).describe('Lower bound.'),
        high: z.number().default(0.05).describe('Upper bound (greater than low).'),
      })
      .refine((u) => u.low < u.high, { message: 'must be greater than low', path: ['high'] }),
  ])
  .describe(
    'How a parameter is initialised: zeros, ones, glorot_uniform, glorot_normal (alias xavier_*), ' +
      'he_uniform, he_normal (alias kaiming_*), or {type: constant, value}, {type: normal, mean, std}, ' +
      '{type: uniform, low, high}.',
  );
export type InitConfig = z.infer<typeof InitSchema>;

export const ActivationName = z
  .enum(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'softmax', 'linear'])
  .describe('An activation function.');
export type Activation = z.infer<typeof ActivationName>;
