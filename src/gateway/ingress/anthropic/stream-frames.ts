/**
 * The Messages API's server-sent events for a unified stream, one event at a time and without I/O.
 * Reference: https://platform.claude.com/docs/en/build-with-claude/streaming
 *
 * The sequence is the API's:
 *
 *   message_start          the message with empty content, stop_reason null, the input estimate
 *   content_block_start    per reasoning part: a thinking block `{ thinking: '', signature: '' }`
 *   content_block_delta    thinking_delta, one per unified reasoning delta
 *   content_block_delta    signature_delta, once the part is complete (the `reasoning` event)
 *   content_block_stop     (a redacted part: a whole `redacted_thinking` block, start and stop)
 *   content_block_start    a text block, at the next index
 *   ping                   once, right after the first block opens
 *   content_block_delta    text_delta, one per unified text delta
 *   content_block_delta    citations_delta, one per citation, when the text cites (a `citations` event)
 *   content_block_stop     (after citations at once: the next text opens a new block)
 *   content_block_start    per tool call: a tool_use block with `input: {}`, at its first delta
 *   content_block_delta    input_json_delta, one per unified tool-call delta
 *   content_block_stop     at its `tool-call` event (or when another block opens)
 *   message_delta          stop_reason, stop_sequence, the final usage, the gateway's `switchyard`
 *                          (what served the answer: see `upstream-facts.ts`)
 *   message_stop
 *
 * A tool call's arguments travel as its `tool-call-delta`s; a call that came with none (a custom
 * adapter's) goes whole in one `input_json_delta` at its `tool-call`. The SDK's `MessageStream`
 * joins `partial_json` pieces however many there are. One call's deltas are expected together (as
 * every built-in adapter sends them): a delta for a call whose block was closed is dropped. Text after a tool
 * call opens a new text block at the next index. `message_delta` repeats `input_tokens` (and cache
 * reads): the SDK overwrites its snapshot with them, and `message_start` only had an estimate.
 *
 * Citations: the router reports a cited block's citations when the upstream closed the block, after
 * its text went out as deltas, so they follow the text as `citations_delta`s (the order Anthropic's
 * own streams use) and end the text block there. The router does not mark where an uncited block
 * ended, so text streamed before a cited piece in the same gateway block shares that block and its
 * citations: a streamed answer may group its text into fewer blocks than the same answer whole
 * (`toMessage` has the upstream's split), with the same text and citations.
 */
import type { SwitchyardError } from '../../../errors.js';
import type { ChatResponse, Citation, ReasoningPart, StreamEvent, ToolCall } from '../../../types.js';
import { anthropicCitations, citationObject } from './citation-blocks.js';
import { anthropicErrorObject } from './anthropic-error.js';
import { upstreamFactsOf } from '../upstream-facts.js';
import { reasoningBlock } from './reasoning-blocks.js';
import { stopReasonOf, stopSequenceOf, usageOf } from './message-fields.js';

/** What a stream's frames need to know beside its events. */
export interface StreamFrameOptions {
  /** The message id (`msg_…`), given before the answer exists; see `newMessageId`. */
  readonly id: string;
  /** The model name the caller asked for. */
  readonly requestedModel: string;
  /** The input token count to announce in `message_start`, when estimated (the final one follows). */
  readonly inputTokensHint?: number;
  /** The request's `stop_sequences`: names the one that matched when there was only one. */
  readonly stopSequences?: readonly string[];
}

/** One SSE frame: the event's name and its JSON data. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const PING_FRAME = sseFrame('ping', { type: 'ping' });

/**
 * Turns unified stream events into frames. `write` returns the frames an event adds (possibly
 * none); `fail` the `error` frame that ends a stream that broke; `started` whether any frame was
 * written.
 */
export class MessagesStreamFrames {
  readonly #options: StreamFrameOptions;
  #started = false;
  #ended = false;
  /** Index of the next content block. */
  #nextIndex = 0;
  /** Index of the open text block, or -1. */
  #openText = -1;
  /** Index of the open thinking block, or -1. */
  #openThinking = -1;
  /** Whether a text or tool_use block was opened (thinking blocks do not count). */
  #answerStarted = false;
  /** The tool_use block open for a call's argument deltas, or undefined. */
  #openTool: { readonly id: string; readonly index: number } | undefined;
  /** Ids of the calls whose arguments went out as deltas (their `tool-call` adds no frames but the stop). */
  readonly #streamedTools = new Set<string>();

  constructor(options: StreamFrameOptions) {
    this.#options = options;
  }

  /** Whether a frame has been written (after which failures end the stream with an error frame). */
  get started(): boolean {
    return this.#started;
  }

  /** Whether the stream ended (`message_stop` or `error` written). */
  get ended(): boolean {
    return this.#ended;
  }

  /** The frames for one event. */
  write(event: StreamEvent): string {
    if (this.#ended) return '';
    switch (event.type) {
      case 'reasoning-delta':
        return event.text === '' ? '' : this.#thinking(event.text);
      case 'reasoning':
        return this.#reasoningPart(event.part);
      case 'text-delta':
        return event.text === '' ? '' : this.#text(event.text);
      case 'tool-call-delta':
        return this.#toolCallDelta(event.toolCallId, event.toolName, event.argumentsDelta);
      case 'tool-call':
        return this.#toolCall(event.toolCall);
      case 'citations':
        return this.#citations(event.citations);
      case 'finish':
        return this.#finish(event.response);
      default:
        // Usage is read from `finish`, which carries the final counts.
        return '';
    }
  }

  /** The `error` frame for a stream that failed after its first frame. */
  fail(error: SwitchyardError): string {
    if (this.#ended) return '';
    this.#ended = true;
    return sseFrame('error', { type: 'error', error: anthropicErrorObject(error) });
  }

  #start(): string {
    if (this.#started) return '';
    this.#started = true;
    return sseFrame('message_start', {
      type: 'message_start',
      message: {
        id: this.#options.id,
        type: 'message',
        role: 'assistant',
        model: this.#options.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.#options.inputTokensHint ?? 0, output_tokens: 0 },
      },
    });
  }

  /** Opens a block: `content_block_start`, and the one `ping` after the first. */
  #open(contentBlock: unknown): { readonly index: number; readonly frames: string } {
    const index = this.#nextIndex;
    this.#nextIndex += 1;
    const frames = sseFrame('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
    return { index, frames: index === 0 ? frames + PING_FRAME : frames };
  }

  #closeTool(): string {
    if (this.#openTool === undefined) return '';
    const frames = sseFrame('content_block_stop', { type: 'content_block_stop', index: this.#openTool.index });
    this.#openTool = undefined;
    return frames;
  }

  #closeText(): string {
    if (this.#openText < 0) return '';
    const frames = sseFrame('content_block_stop', { type: 'content_block_stop', index: this.#openText });
    this.#openText = -1;
    return frames;
  }

  /** Opens a text block unless one is open. */
  #openTextBlock(): string {
    if (this.#openText >= 0) return '';
    this.#answerStarted = true;
    const closed = this.#closeTool();
    const opened = this.#open({ type: 'text', text: '' });
    this.#openText = opened.index;
    return closed + opened.frames;
  }

  /** Opens a thinking block unless one is open (text after thinking closes it first). */
  #openThinkingBlock(): string {
    if (this.#openThinking >= 0) return '';
    const closed = this.#closeText() + this.#closeTool();
    const opened = this.#open({ type: 'thinking', thinking: '', signature: '' });
    this.#openThinking = opened.index;
    return closed + opened.frames;
  }

  #thinking(text: string): string {
    const frames = this.#start() + this.#openThinkingBlock();
    return frames + sseFrame('content_block_delta', { type: 'content_block_delta', index: this.#openThinking, delta: { type: 'thinking_delta', thinking: text } });
  }

  /** A complete reasoning part: the open thinking block's signature and its end, or a whole redacted block. */
  #reasoningPart(part: ReasoningPart): string {
    let frames = this.#start();
    const block = reasoningBlock(part);
    if (block.type === 'redacted_thinking') {
      frames += this.#closeThinking() + this.#closeText() + this.#closeTool();
      const { index, frames: opening } = this.#open(block);
      return frames + opening + sseFrame('content_block_stop', { type: 'content_block_stop', index });
    }
    // A part with no text (no deltas came) still gets its block.
    frames += this.#openThinkingBlock();
    if (block.signature !== '') frames += sseFrame('content_block_delta', { type: 'content_block_delta', index: this.#openThinking, delta: { type: 'signature_delta', signature: block.signature } });
    return frames + this.#closeThinking();
  }

  #closeThinking(): string {
    if (this.#openThinking < 0) return '';
    const frames = sseFrame('content_block_stop', { type: 'content_block_stop', index: this.#openThinking });
    this.#openThinking = -1;
    return frames;
  }

  #text(text: string): string {
    const frames = this.#start() + this.#closeThinking() + this.#openTextBlock();
    return frames + sseFrame('content_block_delta', { type: 'content_block_delta', index: this.#openText, delta: { type: 'text_delta', text } });
  }

  /** A cited block's citations: one `citations_delta` each into the open text block, which then ends. */
  #citations(all: readonly Citation[]): string {
    const citations = anthropicCitations(all);
    if (citations.length === 0) return '';
    let frames = this.#start() + this.#closeThinking() + this.#openTextBlock();
    for (const citation of citations) {
      frames += sseFrame('content_block_delta', { type: 'content_block_delta', index: this.#openText, delta: { type: 'citations_delta', citation: citationObject(citation) } });
    }
    return frames + this.#closeText();
  }

  /** A piece of a call's arguments: into its open block, or a new block at its first piece. */
  #toolCallDelta(id: string, name: string, argumentsDelta: string): string {
    if (this.#openTool?.id !== id && this.#streamedTools.has(id)) return '';
    let frames = this.#start();
    if (this.#openTool?.id !== id) {
      frames += this.#closeThinking() + this.#closeText() + this.#closeTool();
      this.#answerStarted = true;
      const opened = this.#open({ type: 'tool_use', id, name, input: {} });
      this.#openTool = { id, index: opened.index };
      this.#streamedTools.add(id);
      frames += opened.frames;
    }
    if (argumentsDelta === '') return frames;
    return frames + sseFrame('content_block_delta', { type: 'content_block_delta', index: this.#openTool.index, delta: { type: 'input_json_delta', partial_json: argumentsDelta } });
  }

  #toolCall(call: ToolCall): string {
    if (this.#streamedTools.has(call.id)) return this.#openTool?.id === call.id ? this.#closeTool() : '';
    const frames = this.#start() + this.#closeThinking() + this.#closeText() + this.#closeTool();
    this.#answerStarted = true;
    const { index, frames: opening } = this.#open({ type: 'tool_use', id: call.id, name: call.name, input: {} });
    return (
      frames +
      opening +
      sseFrame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) } }) +
      sseFrame('content_block_stop', { type: 'content_block_stop', index })
    );
  }

  #finish(response: ChatResponse): string {
    let frames = this.#start() + this.#closeThinking() + this.#closeTool();
    // An answer with no text nor tool calls still has its (empty) text block, as `toMessage` gives it.
    if (!this.#answerStarted) frames += this.#openTextBlock();
    frames += this.#closeText();
    this.#ended = true;
    const stopReason = stopReasonOf(response);
    return (
      frames +
      sseFrame('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: stopSequenceOf(stopReason, this.#options.stopSequences) },
        usage: usageOf(response.usage),
        // The gateway's own field (what served the answer): the SDK's MessageStream ignores it.
        switchyard: upstreamFactsOf(response),
      }) +
      sseFrame('message_stop', { type: 'message_stop' })
    );
  }
}
