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
import { DEFAULT_WEIGHT } from './defaults.js';
import { durationSchema, positiveDurationSchema } from './duration-schema.js';
import { auditSchema, canarySchema, filtersSchema, metricsSchema, pricingSchema } from './extensions-schema.js';

const nonNegativeNumber = z.number().min(0);
const positiveInteger = z.number().int().min(1);
const nonNegativeInteger = z.number().int().min(0);
const nonEmptyString = z.string().min(1);

/** Provider ids and route names: no `/` (it separates `provider/model` in direct calls) and no whitespace. */
const nameSchema = z.string().regex(/^[^/\s]+$/, { message: 'a name must be non-empty and contain no "/" or whitespace' });

/** An HTTP header name (an RFC 9110 token). */
const headerNameSchema = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: 'not a valid HTTP header name' });

/** The wire formats Switchyard speaks. */
export const providerTypeSchema = z.enum(['anthropic', 'openai', 'azure-openai', 'gemini', 'openai-compatible']);

/** A provider's connection pool. */
export const poolSchema = z.strictObject({
  /** Maximum open connections to the provider. @default 100 */
  connections: positiveInteger.optional(),
  /** How long an idle connection is kept open. @default 300s */
  keepAliveTimeout: positiveDurationSchema.optional(),
  /** How long opening a connection may take. @default policies.timeout.connect */
  connectTimeout: positiveDurationSchema.optional(),
});

/** One configured provider. */
export const providerSchema = z
  .strictObject({
    type: providerTypeSchema,
    /** Empty counts as absent (write `${KEY:-}` for an optional key). */
    apiKey: z.string().optional(),
    /** Required for `openai-compatible` and `azure-openai`; empty counts as absent. */
    baseUrl: z.string().optional(),
    apiVersion: nonEmptyString.optional(),
    headers: z.record(headerNameSchema, z.string()).optional(),
    /** @default 4096 */
    defaultMaxTokens: positiveInteger.optional(),
    pool: poolSchema.optional(),
  })
  .superRefine((provider, context) => {
    const problem = baseUrlProblem(provider.type, provider.baseUrl);
    if (problem !== undefined) context.addIssue({ code: 'custom', path: ['baseUrl'], message: problem });
  });

/** One weighted target of a route. */
export const targetSchema = z.strictObject({
  provider: nonEmptyString,
  model: nonEmptyString,
  /** @default 1 */
  weight: nonNegativeNumber.optional(),
});

const timeoutSchema = z.strictObject({
  connect: durationSchema.optional(),
  firstByte: durationSchema.optional(),
  idle: durationSchema.optional(),
  total: durationSchema.optional(),
});

const categorySchema = z.enum(ERROR_CATEGORIES as [ErrorCategoryName, ...ErrorCategoryName[]]);

const retrySchema = z.strictObject({
  attempts: positiveInteger.optional(),
  minDelay: durationSchema.optional(),
  maxDelay: durationSchema.optional(),
  factor: z.number().min(1).optional(),
  jitter: z.enum(['full', 'none']).optional(),
  on: z.array(categorySchema).optional(),
  budget: nonNegativeNumber.optional(),
});

const breakerSchema = z.strictObject({
  enabled: z.boolean().optional(),
  errorRate: z.number().gt(0).max(1).optional(),
  minRequests: positiveInteger.optional(),
  window: positiveDurationSchema.optional(),
  openFor: positiveDurationSchema.optional(),
  halfOpenProbes: positiveInteger.optional(),
});

/** One set of limits; 0 or absent means no limit. */
export const limitSchema = z.strictObject({
  rps: nonNegativeNumber.optional(),
  rpm: nonNegativeNumber.optional(),
  concurrency: nonNegativeInteger.optional(),
  tpm: nonNegativeNumber.optional(),
});

const rateLimitSchema = z.strictObject({
  global: limitSchema.optional(),
  perUser: limitSchema.optional(),
  perTenant: limitSchema.optional(),
  wait: durationSchema.optional(),
});

const cacheSchema = z.strictObject({
  ttl: positiveDurationSchema.optional(),
  keyPrefix: z.string().optional(),
  maxEntries: positiveInteger.optional(),
  cacheSampled: z.boolean().optional(),
  perUser: z.boolean().optional(),
});

/**
 * Policies, every key optional: globally they fill in the built-in defaults, in a route they
 * override the global ones key by key. `rateLimit: false` and `cache: false` turn those off.
 */
export const policiesSchema = z.strictObject({
  timeout: timeoutSchema.optional(),
  retry: retrySchema.optional(),
  breaker: breakerSchema.optional(),
  rateLimit: z.union([z.literal(false), rateLimitSchema]).optional(),
  cache: z.union([z.literal(false), cacheSchema]).optional(),
});

/** Whether some target can get traffic; an empty list or a negative weight is reported on its own. */
function weightsCanRoute(targets: readonly { readonly weight?: number | undefined }[]): boolean {
  const weights = targets.map((target) => target.weight ?? DEFAULT_WEIGHT);
  if (weights.length === 0 || weights.some((weight) => weight < 0)) return true;
  return weights.reduce((sum, weight) => sum + weight, 0) > 0;
}

/** One route: weighted `targets`, or a `canary` rollout (which names its two targets itself). */
export const routeSchema = z.strictObject({
  targets: z
    .array(targetSchema)
    .min(1)
    .refine(weightsCanRoute, { message: 'the weights add up to 0; give at least one target a weight above 0' })
    .optional(),
  canary: canarySchema.optional(),
  /** @default none */
  sticky: z.enum(['user', 'tenant', 'none']).optional(),
  /** @default [] */
  fallbacks: z.array(nonEmptyString).optional(),
  policies: policiesSchema.optional(),
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
      url: z.string().superRefine((url, context) => {
        const problem = redisUrlProblem(url);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }),
      /** @default open */
      failMode: z.enum(['open', 'closed']).optional(),
      /** @default "switchyard:" */
      keyPrefix: z.string().optional(),
    })
    .optional(),
});

/** The whole configuration as a user writes it. */
export const configSchema = z.strictObject({
  providers: z.record(nameSchema, providerSchema).refine((providers) => Object.keys(providers).length > 0, {
    message: 'at least one provider is required',
  }),
  routes: z.record(nameSchema, routeSchema).optional(),
  policies: policiesSchema.optional(),
  state: stateSchema.optional(),
  /** @default true */
  allowDirect: z.boolean().optional(),
  pricing: pricingSchema.optional(),
  audit: auditSchema.optional(),
  metrics: metricsSchema.optional(),
  filters: filtersSchema.optional(),
});

/** The configuration as a user writes it (YAML or a typed object given to `defineConfig`). */
export type SwitchyardConfigInput = z.input<typeof configSchema>;

/** The configuration after validation, durations in milliseconds, before defaults are applied. */
export type ParsedConfig = z.output<typeof configSchema>;

/** Policies after validation (every key optional, durations in milliseconds). */
export type ParsedPolicies = z.output<typeof policiesSchema>;
