/**
 * `ChatRequest.parallelToolCalls` for the Messages API. Anthropic has no top-level switch: the flag
 * is `disable_parallel_tool_use` inside a `tool_choice` object (`auto`, `any` or `tool`), so a
 * request that gave no tool choice gets `{ type: 'auto' }`, the API's own default with tools.
 */
import type { Mutable } from '../../src/mutable.js';
import type { AnthropicRequestBody } from './request-body.js';

/**
 * Sets `tool_choice.disable_parallel_tool_use` when the request forbids parallel tool calls. Applied
 * last, to the final tool choice (structured output and thinking may have set it). `true` leaves the
 * body as it is (parallel use is the API's default); so does `none`, and a body without tools.
 */
export function applyParallelToolUse(body: Mutable<AnthropicRequestBody>, parallelToolCalls: boolean | undefined): void {
  if (parallelToolCalls !== false || body.tools === undefined || body.tools.length === 0) return;
  const choice = body.tool_choice ?? { type: 'auto' };
  if (choice.type === 'none') return;
  body.tool_choice = { ...choice, disable_parallel_tool_use: true };
}
