// The YAML side of a config: parse with positions, walk a key path through the document, and
// turn a node into a line:col. Nodes added by --set carry their origin instead of a position.
import { Document, isAlias, isCollection, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { oneLine } from '../errors.js';
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

/** yaml catches a stack overflow of its parser and reports it as a syntax error with this message. */
const STACK_OVERFLOW = /Maximum call stack size exceeded/;
const TOO_DEEP = 'nested too deeply to parse';

/**
 * yaml's messages end with " at line L, column C:" and a code excerpt; the place is reported apart.
 * A stack overflow of the parser (thousands of nested collections) is said as what it means.
 */
export function cleanMessage(message: string): string {
  if (STACK_OVERFLOW.test(message)) return TOO_DEEP;
  const first = message.split('\n')[0];
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * The options of every YAML parse in dlf. yaml-check.ts then checks what the document holds.
 * - uniqueKeys off: yaml's own check compares every key of a map with every other (a map of 100,000
 *   keys took 90 s); yamlCheck finds duplicates in one pass instead.
 * - resolveKnownTags off: !!binary, !!timestamp, !!set and the like stay unresolved (and are refused).
 * - logLevel silent: yaml never prints a warning (it would call process.emitWarning).
 */
export const YAML_OPTIONS = { prettyErrors: true, uniqueKeys: false, resolveKnownTags: false, logLevel: 'silent' } as const;

export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
  } catch (e) {
    // Not expected (yaml reports problems as errors), but a parser failure is still the file's.
    const message = e instanceof RangeError && STACK_OVERFLOW.test(e.message) ? TOO_DEEP : `cannot parse: ${oneLine(String((e as Error)?.message ?? e), 200)}`;
    return { doc: new Document(null), lineCounter, errors: [{ line: 1, col: 1, message }] };
  }
  const errors = doc.errors.map((e) => ({ ...lineCounter.linePos(e.pos[0]), message: cleanMessage(e.message) }));
  // After the parser overflowed its stack, the other errors only echo it.
  const overflow = errors.find((e) => e.message === TOO_DEEP);
  return { doc, lineCounter, errors: overflow ? [overflow] : errors };
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
function stepOffset(step: Step, atKey = false): number | undefined {
  const v = step.value;
  if (atKey && step.key !== undefined) return start(step.key);
  const inline = (isScalar(v) && !!v.range && v.range[1] > v.range[0]) || (isCollection(v) && v.flow === true) || isAlias(v);
  if (step.key === undefined || inline) return start(v) ?? start(step.key);
  return start(step.key) ?? start(v);
}

/** line:col of a step; the document start for the root of an empty document. */
export function stepPos(lineCounter: LineCounter, step: Step, atKey = false): Pos {
  const offset = stepOffset(step, atKey);
  return offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
}
