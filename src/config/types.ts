/**
 * The resolved configuration: what the router runs on after the YAML (or a typed object) was
 * validated, interpolated and given its defaults. Durations are milliseconds here.
 */
import type { PoolSettings } from '../http/transport.js';
import type { ProviderSettings } from '../provider-spec.js';
import type { ErrorCategoryName } from '../types.js';

/** A provider with its connection pool. */
export interface ProviderConfig extends ProviderSettings {
  readonly pool: PoolSettings;
}

/** One weighted target of a route. */
export interface TargetConfig {
  readonly provider: string;
  readonly model: string;
  /** Relative weight (≥ 0); targets with weight 0 receive no new traffic but stay as retry options. */
  readonly weight: number;
}

/** What keeps a caller on the same target: the user id, the tenant, or nothing. */
export type StickyKey = 'user' | 'tenant' | 'none';

/** Timeouts, in milliseconds; 0 turns one off. */
export interface TimeoutPolicy {
  readonly connectMs: number;
  readonly firstByteMs: number;
  readonly idleMs: number;
  readonly totalMs: number;
}

/** Retry with exponential backoff and full jitter. */
export interface RetryPolicy {
  /** Total tries per call, the first included (1 = no retry). */
  readonly attempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly jitter: 'full' | 'none';
  /** Categories worth another try. */
  readonly on: readonly ErrorCategoryName[];
  /** Retries allowed as a fraction of recent calls (0.2 = at most one retry per five calls, plus a floor). */
  readonly budget: number;
}

/** A circuit breaker per target over a sliding time window. */
export interface BreakerPolicy {
  readonly enabled: boolean;
  /** Error rate (0–1) at which the breaker opens. */
  readonly errorRate: number;
  /** Calls needed in the window before the rate is trusted. */
  readonly minRequests: number;
  readonly windowMs: number;
  readonly openForMs: number;
  readonly halfOpenProbes: number;
}

/** Requests per second, per minute, concurrency and tokens per minute; each 0/absent = no limit. */
export interface LimitSpec {
  readonly rps?: number;
  readonly rpm?: number;
  readonly concurrency?: number;
  readonly tpm?: number;
}

/** Rate limits; absent = off. */
export interface RateLimitPolicy {
  readonly global?: LimitSpec;
  readonly perUser?: LimitSpec;
  readonly perTenant?: LimitSpec;
  /** How long a call over a limit may wait for room before failing with `rate_limit`. */
  readonly waitMs: number;
}

/** Exact-match response cache; absent = off. */
export interface CachePolicy {
  readonly ttlMs: number;
  readonly keyPrefix: string;
  readonly maxEntries: number;
  /** Cache answers sampled with temperature > 0 too. */
  readonly cacheSampled: boolean;
  /** Make the caller's identity part of the key. */
  readonly perUser: boolean;
}

/** Every policy, as set globally or for a route. */
export interface Policies {
  readonly timeout: TimeoutPolicy;
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  readonly rateLimit?: RateLimitPolicy;
  readonly cache?: CachePolicy;
}

/** A named route: weighted targets, stickiness and fallback routes. */
export interface RouteConfig {
  readonly name: string;
  readonly targets: readonly TargetConfig[];
  readonly sticky: StickyKey;
  /** Route names tried in order when this route cannot answer. */
  readonly fallbacks: readonly string[];
  /** This route's policies: the global ones with the route's overrides applied. */
  readonly policies: Policies;
}

/** Shared state between processes. */
export interface StateConfig {
  readonly redis?: {
    readonly url: string;
    /** `open`: keep serving on local state when Redis is down; `closed`: refuse. */
    readonly failMode: 'open' | 'closed';
    readonly keyPrefix: string;
  };
}

/** The whole resolved configuration. */
export interface SwitchyardConfig {
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  readonly routes: Readonly<Record<string, RouteConfig>>;
  /** The global policies (routes carry their merged copy). */
  readonly policies: Policies;
  readonly state: StateConfig;
  /** Whether callers may address `provider/model` directly. */
  readonly allowDirect: boolean;
  /** SHA-256 of the canonical resolved config (secrets excluded), for audit records. */
  readonly versionHash: string;
}
