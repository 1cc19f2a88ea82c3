/**
 * Finds the line of a YAML node from a path into the parsed value, so that every problem can say
 * where it is. When the exact node does not exist (a required key is missing), the line of the
 * nearest enclosing node is given.
 *
 * Aliases are followed through the targets `checkYamlDocument` resolved (a lookup, not a walk of
 * the document), and each mapping's keys are indexed the first time a path goes through it, so
 * locating many problems stays linear.
 */
import { isAlias, isMap, isScalar, isSeq, type Alias, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';
import type { PathSegment } from './config-error.js';

/** Gives the 1-based line of the node at a path (or of its key, with `atKey`), if known. */
export type Locator = (path: readonly PathSegment[], atKey?: boolean) => number | undefined;

/**
 * Creates a locator over one parsed YAML document whose aliases were resolved. Every path gets a
 * line: at worst the document's first (an empty document has nothing else to point at).
 */
export function createYamlLocator(document: Document, lineCounter: LineCounter, aliasTargets: ReadonlyMap<Alias, Node>): Locator {
  const lineOf = (node: unknown): number | undefined => {
    const offset = (node as Partial<Node> | null | undefined)?.range?.[0];
    return typeof offset === 'number' ? lineCounter.linePos(offset).line : undefined;
  };
  const indexes = new Map<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items) {
        const name = isScalar(pair.key) ? pair.key.value : pair.key;
        const text = name === null || name === undefined ? '' : typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' || typeof name === 'bigint' ? String(name) : undefined;
        // The first occurrence, as duplicates are refused before any other problem is located.
        if (text !== undefined && !index.has(text)) index.set(text, pair);
      }
      indexes.set(map, index);
    }
    return index.get(key);
  };

  return (path, atKey = false) => {
    let node: unknown = document.contents;
    let line = lineOf(document.contents) ?? 1;
    for (const [position, segment] of path.entries()) {
      if (isAlias(node)) node = aliasTargets.get(node);
      const last = position === path.length - 1;
      if (isMap(node)) {
        const pair = pairOf(node, String(segment));
        if (pair === undefined) return line;
        const keyLine = lineOf(pair.key) ?? line;
        if (last && atKey) return keyLine;
        node = pair.value;
        line = lineOf(pair.value) ?? keyLine;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) return line;
        node = item;
        line = lineOf(item) ?? line;
      } else {
        return line;
      }
    }
    return line;
  };
}
