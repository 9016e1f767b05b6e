#!/usr/bin/env node
// Writes src/kernels/native-api.ts, the TypeScript side of the native addon's table
// (native/kernels.def): the NativeAddon and NativeInfo interfaces, each function's parameter kinds
// and the op-code tables. `node scripts/gen-native-api.mjs` after changing the table;
// `--check` only says whether the file is what the table makes (exit 1 when not), as
// test/kernels/native-registry.test.ts does.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEF = join(root, 'native', 'kernels.def');
const OUT = join(root, 'src', 'kernels', 'native-api.ts');

/** Parameter kinds of the table: the TypeScript type and the kind name NATIVE_SIGNATURES lists. */
const PARAMS = {
  F32: { type: 'Float32Array', kind: 'f32' },
  F32_OPT: { type: 'Float32Array | null', kind: 'f32?' },
  SIZE: { type: 'number', kind: 'size' },
  NUM: { type: 'number', kind: 'num' },
  BOOL: { type: 'boolean', kind: 'bool' },
  I32: { type: 'Int32Array', kind: 'i32' },
  I32S: { type: 'Int32Array', kind: 'i32s' },
  U8: { type: 'Uint8Array', kind: 'u8' },
};
const RETURNS = { VOID: 'void', INT: 'number', INFO: 'NativeInfo' };
const INFO_TYPES = { STR: 'string', BOOL: 'boolean', INT: 'number' };

/** The table's entries, in order, each with the comment lines right above it. */
function parse(text) {
  const kernels = [];
  const enums = [];
  const info = [];
  let doc = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const where = `native/kernels.def:${i + 1}`;
    if (line.startsWith('//')) return void doc.push(line.replace(/^\/\/ ?/, ''));
    const comment = doc;
    doc = [];
    if (!line) return;
    let m;
    if ((m = /^DLF_KERNEL\((\w+), (VOID|INT|INFO), ?(.*)\)$/.exec(line))) {
      const params = [];
      const rest = m[3].replace(/(F32_OPT|F32|SIZE|NUM|BOOL|I32S|U8)\((\w+)\)|I32\((\w+), (\d+)\)|\s+/g, (_all, kind, name, i32, count) => {
        if (kind) params.push({ ...PARAMS[kind], name });
        else if (i32) params.push({ ...PARAMS.I32, name: i32, kind: `i32x${count}` });
        return '';
      });
      if (rest) throw new Error(`${where}: cannot read the parameters '${m[3]}'`);
      kernels.push({ name: m[1], returns: RETURNS[m[2]], params, doc: comment });
    } else if ((m = /^DLF_ENUM\((\w+), (.*)\)$/.exec(line))) {
      const names = m[2].split(',').map((s) => s.trim());
      const prefix = names[0].slice(0, names[0].indexOf('_') + 1);
      if (!prefix || !names.every((n) => n.startsWith(prefix))) throw new Error(`${where}: the names of ${m[1]} do not share a PREFIX_`);
      enums.push({ name: m[1], keys: names.map((n) => n.slice(prefix.length).toLowerCase()) });
    } else if ((m = /^DLF_INFO\((STR|BOOL|INT), (\w+)\)$/.exec(line))) {
      info.push({ name: m[2], type: INFO_TYPES[m[1]], doc: comment });
    } else {
      throw new Error(`${where}: not an entry of the table: ${line}`);
    }
  });
  return { kernels, enums, info };
}

const jsdoc = (lines, indent) =>
  !lines.length ? [] : lines.length === 1 ? [`${indent}/** ${lines[0]} */`] : [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`];

/** BinaryOp → BINARY_OP. */
const constName = (type) => type.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The text of src/kernels/native-api.ts for the table's text. */
function generate(text) {
  const { kernels, enums, info } = parse(text);
  const out = [
    '// The TypeScript side of the native addon, made from its table (native/kernels.def) by',
    '// scripts/gen-native-api.mjs: run it after changing the table, never edit this file by hand.',
    '// test/kernels/native-registry.test.ts fails when the two disagree.',
    '',
    '/** What info() returns: what the addon detected and chose. */',
    'export interface NativeInfo {',
    ...info.flatMap((f) => [...jsdoc(f.doc, '  '), `  readonly ${f.name}: ${f.type};`]),
    '}',
    '',
    "/** The addon's functions (native/addon.cc). */",
    'export interface NativeAddon {',
    ...kernels.flatMap((k) => [...jsdoc(k.doc, '  '), `  ${k.name}(${k.params.map((p) => `${p.name}: ${p.type}`).join(', ')}): ${k.returns};`]),
    '}',
    '',
    '/**',
    ' * A parameter of the addon: a Float32Array (f32), one or null (f32?), an integer from 0 to',
    ' * 2^53 − 1 (size), any number (num), a boolean (bool), an Int32Array of at least N non-negative',
    ' * values (i32xN), an Int32Array of any length (i32s), a Uint8Array (u8).',
    ' */',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated TypeScript holds a template literal type
    "export type NativeParam = 'f32' | 'f32?' | 'size' | 'num' | 'bool' | `i32x${number}` | 'i32s' | 'u8';",
    '',
    "/** Each function's parameters, in the order the addon reads them. */",
    'export const NATIVE_SIGNATURES: { readonly [F in keyof NativeAddon]: readonly NativeParam[] } = {',
    ...kernels.map((k) => `  ${k.name}: [${k.params.map((p) => `'${p.kind}'`).join(', ')}],`),
    '};',
    '',
    '/** The functions the addon exports. */',
    'export const NATIVE_FUNCTIONS = Object.keys(NATIVE_SIGNATURES) as readonly (keyof NativeAddon)[];',
    ...enums.flatMap((e) => [
      '',
      `/** The codes of native/dlf.h enum ${e.name}. */`,
      `export const ${constName(e.name)} = { ${e.keys.map((k, i) => `${k}: ${i}`).join(', ')} } as const;`,
    ]),
    '',
  ];
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const want = generate(readFileSync(DEF, 'utf8'));
  let have = '';
  try {
    have = readFileSync(OUT, 'utf8');
  } catch {
    // No file yet: written below, or reported by --check.
  }
  if (process.argv.includes('--check')) {
    if (have !== want) {
      console.error('src/kernels/native-api.ts is not what native/kernels.def makes: run node scripts/gen-native-api.mjs');
      process.exit(1);
    }
  } else if (have !== want) {
    writeFileSync(OUT, want);
    console.log('wrote src/kernels/native-api.ts');
  }
}
