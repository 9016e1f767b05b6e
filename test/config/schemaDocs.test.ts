import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configDocs } from '../../src/config/docs.js';
import { configJsonSchema } from '../../src/config/jsonSchema.js';

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as { $schema: string; title: string; properties: Record<string, unknown>; required: string[] };

  it('describes every top-level key, with defaults optional', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('dlf config');
    expect(Object.keys(schema.properties)).toEqual(['name', 'seed', 'data', 'model', 'loss', 'train']);
    expect(schema.required).toEqual(['name', 'data', 'model']);
    expect(schema.properties.seed).toMatchObject({ type: 'integer', default: 0 });
  });
});

describe('configDocs', () => {
  const docs = configDocs();

  it('documents every key with its type, default and description', () => {
    expect(docs).toContain('| `train.optimizer.lr` | number | > 0 | `0.001` | Learning rate. |');
    expect(docs).toContain('| `data.source` | string | `csv` | **required** | Read a CSV file with a header row. |');
    expect(docs).toContain('## `model.layers[]` with `type: dense`');
    expect(docs).toContain('`model.graph.params.<name>.shape`');
  });

  it('is what docs/config.md holds (regenerate with npm run build && npm run docs)', () => {
    const file = new URL('../../docs/config.md', import.meta.url);
    expect(readFileSync(file, 'utf8')).toBe(docs);
  });
});
