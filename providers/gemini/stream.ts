/**
 * Maps Gemini's `streamGenerateContent?alt=sse` events to adapter stream parts. Each SSE `data`
 * is a whole `GenerateContentResponse` chunk: text arrives in pieces, a `functionCall` arrives
 * whole in one chunk, and the last chunk carries `finishReason` and the final `usageMetadata`.
 * A stream that ends before any chunk carried a `finishReason` was cut, and is reported as a
 * `network` error rather than a silent, truncated success.
 */
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import type { SseEvent } from '../../src/streaming/sse.js';
import type { Usage } from '../../src/types.js';
import { geminiError } from './errors.js';
import {
  candidateParts,
  firstCandidate,
  mapGeminiFinishReason,
  mapGeminiUsage,
  partText,
  partToolCall,
  throwIfPromptBlocked,
} from './response.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseChunk(data: string, provider: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new SwitchyardError({ category: 'server', message: `${provider} sent a stream chunk that is not JSON`, provider, cause: error });
  }
  if (!isRecord(value)) throw new SwitchyardError({ category: 'server', message: `${provider} sent a stream chunk that is not an object`, provider });
  return value;
}

/** Turns Gemini SSE events into stream parts. Throws `SwitchyardError` only. */
export async function* mapGeminiStream(events: AsyncIterable<SseEvent>, provider: string): AsyncGenerator<AdapterStreamPart> {
  let announced = false;
  let toolCallCount = 0;
  let usage: Usage | undefined;
  let rawFinishReason: string | undefined;

  for await (const event of events) {
    if (event.data.trim() === '') continue;
    const chunk = parseChunk(event.data, provider);
    if (chunk.error !== undefined) {
      const code = isRecord(chunk.error) && typeof chunk.error.code === 'number' ? chunk.error.code : 500;
      throw geminiError({ status: code, body: chunk }).with({ provider });
    }
    if (!announced) {
      announced = true;
      yield {
        type: 'response-metadata',
        ...(typeof chunk.responseId === 'string' ? { id: chunk.responseId } : {}),
        ...(typeof chunk.modelVersion === 'string' ? { servedModel: chunk.modelVersion } : {}),
      };
    }
    throwIfPromptBlocked(chunk, provider);
    if (chunk.usageMetadata !== undefined) usage = mapGeminiUsage(chunk.usageMetadata);
    const candidate = firstCandidate(chunk);
    for (const part of candidateParts(candidate)) {
      const text = partText(part);
      if (text !== undefined && text !== '') yield { type: 'text-delta', text };
      const toolCall = partToolCall(part, toolCallCount);
      if (toolCall !== undefined) {
        toolCallCount += 1;
        yield { type: 'tool-call', toolCall };
      }
    }
    if (typeof candidate?.finishReason === 'string') rawFinishReason = candidate.finishReason;
  }

  if (rawFinishReason === undefined) {
    throw new SwitchyardError({ category: 'network', message: `${provider} stream ended before a chunk carried a finishReason`, provider });
  }
  if (usage !== undefined) yield { type: 'usage', usage };
  yield { type: 'finish', finishReason: mapGeminiFinishReason(rawFinishReason, toolCallCount > 0), rawFinishReason };
}
