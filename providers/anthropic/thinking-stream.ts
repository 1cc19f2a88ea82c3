/**
 * Streamed thinking blocks (https://platform.claude.com/docs/en/build-with-claude/streaming,
 * "Thinking delta"): a `thinking` block opens empty, its text arrives in `thinking_delta`s, its
 * signature in one `signature_delta` just before `content_block_stop`; a `redacted_thinking` block
 * arrives whole in `content_block_start`. Text is handed on as `reasoning-delta`s as it comes; the
 * complete part (text and signature) as one `reasoning` part when the block stops, so the final
 * message carries the signature.
 */
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { ANTHROPIC_REASONING_PROVIDER, anthropicReasoningPart } from './thinking.js';

/** A thinking block being received. */
interface OpenThinking {
  readonly texts: string[];
  signature: string;
  /** A `redacted_thinking` block's data, whole from the start. */
  readonly redactedData?: string;
}

/** The thinking blocks of one stream, by content-block index. */
export class AnthropicThinkingStream {
  private readonly open = new Map<number, OpenThinking>();

  /** Opens a block; false when it is not a thinking block. */
  start(index: number, block: Record<string, unknown>, parts: AdapterStreamPart[]): boolean {
    if (block.type === 'redacted_thinking') {
      this.open.set(index, { texts: [], signature: '', redactedData: typeof block.data === 'string' ? block.data : '' });
      return true;
    }
    if (block.type !== 'thinking') return false;
    const text = typeof block.thinking === 'string' ? block.thinking : '';
    this.open.set(index, { texts: text === '' ? [] : [text], signature: typeof block.signature === 'string' ? block.signature : '' });
    if (text !== '') parts.push({ type: 'reasoning-delta', text });
    return true;
  }

  /** A delta of an open thinking block; false when the block is not one. */
  delta(index: number, delta: Record<string, unknown>, parts: AdapterStreamPart[]): boolean {
    const block = this.open.get(index);
    if (block === undefined) return false;
    if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking !== '') {
      block.texts.push(delta.thinking);
      parts.push({ type: 'reasoning-delta', text: delta.thinking });
    } else if (delta.type === 'signature_delta' && typeof delta.signature === 'string') {
      block.signature += delta.signature;
    }
    return true;
  }

  /** Closes a thinking block with its complete `reasoning` part; false when the block is not one. */
  stop(index: number, parts: AdapterStreamPart[]): boolean {
    const block = this.open.get(index);
    if (block === undefined) return false;
    this.open.delete(index);
    const part =
      block.redactedData === undefined
        ? anthropicReasoningPart({ type: 'thinking', thinking: block.texts.join(''), signature: block.signature })
        : { type: 'reasoning' as const, text: '', redactedData: block.redactedData, provider: ANTHROPIC_REASONING_PROVIDER };
    if (part !== undefined) parts.push({ type: 'reasoning', part });
    return true;
  }
}
