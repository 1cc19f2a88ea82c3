/**
 * The OpenAI Chat Completions shapes the ingress produces, as the API reference describes them
 * (https://platform.openai.com/docs/api-reference/chat/object, `.../chat/streaming`) and as the
 * official `openai` SDK types them (`resources/chat/completions/completions.d.ts`). Only the fields
 * the gateway sends are listed.
 */
import type { ChatRequest } from '../../../types.js';
import type { FileIdsToBind } from '../file-ids.js';

export type { ResponseFormat } from '../../../types.js';

/** What `parseChatCompletionRequest` understood of a Chat Completions request body. */
export interface ParsedOpenAIRequest {
  readonly request: ChatRequest;
  readonly stream: boolean;
  /** `stream_options.include_usage` on a streaming request: send a last chunk with `usage`. */
  readonly includeUsage: boolean;
  /** The body's `user` (the end user), for `CallOptions.user`. */
  readonly user?: string;
  /** The `model` exactly as the client sent it; answers name it back. */
  readonly requestedModel: string;
  /** Present when the body named uploaded files by id: bind them to the route's provider (`bindFileIds`). */
  readonly fileIds?: FileIdsToBind;
}

/** A finish reason as the API reports it. */
export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** A tool call in an answer. */
export interface OpenAIToolCallObject {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/**
 * A web citation in an answer (the API's only annotation type): the cited page and where in the
 * message's `content` the citing words are (string indices, end exclusive).
 */
export interface OpenAIAnnotationObject {
  readonly type: 'url_citation';
  readonly url_citation: { readonly url: string; readonly title: string; readonly start_index: number; readonly end_index: number };
}

/** The `usage` object. */
export interface OpenAIUsageObject {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  /** Present when the provider reported cached input tokens. */
  readonly prompt_tokens_details?: { readonly cached_tokens: number };
  /** Present when the provider reported reasoning tokens (part of `completion_tokens`). */
  readonly completion_tokens_details?: { readonly reasoning_tokens: number };
}

/** The `chat.completion` object. */
export interface ChatCompletionObject {
  readonly id: string;
  readonly object: 'chat.completion';
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
  readonly choices: readonly [
    {
      readonly index: 0;
      readonly message: {
        readonly role: 'assistant';
        /** `null` when the answer is only tool calls. */
        readonly content: string | null;
        readonly refusal: null;
        readonly tool_calls?: readonly OpenAIToolCallObject[];
        /** The answer's web citations (`url-annotations.ts`); empty when it cites none. */
        readonly annotations: readonly OpenAIAnnotationObject[];
        /**
         * The model's reasoning text, DeepSeek's field (https://api-docs.deepseek.com/guides/thinking_mode_api_example_streaming):
         * Chat Completions has none, and the `openai` SDK passes unknown fields through. Only when there was some.
         */
        readonly reasoning_content?: string;
      };
      readonly logprobs: null;
      readonly finish_reason: OpenAIFinishReason;
    },
  ];
  readonly usage: OpenAIUsageObject;
  readonly system_fingerprint: null;
}

/** The `error` object of an error body (and of an error frame in a stream). */
export interface OpenAIErrorObject {
  readonly message: string;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
}

/** An HTTP error answer in OpenAI's shape. */
export interface OpenAIErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: OpenAIErrorObject };
}
