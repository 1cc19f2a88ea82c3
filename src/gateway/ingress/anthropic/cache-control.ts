/**
 * A Messages API block's `cache_control` → the unified prompt-cache breakpoint (`cache`), so a
 * client's breakpoints reach an Anthropic upstream as it set them (and are ignored by providers
 * that cache on their own). Reference: https://platform.claude.com/docs/en/build-with-claude/prompt-caching
 */
import { invalidRequest } from '../../../errors.js';
import type { CacheBreakpoint } from '../../../types.js';
import { requiredObject, type JsonObject } from '../request-fields.js';

/** `cache_control: { type: 'ephemeral', ttl? }` as `cache`; undefined when absent or null. */
export function parseCacheControl(block: JsonObject, field: string): CacheBreakpoint | undefined {
  const value = block.cache_control;
  if (value === undefined || value === null) return undefined;
  const control = requiredObject(value, `${field}.cache_control`);
  if (control.type !== 'ephemeral') throw invalidRequest(`${field}.cache_control.type`, `expected "ephemeral", got ${control.type === undefined ? 'nothing' : JSON.stringify(control.type)}`);
  const ttl = control.ttl;
  if (ttl === undefined || ttl === null) return true;
  if (ttl !== '5m' && ttl !== '1h') throw invalidRequest(`${field}.cache_control.ttl`, `expected "5m" or "1h", got ${JSON.stringify(ttl)}`);
  return { ttl };
}

/** `part` with `cache` set when there is a breakpoint; the part itself otherwise. */
export function withCache<Part extends object>(part: Part, cache: CacheBreakpoint | undefined): Part {
  return cache === undefined ? part : { ...part, cache };
}
