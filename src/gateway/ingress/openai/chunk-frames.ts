/**
 * The SSE frames of a Chat Completions stream, as the API sends them
 * (https://platform.openai.com/docs/api-reference/chat/streaming): `data: <chat.completion.chunk>`
 * frames, a last `choices: []` frame with `usage` when `stream_options.include_usage` was set
 * (every earlier chunk then carries `usage: null`), and `data: [DONE]`.
 *
 * The envelope every chunk shares is serialised once per stream; each frame then serialises only
 * its own delta (this runs for every event of every stream the gateway serves).
 */
import type { FinishReason, ToolCall, Usage } from '../../../types.js';
import { openAIFinishReason, openAIToolCall, openAIUsage } from './completion-fields.js';
import type { UpstreamFacts } from '../upstream-facts.js';
import type { OpenAIAnnotationObject, OpenAIErrorObject } from './wire-types.js';

/** What every chunk of one stream carries. */
export interface ChunkEnvelope {
  /** The completion id (`chatcmpl-…`). */
  readonly id: string;
  /** The model the client asked for. */
  readonly model: string;
  /** Unix seconds. */
  readonly created: number;
  /** Add `usage: null` to each chunk and a usage chunk at the end. */
  readonly includeUsage: boolean;
}

/** The frame that ends a stream that finished. */
export const DONE_FRAME = 'data: [DONE]\n\n';

/** Builds the frames of one stream. */
export class ChunkFrames {
  private readonly head: string;
  private readonly tail: string;

  constructor(envelope: ChunkEnvelope) {
    this.head = `data: {"id":${JSON.stringify(envelope.id)},"object":"chat.completion.chunk","created":${envelope.created},"model":${JSON.stringify(envelope.model)},"system_fingerprint":null,"choices":[`;
    this.tail = envelope.includeUsage ? '],"usage":null}\n\n' : ']}\n\n';
  }

  /** The first chunk: the role, with empty content. */
  role(): string {
    return this.choice('{"role":"assistant","content":""}', 'null');
  }

  /** A piece of text. */
  text(text: string): string {
    return this.choice(`{"content":${JSON.stringify(text)}}`, 'null');
  }

  /** A piece of reasoning text, in DeepSeek's `reasoning_content` delta field (the `openai` SDK passes it through). */
  reasoning(text: string): string {
    return this.choice(`{"reasoning_content":${JSON.stringify(text)}}`, 'null');
  }

  /** An answer's web citations, in the `delta.annotations` the Vercel AI SDK reads (`annotations` of the chat object). */
  annotations(annotations: readonly OpenAIAnnotationObject[]): string {
    return this.choice(`{"annotations":${JSON.stringify(annotations)}}`, 'null');
  }

  /** A whole tool call, at its position among the answer's tool calls. */
  toolCall(index: number, call: ToolCall): string {
    return this.choice(`{"tool_calls":[${JSON.stringify({ index, ...openAIToolCall(call) })}]}`, 'null');
  }

  /**
   * A piece of a tool call's arguments, as the API streams them: the call's first piece carries its
   * id, type and name (`start`), later pieces only the index and the text.
   */
  toolCallArguments(index: number, argumentsDelta: string, start?: { readonly id: string; readonly name: string }): string {
    const call = start === undefined ? { index, function: { arguments: argumentsDelta } } : { index, id: start.id, type: 'function', function: { name: start.name, arguments: argumentsDelta } };
    return this.choice(`{"tool_calls":[${JSON.stringify(call)}]}`, 'null');
  }

  /**
   * The last chunk of the choice: an empty delta and why generation stopped, and beside `choices`
   * the gateway's `switchyard` field (what served the answer; the SDK passes unknown fields through).
   */
  finish(reason: FinishReason, facts: UpstreamFacts): string {
    return `${this.head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${openAIFinishReason(reason)}"}],"switchyard":${JSON.stringify(facts)}${this.tail.slice(1)}`;
  }

  /** The chunk after the last choice, with no choices and the call's usage. */
  usage(usage: Usage): string {
    return `${this.head}],"usage":${JSON.stringify(openAIUsage(usage))}}\n\n`;
  }

  /** An error after output started: the `openai` SDK throws it as an `APIError` when it reads it. */
  static error(error: OpenAIErrorObject): string {
    return `data: ${JSON.stringify({ error })}\n\n`;
  }

  private choice(delta: string, finishReason: string): string {
    return `${this.head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finishReason}}${this.tail}`;
  }
}
