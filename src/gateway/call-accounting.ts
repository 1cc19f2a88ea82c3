/**
 * What a gateway call holds while it runs and what it is charged after: room under its key's
 * own limits (rpm, tpm, concurrency: shared across instances through Redis when the config has
 * `state.redis`), and a quota reservation sized for the largest answer it may get, settled with
 * the real usage when the call ends.
 */
import { anthropicThinkingBudget } from '../../providers/anthropic/thinking.js';
import type { PriceTable, RouteConfig, SwitchyardConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { RateLimiter, RateLimitLease } from '../pipeline/rate-limit/rate-limiter.js';
import { costAtPrice, priceOf } from '../pricing.js';
import { routeChain } from '../router/target-choice.js';
import type { EmbedRequest } from '../embedding-types.js';
import type { ChatRequest, ContentPart, Target, Usage } from '../types.js';
import { estimateMediaTokens, type MediaTarget } from './media-estimate.js';
import { systemPromptText } from '../system-prompt.js';
import type { KeyRecord } from './store/types.js';

/** Tokens and dollars a call may use at most, held against its key's quota. */
export interface CallEstimate {
  readonly tokens: number;
  readonly usd: number;
}

/** Roughly four characters per token, the usual rule of thumb for English text and JSON. */
const CHARACTERS_PER_TOKEN = 4;

/**
 * The prompt's size in tokens, estimated from its characters (the provider counts the real ones),
 * images and documents by the rules of the providers `targets` may reach (see `media-estimate.ts`).
 */
export function estimateInputTokens(request: ChatRequest, targets: readonly Target[], providers: SwitchyardConfig['providers']): number {
  let characters = systemPromptText(request.system)?.length ?? 0;
  // Allocated only when a prompt has an image or a document.
  let media: Exclude<ContentPart, { type: 'text' }>[] | undefined;
  for (const message of request.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else for (const part of message.content) if (part.type === 'text') characters += part.text.length;
    else (media ??= []).push(part);
    for (const call of message.toolCalls ?? []) characters += call.name.length + JSON.stringify(call.arguments).length;
    // Reasoning sent back is read again as input (Anthropic counts thinking blocks of the last turn).
    for (const part of message.reasoning ?? []) characters += part.text.length + (part.redactedData?.length ?? 0);
  }
  for (const tool of request.tools ?? []) characters += tool.name.length + (tool.description?.length ?? 0) + JSON.stringify(tool.parameters).length;
  const text = Math.ceil(characters / CHARACTERS_PER_TOKEN);
  return media === undefined ? text : text + estimateMediaTokens(media, mediaTargetsOf(targets, providers));
}

/** The most output tokens a call may be billed: its answer's bound plus, with reasoning, the thinking budget. */
export function maxOutputTokens(request: ChatRequest, answerBound: number): number {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return answerBound;
  // The budget the Anthropic adapter sends (the largest any provider spends for the same option).
  const budget = anthropicThinkingBudget(reasoning);
  // As the Anthropic adapter sends it: `max_tokens` when above the budget, else budget + `max_tokens`.
  return answerBound > budget ? answerBound : budget + answerBound;
}

/**
 * The most a call may use: the prompt's estimate plus its `maxTokens` (or the largest provider
 * default), plus the thinking budget when it reasons (thinking is billed as output), priced at the
 * dearest target it may reach. Unpriced targets cost 0: a key with a dollar quota then only counts
 * what has a price (docs/gateway.md says to price every target).
 */
export function estimateCall(request: ChatRequest, route: RouteConfig, config: SwitchyardConfig): CallEstimate {
  // Every target the call may reach: its route's and its fallbacks'.
  const targets = routeChain(route, config.routes).flatMap((reachable) => reachable.targets);
  const maxOutput = maxOutputTokens(request, request.maxTokens ?? Math.max(0, ...targets.map((target) => config.providers[target.provider]?.defaultMaxTokens ?? 0)));
  const input = estimateInputTokens(request, targets, config.providers);
  const usage: Usage = { inputTokens: input, outputTokens: maxOutput, totalTokens: input + maxOutput };
  return { tokens: input + maxOutput, usd: Math.max(0, ...targets.map((target) => dearest(config.pricing, target, usage))) };
}

/** The provider type and model of each target (a target whose provider is unknown is left out). */
function mediaTargetsOf(targets: readonly Target[], providers: SwitchyardConfig['providers']): MediaTarget[] {
  const reachable: MediaTarget[] = [];
  for (const target of targets) {
    const type = providers[target.provider]?.type;
    if (type !== undefined) reachable.push({ providerType: type, model: target.model });
  }
  return reachable;
}

/**
 * The most an embedding call may use: its inputs' estimate (embeddings have no output), priced at
 * the dearest target it may reach.
 */
export function estimateEmbedCall(request: EmbedRequest, route: RouteConfig, config: SwitchyardConfig): CallEstimate {
  const targets = routeChain(route, config.routes).flatMap((reachable) => reachable.targets);
  const inputs: readonly string[] = typeof request.input === 'string' ? [request.input] : request.input;
  const input = inputs.reduce((tokens, text) => tokens + Math.ceil(text.length / CHARACTERS_PER_TOKEN), 0);
  const usage: Usage = { inputTokens: input, outputTokens: 0, totalTokens: input };
  return { tokens: input, usd: Math.max(0, ...targets.map((target) => dearest(config.pricing, target, usage))) };
}

function dearest(pricing: PriceTable, target: { provider: string; model: string }, usage: Usage): number {
  const price = priceOf(pricing, target);
  if (price === undefined) return 0;
  // Writing the prompt to the provider's cache may cost more than reading it plainly (Anthropic 1.25×–2×).
  const allWritten = { ...usage, cacheWriteInputTokens: usage.inputTokens };
  return Math.max(costAtPrice(price, usage), costAtPrice(price, allWritten), costAtPrice(price, { ...allWritten, cacheWrite1hInputTokens: usage.inputTokens }));
}

/** The key's own limits as a rate-limit policy over its id (never waiting: a client retries). */
export function keyLimitPolicy(record: KeyRecord): { readonly perTenant: { rpm?: number; tpm?: number; concurrency?: number }; readonly waitMs: number } | undefined {
  const { rpm, tpm, concurrency } = record.limits;
  if (rpm === undefined && tpm === undefined && concurrency === undefined) return undefined;
  return {
    perTenant: { ...(rpm === undefined ? {} : { rpm }), ...(tpm === undefined ? {} : { tpm }), ...(concurrency === undefined ? {} : { concurrency }) },
    waitMs: 0,
  };
}

/** Room under the key's own limits, or a `rate_limit` error naming the key (never its value). */
export async function acquireKeyLimits(limiter: RateLimiter, record: KeyRecord, signal: AbortSignal): Promise<RateLimitLease | undefined> {
  const policy = keyLimitPolicy(record);
  if (policy === undefined) return undefined;
  try {
    return await limiter.acquire({ tenant: `key:${record.id}` }, policy, signal);
  } catch (error) {
    if (!SwitchyardError.isInstance(error) || error.category !== 'rate_limit') throw error;
    // The limiter words its refusal for tenants; say which key's setting it is.
    const limit = /(rpm|tpm|concurrency) limit of (\d+)/.exec(error.message);
    const what = limit === null ? 'a limit' : `its ${limit[1]} limit of ${limit[2]}`;
    throw error.with({ message: `key "${record.name}" (${record.id}) reached ${what} (gateway key limits)` });
  }
}
