/**
 * The credential a caller presents: `Authorization: Bearer <key>` (OpenAI SDKs, curl) or
 * `x-api-key: <key>` (the Anthropic SDK). Both carry the same virtual key.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The key in the request's headers, or undefined when there is none. */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return match[1];
  }
  const apiKey = headers['x-api-key'];
  const value = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Whether `presented` equals `expected`, in time that does not depend on where they differ
 * (both are hashed first, so their lengths do not leak either).
 */
export function sameSecret(presented: string, expected: string): boolean {
  const left = createHash('sha256').update(presented).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}
