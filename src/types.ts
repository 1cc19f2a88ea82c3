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

/** A text part of a message. */
export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/** An image part, given either by URL or as base64 data with its media type. */
export interface ImagePart {
  readonly type: 'image';
  /** A URL the provider can fetch (`https:` or a `data:` URL). */
  readonly url?: string;
  /** Base64-encoded bytes, used together with `mediaType`. */
  readonly data?: string;
  /** For example `image/png`. Required with `data`. */
  readonly mediaType?: string;
}

/** One piece of a message's content. */
export type ContentPart = TextPart | ImagePart;

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
}

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  readonly parameters: Record<string, unknown>;
}

/** How the model may use tools: let it decide, forbid, require any, or require one by name. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/** A chat request in Switchyard's unified shape. */
export interface ChatRequest {
  /** A route name from the config, or `provider/model` when direct addressing is allowed. */
  readonly model: string;
  /** A system prompt; placed where each provider expects it. */
  readonly system?: string;
  readonly messages: readonly Message[];
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: readonly string[];
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
  /** Input tokens served from the provider's prompt cache, when reported. */
  readonly cachedInputTokens?: number;
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
}

/** A streamed piece of text. */
export interface TextDeltaEvent {
  readonly type: 'text-delta';
  readonly text: string;
}

/** A complete tool call (emitted once its arguments have fully arrived). */
export interface ToolCallEvent {
  readonly type: 'tool-call';
  readonly toolCall: ToolCall;
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
export type StreamEvent = TextDeltaEvent | ToolCallEvent | UsageEvent | FinishEvent;
