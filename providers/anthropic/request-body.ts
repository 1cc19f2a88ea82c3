/**
 * The body of an Anthropic Messages API request (`POST /v1/messages`), as sent on the wire.
 * Reference: https://platform.claude.com/docs/en/api/messages
 * Its own module so that request.ts, which builds it, and the parts that fill it in
 * (structured-output.ts) both depend on it without depending on each other.
 */
import type { AnthropicThinkingBlock, AnthropicThinkingConfig } from './thinking.js';
import type { AnthropicCacheControl, AnthropicSystemBlock } from './cache-control.js';
import type { AnthropicDocumentBlock, AnthropicFileSource } from './document-part.js';

/** A content block of a request message. */
export type AnthropicContentBlock =
  | { readonly type: 'text'; readonly text: string; readonly cache_control?: AnthropicCacheControl; readonly citations?: readonly Record<string, unknown>[] }
  | { readonly type: 'image'; readonly source: AnthropicImageSource; readonly cache_control?: AnthropicCacheControl }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: Record<string, unknown> }
  | AnthropicDocumentBlock
  | AnthropicThinkingBlock
  | {
      readonly type: 'tool_result';
      readonly tool_use_id: string;
      readonly content: string | readonly AnthropicContentBlock[];
      /** The tool failed (unified `Message.isError`). */
      readonly is_error?: boolean;
      readonly cache_control?: AnthropicCacheControl;
    };

/** Where an image comes from: inline base64 data, or a URL Anthropic fetches. */
export type AnthropicImageSource =
  | { readonly type: 'base64'; readonly media_type: string; readonly data: string }
  | { readonly type: 'url'; readonly url: string }
  | AnthropicFileSource;

/** One message of the request body; consecutive messages of one role are merged. */
export interface AnthropicMessage {
  readonly role: 'user' | 'assistant';
  readonly content: AnthropicContentBlock[];
}

/** `tool_choice` of the request body; `disable_parallel_tool_use` (auto, any, tool) allows at most one tool call. */
export type AnthropicToolChoice =
  | { readonly type: 'auto'; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: 'none' }
  | { readonly type: 'any'; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: 'tool'; readonly name: string; readonly disable_parallel_tool_use?: boolean };

/** The request body of `POST /v1/messages`. */
export interface AnthropicRequestBody {
  readonly model: string;
  readonly max_tokens: number;
  readonly messages: readonly AnthropicMessage[];
  /** A string, or text blocks when the system prompt carries prompt-cache breakpoints. */
  readonly system?: string | readonly AnthropicSystemBlock[];
  readonly tools?: readonly { readonly name: string; readonly description?: string; readonly input_schema: Record<string, unknown>; readonly cache_control?: AnthropicCacheControl }[];
  /** Native structured output (`format`); see structured-output.ts. */
  readonly output_config?: { readonly format?: { readonly type: 'json_schema'; readonly schema: Record<string, unknown> } };
  readonly tool_choice?: AnthropicToolChoice;
  /** Extended thinking (thinking.ts). */
  readonly thinking?: AnthropicThinkingConfig;
  readonly stop_sequences?: readonly string[];
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stream?: boolean;
}
