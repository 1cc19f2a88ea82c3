/**
 * Builds a call's audit record from its context and how it ended. Everything here is synchronous
 * and pure apart from the clock the caller passes. The audit log calls it once per call, for a
 * group of calls at a time, after the call (or its stream) ended and before the call returns.
 */
import { createHmac } from 'node:crypto';
import type { AuditConfig, PriceTable, RedactionKind } from '../config/types.js';
import { redactErrorText, SwitchyardError } from '../errors.js';
import type { CallContext } from '../pipeline/context.js';
import { redact } from '../redaction/redact.js';
import { redactSecretValues } from '../redaction/secrets.js';
import type { EmbedResponse } from '../embedding-types.js';
import type { ChatResponse, Usage } from '../types.js';
import { costOf } from '../pricing.js';
import { promptHashOf, recordContent, responseHashOf } from './content.js';
import { AUDIT_SCHEMA_VERSION, type AuditAttempt, type CallRecordBody } from './record.js';
import { LIBRARY_VERSION } from '../version.js';
import type { Mutable } from '../mutable.js';
import { usageOfEmbedding } from '../embedding-types.js';

/** What the builder needs of the config. */
export interface RecordSettings {
  readonly audit: AuditConfig;
  readonly pricing: PriceTable;
  readonly versionHash: string;
}

/** How a call ended. */
export interface CallEnding {
  readonly response?: ChatResponse;
  /** An embedding call's answer (`mode: 'embed'`): usage, cost and target are recorded; the vectors are not. */
  readonly embedding?: EmbedResponse;
  readonly error?: unknown;
  /** `performance.now()` when the call ended. */
  readonly endedAt: number;
  /** `performance.now()` when the first output arrived (streams). */
  readonly firstOutputAt?: number;
  /** Wall-clock time (epoch ms) when the call entered the audit stage; the record's `ts`. */
  readonly startedAtMs: number;
}

/** Milliseconds, rounded to microseconds. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A user id as recorded: keyed hash when a pseudonymisation key is set. */
export function recordedUser(user: string, key: string | undefined): string {
  return key === undefined ? redactSecretValues(user) : `hmac-sha256:${createHmac('sha256', key).update(user).digest('hex')}`;
}

/** `fields` without its undefined members (records never carry `"key": undefined`), in the order given. */
function defined<T extends object>(fields: T): T {
  const result: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) result[key] = value;
  }
  return result as T;
}

/**
 * Caller-chosen names and values, secrets replaced, keys sorted (the record's canonical order).
 * Values are typed strings but come from the caller's JavaScript unchecked, hence `unknown`.
 */
function scrubbedRecord(values: Readonly<Record<string, unknown>> | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  const entries = Object.entries(values);
  if (entries.length === 0) return undefined;
  const scrubbed = entries.map(([key, value]): [string, string] => [redactSecretValues(key), redactSecretValues(String(value))]);
  scrubbed.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return Object.fromEntries(scrubbed);
}

function errorOf(error: unknown, kinds: readonly RedactionKind[]): NonNullable<CallRecordBody['error']> {
  if (SwitchyardError.isInstance(error)) {
    return defined({
      category: error.category,
      message: redact(error.message, kinds),
      model: error.model,
      provider: error.provider,
      providerCode: error.providerCode === undefined ? undefined : redact(error.providerCode, kinds),
      retryable: error.retryable,
      status: error.status,
    });
  }
  // Not ours: its message gets what every SwitchyardError message gets (a key cut anywhere, a
  // JSON.parse quote of a body), before the configured kinds.
  const message = redactErrorText(error instanceof Error ? error.message : String(error));
  return { category: 'unknown', message: redact(message, kinds), retryable: false };
}

function attemptOf(attempt: CallContext['attempts'][number]): AuditAttempt {
  return defined({ model: attempt.target.model, ms: roundMs(attempt.ms), outcome: attempt.outcome, provider: attempt.target.provider, route: attempt.route, status: attempt.status });
}

/**
 * Builds the record body of one ended call, field by field in sorted key order (and so are the
 * objects it holds, apart from caller-supplied JSON such as tool-call arguments): the canonical JSON
 * of the sealed record is then the engine's own `JSON.stringify` of it. It also reserves the chain
 * links' places (`prevHash`, `seq`, left undefined, so absent from any JSON of the body), which
 * lets `sealRecord` copy the body in one step instead of placing the links key by key.
 */
export function buildCallRecord(context: CallContext, ending: CallEnding, settings: RecordSettings): CallRecordBody {
  const { audit } = settings;
  const { request, options, notes } = context;
  const kinds: readonly RedactionKind[] = audit.redact.includes('secret') ? audit.redact : [...audit.redact, 'secret'];
  const failed = ending.error !== undefined;
  const response = failed ? undefined : ending.response;
  const answered = response ?? (failed ? undefined : ending.embedding);
  const answeredUsage: Usage | undefined = response?.usage ?? (answered === undefined ? undefined : usageOfEmbedding(answered.usage));
  const lastAttempt = context.attempts[context.attempts.length - 1];
  const target = answered?.target ?? lastAttempt?.target;
  const canary = notes.canary;
  const record = {} as Mutable<CallRecordBody> & { prevHash?: undefined; seq?: undefined };
  if (canary !== undefined) record.arm = canary.arm;
  record.attempts = context.attempts.map(attemptOf);
  if (notes.breakerSkips !== undefined && notes.breakerSkips.length > 0) record.breaker = { skipped: [...notes.breakerSkips] };
  if (notes.cache !== undefined) record.cache = notes.cache;
  if (canary !== undefined) record.canary = { arm: canary.arm, route: canary.route, step: canary.step, weight: canary.weight };
  record.configVersion = settings.versionHash;
  const content = recordContent(audit, request, response);
  if (content !== undefined) record.content = content;
  const costUsd = answered === undefined || answeredUsage === undefined ? undefined : answered.cached ? 0 : roundCost(costOf(settings.pricing, answered.target, answeredUsage));
  if (costUsd !== undefined) record.costUsd = costUsd;
  if (failed) record.error = errorOf(ending.error, kinds);
  const fields = scrubbedRecord(options.auditFields);
  if (fields !== undefined) record.fields = fields;
  if (response?.finishReason !== undefined) record.finishReason = response.finishReason;
  if (audit.include.ip && options.ip !== undefined) record.ip = options.ip;
  record.kind = 'call';
  record.latencyMs = roundMs(ending.endedAt - context.startedAt);
  record.libraryVersion = LIBRARY_VERSION;
  const metadata = scrubbedRecord(request.metadata);
  if (metadata !== undefined) record.metadata = metadata;
  record.mode = context.mode;
  record.model = defined({ requested: request.model, served: answered?.servedModel, target: target?.model });
  record.outcome = failed ? 'error' : 'ok';
  record.parameters = defined({
    maxTokens: request.maxTokens,
    stop: request.stop?.map((stop) => redact(stop, kinds)),
    temperature: request.temperature,
    toolChoice: request.toolChoice,
    tools: request.tools?.map((tool) => tool.name),
    topP: request.topP,
  });
  record.prevHash = undefined;
  if (audit.content !== 'none') record.promptHash = promptHashOf(request);
  if (notes.rateLimitWaitMs !== undefined) record.rateLimit = { waitMs: roundMs(notes.rateLimitWaitMs) };
  record.requestId = context.requestId;
  if (audit.content !== 'none' && response !== undefined) record.responseHash = responseHashOf(response);
  if (notes.retryBudgetExhausted === true) record.retryBudgetExhausted = true;
  record.route = context.route.name;
  record.schema = AUDIT_SCHEMA_VERSION;
  if (notes.sensitiveWordHits !== undefined) record.sensitiveWordHits = notes.sensitiveWordHits;
  record.seq = undefined;
  const servedRoute = answered?.route ?? lastAttempt?.route;
  if (servedRoute !== undefined) record.servedRoute = servedRoute;
  if (target !== undefined) record.target = { model: target.model, provider: target.provider };
  if (options.tenant !== undefined) record.tenant = redactSecretValues(options.tenant);
  if (options.traceId !== undefined) record.traceId = redactSecretValues(options.traceId);
  record.ts = new Date(ending.startedAtMs).toISOString();
  if (ending.firstOutputAt !== undefined) record.ttftMs = roundMs(ending.firstOutputAt - context.startedAt);
  const usage = answeredUsage;
  if (usage !== undefined) {
    // `cachedInputTokens` keeps its meaning in records (prompt-cache reads); writes are beside it,
    // only when there were some (records of calls without breakpoints keep their fields).
    record.usage = defined({
      cacheWriteInputTokens: usage.cacheWriteInputTokens === 0 ? undefined : usage.cacheWriteInputTokens,
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from custom adapters
      cachedInputTokens: usage.cacheReadInputTokens ?? usage.cachedInputTokens,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      totalTokens: usage.totalTokens,
    });
  }
  if (options.user !== undefined) record.user = recordedUser(options.user, audit.pseudonymizeKey);
  return record;
}

/** Cost rounded to 1e-10 dollars, so records do not carry floating-point noise. */
function roundCost(dollars: number | undefined): number | undefined {
  return dollars === undefined ? undefined : Math.round(dollars * 1e10) / 1e10;
}
