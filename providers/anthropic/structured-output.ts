/**
 * Structured output for Anthropic (`ChatRequest.responseFormat`), two ways:
 *
 * - native: `output_config.format: { type: 'json_schema', schema }`, the Messages API's JSON outputs,
 *   generally available for Claude Opus 4.5, Sonnet 4.5, Haiku 4.5 and later models
 *   (https://platform.claude.com/docs/en/build-with-claude/structured-outputs);
 * - tool: a tool named after the schema, forced with `tool_choice: { type: 'tool', name }`, whose
 *   input is the answer. The tool call is turned back into text (its input as JSON), in answers and
 *   in streams (its `input_json_delta`s stream as text deltas), so callers never see the tool.
 *
 * `responseFormat.method` picks: `auto` (the default) is native for the models above and the tool
 * elsewhere; `{ type: 'json' }` (no schema) always uses the tool, with an `{ type: 'object' }` schema.
 */
import { invalidRequest } from '../../src/errors.js';
import type { AdapterResult } from '../../src/provider-spec.js';
import type { ChatRequest, ResponseFormat } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';
import type { AnthropicRequestBody } from './request-body.js';

/** How one request asks for structured output. */
export type AnthropicStructuredOutput =
  | { readonly kind: 'native'; readonly schema: Record<string, unknown> }
  | { readonly kind: 'tool'; readonly toolName: string; readonly schema: Record<string, unknown> };

/** The tool's description: the model reads it to know the tool is its answer. */
const TOOL_DESCRIPTION = 'Give your final answer by calling this tool; its input is the answer, as JSON matching the schema.';

/**
 * Claude model ids with native JSON outputs: Opus, Sonnet and Haiku 4.5 and later, as
 * `claude-sonnet-4-5`, `claude-sonnet-4-5-20250929`, `claude-opus-4-6`... (`claude-sonnet-4-20250514`
 * is Sonnet 4.0: a date is not a minor version).
 */
const FAMILY_VERSION = /claude-(?:opus|sonnet|haiku)-(\d+)(?:[-.](\d{1,2}))?(?!\d)/;

/** Whether a model id names a Claude model with native JSON outputs (see `FAMILY_VERSION`). */
export function hasNativeStructuredOutput(model: string): boolean {
  const match = FAMILY_VERSION.exec(model);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major > 4 || (major === 4 && minor >= 5);
}

/** How `format` is asked of `model`; undefined without a format. */
export function planStructuredOutput(format: ResponseFormat | undefined, model: string): AnthropicStructuredOutput | undefined {
  if (format === undefined) return undefined;
  if (format.type === 'json') return { kind: 'tool', toolName: 'response', schema: { type: 'object' } };
  const method = format.method ?? 'auto';
  if (method === 'native' || (method === 'auto' && hasNativeStructuredOutput(model))) return { kind: 'native', schema: format.schema };
  return { kind: 'tool', toolName: format.name ?? 'response', schema: format.schema };
}

/**
 * Adds the plan to a request body: `output_config.format`, or the answer tool and a `tool_choice`
 * forcing it (the caller's `toolChoice` gives way: the answer is the point of the request).
 *
 * @throws SwitchyardError `invalid_request` when the caller offers a tool of the answer tool's name.
 */
export function applyStructuredOutput(body: Mutable<AnthropicRequestBody>, plan: AnthropicStructuredOutput, request: ChatRequest): void {
  if (plan.kind === 'native') {
    body.output_config = { ...body.output_config, format: { type: 'json_schema', schema: plan.schema } };
    return;
  }
  if ((request.tools ?? []).some((tool) => tool.name === plan.toolName)) {
    throw invalidRequest('responseFormat.name', `a tool is already named "${plan.toolName}"; give responseFormat another name`);
  }
  body.tools = [...(body.tools ?? []), { name: plan.toolName, description: TOOL_DESCRIPTION, input_schema: plan.schema }];
  body.tool_choice = { type: 'tool', name: plan.toolName };
}

/**
 * An answer given through the answer tool, as text: the tool call's arguments as JSON, the call
 * itself removed, and a `tool_use` stop read as `stop` (the raw reason is kept).
 */
export function answerToolAsText(result: AdapterResult, toolName: string): AdapterResult {
  const answer = result.toolCalls.find((call) => call.name === toolName);
  if (answer === undefined) return result;
  const toolCalls = result.toolCalls.filter((call) => call !== answer);
  // The words' citations go with the words: the answer is only the JSON.
  const { textParts: _words, ...rest } = result;
  return {
    ...rest,
    // Only the JSON: any words before the call would make the answer unparseable.
    text: JSON.stringify(answer.arguments),
    toolCalls,
    finishReason: result.finishReason === 'tool_calls' && toolCalls.length === 0 ? 'stop' : result.finishReason,
  };
}
