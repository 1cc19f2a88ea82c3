/**
 * Checks of a request's `system` (a string or a list of text parts) and of its prompt-cache
 * breakpoints (`cache` on system parts, message parts and tools), as `invalid_request` errors
 * naming the field.
 */
import { invalidRequest } from '../errors.js';
import type { CacheBreakpoint, ChatRequest } from '../types.js';
import { isRecord } from '../is-record.js';

/**
 * The most breakpoints one request may carry: Anthropic's limit of four `cache_control` blocks. It is
 * checked for every provider, so a call can move to Anthropic (a fallback) without failing there.
 */
export const MAX_CACHE_BREAKPOINTS = 4;

const TTLS = new Set(['5m', '1h']);

/** Throws when `value` is neither absent, `true`, nor `{ ttl?: '5m' | '1h' }`. */
function checkBreakpoint(value: unknown, field: string): value is CacheBreakpoint {
  if (value === undefined) return false;
  if (value === true) return true;
  if (!isRecord(value)) throw invalidRequest(field, 'expected true or { ttl: "5m" | "1h" }');
  if (value.ttl !== undefined && !TTLS.has(value.ttl as string)) throw invalidRequest(`${field}.ttl`, `expected "5m" or "1h", got ${JSON.stringify(value.ttl)}`);
  return true;
}

/**
 * Throws `invalid_request` when `system` is not a string or a list of text parts, when a `cache`
 * value is malformed, or when the request has more than `MAX_CACHE_BREAKPOINTS` breakpoints (the
 * error names the first one too many). Message parts' other fields are checked elsewhere.
 */
export function checkSystemAndCacheBreakpoints(request: ChatRequest): void {
  const breakpoints: string[] = [];
  const note = (value: unknown, field: string): void => {
    if (checkBreakpoint(value, field)) breakpoints.push(field);
  };
  (request.tools ?? []).forEach((tool, index) => note(tool.cache, `tools[${index}].cache`));
  const system: unknown = request.system;
  if (Array.isArray(system)) {
    system.forEach((part: unknown, index) => {
      const field = `system[${index}]`;
      if (!isRecord(part) || part.type !== 'text' || typeof part.text !== 'string') throw invalidRequest(field, 'expected a text part { type: "text", text }');
      note(part.cache, `${field}.cache`);
    });
  } else if (system !== undefined && typeof system !== 'string') {
    throw invalidRequest('system', 'expected a string or a list of text parts');
  }
  request.messages.forEach((message, messageIndex) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, partIndex) => note((part as { cache?: unknown }).cache, `messages[${messageIndex}].content[${partIndex}].cache`));
  });
  if (breakpoints.length > MAX_CACHE_BREAKPOINTS) {
    throw invalidRequest(
      breakpoints[MAX_CACHE_BREAKPOINTS] as string,
      `at most ${MAX_CACHE_BREAKPOINTS} prompt-cache breakpoints per request (Anthropic's limit); this is breakpoint ${MAX_CACHE_BREAKPOINTS + 1} of ${breakpoints.length}`,
    );
  }
}

