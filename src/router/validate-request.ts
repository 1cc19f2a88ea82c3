/**
 * Checks a unified request before any provider is called. Every problem is an `invalid_request`
 * error naming the field, e.g. `messages[2].content[0].type: unknown part type "audio"`.
 */
import { invalidRequest } from '../errors.js';
import type { ChatRequest, ContentPart, Message } from '../types.js';
import { checkMessageReasoning, checkReasoningOption } from './validate-reasoning.js';
import { checkProviderOptions } from '../provider-options.js';
import { checkSystemAndCacheBreakpoints } from './validate-prompt-cache.js';
import { checkResponseFormat } from './structured-output.js';
import { checkDocumentPart, checkFileReference } from './validate-document-part.js';
import { isRecord } from '../is-record.js';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const IMAGE_DETAILS = new Set(['low', 'high', 'auto']);

function checkPart(part: ContentPart, field: string): void {
  if (!isRecord(part)) throw invalidRequest(field, 'expected a content part object');
  switch (part.type) {
    case 'text':
      if (typeof part.text !== 'string') throw invalidRequest(`${field}.text`, 'expected a string');
      if (part.citations !== undefined && !Array.isArray(part.citations)) throw invalidRequest(`${field}.citations`, 'expected a list (as an answer gave it)');
      return;
    case 'image':
      if (part.url === undefined && part.data === undefined && part.file === undefined) throw invalidRequest(field, 'an image needs `url`, `data` or `file`');
      if (part.file !== undefined) checkFileReference(part.file, `${field}.file`);
      if (part.data !== undefined && (typeof part.mediaType !== 'string' || part.mediaType === '')) {
        throw invalidRequest(`${field}.mediaType`, 'required with `data` (e.g. image/png)');
      }
      if (part.detail !== undefined && !IMAGE_DETAILS.has(part.detail)) throw invalidRequest(`${field}.detail`, 'expected low, high or auto');
      return;
    case 'document':
      checkDocumentPart(part, field);
      return;
    default:
      throw invalidRequest(`${field}.type`, `unknown part type ${JSON.stringify((part as { type?: unknown }).type)}; expected "text", "image" or "document"`);
  }
}

function checkMessage(message: Message, index: number): void {
  const field = `messages[${index}]`;
  if (!isRecord(message)) throw invalidRequest(field, 'expected a message object');
  if (!ROLES.has(message.role)) throw invalidRequest(`${field}.role`, `unknown role ${JSON.stringify(message.role)}; expected system, user, assistant or tool`);
  const content: unknown = message.content;
  if (Array.isArray(content)) {
    content.forEach((part, partIndex) => checkPart(part as ContentPart, `${field}.content[${partIndex}]`));
  } else if (typeof content !== 'string' && !(content === undefined && message.role === 'assistant' && message.toolCalls !== undefined)) {
    throw invalidRequest(`${field}.content`, 'expected a string or a list of parts');
  }
  if (message.role === 'tool' && (typeof message.toolCallId !== 'string' || message.toolCallId === '')) {
    throw invalidRequest(`${field}.toolCallId`, 'required on tool messages');
  }
  if (message.isError !== undefined && (message.role !== 'tool' || typeof message.isError !== 'boolean')) {
    throw invalidRequest(`${field}.isError`, 'a boolean, on tool messages only');
  }
  if (message.toolCalls !== undefined) {
    if (message.role !== 'assistant') throw invalidRequest(`${field}.toolCalls`, 'only assistant messages carry tool calls');
    message.toolCalls.forEach((call, callIndex) => {
      if (typeof call.id !== 'string' || typeof call.name !== 'string') throw invalidRequest(`${field}.toolCalls[${callIndex}]`, 'needs `id` and `name`');
      if (!isRecord(call.arguments)) throw invalidRequest(`${field}.toolCalls[${callIndex}].arguments`, 'expected an object');
    });
  }
  checkMessageReasoning(message, field);
}

function checkNumber(value: unknown, field: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidRequest(field, `expected a number from ${min} to ${max}`);
  }
}

/** Throws `invalid_request` naming the first problem found; returns nothing when the request is sound. */
export function validateRequest(request: ChatRequest): void {
  if (!isRecord(request)) throw invalidRequest('request', 'expected an object');
  if (typeof request.model !== 'string' || request.model === '') throw invalidRequest('model', 'required: a route name or provider/model');
  if (!Array.isArray(request.messages) || request.messages.length === 0) throw invalidRequest('messages', 'at least one message is required');
  request.messages.forEach(checkMessage);
  // Checked as `unknown`: `Array.isArray` on the typed list would make its items `any` below.
  const tools: unknown = request.tools;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw invalidRequest('tools', 'expected a list');
    tools.forEach((tool: unknown, index) => {
      if (!isRecord(tool) || typeof tool.name !== 'string' || tool.name === '') throw invalidRequest(`tools[${index}].name`, 'required');
      if (!isRecord(tool.parameters)) throw invalidRequest(`tools[${index}].parameters`, 'a JSON Schema object is required');
    });
  }
  checkSystemAndCacheBreakpoints(request);
  if (request.responseFormat !== undefined) checkResponseFormat(request.responseFormat);
  const choice = request.toolChoice;
  if (choice !== undefined && choice !== 'auto' && choice !== 'none' && choice !== 'required') {
    if (!isRecord(choice) || typeof choice.name !== 'string') throw invalidRequest('toolChoice', 'expected auto, none, required or { name }');
    if (!(request.tools ?? []).some((tool) => tool.name === choice.name)) throw invalidRequest('toolChoice.name', `no tool named ${JSON.stringify(choice.name)}`);
  }
  if (request.maxTokens !== undefined && (!Number.isInteger(request.maxTokens) || request.maxTokens < 1)) {
    throw invalidRequest('maxTokens', 'expected a whole number ≥ 1');
  }
  checkNumber(request.temperature, 'temperature', 0, 2);
  checkNumber(request.topP, 'topP', 0, 1);
  if (request.stop !== undefined && (!Array.isArray(request.stop) || request.stop.some((item) => typeof item !== 'string'))) {
    throw invalidRequest('stop', 'expected a list of strings');
  }
  checkReasoningOption(request.reasoning);
  if (request.parallelToolCalls !== undefined && typeof request.parallelToolCalls !== 'boolean') throw invalidRequest('parallelToolCalls', 'expected true or false');
  checkProviderOptions(request.providerOptions);
}

/**
 * The request with `content: ''` on the messages that leave it out: an assistant message that only
 * calls tools may omit it (validateRequest accepts that), and adapters then map one shape.
 * Returns the request itself when nothing is missing.
 */
export function withContentFilled(request: ChatRequest): ChatRequest {
  // Read as possibly absent: JavaScript callers may leave `content` out (see validateRequest).
  const missing = (message: ChatRequest['messages'][number]): boolean => (message.content as Message['content'] | undefined) === undefined;
  if (!request.messages.some(missing)) return request;
  return { ...request, messages: request.messages.map((message) => (missing(message) ? { ...message, content: '' } : message)) };
}
