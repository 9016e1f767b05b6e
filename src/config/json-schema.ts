// The JSON Schema of a config file, generated from the zod schema (never written by hand). The
// input side is described, so keys with defaults are optional, as they are for the user.
import * as z from 'zod';
import { ConfigSchema } from './schema.js';

const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  const { $schema: _dialect, ...rest } = generated as Record<string, unknown>;
  return { $schema: JSON_SCHEMA_DIALECT, title: 'dlf config', ...rest };
}
