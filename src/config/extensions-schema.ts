/**
 * Schemas of the config sections beyond routing and policies: canary rollouts, prices, audit
 * records, metrics and content filters. Like the rest, every object is strict.
 */
import { z } from 'zod';
import { durationSchema as duration } from './duration-schema.js';
import { parseSize } from './size.js';

/** A size (`100MB`, `64KB`, or a number of bytes), parsed to bytes. */
export const sizeSchema = z
  .custom<string | number>((value) => typeof value === 'string' || typeof value === 'number', { error: 'expected a size such as 100MB' })
  .transform((value, context) => {
    try {
      return parseSize(value);
    } catch (error) {
      context.issues.push({ code: 'custom', message: error instanceof Error ? error.message : 'expected a size', input: value });
      return z.NEVER;
    }
  });

const targetReference = z.strictObject({
  provider: z.string().min(1).describe('A key of `providers`.'),
  model: z.string().min(1).describe('The upstream model id.'),
});

/** One canary step. */
export const canaryStepSchema = z.strictObject({
  weight: z.number().min(0).max(100).describe('The candidate\'s share of traffic in the step, in percent; weights never decrease.'),
  minRequests: z.number().int().min(0).optional().describe('Settled candidate calls the step must see before it may be promoted. @default `0`'),
  minDuration: duration.optional().describe('Time the step must last before it may be promoted. @default `0`'),
  /** @default auto */
  approval: z.enum(['auto', 'manual']).optional().describe('`manual`: a step that passed its guards waits for an operator\'s `promote`. @default `auto`'),
});

/** A rate guard (`false` turns a default guard off). */
const rateGuard = z.union([
  z.strictObject({ maxIncrease: z.number().min(0).max(1).describe('Largest allowed increase of the candidate\'s rate over the baseline\'s, as a fraction (`0.02` = 2 points).') }),
  z.literal(false),
]);
/** A ratio guard (`false` turns a default guard off). */
const ratioGuard = z.union([
  z.strictObject({ maxRatio: z.number().gt(0).describe('Largest allowed ratio of the candidate\'s value to the baseline\'s (`1.25` = 25% more).') }),
  z.literal(false),
]);

const decisionEvents = ['promote', 'complete', 'hold', 'rollback', 'pause', 'resume', 'abort', 'approval-requested'] as const;

/** Where canary decisions are delivered. */
export const canaryWebhookSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).describe('Where decisions are POSTed.'),
  /** @default every decision */
  events: z.array(z.enum(decisionEvents)).min(1).optional().describe('The decisions to send. @default every decision'),
  secret: z.string().min(16, { error: 'use a secret of at least 16 characters' }).optional().describe('Key that signs each POST (at least 16 characters); a secret. @default unsigned'),
  /** @default 3 */
  retries: z.number().int().min(0).max(10).optional().describe('Retries of a failed delivery. @default `3`'),
  /** @default 5s */
  timeout: duration.optional().describe('Timeout of one delivery. @default `5s`'),
});

/** A route's canary rollout. */
export const canarySchema = z
  .strictObject({
    baseline: targetReference.describe('The target serving today.'),
    candidate: targetReference.describe('The target being rolled out.'),
    /** @default user */
    sticky: z.enum(['user', 'tenant', 'request']).optional().describe('What keeps a caller in one arm (`request`: each call drawn anew). @default `user`'),
    /** @default the route name */
    salt: z.string().min(1).optional().describe('Mixed into the bucketing hash; a new salt puts different users in the candidate arm. @default the route name'),
    steps: z.array(canaryStepSchema).min(1).describe('The rollout\'s steps, in order; at least one.'),
    guards: z
      .strictObject({
        errorRate: rateGuard.optional().describe('Calls whose first try on the arm failed (caller faults excluded). @default `{ maxIncrease: 0.02 }`'),
        cancelRate: rateGuard.optional().describe('Calls the caller cancelled while the arm worked, or that stalled. @default `{ maxIncrease: 0.05 }`'),
        latencyP50: ratioGuard.optional().describe('Median of the arm\'s own upstream time. @default `{ maxRatio: 1.25 }`'),
        latencyP95: ratioGuard.optional().describe('p95 of the arm\'s own upstream time. @default `{ maxRatio: 1.25 }`'),
        costPerCall: ratioGuard.optional().describe('Mean cost per call, from `pricing`. @default off'),
        lengthFinishRate: rateGuard.optional().describe('Answers cut by the token limit (`finishReason: length`). @default `{ maxIncrease: 0.05 }`'),
        contentFilterRate: rateGuard.optional().describe('Answers stopped by the provider\'s content filter. @default `{ maxIncrease: 0.05 }`'),
        emptyAnswerRate: rateGuard.optional().describe('Answers with neither text nor tool calls. @default `{ maxIncrease: 0.05 }`'),
        invalidToolCallRate: rateGuard.optional().describe('Answers with a tool call that is invalid or names a tool the request did not offer. @default `{ maxIncrease: 0.05 }`'),
        invalidOutputRate: rateGuard.optional().describe('Answers to a `responseFormat` request that do not parse or validate. @default `{ maxIncrease: 0.05 }`'),
      })
      .optional()
      .describe('The comparisons that can roll the candidate back; each one listed overrides its default, `false` turns a default off.'),
    /** @default 0.95 */
    confidence: z.number().gt(0.5).lt(1).optional().describe('Confidence of every guard\'s always-valid bounds. @default `0.95`'),
    /** @default false */
    shadow: z.boolean().optional().describe('The candidate gets a mirrored copy of calls; callers see the baseline only. @default `false`'),
    /** @default 4 */
    shadowConcurrency: z.number().int().min(1).optional().describe('Shadow calls in flight at once. @default `4`'),
    /** @default { errorRate: 0.5, minCalls: 20 } */
    brokenAt: z
      .strictObject({
        errorRate: z.number().gt(0).max(1).describe('Candidate failure rate that rolls back at once.'),
        minCalls: z.number().int().min(1).describe('Finished candidate calls needed first (also the minimum per arm for any guard).'),
      })
      .optional()
      .describe('A candidate failing this much rolls back at once. @default `{ errorRate: 0.5, minCalls: 20 }`'),
    sampleRatio: z
      .strictObject({
        /** @default 0.001 */
        alpha: z.number().gt(0).lt(0.5).optional().describe('Significance level of the split check. @default `0.001`'),
        /** @default pause */
        onSustained: z.enum(['hold', 'pause', 'rollback']).optional().describe('What a mismatch lasting `sustainedFor` does. @default `pause`'),
        /** @default 10m */
        sustainedFor: duration.optional().describe('How long a mismatch must last before `onSustained` acts. @default `10m`'),
      })
      .optional()
      .describe('The split check: a traffic split off its weights holds promotion.'),
    /** @default 5m */
    stallAfter: duration.optional().describe('A call still running this long after its start counts as stalled, with the cancellations. @default `5m`'),
    /** @default 2s */
    startupWait: duration.optional().describe('At process start, how long a call waits for the rollout\'s shared state before it goes to the baseline. @default `2s`'),
    webhooks: z.array(canaryWebhookSchema).optional().describe('Where decisions are delivered as signed POSTs. @default none'),
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
  z
    .strictObject({
      input: z.number().min(0).describe('Dollars per million input tokens.'),
      output: z.number().min(0).describe('Dollars per million output tokens.'),
      cacheRead: z.number().min(0).optional().describe('Dollars per million input tokens read from the provider\'s prompt cache (e.g. Anthropic 0.1× input, OpenAI 0.5× or less). @default the `input` price'),
      cacheWrite: z.number().min(0).optional().describe('Dollars per million input tokens written to the provider\'s prompt cache (Anthropic: 1.25× input, for 5-minute entries). @default the `input` price'),
      cacheWrite1h: z.number().min(0).optional().describe('Dollars per million input tokens written to a 1-hour prompt-cache entry (Anthropic: 2× input). @default the `cacheWrite` price, else the `input` price'),
      cachedInput: z.number().min(0).optional().describe('Deprecated name of `cacheRead`. @default the `input` price'),
    })
    .superRefine((price, context) => {
      if (price.cachedInput !== undefined && price.cacheRead !== undefined && price.cachedInput !== price.cacheRead) {
        context.addIssue({ code: 'custom', path: ['cachedInput'], message: `\`cachedInput\` is the old name of \`cacheRead\`; give one (they say ${price.cachedInput} and ${price.cacheRead})` });
      }
    }),
);

const redactionKind = z.enum(['email', 'phone', 'card', 'iban', 'cn_id', 'secret']);

/** Audit records. */
export const auditSchema = z.strictObject({
  sink: z.discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('file').describe('Where records go: a JSON-lines `file`, `stdout`, or a `callback` given in code.'),
      path: z.string().min(1).describe('`file` sink: the file\'s path.'),
      rotate: z
        .strictObject({ size: sizeSchema.describe('Start a new file when the current one reaches this size.') })
        .optional()
        .describe('`file` sink: rotation. @default no rotation'),
      /** @default always */
      fsync: z.enum(['always', 'batch', 'none']).optional().describe('`file` sink: when records are flushed to disk (see docs/audit.md). @default `always`'),
      /** @default 1s */
      flushInterval: duration.optional().describe('`file` sink: how often a `batch` sink writes and syncs its queue. @default `1s`'),
      /** @default 10000 */
      queueSize: z.number().int().min(1).optional().describe('`file` sink: records held before calls wait for room. @default `10000`'),
    }),
    z.strictObject({ type: z.literal('stdout').describe('Records as JSON lines on standard output.') }),
    z.strictObject({ type: z.literal('callback').describe('Records passed to the `auditSink` function given to `createRouter`.') }),
  ]).describe('Where records are written.'),
  /** @default hash */
  content: z.enum(['none', 'hash', 'redacted', 'full']).optional().describe('How much of prompts and answers a record keeps. @default `hash`'),
  /** @default all kinds */
  redact: z.array(redactionKind).optional().describe('What redaction removes from `redacted` content. @default all kinds'),
  include: z
    .strictObject({ ip: z.boolean().optional().describe('Record the caller\'s IP address. @default `false`') })
    .optional()
    .describe('Optional fields to record.'),
  pseudonymize: z
    .strictObject({ key: z.string().min(16, { error: 'use a key of at least 16 characters' }).describe('HMAC key (at least 16 characters); a secret.') })
    .optional()
    .describe('Record user ids as keyed hashes (HMAC-SHA-256). @default off'),
});

/** Prometheus metrics. */
export const metricsSchema = z.strictObject({
  /** @default true */
  enabled: z.boolean().optional().describe('Collect metrics. @default `true`'),
  /** @default switchyard_ */
  prefix: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: 'not a valid Prometheus metric prefix' }).optional().describe('Prefix of every metric name. @default `switchyard_`'),
  intents: z.array(z.string().min(1)).max(100).optional().describe('Known `metadata.intent` values (at most 100); others count as `other`. @default `[]`'),
  /** @default false */
  processMetrics: z.boolean().optional().describe('Also prom-client\'s default process metrics (CPU, memory, event loop, GC). @default `false`'),
});

/** Content filters. */
export const filtersSchema = z.strictObject({
  sensitiveWords: z
    .strictObject({
      words: z.array(z.string().min(1)).optional().describe('Words to find in requests. @default `[]`'),
      /** A UTF-8 file with one word per line (`#` starts a comment). */
      file: z.string().min(1).optional().describe('A UTF-8 file with one word per line (`#` starts a comment), added to `words`.'),
      /** @default block */
      action: z.enum(['block', 'mask', 'flag']).optional().describe('What a match does: refuse the call, mask the word, or only count it. @default `block`'),
      /** @default * */
      maskCharacter: z.string().length(1).optional().describe('The character `mask` writes in place of each character of a word. @default `*`'),
    })
    .optional()
    .describe('Sensitive words found in requests before any provider sees them (see docs/observability.md).'),
});
