/**
 * Defaults for the sections beyond routing and policies: canary rollouts, prices, audit, metrics
 * and content filters.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { registerSecret } from '../errors.js';
import type { PathProblem } from './config-error.js';
import type { ParsedConfig } from './schema.js';
import type { AuditConfig, CanaryConfig, CanaryGuards, FiltersConfig, MetricsConfig, PriceTable, RedactionKind, TargetConfig } from './types.js';

type ParsedRoute = NonNullable<ParsedConfig['routes']>[string];
type ParsedCanary = NonNullable<ParsedRoute['canary']>;

const ALL_REDACTIONS: readonly RedactionKind[] = ['email', 'phone', 'card', 'iban', 'cn_id', 'secret'];

/**
 * The guards every canary has unless its config turns one off with `false`: errors +2 points,
 * cancellations +5 points, median and p95 latency ×1.25, and the quality guards. Cost is opt-in.
 */
export const DEFAULT_CANARY_GUARDS: CanaryGuards = {
  errorRate: { maxIncrease: 0.02 },
  cancelRate: { maxIncrease: 0.05 },
  latencyP50: { maxRatio: 1.25 },
  latencyP95: { maxRatio: 1.25 },
  lengthFinishRate: { maxIncrease: 0.05 },
  contentFilterRate: { maxIncrease: 0.05 },
  emptyAnswerRate: { maxIncrease: 0.05 },
  invalidToolCallRate: { maxIncrease: 0.05 },
  invalidOutputRate: { maxIncrease: 0.05 },
};

function resolveGuards(parsed: ParsedCanary['guards']): CanaryGuards {
  const guards: Record<string, unknown> = { ...DEFAULT_CANARY_GUARDS };
  // A config built in JavaScript may set a guard to `undefined` (the parsed type omits it): the default stays.
  const given: [string, unknown][] = Object.entries(parsed ?? {});
  for (const [name, value] of given) {
    if (value === false) delete guards[name];
    else if (value !== undefined) guards[name] = value;
  }
  return guards;
}

/** A canary with its defaults: sticky by user, the route name as salt, 95% confidence, the default guards. */
export function resolveCanary(routeName: string, canary: ParsedCanary): CanaryConfig {
  for (const webhook of canary.webhooks ?? []) if (webhook.secret !== undefined) registerSecret(webhook.secret);
  return {
    baseline: { provider: canary.baseline.provider, model: canary.baseline.model },
    candidate: { provider: canary.candidate.provider, model: canary.candidate.model },
    sticky: canary.sticky ?? 'user',
    salt: canary.salt ?? routeName,
    steps: canary.steps.map((step) => ({ weight: step.weight, minRequests: step.minRequests ?? 0, minDurationMs: step.minDuration ?? 0, approval: step.approval ?? 'auto' })),
    guards: resolveGuards(canary.guards),
    confidence: canary.confidence ?? 0.95,
    shadow: canary.shadow ?? false,
    shadowConcurrency: canary.shadowConcurrency ?? 4,
    brokenAt: canary.brokenAt ?? { errorRate: 0.5, minCalls: 20 },
    sampleRatio: { alpha: canary.sampleRatio?.alpha ?? 0.001, onSustained: canary.sampleRatio?.onSustained ?? 'pause', sustainedForMs: canary.sampleRatio?.sustainedFor ?? 600_000 },
    stallAfterMs: canary.stallAfter ?? 300_000,
    startupWaitMs: canary.startupWait ?? 2_000,
    webhooks: (canary.webhooks ?? []).map((webhook) => ({
      url: webhook.url,
      events: webhook.events ?? [],
      ...(webhook.secret === undefined ? {} : { secret: webhook.secret }),
      retries: webhook.retries ?? 3,
      timeoutMs: webhook.timeout ?? 5_000,
    })),
  };
}

/** A canary route's targets at its first step: the baseline and the candidate, weighted. */
export function canaryTargets(canary: CanaryConfig): TargetConfig[] {
  const weight = canary.shadow ? 0 : (canary.steps[0]?.weight ?? 0);
  return [
    { ...canary.baseline, weight: 100 - weight },
    { ...canary.candidate, weight },
  ];
}

function readWords(file: string, baseDirectory: string, problems: PathProblem[]): string[] {
  try {
    return readFileSync(resolve(baseDirectory, file), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  } catch (error) {
    problems.push({ path: ['filters', 'sensitiveWords', 'file'], message: `cannot be read (${error instanceof Error ? error.message : String(error)})` });
    return [];
  }
}

/** Resolves pricing, audit, metrics and filters, reporting unreadable word files. */
export function resolveExtensions(
  parsed: ParsedConfig,
  baseDirectory: string,
  problems: PathProblem[],
): { pricing: PriceTable; audit?: AuditConfig; metrics: MetricsConfig; filters: FiltersConfig } {
  const metrics: MetricsConfig = {
    enabled: parsed.metrics?.enabled ?? true,
    prefix: parsed.metrics?.prefix ?? 'switchyard_',
    intents: [...(parsed.metrics?.intents ?? [])],
    processMetrics: parsed.metrics?.processMetrics ?? false,
  };
  const words = parsed.filters?.sensitiveWords;
  const filters: FiltersConfig =
    words === undefined
      ? {}
      : {
          sensitiveWords: {
            words: [...(words.words ?? []), ...(words.file === undefined ? [] : readWords(words.file, baseDirectory, problems))],
            action: words.action ?? 'block',
            maskCharacter: words.maskCharacter ?? '*',
          },
        };
  const audit = parsed.audit;
  let resolvedAudit: AuditConfig | undefined;
  if (audit !== undefined) {
    const sink = audit.sink;
    if (audit.pseudonymize !== undefined) registerSecret(audit.pseudonymize.key);
    resolvedAudit = {
      sink:
        sink.type === 'file'
          ? {
              type: 'file',
              path: resolve(baseDirectory, sink.path),
              rotateBytes: sink.rotate?.size ?? 0,
              fsync: sink.fsync ?? 'always',
              flushIntervalMs: sink.flushInterval ?? 1_000,
              queueSize: sink.queueSize ?? 10_000,
            }
          : sink,
      content: audit.content ?? 'hash',
      redact: audit.redact ?? ALL_REDACTIONS,
      include: { ip: audit.include?.ip ?? false },
      ...(audit.pseudonymize === undefined ? {} : { pseudonymizeKey: audit.pseudonymize.key }),
    };
  }
  return { pricing: parsed.pricing ?? {}, ...(resolvedAudit === undefined ? {} : { audit: resolvedAudit }), metrics, filters };
}
