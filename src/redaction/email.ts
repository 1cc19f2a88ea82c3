/**
 * E-mail addresses: an ASCII local part, `@`, and a dotted domain ending in a letters-only top-level
 * label of two or more letters (so `user@localhost` and `a@b.c` are left alone).
 */
import type { Detector, SensitiveSpan } from './span.js';

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

/** Detects e-mail addresses. */
export const emailDetector: Detector = {
  kind: 'email',
  find(text) {
    if (!text.includes('@')) return [];
    const spans: SensitiveSpan[] = [];
    for (const match of text.matchAll(EMAIL)) spans.push({ kind: 'email', start: match.index, end: match.index + match[0].length });
    return spans;
  },
};
