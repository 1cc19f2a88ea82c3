/**
 * Schemas of the config sections beyond routing and policies: canary rollouts, prices, audit
 * records, metrics and content filters. Like the rest, every object is strict.
 */
import { z } from 'zod';
import { durationSchema as duration } from './duration-schema.js';
import { parseSize } from './size.js';

const size = z
  .custom<string | number>((value) => typeof value === 'string' || typeof value === 'number', { message: 'expected a size such as 100MB' })
  .transform((value, context) => {
    try {
      return parseSize(value);
    } catch (error) {
      context.issues.push({ code: 'custom', message: error instanceof Error ? error.message : 'expected a size', input: value });
      return z.NEVER;
    }
  });

const targetReference = z.strictObject({ provider: z.string().min(1), model: z.string().min(1) });

/** One canary step. */
export const canaryStepSchema = z.strictObject({
  weight: z.number().min(0).max(100),
  minRequests: z.number().int().min(0).optional(),
  minDuration: duration.optional(),
  /** @default auto */
  approval: z.enum(['auto', 'manual']).optional(),
});

/** A rate guard (`false` turns a default guard off). */
const rateGuard = z.union([z.strictObject({ maxIncrease: z.number().min(0).max(1) }), z.literal(false)]);
/** A ratio guard (`false` turns a default guard off). */
const ratioGuard = z.union([z.strictObject({ maxRatio: z.number().gt(0) }), z.literal(false)]);

const decisionEvents = ['promote', 'complete', 'hold', 'rollback', 'pause', 'resume', 'abort', 'approval-requested'] as const;

/** Where canary decisions are delivered. */
export const canaryWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  /** @default every decision */
  events: z.array(z.enum(decisionEvents)).min(1).optional(),
  secret: z.string().min(16, { message: 'use a secret of at least 16 characters' }).optional(),
  /** @default 3 */
  retries: z.number().int().min(0).max(10).optional(),
  /** @default 5s */
  timeout: duration.optional(),
});

/** A route's canary rollout. */
export const canarySchema = z
  .strictObject({
    baseline: targetReference,
    candidate: targetReference,
    /** @default user */
    sticky: z.enum(['user', 'tenant', 'request']).optional(),
    /** @default the route name */
    salt: z.string().min(1).optional(),
    steps: z.array(canaryStepSchema).min(1),
    guards: z
      .strictObject({
        errorRate: rateGuard.optional(),
        cancelRate: rateGuard.optional(),
        latencyP50: ratioGuard.optional(),
        latencyP95: ratioGuard.optional(),
        costPerCall: ratioGuard.optional(),
        lengthFinishRate: rateGuard.optional(),
        contentFilterRate: rateGuard.optional(),
        emptyAnswerRate: rateGuard.optional(),
        invalidToolCallRate: rateGuard.optional(),
        invalidOutputRate: rateGuard.optional(),
      })
      .optional(),
    /** @default 0.95 */
    confidence: z.number().gt(0.5).lt(1).optional(),
    /** @default false */
    shadow: z.boolean().optional(),
    /** @default 4 */
    shadowConcurrency: z.number().int().min(1).optional(),
    /** @default { errorRate: 0.5, minCalls: 20 } */
    brokenAt: z.strictObject({ errorRate: z.number().gt(0).max(1), minCalls: z.number().int().min(1) }).optional(),
    sampleRatio: z
      .strictObject({
        /** @default 0.001 */
        alpha: z.number().gt(0).lt(0.5).optional(),
        /** @default pause */
        onSustained: z.enum(['hold', 'pause', 'rollback']).optional(),
        /** @default 10m */
        sustainedFor: duration.optional(),
      })
      .optional(),
    /** @default 5m */
    stallAfter: duration.optional(),
    /** @default 2s */
    startupWait: duration.optional(),
    webhooks: z.array(canaryWebhookSchema).optional(),
  })
  .superRefine((canary, context) => {
    canary.steps.forEach((step, index) => {
      const previous = canary.steps[index - 1];
      if (previous !== undefined && step.weight < previous.weight) {
        context.addIssue({ code: 'custom', path: ['steps', index, 'weight'], message: `weights must not decrease from step to step (${previous.weight} → ${step.weight})` });
      }
    });
    if (canary.baseline.provider === canary.candidate.provider && canary.baseline.model === canary.candidate.model) {
      context.addIssue({ code: 'custom', path: ['candidate'], message: 'the candidate is the same target as the baseline' });
    }
  });

/** Prices per million tokens, by `provider/model` or model. */
export const pricingSchema = z.record(
  z.string().min(1),
  z.strictObject({ input: z.number().min(0), output: z.number().min(0), cachedInput: z.number().min(0).optional() }),
);

const redactionKind = z.enum(['email', 'phone', 'card', 'iban', 'cn_id', 'secret']);

/** Audit records. */
export const auditSchema = z.strictObject({
  sink: z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('file'),
      path: z.string().min(1),
      rotate: z.strictObject({ size }).optional(),
      /** @default always */
      fsync: z.enum(['always', 'batch', 'none']).optional(),
      /** @default 1s */
      flushInterval: duration.optional(),
      /** @default 10000 */
      queueSize: z.number().int().min(1).optional(),
    }),
    z.strictObject({ type: z.literal('stdout') }),
    z.strictObject({ type: z.literal('callback') }),
  ]),
  /** @default hash */
  content: z.enum(['none', 'hash', 'redacted', 'full']).optional(),
  /** @default all kinds */
  redact: z.array(redactionKind).optional(),
  include: z.strictObject({ ip: z.boolean().optional() }).optional(),
  pseudonymize: z.strictObject({ key: z.string().min(16, { message: 'use a key of at least 16 characters' }) }).optional(),
});

/** Prometheus metrics. */
export const metricsSchema = z.strictObject({
  /** @default true */
  enabled: z.boolean().optional(),
  /** @default switchyard_ */
  prefix: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: 'not a valid Prometheus metric prefix' }).optional(),
  intents: z.array(z.string().min(1)).max(100).optional(),
  /** @default false */
  processMetrics: z.boolean().optional(),
});

/** Content filters. */
export const filtersSchema = z.strictObject({
  sensitiveWords: z
    .strictObject({
      words: z.array(z.string().min(1)).optional(),
      /** A UTF-8 file with one word per line (`#` starts a comment). */
      file: z.string().min(1).optional(),
      /** @default block */
      action: z.enum(['block', 'mask', 'flag']).optional(),
      /** @default * */
      maskCharacter: z.string().length(1).optional(),
    })
    .optional(),
});
