/**
 * Unified `ChatRequest` → Responses API request body (`POST /v1/responses`), per the API reference
 * (https://platform.openai.com/docs/api-reference/responses/create) and the SDK's request types
 * (openai/openai-node `src/resources/responses/responses.ts`):
 *
 * - the system prompt as `instructions`; a `system` message inside the conversation as a `system`
 *   message item where it stands;
 * - user messages as `message` items of `input_text`, `input_image` (URL or `data:` URL, with
 *   `detail`) and `input_file` (`file_data` as a `data:` URL with `filename`, `file_url`, or an
 *   uploaded file's `file_id`) parts;
 * - assistant turns as their reasoning items (reasoning.ts), their text as an `output_text` message
 *   and their tool calls as `function_call` items (`call_id`, JSON-string `arguments`);
 * - tool results as `function_call_output` items: text alone as a string, images and documents as
 *   a list of input parts (the Responses API takes them there, unlike Chat Completions);
 * - tools as flat `{ type: 'function', name, description, parameters, strict: false }`: the
 *   Responses API makes function tools strict by default, which would refuse most schemas that were
 *   not written for strict mode, so the unified (non-strict) meaning is said explicitly;
 * - `store: false` always: no state is kept at OpenAI, so any instance can serve the next turn; and
 *   `include: ['reasoning.encrypted_content']` when the model reasons (by name, as for Chat
 *   Completions' `reasoning_effort`); only then does reasoning go back.
 *
 * Refused before sending: a `maxTokens` (or `defaultMaxTokens`) below 16, the API's minimum.
 *
 * Not mapped: `stop` (the Responses API has no stop sequences: refused, naming the field);
 * `previous_response_id`, `conversation` and built-in tools (web search, file search…) are never sent.
 */
import { invalidRequest } from '../../../src/errors.js';
import type { Mutable } from '../../../src/mutable.js';
import { systemPromptText } from '../../../src/system-prompt.js';
import type { ChatRequest, ContentPart, DocumentPart, ImagePart, Message, ToolChoice, ToolDefinition } from '../../../src/types.js';
import { openAIModelReasons } from '../reasoning.js';
import { imageUrlOf } from '../request.js';
import { ENCRYPTED_REASONING_INCLUDE, responsesReasoningConfig, responsesReasoningItems, type ResponsesReasoningConfig, type ResponsesReasoningItem } from './reasoning.js';

/** A part of a user message (or of a tool result given as a list). */
export type ResponsesInputPart =
  | { readonly type: 'input_text'; readonly text: string }
  | { readonly type: 'input_image'; readonly image_url?: string; readonly file_id?: string; readonly detail: 'low' | 'high' | 'auto' }
  | { readonly type: 'input_file'; readonly file_data?: string; readonly file_url?: string; readonly file_id?: string; readonly filename?: string };

/** One item of `input`. */
export type ResponsesInputItem =
  | { readonly type: 'message'; readonly role: 'user'; readonly content: readonly ResponsesInputPart[] }
  | { readonly type: 'message'; readonly role: 'system'; readonly content: string }
  | { readonly type: 'message'; readonly role: 'assistant'; readonly content: readonly { readonly type: 'output_text'; readonly text: string }[] }
  | { readonly type: 'function_call'; readonly call_id: string; readonly name: string; readonly arguments: string }
  | { readonly type: 'function_call_output'; readonly call_id: string; readonly output: string | readonly ResponsesInputPart[] }
  | ResponsesReasoningItem;

/** A function tool, flat (not nested under `function` as in Chat Completions). */
export interface ResponsesFunctionTool {
  readonly type: 'function';
  readonly name: string;
  readonly description?: string;
  readonly parameters: Record<string, unknown>;
  readonly strict: boolean;
}

/** `tool_choice`. */
export type ResponsesToolChoice = 'auto' | 'none' | 'required' | { readonly type: 'function'; readonly name: string };

/** `text.format`: JSON mode, or Structured Outputs with a schema. */
export type ResponsesTextFormat =
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly name: string; readonly schema: Record<string, unknown>; readonly strict?: boolean };

/** A Responses API request body. */
export interface ResponsesBody {
  readonly model: string;
  readonly instructions?: string;
  readonly input: readonly ResponsesInputItem[];
  readonly tools?: readonly ResponsesFunctionTool[];
  readonly tool_choice?: ResponsesToolChoice;
  readonly parallel_tool_calls?: boolean;
  readonly max_output_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly text?: { readonly format: ResponsesTextFormat };
  readonly reasoning?: ResponsesReasoningConfig;
  readonly store: false;
  readonly include?: readonly string[];
  readonly stream?: true;
}

/** How the adapter wants the body built. */
export interface ResponsesBodyOptions {
  /** The upstream model. */
  readonly model: string;
  readonly stream: boolean;
  /** The limit sent when the request gives none (`ProviderSettings.defaultMaxTokens`). */
  readonly defaultMaxTokens?: number;
}

function imagePart(part: ImagePart, field: string): ResponsesInputPart {
  const detail = part.detail ?? 'auto';
  if (part.file !== undefined) return { type: 'input_image', file_id: part.file.id, detail };
  return { type: 'input_image', image_url: imageUrlOf(part, field), detail };
}

/** The file name sent with `file_data` when the part has no title (OpenAI asks for one). */
function defaultFilename(part: DocumentPart): string {
  return part.mediaType === 'application/pdf' ? 'document.pdf' : 'document.txt';
}

function documentPart(part: DocumentPart, field: string): ResponsesInputPart {
  if (part.file !== undefined) return { type: 'input_file', file_id: part.file.id };
  if (part.data !== undefined && part.data !== '') {
    return { type: 'input_file', filename: part.title ?? defaultFilename(part), file_data: `data:${part.mediaType};base64,${part.data}` };
  }
  if (part.url !== undefined && part.url !== '') return { type: 'input_file', file_url: part.url };
  throw invalidRequest(field, 'a document needs data, a url or a file');
}

/** One unified content part as an input part. */
function inputPart(part: ContentPart, field: string): ResponsesInputPart {
  if (part.type === 'text') return { type: 'input_text', text: part.text };
  if (part.type === 'image') return imagePart(part, field);
  return documentPart(part, field);
}

function inputParts(content: Message['content'], messageIndex: number): ResponsesInputPart[] {
  if (typeof content === 'string') return [{ type: 'input_text', text: content }];
  return content.map((part, index) => inputPart(part, `messages[${messageIndex}].content[${index}]`));
}

/** The texts of content that may only hold text (system and assistant messages). */
function textOnlyParts(content: Exclude<Message['content'], string>, messageIndex: number): string[] {
  return content.map((part, index) => {
    if (part.type !== 'text') throw invalidRequest(`messages[${messageIndex}].content[${index}]`, `only user and tool messages may contain ${part.type} parts`);
    return part.text;
  });
}

/** System content as one text, its parts joined by newlines. */
function textOnly(content: Message['content'], messageIndex: number): string {
  return typeof content === 'string' ? content : textOnlyParts(content, messageIndex).join('\n');
}

/** A tool result: text alone stays a string; images or documents make a list of input parts. */
function toolOutput(content: Message['content'], messageIndex: number): string | ResponsesInputPart[] {
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return content.map((part) => part.text).join('\n');
  return inputParts(content, messageIndex);
}

/** The assistant turn's items: its reasoning (own type only, for a model that reasons), its text, then its tool calls. */
function assistantItems(message: Message, messageIndex: number, withReasoning: boolean): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = withReasoning ? responsesReasoningItems(message.reasoning) : [];
  // An answer's pieces (a cited answer is split where its citations are) stay pieces, as they came.
  const texts = typeof message.content === 'string' ? [message.content] : textOnlyParts(message.content, messageIndex);
  const content = texts.filter((text) => text !== '').map((text) => ({ type: 'output_text' as const, text }));
  if (content.length > 0) items.push({ type: 'message', role: 'assistant', content });
  for (const call of message.toolCalls ?? []) items.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: JSON.stringify(call.arguments) });
  return items;
}

/**
 * Maps the unified messages to `input` items; reasoning goes back only with `withReasoning` (OpenAI
 * refuses encrypted reasoning for a model without reasoning, e.g. after a fallback from o3 to gpt-4.1).
 */
function toResponsesInput(messages: readonly Message[], withReasoning: boolean): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
        items.push({ type: 'message', role: 'system', content: textOnly(message.content, index) });
        break;
      case 'user':
        items.push({ type: 'message', role: 'user', content: inputParts(message.content, index) });
        break;
      case 'assistant':
        items.push(...assistantItems(message, index, withReasoning));
        break;
      case 'tool':
        if (message.toolCallId === undefined || message.toolCallId === '') {
          throw invalidRequest(`messages[${index}].toolCallId`, 'a tool message must name the call it answers');
        }
        items.push({ type: 'function_call_output', call_id: message.toolCallId, output: toolOutput(message.content, index) });
        break;
    }
  });
  return items;
}

/** Maps tool definitions to flat, non-strict function tools. */
function toResponsesTools(tools: readonly ToolDefinition[]): ResponsesFunctionTool[] {
  return tools.map((tool) => {
    const mapped: Mutable<ResponsesFunctionTool> = { type: 'function', name: tool.name, parameters: tool.parameters, strict: false };
    if (tool.description !== undefined) mapped.description = tool.description;
    return mapped;
  });
}

/** Maps the unified tool choice. */
function toResponsesToolChoice(choice: ToolChoice): ResponsesToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** `text.format` of a unified `responseFormat`; the schema's name defaults to `response`. */
function toResponsesTextFormat(format: NonNullable<ChatRequest['responseFormat']>): ResponsesTextFormat {
  if (format.type === 'json') return { type: 'json_object' };
  const base = { type: 'json_schema' as const, name: format.name ?? 'response', schema: format.schema };
  return format.strict === undefined ? base : { ...base, strict: format.strict };
}

/**
 * The smallest `max_output_tokens` the Responses API takes: below it the API answers 400
 * "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16" (the API's
 * own error, quoted in https://github.com/vectorize-io/hindsight/issues/58).
 */
const MIN_OUTPUT_TOKENS = 16;

/** The limit to send, refused early (naming where it came from) when the API would refuse it. */
function outputLimit(maxTokens: number | undefined, defaultMaxTokens: number | undefined): number | undefined {
  const limit = maxTokens ?? defaultMaxTokens;
  if (limit !== undefined && limit < MIN_OUTPUT_TOKENS) {
    const field = maxTokens === undefined ? 'defaultMaxTokens' : 'maxTokens';
    throw invalidRequest(field, `the OpenAI Responses API needs max_output_tokens of at least ${String(MIN_OUTPUT_TOKENS)}; got ${String(limit)}`);
  }
  return limit;
}

/** Builds the whole request body. */
export function buildResponsesBody(request: ChatRequest, options: ResponsesBodyOptions): ResponsesBody {
  if (request.stop !== undefined && request.stop.length > 0) {
    throw invalidRequest('stop', 'the OpenAI Responses API has no stop sequences; leave stop out, or use a provider with api: chat-completions');
  }
  const reasons = openAIModelReasons(options.model);
  const input = toResponsesInput(request.messages, reasons);
  const body: Mutable<ResponsesBody> = { model: options.model, input, store: false };
  const instructions = systemPromptText(request.system);
  if (instructions !== undefined) body.instructions = instructions;
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = toResponsesTools(tools);
    if (request.toolChoice !== undefined) body.tool_choice = toResponsesToolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const limit = outputLimit(request.maxTokens, options.defaultMaxTokens);
  if (limit !== undefined) body.max_output_tokens = limit;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.responseFormat !== undefined) body.text = { format: toResponsesTextFormat(request.responseFormat) };
  const reasoning = responsesReasoningConfig(request.reasoning, options.model);
  if (reasoning !== undefined) body.reasoning = reasoning;
  // A reasoning model reasons whether asked or not; its reasoning must come back encrypted to be reusable.
  if (reasons) body.include = [ENCRYPTED_REASONING_INCLUDE];
  if (options.stream) body.stream = true;
  return body;
}
