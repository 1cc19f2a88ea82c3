/**
 * A Chat Completions request body (`POST /v1/chat/completions`) → the unified `ChatRequest`, per
 * the API reference (https://platform.openai.com/docs/api-reference/chat/create) and the `openai`
 * SDK's `ChatCompletionCreateParams`. Fields the gateway does not know are ignored (SDKs add new
 * ones all the time); a known field of the wrong type is an `invalid_request` naming its JSON path.
 */
import { invalidRequest } from '../../../errors.js';
import type { Mutable } from '../../../mutable.js';
import type { ChatRequest, ReasoningOption, ToolChoice, ToolDefinition } from '../../../types.js';
import { parseMessages } from './parse-messages.js';
import type { FileIdNotes } from '../file-ids.js';
import { parseProviderOptionsField } from '../provider-options-field.js';
import {
  childPath,
  isJsonObject,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalPositiveInteger,
  optionalString,
  requiredObject,
  requiredString,
  wrongType,
} from '../request-fields.js';
import type { ParsedOpenAIRequest, ResponseFormat } from './wire-types.js';

/** What a function tool without `parameters` means: a function that takes none. */
const NO_PARAMETERS: Readonly<Record<string, unknown>> = Object.freeze({ type: 'object', properties: {} });

function parseTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType('tools', 'an array of tools', value);
  return value.map((entry: unknown, index): ToolDefinition => {
    const field = `tools[${index}]`;
    const tool = requiredObject(entry, field);
    if (tool.type !== 'function') {
      throw invalidRequest(`${field}.type`, `${typeof tool.type === 'string' ? `tool type '${tool.type}' is not supported` : 'required'}; expected 'function'`);
    }
    const definition = requiredObject(tool.function, `${field}.function`);
    const name = requiredString(definition.name, `${field}.function.name`);
    const description = optionalString(definition.description, `${field}.function.description`);
    const parameters = optionalObject(definition.parameters, `${field}.function.parameters`) ?? { ...NO_PARAMETERS };
    return description === undefined ? { name, parameters } : { name, description, parameters };
  });
}

function parseToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (typeof value === 'string') throw invalidRequest('tool_choice', `unknown value '${value}'; expected 'auto', 'none', 'required' or { type: 'function', function: { name } }`);
  if (!isJsonObject(value)) throw wrongType('tool_choice', "'auto', 'none', 'required' or an object", value);
  if (value.type !== 'function') {
    throw invalidRequest('tool_choice.type', `${typeof value.type === 'string' ? `tool choice type '${value.type}' is not supported` : 'required'}; expected 'function'`);
  }
  const choice = requiredObject(value.function, 'tool_choice.function');
  return { name: requiredString(choice.name, 'tool_choice.function.name') };
}

function parseStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw wrongType('stop', 'a string or an array of strings', value);
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string') throw wrongType(`stop[${index}]`, 'a string', entry);
    return entry;
  });
}

function parseResponseFormat(value: unknown): ResponseFormat | undefined {
  const format = optionalObject(value, 'response_format');
  if (format === undefined) return undefined;
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const schema = requiredObject(format.json_schema, 'response_format.json_schema');
      const name = requiredString(schema.name, 'response_format.json_schema.name');
      const body = optionalObject(schema.schema, 'response_format.json_schema.schema');
      const strict = optionalBoolean(schema.strict, 'response_format.json_schema.strict');
      // The reference makes `schema` optional: without one, any JSON object is what can be checked.
      if (body === undefined) return { type: 'json' };
      const parsed: Mutable<Extract<ResponseFormat, { type: 'json_schema' }>> = { type: 'json_schema', schema: body, name };
      if (strict !== undefined) parsed.strict = strict;
      return parsed;
    }
    default:
      throw invalidRequest(
        'response_format.type',
        `${typeof format.type === 'string' ? `unknown type '${format.type}'` : 'required'}; expected 'text', 'json_object' or 'json_schema'`,
      );
  }
}

/**
 * `reasoning_effort` → `reasoning: { effort }`. The unified levels are low, medium and high:
 * `minimal` reads as `low`, `xhigh` as `high`, and `none` as no reasoning.
 */
function parseReasoningEffort(value: unknown): ReasoningOption | undefined {
  const effort = optionalString(value, 'reasoning_effort');
  switch (effort) {
    case undefined:
    case 'none':
      return undefined;
    case 'minimal':
    case 'low':
      return { effort: 'low' };
    case 'medium':
      return { effort: 'medium' };
    case 'high':
    case 'xhigh':
      return { effort: 'high' };
    default:
      throw invalidRequest('reasoning_effort', `unknown value '${effort}'; expected 'none', 'minimal', 'low', 'medium', 'high' or 'xhigh'`);
  }
}

function parseMetadata(value: unknown): Record<string, string> | undefined {
  const metadata = optionalObject(value, 'metadata');
  if (metadata === undefined) return undefined;
  const parsed: Record<string, string> = {};
  for (const [key, entry] of Object.entries(metadata)) {
    if (typeof entry !== 'string') throw wrongType(childPath('metadata', key), 'a string', entry);
    parsed[key] = entry;
  }
  return parsed;
}

/**
 * Refuses what would otherwise be ignored and change the answer silently: several choices, and the
 * deprecated `functions`/`function_call` (ignoring them would hide the tools from the model).
 */
function refuseUnsupported(body: Readonly<Record<string, unknown>>): void {
  const choices = optionalPositiveInteger(body.n, 'n');
  if (choices !== undefined && choices > 1) throw invalidRequest('n', `only one choice per request is supported (got n = ${choices}); send separate requests`);
  if (body.functions !== undefined && body.functions !== null) throw invalidRequest('functions', "the deprecated 'functions' is not supported; use 'tools'");
  if (body.function_call !== undefined && body.function_call !== null) throw invalidRequest('function_call', "the deprecated 'function_call' is not supported; use 'tool_choice'");
}

/** The provider types whose Files API issues the ids of `file.file_id` parts. */
const FILE_ID_ISSUERS: readonly string[] = ['openai'];

/**
 * Reads a Chat Completions request body into the unified request and the ingress's own options.
 *
 * - `model` is passed through as `request.model` (a route name, or `provider/model`) and kept as
 *   `requestedModel`, which answers name back.
 * - `system`/`developer` messages become `request.system`, joined in order by a blank line.
 * - `max_completion_tokens` wins over the older `max_tokens` when both are given.
 * - `response_format`: `text` is the default and ignored; `json_object` and `json_schema` become
 *   `request.responseFormat` (see `ResponseFormat`).
 * - `stream_options.include_usage` counts only on a streaming request.
 * - `reasoning_effort` becomes `request.reasoning` (see `parseReasoningEffort`).
 * - `parallel_tool_calls` becomes `request.parallelToolCalls`.
 * - `provider_options` (the gateway's own field) becomes `request.providerOptions` (see
 *   `parseProviderOptionsField`).
 * - `file.file_id` parts are noted in `fileIds`, for the server to bind to the route's provider.
 *
 * @throws SwitchyardError `invalid_request` with `field` set to the JSON path of the first problem
 *   (e.g. `messages[2].content`), for a field of the wrong type, an unsupported role, part type or
 *   tool type, tool-call arguments that are not JSON, and `n > 1`.
 */
export function parseChatCompletionRequest(body: unknown): ParsedOpenAIRequest {
  if (!isJsonObject(body)) throw wrongType('body', 'a JSON object', body);
  const model = requiredString(body.model, 'model');
  refuseUnsupported(body);
  const files: FileIdNotes = {};
  const { system, messages } = parseMessages(body.messages, files);
  const request: Mutable<ChatRequest> = { model, messages };
  if (system !== undefined) request.system = system;
  const tools = parseTools(body.tools);
  if (tools !== undefined) request.tools = tools;
  const toolChoice = parseToolChoice(body.tool_choice);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  const parallelToolCalls = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;
  const legacyMaxTokens = optionalPositiveInteger(body.max_tokens, 'max_tokens');
  const maxTokens = optionalPositiveInteger(body.max_completion_tokens, 'max_completion_tokens') ?? legacyMaxTokens;
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const stop = parseStop(body.stop);
  if (stop !== undefined) request.stop = stop;
  const temperature = optionalNumber(body.temperature, 'temperature');
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p');
  if (topP !== undefined) request.topP = topP;
  const responseFormat = parseResponseFormat(body.response_format);
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  const metadata = parseMetadata(body.metadata);
  if (metadata !== undefined) request.metadata = metadata;
  const reasoning = parseReasoningEffort(body.reasoning_effort);
  if (reasoning !== undefined) request.reasoning = reasoning;
  const providerOptions = parseProviderOptionsField(body.provider_options);
  if (providerOptions !== undefined) request.providerOptions = providerOptions;

  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  const streamOptions = optionalObject(body.stream_options, 'stream_options');
  const includeUsage = optionalBoolean(streamOptions?.include_usage, 'stream_options.include_usage') ?? false;
  const user = optionalString(body.user, 'user');
  const parsed: Mutable<ParsedOpenAIRequest> = { request, stream, includeUsage: stream && includeUsage, requestedModel: model };
  if (user !== undefined) parsed.user = user;
  if (files.first !== undefined) parsed.fileIds = { field: files.first, providerTypes: FILE_ID_ISSUERS };
  return parsed;
}
