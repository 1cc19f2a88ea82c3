/**
 * Maps a unified `ChatRequest` to an Anthropic Messages API body and headers.
 * Reference: https://platform.claude.com/docs/en/api/messages
 */
import { invalidRequest } from '../../src/errors.js';
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { ChatRequest, ContentPart, ImagePart, Message, ToolChoice } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';
import { anthropicThinkingBlocks, applyAnthropicThinking } from './thinking.js';
import { systemPromptText } from '../../src/system-prompt.js';
import { cacheControlOf, systemBlocks } from './cache-control.js';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicRequestBody, AnthropicToolChoice } from './request-body.js';
import { applyStructuredOutput, planStructuredOutput } from './structured-output.js';
import { applyParallelToolUse } from './parallel-tool-use.js';
import { anthropicDocumentBlock, checkCitationsAllOrNone } from './document-part.js';
import { citationParamsOf } from './citations.js';

// The body's type stays importable from here, where the adapters that build it look for it.
export type { AnthropicRequestBody } from './request-body.js';

/** The `anthropic-version` sent when the provider's settings name none. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Arguments of `buildAnthropicRequest`. */
export interface BuildAnthropicRequestArguments {
  readonly request: ChatRequest;
  /** The upstream model id. */
  readonly model: string;
  readonly settings: ProviderSettings;
}

function partsOf(content: Message['content']): readonly ContentPart[] {
  return typeof content === 'string' ? (content === '' ? [] : [{ type: 'text', text: content }]) : content;
}

function textOf(content: Message['content']): string {
  return partsOf(content)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('');
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imageBlock(part: ImagePart, field: string): AnthropicContentBlock {
  if (part.file !== undefined) return { type: 'image', source: { type: 'file', file_id: part.file.id } };
  if (part.data !== undefined) {
    if (part.mediaType === undefined) throw invalidRequest(field, 'an image given as data needs a mediaType');
    return { type: 'image', source: { type: 'base64', media_type: part.mediaType, data: part.data } };
  }
  if (part.url !== undefined) {
    const dataUrl = DATA_URL.exec(part.url);
    if (dataUrl !== null) return { type: 'image', source: { type: 'base64', media_type: dataUrl[1] ?? '', data: dataUrl[2] ?? '' } };
    if (part.url.startsWith('data:')) throw invalidRequest(field, 'only base64 data URLs are supported');
    return { type: 'image', source: { type: 'url', url: part.url } };
  }
  throw invalidRequest(field, 'an image needs a url or data with a mediaType');
}

/**
 * Text and image parts as blocks; empty text is dropped (the API rejects empty text blocks).
 * `messageIndex` names the field in errors; the name is only built when there is one.
 */
function contentBlocks(content: Message['content'], messageIndex: number): AnthropicContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicContentBlock[] = [];
  for (let index = 0; index < content.length; index += 1) {
    const part = content[index] as ContentPart;
    if (part.type === 'text') {
      if (part.text === '') continue;
      const control = cacheControlOf(part.cache);
      const citations = citationParamsOf(part);
      const block: Mutable<Extract<AnthropicContentBlock, { type: 'text' }>> = { type: 'text', text: part.text };
      if (control !== undefined) block.cache_control = control;
      if (citations !== undefined) block.citations = citations;
      blocks.push(block);
    } else {
      const field = `messages[${messageIndex}].content[${index}]`;
      // `detail` is OpenAI's; Anthropic has no equivalent and ignores it.
      const block = part.type === 'image' ? imageBlock(part, field) : anthropicDocumentBlock(part, field);
      const control = cacheControlOf(part.cache);
      blocks.push(control === undefined ? block : { ...block, cache_control: control } as AnthropicContentBlock);
    }
  }
  return blocks;
}

function messageBlocks(message: Message, index: number): { role: 'user' | 'assistant'; blocks: AnthropicContentBlock[] } {
  switch (message.role) {
    case 'user':
      return { role: 'user', blocks: contentBlocks(message.content, index) };
    case 'assistant': {
      // Thinking blocks go first, unchanged, as the API requires (thinking.ts).
      const blocks: AnthropicContentBlock[] = [...anthropicThinkingBlocks(message.reasoning), ...contentBlocks(message.content, index)];
      for (const call of message.toolCalls ?? []) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
      return { role: 'assistant', blocks };
    }
    case 'tool': {
      if (message.toolCallId === undefined || message.toolCallId === '') throw invalidRequest(`messages[${index}].toolCallId`, 'a tool message needs the id of the call it answers');
      const parts = partsOf(message.content);
      // A breakpoint on any part of a tool result marks the whole `tool_result` block.
      const control = cacheControlOf(parts.find((part) => part.cache !== undefined)?.cache);
      const content = parts.every((part) => part.type === 'text') ? textOf(message.content) : contentBlocks(message.content, index).map(withoutCacheControl);
      const block: AnthropicContentBlock =
        message.isError === true ? { type: 'tool_result', tool_use_id: message.toolCallId, content, is_error: true } : { type: 'tool_result', tool_use_id: message.toolCallId, content };
      return { role: 'user', blocks: [control === undefined ? block : { ...block, cache_control: control }] };
    }
    default:
      throw invalidRequest(`messages[${index}].role`, `unexpected role "${message.role}"`);
  }
}

/**
 * Messages in Anthropic's shape: system messages are lifted out (see `systemText`), tool results
 * become user `tool_result` blocks, and consecutive messages of one role are merged into one, so
 * several tool results (and a user's follow-up text) travel as a single user turn.
 */
export function mapMessages(messages: readonly Message[]): AnthropicMessage[] {
  const mapped: AnthropicMessage[] = [];
  for (let index = 0; index < messages.length; index += 1) {
    const message = messages[index] as Message;
    if (message.role === 'system') continue;
    const { role, blocks } = messageBlocks(message, index);
    if (blocks.length === 0) continue;
    const previous = mapped[mapped.length - 1];
    if (previous !== undefined && previous.role === role) previous.content.push(...blocks);
    else mapped.push({ role, content: blocks });
  }
  return mapped;
}

/** A block without its `cache_control` (inside a `tool_result`, the breakpoint is on the result). */
function withoutCacheControl(block: AnthropicContentBlock): AnthropicContentBlock {
  if (!('cache_control' in block)) return block;
  const { cache_control: _dropped, ...rest } = block;
  return rest;
}

/** The top-level `system`: the request's system prompt, then any system-role messages, in order. */
export function systemText(request: ChatRequest): string | undefined {
  let joined = systemPromptText(request.system) ?? '';
  for (const message of request.messages) {
    if (message.role !== 'system') continue;
    const text = textOf(message.content);
    if (text !== '') joined = joined === '' ? text : `${joined}\n\n${text}`;
  }
  return joined === '' ? undefined : joined;
}

/** `tool_choice`: `required` is Anthropic's `any`, a name is `{ type: 'tool', name }`. */
export function mapToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

/** The Messages API body for a unified request (`stream` is left to the caller). */
export function buildAnthropicRequest(args: BuildAnthropicRequestArguments): AnthropicRequestBody {
  const { request, model, settings } = args;
  checkCitationsAllOrNone(request.messages);
  // Built field by field rather than with conditional spreads: this runs on every call.
  const body: Mutable<AnthropicRequestBody> = { model, max_tokens: request.maxTokens ?? settings.defaultMaxTokens, messages: mapMessages(request.messages) };
  const system = systemBlocks(request) ?? systemText(request);
  if (system !== undefined) body.system = system;
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: tool.parameters,
      ...(tool.cache === undefined ? {} : { cache_control: cacheControlOf(tool.cache) }),
    }));
    if (request.toolChoice !== undefined) body.tool_choice = mapToolChoice(request.toolChoice);
  }
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  const structured = planStructuredOutput(request.responseFormat, model);
  if (structured !== undefined) applyStructuredOutput(body, structured, request);
  // Last: thinking depends on the final tool choice, and adjusts max_tokens and sampling.
  applyAnthropicThinking(body, request.reasoning, model, request.messages);
  applyParallelToolUse(body, request.parallelToolCalls);
  return body;
}

/**
 * The request headers: `x-api-key`, `anthropic-version` (from `settings.apiVersion`, default
 * `2023-06-01`) and the provider's extra headers (names lower-cased, so an `Anthropic-Version` there
 * replaces the default instead of being sent twice).
 */
export function buildAnthropicHeaders(settings: ProviderSettings): Record<string, string> {
  const headers: Record<string, string> = { 'anthropic-version': settings.apiVersion ?? DEFAULT_ANTHROPIC_VERSION };
  for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
  if (settings.apiKey !== undefined && settings.apiKey !== '') headers['x-api-key'] = settings.apiKey;
  return headers;
}
