import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAND_WRITTEN_MARK, configDocs, configDocsFile } from '../../src/config/docs.js';
import { configJsonSchema } from '../../src/config/json-schema.js';

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

  it('is what docs/config.md holds above its hand-written part (regenerate with npm run build && npm run docs)', () => {
    const file = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    expect(file.slice(0, docs.length)).toBe(docs);
    expect(file).toBe(configDocsFile(file));
    expect(file.slice(file.indexOf(HAND_WRITTEN_MARK))).toMatch(/\n## Worked examples\n/);
  });

  it('regenerates the part above the mark and keeps the part below it', () => {
    const handWritten = '\n\n## Worked examples\n\nby hand\n';
    expect(configDocsFile(`# stale tables\n${HAND_WRITTEN_MARK}${handWritten}`)).toBe(`${docs}\n${HAND_WRITTEN_MARK}${handWritten}`);
    expect(configDocsFile('# a file without the mark\n')).toBe(`${docs}\n${HAND_WRITTEN_MARK}\n`);
  });
});
