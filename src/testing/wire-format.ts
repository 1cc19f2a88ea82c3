/**
 * What the upstream simulator needs from each provider wire format it speaks. One implementation
 * per provider lives in `src/testing/formats/`, written from the provider's public API reference.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimCacheBreakpoint } from './prompt-cache.js';

/** The formats the simulator speaks. */
export type SimFormatName = 'openai' | 'openai-responses' | 'anthropic' | 'gemini' | 'azure-openai' | 'azure-openai-responses' | 'bedrock' | 'bedrock-converse' | 'vertex';

/** Reasoning a request asked for: a budget (Anthropic, Gemini) or an effort (Chat Completions); see sim-reasoning.ts. */
export interface SimReasoningRequest {
  readonly budgetTokens?: number;
  readonly effort?: string;
  /** Gemini `includeThoughts`: thought summaries in the answer. */
  readonly includeThoughts?: boolean;
}

/** What a format understood of an incoming request. */
export interface SimParsedRequest {
  /** The model (or Azure deployment) the request named. */
  readonly model: string;
  readonly stream: boolean;
  /** Text of the last user message (used by the default reply). */
  readonly lastUserText: string;
  /** Names of the tools the request offered. */
  readonly toolNames: readonly string[];
  readonly maxTokens?: number;
  /** OpenAI: `stream_options.include_usage` was set. */
  readonly includeUsage?: boolean;
  /** Rough input token count (words of all messages), for usage. */
  readonly inputTokens: number;
  /**
   * Structured output asked for: JSON following `schema` (any object without one), as text, or as
   * the input of `answerTool` when the request forces that tool (Anthropic's `tool_choice: tool`).
   */
  readonly structuredOutput?: { readonly schema?: Readonly<Record<string, unknown>>; readonly answerTool?: string };
  /** Prompt-cache breakpoints, in prompt order (Anthropic `cache_control`); see prompt-cache.ts. */
  readonly cacheBreakpoints?: readonly SimCacheBreakpoint[];
  /** Reasoning asked for (Anthropic `thinking`, `reasoning_effort`, Gemini `thinkingConfig`); see sim-reasoning.ts. */
  readonly reasoning?: SimReasoningRequest;
  /** Anthropic: the citation the answer's text carries, in the wire shape (a document asked for citations). */
  readonly citation?: Readonly<Record<string, unknown>>;
}

/** The answer the simulator gives, before a format renders it. */
export interface SimAnswer {
  readonly id: string;
  readonly text: string;
  readonly toolCalls: readonly { readonly id: string; readonly name: string; readonly arguments: Record<string, unknown> }[];
  readonly finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** The reasoning shown before the answer, when the request asked for some (sim-reasoning.ts). */
  readonly reasoning?: string;
  /** `inputTokens` counts all input; `cacheReadTokens` and `cacheWriteTokens` are parts of it. */
  readonly usage: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly cacheReadTokens?: number;
    readonly cacheWriteTokens?: number;
    /** Of `cacheWriteTokens`, those written to 1-hour entries. */
    readonly cacheWrite1hTokens?: number;
    /** Output tokens spent on reasoning (part of `outputTokens`). */
    readonly reasoningTokens?: number;
  };
}

/** The pieces of a streamed answer, in order: text chunks, then tool calls, then the end. */
export interface SimStreamPlan {
  readonly answer: SimAnswer;
  /** The answer's text cut into the chunks to send. */
  readonly textChunks: readonly string[];
}

/** A result of matching a path: this format handles it. */
export interface SimRouteMatch {
  /** Model from the path (Gemini, Azure deployments); otherwise read from the body. */
  readonly pathModel?: string;
  /** Streaming decided by the path (Gemini `:streamGenerateContent`). */
  readonly pathStream?: boolean;
}

/** One provider's wire format, as the simulator speaks it. */
export interface WireFormat {
  readonly name: SimFormatName;
  /** Whether this format serves the request path; `undefined` when it does not. */
  match(method: string, url: URL): SimRouteMatch | undefined;
  /** Whether the request carries the expected credentials (`expectedKey`). */
  authorize(headers: IncomingHttpHeaders, url: URL, expectedKey: string): boolean;
  /** Reads the JSON body; a string result is a validation error (answered with 400). */
  parse(body: unknown, match: SimRouteMatch, url: URL): SimParsedRequest | string;
  /** The JSON body of a complete (non-streaming) answer. */
  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown;
  /** The SSE frames of a streamed answer, each a complete event ending in a blank line. */
  renderStream(plan: SimStreamPlan, request: SimParsedRequest): readonly string[];
  /**
   * A format whose streams are not SSE (Bedrock's AWS event stream): the binary messages of a
   * streamed answer, sent as `streamContentType` instead of `renderStream`'s frames.
   */
  renderBinaryStream?(plan: SimStreamPlan, request: SimParsedRequest): Promise<readonly Uint8Array[]>;
  /** The binary message of an error inside a stream, for formats with `renderBinaryStream`. */
  renderBinaryStreamError?(status: number, message: string, request: SimParsedRequest): Uint8Array;
  /** The stream's `content-type`. @default text/event-stream */
  readonly streamContentType?: string;
  /**
   * Checks a request's credentials with its raw body (a SigV4 signature covers the body): a
   * rejection is answered as it is. Runs after `authorize`, for formats whose check needs more.
   */
  verify?(request: SimRawRequest, credentials: SimCredentials): Promise<SimRejection | undefined>;
  /** Headers this provider sends with a successful answer, streamed or not (its request id, rate limits remaining). */
  successHeaders?(answerId: string): Readonly<Record<string, string>>;
  /** The error body this provider sends for a status, and any extra headers. */
  renderError(status: number, message: string): { readonly body: unknown; readonly headers?: Readonly<Record<string, string>> };
  /** An error delivered inside a stream after a 200 (Anthropic's `overloaded_error` event), when the format has one. */
  renderStreamError?(status: number, message: string, request?: SimParsedRequest): string;
}

/** A request as it arrived, for `WireFormat.verify`. */
export interface SimRawRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The credentials the simulator accepts. */
export interface SimCredentials {
  /** The API key (or bearer token) every format expects. */
  readonly apiKey: string;
  /** The AWS credentials Bedrock requests must be signed with. */
  readonly aws: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

/** A refused request: the status, body and headers to answer with. */
export interface SimRejection {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}
