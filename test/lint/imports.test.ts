// The import graph of src/: no import cycles, and the layers import only downwards (CONTRIBUTING.md).
// Type-only imports count: a type shared across a cycle still ties the two modules together. The one
// allowance is inside src/graph, where the op table and the builder name each other's types (the
// builder applies ops from OPS; an op's VJP builds with the builder): there a cycle is allowed only
// when it needs a type-only import, so loading the modules never goes round in a circle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

/**
 * Layers from the bottom; a module may import its own layer and those below it, never above. `*`
 * is every file directly in src/ but index.ts (errors, paths, suggestions).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['*', 'io/', 'tensor/'],
  ['kernels/'],
  ['graph/'],
  ['config/'],
  ['data/'],
  ['compile/'],
  ['exec/'],
  ['train/'],
  ['export/', 'plot/', 'report/', 'experiments/'],
  ['cli/'],
  ['index.ts'],
];

function layerOf(file: string): number {
  const top = !file.includes('/') && file !== 'index.ts';
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => (p === '*' ? top : p.endsWith('/') ? file.startsWith(p) : file === p)));
  if (i < 0) throw new Error(`${file} is in no layer: add it to LAYERS in test/lint/imports.test.ts`);
  return i;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  /** Whether only types come through this import (erased at run time). */
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    return (
      node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly))
    );
  }
  const clause = node.importClause;
  if (clause === undefined) return false; // a side-effect import
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** The relative imports of every module under src/ (static, re-exports and dynamic import()). */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const path of sourceFiles(SRC)) {
    const from = relative(SRC, path).split('\\').join('/');
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
    const add = (spec: string, typeOnly: boolean) => {
      if (!spec.startsWith('.')) return;
      const to = relative(SRC, resolve(dirname(path), spec.replace(/\.js$/, '.ts')))
        .split('\\')
        .join('/');
      edges.push({ from, to, typeOnly });
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, isTypeOnly(node));
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg !== undefined && ts.isStringLiteral(arg)) add(arg.text, false);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return edges;
}

/** The strongly connected components of more than one module (Tarjan), each sorted. */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    if (!next.has(e.to)) next.set(e.to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) connect(v);
  return out;
}

describe('the import graph of src/', () => {
  const edges = importEdges();

  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: 'graph/types.ts', to: 'kernels/kernels.ts', typeOnly: true });
  });

  it('has no cycle through imports that run', () => {
    expect(cycles(edges.filter((e) => !e.typeOnly))).toEqual([]);
  });

  it('has no cycle through type imports either, but inside src/graph', () => {
    expect(cycles(edges).filter((scc) => !scc.every((f) => f.startsWith('graph/')))).toEqual([]);
  });

  it('imports only downwards: config -> data -> compile -> exec -> train -> cli, with graph, kernels and tensor below', () => {
    const upwards = edges.filter((e) => layerOf(e.to) > layerOf(e.from)).map((e) => `${e.from} -> ${e.to}`);
    expect(upwards).toEqual([]);
  });

  it('catches a cycle and an upward import when there is one', () => {
    expect(
      cycles([
        { from: 'a.ts', to: 'b.ts', typeOnly: true },
        { from: 'b.ts', to: 'a.ts', typeOnly: false },
      ]),
    ).toEqual([['a.ts', 'b.ts']]);
    expect(layerOf('kernels/kernels.ts')).toBeLessThan(layerOf('graph/types.ts'));
  });
});
