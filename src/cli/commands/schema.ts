// dlf schema: the JSON Schema of config files, generated from the zod schema.
import type { Command } from 'commander';
import { configJsonSchema } from '../../config/json-schema.js';
import type { Io } from '../output.js';

export function registerSchema(program: Command, io: Io): void {
  program
    .command('schema')
    .description('print the JSON Schema of config files (for editors and CI)')
    .action(() => {
      io.out(JSON.stringify(configJsonSchema(), null, 2) + '\n');
    });
}
