/**
 * The same bounds as for YAML, for a config given as an object (or the data a YAML document
 * became): no cycle (an object inside itself), no nesting deeper than the limit, no object with
 * too many keys, and not too many values once shared objects are counted at each place they
 * appear. The later steps (interpolation, validation) walk the value recursively and copy shared
 * parts, so they only run on a value that passed.
 */
import type { PathProblem, PathSegment } from './config-error.js';
import { CONFIG_LIMITS } from './limits.js';

const CAP = CONFIG_LIMITS.maxValues + 1;

function isWalked(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Every bound the value breaks, by path; each object is walked once. */
export function checkValueShape(value: unknown): PathProblem[] {
  const problems: PathProblem[] = [];
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  let total = 0;
  let reportedTotal = false;
  let reportedDepth = false;

  const count = (amount: number, path: readonly PathSegment[]): void => {
    total = Math.min(total + amount, CAP);
    if (total > CONFIG_LIMITS.maxValues && !reportedTotal) {
      reportedTotal = true;
      problems.push({ path, message: `the config holds more than ${CONFIG_LIMITS.maxValues} values (counting a shared object at each place it appears); this is the limit` });
    }
  };

  const visit = (current: unknown, path: readonly PathSegment[], depth: number): number => {
    if (!isWalked(current)) {
      count(1, path);
      return 1;
    }
    if (open.has(current)) {
      problems.push({ path, message: 'this object contains itself (a cycle)' });
      return 1;
    }
    const known = sizes.get(current);
    if (known !== undefined) {
      count(known, path);
      return known;
    }
    if (depth > CONFIG_LIMITS.maxDepth) {
      if (!reportedDepth) {
        reportedDepth = true;
        problems.push({ path, message: `nested deeper than ${CONFIG_LIMITS.maxDepth} levels; this is the limit` });
      }
      return 1;
    }
    count(1, path);
    open.add(current);
    let size = 1;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length && !reportedTotal; index += 1) size = Math.min(size + visit(current[index], [...path, index], depth + 1), CAP);
    } else {
      const keys = Object.keys(current);
      if (keys.length > CONFIG_LIMITS.maxKeysPerMapping) {
        problems.push({ path, message: `an object with ${keys.length} keys; at most ${CONFIG_LIMITS.maxKeysPerMapping} are allowed in one mapping` });
      }
      for (const key of keys) {
        if (reportedTotal) break;
        count(1, path);
        size = Math.min(size + 1 + visit(current[key], [...path, key], depth + 1), CAP);
      }
    }
    open.delete(current);
    sizes.set(current, size);
    return size;
  };

  visit(value, [], 0);
  return problems;
}
