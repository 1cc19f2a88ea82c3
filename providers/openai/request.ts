/**
 * Unified `ChatRequest` → Chat Completions request body, per the API reference
 * (https://platform.openai.com/docs/api-reference/chat/create): the system prompt as the first
 * `system` message, images as `image_url` parts (base64 as a `data:` URL), assistant tool calls
 * with JSON-string `arguments`, tool results as `tool` messages with `tool_call_id`, tools as
 * `{ type: 'function', function }`, and streams with `stream_options.include_usage` so the last
 * chunk reports usage. `tool_choice` is sent only with tools: the API rejects it otherwise.
 */
import { invalidRequest } from '../../src/errors.js';
import type { ChatRequest, ContentPart, Message, ToolChoice, ToolDefinition } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';
import { systemPromptText } from '../../src/system-prompt.js';
import { openAIFilePart, type OpenAIFileContentPart } from './file-part.js';
import { applyChatReasoning, type ChatReasoningOptions } from './reasoning.js';
import type { ReasoningEffort } from '../../src/reasoning-effort.js';

/**
 * The body field that carries the output limit. OpenAI deprecated `max_tokens` in favour of
 * `max_completion_tokens` (reasoning models reject `max_tokens`); compatible servers (vLLM,
 * Ollama, DeepSeek, One API) and older Azure API versions only know `max_tokens`.
 */
export type TokenLimitField = 'max_tokens' | 'max_completion_tokens';

/** A text, image or file part of a Chat Completions message. */
export type OpenAIContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string; readonly detail?: 'low' | 'high' | 'auto' } }
  | OpenAIFileContentPart;

/** A tool call inside an assistant message. */
export interface OpenAIToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

/** One Chat Completions message. */
export type OpenAIMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string | readonly OpenAIContentPart[] }
  | { readonly role: 'assistant'; readonly content: string | null; readonly tool_calls?: readonly OpenAIToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

/** A function tool. */
export interface OpenAITool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description?: string; readonly parameters: Record<string, unknown> };
}

/** The `tool_choice` values. */
export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { readonly type: 'function'; readonly function: { readonly name: string } };

/** A Chat Completions request body. */
export interface ChatCompletionsBody {
  readonly model?: string;
  readonly messages: readonly OpenAIMessage[];
  readonly tools?: readonly OpenAITool[];
  readonly tool_choice?: OpenAIToolChoice;
  /** Whether the model may call several tools in one turn (`ChatRequest.parallelToolCalls`). */
  readonly parallel_tool_calls?: boolean;
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: readonly string[];
  readonly stream?: true;
  readonly stream_options?: { readonly include_usage: true };
  readonly response_format?: OpenAIResponseFormat;
  /** Reasoning models: how much to reason (reasoning.ts). */
  readonly reasoning_effort?: ReasoningEffort;
}

/** `response_format`: JSON mode, or Structured Outputs with a schema. */
export type OpenAIResponseFormat =
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly json_schema: { readonly name: string; readonly schema: Record<string, unknown>; readonly strict?: boolean } };

/** The `response_format` of a unified `responseFormat`; the schema's name defaults to `response`. */
export function toOpenAIResponseFormat(format: NonNullable<ChatRequest['responseFormat']>): OpenAIResponseFormat {
  if (format.type === 'json') return { type: 'json_object' };
  const jsonSchema = { name: format.name ?? 'response', schema: format.schema };
  return { type: 'json_schema', json_schema: format.strict === undefined ? jsonSchema : { ...jsonSchema, strict: format.strict } };
}

/** How a provider wants the body built. */
export interface BodyOptions {
  /** The upstream model; `undefined` leaves `model` out (Azure names the deployment in the path). */
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly tokenLimitField: TokenLimitField;
  /** The limit sent when the request gives none (`ProviderSettings.defaultMaxTokens`). */
  readonly defaultMaxTokens?: number;
  /** Ask for a final usage chunk in streams (`stream_options.include_usage`). */
  readonly streamUsage: boolean;
  /** How reasoning is sent (reasoning.ts); absent: `reasoning` is ignored. */
  readonly reasoning?: ChatReasoningOptions;
}

/** A `data:` URL, or the URL itself, for an image part. */
export function imageUrlOf(part: Extract<ContentPart, { type: 'image' }>, field: string): string {
  if (part.url !== undefined && part.url !== '') return part.url;
  if (part.data !== undefined && part.data !== '') {
    if (part.mediaType === undefined || part.mediaType === '') throw invalidRequest(`${field}.mediaType`, 'is required when an image is given as data');
    return `data:${part.mediaType};base64,${part.data}`;
  }
  throw invalidRequest(field, 'an image needs a url or base64 data');
}

/**
 * The text of content that may only hold text (system, assistant and tool messages). The message's
 * index names the field in errors; the name is only built when there is one.
 */
function textOnly(content: Message['content'], messageIndex: number, separator = '\n'): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (part.type !== 'text') throw invalidRequest(`messages[${messageIndex}].content[${index}]`, `only user messages may contain ${part.type} parts`);
      return part.text;
    })
    .join(separator);
}

/** User content: text alone stays a string (every compatible server accepts it); images make parts. */
function userContent(content: Message['content'], messageIndex: number): string | OpenAIContentPart[] {
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return content.map((part) => (part as { text: string }).text).join('\n');
  return content.map((part, index): OpenAIContentPart => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const field = `messages[${messageIndex}].content[${index}]`;
    if (part.type === 'document') return openAIFilePart(part, field);
    // Chat Completions' `file` part is for documents; images come only as `image_url`.
    if (part.file !== undefined) throw invalidRequest(`${field}.file`, 'OpenAI Chat Completions takes images by URL or data, not as uploaded files');
    const url = imageUrlOf(part, field);
    return { type: 'image_url', image_url: part.detail === undefined ? { url } : { url, detail: part.detail } };
  });
}

/**
 * A tool result's text: Chat Completions tool messages take only text, so text parts are joined by
 * newlines (one string, which compatible servers accept too) and images or documents are refused.
 * `isError` has no field here: the content is expected to say what failed.
 */
function toolContent(content: Message['content'], messageIndex: number): string {
  if (typeof content === 'string') return content;
  return content
    .map((part, index) => {
      if (part.type !== 'text') throw invalidRequest(`messages[${messageIndex}].content[${index}]`, `OpenAI tool messages take only text; a ${part.type} part cannot be sent`);
      return part.text;
    })
    .join('\n');
}

/** Maps the unified messages (and system prompt) to Chat Completions messages. */
export function toOpenAIMessages(request: Pick<ChatRequest, 'system' | 'messages'>): OpenAIMessage[] {
  const messages: OpenAIMessage[] = [];
  // Cache breakpoints on system parts are ignored: OpenAI caches prompt prefixes on its own.
  const system = systemPromptText(request.system);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  for (let index = 0; index < request.messages.length; index += 1) {
    const message = request.messages[index] as Message;
    switch (message.role) {
      case 'system':
        messages.push({ role: 'system', content: textOnly(message.content, index) });
        break;
      case 'user':
        messages.push({ role: 'user', content: userContent(message.content, index) });
        break;
      case 'assistant': {
        // An answer's pieces (a cited answer is split where its citations are) joined as they were: res.text.
        const text = textOnly(message.content, index, '');
        const calls = message.toolCalls ?? [];
        if (calls.length === 0) {
          messages.push({ role: 'assistant', content: text });
          break;
        }
        messages.push({
          role: 'assistant',
          content: text === '' ? null : text,
          tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
        });
        break;
      }
      case 'tool':
        if (message.toolCallId === undefined || message.toolCallId === '') {
          throw invalidRequest(`messages[${index}].toolCallId`, 'a tool message must name the call it answers');
        }
        messages.push({ role: 'tool', tool_call_id: message.toolCallId, content: toolContent(message.content, index) });
        break;
    }
  }
  return messages;
}

/** Maps tool definitions to function tools. */
export function toOpenAITools(tools: readonly ToolDefinition[]): OpenAITool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.parameters,
    },
  }));
}

/** Maps the unified tool choice. */
export function toOpenAIToolChoice(choice: ToolChoice): OpenAIToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Builds the whole request body. */
export function buildChatCompletionsBody(request: ChatRequest, options: BodyOptions): ChatCompletionsBody {
  // Built field by field rather than with conditional spreads (this runs on every call), in the
  // order the fields have always been written.
  const messages = toOpenAIMessages(request);
  const body: Mutable<ChatCompletionsBody> = options.model === undefined ? { messages } : { model: options.model, messages };
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = toOpenAITools(tools);
    if (request.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const limit = request.maxTokens ?? options.defaultMaxTokens;
  if (limit !== undefined) body[options.tokenLimitField] = limit;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.responseFormat !== undefined) body.response_format = toOpenAIResponseFormat(request.responseFormat);
  if (options.reasoning !== undefined) applyChatReasoning(body, request, options.reasoning);
  if (options.stream) {
    body.stream = true;
    if (options.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}
