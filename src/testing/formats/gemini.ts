/**
 * The Google Gemini API (`generateContent` / `streamGenerateContent?alt=sse`) as the simulator
 * speaks it. Shapes follow the public REST reference (ai.google.dev/api/generate-content) and the
 * official SDK (googleapis/js-genai `src/_api_client.ts`, whose SSE reader splits events on
 * `\n\n`, `\r\r` and `\r\n\r\n`): the real service ends each SSE event with `\r\n\r\n`, so the
 * simulator does too. Errors use Google's `{ error: { code, message, status, details } }` body.
 *
 * With the `googleSearch` (or `google_search`) tool the answer is grounded, as the grounding guide
 * shows (ai.google.dev/gemini-api/docs/google-search): the final candidate carries
 * `groundingMetadata` with one `web` chunk and one support whose `segment` is the answer's last word
 * (indices in UTF-8 bytes).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimAnswer, SimParsedRequest, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { countWords, isObject as isRecord } from './wire-helpers.js';
import { checkGeminiThoughtSignatures, geminiFinalPart, geminiSignedCallParts, geminiThinkingParts, geminiThinkingUsage, geminiThoughtPart, readGeminiThinking } from './gemini-thinking.js';

const PATH = /^\/(v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** The SSE event terminator the Gemini service sends. */
const EVENT_END = '\r\n\r\n';

const ROLES = new Set(['user', 'model']);
const CALLING_MODES = new Set(['AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED']);
const PART_KINDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'] as const;

/** The canonical `google.rpc.Code` name Google sends with each HTTP status. */
const STATUS_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The Google status name for an HTTP status (`UNKNOWN` when Google has no canonical one). */
export function geminiStatusName(status: number): string {
  return STATUS_NAMES[status] ?? 'UNKNOWN';
}

/**
 * The media types a function response's `parts` take (https://ai.google.dev/gemini-api/docs/function-calling#multimodal,
 * "Multimodal function responses"): PNG, JPEG and WebP images, PDF and plain-text documents.
 */
const FUNCTION_RESPONSE_MEDIA_TYPES = new Set(['image/png', 'image/jpeg', 'image/webp', 'application/pdf', 'text/plain']);

/** What the Gemini API and Vertex AI's Gemini models parse differently. */
export interface GeminiParseOptions {
  /** Vertex AI: `fileData` (a URL) is allowed in `functionResponse.parts` (js-genai: "not supported in Gemini API"). */
  readonly vertex: boolean;
}

/** Checks `functionResponse.parts` (Gemini 3's multimodal function responses): an error message, or undefined. */
function checkFunctionResponseParts(parts: unknown, where: string, options: GeminiParseOptions): string | undefined {
  if (parts === undefined) return undefined;
  if (!Array.isArray(parts)) return `${where}.functionResponse.parts must be an array`;
  for (const [index, part] of parts.entries()) {
    const at = `${where}.functionResponse.parts[${index}]`;
    if (!isRecord(part) || (part.inlineData === undefined) === (part.fileData === undefined)) return `${at} must have exactly one of inlineData, fileData`;
    const media = part.inlineData ?? part.fileData;
    if (part.fileData !== undefined && !options.vertex) return `${at}.fileData is not supported in the Gemini API`;
    if (!isRecord(media) || typeof media.mimeType !== 'string') return `${at} needs a mimeType string`;
    if (part.inlineData !== undefined && typeof media.data !== 'string') return `${at}.inlineData needs a data string`;
    if (part.fileData !== undefined && typeof media.fileUri !== 'string') return `${at}.fileData needs a fileUri string`;
    if (!FUNCTION_RESPONSE_MEDIA_TYPES.has(media.mimeType)) return `${at}: unsupported MIME type ${media.mimeType} in a function response`;
  }
  return undefined;
}

/** Checks one part; returns an error message or the part's text (empty for non-text parts). */
function checkPart(part: unknown, where: string, options: GeminiParseOptions): { readonly text: string } | string {
  if (!isRecord(part)) return `${where} must be an object`;
  const kinds = PART_KINDS.filter((kind) => part[kind] !== undefined);
  if (kinds.length !== 1) return `${where} must have exactly one of ${PART_KINDS.join(', ')}`;
  const kind = kinds[0];
  const value = part[kind as string];
  switch (kind) {
    case 'text':
      return typeof value === 'string' ? { text: value } : `${where}.text must be a string`;
    case 'inlineData':
      if (!isRecord(value) || typeof value.mimeType !== 'string' || typeof value.data !== 'string') {
        return `${where}.inlineData needs mimeType and data strings`;
      }
      return { text: '' };
    case 'fileData':
      if (!isRecord(value) || typeof value.fileUri !== 'string') return `${where}.fileData needs a fileUri string`;
      if (value.mimeType !== undefined && typeof value.mimeType !== 'string') return `${where}.fileData.mimeType must be a string`;
      return { text: '' };
    case 'functionCall':
      if (!isRecord(value) || typeof value.name !== 'string') return `${where}.functionCall needs a name`;
      if (value.args !== undefined && !isRecord(value.args)) return `${where}.functionCall.args must be an object`;
      return { text: '' };
    case 'functionResponse':
      if (!isRecord(value) || typeof value.name !== 'string') return `${where}.functionResponse needs a name`;
      if (!isRecord(value.response)) return `${where}.functionResponse.response must be an object`;
      return checkFunctionResponseParts(value.parts, where, options) ?? { text: '' };
    default:
      return { text: '' };
  }
}

/** Reads `contents`; returns the last user text and the word count, or an error message. */
function readContents(contents: unknown, options: GeminiParseOptions): { readonly lastUserText: string; readonly words: number } | string {
  if (!Array.isArray(contents) || contents.length === 0) return 'contents must be a non-empty array';
  let lastUserText = '';
  let words = 0;
  for (const [index, content] of contents.entries()) {
    const where = `contents[${index}]`;
    if (!isRecord(content)) return `${where} must be an object`;
    const role = content.role ?? 'user';
    if (typeof role !== 'string' || !ROLES.has(role)) return `${where}.role must be "user" or "model"`;
    if (!Array.isArray(content.parts) || content.parts.length === 0) return `${where}.parts must be a non-empty array`;
    const texts: string[] = [];
    for (const [partIndex, part] of content.parts.entries()) {
      const checked = checkPart(part, `${where}.parts[${partIndex}]`, options);
      if (typeof checked === 'string') return checked;
      if (checked.text !== '') texts.push(checked.text);
    }
    const text = texts.join('');
    words += countWords(text);
    // A turn that only carries function responses does not replace the user's last words.
    if (role === 'user' && texts.length > 0) lastUserText = text;
  }
  return { lastUserText, words };
}

function readSystemInstruction(system: unknown): number | string {
  if (system === undefined) return 0;
  if (!isRecord(system) || !Array.isArray(system.parts)) return 'systemInstruction must be a Content with parts';
  let words = 0;
  for (const [index, part] of system.parts.entries()) {
    if (!isRecord(part) || typeof part.text !== 'string') return `systemInstruction.parts[${index}] must be a text part`;
    words += countWords(part.text);
  }
  return words;
}

function readTools(tools: unknown): string[] | string {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) return 'tools must be an array';
  const names: string[] = [];
  for (const [index, tool] of tools.entries()) {
    if (!isRecord(tool)) return `tools[${index}] must be an object`;
    if (tool.functionDeclarations === undefined) continue; // googleSearch, codeExecution, …
    if (!Array.isArray(tool.functionDeclarations)) return `tools[${index}].functionDeclarations must be an array`;
    for (const [declarationIndex, declaration] of tool.functionDeclarations.entries()) {
      const where = `tools[${index}].functionDeclarations[${declarationIndex}]`;
      if (!isRecord(declaration) || typeof declaration.name !== 'string' || declaration.name === '') return `${where}.name is required`;
      if (declaration.parameters !== undefined && declaration.parametersJsonSchema !== undefined) {
        return `${where}: parameters and parametersJsonSchema are mutually exclusive`;
      }
      names.push(declaration.name);
    }
  }
  return names;
}

/**
 * Structured output in `generationConfig`: `responseMimeType: 'application/json'`, with the schema in
 * `responseJsonSchema` (JSON Schema) or `responseSchema` (the OpenAPI subset), never both; a schema
 * needs the JSON MIME type (https://ai.google.dev/gemini-api/docs/structured-output).
 */
function readResponseFormat(config: Readonly<Record<string, unknown>>): SimParsedRequest['structuredOutput'] | string {
  const { responseMimeType, responseJsonSchema, responseSchema } = config;
  if (responseJsonSchema !== undefined && responseSchema !== undefined) return 'generationConfig: responseSchema and responseJsonSchema cannot both be set';
  const schema = responseJsonSchema ?? responseSchema;
  if (schema !== undefined && !isRecord(schema)) return 'generationConfig.responseJsonSchema must be an object';
  if (responseMimeType !== 'application/json') {
    return schema === undefined ? undefined : 'generationConfig: a response schema requires responseMimeType "application/json"';
  }
  return schema === undefined ? {} : { schema };
}

function readGenerationConfig(config: unknown): { readonly maxTokens?: number; readonly structuredOutput?: SimParsedRequest['structuredOutput'] } | string {
  if (config === undefined) return {};
  if (!isRecord(config)) return 'generationConfig must be an object';
  const { maxOutputTokens, temperature, topP, stopSequences } = config;
  if (maxOutputTokens !== undefined && (!Number.isInteger(maxOutputTokens) || (maxOutputTokens as number) < 1)) {
    return 'generationConfig.maxOutputTokens must be a positive integer';
  }
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    return 'generationConfig.temperature must be between 0 and 2';
  }
  if (topP !== undefined && (typeof topP !== 'number' || topP < 0 || topP > 1)) return 'generationConfig.topP must be between 0 and 1';
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences) || !stopSequences.every((item) => typeof item === 'string')) {
      return 'generationConfig.stopSequences must be an array of strings';
    }
    if (stopSequences.length > 5) return 'generationConfig.stopSequences allows at most 5 entries';
  }
  const structuredOutput = readResponseFormat(config);
  if (typeof structuredOutput === 'string') return structuredOutput;
  return { ...(maxOutputTokens === undefined ? {} : { maxTokens: maxOutputTokens as number }), ...(structuredOutput === undefined ? {} : { structuredOutput }) };
}

/** Applies `toolConfig.functionCallingConfig`: `NONE` offers no tool, `allowedFunctionNames` narrows them. */
function applyToolConfig(toolConfig: unknown, names: readonly string[]): readonly string[] | string {
  if (toolConfig === undefined) return names;
  if (!isRecord(toolConfig)) return 'toolConfig must be an object';
  const calling = toolConfig.functionCallingConfig;
  if (calling === undefined) return names;
  if (!isRecord(calling)) return 'toolConfig.functionCallingConfig must be an object';
  const mode = calling.mode ?? 'AUTO';
  if (typeof mode !== 'string' || !CALLING_MODES.has(mode)) return `toolConfig.functionCallingConfig.mode ${JSON.stringify(mode)} is not valid`;
  if (mode === 'NONE') return [];
  const allowed = calling.allowedFunctionNames;
  if (allowed === undefined) return names;
  if (!Array.isArray(allowed) || !allowed.every((name) => typeof name === 'string')) {
    return 'toolConfig.functionCallingConfig.allowedFunctionNames must be an array of strings';
  }
  if (mode !== 'ANY' && mode !== 'VALIDATED') return 'allowedFunctionNames may only be set with mode ANY or VALIDATED';
  const unknown = allowed.find((name) => !names.includes(name));
  if (unknown !== undefined) return `allowedFunctionNames names "${unknown}", which no functionDeclaration declares`;
  return names.filter((name) => allowed.includes(name));
}

function finishReasonOf(reason: SimAnswer['finishReason']): string {
  switch (reason) {
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
    default:
      return 'STOP'; // Gemini reports STOP for function calls too
  }
}

function usageMetadata(inputTokens: number, outputTokens: number): Record<string, number> {
  return { promptTokenCount: inputTokens, candidatesTokenCount: outputTokens, totalTokenCount: inputTokens + outputTokens };
}

/**
 * Reads a `GenerateContentRequest` body (the Gemini API's, or Vertex AI's for Google's models):
 * the parsed request, or a 400's message.
 */
export function parseGeminiRequest(body: unknown, match: SimRouteMatch, url: URL, options: GeminiParseOptions): SimParsedRequest | string {
  if (!isRecord(body)) return 'the request body must be a JSON object';
  const stream = match.pathStream === true;
  if (stream && url.searchParams.get('alt') !== 'sse') {
    return 'only streamGenerateContent?alt=sse is simulated (the JSON-array stream is not)';
  }
  const model = match.pathModel ?? '';
  const contents = readContents(body.contents, options);
  if (typeof contents === 'string') return contents;
  const signatures = checkGeminiThoughtSignatures(body.contents as unknown[], model);
  if (signatures !== undefined) return signatures;
  const systemWords = readSystemInstruction(body.systemInstruction);
  if (typeof systemWords === 'string') return systemWords;
  const declared = readTools(body.tools);
  if (typeof declared === 'string') return declared;
  const toolNames = applyToolConfig(body.toolConfig, declared);
  if (typeof toolNames === 'string') return toolNames;
  const generation = readGenerationConfig(body.generationConfig);
  if (typeof generation === 'string') return generation;
  const reasoning = readGeminiThinking(body.generationConfig, model);
  if (typeof reasoning === 'string') return reasoning;
  const parsed: SimParsedRequest = {
    model,
    stream,
    lastUserText: contents.lastUserText,
    toolNames,
    ...(generation.maxTokens === undefined ? {} : { maxTokens: generation.maxTokens }),
    ...(generation.structuredOutput === undefined ? {} : { structuredOutput: generation.structuredOutput }),
    inputTokens: contents.words + systemWords,
    ...(reasoning === undefined ? {} : { reasoning }),
  };
  if (offersGoogleSearch(body.tools)) groundedRequests.add(parsed);
  return parsed;
}

/** The parsed requests that offered the Google Search tool: their answers are grounded. */
const groundedRequests = new WeakSet<SimParsedRequest>();

function offersGoogleSearch(tools: unknown): boolean {
  return Array.isArray(tools) && tools.some((tool) => isRecord(tool) && (tool.googleSearch !== undefined || tool.google_search !== undefined));
}

/** The `groundingMetadata` of a grounded answer: one web source supporting its last word. */
function groundingMetadataOf(text: string): Record<string, unknown> {
  const start = text.lastIndexOf(' ') + 1;
  const bytes = (value: string): number => Buffer.byteLength(value, 'utf8');
  return {
    webSearchQueries: ['switchyard simulator'],
    searchEntryPoint: { renderedContent: '<!-- search suggestions -->' },
    groundingChunks: [{ web: { uri: 'https://vertexaisearch.cloud.google.com/grounding-api-redirect/switchyard-sim', title: 'example.com' } }],
    groundingSupports: [{ segment: { startIndex: bytes(text.slice(0, start)), endIndex: bytes(text), text: text.slice(start) }, groundingChunkIndices: [0] }],
  };
}

/** The final candidate, with its grounding when the request asked for Google Search. */
function finalCandidate(parts: readonly Record<string, unknown>[], answer: SimAnswer, request: SimParsedRequest): Record<string, unknown> {
  const finished = candidate(parts, finishReasonOf(answer.finishReason));
  if (groundedRequests.has(request) && answer.text !== '') finished.groundingMetadata = groundingMetadataOf(answer.text);
  return finished;
}

function functionCallParts(answer: SimAnswer): Record<string, unknown>[] {
  return answer.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.arguments } }));
}

function candidate(parts: readonly Record<string, unknown>[], finishReason?: string): Record<string, unknown> {
  const content = { parts, role: 'model' };
  if (finishReason === undefined) return { content, index: 0 };
  const finished: Record<string, unknown> = { content, finishReason, index: 0 };
  if (finishReason === 'SAFETY') {
    finished.safetyRatings = [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }];
  }
  return finished;
}

function frame(chunk: unknown): string {
  return `data: ${JSON.stringify(chunk)}${EVENT_END}`;
}

/** The simulator's Gemini wire format. */
export const geminiFormat: WireFormat = {
  name: 'gemini',

  match(method: string, url: URL): SimRouteMatch | undefined {
    if (method !== 'POST') return undefined;
    const found = PATH.exec(url.pathname);
    if (found === null) return undefined;
    return { pathModel: decodeURIComponent(found[2] ?? ''), pathStream: found[3] === 'streamGenerateContent' };
  },

  authorize(headers: IncomingHttpHeaders, url: URL, expectedKey: string): boolean {
    const header = headers['x-goog-api-key'];
    const headerKey = Array.isArray(header) ? header[0] : header;
    return headerKey === expectedKey || url.searchParams.get('key') === expectedKey;
  },

  parse(body: unknown, match: SimRouteMatch, url: URL): SimParsedRequest | string {
    return parseGeminiRequest(body, match, url, { vertex: false });
  },

  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown {
    const parts = geminiThinkingParts([...(answer.text === '' ? [] : [{ text: answer.text }]), ...functionCallParts(answer)], answer, request);
    return {
      candidates: [finalCandidate(parts, answer, request)],
      usageMetadata: geminiThinkingUsage(usageMetadata(answer.usage.inputTokens, answer.usage.outputTokens), answer),
      modelVersion: request.model,
      responseId: answer.id,
    };
  },

  renderStream(plan: SimStreamPlan, request: SimParsedRequest): readonly string[] {
    const { answer } = plan;
    const frames: string[] = [];
    const envelope = { modelVersion: request.model, responseId: answer.id };
    let wordsSoFar = 0;
    const thought = geminiThoughtPart(answer, request);
    if (thought !== undefined) frames.push(frame({ candidates: [candidate([thought])], usageMetadata: usageMetadata(answer.usage.inputTokens, 0), ...envelope }));
    for (const piece of plan.textChunks) {
      wordsSoFar += countWords(piece);
      frames.push(frame({ candidates: [candidate([{ text: piece }])], usageMetadata: usageMetadata(answer.usage.inputTokens, wordsSoFar), ...envelope }));
    }
    // A function call always arrives whole, in one chunk.
    if (answer.toolCalls.length > 0) {
      frames.push(frame({ candidates: [candidate(geminiSignedCallParts(functionCallParts(answer), answer, request))], usageMetadata: usageMetadata(answer.usage.inputTokens, wordsSoFar), ...envelope }));
    }
    frames.push(
      frame({
        candidates: [finalCandidate([geminiFinalPart(answer)], answer, request)],
        usageMetadata: geminiThinkingUsage(usageMetadata(answer.usage.inputTokens, answer.usage.outputTokens), answer),
        ...envelope,
      }),
    );
    return frames;
  },

  renderError(status: number, message: string) {
    const name = geminiStatusName(status);
    const error: Record<string, unknown> = { code: status, message, status: name };
    if (status === 429) {
      error.details = [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }],
        },
      ];
    }
    return { body: { error } };
  },

  renderStreamError(status: number, message: string): string {
    return frame({ error: { code: status, message, status: geminiStatusName(status) } });
  },
};
