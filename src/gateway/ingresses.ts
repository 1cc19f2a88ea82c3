/**
 * The three ways in, behind one shape: each ingress parses its wire format into a call, turns an
 * answer, a stream or an error back into it. The server treats them alike.
 */
import { randomUUID } from 'node:crypto';
import type { SwitchyardError } from '../errors.js';
import type { ChatResponse, StreamEvent } from '../types.js';
import type { IngressCall, IngressErrorAnswer } from './ingress/ingress-call.js';
import { anthropicError, encodeMessagesStream, newMessageId, parseMessagesRequest, toMessage } from './ingress/anthropic/index.js';
import { completeError, parseCompleteRequest, toCompleteAnswer } from './ingress/complete.js';
import { chatCompletionId, encodeChatCompletionStream, openAIError, parseChatCompletionRequest, toChatCompletion } from './ingress/openai/index.js';
import { parseEmbeddingsRequest, toEmbeddingsAnswer, type EmbeddingsAnswer, type ParsedEmbeddingsRequest } from './ingress/openai/embeddings.js';
import type { EmbedResponse } from '../embedding-types.js';

export type { IngressCall, IngressErrorAnswer } from './ingress/ingress-call.js';

/** The ingress names, as metrics and the access log show them. */
export type IngressName = 'openai' | 'anthropic' | 'complete';

/** One wire format's mapping. */
export interface Ingress {
  readonly name: IngressName;
  /** The body (a JSON object) → a call; `route` is the path's route for the simple endpoint. */
  parse(body: Record<string, unknown>, route: string | undefined): IngressCall;
  /** A whole answer's body. */
  answer(response: ChatResponse, call: IngressCall): unknown;
  /** A stream's SSE text; rejects its first `next()` when the call fails before any output. */
  frames(events: AsyncIterable<StreamEvent>, call: IngressCall): AsyncIterable<string>;
  /** An error answer. */
  error(error: SwitchyardError): IngressErrorAnswer;
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`). */
export const openAIIngress: Ingress = {
  name: 'openai',
  parse(body) {
    const parsed = parseChatCompletionRequest(body);
    return {
      request: parsed.request,
      stream: parsed.stream,
      requestedModel: parsed.requestedModel,
      includeUsage: parsed.includeUsage,
      ...(parsed.user === undefined ? {} : { user: parsed.user }),
      ...(parsed.fileIds === undefined ? {} : { fileIds: parsed.fileIds }),
    };
  },
  answer: (response, call) => toChatCompletion(response, call.requestedModel),
  frames: (events, call) =>
    encodeChatCompletionStream(events, { id: chatCompletionId(randomUUID()), requestedModel: call.requestedModel, includeUsage: call.includeUsage, created: Math.floor(Date.now() / 1000) }),
  error: (error) => openAIError(error),
};

/** Anthropic Messages (`POST /v1/messages`). */
export const anthropicIngress: Ingress = {
  name: 'anthropic',
  parse(body) {
    const parsed = parseMessagesRequest(body);
    return {
      request: parsed.request,
      stream: parsed.stream,
      requestedModel: parsed.requestedModel,
      includeUsage: true,
      ...(parsed.user === undefined ? {} : { user: parsed.user }),
      ...(parsed.fileIds === undefined ? {} : { fileIds: parsed.fileIds }),
    };
  },
  answer: (response, call) => toMessage(response, call.requestedModel),
  frames: (events, call) => encodeMessagesStream(events, { id: newMessageId(), requestedModel: call.requestedModel }),
  error: (error) => anthropicError(error),
};

/** The simple endpoint (`POST /v1/{route}/complete` with `{ "prompt": "…" }`). */
export const completeIngress: Ingress = {
  name: 'complete',
  parse: (body, route) => parseCompleteRequest(body, route ?? ''),
  answer: (response, call) => toCompleteAnswer(response, call.requestedModel),
  frames: () => {
    throw new Error('the simple endpoint does not stream');
  },
  error: (error) => completeError(error),
};

/** An embeddings wire format's mapping (no streams: an embedding answer comes whole). */
export interface EmbeddingsIngress {
  readonly name: IngressName;
  /** The body (a JSON object) → the embedding call. */
  parse(body: Record<string, unknown>): ParsedEmbeddingsRequest;
  /** The answer's body. */
  answer(response: EmbedResponse, call: ParsedEmbeddingsRequest): EmbeddingsAnswer;
  /** An error answer. */
  error(error: SwitchyardError): IngressErrorAnswer;
}

/** OpenAI Embeddings (`POST /v1/embeddings`): keys, quota and logs as for chat, errors in the OpenAI shape. */
export const openAIEmbeddingsIngress: EmbeddingsIngress = {
  name: 'openai',
  parse: (body) => parseEmbeddingsRequest(body),
  answer: (response, call) => toEmbeddingsAnswer(response, call.requestedModel, call.encoding),
  error: (error) => openAIError(error),
};
