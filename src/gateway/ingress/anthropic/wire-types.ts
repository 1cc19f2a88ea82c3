/**
 * The Messages API shapes the gateway answers with, from the public reference
 * (https://platform.claude.com/docs/en/api/messages, …/build-with-claude/streaming,
 * …/api/errors) and the `Message` type of the official `@anthropic-ai/sdk`.
 *
 * Only the classic documented fields are sent, plus a text block's `citations` when the answer
 * cites and usage's `cache_creation` when the upstream reported cache writes. Fields that describe
 * other Anthropic-only features (`container`, `stop_details`, `diagnostics`, `server_tool_use`,
 * `service_tier`, `inference_geo`) are left out: the gateway cannot know them for an answer from
 * another provider, and the SDK reads a missing one as absent.
 */

/** Why the model stopped, as the Messages API names it. */
export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

/**
 * One citation of a text block, in the SDK's `TextCitation` shapes: `type`, `cited_text` and the
 * fields of that type (`document_index`, `start_char_index`, …; see `citation-blocks.ts`).
 */
export interface AnthropicTextCitation {
  readonly type: string;
  readonly cited_text: string;
  readonly [field: string]: unknown;
}

/** A text content block of an answer; `citations` only on a block that cites. */
export interface AnthropicTextBlock {
  readonly type: 'text';
  readonly text: string;
  readonly citations?: readonly AnthropicTextCitation[];
}

/** A tool call the model made: `input` is the parsed arguments object. */
export interface AnthropicToolUseBlock {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The model's thinking: its text and the signature Anthropic checks when the block comes back. */
export interface AnthropicThinkingBlock {
  readonly type: 'thinking';
  readonly thinking: string;
  readonly signature: string;
}

/** Thinking Anthropic encrypted: `data` goes back unchanged. */
export interface AnthropicRedactedThinkingBlock {
  readonly type: 'redacted_thinking';
  readonly data: string;
}

/** One content block of an answer (thinking blocks come first). */
export type AnthropicContentBlock = AnthropicThinkingBlock | AnthropicRedactedThinkingBlock | AnthropicTextBlock | AnthropicToolUseBlock;

/**
 * Token counts. `input_tokens` excludes cache reads, as Anthropic counts it (the total input is
 * the sum of the counts); `cache_read_input_tokens` is present only when the upstream reported it.
 */
export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  /** Input tokens read from the prompt cache, when the upstream reported them. */
  readonly cache_read_input_tokens?: number;
  /** Input tokens written to the prompt cache, when the upstream reported them. */
  readonly cache_creation_input_tokens?: number;
  /** The same writes by cache lifetime (the SDK's `CacheCreation`), when the upstream reported writes. */
  readonly cache_creation?: { readonly ephemeral_5m_input_tokens: number; readonly ephemeral_1h_input_tokens: number };
}

/** The `message` object: the whole answer of a non-streaming call. */
export interface AnthropicMessage {
  /** `msg_…`. */
  readonly id: string;
  readonly type: 'message';
  readonly role: 'assistant';
  /** The model name the caller asked for (a route name or `provider/model`). */
  readonly model: string;
  readonly content: readonly AnthropicContentBlock[];
  /** Null only in a stream's `message_start`. */
  readonly stop_reason: AnthropicStopReason | null;
  /** The stop sequence that ended the answer, when known. */
  readonly stop_sequence: string | null;
  readonly usage: AnthropicUsage;
}

/** Anthropic's error types (`error.type`), as the SDK declares them. */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'timeout_error'
  | 'api_error'
  | 'overloaded_error';

/** The `error` object of an error body or an `error` stream event. */
export interface AnthropicErrorObject {
  readonly type: AnthropicErrorType;
  readonly message: string;
  /** A stable code naming the cause; the SDK picks a typed error class by status and code. */
  readonly details?: { readonly error_code: string };
}

/** The body of an error answer, and the data of an `error` stream event. */
export interface AnthropicErrorBody {
  readonly type: 'error';
  readonly error: AnthropicErrorObject;
  /** The gateway's request id, when the caller of `anthropicError` gave one. */
  readonly request_id?: string;
}
