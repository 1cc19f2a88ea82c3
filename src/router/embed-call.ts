/**
 * `router.embed()`: an embedding call through the same pipeline as chat. The call gets a
 * `CallContext` with `mode: 'embed'` and its inputs in `embedding`; `request` holds the same texts
 * as one user message each, so the stages that read prompts (content filter, audit content,
 * tracing) treat inputs like prompts without knowing about embeddings. Retry, breaker, rate
 * limits, cache and audit then act on it as on any call; the adapter stage sends it through
 * `doEmbed` (`embed-attempt.ts`).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RouteConfig } from '../config/types.js';
import { EMBEDDING_TASK_TYPES, type EmbeddingTaskType, type EmbedRequest, type EmbedResponse } from '../embedding-types.js';
import { invalidRequest, SwitchyardError } from '../errors.js';
import type { RouterEventHub } from '../events.js';
import type { Mutable } from '../mutable.js';
import type { CallContext, CallOutcome, EmbeddingOptions, TargetAssigner } from '../pipeline/context.js';
import type { CallOptions, ChatRequest, ChatResponse } from '../types.js';
import { policiesForCall } from './call-policies.js';
import type { Deadlines } from './deadlines.js';
import { isRecord } from '../is-record.js';
import { callEndOf, callFailure } from './call-end.js';

/** Longest vector length accepted (OpenAI and Gemini models stay well below). */
const MAX_DIMENSIONS = 65_536;

/** What `createEmbedCall` works with: the router's own parts. */
export interface EmbedCallParts {
  readonly resolveRoute: (model: string) => RouteConfig;
  /** Whether a route name is a configured route (a `provider/model` direct route is not). */
  readonly isConfiguredRoute: (name: string) => boolean;
  readonly deadlines: Deadlines;
  readonly events: RouterEventHub;
  readonly run: (context: CallContext) => Promise<CallOutcome>;
  readonly assignTarget: TargetAssigner | undefined;
}

/** The error of a chat or stream call on an embedding route. */
export function chatOnEmbeddingRoute(route: string): SwitchyardError {
  return invalidRequest('model', `route ${JSON.stringify(route)} is an embedding route (kind: embedding); call router.embed() on it, or pick a chat route`);
}

/** A chat call's answer from a non-response outcome: the stream's completion; an embedding answer is a bug of a stage. */
export function chatCompletionOf(outcome: Exclude<CallOutcome, { readonly kind: 'response' }>): Promise<ChatResponse> {
  if (outcome.kind === 'stream') return outcome.stream.completion;
  return Promise.reject(new SwitchyardError({ category: 'unknown', message: 'a chat call was answered with embeddings' }));
}

/** What a valid embed request asks for: its inputs as a list, and its options. */
export interface CheckedEmbedRequest {
  readonly inputs: readonly string[];
  readonly options: EmbeddingOptions;
}

/** Checks an embed request; returns its inputs as a list. Every problem is `invalid_request` naming the field. */
export function validateEmbedRequest(request: EmbedRequest): CheckedEmbedRequest {
  if (!isRecord(request)) throw invalidRequest('request', 'expected an object');
  if (typeof request.model !== 'string' || request.model === '') throw invalidRequest('model', 'required: an embedding route name or provider/model');
  const input: unknown = request.input;
  const inputs: readonly unknown[] = typeof input === 'string' ? [input] : Array.isArray(input) ? input : [];
  if (typeof input !== 'string' && !Array.isArray(input)) throw invalidRequest('input', 'expected a string or a list of strings');
  if (inputs.length === 0) throw invalidRequest('input', 'at least one input is required');
  inputs.forEach((text, index) => {
    const field = typeof input === 'string' ? 'input' : `input[${index}]`;
    // Providers reject empty inputs (OpenAI: "cannot be an empty string"); say so before any is called.
    if (typeof text !== 'string') throw invalidRequest(field, 'expected a string');
    if (text === '') throw invalidRequest(field, 'an input cannot be empty');
  });
  const { dimensions } = request;
  if (dimensions !== undefined && (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS)) {
    throw invalidRequest('dimensions', `expected a whole number from 1 to ${MAX_DIMENSIONS}`);
  }
  if (request.metadata !== undefined && !isRecord(request.metadata)) throw invalidRequest('metadata', 'expected an object of strings');
  const options: Mutable<EmbeddingOptions> = {};
  if (dimensions !== undefined) options.dimensions = dimensions;
  Object.assign(options, checkedTask(request));
  return { inputs: inputs as string[], options };
}

function isTaskType(value: unknown): value is EmbeddingTaskType {
  return (EMBEDDING_TASK_TYPES as readonly unknown[]).includes(value);
}

/** `taskType` and `title`, checked: a title only describes documents (Gemini and Vertex AI take it with RETRIEVAL_DOCUMENT only). */
function checkedTask(request: EmbedRequest): Pick<EmbeddingOptions, 'taskType' | 'title'> {
  const { taskType, title } = request as { taskType?: unknown; title?: unknown };
  if (taskType !== undefined && !isTaskType(taskType)) throw invalidRequest('taskType', `expected one of ${EMBEDDING_TASK_TYPES.join(' | ')}`);
  if (title === undefined) return taskType === undefined ? {} : { taskType };
  if (typeof title !== 'string' || title.trim() === '') throw invalidRequest('title', 'expected a non-empty string');
  if (taskType !== 'document') throw invalidRequest('title', "a title describes documents: only with taskType: 'document'");
  return { taskType, title };
}

/** The inputs as the chat-shaped view the prompt-reading stages see: one user message per input. */
export function embeddingRequestView(request: EmbedRequest, inputs: readonly string[]): ChatRequest {
  const view: Mutable<ChatRequest> = { model: request.model, messages: inputs.map((text) => ({ role: 'user', content: text })) };
  if (request.metadata !== undefined) view.metadata = request.metadata;
  return view;
}

/** Creates the router's `embed` function. */
export function createEmbedCall(parts: EmbedCallParts): (request: EmbedRequest, options?: CallOptions) => Promise<EmbedResponse> {
  const { deadlines, events, run } = parts;

  function startCall(request: EmbedRequest, callOptions: CallOptions): { context: CallContext; dispose: () => void } {
    const checked = validateEmbedRequest(request);
    const route = parts.resolveRoute(request.model);
    if (route.kind !== 'embedding' && parts.isConfiguredRoute(route.name)) {
      throw invalidRequest('model', `route ${JSON.stringify(route.name)} is a chat route; embed on a route with kind: embedding (or address provider/model directly)`);
    }
    const policies = policiesForCall(route.policies, callOptions.policies);
    const { signal, dispose } = deadlines.signalFor(callOptions.signal, policies.timeout.totalMs);
    const view = embeddingRequestView(request, checked.inputs);
    const context: Mutable<CallContext> = {
      requestId: callOptions.requestId ?? randomUUID(),
      request: view,
      options: callOptions,
      route,
      policies,
      mode: 'embed',
      embedding: checked.options,
      startedAt: performance.now(),
      signal,
      attempts: [],
      notes: {},
    };
    if (parts.assignTarget !== undefined) context.assignTarget = parts.assignTarget;
    if (events.has('call-start')) events.emit('call-start', { requestId: context.requestId, route: route.name, mode: 'embed', request: view, options: callOptions });
    return { context, dispose };
  }

  function endCall(context: CallContext, response: EmbedResponse | undefined, error: SwitchyardError | undefined): void {
    if (!events.has('call-end')) return;
    const end = callEndOf(context);
    if (response !== undefined) end.embedding = response;
    if (error !== undefined) end.error = error;
    events.emit('call-end', end);
  }

  return async (request, callOptions = {}) => {
    const { context, dispose } = startCall(request, callOptions);
    try {
      const outcome = await run(context);
      if (outcome.kind !== 'embedding') throw new SwitchyardError({ category: 'unknown', message: 'an embedding call was answered with a chat response' });
      endCall(context, outcome.response, undefined);
      return outcome.response;
    } catch (error) {
      const failure = callFailure(error, context);
      endCall(context, undefined, failure);
      throw failure;
    } finally {
      dispose();
    }
  };
}
