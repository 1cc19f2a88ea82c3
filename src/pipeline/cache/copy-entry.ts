/**
 * Copies of cached answers, field by field. The memory store copies every entry in and out; the
 * generic `copyJson` walks objects by their keys, which V8 runs through its megamorphic keyed
 * loads and stores (~8k machine instructions per insert, a sixth of a cache miss). An answer has a
 * known shape, so it is copied as one: only tool-call arguments, which are free-form JSON, go
 * through `copyJson`.
 *
 * The result is what a JSON round trip of the known fields gives for the answers adapters produce
 * (absent and `undefined` optional fields left out; token counts are finite integers, copied as
 * they are). Fields outside `CachedEntry`'s type (per-call fields of a whole `ChatResponse`, say)
 * are not copied.
 */
import type { ToolCall, Usage } from '../../types.js';
import { copyJson } from './copy-json.js';
import type { CachedEntry, CachedResponse } from './store.js';

/** Mutable view of a type, for building a copy field by field. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The fields of a cached answer from a response (a whole `ChatResponse` or a `CachedResponse`),
 * without the per-call ones. Shallow: nested objects are shared with `response`.
 */
export function answerFields(response: CachedResponse): CachedResponse {
  const answer: Writable<CachedResponse> = {
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
  return answer;
}

/** A deep copy of a cached entry (see the module note for what is kept). */
export function copyCachedEntry(entry: CachedEntry): CachedEntry {
  const { response } = entry;
  const answer: Writable<CachedResponse> = {
    id: response.id,
    text: response.text,
    toolCalls: response.toolCalls.length === 0 ? [] : response.toolCalls.map(copyToolCall),
    finishReason: response.finishReason,
    usage: copyUsage(response.usage),
    route: response.route,
    target: { provider: response.target.provider, model: response.target.model },
  };
  if (response.rawFinishReason !== undefined) answer.rawFinishReason = response.rawFinishReason;
  if (response.servedModel !== undefined) answer.servedModel = response.servedModel;
  return { response: answer, storedAt: entry.storedAt };
}

function copyToolCall(call: ToolCall): ToolCall {
  return { id: call.id, name: call.name, arguments: copyJson(call.arguments) };
}

function copyUsage(usage: Usage): Usage {
  const copy: Writable<Usage> = {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    totalTokens: usage.totalTokens,
  };
  if (usage.cachedInputTokens !== undefined) copy.cachedInputTokens = usage.cachedInputTokens;
  return copy;
}

