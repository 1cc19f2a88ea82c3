/**
 * Maps a unified `ChatRequest` to a Gemini `GenerateContentRequest` body, following the REST
 * reference (ai.google.dev/api/generate-content, ai.google.dev/api/caching#Content): system text
 * goes to `systemInstruction`, the assistant speaks as `model`, tool calls become `functionCall`
 * parts and tool results `functionResponse` parts in a `user` turn.
 */
import { invalidRequest } from '../../src/errors.js';
import { geminiSignatureOf, geminiThinkingConfig, isGemini3OrLater, type GeminiThinkingConfig } from './thinking.js';
import { geminiDocumentPart } from './document-part.js';
import { functionResponseParts, type GeminiFunctionResponsePart } from './function-response.js';
import type { ChatRequest, ContentPart, Message, ToolChoice, ToolDefinition } from '../../src/types.js';

/** One part of a Gemini `Content`. */
export type GeminiPart =
  | { readonly text: string; readonly thoughtSignature?: string }
  | { readonly inlineData: { readonly mimeType: string; readonly data: string } }
  | { readonly fileData: { readonly fileUri: string; readonly mimeType?: string } }
  | { readonly functionCall: { readonly name: string; readonly args: Record<string, unknown> }; readonly thoughtSignature?: string }
  | { readonly functionResponse: { readonly name: string; readonly response: Record<string, unknown>; readonly parts?: readonly GeminiFunctionResponsePart[] } };

/** A turn of the conversation. */
export interface GeminiContent {
  readonly role: 'user' | 'model';
  readonly parts: readonly GeminiPart[];
}

/** One function the model may call; `parametersJsonSchema` takes full JSON Schema. */
export interface GeminiFunctionDeclaration {
  readonly name: string;
  readonly description?: string;
  readonly parametersJsonSchema: Record<string, unknown>;
}

/** `toolConfig.functionCallingConfig`. */
export interface GeminiFunctionCallingConfig {
  readonly mode: 'AUTO' | 'ANY' | 'NONE';
  readonly allowedFunctionNames?: readonly string[];
}

/** `generationConfig`. */
export interface GeminiGenerationConfig {
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stopSequences?: readonly string[];
  /** Thinking budget and thought summaries (thinking.ts). */
  readonly thinkingConfig?: GeminiThinkingConfig;
  /** `application/json` for structured output. */
  readonly responseMimeType?: string;
  /** The JSON Schema an answer must follow (Gemini's full JSON Schema field, not the OpenAPI-subset `responseSchema`). */
  readonly responseJsonSchema?: Record<string, unknown>;
}

/** The `GenerateContentRequest` body. */
export interface GeminiRequestBody {
  readonly contents: readonly GeminiContent[];
  readonly systemInstruction?: { readonly parts: readonly { readonly text: string }[] };
  readonly tools?: readonly { readonly functionDeclarations: readonly GeminiFunctionDeclaration[] }[];
  readonly toolConfig?: { readonly functionCallingConfig: GeminiFunctionCallingConfig };
  readonly generationConfig?: GeminiGenerationConfig;
}

/**
 * Google's documented placeholder for a replayed `functionCall` whose real thought signature was
 * not kept (ai.google.dev/gemini-api/docs/thought-signatures). Gemini 3 models reject replayed
 * function calls without a signature; unified `ToolCall`s have nowhere to keep the real one.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** What differs between the Gemini API and Vertex AI's Gemini models in a request body. */
export interface GeminiRequestOptions {
  /** Vertex AI: media by URL in a function response go as `fileData` (the Gemini API takes only bytes there). */
  readonly vertex?: boolean;
}

const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

function mimeTypeFromUrl(url: string): string | undefined {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : EXTENSION_TYPES[extension];
}

function imagePart(part: Extract<ContentPart, { type: 'image' }>, field: string): GeminiPart {
  // An uploaded file is referred to by its URI, as a URL would be.
  if (part.file !== undefined) return { fileData: part.mediaType === undefined ? { fileUri: part.file.id } : { fileUri: part.file.id, mimeType: part.mediaType } };
  if (part.data !== undefined) {
    if (part.mediaType === undefined) throw invalidRequest(`${field}.mediaType`, 'is required with base64 data');
    return { inlineData: { mimeType: part.mediaType, data: part.data } };
  }
  if (part.url === undefined) throw invalidRequest(field, 'an image needs a url or base64 data');
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (dataUrl !== null) return { inlineData: { mimeType: dataUrl[1] ?? '', data: dataUrl[2] ?? '' } };
  const mimeType = part.mediaType ?? mimeTypeFromUrl(part.url);
  return { fileData: mimeType === undefined ? { fileUri: part.url } : { fileUri: part.url, mimeType } };
}

function contentParts(message: Message, field: string): GeminiPart[] {
  if (typeof message.content === 'string') return message.content === '' ? [] : [{ text: message.content }];
  // An image's `detail` is OpenAI's; Gemini has no equivalent and ignores it.
  return message.content.map((part, index) =>
    part.type === 'text' ? { text: part.text } : part.type === 'document' ? geminiDocumentPart(part) : imagePart(part, `${field}.content[${index}]`),
  );
}

function plainText(message: Message): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * A tool result as Gemini's `functionResponse.response` object: a JSON object as is, else
 * `{ output }`; a failed call's content as `{ error }`, the key Gemini's reference names for errors.
 */
function toolResponse(text: string, isError: boolean): Record<string, unknown> {
  if (isError) return { error: text };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { output: value };
  } catch {
    return { output: text };
  }
}

function mapTools(tools: readonly ToolDefinition[]): GeminiRequestBody['tools'] {
  return [
    {
      functionDeclarations: tools.map((tool) => ({
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parametersJsonSchema: tool.parameters,
      })),
    },
  ];
}

function mapToolChoice(choice: ToolChoice, tools: readonly ToolDefinition[]): GeminiFunctionCallingConfig {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  if (!tools.some((tool) => tool.name === choice.name)) throw invalidRequest('toolChoice.name', `"${choice.name}" is not one of the tools offered`);
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

function mapGenerationConfig(request: ChatRequest): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {
    ...(request.maxTokens === undefined ? {} : { maxOutputTokens: request.maxTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { topP: request.topP }),
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { stopSequences: request.stop }),
    // Structured output: JSON mode, and the schema as Gemini's `responseJsonSchema` when there is one.
    ...(request.responseFormat === undefined ? {} : { responseMimeType: 'application/json' }),
    ...(request.responseFormat?.type === 'json_schema' ? { responseJsonSchema: request.responseFormat.schema } : {}),
  };
  return Object.keys(config).length === 0 ? undefined : config;
}

/**
 * Builds the Gemini request body. `model` is the upstream model id (it decides whether replayed
 * function calls carry the thought-signature placeholder, thinking is a level or a budget, and tool
 * results may carry media). Throws `invalid_request` naming the field for anything Gemini cannot express.
 */
export function buildGeminiRequest(request: ChatRequest, model: string, options: GeminiRequestOptions = {}): GeminiRequestBody {
  // System parts stay separate parts; their cache breakpoints are ignored (Gemini caches implicitly).
  const systemTexts: string[] = request.system === undefined ? [] : typeof request.system === 'string' ? (request.system === '' ? [] : [request.system]) : request.system.map((part) => part.text).filter((text) => text !== '');
  const contents: GeminiContent[] = [];
  const toolNamesById = new Map<string, string>();
  // Gemini 3 validates the signatures of replayed function calls and takes media in function responses.
  const gemini3 = isGemini3OrLater(model);
  const target = { vertex: options.vertex === true };

  for (const [index, message] of request.messages.entries()) {
    const field = `messages[${index}]`;
    switch (message.role) {
      case 'system': {
        const text = plainText(message);
        if (text !== '') systemTexts.push(text);
        break;
      }
      case 'user': {
        const parts = contentParts(message, field);
        if (parts.length === 0) throw invalidRequest(`${field}.content`, 'a user message needs content');
        contents.push({ role: 'user', parts });
        break;
      }
      case 'assistant': {
        const parts: GeminiPart[] = contentParts(message, field);
        // The real signature from Gemini's own answer when the message kept one (thinking.ts).
        const signature = geminiSignatureOf(message.reasoning);
        const calls = message.toolCalls ?? [];
        for (const [callIndex, call] of calls.entries()) {
          toolNamesById.set(call.id, call.name);
          const functionCall = { name: call.name, args: call.arguments };
          // Parallel calls: only the first call of a step carries the signature.
          const callSignature = callIndex !== 0 ? undefined : (signature ?? (gemini3 ? SKIP_THOUGHT_SIGNATURE : undefined));
          parts.push(callSignature === undefined ? { functionCall } : { functionCall, thoughtSignature: callSignature });
        }
        const lastText = parts.length - 1;
        if (calls.length === 0 && signature !== undefined && lastText >= 0 && 'text' in (parts[lastText] as GeminiPart)) {
          parts[lastText] = { text: (parts[lastText] as { text: string }).text, thoughtSignature: signature };
        }
        if (parts.length > 0) contents.push({ role: 'model', parts });
        break;
      }
      case 'tool': {
        const name = message.name ?? (message.toolCallId === undefined ? undefined : toolNamesById.get(message.toolCallId));
        if (name === undefined) {
          throw invalidRequest(`${field}.name`, 'Gemini needs the tool name: set name, or a toolCallId matching an earlier assistant tool call');
        }
        const media = typeof message.content === 'string' ? -1 : message.content.findIndex((item) => item.type !== 'text');
        if (media >= 0 && !gemini3) throw invalidRequest(`${field}.content[${media}]`, 'Gemini function responses before Gemini 3 take only text; images and documents cannot be sent in a tool result');
        // Gemini 3: the tool's images and documents beside its JSON answer (function-response.ts);
        // a result that is only media answers with an empty object rather than an empty `output`.
        const mediaParts = media >= 0 ? functionResponseParts(message.content, field, target) : [];
        const text = plainText(message);
        const response = text === '' && mediaParts.length > 0 && message.isError !== true ? {} : toolResponse(text, message.isError === true);
        const part: GeminiPart = { functionResponse: mediaParts.length === 0 ? { name, response } : { name, response, parts: mediaParts } };
        // Results of parallel calls travel together in one user turn.
        const previous = contents.at(-1);
        if (previous !== undefined && previous.role === 'user' && previous.parts.every((item) => 'functionResponse' in item)) {
          contents[contents.length - 1] = { role: 'user', parts: [...previous.parts, part] };
        } else {
          contents.push({ role: 'user', parts: [part] });
        }
        break;
      }
    }
  }
  if (contents.length === 0) throw invalidRequest('messages', 'at least one user, assistant or tool message is required');

  const tools = request.tools ?? [];
  if (tools.length === 0 && (request.toolChoice === 'required' || typeof request.toolChoice === 'object')) {
    throw invalidRequest('toolChoice', 'requires at least one tool');
  }
  const thinkingConfig = geminiThinkingConfig(request.reasoning, model);
  const baseConfig = mapGenerationConfig(request);
  const generationConfig = thinkingConfig === undefined ? baseConfig : { ...baseConfig, thinkingConfig };
  return {
    contents,
    ...(systemTexts.length === 0 ? {} : { systemInstruction: { parts: systemTexts.map((text) => ({ text })) } }),
    ...(tools.length === 0 ? {} : { tools: mapTools(tools) }),
    ...(tools.length === 0 || request.toolChoice === undefined ? {} : { toolConfig: { functionCallingConfig: mapToolChoice(request.toolChoice, tools) } }),
    ...(generationConfig === undefined ? {} : { generationConfig }),
  };
}
