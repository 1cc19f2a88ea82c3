/**
 * The body of Bedrock's Converse API (`POST /model/{modelId}/converse` and `/converse-stream`) for a
 * unified request. One shape for every model family Bedrock serves through Converse (Anthropic,
 * Amazon Nova, Meta Llama, Mistral…): content blocks keyed by kind (`{ text }`, `{ image }`,
 * `{ toolUse }`…), `system` as blocks, sampling in `inferenceConfig`, tools in `toolConfig`, and
 * whatever is specific to a model family in `additionalModelRequestFields`.
 * Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * (request syntax as in aws/aws-sdk-js-v3 `clients/client-bedrock-runtime/src/commands/ConverseCommand.ts`).
 * Blobs (`bytes`) travel base64-encoded, as AWS's REST-JSON protocol sends them.
 */
import { invalidRequest } from '../../src/errors.js';
import type { Mutable } from '../../src/mutable.js';
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import type { CacheBreakpoint, ChatRequest, ContentPart, DocumentPart, ImagePart, Message, ToolChoice } from '../../src/types.js';
import type { ConverseCachePoint, ConverseContentBlock, ConverseInferenceConfig, ConverseMessage, ConverseRequestBody, ConverseTool, ConverseToolChoice } from './converse-body.js';
import { applyConverseReasoning, converseReasoningBlocks } from './converse-reasoning.js';
import { applyConverseStructuredOutput } from './converse-structured-output.js';
import { citationsContentOf } from './converse-citations.js';

/** The Converse body's own top-level fields: a `providerOptions.bedrock` key among them is merged at the top, any other into `additionalModelRequestFields`. */
const CONVERSE_TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set([
  'system',
  'inferenceConfig',
  'toolConfig',
  'guardrailConfig',
  'additionalModelRequestFields',
  'additionalModelResponseFieldPaths',
  'promptVariables',
  'requestMetadata',
  'performanceConfig',
  'outputConfig',
]);

function cachePoint(cache: CacheBreakpoint | undefined): ConverseCachePoint | undefined {
  if (cache === undefined) return undefined;
  // The default TTL is five minutes; only an explicit one-hour breakpoint names its TTL.
  return cache !== true && cache.ttl === '1h' ? { cachePoint: { type: 'default', ttl: '1h' } } : { cachePoint: { type: 'default' } };
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** `ImageBlock.format` by media type (png | jpeg | gif | webp). */
const IMAGE_FORMATS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** `DocumentBlock.format` by media type. */
const DOCUMENT_FORMATS: Readonly<Record<string, string>> = { 'application/pdf': 'pdf', 'text/plain': 'txt' };

function imageBlock(part: ImagePart, field: string): ConverseContentBlock {
  let mediaType = part.mediaType;
  let data = part.data;
  if (data === undefined && part.url !== undefined) {
    const dataUrl = DATA_URL.exec(part.url);
    if (dataUrl !== null) {
      mediaType = dataUrl[1];
      data = dataUrl[2];
    } else if (part.url.startsWith('s3://')) {
      const format = mediaType === undefined ? undefined : IMAGE_FORMATS[mediaType.toLowerCase()];
      if (format === undefined) throw invalidRequest(`${field}.mediaType`, 'an s3:// image needs its mediaType (image/png, image/jpeg, image/gif or image/webp)');
      return { image: { format, source: { s3Location: { uri: part.url } } } };
    } else {
      throw invalidRequest(`${field}.url`, 'Bedrock Converse takes images as base64 data (or a data: or s3:// URL), not web URLs');
    }
  }
  if (data === undefined) throw invalidRequest(field, 'an image needs data with a mediaType, or a data: URL');
  const format = mediaType === undefined ? undefined : IMAGE_FORMATS[mediaType.toLowerCase()];
  if (format === undefined) throw invalidRequest(`${field}.mediaType`, `Bedrock Converse takes image/png, image/jpeg, image/gif or image/webp, not ${mediaType ?? 'an image without a mediaType'}`);
  return { image: { format, source: { bytes: data } } };
}

/**
 * A document's `name`: Bedrock allows letters, digits, single spaces, hyphens, parentheses and square
 * brackets only, and the name is required, so a title is cleaned and a missing one numbered.
 */
function documentName(title: string | undefined, index: number): string {
  const cleaned = (title ?? '').replace(/[^A-Za-z0-9\s\-()[\]]/g, ' ').replace(/\s+/g, ' ').trim();
  return cleaned === '' ? `document-${index + 1}` : cleaned;
}

function documentBlock(part: DocumentPart, field: string, index: number): ConverseContentBlock {
  const format = DOCUMENT_FORMATS[part.mediaType];
  if (format === undefined) throw invalidRequest(`${field}.mediaType`, 'expected application/pdf or text/plain');
  const name = documentName(part.title, index);
  // `citations.enabled` asks the model to cite the document (DocumentBlock `citations`, converse-citations.ts).
  const citations = part.citations === undefined ? {} : { citations: { enabled: part.citations } };
  if (part.data !== undefined) return { document: { format, name, source: { bytes: part.data }, ...citations } };
  if (part.url?.startsWith('s3://') === true) return { document: { format, name, source: { s3Location: { uri: part.url } }, ...citations } };
  throw invalidRequest(field, 'Bedrock Converse takes documents as base64 data (or an s3:// URL)');
}

/** The blocks of a message's content, each breakpoint a `cachePoint` right after its block; empty text is dropped (Converse rejects it). */
function contentBlocks(content: Message['content'], messageIndex: number, counter: { documents: number }): ConverseContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const blocks: ConverseContentBlock[] = [];
  content.forEach((part: ContentPart, index) => {
    const field = `messages[${messageIndex}].content[${index}]`;
    if (part.type === 'text') {
      // An answer's cited text goes back with its Bedrock citations, as the answer gave it.
      const cited = citationsContentOf(part);
      if (cited !== undefined) blocks.push(cited);
      else if (part.text !== '') blocks.push({ text: part.text });
    } else if (part.type === 'image') {
      blocks.push(imageBlock(part, field));
    } else {
      blocks.push(documentBlock(part, field, counter.documents));
      counter.documents += 1;
    }
    const point = cachePoint(part.cache);
    if (point !== undefined && blocks.length > 0) blocks.push(point);
  });
  return blocks;
}

function messageBlocks(message: Message, index: number, counter: { documents: number }): ConverseMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: contentBlocks(message.content, index, counter) };
    case 'assistant': {
      // Reasoning goes first, as the model produced it (Anthropic rejects it anywhere else).
      const content: ConverseContentBlock[] = [...converseReasoningBlocks(message.reasoning), ...contentBlocks(message.content, index, counter)];
      for (const call of message.toolCalls ?? []) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.arguments } });
      return { role: 'assistant', content };
    }
    case 'tool': {
      if (message.toolCallId === undefined || message.toolCallId === '') throw invalidRequest(`messages[${index}].toolCallId`, 'a tool message needs the id of the call it answers');
      const inner = contentBlocks(message.content, index, counter);
      // A breakpoint inside a tool result marks the whole result: the checkpoint follows the block,
      // with the longest TTL asked for inside it.
      const points = inner.filter((block): block is ConverseCachePoint => 'cachePoint' in block);
      const result = inner.filter((block) => !('cachePoint' in block));
      const toolResult = { toolUseId: message.toolCallId, content: result.length > 0 ? result : [{ text: '' }], ...(message.isError === true ? { status: 'error' as const } : {}) };
      const content: ConverseContentBlock[] = [{ toolResult }];
      if (points.length > 0) content.push(points.find((point) => point.cachePoint.ttl === '1h') ?? { cachePoint: { type: 'default' } });
      return { role: 'user', content };
    }
    default:
      throw invalidRequest(`messages[${index}].role`, `unexpected role "${message.role}"`);
  }
}

/**
 * The conversation: system messages lifted into `system`, tool results as user `toolResult`
 * blocks, consecutive turns of one role merged (Converse requires them to alternate).
 */
function converseMessages(messages: readonly Message[]): ConverseMessage[] {
  const mapped: ConverseMessage[] = [];
  const counter = { documents: 0 };
  messages.forEach((message, index) => {
    if (message.role === 'system') return;
    const turn = messageBlocks(message, index, counter);
    if (turn.content.length === 0) return;
    const previous = mapped[mapped.length - 1];
    if (previous?.role === turn.role) previous.content.push(...turn.content);
    else mapped.push(turn);
  });
  return mapped;
}

/** `system`: the request's system prompt, then system-role messages' texts, with their checkpoints. */
function systemBlocks(request: ChatRequest): ConverseRequestBody['system'] {
  const parts: { readonly text: string; readonly cache?: CacheBreakpoint }[] = [];
  if (typeof request.system === 'string') parts.push({ text: request.system });
  else if (request.system !== undefined) parts.push(...request.system);
  for (const message of request.messages) {
    if (message.role !== 'system') continue;
    if (typeof message.content === 'string') parts.push({ text: message.content });
    else for (const part of message.content) if (part.type === 'text') parts.push(part);
  }
  const blocks: NonNullable<ConverseRequestBody['system']> = [];
  for (const part of parts) {
    if (part.text !== '') blocks.push({ text: part.text });
    const point = cachePoint(part.cache);
    if (point !== undefined && blocks.length > 0) blocks.push(point);
  }
  return blocks.length > 0 ? blocks : undefined;
}

function converseToolChoice(choice: ToolChoice): ConverseToolChoice | undefined {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (choice === 'none') return undefined;
  return { tool: { name: choice.name } };
}

/** Whether the conversation already holds tool calls or results (Converse then requires `toolConfig`). */
function hasToolHistory(messages: readonly Message[]): boolean {
  return messages.some((message) => message.role === 'tool' || (message.toolCalls ?? []).length > 0);
}

/**
 * `toolConfig`. Converse has no `none` choice: with `toolChoice: 'none'` the tools are left out, unless
 * the conversation already holds tool calls, which Converse refuses without `toolConfig`; then the
 * tools are sent with no choice (the model decides).
 */
function toolConfig(request: ChatRequest): ConverseRequestBody['toolConfig'] {
  const tools = request.tools ?? [];
  if (tools.length === 0) return undefined;
  if (request.toolChoice === 'none' && !hasToolHistory(request.messages)) return undefined;
  const specs: ConverseTool[] = [];
  for (const tool of tools) {
    specs.push({ toolSpec: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), inputSchema: { json: tool.parameters } } });
    const point = cachePoint(tool.cache);
    if (point !== undefined) specs.push(point);
  }
  const choice = request.toolChoice === undefined ? undefined : converseToolChoice(request.toolChoice);
  return choice === undefined ? { tools: specs } : { tools: specs, toolChoice: choice };
}

/**
 * `providerOptions.bedrock` merged into the body: the Converse API's own top-level fields
 * (`guardrailConfig`, `performanceConfig`, `requestMetadata`, …) at the top, every other field into
 * `additionalModelRequestFields` (where model-family parameters such as `top_k` belong). Objects
 * merge field by field; the caller's value wins.
 */
function applyConverseProviderOptions(body: ConverseRequestBody, options: Readonly<Record<string, unknown>> | undefined): void {
  if (options === undefined) return;
  const target = body as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(options)) {
    if (CONVERSE_TOP_LEVEL_FIELDS.has(name)) target[name] = mergeValue(target[name], value);
    else body.additionalModelRequestFields = { ...body.additionalModelRequestFields, [name]: mergeValue(body.additionalModelRequestFields?.[name], value) };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeValue(current: unknown, value: unknown): unknown {
  if (!isPlainObject(current) || !isPlainObject(value)) return value;
  const merged: Record<string, unknown> = { ...current };
  for (const [name, item] of Object.entries(value)) merged[name] = mergeValue(merged[name], item);
  return merged;
}

/** The Converse body for a call, the caller's `providerOptions[settings.type]` merged in last. */
export function buildConverseBody(call: AdapterCall, settings: ProviderSettings): ConverseRequestBody {
  const { request } = call;
  const inferenceConfig: Mutable<ConverseInferenceConfig> = { maxTokens: request.maxTokens ?? settings.defaultMaxTokens };
  if (request.temperature !== undefined) inferenceConfig.temperature = request.temperature;
  if (request.topP !== undefined) inferenceConfig.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) inferenceConfig.stopSequences = request.stop;
  const body: ConverseRequestBody = { messages: converseMessages(request.messages), inferenceConfig };
  const system = systemBlocks(request);
  if (system !== undefined) body.system = system;
  const tools = toolConfig(request);
  if (tools !== undefined) body.toolConfig = tools;
  applyConverseStructuredOutput(body, request.responseFormat);
  applyConverseReasoning(body, request, call.model);
  applyConverseProviderOptions(body, request.providerOptions?.[settings.type]);
  return body;
}
