/**
 * Copies of cached answers, field by field. The memory store copies every entry in and out; the
 * generic `copyJson` walks objects by their keys, which V8 runs through its megamorphic keyed
 * loads and stores (~8k machine instructions per insert, a sixth of a cache miss). An answer has a
 * known shape, so it is copied as one: only tool-call arguments, which are free-form JSON, go
 * through `copyJson`.
 *
 * What a store keeps is packed into one flat object (`PackedEntry`) instead of the six an entry is
 * made of (entry, answer, usage, target, tool-call list, and the store's own slot): a full memory
 * cache holds `maxEntries` of them for as long as they live, and every object held is one more for
 * the garbage collector to copy while it is young and to mark once it is old.
 *
 * Unpacking gives what a JSON round trip of the known fields gives for the answers adapters
 * produce (absent and `undefined` optional fields left out; token counts are finite integers,
 * copied as they are). Fields outside `CachedEntry`'s type (per-call fields of a whole
 * `ChatResponse`, say) are not kept.
 */
import type { FinishReason, ReasoningPart, TextPart, ToolCall, Usage } from '../../types.js';
import { copyJson } from './copy-json.js';
import type { CachedEntry, CachedResponse } from './store.js';
import type { Mutable } from '../../mutable.js';

/** A cached entry and its expiry as one flat object, owned by the store that packed it. */
export interface PackedEntry {
  readonly id: string;
  readonly text: string;
  /** The store's own deep copy of the tool calls; undefined when there are none. */
  readonly toolCalls: readonly ToolCall[] | undefined;
  readonly finishReason: FinishReason;
  readonly rawFinishReason: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly cacheReadInputTokens: number | undefined;
  readonly cacheWriteInputTokens: number | undefined;
  /** Absent in entries stored before it existed. */
  readonly cacheWrite1hInputTokens?: number | undefined;
  readonly route: string;
  readonly provider: string;
  readonly model: string;
  readonly servedModel: string | undefined;
  /** The store's own copy of the reasoning parts; undefined when there are none. */
  readonly reasoning: readonly ReasoningPart[] | undefined;
  /** The store's own copy of the cited text parts; undefined when the answer cites nothing. */
  readonly textParts: readonly TextPart[] | undefined;
  readonly storedAt: number;
  /** When the entry stops being served, on the store's clock. */
  readonly expiresAt: number;
}

/**
 * The fields of a cached answer from a response (a whole `ChatResponse` or a `CachedResponse`),
 * without the per-call ones. Shallow: nested objects are shared with `response`.
 */
export function answerFields(response: CachedResponse): CachedResponse {
  const answer: Mutable<CachedResponse> = {
    id: response.id,
    text: response.text,
    toolCalls: response.toolCalls,
    finishReason: response.finishReason,
    usage: response.usage,
    route: response.route,
    target: response.target,
  };
  if (response.rawFinishReason !== undefined) answer.rawFinishReason = response.rawFinishReason;
  if (response.servedModel !== undefined) answer.servedModel = response.servedModel;
  if (response.reasoning !== undefined && response.reasoning.length > 0) answer.reasoning = response.reasoning;
  if (response.textParts !== undefined) answer.textParts = response.textParts;
  return answer;
}

/** Packs a copy of `entry`; nothing of `entry` is shared with the result. */
export function packEntry(entry: CachedEntry, expiresAt: number): PackedEntry {
  const { response } = entry;
  const { usage, target } = response;
  return {
    id: response.id,
    text: response.text,
    toolCalls: response.toolCalls.length === 0 ? undefined : response.toolCalls.map(copyToolCall),
    finishReason: response.finishReason,
    rawFinishReason: response.rawFinishReason,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: usage.totalTokens,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still read from custom adapters
    cacheReadInputTokens: usage.cacheReadInputTokens ?? usage.cachedInputTokens,
    cacheWriteInputTokens: usage.cacheWriteInputTokens,
    cacheWrite1hInputTokens: usage.cacheWrite1hInputTokens,
    route: response.route,
    provider: target.provider,
    model: target.model,
    servedModel: response.servedModel,
    reasoning: response.reasoning === undefined || response.reasoning.length === 0 ? undefined : response.reasoning.map(copyReasoningPart),
    // Rare (citations only), so the generic copy is fine here.
    textParts: response.textParts === undefined ? undefined : copyJson(response.textParts),
    storedAt: entry.storedAt,
    expiresAt,
  };
}

/** A fresh entry from a packed one; nothing of `packed` is shared with the result. */
export function unpackEntry(packed: PackedEntry): CachedEntry {
  const usage: Mutable<Usage> = { inputTokens: packed.inputTokens, outputTokens: packed.outputTokens, totalTokens: packed.totalTokens };
  if (packed.cacheReadInputTokens !== undefined) {
    usage.cacheReadInputTokens = packed.cacheReadInputTokens;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still set for existing readers
    usage.cachedInputTokens = packed.cacheReadInputTokens; // the deprecated copy, as adapters set it
  }
  if (packed.cacheWriteInputTokens !== undefined) usage.cacheWriteInputTokens = packed.cacheWriteInputTokens;
  if (packed.cacheWrite1hInputTokens !== undefined) usage.cacheWrite1hInputTokens = packed.cacheWrite1hInputTokens;
  const answer: Mutable<CachedResponse> = {
    id: packed.id,
    text: packed.text,
    toolCalls: packed.toolCalls === undefined ? [] : packed.toolCalls.map(copyToolCall),
    finishReason: packed.finishReason,
    usage,
    route: packed.route,
    target: { provider: packed.provider, model: packed.model },
  };
  if (packed.rawFinishReason !== undefined) answer.rawFinishReason = packed.rawFinishReason;
  if (packed.servedModel !== undefined) answer.servedModel = packed.servedModel;
  if (packed.reasoning !== undefined) answer.reasoning = packed.reasoning.map(copyReasoningPart);
  if (packed.textParts !== undefined) answer.textParts = copyJson(packed.textParts);
  return { response: answer, storedAt: packed.storedAt };
}

/** Reasoning parts hold strings only: a shallow copy is a whole one. */
function copyReasoningPart(part: ReasoningPart): ReasoningPart {
  return { ...part };
}

function copyToolCall(call: ToolCall): ToolCall {
  return { id: call.id, name: call.name, arguments: copyJson(call.arguments) };
}
