/**
 * The zod schemas of the user-facing configuration (YAML or a typed object). Every object is
 * strict: an unknown key is an error, so a typo never silently falls back to a default.
 * Durations are parsed to milliseconds and single-field checks (URLs, total weight) run here;
 * defaults and the merge of route policies over the
 * global ones happen in `resolve-config.ts`, so a route's partial override is not filled with
 * defaults that would shadow the global values.
 */
import { z } from 'zod';
import { ERROR_CATEGORIES } from '../errors.js';
import type { ErrorCategoryName } from '../types.js';
import { baseUrlProblem, redisUrlProblem } from './base-url.js';
import { cloudProviderProblems } from './cloud-provider-fields.js';
import { PROVIDER_API_VALUES, providerApiProblem, providerApiVersionProblem } from './provider-api.js';
import { closest } from './describe-issues.js';
import { DEFAULT_WEIGHT } from './defaults.js';
import { durationSchema, positiveDurationSchema } from './duration-schema.js';
import { gatewaySchema } from './gateway-schema.js';
import { auditSchema, canarySchema, filtersSchema, metricsSchema, pricingSchema } from './extensions-schema.js';

const nonNegativeNumber = z.number().min(0);
const positiveInteger = z.number().int().min(1);
const nonNegativeInteger = z.number().int().min(0);
const nonEmptyString = z.string().min(1);

/** Provider ids and route names: no `/` (it separates `provider/model` in direct calls) and no whitespace. */
const nameSchema = z.string().regex(/^[^/\s]+$/, { error: 'a name must be non-empty and contain no "/" or whitespace' });

/** An HTTP header name (an RFC 9110 token). */
const headerNameSchema = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'not a valid HTTP header name' });

/** The wire formats Switchyard speaks. */
export const providerTypeSchema = z.enum(['anthropic', 'openai', 'azure-openai', 'gemini', 'openai-compatible', 'bedrock', 'vertex']);

/**
 * A provider's `type`: a built-in wire format (listed, so editors complete them) or the name of a
 * custom adapter type, which `createRouter(config, { providers: { [type]: factory } })` must serve.
 */
const providerTypeNameSchema = z.union([
  providerTypeSchema,
  z
    .string()
    .regex(/^[^\s]+$/, { error: 'a provider type must be non-empty and contain no whitespace' })
    .superRefine((type, context) => {
      // Any name may be a custom type, but one a letter or two off a built-in one is a typo.
      const near = closest(type, providerTypeSchema.options);
      if (near !== undefined) {
        context.addIssue({ code: 'custom', message: `expected one of ${providerTypeSchema.options.join(' | ')} (did you mean ${JSON.stringify(near)}?), or the name of a custom adapter type` });
      }
    }),
]);

const breakerSchema = z.strictObject({
  enabled: z.boolean().optional().describe('Whether each target (provider + model) has a circuit breaker. @default `true`'),
  errorRate: z.number().gt(0).max(1).optional().describe('Failure rate in the window that opens the breaker. @default `0.5`'),
  minRequests: positiveInteger.optional().describe('Calls needed in the window before the rate is trusted. @default `20`'),
  window: positiveDurationSchema.optional().describe('How far back the failure rate looks. @default `60s`'),
  openFor: positiveDurationSchema.optional().describe('How long an open breaker skips the target before probing it again. @default `30s`'),
  halfOpenProbes: positiveInteger.optional().describe('Calls let through to test a target after `openFor`. @default `1`'),
});

/** One set of limits; 0 or absent means no limit. */
export const limitSchema = z.strictObject({
  rps: nonNegativeNumber.optional().describe('Requests per second; `0` or absent: no limit.'),
  rpm: nonNegativeNumber.optional().describe('Requests per minute; `0` or absent: no limit.'),
  concurrency: nonNegativeInteger.optional().describe('Calls in flight at once; `0` or absent: no limit.'),
  tpm: nonNegativeNumber.optional().describe('Tokens per minute, counted from the usage providers report; `0` or absent: no limit.'),
});

/**
 * One key's own limits (`apiKeys[i].limits`): the provider's quota for that key. Concurrency is
 * left out: a key's slot would have to be held until a stream ends, which the pool does not see.
 */
const keyLimitSchema = limitSchema.omit({ concurrency: true });

/** One key of a key pool: the key alone (weight 1), or with its weight. */
const poolKeySchema = z.union([
  z.string(),
  z.strictObject({
    key: z.string().describe('The API key; a secret, never logged.'),
    weight: z.number().gt(0).optional().describe('Relative share of the provider\'s calls. @default `1`'),
    limits: keyLimitSchema.optional().describe('This key\'s own limits (rps, rpm, tpm): a key at one is skipped until it has room. Shared through `state.redis` when set. @default none'),
  }),
]);

/** How a provider's key pool treats its keys. */
const keyPoolSchema = z.strictObject({
  cooldown: positiveDurationSchema.optional().describe('How long a key answered with 429 is skipped when the provider sent no `retry-after`. @default `10s`'),
  breaker: breakerSchema.optional().describe('A circuit breaker per key (5xx, timeouts and 429s count as failures): a key whose breaker is open is skipped. `{}` turns it on with the policy breaker\'s defaults. @default off'),
});

/** A provider's connection pool. */
export const poolSchema = z.strictObject({
  /** Maximum open connections to the provider. @default 100 */
  connections: positiveInteger.optional().describe('Maximum open connections to the provider. @default `100`'),
  /** How long an idle connection is kept open. @default 300s */
  keepAliveTimeout: positiveDurationSchema.optional().describe('How long an idle connection is kept open. @default `300s`'),
  /** How long opening a connection may take. @default policies.timeout.connect */
  connectTimeout: positiveDurationSchema.optional().describe('How long opening a connection may take. @default `policies.timeout.connect`'),
});

/** One configured provider. */
export const providerSchema = z
  .strictObject({
    type: providerTypeNameSchema.describe('The wire format; `openai-compatible` covers One API, vLLM, Ollama, LiteLLM and other Chat Completions servers. Any other name is a custom adapter type: register its factory with `createRouter(config, { providers: { <type>: factory } })` and give a `baseUrl`.'),
    /** Empty counts as absent (write `${KEY:-}` for an optional key). */
    apiKey: z.string().optional().describe('The API key, sent the way the provider expects; a secret, never logged. Empty is a config error unless written `${KEY:-}`; `none` for a server that needs no key.'),
    apiKeys: z
      .array(poolKeySchema)
      .min(1)
      .optional()
      .describe('A key pool instead of `apiKey`: calls spread over the keys by weight (`"${KEY}"` or `{ key, weight }`); a key answered 401/403 leaves the pool, one answered 429 is skipped for its `retry-after`. Each key a secret; an empty one is a config error.'),
    keyPool: keyPoolSchema.optional().describe('How the key pool (`apiKeys`) treats its keys.'),
    /** Required for `openai-compatible` and `azure-openai`; empty counts as absent. */
    baseUrl: z.string().optional().describe('http(s) origin plus optional path prefix. Required for `openai-compatible` and `azure-openai`; empty counts as absent. @default the provider\'s public endpoint'),
    apiVersion: nonEmptyString.optional().describe('Azure OpenAI\'s `api-version` query parameter; Anthropic\'s `anthropic-version` header. @default chosen by the adapter'),
    headers: z.record(headerNameSchema, z.string()).optional().describe('Extra headers on every request; credential-looking headers are treated as secrets. @default `{}`'),
    /** @default 4096 */
    defaultMaxTokens: positiveInteger.optional().describe('`max_tokens` sent when a caller gives none. @default `4096`'),
    pool: poolSchema.optional().describe('The provider\'s HTTP connection pool.'),
    region: nonEmptyString.optional().describe('`bedrock`: the AWS region (else `AWS_REGION`); `vertex` (required): the location, e.g. `us-east5` or `global`.'),
    project: nonEmptyString.optional().describe('`vertex` (required): the Google Cloud project id.'),
    publisher: z.enum(['anthropic', 'google']).optional().describe('`vertex`: whose models the provider calls. @default chosen by model name (`claude-*`: anthropic, else google)'),
    credentials: nonEmptyString.optional().describe('`vertex`: path of a service-account JSON key, relative to the config file. @default `GOOGLE_APPLICATION_CREDENTIALS`, then Application Default Credentials'),
    api: z.enum(PROVIDER_API_VALUES).optional().describe('Which upstream API the adapter calls; the values depend on the type. `bedrock`: `invoke` (InvokeModel, Anthropic models only) or `converse` (the Converse API, any chat model). `openai` and `azure-openai`: `chat-completions` or `responses`. @default `invoke` for bedrock, `chat-completions` for openai and azure-openai'),
  })
  .superRefine((provider, context) => {
    if (provider.apiKey !== undefined && provider.apiKeys !== undefined) {
      context.addIssue({ code: 'custom', path: ['apiKeys'], message: 'give either apiKey (one key) or apiKeys (a key pool), not both' });
    }
    if (provider.keyPool !== undefined && provider.apiKeys === undefined) {
      context.addIssue({ code: 'custom', path: ['keyPool'], message: 'applies to a key pool only: give apiKeys, or remove keyPool' });
    }
    // A type already reported (a typo of a built-in one) says nothing about the base URL it needs.
    const problem = providerTypeNameSchema.safeParse(provider.type).success ? baseUrlProblem(provider.type, provider.baseUrl) : undefined;
    const custom = !(providerTypeSchema.options as readonly string[]).includes(provider.type);
    if (problem !== undefined) {
      const message = custom && (provider.baseUrl ?? '') === '' ? `required for type ${provider.type}: not a built-in type (${providerTypeSchema.options.join(' | ')}), so a custom adapter serves it at the URL given here` : problem;
      context.addIssue({ code: 'custom', path: ['baseUrl'], message });
    }
    for (const cloud of cloudProviderProblems(provider)) context.addIssue({ code: 'custom', path: [cloud.field], message: cloud.message });
    // The Bedrock and Vertex adapters sign or authorise each request themselves; a pool would be accepted and ignored.
    if (provider.apiKeys !== undefined && (provider.type === 'bedrock' || provider.type === 'vertex')) {
      context.addIssue({ code: 'custom', path: ['apiKeys'], message: `not supported for type ${provider.type}: give one apiKey (a bearer token) or the cloud's own credentials` });
    }
    const apiProblem = providerApiProblem(provider.type, provider.api);
    if (apiProblem !== undefined) context.addIssue({ code: 'custom', path: ['api'], message: apiProblem });
    const versionProblem = providerApiVersionProblem(provider.type, provider.api, provider.apiVersion);
    if (versionProblem !== undefined) context.addIssue({ code: 'custom', path: ['apiVersion'], message: versionProblem });
  });

/** One weighted target of a route. */
export const targetSchema = z.strictObject({
  provider: nonEmptyString.describe('A key of `providers`.'),
  model: nonEmptyString.describe('The upstream model id (for Azure OpenAI: the deployment name).'),
  /** @default 1 */
  weight: nonNegativeNumber.optional().describe('Relative share of new traffic; `0` gets none but stays a candidate when the others fail. @default `1`'),
  embeddingFamily: nonEmptyString.optional().describe('Embedding routes: the vector space this model\'s embeddings live in; every target of an embedding route and of its fallbacks must share one (see docs/embeddings.md). @default the target\'s `model`'),
});

const timeoutSchema = z.strictObject({
  connect: durationSchema.optional().describe('How long opening a connection may take (global only; per provider: `pool.connectTimeout`); `0` turns it off. @default `5s`'),
  firstByte: durationSchema.optional().describe('Time until the response headers; `0` turns it off. @default `60s`'),
  idle: durationSchema.optional().describe('The longest silence between two chunks of a body; `0` turns it off. @default `30s`'),
  total: durationSchema.optional().describe('Ceiling for the whole call: every attempt, backoff and fallback; `0` turns it off. @default `120s`'),
});

const categorySchema = z.enum(ERROR_CATEGORIES as [ErrorCategoryName, ...ErrorCategoryName[]]);

const retrySchema = z.strictObject({
  attempts: positiveInteger.optional().describe('Tries per route, the first included (`1` = no retry). @default `3`'),
  minDelay: durationSchema.optional().describe('The first backoff; a provider\'s `retry-after` is a floor. @default `500ms`'),
  maxDelay: durationSchema.optional().describe('The cap on one backoff. @default `10s`'),
  factor: z.number().min(1).optional().describe('Each backoff is the previous one times this. @default `2`'),
  jitter: z.enum(['full', 'none']).optional().describe('`full`: each wait drawn at random up to the computed delay; `none`: exactly the computed delay. @default `full`'),
  on: z.array(categorySchema).optional().describe('The error categories another try can fix. @default `[rate_limit, overloaded, server, timeout, network]`'),
  budget: nonNegativeNumber.optional().describe('Retries may be at most this fraction of recent calls (plus a small floor). @default `0.2`'),
});

const rateLimitSchema = z.strictObject({
  global: limitSchema.optional().describe('Limits for all calls together (of the route, or of every route globally). @default none'),
  perUser: limitSchema.optional().describe('Limits for each caller `user`. @default none'),
  perTenant: limitSchema.optional().describe('Limits for each caller `tenant`. @default none'),
  wait: durationSchema.optional().describe('How long a call over a limit may wait for room before failing with `rate_limit`. @default `0s`'),
});

const cacheSchema = z.strictObject({
  ttl: positiveDurationSchema.optional().describe('How long a stored answer is served. @default `600s`'),
  keyPrefix: z.string().optional().describe('Prefix of cache keys in a shared Redis. @default `"switchyard:"`'),
  maxEntries: positiveInteger.optional().describe('Bound on the in-memory store. @default `10000`'),
  cacheSampled: z.boolean().optional().describe('Also cache calls with a `temperature` above 0 (by default only `temperature: 0` calls are cached). @default `false`'),
  perUser: z.boolean().optional().describe('Make the caller\'s `user` and `tenant` part of the key. @default `false`'),
});

/**
 * Policies, every key optional: globally they fill in the built-in defaults, in a route they
 * override the global ones key by key. `rateLimit: false` and `cache: false` turn those off.
 */
export const policiesSchema = z.strictObject({
  timeout: timeoutSchema.optional().describe('Timeouts of a call.'),
  retry: retrySchema.optional().describe('Retries with exponential backoff, across targets and then fallback routes.'),
  breaker: breakerSchema.optional().describe('A circuit breaker per target over a sliding window.'),
  rateLimit: z.union([z.literal(false), rateLimitSchema]).optional().describe('Rate limits; `{}` turns them on, `false` in a route turns global ones off. @default off'),
  cache: z.union([z.literal(false), cacheSchema]).optional().describe('An exact-match response cache; `{}` turns it on, `false` in a route turns a global one off. @default off'),
});

/** Whether some target can get traffic; an empty list or a negative weight is reported on its own. */
function weightsCanRoute(targets: readonly { readonly weight?: number | undefined }[]): boolean {
  const weights = targets.map((target) => target.weight ?? DEFAULT_WEIGHT);
  if (weights.length === 0 || weights.some((weight) => weight < 0)) return true;
  return weights.reduce((sum, weight) => sum + weight, 0) > 0;
}

/** One route: weighted `targets`, or a `canary` rollout (which names its two targets itself). */
export const routeSchema = z.strictObject({
  kind: z.enum(['chat', 'embedding']).optional().describe('`embedding`: the route serves `router.embed()` (see docs/embeddings.md); `chat`: chat and stream calls. @default `chat`'),
  targets: z
    .array(targetSchema)
    .min(1)
    .refine(weightsCanRoute, { error: 'the weights add up to 0; give at least one target a weight above 0' })
    .optional()
    .describe('Where the route\'s calls go, by weight. Required unless the route has a `canary`.'),
  canary: canarySchema.optional().describe('A staged rollout from a baseline to a candidate target, instead of `targets` (see docs/canary.md).'),
  /** @default none */
  sticky: z.enum(['user', 'tenant', 'none']).optional().describe('What keeps a caller on the same target while the weights stay the same. @default `none`'),
  /** @default [] */
  fallbacks: z.array(nonEmptyString).optional().describe('Routes tried in order when this route cannot answer (after its own retries). @default `[]`'),
  policies: policiesSchema.optional().describe('Overrides of the global `policies` for this route, merged key by key (a route cannot set `timeout.connect`). @default `{}`'),
}).superRefine((route, context) => {
  if (route.targets === undefined && route.canary === undefined) {
    context.addIssue({ code: 'custom', path: ['targets'], message: 'required: a list of targets (or a canary)' });
  }
  if (route.targets !== undefined && route.canary !== undefined) {
    context.addIssue({ code: 'custom', path: ['canary'], message: 'a route has either targets or a canary, not both (the canary names its baseline and candidate)' });
  }
});

/** Shared state between processes. */
export const stateSchema = z.strictObject({
  redis: z
    .strictObject({
      /** `redis://` or `rediss://`; empty means no Redis (so `${REDIS_URL:-}` works). */
      url: z
        .string()
        .superRefine((url, context) => {
          const problem = redisUrlProblem(url);
          if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
        })
        .describe('`redis://` or `rediss://` URL; empty means no Redis (so `${REDIS_URL:-}` works).'),
      /** @default open */
      failMode: z.enum(['open', 'closed']).optional().describe('When Redis is unreachable: `open` serves on each process\'s local state, `closed` refuses calls. @default `open`'),
      /** @default "switchyard:" */
      keyPrefix: z.string().optional().describe('Prefix of Switchyard\'s keys in Redis. @default `"switchyard:"`'),
    })
    .optional()
    .describe('Redis holding breakers, rate limits, cache and canary state for every process.'),
});

/** The whole configuration as a user writes it. */
export const configSchema = z.strictObject({
  providers: z
    .record(nameSchema, providerSchema)
    .refine((providers) => Object.keys(providers).length > 0, {
      error: 'at least one provider is required',
    })
    .describe('Provider ids (no `/` or whitespace) and their settings; at least one.'),
  routes: z.record(nameSchema, routeSchema).optional().describe('Route names (what callers pass as `model`) and their settings. @default `{}`'),
  policies: policiesSchema.optional().describe('The global policies every route starts from; omitted keys take the built-in defaults.'),
  state: stateSchema.optional().describe('State shared between processes. @default each process keeps its own in memory'),
  /** @default true */
  allowDirect: z.boolean().optional().describe('Callers may address a model directly as `provider/model` besides the routes. @default `true`'),
  pricing: pricingSchema.optional().describe('US dollars per million tokens, keyed by `provider/model` or by model; for cost in audit records, metrics and the canary\'s `costPerCall` guard. @default `{}`'),
  audit: auditSchema.optional().describe('Audit records of calls and canary decisions (see docs/audit.md). @default off'),
  metrics: metricsSchema.optional().describe('Prometheus metrics (see docs/observability.md).'),
  filters: filtersSchema.optional().describe('Content filters applied to requests before any provider sees them.'),
  gateway: gatewaySchema.optional().describe('The gateway server, `switchyard serve` (see docs/gateway.md). @default listen on 127.0.0.1:8080, embedded store'),
});

/** The configuration after validation, durations in milliseconds, before defaults are applied. */
export type ParsedConfig = z.output<typeof configSchema>;

/** Policies after validation (every key optional, durations in milliseconds). */
export type ParsedPolicies = z.output<typeof policiesSchema>;
