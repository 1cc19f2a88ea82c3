/**
 * Span attributes for a call, after the OpenTelemetry GenAI semantic conventions (inference span,
 * `docs/gen-ai/gen-ai-spans.md` in open-telemetry/semantic-conventions, status Development) plus
 * `switchyard.*` attributes for what only a router knows (route, attempts, cache, canary arm).
 *
 * Content (prompts, answers, error messages) is never put on spans: traces leave the process, and
 * the conventions make content opt-in.
 */
import type { ProviderType } from '../provider-spec.js';
import type { ProviderConfig } from '../config/types.js';
import type { RouterEvents } from '../events.js';
import type { CallContext } from '../pipeline/context.js';
import type { SpanAttributes } from './otel-api.js';

/** `gen_ai.operation.name` of every Switchyard call. */
export const GEN_AI_OPERATION = 'chat';

/**
 * `gen_ai.provider.name` per provider type: the registry's well-known values. An OpenAI-compatible
 * server speaks OpenAI's API, and the conventions name the telemetry flavour, not the host.
 */
export const GEN_AI_PROVIDER_NAMES: Readonly<Record<ProviderType, string>> = {
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  'openai-compatible': 'openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  bedrock: 'aws.bedrock',
  vertex: 'gcp.vertex_ai',
};

/** Attributes known when the call starts: the operation and the request's parameters. */
export function startAttributes(context: CallContext): SpanAttributes {
  const { request } = context;
  return {
    'gen_ai.operation.name': GEN_AI_OPERATION,
    'gen_ai.request.temperature': request.temperature,
    'gen_ai.request.max_tokens': request.maxTokens,
    'gen_ai.request.top_p': request.topP,
    'gen_ai.request.stop_sequences': request.stop === undefined || request.stop.length === 0 ? undefined : [...request.stop],
    'gen_ai.request.stream': context.mode === 'stream',
    'switchyard.route': context.route.name,
    'switchyard.request_id': context.requestId,
  };
}

/** Where a provider's server is, for `server.address` and `server.port`. */
function serverOf(provider: ProviderConfig | undefined): { address?: string; port?: number } {
  if (provider === undefined) return {};
  try {
    const url = new URL(provider.baseUrl);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { address: url.hostname, port };
  } catch {
    return {};
  }
}

/**
 * Attributes known when the call ends: provider, models, usage, finish reason, error type, and
 * what the router did. `providers` maps provider ids to their config (for the type and server).
 */
export function endAttributes(end: RouterEvents['call-end'], providers: Readonly<Record<string, ProviderConfig>>): SpanAttributes {
  const { response, error, notes } = end;
  const target = response?.target ?? end.attempts.at(-1)?.target;
  const provider = target === undefined ? undefined : providers[target.provider];
  // A custom adapter type has no registered GenAI name: its type stands for itself.
  const providerName = provider === undefined ? target?.provider : ((GEN_AI_PROVIDER_NAMES as Readonly<Record<string, string>>)[provider.type] ?? provider.type);
  const server = serverOf(provider);
  const usage = response?.usage;
  return {
    'gen_ai.provider.name': providerName,
    // The attribute `gen_ai.provider.name` replaced (semantic conventions before v1.37); kept for older backends.
    'gen_ai.system': providerName,
    'gen_ai.request.model': target?.model ?? end.request.model,
    'gen_ai.response.model': response === undefined ? undefined : (response.servedModel ?? response.target.model),
    'gen_ai.response.id': response?.id,
    'gen_ai.response.finish_reasons': response === undefined ? undefined : [response.finishReason],
    'gen_ai.usage.input_tokens': usage?.inputTokens,
    'gen_ai.usage.output_tokens': usage?.outputTokens,
    'gen_ai.usage.cache_read.input_tokens': usage?.cacheReadInputTokens === undefined || usage.cacheReadInputTokens === 0 ? undefined : usage.cacheReadInputTokens,
    'gen_ai.usage.cache_creation.input_tokens': usage?.cacheWriteInputTokens === undefined || usage.cacheWriteInputTokens === 0 ? undefined : usage.cacheWriteInputTokens,
    'gen_ai.response.time_to_first_chunk': end.timeToFirstTokenMs === undefined ? undefined : end.timeToFirstTokenMs / 1000,
    'server.address': server.address,
    'server.port': server.port,
    'error.type': error?.category,
    'http.response.status_code': error?.status,
    'switchyard.provider': target?.provider,
    'switchyard.response.route': response?.route,
    'switchyard.attempts': end.attempts.length,
    'switchyard.attempt_outcomes': end.attempts.length === 0 ? undefined : end.attempts.map((attempt) => attempt.outcome),
    'switchyard.cache': notes.cache,
    'switchyard.cached': response?.cached,
    'switchyard.canary.arm': notes.canary?.arm,
    'switchyard.canary.step': notes.canary?.step,
    'switchyard.rate_limit.wait_ms': notes.rateLimitWaitMs,
    'switchyard.breaker_skips': notes.breakerSkips === undefined || notes.breakerSkips.length === 0 ? undefined : [...notes.breakerSkips],
    'switchyard.retry_budget_exhausted': notes.retryBudgetExhausted,
    'switchyard.sensitive_word_hits': notes.sensitiveWordHits,
  };
}

/** The span name the conventions ask for: `{gen_ai.operation.name} {gen_ai.request.model}`. */
export function spanName(model: string): string {
  return `${GEN_AI_OPERATION} ${model}`;
}
