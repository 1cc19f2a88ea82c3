/**
 * Prompt-cache breakpoints (`cache` on system parts, message parts and tools) as Anthropic
 * `cache_control: { type: 'ephemeral', ttl? }` (https://platform.claude.com/docs/en/build-with-claude/prompt-caching).
 * The request check (src/router/validate-prompt-cache.ts) already limits a request to four.
 */
import type { CacheBreakpoint, ChatRequest, Message } from '../../src/types.js';

/** Anthropic's `cache_control`. */
export interface AnthropicCacheControl {
  readonly type: 'ephemeral';
  /** Absent: the default five minutes. */
  readonly ttl?: '5m' | '1h';
}

const DEFAULT_CONTROL: AnthropicCacheControl = { type: 'ephemeral' };

/** The `cache_control` of a breakpoint; undefined without one. */
export function cacheControlOf(cache: CacheBreakpoint | undefined): AnthropicCacheControl | undefined {
  if (cache === undefined) return undefined;
  return cache === true || cache.ttl === undefined ? DEFAULT_CONTROL : { type: 'ephemeral', ttl: cache.ttl };
}

/** A system text block. */
export interface AnthropicSystemBlock {
  readonly type: 'text';
  readonly text: string;
  readonly cache_control?: AnthropicCacheControl;
}

function partsOf(content: Message['content']): readonly { readonly text: string; readonly cache?: CacheBreakpoint }[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.flatMap((part) => (part.type === 'text' ? [part] : []));
}

/**
 * The top-level `system` as text blocks, when any of its parts (the request's `system` parts, then
 * the texts of system-role messages) carries a breakpoint; undefined otherwise, so the plain string
 * form stays what is sent for requests without breakpoints. Empty texts are dropped (the API
 * rejects empty text blocks).
 */
export function systemBlocks(request: ChatRequest): AnthropicSystemBlock[] | undefined {
  const parts = [
    ...(request.system === undefined ? [] : typeof request.system === 'string' ? [{ text: request.system }] : request.system),
    ...request.messages.filter((message) => message.role === 'system').flatMap((message) => partsOf(message.content)),
  ];
  if (!parts.some((part) => 'cache' in part && part.cache !== undefined)) return undefined;
  const blocks: AnthropicSystemBlock[] = [];
  for (const part of parts) {
    if (part.text === '') continue;
    const control = 'cache' in part ? cacheControlOf(part.cache) : undefined;
    blocks.push(control === undefined ? { type: 'text', text: part.text } : { type: 'text', text: part.text, cache_control: control });
  }
  return blocks;
}
