/**
 * A unified `ChatResponse` → the `chat.completion` object, exactly as the API returns it
 * (https://platform.openai.com/docs/api-reference/chat/object).
 */
import type { ChatResponse } from '../../../types.js';
import { chatCompletionId, nowInSeconds, openAIFinishReason, openAIToolCall, openAIUsage } from './completion-fields.js';
import { urlAnnotations } from './url-annotations.js';
import type { ChatCompletionObject } from './wire-types.js';

/** Options of `toChatCompletion`. */
export interface ChatCompletionOptions {
  /** `created`, in Unix seconds. @default now */
  readonly created?: number;
}

/**
 * The `chat.completion` object for an answer. `model` is the model the client asked for (a route
 * name or `provider/model`), not the upstream model that served it; `content` is `null` when the
 * answer is only tool calls, as the API sends it; `reasoning_content` (DeepSeek's field) carries
 * the model's reasoning text when it showed any; `annotations` has the answer's web citations
 * (`url-annotations.ts`), empty as the API sends it when there are none.
 */
export function toChatCompletion(response: ChatResponse, requestedModel: string, options: ChatCompletionOptions = {}): ChatCompletionObject {
  const toolCalls = response.toolCalls.map(openAIToolCall);
  const content = response.text === '' && toolCalls.length > 0 ? null : response.text;
  const reasoning = reasoningText(response);
  const annotations = urlAnnotations(response.textParts);
  const message: ChatCompletionObject['choices'][0]['message'] =
    toolCalls.length === 0 ? { role: 'assistant', content, refusal: null, annotations } : { role: 'assistant', content, refusal: null, tool_calls: toolCalls, annotations };
  return {
    id: chatCompletionId(response.id),
    object: 'chat.completion',
    created: options.created ?? nowInSeconds(),
    model: requestedModel,
    choices: [
      {
        index: 0,
        message: reasoning === undefined ? message : { ...message, reasoning_content: reasoning },
        logprobs: null,
        finish_reason: openAIFinishReason(response.finishReason),
      },
    ],
    usage: openAIUsage(response.usage),
    system_fingerprint: null,
  };
}

/** The reasoning parts' texts joined, or undefined when there are none with text (redacted reasoning has none). */
function reasoningText(response: ChatResponse): string | undefined {
  if (response.reasoning.length === 0) return undefined;
  const text = response.reasoning.map((part) => part.text).join('');
  return text === '' ? undefined : text;
}
