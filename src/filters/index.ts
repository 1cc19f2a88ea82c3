/**
 * Content policy: sensitive words found with an Aho-Corasick matcher over case- and width-folded
 * text, and the call stage that blocks, masks or flags them.
 */
export { createWordMatcher, type WordMatch, type WordMatcher } from './aho-corasick.js';
export { createContentFilterPlugin } from './content-filter-plugin.js';
export { CONTENT_FILTER_STAGE, createContentFilterStage } from './filter-stage.js';
export { foldText, foldWord, forEachFolded, type FoldedText } from './fold-text.js';
export { createSensitiveWordFilter, maskMatches, type ContentCheck, type SensitiveWordFilter } from './sensitive-word-filter.js';
