/**
 * Chat Completions `messages` → the unified system prompt and messages, per the API reference
 * (https://platform.openai.com/docs/api-reference/chat/create) and the `openai` SDK's
 * `ChatCompletionMessageParam`: `system` and `developer` messages become the system prompt (joined
 * in order), `user` content is a string or `text`/`image_url`/`file` parts (`file-part.ts`), `assistant` messages carry
 * `tool_calls` whose `arguments` are JSON text and DeepSeek's `reasoning_content` (→ reasoning), `tool` messages answer a `tool_call_id`.
 */
import { invalidRequest } from '../../../errors.js';
import type { Mutable } from '../../../mutable.js';
import type { ContentPart, ImagePart, Message, ToolCall } from '../../../types.js';
import { isJsonObject, optionalString, requiredObject, requiredString, wrongType, type JsonObject } from '../request-fields.js';
import { documentPartFromFile } from './file-part.js';
import type { FileIdNotes } from '../file-ids.js';

/** The unified pieces of a conversation. */
export interface ParsedMessages {
  /** The `system` and `developer` messages' text, joined by a blank line; absent when there were none. */
  readonly system?: string;
  readonly messages: readonly Message[];
}

const CONTENT_EXPECTED = 'a string or an array of content parts';

/** An image part from an `image_url`: a base64 `data:` URL becomes `data` + `mediaType`, an http(s) URL stays a URL. */
export function imagePartFromUrl(url: string, field: string): ImagePart {
  if (/^https?:\/\//i.test(url)) return { type: 'image', url };
  if (!/^data:/i.test(url)) throw invalidRequest(field, 'expected an http(s) URL or a base64 data: URL');
  // Sliced rather than matched by a pattern: the data can be megabytes long.
  const comma = url.indexOf(',');
  if (comma < 0) throw invalidRequest(field, 'a data: URL needs a comma before its data');
  const [mediaType = '', ...parameters] = url.slice('data:'.length, comma).split(';');
  if (mediaType === '') throw invalidRequest(field, 'a data: URL must name its media type (e.g. data:image/png;base64,...)');
  if (!parameters.some((parameter) => parameter.toLowerCase() === 'base64')) throw invalidRequest(field, 'only base64 data: URLs are supported (data:<type>;base64,...)');
  return { type: 'image', data: url.slice(comma + 1), mediaType };
}

/** One part of a message's content, checked against the part types that role allows. */
function contentPart(part: unknown, field: string, allowed: readonly string[], files: FileIdNotes | undefined): ContentPart {
  if (!isJsonObject(part)) throw wrongType(field, 'a content part object', part);
  const type = part.type;
  if (typeof type !== 'string' || !allowed.includes(type)) {
    const expected = allowed.map((name) => `'${name}'`).join(' or ');
    throw invalidRequest(`${field}.type`, `${typeof type === 'string' ? `part type '${type}' is not supported here` : 'required'}; expected ${expected}`);
  }
  if (type === 'image_url') {
    const image = requiredObject(part.image_url, `${field}.image_url`);
    const imagePart = imagePartFromUrl(requiredString(image.url, `${field}.image_url.url`), `${field}.image_url.url`);
    const detail = image.detail;
    if (detail === undefined || detail === null) return imagePart;
    if (detail !== 'low' && detail !== 'high' && detail !== 'auto') throw invalidRequest(`${field}.image_url.detail`, "expected 'low', 'high' or 'auto'");
    return { ...imagePart, detail };
  }
  if (type === 'file') return documentPartFromFile(part, field, files);
  // An assistant's refusal in the history is what the assistant said.
  const textField = type === 'refusal' ? 'refusal' : 'text';
  const text = part[textField];
  if (typeof text !== 'string') throw wrongType(`${field}.${textField}`, 'a string', text);
  return { type: 'text', text };
}

/** Content as a string or parts; `allowed` names the part types the role may use; `files` notes uploaded files' ids. */
function content(value: unknown, field: string, allowed: readonly string[], files?: FileIdNotes): string | ContentPart[] {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw wrongType(field, CONTENT_EXPECTED, value);
  return value.map((part, index) => contentPart(part, `${field}[${index}]`, allowed, files));
}

/** Content that may only hold text, as one string (parts joined by newlines). */
function textContent(value: unknown, field: string): string {
  const parsed = content(value, field, ['text']);
  return typeof parsed === 'string' ? parsed : parsed.map((part) => (part as { text: string }).text).join('\n');
}

/** A tool call's `arguments`: JSON text of an object. An empty string means no arguments. */
function toolArguments(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'string') throw wrongType(field, 'a string of JSON', value);
  if (value.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidRequest(field, 'expected a JSON object encoded as a string; the text is not valid JSON');
  }
  if (!isJsonObject(parsed)) throw invalidRequest(field, `expected a JSON object encoded as a string, got ${Array.isArray(parsed) ? 'an array' : 'a JSON value that is not an object'}`);
  return parsed;
}

function toolCall(value: unknown, field: string): ToolCall {
  const call = requiredObject(value, field);
  if (call.type !== 'function') {
    throw invalidRequest(`${field}.type`, `${typeof call.type === 'string' ? `tool call type '${call.type}' is not supported` : 'required'}; expected 'function'`);
  }
  const callFunction = requiredObject(call.function, `${field}.function`);
  return {
    id: requiredString(call.id, `${field}.id`),
    name: requiredString(callFunction.name, `${field}.function.name`),
    arguments: toolArguments(callFunction.arguments, `${field}.function.arguments`),
  };
}

/**
 * The provider type whose reasoning parts are DeepSeek-style `reasoning_content`: the router sends
 * such parts back, as `reasoning_content` on tool-call turns, only to `openai-compatible` providers
 * (providers/openai/reasoning.ts), which is where DeepSeek's thinking mode requires them.
 */
const DEEPSEEK_STYLE_REASONING = 'openai-compatible';

/** An assistant message: content, `tool_calls`, and `reasoning_content` (as the gateway answers it) as reasoning. */
function assistantMessage(message: JsonObject, field: string): Message {
  let toolCalls: ToolCall[] | undefined;
  if (message.tool_calls !== undefined && message.tool_calls !== null) {
    if (!Array.isArray(message.tool_calls)) throw wrongType(`${field}.tool_calls`, 'an array', message.tool_calls);
    toolCalls = message.tool_calls.map((call, index) => toolCall(call, `${field}.tool_calls[${index}]`));
  }
  let body: string | ContentPart[];
  if (message.content === undefined || message.content === null) {
    const refusal = optionalString(message.refusal, `${field}.refusal`);
    if (refusal === undefined && (toolCalls === undefined || toolCalls.length === 0)) {
      throw invalidRequest(`${field}.content`, 'required unless the message has tool_calls');
    }
    body = refusal ?? '';
  } else {
    body = content(message.content, `${field}.content`, ['text', 'refusal']);
  }
  const assistant: Mutable<Message> = { role: 'assistant', content: body };
  if (toolCalls !== undefined && toolCalls.length > 0) assistant.toolCalls = toolCalls;
  const reasoning = optionalString(message.reasoning_content, `${field}.reasoning_content`);
  if (reasoning !== undefined && reasoning !== '') assistant.reasoning = [{ type: 'reasoning', text: reasoning, provider: DEEPSEEK_STYLE_REASONING }];
  return assistant;
}

/** Reads the `messages` array; uploaded files' ids (`file.file_id`) are noted in `files`. */
export function parseMessages(value: unknown, files?: FileIdNotes): ParsedMessages {
  if (value === undefined || value === null) throw invalidRequest('messages', 'required');
  if (!Array.isArray(value)) throw wrongType('messages', 'an array of messages', value);
  const systemTexts: string[] = [];
  const messages: Message[] = [];
  value.forEach((entry: unknown, index) => {
    const field = `messages[${index}]`;
    if (!isJsonObject(entry)) throw wrongType(field, 'a message object', entry);
    const role = entry.role;
    switch (role) {
      case 'system':
      case 'developer':
        systemTexts.push(textContent(entry.content, `${field}.content`));
        return;
      case 'user':
        messages.push({ role: 'user', content: content(entry.content, `${field}.content`, ['text', 'image_url', 'file'], files) });
        return;
      case 'assistant':
        messages.push(assistantMessage(entry, field));
        return;
      case 'tool':
        messages.push({
          role: 'tool',
          toolCallId: requiredString(entry.tool_call_id, `${field}.tool_call_id`),
          content: textContent(entry.content, `${field}.content`),
        });
        return;
      case 'function':
        throw invalidRequest(`${field}.role`, "the deprecated 'function' role is not supported; send tool results as role 'tool' with a tool_call_id");
      default:
        throw invalidRequest(
          `${field}.role`,
          `${typeof role === 'string' ? `unknown role '${role}'` : 'required'}; expected 'system', 'developer', 'user', 'assistant' or 'tool'`,
        );
    }
  });
  if (messages.length === 0) {
    throw invalidRequest('messages', value.length === 0 ? 'at least one message is required' : 'needs a user, assistant or tool message besides the system and developer messages');
  }
  return systemTexts.length === 0 ? { messages } : { system: systemTexts.join('\n\n'), messages };
}
