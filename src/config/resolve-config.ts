/**
 * From a validated config to the one the router runs on: defaults applied, route policies merged
 * over the global ones (and checked once merged), URLs normalised, and the version hash.
 */
import { resolve as resolvePath } from 'node:path';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { DEFAULT_POOL_SETTINGS } from '../http/transport.js';
import type { PathProblem, PathSegment } from './config-error.js';
import { rememberApiKeyVariables, resolveApiKey, resolveApiKeyPool } from './api-key.js';
import { effectiveBaseUrl, normalizeBaseUrl } from './base-url.js';
import { regionalEndpoint } from './regional-endpoint.js';
import {
  DEFAULT_CACHE_POLICY,
  DEFAULT_MAX_TOKENS,
  DEFAULT_POLICIES,
  DEFAULT_RATE_LIMIT_POLICY,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_STICKY,
  DEFAULT_WEIGHT,
} from './defaults.js';
import { formatDuration } from './duration.js';
import type { ParsedConfig, ParsedPolicies } from './schema.js';
import { withRedactedDumps } from './redacted-dump.js';
import { rememberProviderTypeLines } from './provider-type-lines.js';
import type { Locator } from './yaml-locator.js';
import { checkEmbeddingRoutes } from './check-embedding-routes.js';
import { canaryTargets, resolveCanary, resolveExtensions } from './resolve-extensions.js';
import { resolveGateway } from './resolve-gateway.js';
import { isSensitiveHeader } from './secrets.js';
import type { CachePolicy, LimitSpec, Policies, ProviderConfig, RateLimitPolicy, RouteConfig, StateConfig, SwitchyardConfig } from './types.js';

type ParsedLimit = NonNullable<Exclude<NonNullable<ParsedPolicies['rateLimit']>, false>['global']>;

/** The resolved config, or the problems that prevent it. */
export type ResolveResult =
  | { readonly ok: true; readonly config: SwitchyardConfig }
  | { readonly ok: false; readonly problems: readonly PathProblem[] };

/** Options of `resolveParsedConfig`. */
export interface ResolveOptions {
  /** Where relative paths of the config (audit files...) start. @default process.cwd() */
  readonly baseDirectory?: string;
  /**
   * The config as written, before `${VAR}` interpolation: lets an empty `apiKey` name the variable
   * it was read from, and tells `${KEY:-}` (optional on purpose) from `${KEY}` set to nothing.
   */
  readonly written?: unknown;
  /** Finds the YAML line of a path, when the config came from YAML (remembered for `createRouter`'s errors). */
  readonly locate?: Locator;
}

/** How long a pool's key answered with 429 is skipped when the provider sent no `retry-after`. */
export const DEFAULT_KEY_COOLDOWN_MS = 10_000;

/** Applies defaults, merges policies and runs the cross-field checks. */
export function resolveParsedConfig(parsed: ParsedConfig, options: ResolveOptions = {}): ResolveResult {
  const problems: PathProblem[] = [];
  const policies = mergePolicies(DEFAULT_POLICIES, parsed.policies);
  checkPolicies(policies, parsed.policies, ['policies'], problems);

  const providers: Record<string, ProviderConfig> = {};
  const keyVariables: Record<string, string> = {};
  for (const [id, provider] of Object.entries(parsed.providers)) {
    // The schema checked the URL; only Bedrock and Vertex AI may leave it out: it follows from their region.
    const regional = provider.baseUrl === undefined || provider.baseUrl === '' ? regionalEndpoint(provider.type, provider.region) : undefined;
    if (regional !== undefined && regional.baseUrl === undefined) {
      const how = provider.type === 'bedrock' ? 'set region, or AWS_REGION in the environment' : 'the location, e.g. us-east5 or global';
      problems.push({ path: ['providers', id, 'region'], message: `required: ${how}` });
    }
    const region = regional?.region ?? provider.region;
    // The placeholder stands only in a config that is refused for the problem just reported.
    const baseUrl = normalizeBaseUrl(regional?.baseUrl ?? effectiveBaseUrl(provider.type, provider.baseUrl) ?? 'http://unresolved.invalid');
    const key = resolveApiKey(id, provider.apiKey, writtenProviderField(options.written, id, 'apiKey'));
    if (key.kind === 'problem') problems.push(key.problem);
    else if (key.variable !== undefined) keyVariables[id] = key.variable;
    const pool = provider.apiKeys === undefined ? undefined : resolveApiKeyPool(id, provider.apiKeys, writtenProviderField(options.written, id, 'apiKeys'));
    if (pool?.kind === 'problems') problems.push(...pool.problems);
    const poolKeys = pool?.kind === 'pool' ? pool.keys : undefined;
    providers[id] = {
      id,
      type: provider.type,
      ...(key.kind === 'key' ? { apiKey: key.apiKey } : {}),
      // A pool's first key is `apiKey` too, for adapters that know nothing of pools.
      ...(poolKeys === undefined ? {} : { apiKey: poolKeys[0]?.key ?? '', apiKeys: poolKeys, keyPool: resolveKeyPool(provider.keyPool) }),
      baseUrl,
      ...(provider.apiVersion === undefined ? {} : { apiVersion: provider.apiVersion }),
      headers: { ...provider.headers },
      defaultMaxTokens: provider.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
      ...(region === undefined ? {} : { region }),
      ...(provider.project === undefined ? {} : { project: provider.project }),
      ...(provider.publisher === undefined ? {} : { publisher: provider.publisher }),
      ...(provider.api === undefined ? {} : { api: provider.api }),
      // A service-account key path is read relative to the config file, like the other paths in it.
      ...(provider.credentials === undefined ? {} : { credentials: resolvePath(options.baseDirectory ?? process.cwd(), provider.credentials) }),
      pool: {
        connections: provider.pool?.connections ?? DEFAULT_POOL_SETTINGS.connections,
        keepAliveTimeoutMs: provider.pool?.keepAliveTimeout ?? DEFAULT_POOL_SETTINGS.keepAliveTimeoutMs,
        connectTimeoutMs: provider.pool?.connectTimeout ?? policies.timeout.connectMs,
      },
    };
  }

  const routes: Record<string, RouteConfig> = {};
  for (const [name, route] of Object.entries(parsed.routes ?? {})) {
    const path = ['routes', name];
    const canary = route.canary === undefined ? undefined : resolveCanary(name, route.canary);
    const targets = canary === undefined ? (route.targets ?? []).map((target) => ({ provider: target.provider, model: target.model, weight: target.weight ?? DEFAULT_WEIGHT, ...(target.embeddingFamily === undefined ? {} : { embeddingFamily: target.embeddingFamily }) })) : canaryTargets(canary);
    const routePolicies = mergePolicies(policies, route.policies);
    checkPolicies(routePolicies, route.policies, [...path, 'policies'], problems);
    routes[name] = {
      name,
      ...(route.kind === 'embedding' ? { kind: 'embedding' as const } : {}),
      targets,
      sticky: route.sticky ?? DEFAULT_STICKY,
      fallbacks: [...(route.fallbacks ?? [])],
      policies: routePolicies,
      ...(canary === undefined ? {} : { canary }),
    };
  }

  problems.push(...checkEmbeddingRoutes(routes));
  const state = resolveState(parsed.state);
  if (problems.length > 0) return { ok: false, problems };

  const extensions = resolveExtensions(parsed, options.baseDirectory ?? process.cwd(), problems);
  if (problems.length > 0) return { ok: false, problems };
  const withoutHash = { providers, routes, policies, state, allowDirect: parsed.allowDirect ?? true, ...extensions };
  // Printing the config (JSON, inspect) shows `[redacted]` for its secrets; reading them still works.
  // The gateway's settings (listen address, keys) do not change how a call is routed: they stay out of the version hash.
  const gateway = parsed.gateway === undefined ? {} : { gateway: resolveGateway(parsed.gateway) };
  const config = deepFreeze(withRedactedDumps({ ...withoutHash, ...gateway, versionHash: computeVersionHash(withoutHash) }));
  rememberApiKeyVariables(config, Object.freeze(keyVariables));
  rememberProviderTypeLines(config.providers, options.locate);
  return { ok: true, config };
}

/** A key pool's settings: the cooldown, and its per-key breaker (off unless written; `{}` takes the policy breaker's defaults). */
function resolveKeyPool(written: NonNullable<ParsedConfig['providers'][string]['keyPool']> | undefined): ProviderConfig['keyPool'] {
  const cooldownMs = written?.cooldown ?? DEFAULT_KEY_COOLDOWN_MS;
  const breaker = written?.breaker;
  if (breaker === undefined || breaker.enabled === false) return { cooldownMs };
  const base = DEFAULT_POLICIES.breaker;
  return {
    cooldownMs,
    breaker: {
      enabled: true,
      errorRate: breaker.errorRate ?? base.errorRate,
      minRequests: breaker.minRequests ?? base.minRequests,
      windowMs: breaker.window ?? base.windowMs,
      openForMs: breaker.openFor ?? base.openForMs,
      halfOpenProbes: breaker.halfOpenProbes ?? base.halfOpenProbes,
    },
  };
}

/** `providers.<id>.<field>` of the config as written, if it is there. */
function writtenProviderField(written: unknown, id: string, field: 'apiKey' | 'apiKeys'): unknown {
  if (typeof written !== 'object' || written === null) return undefined;
  const providers: unknown = (written as Record<string, unknown>)['providers'];
  if (typeof providers !== 'object' || providers === null || !Object.prototype.hasOwnProperty.call(providers, id)) return undefined;
  const provider: unknown = (providers as Record<string, unknown>)[id];
  if (typeof provider !== 'object' || provider === null) return undefined;
  return (provider as Record<string, unknown>)[field];
}

function resolveState(state: ParsedConfig['state']): StateConfig {
  const redis = state?.redis;
  if (redis === undefined || redis.url.trim() === '') return {};
  return {
    redis: { url: redis.url, failMode: redis.failMode ?? 'open', keyPrefix: redis.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX },
  };
}

/** Merges partial policies over complete ones, key by key; `false` turns rate limits or the cache off. */
export function mergePolicies(base: Policies, override: ParsedPolicies | undefined): Policies {
  if (override === undefined) return base;
  const timeout = override.timeout ?? {};
  const retry = override.retry ?? {};
  const breaker = override.breaker ?? {};
  const rateLimit = mergeRateLimit(base.rateLimit, override.rateLimit);
  const cache = mergeCache(base.cache, override.cache);
  return {
    timeout: {
      connectMs: timeout.connect ?? base.timeout.connectMs,
      firstByteMs: timeout.firstByte ?? base.timeout.firstByteMs,
      idleMs: timeout.idle ?? base.timeout.idleMs,
      totalMs: timeout.total ?? base.timeout.totalMs,
    },
    retry: {
      attempts: retry.attempts ?? base.retry.attempts,
      minDelayMs: retry.minDelay ?? base.retry.minDelayMs,
      maxDelayMs: retry.maxDelay ?? base.retry.maxDelayMs,
      factor: retry.factor ?? base.retry.factor,
      jitter: retry.jitter ?? base.retry.jitter,
      on: retry.on ?? base.retry.on,
      budget: retry.budget ?? base.retry.budget,
    },
    breaker: {
      enabled: breaker.enabled ?? base.breaker.enabled,
      errorRate: breaker.errorRate ?? base.breaker.errorRate,
      minRequests: breaker.minRequests ?? base.breaker.minRequests,
      windowMs: breaker.window ?? base.breaker.windowMs,
      openForMs: breaker.openFor ?? base.breaker.openForMs,
      halfOpenProbes: breaker.halfOpenProbes ?? base.breaker.halfOpenProbes,
    },
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(cache === undefined ? {} : { cache }),
  };
}

function mergeRateLimit(base: RateLimitPolicy | undefined, override: ParsedPolicies['rateLimit']): RateLimitPolicy | undefined {
  if (override === false) return undefined;
  if (override === undefined) return base;
  const start = base ?? DEFAULT_RATE_LIMIT_POLICY;
  const global = mergeLimit(start.global, override.global);
  const perUser = mergeLimit(start.perUser, override.perUser);
  const perTenant = mergeLimit(start.perTenant, override.perTenant);
  return {
    ...(global === undefined ? {} : { global }),
    ...(perUser === undefined ? {} : { perUser }),
    ...(perTenant === undefined ? {} : { perTenant }),
    waitMs: override.wait ?? start.waitMs,
  };
}

function mergeLimit(base: LimitSpec | undefined, override: ParsedLimit | undefined): LimitSpec | undefined {
  if (override === undefined) return base;
  const merged: Record<string, number> = { ...base };
  // A config built in JavaScript may set a key to `undefined` (the parsed type omits it): the base's value stays.
  const given: [string, number | undefined][] = Object.entries(override);
  for (const [key, value] of given) if (value !== undefined) merged[key] = value;
  return merged;
}

function mergeCache(base: CachePolicy | undefined, override: ParsedPolicies['cache']): CachePolicy | undefined {
  if (override === false) return undefined;
  if (override === undefined) return base;
  const start = base ?? DEFAULT_CACHE_POLICY;
  return {
    ttlMs: override.ttl ?? start.ttlMs,
    keyPrefix: override.keyPrefix ?? start.keyPrefix,
    maxEntries: override.maxEntries ?? start.maxEntries,
    cacheSampled: override.cacheSampled ?? start.cacheSampled,
    perUser: override.perUser ?? start.perUser,
  };
}

/** Checks merged policies; a problem is reported where the offending override was written. */
function checkPolicies(merged: Policies, written: ParsedPolicies | undefined, path: PathSegment[], problems: PathProblem[]): void {
  const retry = written?.retry;
  const wroteDelays = retry?.minDelay !== undefined || retry?.maxDelay !== undefined;
  const isGlobal = path.length === 1;
  if (!isGlobal && written?.timeout?.connect !== undefined) {
    problems.push({
      path: [...path, 'timeout', 'connect'],
      message: 'a route cannot set a connect timeout: connections are pooled per provider; set providers.<id>.pool.connectTimeout',
    });
  }
  if ((isGlobal || wroteDelays) && merged.retry.minDelayMs > merged.retry.maxDelayMs) {
    problems.push({
      path: [...path, 'retry', retry?.minDelay !== undefined ? 'minDelay' : 'maxDelay'],
      message: `minDelay (${formatDuration(merged.retry.minDelayMs)}) must not be greater than maxDelay (${formatDuration(merged.retry.maxDelayMs)})`,
    });
  }
}

/** SHA-256 hex of the canonical JSON of a resolved config, with every secret left out. */
export function computeVersionHash(config: Omit<SwitchyardConfig, 'versionHash'>): string {
  const providers = Object.fromEntries(
    Object.entries(config.providers).map(([id, provider]) => {
      const { apiKey: _apiKey, apiKeys, ...rest } = provider;
      const headers = Object.fromEntries(Object.entries(provider.headers).filter(([name]) => !isSensitiveHeader(name)));
      // A pool's keys are secrets: rotating one is no change of config; adding one or a new weight is.
      // Per-key limits are no secret: changing one is a change of config.
      const limits = apiKeys?.some((entry) => entry.limits !== undefined) === true ? { apiKeyLimits: apiKeys.map((entry) => entry.limits ?? null) } : {};
      return [id, { ...rest, headers, ...(apiKeys === undefined ? {} : { apiKeyWeights: apiKeys.map((entry) => entry.weight) }), ...limits }];
    }),
  );
  const redis = config.state.redis;
  const state = redis === undefined ? config.state : { ...config.state, redis: { ...redis, url: withoutPassword(redis.url) } };
  const audit = config.audit === undefined ? undefined : { ...config.audit, pseudonymizeKey: undefined };
  // A webhook's signing secret is a secret: rotating it must not read as a change of config.
  const routes = Object.fromEntries(
    Object.entries(config.routes).map(([name, route]): [string, unknown] => {
      const canary = route.canary;
      if (canary === undefined || canary.webhooks.length === 0) return [name, route];
      const webhooks = canary.webhooks.map(({ secret, ...rest }) => ({ ...rest, signed: secret !== undefined }));
      return [name, { ...route, canary: { ...canary, webhooks } }];
    }),
  );
  return createHash('sha256').update(canonicalJson(ownData({ ...config, providers, routes, state, audit }))).digest('hex');
}

/**
 * The config's own data: copies of its objects and lists without the redacting `toJSON` each of
 * them carries (src/config/redacted-dump.ts), which canonical JSON, like `JSON.stringify`, would
 * call. The hash is over the data; its redacted dump could change when a secret changes.
 */
function ownData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ownData);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = ownData(item);
  return copy;
}

function withoutPassword(text: string): string {
  try {
    const url = new URL(text);
    url.password = '';
    return url.toString();
  } catch {
    return text;
  }
}

// The config module's name for the one canonical JSON writer (src/config/index.ts exports it from here).
export { canonicalJson } from '../canonical-json.js';

function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item, seen);
  }
  return value;
}
