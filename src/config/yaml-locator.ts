/**
 * Finds the line of a YAML node from a path into the parsed value, so that every problem can say
 * where it is. When the exact node does not exist (a required key is missing), the line of the
 * nearest enclosing node is given.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './config-error.js';

/** Gives the 1-based line of the node at a path (or of its key, with `atKey`), if known. */
export type Locator = (path: readonly PathSegment[], atKey?: boolean) => number | undefined;

/** Creates a locator over one parsed YAML document. */
export function createYamlLocator(document: Document, lineCounter: LineCounter): Locator {
  const lineOf = (node: Node | null | undefined): number | undefined => {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };

  return (path, atKey = false) => {
    let node: unknown = document.contents;
    let line = lineOf(document.contents);
    for (const [index, segment] of path.entries()) {
      if (isAlias(node)) node = node.resolve(document);
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment));
        if (pair === undefined) return line;
        const keyLine = lineOf(pair.key as Node | null) ?? line;
        if (last && atKey) return keyLine;
        node = pair.value;
        line = lineOf(pair.value as Node | null) ?? keyLine;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) return line;
        node = item;
        line = lineOf(item as Node | null) ?? line;
      } else {
        return line;
      }
    }
    return line;
  };
}
