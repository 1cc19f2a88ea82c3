/**
 * Builds a call's audit record from its context and how it ended. Everything here is synchronous
 * and pure apart from the clock the caller passes: the stage calls it once per call, when the call
 * (or its stream) has ended.
 */
import { createHmac } from 'node:crypto';
import type { AuditConfig, PriceTable, RedactionKind } from '../config/types.js';
import { redactErrorText, SwitchyardError } from '../errors.js';
import type { CallContext } from '../pipeline/context.js';
import { redact } from '../redaction/redact.js';
import { redactSecretValues } from '../redaction/secrets.js';
import type { ChatResponse } from '../types.js';
import { costOf } from '../pricing.js';
import { promptHashOf, recordContent, responseHashOf } from './content.js';
import { AUDIT_SCHEMA_VERSION, type CallRecordBody } from './record.js';
import { LIBRARY_VERSION } from '../version.js';

/** What the builder needs of the config. */
export interface RecordSettings {
  readonly audit: AuditConfig;
  readonly pricing: PriceTable;
  readonly versionHash: string;
}

/** How a call ended. */
export interface CallEnding {
  readonly response?: ChatResponse;
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

/** `fields` without its undefined members (records never carry `"key": undefined`). */
function defined<T extends object>(fields: T): T {
  const result: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) result[key] = value;
  }
  return result as T;
}

function scrubbedRecord(values: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  const entries = Object.entries(values);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([key, value]) => [redactSecretValues(key), redactSecretValues(String(value))]));
}

function errorOf(error: unknown, kinds: readonly RedactionKind[]): NonNullable<CallRecordBody['error']> {
  if (SwitchyardError.isInstance(error)) {
    return defined({
      category: error.category,
      message: redact(error.message, kinds),
      retryable: error.retryable,
      status: error.status,
      provider: error.provider,
      model: error.model,
      providerCode: error.providerCode === undefined ? undefined : redact(error.providerCode, kinds),
    });
  }
  // Not ours: its message gets what every SwitchyardError message gets (a key cut anywhere, a
  // JSON.parse quote of a body), before the configured kinds.
  const message = redactErrorText(error instanceof Error ? error.message : String(error));
  return { category: 'unknown', message: redact(message, kinds), retryable: false };
}

/** Builds the record body of one ended call. */
export function buildCallRecord(context: CallContext, ending: CallEnding, settings: RecordSettings): CallRecordBody {
  const { audit } = settings;
  const { request, options, notes } = context;
  const kinds: readonly RedactionKind[] = audit.redact.includes('secret') ? audit.redact : [...audit.redact, 'secret'];
  const response = ending.error === undefined ? ending.response : undefined;
  const lastAttempt = context.attempts[context.attempts.length - 1];
  const target = response?.target ?? lastAttempt?.target;
  const usage = response?.usage;
  const canary = notes.canary;
  return defined<CallRecordBody>({
    schema: AUDIT_SCHEMA_VERSION,
    kind: 'call',
    ts: new Date(ending.startedAtMs).toISOString(),
    requestId: context.requestId,
    traceId: options.traceId === undefined ? undefined : redactSecretValues(options.traceId),
    tenant: options.tenant === undefined ? undefined : redactSecretValues(options.tenant),
    user: options.user === undefined ? undefined : recordedUser(options.user, audit.pseudonymizeKey),
    fields: scrubbedRecord(options.auditFields),
    metadata: scrubbedRecord(request.metadata),
    ip: audit.include.ip ? options.ip : undefined,
    mode: context.mode,
    route: context.route.name,
    servedRoute: response?.route ?? lastAttempt?.route,
    target: target === undefined ? undefined : { provider: target.provider, model: target.model },
    arm: canary?.arm,
    canary: canary === undefined ? undefined : { route: canary.route, arm: canary.arm, step: canary.step, weight: canary.weight },
    model: defined({ requested: request.model, target: target?.model, served: response?.servedModel }),
    parameters: defined({
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      topP: request.topP,
      stop: request.stop?.map((stop) => redact(stop, kinds)),
      tools: request.tools?.map((tool) => tool.name),
      toolChoice: request.toolChoice,
    }),
    promptHash: audit.content === 'none' ? undefined : promptHashOf(request),
    responseHash: audit.content === 'none' || response === undefined ? undefined : responseHashOf(response),
    content: recordContent(audit, request, response),
    usage:
      usage === undefined
        ? undefined
        : defined({ inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.totalTokens, cachedInputTokens: usage.cachedInputTokens }),
    costUsd: response === undefined ? undefined : response.cached ? 0 : roundCost(costOf(settings.pricing, response.target, response.usage)),
    latencyMs: roundMs(ending.endedAt - context.startedAt),
    ttftMs: ending.firstOutputAt === undefined ? undefined : roundMs(ending.firstOutputAt - context.startedAt),
    outcome: ending.error === undefined ? 'ok' : 'error',
    finishReason: response?.finishReason,
    error: ending.error === undefined ? undefined : errorOf(ending.error, kinds),
    attempts: context.attempts.map((attempt) =>
      defined({ route: attempt.route, provider: attempt.target.provider, model: attempt.target.model, outcome: attempt.outcome, status: attempt.status, ms: roundMs(attempt.ms) }),
    ),
    cache: notes.cache,
    breaker: notes.breakerSkips === undefined || notes.breakerSkips.length === 0 ? undefined : { skipped: [...notes.breakerSkips] },
    rateLimit: notes.rateLimitWaitMs === undefined ? undefined : { waitMs: roundMs(notes.rateLimitWaitMs) },
    retryBudgetExhausted: notes.retryBudgetExhausted === true ? true : undefined,
    sensitiveWordHits: notes.sensitiveWordHits,
    configVersion: settings.versionHash,
    libraryVersion: LIBRARY_VERSION,
  });
}

/** Cost rounded to 1e-10 dollars, so records do not carry floating-point noise. */
function roundCost(dollars: number | undefined): number | undefined {
  return dollars === undefined ? undefined : Math.round(dollars * 1e10) / 1e10;
}
