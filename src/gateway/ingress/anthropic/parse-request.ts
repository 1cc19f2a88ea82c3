/**
 * A Messages API request body (`POST /v1/messages`) → the router's `ChatRequest`, plus what the
 * gateway needs beside it: whether to stream, the end user, the model name to answer with.
 * Reference: https://platform.claude.com/docs/en/api/messages
 *
 * Mapped: `model` (a route name or `provider/model`), `max_tokens` (required, as in the API),
 * `system` (a string, or text blocks joined by blank lines; text parts when a block carries
 * `cache_control`), `messages` (see `parse-messages.ts`), `tools` (custom tools: `name`,
 * `description`, `input_schema`), `cache_control` on system, message and tool blocks (→ `cache`,
 * except on `tool_use` blocks, which the unified shape cannot mark), `tool_choice` (`auto`, `any` →
 * `required`, `tool` → `{ name }`, `none`; `disable_parallel_tool_use: true` → `parallelToolCalls: false`), `stop_sequences`, `temperature`, `top_p`, `stream`,
 * `metadata.user_id` (→ `user`), `thinking: { type: 'enabled', budget_tokens }` (→ `reasoning:
 * { budgetTokens }`; `disabled` is no reasoning), `provider_options` (the gateway's own field →
 * `providerOptions`, see `parseProviderOptionsField`).
 *
 * Accepted and ignored, without an error: `top_k`, `thinking` of types `adaptive` and
 * `between_tools` (no unified equivalent), `thinking.display`,
 * `service_tier`, `container`,
 * `mcp_servers`, and every field the reference does not list. Server tools (`web_search_…`,
 * `bash_…`, any `tools[i].type` other than `custom`) are refused: only the model's own tool calls
 * can travel through another provider.
 */
import { invalidRequest } from '../../../errors.js';
import type { ChatRequest, ReasoningOption, TextPart, ToolChoice, ToolDefinition } from '../../../types.js';
import { parseCacheControl, withCache } from './cache-control.js';
import type { Mutable } from '../../../mutable.js';
import { parseMessages } from './parse-messages.js';
import type { FileIdNotes, FileIdsToBind } from '../file-ids.js';
import { parseProviderOptionsField } from '../provider-options-field.js';
import {
  optionalBoolean,
  optionalNumberInRange,
  optionalString,
  optionalStringList,
  requiredArray,
  requiredObject,
  requiredPositiveInteger,
  requiredString,
  isJsonObject,
  wrongType,
} from '../request-fields.js';

/** What `parseMessagesRequest` returns. */
export interface ParsedAnthropicRequest {
  /** The request for `router.chat()` / `router.stream()`. */
  readonly request: ChatRequest;
  /** `stream: true` in the body. */
  readonly stream: boolean;
  /** `metadata.user_id`: pass it as `CallOptions.user`. */
  readonly user?: string;
  /** The `model` the caller named; answers carry it back. */
  readonly requestedModel: string;
  /** Present when the body named uploaded files by id: bind them to the route's provider (`bindFileIds`). */
  readonly fileIds?: FileIdsToBind;
}

/** The provider types whose Files API issues the ids of `file` sources. */
const FILE_ID_ISSUERS: readonly string[] = ['anthropic'];

/** Separates the text blocks of a `system` given as blocks. */
const SYSTEM_BLOCK_SEPARATOR = '\n\n';

function parseSystem(value: unknown): ChatRequest['system'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (!Array.isArray(value)) throw wrongType('system', 'a string or an array of text blocks', value);
  const parts = value.map((item: unknown, index): TextPart => {
    const field = `system[${index}]`;
    const block = requiredObject(item, field);
    if (block.type !== 'text') throw invalidRequest(`${field}.type`, `expected "text", got ${block.type === undefined ? 'nothing' : JSON.stringify(block.type)}`);
    return withCache({ type: 'text', text: requiredString(block.text, `${field}.text`, { allowEmpty: true }) }, parseCacheControl(block, field));
  });
  // Blocks with a cache breakpoint stay parts (the breakpoint is where the client put it); else one string.
  if (parts.some((part) => part.cache !== undefined)) return parts.filter((part) => part.text !== '' || part.cache !== undefined);
  const joined = parts.map((part) => part.text).filter((text) => text !== '').join(SYSTEM_BLOCK_SEPARATOR);
  return joined === '' ? undefined : joined;
}

function parseTools(value: unknown): ToolDefinition[] | undefined {
  if (value === undefined || value === null) return undefined;
  const tools = requiredArray(value, 'tools', { nonEmpty: false });
  return tools.map((item, index) => {
    const field = `tools[${index}]`;
    const tool = requiredObject(item, field);
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      throw invalidRequest(`${field}.type`, `server tools (${JSON.stringify(tool.type)}) are not supported by the gateway; only custom tools with name, description and input_schema`);
    }
    const name = requiredString(tool.name, `${field}.name`, { allowEmpty: false });
    const description = optionalString(tool.description, `${field}.description`);
    const parameters = requiredObject(tool.input_schema, `${field}.input_schema`);
    return withCache<ToolDefinition>(description === undefined ? { name, parameters } : { name, description, parameters }, parseCacheControl(tool, field));
  });
}

function parseToolChoice(value: unknown, tools: readonly ToolDefinition[] | undefined): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  const choice = requiredObject(value, 'tool_choice');
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'none':
      return 'none';
    case 'any':
      return 'required';
    case 'tool': {
      const name = requiredString(choice.name, 'tool_choice.name', { allowEmpty: false });
      if (!(tools ?? []).some((tool) => tool.name === name)) throw invalidRequest('tool_choice.name', `no tool named ${JSON.stringify(name)} in tools`);
      return { name };
    }
    default:
      throw invalidRequest('tool_choice.type', `expected "auto", "any", "tool" or "none", got ${choice.type === undefined ? 'nothing' : JSON.stringify(choice.type)}`);
  }
}

/** `tool_choice.disable_parallel_tool_use: true` (→ `parallelToolCalls: false`); `false` is the API's default. */
function parallelToolUseDisabled(value: unknown): boolean {
  if (!isJsonObject(value)) return false;
  return optionalBoolean(value.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use') === true;
}

/** `thinking` → `reasoning`; `enabled` needs its whole-number `budget_tokens` (the router raises small ones to Anthropic's 1,024). */
function parseThinking(value: unknown): ReasoningOption | undefined {
  if (value === undefined || value === null) return undefined;
  const thinking = requiredObject(value, 'thinking');
  const type = requiredString(thinking.type, 'thinking.type', { allowEmpty: false });
  if (type !== 'enabled') return undefined;
  return { budgetTokens: requiredPositiveInteger(thinking.budget_tokens, 'thinking.budget_tokens', 'required with thinking.type "enabled": the most tokens the model may think with') };
}

function parseUser(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw wrongType('metadata', 'an object', value);
  const user = optionalString(value.user_id, 'metadata.user_id');
  return user === '' ? undefined : user;
}

/**
 * Reads a Messages API request body. Throws `SwitchyardError` `invalid_request` whose `field` is
 * the JSON path of the first problem (`messages[1].content[0].source.data`); unknown fields are
 * ignored. The router validates the result again (routes, tool names) with its own field names.
 */
export function parseMessagesRequest(body: unknown): ParsedAnthropicRequest {
  if (!isJsonObject(body)) throw wrongType('body', 'a JSON object', body);
  const model = requiredString(body.model, 'model', { allowEmpty: false });
  const maxTokens = requiredPositiveInteger(body.max_tokens, 'max_tokens', 'required: the most tokens to generate (the Messages API has no default)');
  // Built field by field: optional fields stay absent rather than present as undefined.
  const files: FileIdNotes = {};
  const request: Mutable<ChatRequest> = { model, maxTokens, messages: parseMessages(body.messages, files) };
  const system = parseSystem(body.system);
  if (system !== undefined) request.system = system;
  const tools = parseTools(body.tools);
  if (tools !== undefined && tools.length > 0) request.tools = tools;
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  if (parallelToolUseDisabled(body.tool_choice)) request.parallelToolCalls = false;
  const stop = optionalStringList(body.stop_sequences, 'stop_sequences');
  if (stop !== undefined && stop.length > 0) request.stop = stop;
  const temperature = optionalNumberInRange(body.temperature, 'temperature', 0, 1);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumberInRange(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const reasoning = parseThinking(body.thinking);
  if (reasoning !== undefined) request.reasoning = reasoning;
  const providerOptions = parseProviderOptionsField(body.provider_options);
  if (providerOptions !== undefined) request.providerOptions = providerOptions;
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  const user = parseUser(body.metadata);
  const parsed: Mutable<ParsedAnthropicRequest> = { request, stream, requestedModel: model };
  if (user !== undefined) parsed.user = user;
  if (files.first !== undefined) parsed.fileIds = { field: files.first, providerTypes: FILE_ID_ISSUERS };
  return parsed;
}
