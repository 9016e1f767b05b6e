// The YAML side of a config: parse with positions, walk a key path through the document, and
// turn a node into a line:col. Nodes added by --set carry their origin instead of a position.
import { type Document, isAlias, isCollection, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { KeyPath } from './paths.js';

export interface Pos {
  line: number;
  col: number;
}

export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  /** Syntax errors, each with its position. */
  errors: (Pos & { message: string })[];
}

/** yaml's messages end with " at line L, column C:" and a code excerpt; the place is reported apart. */
export function cleanMessage(message: string): string {
  const first = message.split('\n')[0];
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const errors = doc.errors.map((e) => ({ ...lineCounter.linePos(e.pos[0]), message: cleanMessage(e.message) }));
  return { doc, lineCounter, errors };
}

/** The text of a map key (keys added by --set may be plain strings). */
export function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

export interface Step {
  key?: unknown;
  value: unknown;
}

/** The nodes along `path` from the root; `complete` is false when the path leaves the document. */
export function walk(doc: Document, path: KeyPath): { steps: Step[]; complete: boolean } {
  const steps: Step[] = [{ value: doc.contents }];
  let cur: unknown = doc.contents;
  for (const seg of path) {
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isMap(cur)) {
      const pair = cur.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) return { steps, complete: false };
      steps.push({ key: pair.key, value: pair.value });
      cur = pair.value;
    } else if (isSeq(cur)) {
      const i = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      if (i < 0 || i >= cur.items.length) return { steps, complete: false };
      steps.push({ value: cur.items[i] });
      cur = cur.items[i];
    } else return { steps, complete: false };
  }
  return { steps, complete: true };
}

const start = (n: unknown): number | undefined => (isNode(n) && n.range ? n.range[0] : undefined);

/**
 * The offset a step points at: a scalar or flow value itself (`lr: -0.1` points at -0.1), but the
 * key of a block map or list or of an empty value, so that `model:` points at its own line.
 */
export function stepOffset(step: Step, atKey = false): number | undefined {
  const v = step.value;
  if (atKey && step.key !== undefined) return start(step.key);
  const inline =
    (isScalar(v) && !!v.range && v.range[1] > v.range[0]) || (isCollection(v) && v.flow === true) || isAlias(v);
  if (step.key === undefined || inline) return start(v) ?? start(step.key);
  return start(step.key) ?? start(v);
}

/** line:col of a step; the document start for the root of an empty document. */
export function stepPos(lineCounter: LineCounter, step: Step, atKey = false): Pos {
  const offset = stepOffset(step, atKey);
  return offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
}
