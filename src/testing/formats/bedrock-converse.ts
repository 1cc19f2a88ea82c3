/**
 * Amazon Bedrock's Converse API as the simulator speaks it: `POST /model/{modelId}/converse` and
 * `/converse-stream`, for any model id (Anthropic, Amazon Nova, Meta Llama, Mistral…). Written from
 * the Bedrock Runtime API reference:
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html (request and
 * response syntax; blobs base64 in JSON),
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html (the
 * stream's events: messageStart, contentBlockStart, contentBlockDelta, contentBlockStop,
 * messageStop, metadata; each an event-stream message whose `:event-type` names it and whose payload
 * is its JSON), https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_TokenUsage.html and
 * https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html (`cachePoint` blocks;
 * `inputTokens` leaves out cache reads and writes).
 *
 * Requests are checked like the InvokeModel format checks them (SigV4 recomputed, or a Bedrock API
 * key); bodies are validated as Converse validates them: alternating turns starting with a user
 * turn, one key per content block, `toolConfig` present when the conversation holds tool blocks,
 * reasoning sent back with the signature the simulator issued.
 *
 * A user `document` with `citations: { enabled: true }` makes the answer cite it, as a
 * `citationsContent` block (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CitationsContentBlock.html)
 * after a plain first word; streamed, the cited block's text deltas are followed by a `citation`
 * delta (`API_runtime_CitationsDelta.html`).
 */
import { createHash } from 'node:crypto';
import type { SimCacheBreakpoint } from '../prompt-cache.js';
import { reasoningChunks, signThinking, thinkingSignatureValid } from '../sim-reasoning.js';
import type { SimAnswer, SimParsedRequest, SimReasoningRequest, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { bedrockRouteMatcher, bedrockRuntimeBasics, eventMessage, loadEncoder } from './bedrock.js';
import { countWords, isObject, type JsonObject } from './wire-helpers.js';

/** The keys of the `ContentBlock` union the simulator knows; exactly one per block. */
const CONTENT_KEYS = new Set(['text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint', 'reasoningContent', 'citationsContent']);
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);
const DOCUMENT_FORMATS = new Set(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']);
/** Document names: letters, digits, single spaces, hyphens, parentheses, square brackets. */
const DOCUMENT_NAME = /^(?:[A-Za-z0-9\-()[\]]| (?! ))+$/;
const TTL_MS: Readonly<Record<string, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
/** Bedrock's limit on cache checkpoints per request (for Anthropic models). */
const MAX_CACHE_POINTS = 4;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The citation each parsed request's answer carries (a user document asked for citations). */
const citations = new WeakMap<SimParsedRequest, JsonObject>();

/**
 * The citation into the first user document with citations enabled: a `txt` document's first
 * sentence as `documentChar`, another format's page 1 as `documentPage`.
 */
function citationFor(messages: readonly unknown[]): JsonObject | undefined {
  let documentIndex = 0;
  for (const message of messages) {
    if (!isObject(message) || !Array.isArray(message.content)) continue;
    for (const block of message.content) {
      if (!isObject(block) || !isObject(block.document)) continue;
      const { document } = block;
      if (message.role === 'user' && isObject(document.citations) && document.citations.enabled === true) {
        const bytes = isObject(document.source) && typeof document.source.bytes === 'string' ? document.source.bytes : '';
        const text = document.format === 'txt' ? Buffer.from(bytes, 'base64').toString('utf8') : '';
        const sentence = /^[^.!?]*[.!?]?/.exec(text)?.[0] ?? '';
        const location = sentence === '' ? { documentPage: { documentIndex, start: 1, end: 2 } } : { documentChar: { documentIndex, start: 0, end: sentence.length } };
        return { title: document.name, sourceContent: [{ text: sentence === '' ? 'The cited passage.' : sentence }], location };
      }
      documentIndex += 1;
    }
  }
  return undefined;
}

/** The answer's text as blocks: all of it plain; or, with a citation, its first word plain and the rest cited. */
function textPieces(text: string, citation: JsonObject | undefined): [string, JsonObject | undefined][] {
  if (text === '') return [];
  const space = text.indexOf(' ');
  if (citation === undefined) return [[text, undefined]];
  if (space < 0) return [[text, citation]];
  return [
    [text.slice(0, space + 1), undefined],
    [text.slice(space + 1), citation],
  ];
}

/** What the stream events carry beside their fields: AWS pads each payload with a `p` of varying length. */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';

/** The text a block holds (text, and a tool result's text), as input is counted. */
function textOfBlock(block: JsonObject): string {
  if (typeof block.text === 'string') return block.text;
  if (isObject(block.toolResult) && Array.isArray(block.toolResult.content)) {
    return block.toolResult.content.map((item: unknown) => (isObject(item) && typeof item.text === 'string' ? item.text : isObject(item) && item.json !== undefined ? JSON.stringify(item.json) : '')).join(' ');
  }
  return '';
}

/** A problem with one content block, or undefined. */
function blockProblem(block: unknown, path: string, role: string): string | undefined {
  if (!isObject(block)) return `${path}: expected an object`;
  const keys = Object.keys(block);
  if (keys.length !== 1 || !CONTENT_KEYS.has(keys[0] as string)) return `${path}: a ContentBlock has exactly one member of ${[...CONTENT_KEYS].join(', ')}; got ${keys.join(', ') || 'none'}`;
  if (typeof block.text === 'string' && block.text.trim() === '') return `${path}.text: text content blocks must be non-empty`;
  if (isObject(block.image)) {
    if (!IMAGE_FORMATS.has(String(block.image.format))) return `${path}.image.format: must be one of png, jpeg, gif, webp`;
    const bytes = isObject(block.image.source) ? block.image.source.bytes : undefined;
    if (typeof bytes !== 'string' || !BASE64.test(bytes)) return `${path}.image.source.bytes: expected base64`;
  }
  if (isObject(block.document)) {
    if (!DOCUMENT_FORMATS.has(String(block.document.format))) return `${path}.document.format: not a supported document format`;
    if (typeof block.document.name !== 'string' || !DOCUMENT_NAME.test(block.document.name)) return `${path}.document.name: only alphanumeric characters, single whitespace, hyphens, parentheses and square brackets are allowed`;
  }
  if (isObject(block.toolUse) && role !== 'assistant') return `${path}: toolUse blocks belong to assistant turns`;
  if (isObject(block.toolResult)) {
    if (role !== 'user') return `${path}: toolResult blocks belong to user turns`;
    const status = block.toolResult.status;
    if (status !== undefined && status !== 'success' && status !== 'error') return `${path}.toolResult.status: must be success or error`;
  }
  if (isObject(block.cachePoint) && block.cachePoint.type !== 'default') return `${path}.cachePoint.type: must be default`;
  if (isObject(block.reasoningContent) && isObject(block.reasoningContent.reasoningText)) {
    const { text, signature } = block.reasoningContent.reasoningText;
    if (typeof text !== 'string' || !thinkingSignatureValid(text, signature)) return `${path}.reasoningContent: the reasoning signature is not valid`;
  }
  return undefined;
}

/** Every block of the prompt in prefix order: tools, system, then the messages' blocks. */
function promptBlocks(body: JsonObject): JsonObject[] {
  const blocks: JsonObject[] = [];
  if (isObject(body.toolConfig) && Array.isArray(body.toolConfig.tools)) blocks.push(...body.toolConfig.tools.filter(isObject));
  if (Array.isArray(body.system)) blocks.push(...body.system.filter(isObject));
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (isObject(message) && Array.isArray(message.content)) blocks.push(...message.content.filter(isObject).map((block) => ({ ...block, role: message.role })));
  }
  return blocks;
}

/** The request's cache checkpoints: each caches the prefix before it. */
function cacheBreakpoints(body: JsonObject, model: string): SimCacheBreakpoint[] | string {
  const prefix = createHash('sha256').update(model);
  const breakpoints: SimCacheBreakpoint[] = [];
  let words = 0;
  for (const block of promptBlocks(body)) {
    if (isObject(block.cachePoint)) {
      const ttlMs = TTL_MS[typeof block.cachePoint.ttl === 'string' ? block.cachePoint.ttl : '5m'];
      if (ttlMs === undefined) return 'cachePoint.ttl: must be 5m or 1h';
      if (words > 0) breakpoints.push({ prefixKey: prefix.copy().digest('hex'), tokens: words, ttlMs });
      continue;
    }
    prefix.update(JSON.stringify(block));
    words += countWords(textOfBlock(block));
  }
  if (breakpoints.length > MAX_CACHE_POINTS) return `A maximum of ${MAX_CACHE_POINTS} cachePoint blocks may be provided. Found ${breakpoints.length}.`;
  return breakpoints;
}

/**
 * `outputConfig.textFormat` (structured output): the JSON schema, sent as a JSON string
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_OutputFormat.html).
 */
function structuredOutputOf(body: JsonObject): SimParsedRequest['structuredOutput'] | string | undefined {
  if (body.outputConfig === undefined) return undefined;
  const format = isObject(body.outputConfig) ? body.outputConfig.textFormat : undefined;
  if (!isObject(format) || format.type !== 'json_schema') return 'outputConfig.textFormat.type: must be json_schema';
  const definition = isObject(format.structure) ? format.structure.jsonSchema : undefined;
  if (!isObject(definition) || typeof definition.schema !== 'string') return 'outputConfig.textFormat.structure.jsonSchema.schema: a JSON schema string is required';
  let schema: unknown;
  try {
    schema = JSON.parse(definition.schema);
  } catch {
    return 'outputConfig.textFormat.structure.jsonSchema.schema: not valid JSON';
  }
  if (!isObject(schema)) return 'outputConfig.textFormat.structure.jsonSchema.schema: must be a JSON object';
  return { schema };
}

/** Anthropic's `thinking` in `additionalModelRequestFields`, as Bedrock passes it to the model. */
function reasoningRequest(body: JsonObject, maxTokens: number | undefined): SimReasoningRequest | undefined | string {
  const fields = body.additionalModelRequestFields;
  if (!isObject(fields) || !isObject(fields.thinking) || fields.thinking.type !== 'enabled') return undefined;
  const budget = fields.thinking.budget_tokens;
  if (typeof budget !== 'number' || budget < 1024) return 'additionalModelRequestFields.thinking.budget_tokens: must be at least 1024';
  if (maxTokens !== undefined && maxTokens <= budget) return '`max_tokens` must be greater than `thinking.budget_tokens`';
  if (isObject(body.inferenceConfig) && body.inferenceConfig.temperature !== undefined && body.inferenceConfig.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled';
  return { budgetTokens: budget };
}

function stopReasonOf(answer: SimAnswer): string {
  switch (answer.finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'content_filtered';
    default:
      return 'end_turn';
  }
}

/** `TokenUsage`: `inputTokens` without the cache reads and writes, which are reported beside it. */
function usageOf(answer: SimAnswer): JsonObject {
  const read = answer.usage.cacheReadTokens;
  const write = answer.usage.cacheWriteTokens;
  const uncached = answer.usage.inputTokens - (read ?? 0) - (write ?? 0);
  return {
    inputTokens: uncached,
    outputTokens: answer.usage.outputTokens,
    totalTokens: answer.usage.inputTokens + answer.usage.outputTokens,
    ...(read === undefined ? {} : { cacheReadInputTokens: read }),
    ...(write === undefined ? {} : { cacheWriteInputTokens: write }),
  };
}

/** The simulator's Bedrock Converse wire format. */
export const bedrockConverseFormat: WireFormat = {
  ...bedrockRuntimeBasics,
  name: 'bedrock-converse',

  match: bedrockRouteMatcher('converse', 'converse-stream'),

  parse(body: unknown, match: SimRouteMatch): SimParsedRequest | string {
    if (!isObject(body)) return 'Malformed input request: expected a JSON object';
    if (body.modelId !== undefined) return 'Malformed input request: modelId belongs in the path';
    if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
    const toolNames: string[] = [];
    if (body.toolConfig !== undefined) {
      if (!isObject(body.toolConfig) || !Array.isArray(body.toolConfig.tools) || body.toolConfig.tools.length === 0) return 'toolConfig.tools: at least one tool is required';
      for (const [index, tool] of body.toolConfig.tools.entries()) {
        if (isObject(tool) && isObject(tool.cachePoint)) continue;
        const spec = isObject(tool) ? tool.toolSpec : undefined;
        if (!isObject(spec) || typeof spec.name !== 'string' || !isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) return `toolConfig.tools.${index}.toolSpec: name and inputSchema.json are required`;
        toolNames.push(spec.name);
      }
    }
    let inputWords = 0;
    let lastUserText = '';
    let expected = 'user';
    let toolBlocks = false;
    for (const [index, message] of body.messages.entries()) {
      if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) return `messages.${index}.role: must be user or assistant`;
      if (message.role !== expected) return index === 0 ? 'A conversation must start with a user message. Try again with a conversation that starts with a user message.' : 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
      expected = message.role === 'user' ? 'assistant' : 'user';
      if (!Array.isArray(message.content) || message.content.length === 0) return `messages.${index}.content: at least one content block is required`;
      const texts: string[] = [];
      for (const [blockIndex, block] of message.content.entries()) {
        const problem = blockProblem(block, `messages.${index}.content.${blockIndex}`, message.role);
        if (problem !== undefined) return problem;
        const typed = block as JsonObject;
        if (typed.toolUse !== undefined || typed.toolResult !== undefined) toolBlocks = true;
        const text = textOfBlock(typed);
        if (text !== '') texts.push(text);
      }
      inputWords += countWords(texts.join(' '));
      if (message.role === 'user') lastUserText = texts.join('\n');
    }
    if (toolBlocks && body.toolConfig === undefined) return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
    for (const block of Array.isArray(body.system) ? body.system : []) {
      if (isObject(block) && typeof block.text === 'string') inputWords += countWords(block.text);
    }
    const config = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
    const maxTokens = config.maxTokens;
    if (maxTokens !== undefined && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) return 'inferenceConfig.maxTokens: must be a positive integer';
    const model = match.pathModel ?? '';
    const breakpoints = cacheBreakpoints(body, model);
    if (typeof breakpoints === 'string') return breakpoints;
    const reasoning = reasoningRequest(body, maxTokens);
    if (typeof reasoning === 'string') return reasoning;
    const structuredOutput = structuredOutputOf(body);
    if (typeof structuredOutput === 'string') return structuredOutput;
    const parsed: SimParsedRequest = {
      model,
      stream: match.pathStream === true,
      lastUserText,
      toolNames,
      ...(maxTokens === undefined ? {} : { maxTokens }),
      inputTokens: inputWords,
      ...(breakpoints.length === 0 ? {} : { cacheBreakpoints: breakpoints }),
      ...(reasoning === undefined ? {} : { reasoning }),
      ...(structuredOutput === undefined ? {} : { structuredOutput }),
    };
    const citation = citationFor(body.messages);
    if (citation !== undefined) citations.set(parsed, citation);
    return parsed;
  },

  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown {
    const content: JsonObject[] = [];
    if (answer.reasoning !== undefined) content.push({ reasoningContent: { reasoningText: { text: answer.reasoning, signature: signThinking(answer.reasoning) } } });
    for (const [text, citation] of textPieces(answer.text, citations.get(request))) {
      content.push(citation === undefined ? { text } : { citationsContent: { content: [{ text }], citations: [citation] } });
    }
    for (const call of answer.toolCalls) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.arguments } });
    return { output: { message: { role: 'assistant', content } }, stopReason: stopReasonOf(answer), usage: usageOf(answer), metrics: { latencyMs: 1 } };
  },

  // Converse streams are binary (renderBinaryStream); no SSE form exists.
  renderStream: () => [],

  async renderBinaryStream(plan: SimStreamPlan, request: SimParsedRequest) {
    const codec = await loadEncoder();
    const { answer } = plan;
    const events: [string, JsonObject][] = [['messageStart', { role: 'assistant' }]];
    let index = 0;
    if (answer.reasoning !== undefined) {
      for (const text of reasoningChunks(answer.reasoning)) events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text } } }]);
      events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature: signThinking(answer.reasoning) } } }]);
      events.push(['contentBlockStop', { contentBlockIndex: index }]);
      index += 1;
    }
    const citation = citations.get(request);
    if (plan.textChunks.length > 0 && citation !== undefined) {
      // A cited answer: its plain opening, then the cited rest with the `citation` delta after its text.
      for (const [text, cited] of textPieces(answer.text, citation)) {
        events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { text } }]);
        if (cited !== undefined) events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { citation: cited } }]);
        events.push(['contentBlockStop', { contentBlockIndex: index }]);
        index += 1;
      }
    } else if (plan.textChunks.length > 0) {
      for (const text of plan.textChunks) events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { text } }]);
      events.push(['contentBlockStop', { contentBlockIndex: index }]);
      index += 1;
    }
    for (const call of answer.toolCalls) {
      events.push(['contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: call.id, name: call.name } } }]);
      // The input JSON arrives in pieces, as the model writes it.
      const json = JSON.stringify(call.arguments);
      const cut = Math.floor(json.length / 2);
      for (const input of [json.slice(0, cut), json.slice(cut)]) events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } }]);
      events.push(['contentBlockStop', { contentBlockIndex: index }]);
      index += 1;
    }
    events.push(['messageStop', { stopReason: stopReasonOf(answer) }]);
    events.push(['metadata', { usage: usageOf(answer), metrics: { latencyMs: 1 } }]);
    return events.map(([type, payload], sequence) => eventMessage(codec, type, { ...payload, p: PADDING.slice(0, 4 + (sequence % 30)) }));
  },
};
