/**
 * The content-policy call stage and its router plugin. The stage runs outside the cache, rate
 * limits and dispatch, so a blocked request never reaches a provider (nor takes rate-limit room),
 * and a masked request is what gets cached and sent.
 */
import type { FiltersConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { RouterPlugin } from '../router/plugin.js';
import { createSensitiveWordFilter, type SensitiveWordFilter } from './sensitive-word-filter.js';

/**
 * Creates the stage that applies a sensitive-word filter to each call. It always records the
 * number of occurrences in `context.notes.sensitiveWordHits` (0 for a clean request), then:
 * `block` fails with a `content_filter` error naming the first field with a hit (never the word);
 * `mask` sends a masked copy of the request on; `flag` lets the request through unchanged.
 */
export function createContentFilterStage(filter: SensitiveWordFilter): Stage<CallContext, CallOutcome> {
  return {
    name: 'content-filter',
    async execute(context, next) {
      const check = filter.check(context.request);
      context.notes.sensitiveWordHits = check.hits;
      if (check.hits === 0 || filter.action === 'flag') return next(context);
      if (filter.action === 'block') {
        const field = check.fields[0] as string;
        throw new SwitchyardError({
          category: 'content_filter',
          message: `${field}: the request contains ${check.hits === 1 ? 'a blocked word' : `${check.hits} blocked words`} (filters.sensitiveWords)`,
          field,
          retryable: false,
        });
      }
      // A new context for the inner stages; `attempts` and `notes` stay shared with the router's.
      return next({ ...context, request: check.request });
    },
  };
}

/**
 * The content-policy plugin for `filters`, or `undefined` when no sensitive words are configured
 * (so the call path carries no stage at all).
 */
export function createContentFilterPlugin(config: FiltersConfig): RouterPlugin | undefined {
  const words = config.sensitiveWords;
  if (words === undefined) return undefined;
  const filter = createSensitiveWordFilter(words);
  if (filter.matcher.size === 0) return undefined;
  return { name: 'content-filter', outerStages: [createContentFilterStage(filter)] };
}
