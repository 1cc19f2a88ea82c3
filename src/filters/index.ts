/**
 * Content policy: sensitive words found with an Aho-Corasick matcher over case- and width-folded
 * text, and the call stage that blocks, masks or flags them.
 */
export { createWordMatcher, type WordMatch, type WordMatcher } from './aho-corasick.js';
export { createContentFilterPlugin } from './content-filter-plugin.js';
export { createContentFilterStage } from './filter-stage.js';
export { createSensitiveWordFilter, type ContentCheck, type SensitiveWordFilter } from './sensitive-word-filter.js';
