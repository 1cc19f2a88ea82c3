/**
 * The Anthropic Messages API as the simulator speaks it (`POST /v1/messages`), written from the
 * public reference: Messages API (https://platform.claude.com/docs/en/api/messages), streaming
 * (https://platform.claude.com/docs/en/build-with-claude/streaming) and errors
 * (https://platform.claude.com/docs/en/api/errors).
 */
import type { SimAnswer, SimParsedRequest, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { countWords, headerValue, isObject, type JsonObject } from './wire-helpers.js';
import { anthropicCacheBreakpoints, anthropicStructuredOutput } from './anthropic-prompt-features.js';
import { anthropicThinkingBlock, anthropicThinkingEvents, anthropicThinkingRequest } from './anthropic-thinking.js';
import { anthropicCitationFor, anthropicCitationsMixProblem, anthropicContentBlockProblem, SIM_FILES_API_BETA } from './anthropic-content-blocks.js';

/** The one path this format serves. */
const MESSAGES_PATH = '/v1/messages';

/**
 * Requests whose `anthropic-version` header was missing. `authorize` sees the headers but can only
 * answer 401; `parse` can answer 400 but sees no headers. Both receive the same per-request `URL`
 * object, so `authorize` marks it here and `parse` turns the mark into the documented 400.
 */
const missingVersion = new WeakSet<URL>();

/** Requests that sent the Files API beta flag (marked by `authorize`, read by `parse`, as above). */
const filesBeta = new WeakSet<URL>();

/** Anthropic's error type for each HTTP status, per the errors reference. */
const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/**
 * The Anthropic error type a status is answered with. The reference says `invalid_request_error`
 * "may also be used for other 4XX status codes"; other 5xx statuses are `api_error`.
 */
export function anthropicErrorTypeForStatus(status: number): string {
  const known = ERROR_TYPE_BY_STATUS[status];
  if (known !== undefined) return known;
  return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
}

/** The text of a `content` value: a string, or the text (and tool-result text) of its blocks. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    if (block.type === 'tool_result') texts.push(textOf(block.content));
  }
  return texts.join('');
}

/** Only the `text` blocks of a user message (what the model is asked), falling back to tool results. */
function userTextOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts = content.filter((block): block is JsonObject => isObject(block) && block.type === 'text' && typeof block.text === 'string');
  if (texts.length > 0) return texts.map((block) => block.text as string).join('');
  return textOf(content);
}

function stopReasonOf(finishReason: SimAnswer['finishReason']): string {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * The input side of `usage`: `input_tokens` counts what was neither read from nor written to the
 * prompt cache; the two cache counts are beside it (0 without breakpoints, as the API sends them),
 * and the writes split by lifetime in `cache_creation` (https://docs.anthropic.com/en/api/messages,
 * response `usage.cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`).
 */
function inputUsage(answer: SimAnswer): {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
} {
  const read = answer.usage.cacheReadTokens ?? 0;
  const write = answer.usage.cacheWriteTokens ?? 0;
  const write1h = answer.usage.cacheWrite1hTokens ?? 0;
  return {
    input_tokens: Math.max(0, answer.usage.inputTokens - read - write),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write - write1h, ephemeral_1h_input_tokens: write1h },
  };
}

function messageId(answer: SimAnswer): string {
  return answer.id.startsWith('msg_') ? answer.id : `msg_${answer.id}`;
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The answer's text as text blocks: all of it, uncited; or, with a citation, its first word as a
 * plain block and the rest as a block that cites (as the citations guide's example answers do).
 */
function citedPieces(text: string, citation: Readonly<Record<string, unknown>> | undefined): [string, Readonly<Record<string, unknown>> | undefined][] {
  if (text === '') return [];
  if (citation === undefined) return [[text, undefined]];
  const space = text.indexOf(' ');
  if (space < 0) return [[text, citation]];
  return [
    [text.slice(0, space + 1), undefined],
    [text.slice(space + 1), citation],
  ];
}

/** Cuts a tool call's JSON into several pieces, as the API streams `input_json_delta`s. */
function splitJson(json: string): string[] {
  const size = Math.max(1, Math.ceil(json.length / 4));
  const pieces: string[] = [];
  for (let index = 0; index < json.length; index += size) pieces.push(json.slice(index, index + size));
  return pieces;
}

/** The simulator's Anthropic Messages wire format. */
export const anthropicFormat: WireFormat = {
  name: 'anthropic',

  match(method, url) {
    return method === 'POST' && url.pathname === MESSAGES_PATH ? {} : undefined;
  },

  authorize(headers, url, expectedKey) {
    if (headerValue(headers, 'x-api-key') !== expectedKey) return false;
    const version = headerValue(headers, 'anthropic-version');
    if (version === undefined || version.trim() === '') missingVersion.add(url);
    const betas = (headerValue(headers, 'anthropic-beta') ?? '').split(',').map((flag) => flag.trim());
    if (betas.includes(SIM_FILES_API_BETA)) filesBeta.add(url);
    return true;
  },

  parse(body: unknown, _match: SimRouteMatch, url: URL): SimParsedRequest | string {
    if (missingVersion.has(url)) return 'anthropic-version: header is required';
    if (!isObject(body)) return 'body: expected a JSON object';
    if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
    if (body.max_tokens === undefined) return 'max_tokens: Field required';
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
      return 'max_tokens: Input should be a positive integer';
    }
    if (!Array.isArray(body.messages)) return 'messages: Field required';
    let inputWords = countWords(textOf(body.system));
    let lastUserText = '';
    for (const [index, message] of body.messages.entries()) {
      if (!isObject(message)) return `messages.${index}: expected an object`;
      if (message.role !== 'user' && message.role !== 'assistant') return `messages.${index}.role: Input should be 'user' or 'assistant'`;
      if (typeof message.content !== 'string' && !Array.isArray(message.content)) return `messages.${index}.content: Field required`;
      const blockProblem = anthropicContentBlockProblem(message, index, { filesBeta: filesBeta.has(url) });
      if (blockProblem !== undefined) return blockProblem;
      inputWords += countWords(textOf(message.content));
      if (message.role === 'user') lastUserText = userTextOf(message.content);
    }
    const citationsMix = anthropicCitationsMixProblem(body.messages);
    if (citationsMix !== undefined) return citationsMix;
    const toolNames: string[] = [];
    if (body.tools !== undefined) {
      if (!Array.isArray(body.tools)) return 'tools: Input should be a valid list';
      for (const [index, tool] of body.tools.entries()) {
        if (!isObject(tool) || typeof tool.name !== 'string') return `tools.${index}.name: Field required`;
        toolNames.push(tool.name);
      }
    }
    const cacheBreakpoints = anthropicCacheBreakpoints(body);
    if (typeof cacheBreakpoints === 'string') return cacheBreakpoints;
    const structuredOutput = anthropicStructuredOutput(body);
    const reasoning = anthropicThinkingRequest(body);
    if (typeof reasoning === 'string') return reasoning;
    const citation = anthropicCitationFor(body.messages);
    return {
      model: body.model,
      stream: body.stream === true,
      lastUserText,
      toolNames,
      maxTokens: body.max_tokens,
      inputTokens: inputWords,
      ...(cacheBreakpoints.length === 0 ? {} : { cacheBreakpoints }),
      ...(structuredOutput === undefined ? {} : { structuredOutput }),
      ...(reasoning === undefined ? {} : { reasoning }),
      ...(citation === undefined ? {} : { citation }),
    };
  },

  renderResponse(answer, request) {
    const content: JsonObject[] = [];
    const thinking = anthropicThinkingBlock(answer);
    if (thinking !== undefined) content.push(thinking);
    for (const [text, citation] of citedPieces(answer.text, request.citation)) {
      content.push(citation === undefined ? { type: 'text', text } : { type: 'text', text, citations: [citation] });
    }
    for (const call of answer.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
    return {
      id: messageId(answer),
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: stopReasonOf(answer.finishReason),
      stop_sequence: null,
      usage: { ...inputUsage(answer), output_tokens: answer.usage.outputTokens },
    };
  },

  renderStream(plan: SimStreamPlan, request: SimParsedRequest) {
    const { answer } = plan;
    const frames: string[] = [
      frame('message_start', {
        type: 'message_start',
        message: {
          id: messageId(answer),
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...inputUsage(answer), output_tokens: 1 },
        },
      }),
    ];
    let index = 0;
    let pinged = false;
    const ping = (): void => {
      // The reference sends one `ping` right after the first content block opens.
      if (!pinged) frames.push(frame('ping', { type: 'ping' }));
      pinged = true;
    };
    const thinkingEvents = anthropicThinkingEvents(answer, index);
    if (thinkingEvents.length > 0) {
      for (const [position, event] of thinkingEvents.entries()) {
        frames.push(frame(String(event.type), event));
        if (position === 0) ping();
      }
      index += 1;
    }
    if (plan.textChunks.length > 0 && request.citation !== undefined) {
      // A cited answer streams its plain opening, then the cited rest with a `citations_delta`
      // after its text, in the citations guide's order (text_delta…, citations_delta, stop).
      for (const [text, citation] of citedPieces(answer.text, request.citation)) {
        frames.push(frame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '', ...(citation === undefined ? {} : { citations: [] }) } }));
        ping();
        frames.push(frame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
        if (citation !== undefined) frames.push(frame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'citations_delta', citation } }));
        frames.push(frame('content_block_stop', { type: 'content_block_stop', index }));
        index += 1;
      }
    } else if (plan.textChunks.length > 0) {
      frames.push(frame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      ping();
      for (const text of plan.textChunks) {
        frames.push(frame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
      }
      frames.push(frame('content_block_stop', { type: 'content_block_stop', index }));
      index += 1;
    }
    for (const call of answer.toolCalls) {
      frames.push(frame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }));
      ping();
      for (const partial of ['', ...splitJson(JSON.stringify(call.arguments))]) {
        frames.push(frame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } }));
      }
      frames.push(frame('content_block_stop', { type: 'content_block_stop', index }));
      index += 1;
    }
    ping();
    frames.push(
      frame('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReasonOf(answer.finishReason), stop_sequence: null },
        usage: { output_tokens: answer.usage.outputTokens },
      }),
    );
    frames.push(frame('message_stop', { type: 'message_stop' }));
    return frames;
  },

  successHeaders(answerId) {
    return { 'request-id': `req_${answerId}`, 'anthropic-ratelimit-requests-remaining': '999', 'anthropic-ratelimit-tokens-remaining': '96000' };
  },

  renderError(status, message) {
    return {
      body: { type: 'error', error: { type: anthropicErrorTypeForStatus(status), message }, request_id: 'req_sim' },
      headers: { 'request-id': 'req_sim' },
    };
  },

  renderStreamError(status, message) {
    return frame('error', { type: 'error', error: { type: anthropicErrorTypeForStatus(status), message } });
  },
};
