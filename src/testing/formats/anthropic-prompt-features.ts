/**
 * What the simulator's Anthropic format reads of a request's prompt caching and structured output:
 * `cache_control` breakpoints (on tools, system blocks and message blocks, in that prefix order, per
 * https://platform.claude.com/docs/en/build-with-claude/prompt-caching), native JSON outputs
 * (`output_config.format`, and the older `output_format`), and a forced tool (`tool_choice:
 * { type: 'tool' }`), which the model always calls.
 */
import { createHash } from 'node:crypto';
import type { SimCacheBreakpoint } from '../prompt-cache.js';
import type { SimParsedRequest } from '../wire-format.js';
import { countWords, isObject, type JsonObject } from './wire-helpers.js';

const TTL_MS: Readonly<Record<string, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

/** The words of a block, as the format counts input tokens (text, and tool results' text). */
function wordsOf(block: JsonObject): number {
  if (typeof block.text === 'string') return countWords(block.text);
  if (typeof block.content === 'string') return countWords(block.content);
  if (Array.isArray(block.content)) return block.content.reduce((sum: number, item: unknown) => sum + (isObject(item) ? wordsOf(item) : 0), 0);
  return 0;
}

/** Every block of the prompt in prefix order: tools, system, then each message's content. */
function promptBlocks(body: JsonObject): JsonObject[] {
  const blocks: JsonObject[] = [];
  if (Array.isArray(body.tools)) blocks.push(...body.tools.filter(isObject));
  if (typeof body.system === 'string') blocks.push({ type: 'text', text: body.system });
  else if (Array.isArray(body.system)) blocks.push(...body.system.filter(isObject));
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(message)) continue;
    if (typeof message.content === 'string') blocks.push({ type: 'text', text: message.content, role: message.role });
    else if (Array.isArray(message.content)) blocks.push(...message.content.filter(isObject).map((block) => ({ ...block, role: message.role })));
  }
  return blocks;
}

/**
 * The request's breakpoints, or a message for a request the API refuses (more than four, or a
 * `cache_control` that is not `{ type: 'ephemeral', ttl?: '5m' | '1h' }`).
 */
export function anthropicCacheBreakpoints(body: JsonObject): SimCacheBreakpoint[] | string {
  const prefix = createHash('sha256').update(String(body.model));
  const breakpoints: SimCacheBreakpoint[] = [];
  let words = 0;
  for (const block of promptBlocks(body)) {
    const { cache_control: control, ...rest } = block;
    prefix.update(JSON.stringify(rest));
    words += wordsOf(block);
    if (control === undefined || control === null) continue;
    if (!isObject(control) || control.type !== 'ephemeral') return 'cache_control: Input tag does not match the expected tag ephemeral';
    const ttlMs = TTL_MS[typeof control.ttl === 'string' ? control.ttl : '5m'];
    if (ttlMs === undefined) return "cache_control.ttl: Input should be '5m' or '1h'";
    breakpoints.push({ prefixKey: prefix.copy().digest('hex'), tokens: words, ttlMs });
  }
  if (breakpoints.length > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints.length}.`;
  return breakpoints;
}

/** Structured output asked of the model: native JSON outputs, or a forced tool and its schema. */
export function anthropicStructuredOutput(body: JsonObject): SimParsedRequest['structuredOutput'] {
  const config = isObject(body.output_config) ? body.output_config : undefined;
  const format = isObject(config?.format) ? config.format : isObject(body.output_format) ? body.output_format : undefined;
  if (format !== undefined && format.type === 'json_schema' && isObject(format.schema)) return { schema: format.schema };
  const choice = isObject(body.tool_choice) ? body.tool_choice : undefined;
  if (choice?.type !== 'tool' || typeof choice.name !== 'string' || !Array.isArray(body.tools)) return undefined;
  const tool = body.tools.find((item): item is JsonObject => isObject(item) && item.name === choice.name);
  if (tool === undefined) return undefined;
  return isObject(tool.input_schema) ? { schema: tool.input_schema, answerTool: choice.name } : { answerTool: choice.name };
}
