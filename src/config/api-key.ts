/**
 * A provider's `apiKey`: an empty key is a config error, `none` says the server needs no key.
 *
 * - `apiKey: none` (or `${KEY:-none}`: the key when the variable is set, none otherwise) is the
 *   explicit opt-out for keyless local servers such as Ollama or vLLM: no credential is sent.
 * - A key that is empty once interpolated (`apiKey: ${ANTHROPIC_API_KEY}` with the variable set to
 *   nothing, or `apiKey: ""`) is a config error naming the provider's path and the variable, never
 *   a value: such a key only earns 401s that a fallback then hides.
 * - `${KEY:-}` (an empty default, written on purpose) keeps its documented meaning: the key may be
 *   left out, and an empty one counts as absent.
 * - Leaving `apiKey` out sends no key, as before.
 *
 * The variable a key was read from is remembered per resolved config (`apiKeyVariable`), so the
 * router can say which variable to fix when a provider answers 401/403.
 *
 * A key pool (`apiKeys`) follows the same rules per entry, with the entry's path
 * (`providers.anthropic.apiKeys[1]`, or `…apiKeys[1].key` for a weighted entry): an empty entry is an
 * error, a `${KEY:-}` entry left empty is dropped from the pool, `none` has no place in a pool, and
 * the same key twice is an error (it would only double that key's weight).
 */
import type { PathProblem, PathSegment } from './config-error.js';

/** The `apiKey` value that means "this server needs no key". */
export const NO_API_KEY = 'none';

/** One `${NAME}` or `${NAME:-default}` reference in a written value. */
interface VariableReference {
  readonly name: string;
  /** The default after `:-`, or undefined for a plain `${NAME}`. */
  readonly fallback: string | undefined;
}

const REFERENCE = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The `${...}` references of a written value (`$${` is a literal and is skipped). */
function variableReferences(written: string): VariableReference[] {
  return [...written.matchAll(REFERENCE)].map((match) => ({ name: match[1] as string, fallback: match[2] }));
}

/** What the resolver keeps of a provider's key. */
export type ApiKeyResolution =
  | { readonly kind: 'key'; readonly apiKey: string; readonly variable: string | undefined }
  | { readonly kind: 'absent'; readonly variable: string | undefined }
  | { readonly kind: 'problem'; readonly problem: PathProblem };

/**
 * Decides what a provider's interpolated `apiKey` means, with its written form (before `${VAR}`
 * interpolation) when known. Never puts a key into a problem's message.
 */
export function resolveApiKey(providerId: string, apiKey: string | undefined, written: unknown): ApiKeyResolution {
  const references = typeof written === 'string' ? variableReferences(written) : [];
  const variable = references[0]?.name;
  if (apiKey === undefined) return { kind: 'absent', variable };
  if (apiKey.trim() === NO_API_KEY) return { kind: 'absent', variable };
  const path = ['providers', providerId, 'apiKey'];
  const optOut = `write "apiKey: ${NO_API_KEY}" for a server that needs no key (e.g. Ollama)`;
  const judged = judgeKey(apiKey, written, path, optOut, `or "\${%s:-${NO_API_KEY}}"`);
  return judged.kind === 'problem' ? judged : { ...judged, variable };
}

/** One key's own limits as written (`apiKeys[i].limits`). */
interface PoolKeyLimits {
  readonly rps?: number | undefined;
  readonly rpm?: number | undefined;
  readonly tpm?: number | undefined;
}

/** One entry of `apiKeys` after interpolation: a key, or `{ key, weight, limits }`. */
export type PoolKeyEntry = string | { readonly key: string; readonly weight?: number | undefined; readonly limits?: PoolKeyLimits | undefined };

/** One key of a resolved pool. */
interface ResolvedPoolKey {
  readonly key: string;
  readonly weight: number;
  readonly limits?: { readonly rps?: number; readonly rpm?: number; readonly tpm?: number };
}

/** What the resolver keeps of a provider's key pool. */
export type ApiKeyPoolResolution =
  | { readonly kind: 'pool'; readonly keys: readonly ResolvedPoolKey[] }
  | { readonly kind: 'absent' }
  | { readonly kind: 'problems'; readonly problems: readonly PathProblem[] };

/**
 * Decides what a provider's interpolated `apiKeys` mean, with their written form when known. Never
 * puts a key into a problem's message. `absent` when every entry was an optional key left empty.
 */
export function resolveApiKeyPool(providerId: string, entries: readonly PoolKeyEntry[], written: unknown): ApiKeyPoolResolution {
  const writtenEntries = Array.isArray(written) ? (written as unknown[]) : [];
  const problems: PathProblem[] = [];
  const keys: ResolvedPoolKey[] = [];
  const firstIndexOf = new Map<string, number>();
  entries.forEach((entry, index) => {
    const weighted = typeof entry !== 'string';
    const path: PathSegment[] = weighted ? ['providers', providerId, 'apiKeys', index, 'key'] : ['providers', providerId, 'apiKeys', index];
    const value = weighted ? entry.key : entry;
    const writtenEntry = writtenEntries[index];
    const writtenValue = weighted && typeof writtenEntry === 'object' && writtenEntry !== null ? (writtenEntry as Record<string, unknown>)['key'] : writtenEntry;
    if (value.trim() === NO_API_KEY) {
      problems.push({ path, message: `"${NO_API_KEY}" has no place in a key pool; for a server that needs no key write "apiKey: ${NO_API_KEY}" instead of apiKeys` });
      return;
    }
    const judged = judgeKey(value, writtenValue, path, 'remove the entry', 'or write "${%s:-}"');
    if (judged.kind === 'problem') problems.push(judged.problem);
    if (judged.kind !== 'key') return;
    const earlier = firstIndexOf.get(judged.apiKey);
    if (earlier !== undefined) {
      problems.push({ path, message: `is the same key as apiKeys[${earlier}]; each key of a pool must be different (use weight to give a key more calls)` });
      return;
    }
    firstIndexOf.set(judged.apiKey, index);
    const limits = weighted ? keyLimitsOf(entry.limits) : undefined;
    keys.push({ key: judged.apiKey, weight: weighted ? (entry.weight ?? 1) : 1, ...(limits === undefined ? {} : { limits }) });
  });
  if (problems.length > 0) return { kind: 'problems', problems };
  return keys.length === 0 ? { kind: 'absent' } : { kind: 'pool', keys };
}

/** The limits that limit something (0 or absent: none); undefined when none does, so the key's hot path stays plain. */
function keyLimitsOf(written: PoolKeyLimits | undefined): ResolvedPoolKey['limits'] {
  if (written === undefined) return undefined;
  const limits: { rps?: number; rpm?: number; tpm?: number } = {};
  for (const kind of ['rps', 'rpm', 'tpm'] as const) {
    const value = written[kind];
    if (value !== undefined && value > 0) limits[kind] = value;
  }
  return Object.keys(limits).length === 0 ? undefined : limits;
}

/**
 * One key as written: set, absent (`${KEY:-}` left empty) or a problem (empty). `alternative` is
 * what else the user may write; `optionalForm` how to make the key optional, `%s` its variable.
 */
function judgeKey(
  apiKey: string,
  written: unknown,
  path: PathSegment[],
  alternative: string,
  optionalForm: string,
): { readonly kind: 'key'; readonly apiKey: string } | { readonly kind: 'absent' } | { readonly kind: 'problem'; readonly problem: PathProblem } {
  if (apiKey.trim() !== '') return { kind: 'key', apiKey };
  const references = typeof written === 'string' ? variableReferences(written) : [];
  if (references.some((reference) => reference.fallback === '')) return { kind: 'absent' };
  if (references.length === 0) {
    const how = typeof written === 'string' ? 'is the empty string' : 'is empty';
    return { kind: 'problem', problem: { path, message: `${how}: give the provider's key (e.g. "\${PROVIDER_API_KEY}"), or ${alternative}` } };
  }
  const names = references.map((reference) => reference.name);
  const listed = [...new Set(names)].join(', ');
  const which = names.length === 1 ? `environment variable ${listed} is` : `environment variables ${listed} are`;
  const first = names[0] as string;
  return {
    kind: 'problem',
    problem: { path, message: `is empty: ${which} set to the empty string; set ${names.length === 1 ? 'it' : 'them'} to the key, or ${alternative} (${optionalForm.replace('%s', first)} to use the key only when it is set)` },
  };
}

const variables = new WeakMap<object, Readonly<Record<string, string>>>();

/** Remembers, for a resolved config, which variable each provider's key was read from. */
export function rememberApiKeyVariables(config: object, byProvider: Readonly<Record<string, string>>): void {
  variables.set(config, byProvider);
}

/**
 * The environment variable a provider's `apiKey` was read from (`ANTHROPIC_API_KEY` for
 * `apiKey: ${ANTHROPIC_API_KEY}`), when the config was loaded from text or a typed object with
 * `${...}`; undefined otherwise. Never the key.
 */
export function apiKeyVariable(config: object, providerId: string): string | undefined {
  return variables.get(config)?.[providerId];
}
