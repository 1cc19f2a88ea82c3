/**
 * Responses API response object → `AdapterResult`, per the reference's response object
 * (https://platform.openai.com/docs/api-reference/responses/object) and the SDK's types
 * (openai/openai-node `src/resources/responses/responses.ts`: `Response`, `ResponseOutputItem`,
 * `ResponseUsage`, `ResponseError`):
 *
 * - `output` items in order: `message` items' `output_text` parts are the text (a `refusal` part is
 *   not text, and makes the finish reason `content_filter`); when a part carries `annotations`,
 *   each part is one of `textParts` with its citations (../annotations.ts); `function_call` items are tool calls
 *   (`call_id` is the id a tool result answers); `reasoning` items are reasoning parts
 *   (reasoning.ts); other items (built-in tool calls) are ignored;
 * - `status`: `completed` → `stop` (`tool_calls` when the answer calls tools); `incomplete` with
 *   `incomplete_details.reason` `max_output_tokens` → `length`, `content_filter` → `content_filter`;
 *   `failed` → the `error` it carries, thrown through the OpenAI error mapping; the raw finish reason
 *   is the incomplete reason, else the status;
 * - `usage`: `input_tokens`, `output_tokens`, `total_tokens`, `input_tokens_details.cached_tokens`
 *   (cache reads) and `output_tokens_details.reasoning_tokens`.
 */
import { SwitchyardError } from '../../../src/errors.js';
import { parseToolArguments } from '../../../src/http/post-json.js';
import type { Mutable } from '../../../src/mutable.js';
import type { AdapterResult } from '../../../src/provider-spec.js';
import type { FinishReason, ReasoningPart, TextPart, ToolCall, Usage } from '../../../src/types.js';
import { parseOpenAIAnnotations } from '../annotations.js';
import { mapOpenAIStreamError } from '../errors.js';
import { generateId, isJsonObject, nonEmpty, ZERO_USAGE } from '../response.js';
import { RESPONSES_REASONING_PROVIDER, responsesReasoningPart } from './reasoning.js';

type JsonObject = Record<string, unknown>;

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Reads a Responses `usage` object; `undefined` when there is none. */
export function parseResponsesUsage(usage: unknown): Usage | undefined {
  if (!isJsonObject(usage)) return undefined;
  const inputTokens = count(usage.input_tokens) ?? 0;
  const outputTokens = count(usage.output_tokens) ?? 0;
  const mapped: Mutable<Usage> = { inputTokens, outputTokens, totalTokens: count(usage.total_tokens) ?? inputTokens + outputTokens };
  const cached = isJsonObject(usage.input_tokens_details) ? count(usage.input_tokens_details.cached_tokens) : undefined;
  if (cached !== undefined) {
    mapped.cacheReadInputTokens = cached;
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the old name, still set for existing readers
    mapped.cachedInputTokens = cached;
  }
  const reasoningTokens = isJsonObject(usage.output_tokens_details) ? count(usage.output_tokens_details.reasoning_tokens) : undefined;
  if (reasoningTokens !== undefined && reasoningTokens > 0) mapped.reasoningTokens = reasoningTokens;
  return mapped;
}

/** The raw finish reason: an incomplete answer's reason, else the status. */
export function rawResponsesFinishReason(response: JsonObject): string | undefined {
  const status = nonEmpty(response.status);
  if (status === 'incomplete') return (isJsonObject(response.incomplete_details) ? nonEmpty(response.incomplete_details.reason) : undefined) ?? status;
  return status;
}

/** The unified finish reason of a finished response. */
export function responsesFinishReason(raw: string | undefined, hasToolCalls: boolean, refused: boolean): FinishReason {
  if (raw === 'max_output_tokens') return 'length';
  if (raw === 'content_filter' || refused) return 'content_filter';
  if (hasToolCalls) return 'tool_calls';
  if (raw === 'completed') return 'stop';
  return 'other';
}

/** The error of a `failed` response (or of `response.failed` in a stream), through the OpenAI mapping. */
export function failedResponseError(response: JsonObject, secret: string | undefined): SwitchyardError {
  const error = isJsonObject(response.error) ? response.error : { message: 'the response failed without an error object', code: null };
  return mapOpenAIStreamError({ error }, secret, 'response failed');
}

/** A `function_call` item as a tool call: `call_id` is the id tool results answer. */
export function responsesToolCall(item: JsonObject, provider: string): ToolCall {
  const name = nonEmpty(item.name);
  if (name === undefined) throw new SwitchyardError({ category: 'server', message: `${provider} returned a function call without a name`, provider });
  const args = typeof item.arguments === 'string' ? item.arguments : JSON.stringify(item.arguments ?? {});
  return { id: nonEmpty(item.call_id) ?? nonEmpty(item.id) ?? generateId('call_'), name, arguments: parseToolArguments(args, provider, name) };
}



/** A `message` item's text: joined, as `output_text` parts (with their citations), and whether it holds a refusal. */
export function messageItemText(item: JsonObject): { readonly text: string; readonly parts: readonly TextPart[]; readonly cited: boolean; readonly refused: boolean } {
  const content = Array.isArray(item.content) ? item.content : [];
  let text = '';
  let refused = false;
  let cited = false;
  const parts: TextPart[] = [];
  for (const part of content) {
    if (!isJsonObject(part)) continue;
    if (part.type === 'output_text' && typeof part.text === 'string') {
      text += part.text;
      const citations = parseOpenAIAnnotations(part.annotations, RESPONSES_REASONING_PROVIDER);
      cited ||= citations.length > 0;
      parts.push(citations.length > 0 ? { type: 'text', text: part.text, citations } : { type: 'text', text: part.text });
    } else if (part.type === 'refusal') refused = true;
  }
  return { text, parts, cited, refused };
}

/**
 * Reads a complete response object. `failed` responses and bodies holding an `error` without a
 * status throw; a body that is not an object is a `server` error.
 */
export function parseResponsesAnswer(body: unknown, provider: string, secret?: string): AdapterResult {
  if (!isJsonObject(body)) throw new SwitchyardError({ category: 'server', message: `${provider} returned a response that is not an object`, provider });
  if (body.status === 'failed') throw failedResponseError(body, secret);
  if (body.status === undefined && body.error !== undefined && body.error !== null) throw mapOpenAIStreamError(body, secret, 'error in a 200 response');
  const output = Array.isArray(body.output) ? body.output : [];
  let text = '';
  let refused = false;
  let cited = false;
  const textParts: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningPart[] = [];
  for (const item of output) {
    if (!isJsonObject(item)) continue;
    if (item.type === 'message') {
      const message = messageItemText(item);
      text += message.text;
      textParts.push(...message.parts);
      cited ||= message.cited;
      refused ||= message.refused;
    } else if (item.type === 'function_call') {
      toolCalls.push(responsesToolCall(item, provider));
    } else if (item.type === 'reasoning') {
      reasoning.push(responsesReasoningPart(item));
    }
  }
  const rawFinishReason = rawResponsesFinishReason(body);
  const result: Mutable<AdapterResult> = {
    id: nonEmpty(body.id) ?? generateId('resp_'),
    text,
    toolCalls,
    finishReason: responsesFinishReason(rawFinishReason, toolCalls.length > 0, refused),
    usage: parseResponsesUsage(body.usage) ?? ZERO_USAGE,
  };
  if (reasoning.length > 0) result.reasoning = reasoning;
  if (cited) result.textParts = textParts;
  if (rawFinishReason !== undefined) result.rawFinishReason = rawFinishReason;
  const servedModel = nonEmpty(body.model);
  if (servedModel !== undefined) result.servedModel = servedModel;
  return result;
}
