/**
 * The OpenAI Responses API as the simulator speaks it (`POST /v1/responses`, and `POST /responses`
 * for a base URL that already ends in `/v1`), written from the public reference: the create
 * request and the response object (https://platform.openai.com/docs/api-reference/responses/create,
 * `.../responses/object`), the streaming events (https://platform.openai.com/docs/api-reference/responses-streaming)
 * and the SDK's types for both (openai/openai-node `src/resources/responses/responses.ts`). Errors
 * are OpenAI's error object (`openai.ts`); reasoning is `openai-responses-reasoning.ts`.
 *
 * Checked the way the API checks them: `input` items (`message` with input parts for user, system
 * and developer turns and `output_text` for assistant turns, `function_call`, `function_call_output`,
 * `reasoning`), flat function tools, `text.format` (a `json_object` request must mention JSON),
 * `max_output_tokens` (at least 16) and unknown parameters such as `stop`.
 *
 * With the `web_search` tool (https://platform.openai.com/docs/guides/tools-web-search) the answer
 * starts with a `web_search_call` item and its text cites a page: a `url_citation` annotation over
 * the last word, streamed as `response.output_text.annotation.added` after the text.
 */
import type { SimAnswer, SimParsedRequest, SimRawRequest, SimRejection, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { reasoningChunks } from '../sim-reasoning.js';
import { annotationsOf, openAIAuthorized, openAIErrorObject, openAISuccessHeaders, renderOpenAIError } from './openai.js';
import { checkResponsesReasoning, reasoningItemId, responsesModelReasons, responsesReasoningItem } from './openai-responses-reasoning.js';
import { countWords, isObject, type JsonObject } from './wire-helpers.js';

const RESPONSES_PATHS: ReadonlySet<string> = new Set(['/v1/responses', '/responses']);

/** The body fields the simulator knows; any other is refused as the API refuses unknown parameters. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'max_output_tokens', 'temperature', 'top_p', 'text', 'reasoning',
  'store', 'include', 'stream', 'metadata', 'user', 'service_tier', 'truncation', 'previous_response_id', 'prompt_cache_key', 'safety_identifier', 'max_tool_calls', 'top_logprobs', 'background',
]);

/** The built-in web search tool's type names (the second is the older preview). */
const WEB_SEARCH_TOOLS: ReadonlySet<unknown> = new Set(['web_search', 'web_search_preview']);

const USER_PARTS: ReadonlySet<unknown> = new Set(['input_text', 'input_image', 'input_file']);

/** The text of a message item's content: a string, or its text parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is JsonObject => isObject(part) && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('');
}

function checkInputPart(part: unknown, where: string): string | undefined {
  if (!isObject(part)) return `Invalid type for '${where}': expected an object.`;
  if (part.type === 'input_text') return typeof part.text === 'string' ? undefined : `Missing required parameter: '${where}.text'.`;
  if (part.type === 'input_image') {
    if (typeof part.image_url !== 'string' && typeof part.file_id !== 'string') return `Missing required parameter: '${where}.image_url'.`;
    if (part.detail !== undefined && !['low', 'high', 'auto', 'original'].includes(part.detail as string)) return `Invalid value: ${JSON.stringify(part.detail)}. Supported values are: 'low', 'high', 'auto' and 'original'.`;
    return undefined;
  }
  if (part.type === 'input_file') {
    if (typeof part.file_data === 'string') {
      if (!/^data:[^;,]+;base64,/.test(part.file_data)) return `Invalid '${where}.file_data'.`;
      return typeof part.filename === 'string' && part.filename !== '' ? undefined : `Missing required parameter: '${where}.filename'.`;
    }
    return typeof part.file_url === 'string' || typeof part.file_id === 'string' ? undefined : `Missing required parameter: '${where}.file_id'.`;
  }
  return `Invalid value: '${String(part.type)}'. Supported values are: 'input_text', 'input_image' and 'input_file'.`;
}

function checkMessage(item: JsonObject, where: string): string | undefined {
  const role = item.role;
  if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
    return `Invalid value: '${String(role)}'. Supported values are: 'user', 'assistant', 'system' and 'developer'.`;
  }
  if (typeof item.content === 'string') return undefined;
  if (!Array.isArray(item.content)) return `Missing required parameter: '${where}.content'.`;
  for (const [index, part] of item.content.entries()) {
    const partWhere = `${where}.content[${index}]`;
    if (role === 'assistant') {
      if (!isObject(part) || (part.type !== 'output_text' && part.type !== 'refusal')) return `Invalid value: '${isObject(part) ? String(part.type) : 'null'}'. Supported values are: 'output_text' and 'refusal'.`;
      if (part.type === 'output_text' && typeof part.text !== 'string') return `Missing required parameter: '${partWhere}.text'.`;
    } else {
      const problem = checkInputPart(part, partWhere);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

/** Checks one `input` item the way the API does. */
function checkItem(item: unknown, index: number): string | undefined {
  const where = `input[${index}]`;
  if (!isObject(item)) return `Invalid type for '${where}': expected an object.`;
  const type = item.type ?? (item.role === undefined ? undefined : 'message');
  switch (type) {
    case 'message':
      return checkMessage(item, where);
    case 'function_call':
      if (typeof item.call_id !== 'string' || item.call_id === '') return `Missing required parameter: '${where}.call_id'.`;
      if (typeof item.name !== 'string' || item.name === '') return `Missing required parameter: '${where}.name'.`;
      return typeof item.arguments === 'string' ? undefined : `Invalid type for '${where}.arguments': expected a string.`;
    case 'function_call_output':
      if (typeof item.call_id !== 'string' || item.call_id === '') return `Missing required parameter: '${where}.call_id'.`;
      if (typeof item.output === 'string') return undefined;
      if (!Array.isArray(item.output)) return `Invalid type for '${where}.output': expected a string or an array.`;
      for (const [partIndex, part] of item.output.entries()) {
        if (!isObject(part) || !USER_PARTS.has(part.type)) return `Invalid value for '${where}.output[${partIndex}].type'.`;
        const problem = checkInputPart(part, `${where}.output[${partIndex}]`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    case 'reasoning':
      if (typeof item.id !== 'string' || item.id === '') return `Missing required parameter: '${where}.id'.`;
      return Array.isArray(item.summary) ? undefined : `Missing required parameter: '${where}.summary'.`;
    default:
      return `Invalid value: ${typeof type === 'string' ? `'${type}'` : 'none'}. Supported values are: 'message', 'function_call', 'function_call_output' and 'reasoning'.`;
  }
}

/** `text.format`: the structured output asked for, or a 400's message. */
function textFormat(text: unknown, input: readonly unknown[], instructions: unknown): SimParsedRequest['structuredOutput'] | string {
  if (text === undefined || text === null) return undefined;
  if (!isObject(text)) return "Invalid type for 'text': expected an object.";
  const format = text.format;
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) return "Invalid type for 'text.format': expected an object.";
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object': {
      const texts = [typeof instructions === 'string' ? instructions : '', ...input.map((item) => (isObject(item) ? textOf(item.content) : ''))];
      if (!texts.some((value) => /json/i.test(value))) return "Response input messages must contain the word 'json' in some form to use 'text.format' of type 'json_object'.";
      return {};
    }
    case 'json_schema':
      if (typeof format.name !== 'string' || format.name === '') return "Missing required parameter: 'text.format.name'.";
      if (!isObject(format.schema)) return "Missing required parameter: 'text.format.schema'.";
      return { schema: format.schema };
    default:
      return `Invalid value: '${String(format.type)}'. Supported values are: 'text', 'json_object' and 'json_schema'.`;
  }
}

/** Reads a Responses body; a string is the 400's message, in the API's wording. */
function parseResponsesBody(body: unknown): SimParsedRequest | string {
  if (!isObject(body)) return 'The request body must be a JSON object.';
  for (const field of Object.keys(body)) if (!KNOWN_FIELDS.has(field)) return `Unknown parameter: '${field}'.`;
  const model = body.model;
  if (typeof model !== 'string' || model === '') return "Missing required parameter: 'model'.";
  const input: unknown[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
  if (body.input === undefined) return "Missing required parameter: 'input'.";
  for (const [index, item] of input.entries()) {
    const problem = checkItem(item, index);
    if (problem !== undefined) return problem;
  }
  const toolNames: string[] = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "Invalid type for 'tools': expected an array.";
    for (const [index, tool] of body.tools.entries()) {
      if (isObject(tool) && WEB_SEARCH_TOOLS.has(tool.type)) continue;
      if (!isObject(tool) || tool.type !== 'function') return `Invalid value for 'tools[${index}].type'.`;
      if (typeof tool.name !== 'string' || tool.name === '') return `Missing required parameter: 'tools[${index}].name'.`;
      toolNames.push(tool.name);
    }
  }
  const limit = body.max_output_tokens;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 16)) {
    return `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${JSON.stringify(limit)} instead.`;
  }
  const structuredOutput = textFormat(body.text, input, body.instructions);
  if (typeof structuredOutput === 'string') return structuredOutput;
  let lastUserText = '';
  let inputTokens = countWords(typeof body.instructions === 'string' ? body.instructions : '');
  for (const item of input as JsonObject[]) {
    const text = item.type === 'function_call_output' ? textOf(item.output) : textOf(item.content);
    inputTokens += countWords(text);
    // A tool result is what the model answers next, as with the other formats (Anthropic's are user turns).
    if (((item.type === 'message' || item.type === undefined) && item.role === 'user') || item.type === 'function_call_output') lastUserText = text;
  }
  const effort = isObject(body.reasoning) ? body.reasoning.effort : undefined;
  const reasoning = typeof effort === 'string' && responsesModelReasons(model) ? { effort } : undefined;
  return {
    model,
    stream: body.stream === true,
    lastUserText,
    toolNames,
    ...(typeof limit === 'number' ? { maxTokens: limit } : {}),
    inputTokens,
    ...(structuredOutput === undefined ? {} : { structuredOutput }),
    ...(reasoning === undefined ? {} : { reasoning }),
  };
}

/** What the request asked of the reasoning item (the parsed request has no field for it). */
interface RenderOptions {
  readonly includeEncrypted: boolean;
  readonly withSummary: boolean;
  /** The `web_search` tool was offered: the answer searched and cites a page. */
  readonly webSearch: boolean;
}

/** The rendering options of each parsed request (the parsed request is what the renderers get back). */
const renderOptions = new WeakMap<SimParsedRequest, RenderOptions>();

function renderOptionsOf(body: JsonObject): RenderOptions {
  const include = Array.isArray(body.include) ? body.include : [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  return {
    includeEncrypted: include.includes('reasoning.encrypted_content'),
    withSummary: isObject(body.reasoning) && typeof body.reasoning.summary === 'string',
    webSearch: tools.some((tool) => isObject(tool) && WEB_SEARCH_TOOLS.has(tool.type)),
  };
}

function optionsOf(request: SimParsedRequest): RenderOptions {
  return renderOptions.get(request) ?? { includeEncrypted: false, withSummary: false, webSearch: false };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function usageOf(answer: SimAnswer): JsonObject {
  return {
    input_tokens: answer.usage.inputTokens,
    input_tokens_details: { cached_tokens: answer.usage.cacheReadTokens ?? 0 },
    output_tokens: answer.usage.outputTokens,
    output_tokens_details: { reasoning_tokens: answer.usage.reasoningTokens ?? 0 },
    total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
  };
}

/** The `web_search_call` item a web search answer starts with. */
function webSearchItem(answer: SimAnswer, status: string): JsonObject {
  return { id: `ws_${answer.id}`, type: 'web_search_call', status, ...(status === 'completed' ? { action: { type: 'search', query: 'switchyard simulator' } } : {}) };
}

function messageItem(answer: SimAnswer, text: string, status: string, webSearch = false): JsonObject {
  return {
    id: `msg_${answer.id}`,
    type: 'message',
    status,
    role: 'assistant',
    content: text === '' && status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: status === 'completed' ? annotationsOf(text, webSearch, 'responses') : [] }],
  };
}

function functionCallItem(answer: SimAnswer, index: number, status: string): JsonObject {
  const call = answer.toolCalls[index] as SimAnswer['toolCalls'][number];
  return { id: `fc_${answer.id}_${index}`, type: 'function_call', status, arguments: status === 'completed' ? JSON.stringify(call.arguments) : '', call_id: call.id, name: call.name };
}

/** The complete output items of an answer, in the order the API puts them. */
function outputItems(answer: SimAnswer, options: RenderOptions): JsonObject[] {
  const items: JsonObject[] = [];
  const reasoning = responsesReasoningItem(answer, options.includeEncrypted, options.withSummary);
  if (reasoning !== undefined) items.push(reasoning);
  if (options.webSearch) items.push(webSearchItem(answer, 'completed'));
  if (answer.text !== '' || answer.toolCalls.length === 0) items.push(messageItem(answer, answer.text, 'completed', options.webSearch));
  answer.toolCalls.forEach((_call, index) => items.push(functionCallItem(answer, index, 'completed')));
  return items;
}

/** The response object: `in_progress` without output for `response.created`, else complete. */
function responseObject(answer: SimAnswer, request: SimParsedRequest, complete: boolean): JsonObject {
  const incomplete = answer.finishReason === 'length' ? 'max_output_tokens' : answer.finishReason === 'content_filter' ? 'content_filter' : undefined;
  const options = optionsOf(request);
  return {
    id: `resp_${answer.id}`,
    object: 'response',
    created_at: nowSeconds(),
    status: complete ? (incomplete === undefined ? 'completed' : 'incomplete') : 'in_progress',
    error: null,
    incomplete_details: complete && incomplete !== undefined ? { reason: incomplete } : null,
    instructions: null,
    max_output_tokens: request.maxTokens ?? null,
    model: request.model,
    output: complete ? outputItems(answer, options) : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: options.withSummary ? 'auto' : null },
    store: false,
    temperature: 1.0,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1.0,
    truncation: 'disabled',
    usage: complete ? usageOf(answer) : null,
    user: null,
    metadata: {},
  };
}

/** One SSE event: `event: <type>` and its JSON data (which repeats the type). */
function eventFrame(payload: JsonObject): string {
  return `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** The payloads of a streamed answer, in the order the API sends them (before sequence numbers). */
function streamPayloads(plan: SimStreamPlan, request: SimParsedRequest): JsonObject[] {
  const { answer } = plan;
  const options = optionsOf(request);
  const events: JsonObject[] = [];
  const inProgress = responseObject(answer, request, false);
  events.push({ type: 'response.created', response: inProgress }, { type: 'response.in_progress', response: inProgress });
  let outputIndex = 0;
  const reasoning = responsesReasoningItem(answer, options.includeEncrypted, options.withSummary);
  if (reasoning !== undefined) {
    const itemId = reasoningItemId(answer);
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: { id: itemId, type: 'reasoning', summary: [] } });
    if (options.withSummary && answer.reasoning !== undefined) {
      const base = { item_id: itemId, output_index: outputIndex, summary_index: 0 };
      events.push({ type: 'response.reasoning_summary_part.added', ...base, part: { type: 'summary_text', text: '' } });
      for (const delta of reasoningChunks(answer.reasoning)) events.push({ type: 'response.reasoning_summary_text.delta', ...base, delta });
      events.push({ type: 'response.reasoning_summary_text.done', ...base, text: answer.reasoning });
      events.push({ type: 'response.reasoning_summary_part.done', ...base, part: { type: 'summary_text', text: answer.reasoning } });
    }
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item: reasoning });
    outputIndex += 1;
  }
  if (options.webSearch) {
    const base = { item_id: `ws_${answer.id}`, output_index: outputIndex };
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: webSearchItem(answer, 'in_progress') });
    events.push({ type: 'response.web_search_call.in_progress', ...base }, { type: 'response.web_search_call.searching', ...base }, { type: 'response.web_search_call.completed', ...base });
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item: webSearchItem(answer, 'completed') });
    outputIndex += 1;
  }
  if (answer.text !== '' || answer.toolCalls.length === 0) {
    const itemId = `msg_${answer.id}`;
    const base = { item_id: itemId, output_index: outputIndex, content_index: 0 };
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: messageItem(answer, '', 'in_progress') });
    events.push({ type: 'response.content_part.added', ...base, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of plan.textChunks) events.push({ type: 'response.output_text.delta', ...base, delta, logprobs: [] });
    const annotations = annotationsOf(answer.text, options.webSearch, 'responses');
    annotations.forEach((annotation, index) => events.push({ type: 'response.output_text.annotation.added', ...base, annotation_index: index, annotation }));
    events.push({ type: 'response.output_text.done', ...base, text: answer.text, logprobs: [] });
    events.push({ type: 'response.content_part.done', ...base, part: { type: 'output_text', text: answer.text, annotations } });
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item: messageItem(answer, answer.text, 'completed', options.webSearch) });
    outputIndex += 1;
  }
  answer.toolCalls.forEach((call, index) => {
    const itemId = `fc_${answer.id}_${index}`;
    const argumentsText = JSON.stringify(call.arguments);
    events.push({ type: 'response.output_item.added', output_index: outputIndex, item: functionCallItem(answer, index, 'in_progress') });
    const size = Math.max(1, Math.ceil(argumentsText.length / 3));
    for (let offset = 0; offset < argumentsText.length; offset += size) {
      events.push({ type: 'response.function_call_arguments.delta', item_id: itemId, output_index: outputIndex, delta: argumentsText.slice(offset, offset + size) });
    }
    events.push({ type: 'response.function_call_arguments.done', item_id: itemId, output_index: outputIndex, arguments: argumentsText });
    events.push({ type: 'response.output_item.done', output_index: outputIndex, item: functionCallItem(answer, index, 'completed') });
    outputIndex += 1;
  });
  const final = responseObject(answer, request, true);
  events.push({ type: final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: final });
  return events;
}

/** The simulator's OpenAI Responses API format. */
export const openAIResponsesFormat: WireFormat = {
  name: 'openai-responses',

  match(method: string, url: URL): SimRouteMatch | undefined {
    return method === 'POST' && RESPONSES_PATHS.has(url.pathname) ? {} : undefined;
  },

  // Keys, success headers and error bodies are Chat Completions' (the same API platform).
  authorize: openAIAuthorized,

  // The reasoning checks need answers other than 400 (a missing item is 404), so they run here, on the raw body.
  verify(request: SimRawRequest): Promise<SimRejection | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return Promise.resolve(undefined); // `parse` answers a body that is not JSON
    }
    return Promise.resolve(isObject(body) ? checkResponsesReasoning(body) : undefined);
  },

  parse(body: unknown): SimParsedRequest | string {
    const parsed = parseResponsesBody(body);
    if (typeof parsed !== 'string' && isObject(body)) renderOptions.set(parsed, renderOptionsOf(body));
    return parsed;
  },

  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown {
    return responseObject(answer, request, true);
  },

  renderStream(plan: SimStreamPlan, request: SimParsedRequest): readonly string[] {
    return streamPayloads(plan, request).map((payload, index) => eventFrame({ ...payload, sequence_number: index }));
  },

  successHeaders: openAISuccessHeaders,

  renderError: renderOpenAIError,

  // The `error` event (`ResponseErrorEvent`: code, message, param).
  renderStreamError(status: number, message: string): string {
    const error = openAIErrorObject(status, message);
    return eventFrame({ type: 'error', code: error.code ?? error.type, message, param: null, sequence_number: 0 });
  },
};
