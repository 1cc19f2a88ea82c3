/**
 * The resolved configuration: what the router runs on after the YAML (or a typed object) was
 * validated, interpolated and given its defaults. Durations are milliseconds here.
 */
import type { PoolSettings } from '../http/transport.js';
import type { BreakerPolicy, RateLimitPolicy } from './policy-types.js';
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
  /** Embedding routes: the vector space of this target's model; absent means the model id (see `check-embedding-routes.ts`). */
  readonly embeddingFamily?: string;
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
  /** Tries per route, the first included (1 = no retry); each fallback route gets its own. */
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

export type { BreakerPolicy, LimitSpec, RateLimitPolicy } from './policy-types.js';

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
  /** `embedding`: the route serves `router.embed()` only; absent or `chat`: chat and stream calls only. */
  readonly kind?: 'chat' | 'embedding';
  readonly targets: readonly TargetConfig[];
  readonly sticky: StickyKey;
  /** Route names tried in order when this route cannot answer. */
  readonly fallbacks: readonly string[];
  /** This route's policies: the global ones with the route's overrides applied. */
  readonly policies: Policies;
  /** A canary rollout; `targets` are then its baseline and candidate at the first step's weights. */
  readonly canary?: CanaryConfig;
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
  /** Prices per model, for cost in audit records, metrics and canary guards. */
  readonly pricing: PriceTable;
  /** Audit records; absent = off. */
  readonly audit?: AuditConfig;
  readonly metrics: MetricsConfig;
  readonly filters: FiltersConfig;
  /** The gateway server (`switchyard serve`); absent when the config has no `gateway:` section. */
  readonly gateway?: GatewayConfig;
  /** SHA-256 of the canonical resolved config (secrets excluded), for audit records. */
  readonly versionHash: string;
}

/** A provider and model, as canary arms name them. */
export interface TargetRef {
  readonly provider: string;
  readonly model: string;
}

/** One step of a canary rollout. */
export interface CanaryStep {
  /** The candidate's share of traffic in this step, 0–100. */
  readonly weight: number;
  /** Calls the candidate must take in this step before it may be promoted (0 = none). */
  readonly minRequests: number;
  /** Time the step must last before it may be promoted, ms (0 = none). */
  readonly minDurationMs: number;
  /** `manual`: a step that passed its guards waits for an operator's `promote` instead of moving on. */
  readonly approval: 'auto' | 'manual';
}

/** A guard on a rate: candidate minus baseline, absolute (0.02 = two points). */
export interface RateGuard {
  readonly maxIncrease: number;
}

/** A guard on a ratio: candidate over baseline. */
export interface RatioGuard {
  readonly maxRatio: number;
}

/** The comparisons that can roll a candidate back. */
export interface CanaryGuards {
  /** Calls that failed (first try on the arm). */
  readonly errorRate?: RateGuard;
  /** Calls the caller cancelled, or that ran past `stallAfter`. */
  readonly cancelRate?: RateGuard;
  /** Candidate median latency over baseline's. */
  readonly latencyP50?: RatioGuard;
  /** Candidate p95 latency over baseline's. */
  readonly latencyP95?: RatioGuard;
  /** Candidate cost per call over baseline's (needs `pricing`). */
  readonly costPerCall?: RatioGuard;
  /** Answers cut by the token limit (`finishReason: length`). */
  readonly lengthFinishRate?: RateGuard;
  /** Answers stopped by the provider's content filter. */
  readonly contentFilterRate?: RateGuard;
  /** Answers with neither text nor tool calls. */
  readonly emptyAnswerRate?: RateGuard;
  /** Tool calls whose arguments do not parse, or do not validate against the tool's schema. */
  readonly invalidToolCallRate?: RateGuard;
  /** Answers that fail the request's structured-output schema (when it has one). */
  readonly invalidOutputRate?: RateGuard;
}

/** Where a decision is delivered over HTTP. */
export interface CanaryWebhookConfig {
  readonly url: string;
  /** The decisions delivered (all when the config lists none). */
  readonly events: readonly string[];
  /** Key of the HMAC-SHA256 signature header; unsigned when absent. A secret: redacted everywhere. */
  readonly secret?: string;
  /** Attempts after the first on a failure (network error, 5xx, 429). */
  readonly retries: number;
  /** Time allowed per attempt, ms. */
  readonly timeoutMs: number;
}

/** The sample-ratio (split) check. */
export interface SampleRatioConfig {
  /** Significance of the sequential test that flags a mismatch (always valid under repeated looks). */
  readonly alpha: number;
  /** What a mismatch that lasts `sustainedForMs` does; a mismatch always holds promotion. */
  readonly onSustained: 'hold' | 'pause' | 'rollback';
  readonly sustainedForMs: number;
}

/** A canary rollout of a candidate target against a baseline. */
export interface CanaryConfig {
  readonly baseline: TargetRef;
  readonly candidate: TargetRef;
  /** What keeps a caller in one arm: the user, the tenant, or nothing (each call drawn anew). */
  readonly sticky: 'user' | 'tenant' | 'request';
  /** Mixed into the bucketing hash; a new salt reshuffles the buckets. */
  readonly salt: string;
  readonly steps: readonly CanaryStep[];
  readonly guards: CanaryGuards;
  /** Confidence of the statistical tests, e.g. 0.95. */
  readonly confidence: number;
  /** The candidate gets a mirrored copy of baseline traffic; callers see the baseline only. */
  readonly shadow: boolean;
  /** Mirrored calls in flight at once, at most. */
  readonly shadowConcurrency: number;
  /** A candidate this broken rolls back at once, without waiting for the step to end. */
  readonly brokenAt: { readonly errorRate: number; readonly minCalls: number };
  readonly sampleRatio: SampleRatioConfig;
  /** A call still running this long after it started is counted as `stalled` (a cancellation), ms. */
  readonly stallAfterMs: number;
  /** How long a call waits, at process start, for the rollout's shared state before it goes to the baseline, ms. */
  readonly startupWaitMs: number;
  readonly webhooks: readonly CanaryWebhookConfig[];
}

/** Prices in US dollars per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  /** Price of input tokens read from the provider's prompt cache; `cachedInput`, then `input`, when absent. */
  readonly cacheRead?: number;
  /** Price of input tokens written to the provider's prompt cache; `input` when absent. */
  readonly cacheWrite?: number;
  /** Price of input tokens written to a 1-hour prompt-cache entry (Anthropic 2× input); `cacheWrite`, then `input`, when absent. */
  readonly cacheWrite1h?: number;
  /**
   * Price of input tokens served from the provider's prompt cache.
   * @deprecated The old name of `cacheRead`.
   */
  readonly cachedInput?: number;
}

/** Prices by `provider/model` (or by bare model name, which matches any provider). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The kinds of personal data and secrets the redactor recognises. */
export type RedactionKind = 'email' | 'phone' | 'card' | 'iban' | 'cn_id' | 'secret';

/** Where audit records go. */
export type AuditSinkConfig =
  | {
      readonly type: 'file';
      readonly path: string;
      /** Start a new file past this size, bytes (0 = never). */
      readonly rotateBytes: number;
      /** `always`: each record is synced before its call returns; `batch`: a bounded queue flushed on an interval and on close; `none`: left to the OS. */
      readonly fsync: 'always' | 'batch' | 'none';
      readonly flushIntervalMs: number;
      /** Records the batch queue holds before calls wait for room. */
      readonly queueSize: number;
    }
  | { readonly type: 'stdout' }
  /** Records go to the `auditSink` function given to `createRouter`. */
  | { readonly type: 'callback' };

/** Audit records for every call. */
export interface AuditConfig {
  readonly sink: AuditSinkConfig;
  /** How much of prompts and answers a record keeps. */
  readonly content: 'none' | 'hash' | 'redacted' | 'full';
  readonly redact: readonly RedactionKind[];
  readonly include: { readonly ip: boolean };
  /** When set, user ids are recorded as a keyed hash (HMAC-SHA-256) under this key. */
  readonly pseudonymizeKey?: string;
}

/** Prometheus metrics. */
export interface MetricsConfig {
  readonly enabled: boolean;
  /** Prefix of every metric name. */
  readonly prefix: string;
  /** Known values of the caller's `metadata.intent`; others are counted as `other`. */
  readonly intents: readonly string[];
  /** Also collect prom-client's default process metrics (CPU, memory, event loop). */
  readonly processMetrics: boolean;
}

/** Sensitive-word filtering of prompts. */
export interface SensitiveWordsConfig {
  readonly words: readonly string[];
  /** `block`: fail with `content_filter` before any provider is called; `mask`: replace the words; `flag`: only count them. */
  readonly action: 'block' | 'mask' | 'flag';
  /** The character masked words are replaced with. */
  readonly maskCharacter: string;
}

/** Content filters. */
export interface FiltersConfig {
  readonly sensitiveWords?: SensitiveWordsConfig;
}

/** A key's quota: tokens and/or US dollars in all, or none. */
export type KeyQuota = 'unlimited' | { readonly tokens?: number; readonly usd?: number };

/** Per-key rate limits. */
export interface KeyLimits {
  readonly rpm?: number;
  readonly tpm?: number;
  readonly concurrency?: number;
}

/** A virtual key declared in the config file. */
export interface StaticKeyConfig {
  readonly name: string;
  /** The plain key (a secret: redacted in dumps, stored only as a hash). */
  readonly key: string;
  readonly tenant: string;
  /** Routes and `provider/model` names the key may call; empty = all. */
  readonly routes: readonly string[];
  readonly quota: KeyQuota;
  readonly limits: KeyLimits;
  /** CIDR blocks the key is accepted from; empty = any. */
  readonly subnets: readonly string[];
  readonly expiresAt?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The gateway server's settings, with defaults applied. */
export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  /** The admin API's bearer key; absent = admin API off. A secret. */
  readonly adminKey?: string;
  readonly store: {
    /** `sqlite:<file>` or `postgres://…`. */
    readonly url: string;
    readonly keyCacheTtlMs: number;
    readonly staleForMs: number;
    /** How often expired reservations are charged and closed; 0 = never. */
    readonly sweepIntervalMs: number;
  };
  readonly cors: false | { readonly origins: readonly string[] };
  /** Proxies in front of the gateway whose `X-Forwarded-For` entries are trusted. */
  readonly trustedProxies: number;
  readonly timeouts: { readonly headersMs: number; readonly bodyMs: number; readonly shutdownMs: number };
  /** Bytes buffered for a streaming client that stops reading before the stream is cut. */
  readonly streamBufferBytes: number;
  /** Whether calls may name uploaded files by id; `refuse`: a 400, since every key would reach the same accounts' files. */
  readonly fileIds: 'allow' | 'refuse';
  readonly log: { readonly level: 'debug' | 'info' | 'warn' | 'error' | 'silent'; readonly format: 'json' | 'pretty' };
  readonly keys: readonly StaticKeyConfig[];
}
