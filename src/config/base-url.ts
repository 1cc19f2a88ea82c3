/**
 * Provider base URLs: which ones are required, what makes one valid, and their normal form
 * (origin plus optional path prefix, no trailing slash).
 */
import type { ProviderType } from '../provider-spec.js';
import { DEFAULT_BASE_URLS } from './defaults.js';

/** The base URL a provider uses: the one given (empty counts as absent) or its type's default. */
export function effectiveBaseUrl(type: ProviderType, given: string | undefined): string | undefined {
  return given === undefined || given === '' ? DEFAULT_BASE_URLS[type] : given;
}

/** What is wrong with a provider's base URL, or `undefined` when it is fine. */
export function baseUrlProblem(type: ProviderType, given: string | undefined): string | undefined {
  const text = effectiveBaseUrl(type, given);
  if (text === undefined) return `required for type ${type}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected an http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials; use apiKey or headers';
  if (url.search !== '' || url.hash !== '') return 'must not contain a query or fragment; give the origin and an optional path prefix';
  return undefined;
}

/**
 * The normal form of a valid base URL: `https://host:port/prefix`, no trailing slash and no doubled
 * slashes (so `${SIM_URL}/v1` works whether or not `SIM_URL` ends with `/`).
 */
export function normalizeBaseUrl(text: string): string {
  const url = new URL(text);
  return url.origin + url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
}

/** What is wrong with a Redis URL, or `undefined` when it is fine (empty means no Redis). */
export function redisUrlProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    const protocol = new URL(text).protocol;
    if (protocol === 'redis:' || protocol === 'rediss:') return undefined;
  } catch {
    // Reported below.
  }
  return 'expected a redis:// or rediss:// URL (or an empty value for no Redis)';
}
