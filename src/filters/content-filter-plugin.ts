/**
 * The content-policy plugin: adds the content-filter stage (`filter-stage.ts`) when the config
 * lists sensitive words.
 */
import type { FiltersConfig } from '../config/types.js';
import type { RouterPlugin } from '../router/plugin.js';
import { createContentFilterStage } from './filter-stage.js';
import { createSensitiveWordFilter } from './sensitive-word-filter.js';

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
