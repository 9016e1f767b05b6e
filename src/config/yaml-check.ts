// What a config's YAML may contain, checked on the parsed document before it becomes a value:
// plain data only. Every problem has the offset of its node in the source, so that it is reported
// at line:column.
// - Tags: only the core types !!str, !!int, !!float, !!bool, !!null, !!map and !!seq, and each
//   must fit its value (`!!float 3` is the number 3, `!!int 3.5` an error). Any other tag
//   (`!include`, `!!python/object:...`, `!!binary`) is refused, not silently turned into a string.
// - Map keys: plain scalars, each once, never `__proto__`; a list or map as a key (`? [a, b]`) is refused.
// - Nesting: at most YAML_MAX_DEPTH levels, also counting what aliases bring in.
// - Aliases: each must follow its anchor, must not refer to a value that contains it, and all of
//   them together may add at most YAML_MAX_ALIAS_VALUES values (no billion laughs).
import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import { oneLine } from '../errors.js';
import { YAML_MAX_ALIAS_VALUES, YAML_MAX_ALIASES, YAML_MAX_DEPTH } from './limits.js';
import { keyText } from './yaml-doc.js';

export interface YamlProblem {
  /** Offset in the source of the node (or tag) the problem is about. */
  offset: number;
  message: string;
  hint?: string;
}

export interface CheckOptions {
  /** Aliases are refused outright (a --set value has no anchors of its own to refer to). */
  noAliases?: string;
  /** Levels above the document's root (a --set value sits `path.length` levels down). */
  baseDepth?: number;
}

const CORE = 'tag:yaml.org,2002:';
const ALLOWED_TAGS = ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'];
const TAGS_HINT = `dlf configs hold plain values; the only tags allowed are ${ALLOWED_TAGS.map((t) => `!!${t}`).join(', ')}`;

/** YAML 1.2 core schema floats, which include integers: `3`, `-2.5`, `1e3`, `.5`. */
const CORE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** How a tag reads in a message: `!!float` for the core ones, else as resolved. */
function tagName(tag: string): string {
  return oneLine(tag.startsWith(CORE) ? `!!${tag.slice(CORE.length)}` : tag, 60);
}

/** Where a node's tag starts: just before the node's own text (yaml's ranges leave the tag out). */
function tagOffset(text: string, node: Node): number {
  const at = node.range?.[0] ?? 0;
  let i = text.lastIndexOf('!', at - 1);
  if (i < 0 || at - i > 1000) return at;
  while (i > 0 && !/[\s[{,]/.test(text[i - 1])) i--;
  return i;
}

/**
 * The problems of `doc` (parsed from `text`), in document order; empty when it is plain data
 * within the bounds. Repairs what it accepts: a `!!float` integer becomes a number.
 */
export function yamlProblems(doc: Document, text: string, opts: CheckOptions = {}): YamlProblem[] {
  const problems: YamlProblem[] = [];
  const at = (n: unknown) => (n as Node | null | undefined)?.range?.[0] ?? 0;
  const anchors = new Map<string, Node>();
  /**
   * Values of each finished node when its aliases are expanded, and its height: how many levels of
   * maps and lists it holds below itself (0 for a collection of scalars, -1 for a scalar).
   */
  const size = new Map<Node, number>();
  const height = new Map<Node, number>();
  const open = new Set<Node>();
  let aliases = 0;
  let added = 0;
  let tooDeep = false;

  /** Visits `node` at nesting `level`; returns its expanded size and height. */
  const visit = (node: unknown, level: number): { size: number; height: number } => {
    if (node === null || node === undefined) return { size: 1, height: -1 };
    if (isAlias(node)) return alias(node, level);
    const n = node as Node;
    if (n.anchor) anchors.set(n.anchor, n);
    if (n.tag !== undefined) checkTag(n);
    if (isScalar(n)) return { size: 1, height: -1 };
    if (level > YAML_MAX_DEPTH) {
      if (!tooDeep) problems.push({ offset: at(n), message: `nested more than ${YAML_MAX_DEPTH} levels deep`, hint: 'a dlf config needs far fewer' });
      tooDeep = true;
      return { size: 1, height: -1 };
    }
    open.add(n);
    let total = 1;
    let below = 0;
    const child = (c: unknown) => {
      const r = visit(c, level + 1);
      total = Math.min(total + r.size, Number.MAX_SAFE_INTEGER);
      below = Math.max(below, r.height + 1);
    };
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const pair of n.items) {
        const k = pair.key;
        if (isAlias(k) || (k !== null && k !== undefined && !isScalar(k))) {
          const what = isAlias(k) ? 'an alias' : isSeq(k) ? 'a list' : 'a map';
          problems.push({ offset: at(k), message: `a map key must be a plain name, not ${what}` });
        } else {
          if (k) visit(k, level + 1);
          const name = keyText(k ?? '');
          if (seen.has(name)) problems.push({ offset: at(k), message: 'invalid YAML: Map keys must be unique' });
          // As an object key __proto__ would set the value's prototype instead of naming a member.
          if (name === '__proto__') problems.push({ offset: at(k), message: "'__proto__' cannot be a key (it is reserved in JavaScript objects)" });
          seen.add(name);
        }
        child(pair.value);
      }
    } else if (isSeq(n)) {
      for (const item of n.items) child(item);
    }
    open.delete(n);
    size.set(n, total);
    height.set(n, below);
    return { size: total, height: below };
  };

  const alias = (node: Node & { source: string }, level: number): { size: number; height: number } => {
    const offset = at(node);
    const name = `*${oneLine(node.source, 60)}`;
    if (opts.noAliases) {
      problems.push({ offset, message: `alias ${name}: ${opts.noAliases}` });
      return { size: 1, height: -1 };
    }
    if (++aliases > YAML_MAX_ALIASES) {
      if (aliases === YAML_MAX_ALIASES + 1) problems.push({ offset, message: `more than ${YAML_MAX_ALIASES} aliases`, hint: 'a dlf config needs far fewer' });
      return { size: 1, height: -1 };
    }
    const target = anchors.get(node.source);
    if (!target) {
      problems.push({
        offset,
        message: `alias ${name} has no anchor &${oneLine(node.source, 60)} before it`,
        hint: 'an anchor must come before the aliases that use it',
      });
      return { size: 1, height: -1 };
    }
    if (open.has(target)) {
      problems.push({ offset, message: `alias ${name} refers to a value that contains it` });
      return { size: 1, height: -1 };
    }
    const s = size.get(target) ?? 1;
    const h = height.get(target) ?? -1;
    if (added <= YAML_MAX_ALIAS_VALUES) {
      added += s - 1;
      if (added > YAML_MAX_ALIAS_VALUES) {
        problems.push({
          offset,
          message: `aliases expand to more than ${YAML_MAX_ALIAS_VALUES} values`,
          hint: 'aliases of aliases multiply; write the values out',
        });
      }
    }
    // The target's deepest map or list lands at level + h.
    if (level + h > YAML_MAX_DEPTH && !tooDeep) {
      tooDeep = true;
      problems.push({ offset, message: `alias ${name} nests values more than ${YAML_MAX_DEPTH} levels deep` });
    }
    return { size: s, height: h };
  };

  /** An allowed tag must fit its node; a `!!float` integer is repaired into a number. */
  const checkTag = (n: Node) => {
    const tag = n.tag!;
    const offset = tagOffset(text, n);
    if (!tag.startsWith(CORE) || !ALLOWED_TAGS.includes(tag.slice(CORE.length))) {
      problems.push({ offset, message: `tag ${tagName(tag)} is not supported`, hint: TAGS_HINT });
      return;
    }
    const type = tag.slice(CORE.length);
    if (type === 'map' || type === 'seq') {
      if ((type === 'map') !== isMap(n) || (type === 'seq') !== isSeq(n))
        problems.push({ offset, message: `!!${type} needs a ${type === 'map' ? 'map' : 'list'}` });
      return;
    }
    if (!isScalar(n)) {
      problems.push({ offset, message: `!!${type} needs a single value, not a ${isMap(n) ? 'map' : 'list'}` });
      return;
    }
    const s = n as Scalar;
    const v = s.value;
    const shown = `'${oneLine(String(s.source ?? v), 40)}'`;
    if (type === 'float' && typeof v === 'string' && CORE_FLOAT.test(v.trim())) s.value = Number(v.trim());
    else if (type === 'float' && typeof v !== 'number') problems.push({ offset, message: `!!float needs a number, got ${shown}` });
    else if (type === 'int' && !(typeof v === 'number' && Number.isInteger(v)) && typeof v !== 'bigint')
      problems.push({ offset, message: `!!int needs an integer, got ${shown}` });
    else if (type === 'bool' && typeof v !== 'boolean') problems.push({ offset, message: `!!bool needs true or false, got ${shown}` });
    else if (type === 'null' && v !== null) problems.push({ offset, message: `!!null needs an empty value, got ${shown}` });
  };

  // The document's root is level 1; a --set value's root sits below its key path.
  visit(doc.contents, (opts.baseDepth ?? 0) + 1);
  return problems;
}
