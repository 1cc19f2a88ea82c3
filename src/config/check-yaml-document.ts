/**
 * One linear pass over a parsed YAML document, before it is turned into data, that refuses what
 * would crash, stall or silently mislead the conversion: a key written twice in one mapping, an
 * alias to an anchor not defined before it, an alias inside the node it refers to (a cycle, which
 * would recurse forever), a merge key (`<<`) on something other than mappings, a key that is a
 * mapping or a list, nesting deeper than the limit, a mapping with too many keys and a document
 * that holds too many values once its aliases are expanded.
 *
 * Each node is visited once: an alias counts as the size of what it refers to (remembered), so
 * nested aliases that would expand to billions of values are counted, not expanded. Recursion stops
 * at the depth limit, and aliases are resolved here (the anchor of that name last defined before
 * the alias, as YAML says) rather than with `Alias.resolve`, which walks the whole document each
 * time.
 *
 * The pass also gives a sketch of the document's values (mappings as objects, scalars as values,
 * aliases to collections left out), where the config's secrets can be found even when the document
 * cannot be used: an error then still knows what to redact.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type LineCounter, type Node } from 'yaml';
import { formatPath, type ConfigProblem, type PathSegment } from './config-error.js';
import { CONFIG_LIMITS } from './limits.js';

/** What `checkYamlDocument` found. */
export interface YamlDocumentCheck {
  /** Every problem, each with its path and line. */
  readonly problems: readonly ConfigProblem[];
  /** The values of the document as far as they could be read (aliases to collections left out). */
  readonly sketch: unknown;
  /** What each alias refers to; an alias to nothing is absent. */
  readonly aliasTargets: ReadonlyMap<Alias, Node>;
}

interface Visited {
  /** Values this node stands for once aliases are expanded (capped just above the limit). */
  readonly size: number;
  readonly sketch: unknown;
}

const CAP = CONFIG_LIMITS.maxValues + 1;

/** Checks a parsed document; never throws, whatever the document holds. */
export function checkYamlDocument(document: Document, lineCounter: LineCounter): YamlDocumentCheck {
  const problems: ConfigProblem[] = [];
  const anchors = new Map<string, Node>();
  const aliasTargets = new Map<Alias, Node>();
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let total = 0;
  let reportedTotal = false;
  let reportedDepth = false;

  const lineOf = (node: unknown): number | undefined => {
    const offset = (node as Partial<Node> | null | undefined)?.range?.[0];
    return typeof offset === 'number' ? lineCounter.linePos(offset).line : undefined;
  };
  const report = (path: readonly PathSegment[], message: string, node: unknown, fallbackLine?: number): void => {
    const line = lineOf(node) ?? fallbackLine;
    problems.push({ path: formatPath(path), message, ...(line === undefined ? {} : { line }) });
  };
  const count = (amount: number, path: readonly PathSegment[], node: unknown): void => {
    total = Math.min(total + amount, CAP);
    if (total > CONFIG_LIMITS.maxValues && !reportedTotal) {
      reportedTotal = true;
      report(
        path,
        `the document holds more than ${CONFIG_LIMITS.maxValues} values (keys and values, counting every use of an alias as a copy of what it refers to); this is the limit`,
        node,
      );
    }
  };

  /** What an alias refers to, reporting a missing anchor or a cycle (then `undefined`). */
  const follow = (alias: Alias, path: readonly PathSegment[]): Node | undefined => {
    const target = anchors.get(alias.source);
    if (target === undefined) {
      report(path, 'this alias (*name) refers to no anchor (&name) defined before it', alias);
      return undefined;
    }
    aliasTargets.set(alias, target);
    if (open.has(target)) {
      report(path, 'this alias refers to a node that contains it (a cycle); an alias must not refer to an enclosing mapping or list', alias);
      return undefined;
    }
    return target;
  };

  const visit = (node: unknown, path: readonly PathSegment[], depth: number): Visited => {
    if (isAlias(node)) {
      count(1, path, node);
      const target = follow(node, path);
      if (target === undefined) return { size: 1, sketch: undefined };
      const size = sizes.get(target) ?? 1;
      count(size, path, node);
      return { size: Math.min(1 + size, CAP), sketch: isScalar(target) ? scalarValue(target.value) : undefined };
    }
    if (node === null || node === undefined) {
      count(1, path, node);
      return { size: 1, sketch: null };
    }
    if (depth > CONFIG_LIMITS.maxDepth) {
      if (!reportedDepth) {
        reportedDepth = true;
        report(path, `nested deeper than ${CONFIG_LIMITS.maxDepth} levels; this is the limit`, node);
      }
      return { size: 1, sketch: undefined };
    }
    const anchor = (node as Partial<Node>).anchor;
    if (typeof anchor === 'string' && anchor !== '') anchors.set(anchor, node as Node);
    count(1, path, node);
    if (isScalar(node)) {
      sizes.set(node, 1);
      return { size: 1, sketch: scalarValue(node.value) };
    }
    if (isMap(node)) {
      open.add(node);
      if (node.items.length > CONFIG_LIMITS.maxKeysPerMapping) {
        report(path, `a mapping with ${node.items.length} keys; at most ${CONFIG_LIMITS.maxKeysPerMapping} are allowed in one mapping`, node);
      }
      const sketch: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      const firstLines = new Map<string, number | undefined>();
      let size = 1;
      for (const pair of node.items) {
        const key: unknown = pair.key;
        if (isScalar(key) && typeof key.value === 'symbol') {
          // A merge key: `<<: *defaults` or `<<: [*a, *b]` adds the keys of those mappings.
          const merged = visit(pair.value, path, depth + 1);
          size = Math.min(size + 1 + merged.size, CAP);
          count(1, path, key);
          if (!isMergeSource(pair.value, aliasTargets)) report(path, 'a merge key (<<) takes a mapping, an alias to one, or a list of those', pair.value ?? key, lineOf(key));
          continue;
        }
        const name = keyText(key, path, depth);
        size = Math.min(size + name.size, CAP);
        const keyPath = [...path, name.text ?? '?'];
        if (name.text !== undefined) {
          if (firstLines.has(name.text)) {
            const first = firstLines.get(name.text);
            report(keyPath, `this key is written twice in one mapping${first === undefined ? '' : ` (first on line ${first})`}`, key);
          } else {
            firstLines.set(name.text, lineOf(key));
          }
        }
        const value = visit(pair.value, keyPath, depth + 1);
        size = Math.min(size + value.size, CAP);
        if (name.text !== undefined && !(name.text in sketch)) sketch[name.text] = value.sketch;
      }
      open.delete(node);
      sizes.set(node, size);
      return { size, sketch };
    }
    if (isSeq(node)) {
      open.add(node);
      const sketch: unknown[] = [];
      let size = 1;
      for (const [index, item] of node.items.entries()) {
        const visited = visit(isPair(item) ? item.value : item, [...path, index], depth + 1);
        size = Math.min(size + visited.size, CAP);
        sketch.push(visited.sketch);
      }
      open.delete(node);
      sizes.set(node, size);
      return { size, sketch };
    }
    return { size: 1, sketch: undefined };
  };

  /** The text of a key as the config will see it (`undefined` for a mapping or list used as a key). */
  const keyText = (key: unknown, path: readonly PathSegment[], depth: number): { text: string | undefined; size: number } => {
    if (key === null || key === undefined) {
      count(1, path, key);
      return { text: '', size: 1 };
    }
    if (isScalar(key)) {
      count(1, path, key);
      return { text: scalarKey(key.value), size: 1 };
    }
    const visited = visit(key, path, depth + 1);
    const target = isAlias(key) ? aliasTargets.get(key) : undefined;
    if (target !== undefined && isScalar(target)) return { text: scalarKey(target.value), size: visited.size };
    if (target !== undefined || !isAlias(key)) report(path, 'a key must be a plain value (a name), not a mapping or a list', key);
    return { text: undefined, size: visited.size };
  };

  const { sketch } = visit(document.contents, [], 0);
  return { problems, sketch, aliasTargets };
}

/** Whether the value of a merge key is a mapping, an alias to one, or a list of those. */
function isMergeSource(value: unknown, aliasTargets: ReadonlyMap<Alias, Node>): boolean {
  const resolved = (node: unknown): unknown => (isAlias(node) ? aliasTargets.get(node) : node);
  const source = resolved(value);
  if (isMap(source)) return true;
  return isSeq(source) && source.items.every((item) => isMap(resolved(item)));
}

function scalarValue(value: unknown): unknown {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null ? value : undefined;
}

/** A key as `toJS` names it: `null` → `""`, numbers and booleans as text. */
function scalarKey(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return Object.prototype.toString.call(value); // an object, a symbol or a function
}
