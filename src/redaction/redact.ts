/**
 * `redact(text, kinds)`: replaces personal data and secrets with a marker naming the kind
 * (`[email]`, `[phone]`, `[card]`, `[iban]`, `[cn_id]`, `[secret]`). Secrets go first, so the
 * digits of a key are never mistaken for a phone number; then every other detector runs over the
 * same text and, where two findings overlap, the one starting first (and then the longer one, and
 * then the stronger kind: checksum-verified before pattern-only) wins.
 */
import type { RedactionKind } from '../config/types.js';
import { residentIdDetector } from './cn-resident-id.js';
import { emailDetector } from './email.js';
import { ibanDetector } from './iban.js';
import { paymentCardDetector } from './payment-card.js';
import { phoneDetector } from './phone.js';
import { redactSecretValues } from './secrets.js';
import type { Detector, SensitiveSpan } from './span.js';

/** Every kind, in the order `audit.redact` lists them by default. */
export const REDACTION_KINDS: readonly RedactionKind[] = ['email', 'phone', 'card', 'iban', 'cn_id', 'secret'];

/** Detectors other than secrets, strongest first (the order breaks ties between overlapping spans). */
const DETECTORS: readonly Detector[] = [residentIdDetector, paymentCardDetector, ibanDetector, emailDetector, phoneDetector];

const RANK: ReadonlyMap<RedactionKind, number> = new Map(DETECTORS.map((detector, index) => [detector.kind, index]));

/** Where each kind of sensitive data sits in `text` (secrets excluded: they are replaced, not located). */
export function findSensitive(text: string, kinds: readonly RedactionKind[]): SensitiveSpan[] {
  const found: SensitiveSpan[] = [];
  for (const detector of DETECTORS) if (kinds.includes(detector.kind)) found.push(...detector.find(text));
  found.sort((left, right) => left.start - right.start || right.end - left.end || (RANK.get(left.kind) ?? 0) - (RANK.get(right.kind) ?? 0));
  const kept: SensitiveSpan[] = [];
  let reached = 0;
  for (const span of found) {
    if (span.start < reached) continue;
    kept.push(span);
    reached = span.end;
  }
  return kept;
}

/**
 * Replaces every occurrence of the given kinds in `text` with `[kind]`.
 *
 * @example
 * redact('Mail bob@example.com, card 4111 1111 1111 1111', ['email', 'card']);
 * // 'Mail [email], card [card]'
 */
export function redact(text: string, kinds: readonly RedactionKind[]): string {
  if (text === '' || kinds.length === 0) return text;
  const scrubbed = kinds.includes('secret') ? redactSecretValues(text) : text;
  const spans = findSensitive(scrubbed, kinds);
  if (spans.length === 0) return scrubbed;
  let result = '';
  let position = 0;
  for (const span of spans) {
    result += `${scrubbed.slice(position, span.start)}[${span.kind}]`;
    position = span.end;
  }
  return result + scrubbed.slice(position);
}

/** `redact` applied to every string inside a JSON-like value (object keys included); other values are kept. */
export function redactDeep(value: unknown, kinds: readonly RedactionKind[]): unknown {
  if (typeof value === 'string') return redact(value, kinds);
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, kinds));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [redact(key, kinds), redactDeep(item, kinds)]));
  }
  return value;
}
