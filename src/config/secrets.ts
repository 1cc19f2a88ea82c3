/**
 * Which config values are secrets: provider `apiKey`s, credential-bearing headers
 * (`Authorization`, `api-key`, anything with key/token/secret/cookie/password in its name) and
 * passwords inside URLs (`redis://:password@host`). They are registered for redaction as soon as
 * the config is interpolated, before anything can fail, and left out of the version hash.
 */
import { registerSecret } from '../errors.js';

const SENSITIVE_HEADER = /authorization|api[-_]?key|token|secret|cookie|password/i;

/** Whether a header's value is a credential (by the header's name). */
export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The password inside a URL, if it has one (decoded and as written). */
export function urlPasswords(text: string): string[] {
  try {
    const password = new URL(text).password;
    if (password === '') return [];
    const decoded = decodeURIComponent(password);
    return decoded === password ? [password] : [password, decoded];
  } catch {
    return [];
  }
}

/** Registers every secret found in a raw (interpolated, not yet validated) config. */
export function registerConfigSecrets(raw: unknown): void {
  if (!isRecord(raw)) return;
  if (isRecord(raw.providers)) {
    for (const provider of Object.values(raw.providers)) {
      if (!isRecord(provider)) continue;
      if (typeof provider.apiKey === 'string') registerSecret(provider.apiKey);
      if (typeof provider.baseUrl === 'string') urlPasswords(provider.baseUrl).forEach(registerSecret);
      if (isRecord(provider.headers)) {
        for (const [name, value] of Object.entries(provider.headers)) {
          if (typeof value === 'string' && isSensitiveHeader(name)) registerSecret(value);
        }
      }
    }
  }
  const redis = isRecord(raw.state) && isRecord(raw.state.redis) ? raw.state.redis : undefined;
  if (redis !== undefined && typeof redis.url === 'string') urlPasswords(redis.url).forEach(registerSecret);
}
