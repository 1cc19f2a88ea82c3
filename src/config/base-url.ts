/**
 * Provider base URLs: which ones are required, what makes one valid, and their normal form
 * (origin plus optional path prefix, no trailing slash).
 */
import type { ProviderTypeName } from '../provider-spec.js';
import { DEFAULT_BASE_URLS } from './defaults.js';

/** Provider types whose endpoint is derived from their `region` when no `baseUrl` is given. */
const REGIONAL_TYPES: ReadonlySet<ProviderTypeName> = new Set<ProviderTypeName>(['bedrock', 'vertex']);

/**
 * The base URL a provider uses: the one given (empty counts as absent) or its type's default. A
 * custom type (served by a factory given to `createRouter`) has no default: its `baseUrl` is required.
 */
export function effectiveBaseUrl(type: ProviderTypeName, given: string | undefined): string | undefined {
  if (given !== undefined && given !== '') return given;
  return Object.hasOwn(DEFAULT_BASE_URLS, type) ? (DEFAULT_BASE_URLS as Readonly<Record<string, string>>)[type] : undefined;
}

/** What is wrong with a provider's base URL, or `undefined` when it is fine. */
export function baseUrlProblem(type: ProviderTypeName, given: string | undefined): string | undefined {
  const text = effectiveBaseUrl(type, given);
  // Bedrock and Vertex AI endpoints follow from `region` (regional-endpoint.ts).
  if (text === undefined) return REGIONAL_TYPES.has(type) ? undefined : `required for type ${type}`;
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
