/**
 * The configuration as a user writes it (YAML or a typed object), as plain interfaces. These are
 * written by hand rather than inferred from the zod schemas in `schema.ts` so that the public
 * declarations do not depend on zod's types (which break consumers type-checking without
 * `skipLibCheck` or under `moduleResolution: node10`). `test/package/config-input-types.test.ts`
 * keeps them equal to `z.input<typeof configSchema>`: change both together.
 */
import type { ErrorCategoryName } from '../error-category.js';

/** A duration: `300ms`, `30s`, `10m`, `1h`, or a number of milliseconds. */
export type DurationInput = string | number;

/** A size: `100MB`, `1GiB`, or a number of bytes. */
export type SizeInput = string | number;

/** A provider's connection pool. */
export interface PoolInput {
  /** Maximum open connections to the provider. @default 100 */
  connections?: number | undefined;
  /** How long an idle connection is kept open. @default 300s */
  keepAliveTimeout?: DurationInput | undefined;
  /** How long opening a connection may take. @default policies.timeout.connect */
  connectTimeout?: DurationInput | undefined;
}

/** One weighted key of a key pool. */
export interface PoolKeyInput {
  key: string;
  /** Relative share of the provider's calls (> 0). @default 1 */
  weight?: number | undefined;
  /** This key's own limits (the provider's quota for it): a key at one is skipped until it has room. */
  limits?: KeyLimitInput | undefined;
}

/** One key's own limits; 0 or absent means no limit. */
export interface KeyLimitInput {
  rps?: number | undefined;
  rpm?: number | undefined;
  tpm?: number | undefined;
}

/** How a provider's key pool treats its keys. */
export interface KeyPoolInput {
  /** How long a key answered with 429 is skipped without a `retry-after`. @default 10s */
  cooldown?: DurationInput | undefined;
  /** A circuit breaker per key (5xx, timeouts and 429s count): a key whose breaker is open is skipped. @default off */
  breaker?: BreakerInput | undefined;
}

/** One configured provider. */
export interface ProviderInput {
  /**
   * A built-in wire format (`anthropic`, `openai`, `azure-openai`, `gemini`, `openai-compatible`,
   * `bedrock`, `vertex`), or the name of a custom adapter type registered with
   * `createRouter(config, { providers: { [type]: factory } })` (which then needs `baseUrl`).
   */
  type: string;
  /** Empty counts as absent (write `${KEY:-}` for an optional key). */
  apiKey?: string | undefined;
  /** A key pool instead of `apiKey`: keys, or `{ key, weight }` entries. */
  apiKeys?: (string | PoolKeyInput)[] | undefined;
  /** How the key pool treats its keys. */
  keyPool?: KeyPoolInput | undefined;
  /** Required for `openai-compatible` and `azure-openai`; empty counts as absent. */
  baseUrl?: string | undefined;
  apiVersion?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** @default 4096 */
  defaultMaxTokens?: number | undefined;
  pool?: PoolInput | undefined;
  /** `bedrock`: the AWS region (else `AWS_REGION`); `vertex` (required): the location. */
  region?: string | undefined;
  /** `vertex` (required): the Google Cloud project id. */
  project?: string | undefined;
  /** `vertex`: whose models it calls. @default by model name (`claude-*`: anthropic) */
  publisher?: 'anthropic' | 'google' | undefined;
  /** `vertex`: path of a service-account JSON key. @default GOOGLE_APPLICATION_CREDENTIALS, then ADC */
  credentials?: string | undefined;
  /** Which upstream API: `bedrock` `invoke` | `converse`; `openai` `chat-completions` | `responses`. @default the first of each */
  api?: 'invoke' | 'converse' | 'chat-completions' | 'responses' | undefined;
}

/** One weighted target of a route. */
export interface TargetInput {
  provider: string;
  model: string;
  /** Relative weight (≥ 0). @default 1 */
  weight?: number | undefined;
  /** Embedding routes: the vector space of this model's embeddings. @default the target's `model` */
  embeddingFamily?: string | undefined;
}

/** Timeouts; 0 turns one off. */
export interface TimeoutInput {
  connect?: DurationInput | undefined;
  firstByte?: DurationInput | undefined;
  idle?: DurationInput | undefined;
  total?: DurationInput | undefined;
}

/** Retry with exponential backoff. */
export interface RetryInput {
  attempts?: number | undefined;
  minDelay?: DurationInput | undefined;
  maxDelay?: DurationInput | undefined;
  factor?: number | undefined;
  jitter?: 'full' | 'none' | undefined;
  on?: ErrorCategoryName[] | undefined;
  budget?: number | undefined;
}

/** A circuit breaker per target. */
export interface BreakerInput {
  enabled?: boolean | undefined;
  errorRate?: number | undefined;
  minRequests?: number | undefined;
  window?: DurationInput | undefined;
  openFor?: DurationInput | undefined;
  halfOpenProbes?: number | undefined;
}

/** One set of limits; 0 or absent means no limit. */
export interface LimitInput {
  rps?: number | undefined;
  rpm?: number | undefined;
  concurrency?: number | undefined;
  tpm?: number | undefined;
}

/** Rate limits. */
export interface RateLimitInput {
  global?: LimitInput | undefined;
  perUser?: LimitInput | undefined;
  perTenant?: LimitInput | undefined;
  wait?: DurationInput | undefined;
}

/** The exact-match response cache. */
export interface CacheInput {
  ttl?: DurationInput | undefined;
  keyPrefix?: string | undefined;
  maxEntries?: number | undefined;
  cacheSampled?: boolean | undefined;
  perUser?: boolean | undefined;
}

/**
 * Policies, every key optional: globally they fill in the built-in defaults, in a route (or a
 * call's `options.policies`) they override the global ones key by key. `rateLimit: false` and
 * `cache: false` turn those off.
 */
export interface PoliciesInput {
  timeout?: TimeoutInput | undefined;
  retry?: RetryInput | undefined;
  breaker?: BreakerInput | undefined;
  rateLimit?: false | RateLimitInput | undefined;
  cache?: false | CacheInput | undefined;
}

/** A provider and model named by a canary. */
export interface TargetReferenceInput {
  provider: string;
  model: string;
}

/** One canary step. */
export interface CanaryStepInput {
  weight: number;
  minRequests?: number | undefined;
  minDuration?: DurationInput | undefined;
  /** @default auto */
  approval?: 'auto' | 'manual' | undefined;
}

/** A rate guard (`false` turns a default guard off). */
export type RateGuardInput = { maxIncrease: number } | false;
/** A ratio guard (`false` turns a default guard off). */
export type RatioGuardInput = { maxRatio: number } | false;

/** A canary decision a webhook can be sent for. */
export type CanaryDecisionEventName = 'promote' | 'complete' | 'hold' | 'rollback' | 'pause' | 'resume' | 'abort' | 'approval-requested';

/** Where canary decisions are delivered. */
export interface CanaryWebhookInput {
  /** An http(s) URL. */
  url: string;
  /** @default every decision */
  events?: CanaryDecisionEventName[] | undefined;
  /** At least 16 characters. */
  secret?: string | undefined;
  /** @default 3 */
  retries?: number | undefined;
  /** @default 5s */
  timeout?: DurationInput | undefined;
}

/** The guards a canary step must pass. */
export interface CanaryGuardsInput {
  errorRate?: RateGuardInput | undefined;
  cancelRate?: RateGuardInput | undefined;
  latencyP50?: RatioGuardInput | undefined;
  latencyP95?: RatioGuardInput | undefined;
  costPerCall?: RatioGuardInput | undefined;
  lengthFinishRate?: RateGuardInput | undefined;
  contentFilterRate?: RateGuardInput | undefined;
  emptyAnswerRate?: RateGuardInput | undefined;
  invalidToolCallRate?: RateGuardInput | undefined;
  invalidOutputRate?: RateGuardInput | undefined;
}

/** A route's canary rollout. */
export interface CanaryInput {
  baseline: TargetReferenceInput;
  candidate: TargetReferenceInput;
  /** @default user */
  sticky?: 'user' | 'tenant' | 'request' | undefined;
  /** @default the route name */
  salt?: string | undefined;
  steps: CanaryStepInput[];
  guards?: CanaryGuardsInput | undefined;
  /** @default 0.95 */
  confidence?: number | undefined;
  /** @default false */
  shadow?: boolean | undefined;
  /** @default 4 */
  shadowConcurrency?: number | undefined;
  /** @default { errorRate: 0.5, minCalls: 20 } */
  brokenAt?: { errorRate: number; minCalls: number } | undefined;
  sampleRatio?:
    | {
        /** @default 0.001 */
        alpha?: number | undefined;
        /** @default pause */
        onSustained?: 'hold' | 'pause' | 'rollback' | undefined;
        /** @default 10m */
        sustainedFor?: DurationInput | undefined;
      }
    | undefined;
  /** @default 5m */
  stallAfter?: DurationInput | undefined;
  /** @default 2s */
  startupWait?: DurationInput | undefined;
  webhooks?: CanaryWebhookInput[] | undefined;
}

/** One route: weighted `targets`, or a `canary` rollout (which names its two targets itself). */
export interface RouteInput {
  /** `embedding`: the route serves `router.embed()`. @default chat */
  kind?: 'chat' | 'embedding' | undefined;
  targets?: TargetInput[] | undefined;
  canary?: CanaryInput | undefined;
  /** @default none */
  sticky?: 'user' | 'tenant' | 'none' | undefined;
  /** @default [] */
  fallbacks?: string[] | undefined;
  policies?: PoliciesInput | undefined;
}

/** Shared state between processes. */
export interface StateInput {
  redis?:
    | {
        /** `redis://` or `rediss://`; empty means no Redis (so `${REDIS_URL:-}` works). */
        url: string;
        /** @default open */
        failMode?: 'open' | 'closed' | undefined;
        /** @default "switchyard:" */
        keyPrefix?: string | undefined;
      }
    | undefined;
}

/** Prices per million tokens, by `provider/model` or model. */
export type PricingInput = Record<string, { input: number; output: number; cacheRead?: number | undefined; cacheWrite?: number | undefined; cacheWrite1h?: number | undefined; /** @deprecated Use `cacheRead`. */ cachedInput?: number | undefined }>;

/** What audit records redact. */
export type RedactionKindInput = 'email' | 'phone' | 'card' | 'iban' | 'cn_id' | 'secret';

/** Where audit records go. */
export type AuditSinkInput =
  | {
      type: 'file';
      path: string;
      rotate?: { size: SizeInput } | undefined;
      /** @default always */
      fsync?: 'always' | 'batch' | 'none' | undefined;
      /** @default 1s */
      flushInterval?: DurationInput | undefined;
      /** @default 10000 */
      queueSize?: number | undefined;
    }
  | { type: 'stdout' }
  | { type: 'callback' };

/** Audit records. */
export interface AuditInput {
  sink: AuditSinkInput;
  /** @default hash */
  content?: 'none' | 'hash' | 'redacted' | 'full' | undefined;
  /** @default all kinds */
  redact?: RedactionKindInput[] | undefined;
  include?: { ip?: boolean | undefined } | undefined;
  /** The key is at least 16 characters. */
  pseudonymize?: { key: string } | undefined;
}

/** Prometheus metrics. */
export interface MetricsInput {
  /** @default true */
  enabled?: boolean | undefined;
  /** @default switchyard_ */
  prefix?: string | undefined;
  intents?: string[] | undefined;
  /** @default false */
  processMetrics?: boolean | undefined;
}

/** Content filters. */
export interface FiltersInput {
  sensitiveWords?:
    | {
        words?: string[] | undefined;
        /** A UTF-8 file with one word per line (`#` starts a comment). */
        file?: string | undefined;
        /** @default block */
        action?: 'block' | 'mask' | 'flag' | undefined;
        /** @default * */
        maskCharacter?: string | undefined;
      }
    | undefined;
}

/** The configuration as a user writes it (YAML or a typed object given to `defineConfig`). */
export interface SwitchyardConfigInput {
  /** At least one. Ids contain no `/` or whitespace. */
  providers: Record<string, ProviderInput>;
  routes?: Record<string, RouteInput> | undefined;
  policies?: PoliciesInput | undefined;
  state?: StateInput | undefined;
  /** @default true */
  allowDirect?: boolean | undefined;
  pricing?: PricingInput | undefined;
  audit?: AuditInput | undefined;
  metrics?: MetricsInput | undefined;
  filters?: FiltersInput | undefined;
  /** The gateway server (`switchyard serve`). */
  gateway?: GatewayInput | undefined;
}

/** A virtual key declared in the config file. */
export interface StaticKeyInput {
  name: string;
  /** `sy-…`, written as `"${APP_KEY}"`. */
  key: string;
  /** @default the key's name */
  tenant?: string | undefined;
  /** @default every route */
  routes?: string[] | undefined;
  /** @default unlimited */
  quota?: 'unlimited' | { tokens?: number | undefined; usd?: number | undefined } | undefined;
  limits?: { rpm?: number | undefined; tpm?: number | undefined; concurrency?: number | undefined } | undefined;
  /** CIDR blocks; @default any */
  subnets?: string[] | undefined;
  /** ISO 8601. */
  expiresAt?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** The gateway server (`switchyard serve`). */
export interface GatewayInput {
  /** @default 127.0.0.1 */
  host?: string | undefined;
  /** @default 8080 */
  port?: number | undefined;
  /** @default 4MB */
  bodyLimit?: SizeInput | undefined;
  /** Written as `"${SWITCHYARD_ADMIN_KEY}"`; absent = admin API off. */
  adminKey?: string | undefined;
  store?:
    | {
        /** @default sqlite:./switchyard-gateway.db */
        url?: string | undefined;
        /** @default 5s */
        keyCacheTtl?: DurationInput | undefined;
        /** @default 10m */
        staleFor?: DurationInput | undefined;
        /** @default 30s */
        sweepInterval?: DurationInput | undefined;
      }
    | undefined;
  /** @default false */
  cors?: false | { origins: string[] } | undefined;
  /** @default 0 */
  trustedProxies?: number | undefined;
  timeouts?: { headers?: DurationInput | undefined; body?: DurationInput | undefined; shutdown?: DurationInput | undefined } | undefined;
  /** @default 1MB */
  streamBuffer?: SizeInput | undefined;
  /** Whether calls may name uploaded files by id (they reach the providers' accounts, shared by every key). @default refuse */
  fileIds?: 'allow' | 'refuse' | undefined;
  log?: { level?: 'debug' | 'info' | 'warn' | 'error' | 'silent' | undefined; format?: 'json' | 'pretty' | undefined } | undefined;
  keys?: StaticKeyInput[] | undefined;
}
