/**
 * The unified request, response and stream shapes that every provider adapter maps to and from.
 * Nothing in this file knows about a particular provider.
 */
import type { PoliciesInput } from './config/config-input.js';
import type { ErrorCategoryName } from './error-category.js';

export type { ErrorCategoryName } from './error-category.js';

/** Policy overrides for one call, written like a route's `policies:` (durations as `2s` or ms). */
export type CallPolicies = PoliciesInput;

/** Who wrote a message. */
export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

/**
 * A prompt-cache breakpoint: the prompt up to and including this part (or tool) may be cached by
 * the provider. `true` uses the provider's default lifetime (Anthropic: 5 minutes). Mapped to
 * Anthropic `cache_control`; ignored where the provider caches on its own (OpenAI, Azure, Gemini's
 * implicit caching). See docs/requests.md, "Prompt caching".
 */
export type CacheBreakpoint = true | { readonly ttl?: '5m' | '1h' };

/**
 * Where a piece of an answer's text comes from: a passage of a document (or search result) of the
 * request, a web page or a file, as the provider cited it (Anthropic `citations`, OpenAI
 * `annotations`, Gemini grounding and citation metadata, Bedrock Converse `citationsContent`).
 * See docs/requests.md, "Document context and citations".
 */
export interface Citation {
  /**
   * The provider's own citation type: Anthropic `char_location`, `page_location`,
   * `content_block_location`, `search_result_location` or `web_search_result_location`; OpenAI
   * `url_citation`, `file_citation`, `container_file_citation` or `file_path`; Gemini `web`,
   * `retrievedContext`, `maps` (grounding chunks), `citationSource` or `citation` (Vertex); Bedrock
   * Converse `documentChar`, `documentPage`, `documentChunk`, `searchResultLocation` or `web`.
   */
  readonly type: string;
  /** The cited passage, word for word; empty when the provider gives none (OpenAI, Gemini web pages). */
  readonly citedText: string;
  /** Which document of the request, counting the document parts of all messages from 0. */
  readonly documentIndex?: number;
  readonly documentTitle?: string;
  /**
   * Where the passage starts and ends (end exclusive), in the unit `type` names: characters from 0
   * (`char_location`, `documentChar`), pages from 1 (`page_location`, `documentPage`), chunks or
   * content blocks from 0 (the others).
   */
  readonly start?: number;
  readonly end?: number;
  /**
   * Search results: which result. `source`: where the cited words live: a search result's
   * `source`, a web page URL, a provider file id (OpenAI `file_id`); `title`: its title or file name.
   */
  readonly searchResultIndex?: number;
  readonly source?: string;
  readonly title?: string;
  /**
   * Where in this text part the citing words are (string indices from 0, end exclusive), when the
   * provider marks a span of it rather than the whole part: OpenAI `start_index`/`end_index` (a
   * file citation's `index`: start = end), Gemini grounding `segment`s and `citationSources`.
   */
  readonly textStart?: number;
  readonly textEnd?: number;
  /** Opaque data the provider needs back with the citation (web search `encrypted_index`). */
  readonly encryptedIndex?: string;
  /**
   * The provider type that produced it (`anthropic`, `openai-responses`, `openai`, `gemini`,
   * `bedrock`); sent back only to that type, and only where its API takes citations back
   * (Anthropic, Bedrock Converse).
   */
  readonly provider: string;
}

/** A text part of a message. */
export interface TextPart {
  readonly type: 'text';
  readonly text: string;
  /** Ends a prompt-cache breakpoint here (see `CacheBreakpoint`). */
  readonly cache?: CacheBreakpoint;
  /**
   * Answers only (`ChatResponse.message`): the sources this piece of text cites. Sent back with the
   * text to the provider type that produced them; other providers get the text alone.
   */
  readonly citations?: readonly Citation[];
}

/**
 * A file already uploaded to a provider's Files API, by the id that provider gave it: an OpenAI
 * `file-…` id, an Anthropic `file_…` id, a Gemini file URI. Only the provider that issued it can
 * read it; a try on another provider fails with `invalid_request` naming the part.
 */
export interface FileReference {
  /** The provider's id for the file (Gemini: the file's `uri`). */
  readonly id: string;
  /** The configured provider (its name under `providers:`) that issued the id. */
  readonly provider: string;
}

/** An image part, given either by URL or as base64 data with its media type. */
export interface ImagePart {
  readonly type: 'image';
  /** A URL the provider can fetch (`https:` or a `data:` URL). */
  readonly url?: string;
  /** Base64-encoded bytes, used together with `mediaType`. */
  readonly data?: string;
  /** For example `image/png`. Required with `data` (and, for Gemini, with `file`). */
  readonly mediaType?: string;
  /** An image uploaded to the provider's Files API (instead of `url` or `data`). */
  readonly file?: FileReference;
  /**
   * How closely the model looks at the image: OpenAI `image_url.detail` (`low` costs fewer tokens).
   * Other providers ignore it (docs/requests.md, "Documents, image detail and tool results").
   */
  readonly detail?: 'low' | 'high' | 'auto';
  /** Ends a prompt-cache breakpoint here (see `CacheBreakpoint`). */
  readonly cache?: CacheBreakpoint;
}

/** The document media types every provider that takes documents accepts. */
export type DocumentMediaType = 'application/pdf' | 'text/plain';

/**
 * A document (PDF or plain text), given as base64 `data`, a `url` or an uploaded `file`. Mapped to Anthropic
 * `document` blocks, OpenAI `file` parts (data only) and Gemini `inlineData` / `fileData`
 * (docs/requests.md, "Documents, image detail and tool results").
 */
export interface DocumentPart {
  readonly type: 'document';
  /** Base64-encoded bytes of the document. */
  readonly data?: string;
  /** A URL the provider fetches (not every provider can: see the docs). */
  readonly url?: string;
  /** A document uploaded to the provider's Files API (instead of `data` or `url`). */
  readonly file?: FileReference;
  readonly mediaType: DocumentMediaType;
  /** A title or file name (Anthropic `title`, OpenAI `filename`). */
  readonly title?: string;
  /** Text about the document the model reads but never cites (Anthropic `context`; others ignore it). */
  readonly context?: string;
  /** Ask the model to cite passages of this document (Anthropic and Bedrock Converse `citations.enabled`; others ignore it). */
  readonly citations?: boolean;
  /** Ends a prompt-cache breakpoint here (see `CacheBreakpoint`). */
  readonly cache?: CacheBreakpoint;
}

/** One piece of a message's content. */
export type ContentPart = TextPart | ImagePart | DocumentPart;

/**
 * A piece of the model's reasoning (thinking) that came with an answer. Kept in the assistant
 * message so it can be sent back, unchanged, to the same kind of provider: Anthropic requires its
 * signed thinking blocks back in a tool loop, Gemini its thought signatures, DeepSeek its
 * `reasoning_content`. Another kind of provider never receives it (see docs/requests.md, "Reasoning").
 */
export interface ReasoningPart {
  readonly type: 'reasoning';
  /** The reasoning text (a summary, for models that only show one); empty for redacted reasoning. */
  readonly text: string;
  /**
   * Opaque proof the provider checks when the part comes back (Anthropic `signature`, Gemini
   * `thoughtSignature`; OpenAI Responses: the reasoning item's id and `encrypted_content`).
   */
  readonly signature?: string;
  /** Encrypted reasoning the provider hid (Anthropic `redacted_thinking.data`); sent back as is. */
  readonly redactedData?: string;
  /**
   * The provider type (wire format) that produced it: `anthropic`, `gemini`, `openai-compatible`,
   * `openai-responses` (an `openai` provider with `api: responses`)…
   * Adapters send a part back only to their own type; signatures are valid across providers of one
   * type (Anthropic's are, across its API and cloud platforms).
   */
  readonly provider: string;
}

/**
 * How much the model may reason before answering: an effort level, or a token budget. Mapped to
 * Anthropic `thinking`, OpenAI `reasoning_effort` and Gemini `thinkingConfig`; ignored for models
 * without reasoning (docs/requests.md, "Reasoning").
 */
export type ReasoningOption = { readonly effort: 'low' | 'medium' | 'high' } | { readonly budgetTokens: number };

/** A tool call the model asked for. `arguments` is the parsed JSON object. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

/** One message of a conversation. */
export interface Message {
  readonly role: MessageRole;
  /** A string or a list of parts. An assistant message that only calls tools may leave it empty. */
  readonly content: string | readonly ContentPart[];
  /** Assistant messages: the tool calls the model made. */
  readonly toolCalls?: readonly ToolCall[];
  /** Tool messages: the id of the call this message answers. */
  readonly toolCallId?: string;
  /** Tool messages: the name of the tool (Gemini needs it; derived from history when absent). */
  readonly name?: string;
  /** Tool messages: the tool failed and `content` says how (Anthropic `tool_result.is_error`). */
  readonly isError?: boolean;
  /**
   * Assistant messages: the reasoning that came before the text and tool calls, as the answer
   * gave it (`ChatResponse.message` fills it). Sent back only to the provider type that produced it.
   */
  readonly reasoning?: readonly ReasoningPart[];
}

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  readonly parameters: Record<string, unknown>;
  /** Ends a prompt-cache breakpoint after this tool (tools come before the system prompt). */
  readonly cache?: CacheBreakpoint;
}

/** How the model may use tools: let it decide, forbid, require any, or require one by name. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/**
 * Structured output: `json` asks for any JSON object; `json_schema` for JSON that validates against
 * `schema`. The answer's text is the JSON and `ChatResponse.object` its parsed value; an answer that
 * does not parse or validate fails with `invalid_output` (docs/requests.md, "Structured output").
 */
export type ResponseFormat =
  | { readonly type: 'json' }
  | {
      readonly type: 'json_schema';
      /** A JSON Schema (draft 2020-12 unless `$schema` names drafts 4–7). */
      readonly schema: Record<string, unknown>;
      /** A name for the schema (OpenAI `json_schema.name`, Anthropic's forced tool). @default 'response' */
      readonly name?: string;
      /** Ask the provider to enforce the schema strictly where it can (OpenAI `strict`). */
      readonly strict?: boolean;
      /**
       * How a provider whose native JSON mode depends on the model is asked: `auto` uses it where the
       * model has it, `native` always, `tool` always a forced tool call. Only Anthropic reads it.
       * @default 'auto'
       */
      readonly method?: 'auto' | 'native' | 'tool';
    };

/** A chat request in Switchyard's unified shape. */
export interface ChatRequest {
  /** A route name from the config, or `provider/model` when direct addressing is allowed. */
  readonly model: string;
  /**
   * A system prompt; placed where each provider expects it. A list of text parts can carry
   * prompt-cache breakpoints (`cache`); its texts are joined by a blank line where a provider takes
   * one string.
   */
  readonly system?: string | readonly TextPart[];
  readonly messages: readonly Message[];
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
  /** Ask for JSON (structured output) instead of free text. */
  readonly responseFormat?: ResponseFormat;
  /** Let the model reason (think) before answering, with an effort level or a token budget. */
  readonly reasoning?: ReasoningOption;
  /**
   * Whether the model may call several tools in one turn (OpenAI `parallel_tool_calls`, Anthropic
   * `tool_choice.disable_parallel_tool_use`). Gemini has no such switch: ignored there. Sent only with tools.
   */
  readonly parallelToolCalls?: boolean;
  /**
   * Provider-specific request fields, by provider type: `{ openai: { seed: 7 } }`. The entry of the
   * type that serves an attempt is merged into its request body (the caller's fields win; objects
   * merge field by field); JSON values only, and never `model`, `messages`, `contents`, `input` or `stream`.
   */
  readonly providerOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Free-form caller data (e.g. `intent`, `purpose`); never sent upstream. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Per-call cache override: `false` bypasses the cache, `{ ttl }` sets this entry's lifetime. */
export type CallCacheOption = false | { readonly ttl?: number | string };

/** Per-call options: who is calling and how the call may be cancelled. */
export interface CallOptions {
  /** The end user; used for sticky routing, per-user limits and audit. */
  readonly user?: string;
  /** The tenant or application; used for sticky routing, per-tenant limits and audit. */
  readonly tenant?: string;
  /** Cancels the call and the upstream request. */
  readonly signal?: AbortSignal;
  /** Caller-chosen id; generated when absent. */
  readonly requestId?: string;
  /** Per-call cache control. */
  readonly cache?: CallCacheOption;
  /** The end user's IP address, for audit records (kept only when `audit.include.ip` is on). */
  readonly ip?: string;
  /** A trace id to carry into audit records and spans (e.g. from an incoming `traceparent`). */
  readonly traceId?: string;
  /** Caller-supplied fields for the audit record (purpose, case number...). */
  readonly auditFields?: Readonly<Record<string, string>>;
  /**
   * Policy overrides for this call, written like a route's `policies:` and merged over them, e.g.
   * `{ timeout: { total: '5s' }, retry: { attempts: 1 }, cache: false }`.
   */
  readonly policies?: CallPolicies;
}

/** Why generation stopped, in unified form. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

/** Token counts in unified form. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  /**
   * Input tokens read from the provider's prompt cache, when reported (Anthropic
   * `cache_read_input_tokens`, OpenAI `prompt_tokens_details.cached_tokens`, Gemini
   * `cachedContentTokenCount`). Part of `inputTokens`.
   */
  readonly cacheReadInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`). Part of `inputTokens`. */
  readonly cacheWriteInputTokens?: number;
  /**
   * Of `cacheWriteInputTokens`, those written to 1-hour cache entries (Anthropic
   * `cache_creation.ephemeral_1h_input_tokens`), which are billed apart; absent when none were.
   */
  readonly cacheWrite1hInputTokens?: number;
  /**
   * Input tokens served from the provider's prompt cache: the same count as `cacheReadInputTokens`.
   * @deprecated Read `cacheReadInputTokens`; this copy is kept for existing readers and goes in the next major version.
   */
  readonly cachedInputTokens?: number;
  /**
   * Output tokens spent on reasoning, when reported (OpenAI
   * `completion_tokens_details.reasoning_tokens`, Gemini `thoughtsTokenCount`). Part of `outputTokens`.
   */
  readonly reasoningTokens?: number;
}

/** A provider and the model (or Azure deployment) it serves. */
export interface Target {
  readonly provider: string;
  readonly model: string;
}

/** One try of a call: which target, how it ended and how long it took. */
export interface Attempt {
  readonly target: Target;
  /** The route this attempt belonged to (the requested one or a fallback). */
  readonly route: string;
  /** `ok` for the attempt that answered, otherwise the error category. */
  readonly outcome: 'ok' | ErrorCategoryName;
  /** HTTP status, when the upstream answered. */
  readonly status?: number;
  readonly ms: number;
}

/** The answer to a call, whether it came from `chat()` or as a stream's `finish` event. */
export interface ChatResponse {
  /** The provider's response id (or a generated one when the provider gives none). */
  readonly id: string;
  readonly text: string;
  readonly toolCalls: readonly ToolCall[];
  /** The model's reasoning, in order, when it showed any (empty otherwise). */
  readonly reasoning: readonly ReasoningPart[];
  /**
   * The assistant message to append to the conversation for the next turn: text, tool calls and
   * reasoning, so a tool loop is `messages.push(res.message, ...toolResults)`.
   */
  readonly message: Message;
  readonly finishReason: FinishReason;
  /** The provider's own finish reason, for debugging a mapping. */
  readonly rawFinishReason?: string;
  readonly usage: Usage;
  /** The route that answered (the requested one or a fallback). */
  readonly route: string;
  /** The target that answered. */
  readonly target: Target;
  /** The model name the provider reported serving, when it reports one. */
  readonly servedModel?: string;
  /** Every try this call made, in order; the last one answered. */
  readonly attempts: readonly Attempt[];
  /** Wall time of the whole call. */
  readonly latencyMs: number;
  /** The call's request id. */
  readonly requestId: string;
  /** True when the answer came from the cache. */
  readonly cached: boolean;
  /** With `responseFormat`: the answer's JSON, parsed (and validated against the schema). */
  readonly object?: unknown;
  /**
   * The answer's text as the provider split it, when some piece cites a source (`citations`);
   * joined, they are `text`, and `message.content` is this list. Absent without citations.
   */
  readonly textParts?: readonly TextPart[];
  /**
   * The provider's own facts about this answer, under the provider type that served it: its
   * response id, raw finish reason and a few response headers (request id, rate limits remaining).
   * Absent on cache hits and for adapters that report none.
   */
  readonly providerMetadata?: ProviderMetadata;
}

/** What a provider said about one answer (`ChatResponse.providerMetadata[type]`). */
export interface ProviderMetadataEntry {
  /** The provider's response id (Anthropic `msg_…`, OpenAI `chatcmpl-…`, Gemini `responseId`). */
  readonly responseId?: string;
  /** The provider's own finish reason (`end_turn`, `tool_calls`, `STOP`, …). */
  readonly rawFinishReason?: string;
  /** Response headers of interest, lower-case: `request-id`, `x-request-id`, rate limits remaining. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** `ChatResponse.providerMetadata`: entries by provider type (`anthropic`, `openai`, …). */
export type ProviderMetadata = Readonly<Record<string, ProviderMetadataEntry>>;

/** A streamed piece of text. */
export interface TextDeltaEvent {
  readonly type: 'text-delta';
  readonly text: string;
}

/** A streamed piece of the model's reasoning (thinking), before its answer. */
export interface ReasoningDeltaEvent {
  readonly type: 'reasoning-delta';
  readonly text: string;
}

/**
 * A reasoning part complete with its signature (emitted once the provider closed it); the `finish`
 * response's `message` carries the same parts.
 */
export interface ReasoningEvent {
  readonly type: 'reasoning';
  readonly part: ReasoningPart;
}

/**
 * A piece of a tool call's arguments as the model writes them, before the completed `tool-call`
 * with the same `toolCallId`. A call's deltas, joined, are its arguments' JSON text (as the provider
 * wrote it: parse the `tool-call`'s `arguments`, not this text). Built-in adapters and cache replays
 * send at least one per call (Gemini and replays: one with the whole JSON); a custom adapter may
 * send none.
 */
export interface ToolCallDeltaEvent {
  readonly type: 'tool-call-delta';
  readonly toolCallId: string;
  readonly toolName: string;
  readonly argumentsDelta: string;
}

/** A complete tool call (emitted once its arguments have fully arrived). */
export interface ToolCallEvent {
  readonly type: 'tool-call';
  readonly toolCall: ToolCall;
}

/**
 * The sources of the text streamed since the previous text block: `text` is that block's whole
 * text (already sent as `text-delta`s), `citations` what it cites. The `finish` response's
 * `textParts` carry the same.
 */
export interface CitationsEvent {
  readonly type: 'citations';
  readonly text: string;
  readonly citations: readonly Citation[];
}

/** Token usage, when the provider reports it. */
export interface UsageEvent {
  readonly type: 'usage';
  readonly usage: Usage;
}

/** The last event of a stream: the same response object `chat()` returns. */
export interface FinishEvent {
  readonly type: 'finish';
  readonly response: ChatResponse;
}

/** What `router.stream()` yields. */
export type StreamEvent = TextDeltaEvent | ReasoningDeltaEvent | ReasoningEvent | ToolCallDeltaEvent | ToolCallEvent | CitationsEvent | UsageEvent | FinishEvent;
