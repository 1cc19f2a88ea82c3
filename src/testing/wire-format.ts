/**
 * What the upstream simulator needs from each provider wire format it speaks. One implementation
 * per provider lives in `src/testing/formats/`, written from the provider's public API reference.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The formats the simulator speaks. */
export type SimFormatName = 'openai' | 'anthropic' | 'gemini' | 'azure-openai';

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
}

/** The answer the simulator gives, before a format renders it. */
export interface SimAnswer {
  readonly id: string;
  readonly text: string;
  readonly toolCalls: readonly { readonly id: string; readonly name: string; readonly arguments: Record<string, unknown> }[];
  readonly finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
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
  /** The error body this provider sends for a status, and any extra headers. */
  renderError(status: number, message: string): { readonly body: unknown; readonly headers?: Readonly<Record<string, string>> };
  /** An error delivered inside a stream after a 200 (Anthropic's `overloaded_error` event), when the format has one. */
  renderStreamError?(status: number, message: string): string;
}
