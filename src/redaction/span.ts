/**
 * What a detector reports: where in a text a piece of personal data or a secret sits.
 */
import type { RedactionKind } from '../config/types.js';

/** A half-open range `[start, end)` of a text, and what was found there. */
export interface SensitiveSpan {
  readonly kind: RedactionKind;
  readonly start: number;
  readonly end: number;
}

/** Finds every occurrence of one kind of sensitive data in a text. */
export interface Detector {
  readonly kind: RedactionKind;
  /** Spans in order of `start`; spans of one detector never overlap. */
  find(text: string): SensitiveSpan[];
}
