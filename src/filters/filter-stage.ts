/**
 * The content-filter stage. It runs outside the cache, rate limits and retry, so a blocked request
 * never reaches a provider (nor takes rate-limit room), and a masked request is what gets cached
 * and sent.
 */
import { SwitchyardError } from '../errors.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { SensitiveWordFilter } from './sensitive-word-filter.js';

/** The stage's name, for placing user stages (`{ after: 'content-filter' }`). */
export const CONTENT_FILTER_STAGE = 'content-filter';

/** The error of a blocked request: names the first field with a hit, never the word. */
function blocked(field: string, hits: number): SwitchyardError {
  return new SwitchyardError({
    category: 'content_filter',
    message: `${field}: the request contains ${hits === 1 ? 'a blocked word' : `${hits} blocked words`} (filters.sensitiveWords)`,
    field,
    retryable: false,
  });
}

/**
 * Creates the stage that applies a sensitive-word filter to each call. It always records the
 * number of occurrences in `context.notes.sensitiveWordHits` (0 for a clean request), then:
 * `block` fails with a `content_filter` error naming the first field with a hit (never the word);
 * `mask` sends a masked copy of the request on; `flag` lets the request through unchanged.
 */
export function createContentFilterStage(filter: SensitiveWordFilter): Stage<CallContext, CallOutcome> {
  return {
    name: CONTENT_FILTER_STAGE,
    async execute(context, next) {
      const check = filter.check(context.request);
      context.notes.sensitiveWordHits = check.hits;
      if (check.hits === 0 || filter.action === 'flag') return next(context);
      if (filter.action === 'block') throw blocked(check.fields[0] as string, check.hits);
      // A new context for the inner stages; `attempts` and `notes` stay shared with the router's.
      return next({ ...context, request: check.request });
    },
  };
}
