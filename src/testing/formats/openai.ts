/**
 * OpenAI Chat Completions as the simulator speaks it (`POST /v1/chat/completions`, and
 * `POST /chat/completions` for servers whose base URL already ends in `/v1`), written from the
 * public reference: the chat object and chunk object
 * (https://platform.openai.com/docs/api-reference/chat/object, `.../chat/streaming`), the
 * `stream_options.include_usage` note ("all other chunks will also include a usage field, but with
 * a null value"), the error codes guide (https://platform.openai.com/docs/guides/error-codes), and
 * the SDK's stream reader (openai/openai-node `src/core/streaming.ts`: a data frame carrying an
 * `error` object ends the stream with that error; `[DONE]` ends it normally).
 *
 * With `web_search_options` (web search models, https://platform.openai.com/docs/guides/tools-web-search)
 * the answer cites a page: a `url_citation` annotation over its last word, in `message.annotations`
 * and, streamed, in a delta after the text (`delta.annotations`).
 *
 * The Azure OpenAI format reuses the parsing and rendering here (`azure-openai.ts`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimAnswer, SimParsedRequest, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { countWords, headerValue, isObject, type JsonObject } from './wire-helpers.js';
import { chatReasoningRequest, showsReasoningContent } from './openai-reasoning.js';
import { reasoningChunks } from '../sim-reasoning.js';

/** The paths this format serves. */
const CHAT_PATHS: ReadonlySet<string> = new Set(['/v1/chat/completions', '/chat/completions']);

/** The parsed requests that asked for web search (`web_search_options`): their answers cite a page. */
const webSearchRequests = new WeakSet<SimParsedRequest>();

/** The page a web search answer cites (in both OpenAI formats). */
const SIM_CITED_PAGE = { url: 'https://example.com/switchyard-sim-source', title: 'Switchyard simulator source' };

/**
 * A web search answer's `annotations`: a `url_citation` over the last word of its text (none
 * without web search or text). Chat Completions nests the fields under the type's name (`chat`),
 * the Responses API puts them on the annotation itself (`responses`).
 */
export function annotationsOf(text: string, webSearch: boolean, shape: 'chat' | 'responses'): JsonObject[] {
  if (!webSearch || text === '') return [];
  const fields = { start_index: text.lastIndexOf(' ') + 1, end_index: text.length, ...SIM_CITED_PAGE };
  return [shape === 'chat' ? { type: 'url_citation', url_citation: fields } : { type: 'url_citation', ...fields }];
}

/** Whether a request asked for web search (`web_search_options`). */
function asksWebSearch(request: SimParsedRequest | undefined): boolean {
  return request !== undefined && webSearchRequests.has(request);
}

/** The text of a message's `content`: a string, or the text of its `text` parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is JsonObject => isObject(part) && part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('');
}

const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** A `file` part: user messages only, `file_data` a base64 `data:` URL (with a `filename`) or a `file_id`. */
function checkFilePart(part: JsonObject, where: string, role: string): string | undefined {
  if (role !== 'user') return `Invalid '${where}.type': file parts are only allowed in user messages.`;
  const file = part.file;
  if (!isObject(file)) return `Missing required parameter: '${where}.file'.`;
  if (file.file_id !== undefined) return typeof file.file_id === 'string' ? undefined : `Invalid type for '${where}.file.file_id': expected a string.`;
  if (typeof file.file_data !== 'string') return `Missing required parameter: '${where}.file.file_id'.`;
  if (!/^data:[^;,]+;base64,/.test(file.file_data)) return `Invalid '${where}.file.file_data'.`;
  // The real API asks for `file_id` when `file_data` comes without a `filename` (seen in SDK trackers).
  if (typeof file.filename !== 'string' || file.filename === '') return `Missing required parameter: '${where}.file.file_id'.`;
  return undefined;
}

/** Checks one message the way the API does; returns an error message, or `undefined` when valid. */
function validateMessage(message: unknown, index: number): string | undefined {
  const where = `messages[${index}]`;
  if (!isObject(message)) return `Invalid type for '${where}': expected an object.`;
  const role = message.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    return `Invalid value for '${where}.role': expected one of 'system', 'developer', 'user', 'assistant', 'tool'.`;
  }
  const content = message.content;
  if (Array.isArray(content)) {
    for (const [partIndex, part] of content.entries()) {
      const partWhere = `${where}.content[${partIndex}]`;
      if (!isObject(part)) return `Invalid type for '${partWhere}': expected an object.`;
      if (part.type === 'text') {
        if (typeof part.text !== 'string') return `Missing required parameter: '${partWhere}.text'.`;
      } else if (part.type === 'image_url') {
        if (role !== 'user') return `Invalid '${partWhere}.type': image_url parts are only allowed in user messages.`;
        if (!isObject(part.image_url) || typeof part.image_url.url !== 'string') return `Missing required parameter: '${partWhere}.image_url.url'.`;
        const detail = part.image_url.detail;
        if (detail !== undefined && detail !== 'low' && detail !== 'high' && detail !== 'auto') {
          return `Invalid value for '${partWhere}.image_url.detail': expected one of 'low', 'high', 'auto'.`;
        }
      } else if (part.type === 'file') {
        const problem = checkFilePart(part, partWhere, role);
        if (problem !== undefined) return problem;
      } else {
        return `Invalid value for '${partWhere}.type': expected 'text', 'image_url' or 'file'.`;
      }
    }
  } else if (typeof content !== 'string' && !(content === null && role === 'assistant') && !(content === undefined && role === 'assistant')) {
    return `Invalid type for '${where}.content': expected a string or an array of content parts.`;
  }
  if (role === 'assistant' && message.tool_calls !== undefined) {
    if (!Array.isArray(message.tool_calls)) return `Invalid type for '${where}.tool_calls': expected an array.`;
    for (const [callIndex, call] of message.tool_calls.entries()) {
      const callWhere = `${where}.tool_calls[${callIndex}]`;
      if (!isObject(call) || typeof call.id !== 'string') return `Missing required parameter: '${callWhere}.id'.`;
      if (call.type !== 'function') return `Invalid value for '${callWhere}.type': expected 'function'.`;
      if (!isObject(call.function) || typeof call.function.name !== 'string') return `Missing required parameter: '${callWhere}.function.name'.`;
      if (typeof call.function.arguments !== 'string') return `Invalid type for '${callWhere}.function.arguments': expected a string.`;
    }
  }
  if (role === 'assistant' && (content === null || content === undefined) && !Array.isArray(message.tool_calls)) {
    return `Missing required parameter: '${where}.content'.`;
  }
  if (role === 'tool' && typeof message.tool_call_id !== 'string') return `Missing required parameter: '${where}.tool_call_id'.`;
  return undefined;
}

/**
 * Reads a Chat Completions body. `model` is the deployment for Azure (taken from the path);
 * otherwise the body must name one. Returns the API's own wording for a validation error.
 */
export function parseChatCompletionsBody(body: unknown, model: string | undefined): SimParsedRequest | string {
  if (!isObject(body)) return 'The request body must be a JSON object.';
  const resolvedModel = model ?? body.model;
  if (typeof resolvedModel !== 'string' || resolvedModel === '') return 'you must provide a model parameter';
  const messages = body.messages;
  if (!Array.isArray(messages)) return "Missing required parameter: 'messages'.";
  if (messages.length === 0) return "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
  for (const [index, message] of messages.entries()) {
    const problem = validateMessage(message, index);
    if (problem !== undefined) return problem;
  }
  const toolNames: string[] = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "Invalid type for 'tools': expected an array.";
    for (const [index, tool] of body.tools.entries()) {
      if (!isObject(tool) || tool.type !== 'function') return `Invalid value for 'tools[${index}].type': expected 'function'.`;
      if (!isObject(tool.function) || typeof tool.function.name !== 'string') return `Missing required parameter: 'tools[${index}].function.name'.`;
      toolNames.push(tool.function.name);
    }
  }
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    return "Invalid 'max_tokens': expected an integer of at least 1.";
  }
  const stream = body.stream === true;
  if (body.stream_options !== undefined && body.stream_options !== null && !stream) {
    return "The 'stream_options' parameter is only allowed when 'stream' is enabled.";
  }
  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
  let lastUserText = '';
  let inputTokens = 0;
  for (const message of messages as JsonObject[]) {
    const text = textOf(message.content);
    inputTokens += countWords(text);
    if (message.role === 'user') lastUserText = text;
  }
  const structuredOutput = openAIResponseFormat(body.response_format, messages as JsonObject[]);
  if (typeof structuredOutput === 'string') return structuredOutput;
  const reasoning = chatReasoningRequest(body, resolvedModel);
  if (typeof reasoning === 'string') return reasoning;
  if (body.web_search_options !== undefined && !isObject(body.web_search_options)) return "Invalid type for 'web_search_options': expected an object.";
  const parsed: SimParsedRequest = {
    model: resolvedModel,
    stream,
    lastUserText,
    toolNames,
    ...(typeof limit === 'number' ? { maxTokens: limit } : {}),
    ...(stream ? { includeUsage } : {}),
    inputTokens,
    ...(structuredOutput === undefined ? {} : { structuredOutput }),
    ...(reasoning === undefined ? {} : { reasoning }),
  };
  if (isObject(body.web_search_options)) webSearchRequests.add(parsed);
  return parsed;
}

/**
 * `response_format` (https://platform.openai.com/docs/api-reference/chat/create#chat-create-response_format):
 * `text` asks for nothing, `json_object` for a JSON object (the messages must mention JSON, or the
 * API answers 400), `json_schema` for JSON following `json_schema.schema`. A string is the 400's message.
 */
function openAIResponseFormat(value: unknown, messages: readonly JsonObject[]): SimParsedRequest['structuredOutput'] | string {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return "Invalid type for 'response_format': expected an object.";
  switch (value.type) {
    case 'text':
      return undefined;
    case 'json_object':
      if (!messages.some((message) => /json/i.test(textOf(message.content)))) return "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.";
      return {};
    case 'json_schema': {
      const format = value.json_schema;
      if (!isObject(format) || typeof format.name !== 'string') return "Missing required parameter: 'response_format.json_schema.name'.";
      return isObject(format.schema) ? { schema: format.schema } : {};
    }
    default:
      return `Invalid value: '${String(value.type)}'. Supported values are: 'text', 'json_object' and 'json_schema'.`;
  }
}

/** Seconds since the epoch, as the `created` field carries it. */
function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The `usage` object of an answer. */
export function renderUsage(answer: SimAnswer): JsonObject {
  return {
    prompt_tokens: answer.usage.inputTokens,
    completion_tokens: answer.usage.outputTokens,
    total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: answer.usage.cacheReadTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: answer.usage.reasoningTokens ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** The `chat.completion` object for a complete answer. */
export function renderChatCompletion(answer: SimAnswer, request: SimParsedRequest): JsonObject {
  const toolCalls = answer.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
  return {
    id: `chatcmpl-${answer.id}`,
    object: 'chat.completion',
    created: nowSeconds(),
    model: request.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.text === '' && toolCalls.length > 0 ? null : answer.text,
          ...(answer.reasoning !== undefined && showsReasoningContent(request.model) ? { reasoning_content: answer.reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null,
          annotations: annotationsOf(answer.text, asksWebSearch(request), 'chat'),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: renderUsage(answer),
    service_tier: 'default',
    system_fingerprint: 'fp_simulator',
  };
}

/** Splits a string into `count` roughly equal pieces (at least one; empty pieces are dropped). */
function splitInto(text: string, count: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/** One delta of a stream, before it is wrapped in a chunk. */
export interface ChunkChoice {
  readonly delta: JsonObject;
  readonly finishReason: string | null;
}

/**
 * The choice deltas of a streamed answer, in the order the API sends them: the role, the text
 * deltas, each tool call (its id and name with empty arguments first, then the arguments in
 * several pieces), and the final empty delta carrying `finish_reason`.
 */
export function streamChoices(plan: SimStreamPlan, request?: SimParsedRequest): ChunkChoice[] {
  const { answer } = plan;
  const choices: ChunkChoice[] = [{ delta: { role: 'assistant', content: '', refusal: null }, finishReason: null }];
  // DeepSeek-style servers stream the reasoning first, with `content: null`.
  if (answer.reasoning !== undefined && request !== undefined && showsReasoningContent(request.model)) {
    for (const piece of reasoningChunks(answer.reasoning)) choices.push({ delta: { content: null, reasoning_content: piece }, finishReason: null });
  }
  for (const text of plan.textChunks) choices.push({ delta: { content: text }, finishReason: null });
  const annotations = annotationsOf(answer.text, asksWebSearch(request), 'chat');
  if (annotations.length > 0) choices.push({ delta: { annotations }, finishReason: null });
  for (const [index, call] of answer.toolCalls.entries()) {
    choices.push({
      delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] },
      finishReason: null,
    });
    for (const piece of splitInto(JSON.stringify(call.arguments), 3)) {
      choices.push({ delta: { tool_calls: [{ index, function: { arguments: piece } }] }, finishReason: null });
    }
  }
  choices.push({ delta: {}, finishReason: answer.finishReason });
  return choices;
}

/** One SSE frame carrying a JSON payload. */
export function dataFrame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The frame that ends a successful stream. */
export const DONE_FRAME = 'data: [DONE]\n\n';

/** Everything a stream's chunks share, plus the hooks Azure uses to add its filter annotations. */
export interface ChunkRenderOptions {
  /** Extra fields for each choice (Azure: `content_filter_results`). */
  readonly choiceExtras?: (choice: ChunkChoice) => JsonObject;
}

/** The `chat.completion.chunk` frames of a streamed answer, ending with `data: [DONE]`. */
export function renderChunkFrames(plan: SimStreamPlan, request: SimParsedRequest, options: ChunkRenderOptions = {}): string[] {
  const id = `chatcmpl-${plan.answer.id}`;
  const created = nowSeconds();
  const envelope = (choices: unknown[]): JsonObject => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: request.model,
    service_tier: 'default',
    system_fingerprint: 'fp_simulator',
    choices,
    // Per the reference: with include_usage every chunk carries `usage`, null until the last.
    ...(request.includeUsage === true ? { usage: null } : {}),
  });
  const frames = streamChoices(plan, request).map((choice) =>
    dataFrame(
      envelope([
        { index: 0, delta: choice.delta, logprobs: null, finish_reason: choice.finishReason, ...(options.choiceExtras?.(choice) ?? {}) },
      ]),
    ),
  );
  if (request.includeUsage === true) frames.push(dataFrame({ ...envelope([]), usage: renderUsage(plan.answer) }));
  frames.push(DONE_FRAME);
  return frames;
}

/**
 * The OpenAI error object for a status. Types and codes follow the error codes guide and bodies
 * the API is seen to send: 401 `invalid_api_key`, 404 `model_not_found`, 429 `rate_limit_exceeded`
 * (type `requests`, as the API labels request-rate limits) or `insufficient_quota` when the message
 * is about quota, 5xx `server_error`, other 4xx `invalid_request_error`.
 */
export function openAIErrorObject(status: number, message: string): JsonObject {
  const error = (type: string | null, code: string | null, param: string | null = null): JsonObject => ({ message, type, param, code });
  if (status === 401) return error('invalid_request_error', 'invalid_api_key');
  if (status === 403) return error('request_forbidden', 'unsupported_country_region_territory');
  if (status === 404) return error('invalid_request_error', 'model_not_found');
  if (status === 429) return /quota|billing/i.test(message) ? error('insufficient_quota', 'insufficient_quota') : error('requests', 'rate_limit_exceeded');
  if (status === 400 && /context length|context_length/i.test(message)) return error('invalid_request_error', 'context_length_exceeded', 'messages');
  if (status >= 500) return error('server_error', null);
  return error('invalid_request_error', null);
}

/** `authorize` on OpenAI's API platform: `Authorization: Bearer <key>`. */
export function openAIAuthorized(headers: IncomingHttpHeaders, _url: URL, expectedKey: string): boolean {
  return headerValue(headers, 'authorization') === `Bearer ${expectedKey}`;
}

/** `successHeaders` on OpenAI's API platform: the request id and the rate limits remaining. */
export function openAISuccessHeaders(answerId: string): Readonly<Record<string, string>> {
  return { 'x-request-id': `req_${answerId}`, 'x-ratelimit-remaining-requests': '4999', 'x-ratelimit-remaining-tokens': '799000' };
}

/** `renderError` on OpenAI's API platform: `{ error }` and a request id. */
export function renderOpenAIError(status: number, message: string): ReturnType<WireFormat['renderError']> {
  return { body: { error: openAIErrorObject(status, message) }, headers: { 'x-request-id': `req_sim_${status}` } };
}

/** The simulator's OpenAI Chat Completions format. */
export const openAIFormat: WireFormat = {
  name: 'openai',

  match(method: string, url: URL): SimRouteMatch | undefined {
    return method === 'POST' && CHAT_PATHS.has(url.pathname) ? {} : undefined;
  },

  authorize: openAIAuthorized,

  parse(body: unknown): SimParsedRequest | string {
    return parseChatCompletionsBody(body, undefined);
  },

  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown {
    return renderChatCompletion(answer, request);
  },

  renderStream(plan: SimStreamPlan, request: SimParsedRequest): readonly string[] {
    return renderChunkFrames(plan, request);
  },

  successHeaders: openAISuccessHeaders,

  renderError: renderOpenAIError,

  renderStreamError(status: number, message: string): string {
    return dataFrame({ error: openAIErrorObject(status, message) });
  },
};
