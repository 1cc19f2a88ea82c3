/**
 * Every provider's golden SSE transcript replayed through the code production runs:
 * `mapSseStream` with the provider's own mapper, over the transcript's bytes cut at awkward places,
 * with LF and CRLF line ends. Each complete transcript is also replayed without its final event,
 * which must be an error (never a clean end).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { mapSseStream, type SseEventMapper } from '../../src/streaming/sse-stream.js';
import { TEXT_PARTS, TOOL_PARTS } from '../../providers/anthropic/__fixtures__/expected-parts.js';
import { AnthropicStreamMapper } from '../../providers/anthropic/stream.js';
import { GeminiStreamMapper } from '../../providers/gemini/stream.js';
import { ChatCompletionStreamMapper } from '../../providers/openai/stream.js';

type Provider = 'anthropic' | 'gemini' | 'openai';

/** Each provider's mapper, built the way its adapter builds it, and what marks its final event. */
const PROVIDERS: Record<Provider, { readonly mapper: () => SseEventMapper<AdapterStreamPart>; readonly isFinal: (event: string) => boolean }> = {
  anthropic: { mapper: () => new AnthropicStreamMapper({ provider: 'anthropic', model: 'claude-sonnet-4-5' }), isFinal: (event) => event.includes('message_stop') },
  gemini: { mapper: () => new GeminiStreamMapper({ provider: 'google', model: 'gemini-2.5-flash' }), isFinal: (event) => event.includes('"finishReason"') },
  openai: {
    mapper: () => new ChatCompletionStreamMapper({ provider: 'openai', model: 'gpt-4.1-mini' }),
    isFinal: (event) => /"finish_reason":\s*"/.test(event) || event.includes('[DONE]'),
  },
};

/**
 * The events of a fixture, each without its blank line: SSE files as they are (comments kept),
 * `.chunks.txt` payload lists of the OpenAI family as `data:` events.
 */
function events(provider: Provider, file: string): string[] {
  const text = readFileSync(new URL(`../../providers/${provider}/__fixtures__/${file}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n');
  if (provider === 'openai') {
    return text
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((payload) => `data: ${payload}`);
  }
  return text.split(/\n{2,}/).filter((event) => event.trim() !== '');
}

function render(eventList: readonly string[], lineEnd: '\n' | '\r\n'): string {
  return eventList.map((event) => `${event}\n\n`).join('').replace(/\n/g, lineEnd);
}

/** The bytes cut every `size` bytes (through lines, CRLF pairs and multi-byte characters). */
async function* bytesIn(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function replay(provider: Provider, text: string, size: number): Promise<{ parts: AdapterStreamPart[]; error?: SwitchyardError }> {
  const parts: AdapterStreamPart[] = [];
  try {
    for await (const part of mapSseStream(bytesIn(text, size), PROVIDERS[provider].mapper())) parts.push(part);
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    return { parts, error };
  }
  return { parts };
}

function textOf(parts: readonly AdapterStreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

interface Transcript {
  readonly provider: Provider;
  readonly file: string;
  /** Every part, when the test pins them all. */
  readonly parts?: readonly AdapterStreamPart[];
  readonly text: string;
  readonly finish: Extract<AdapterStreamPart, { type: 'finish' }>;
}

/** Complete transcripts: what each gives, and (by the table) that each fails without its final event. */
const COMPLETE: readonly Transcript[] = [
  {
    provider: 'anthropic',
    file: 'text.chunks.txt',
    parts: TEXT_PARTS,
    text: "Hello! I'm doing well, thank you — ça va?",
    finish: { type: 'finish', finishReason: 'stop', rawFinishReason: 'end_turn' },
  },
  {
    provider: 'anthropic',
    file: 'tool-use.chunks.txt',
    parts: TOOL_PARTS,
    text: "Okay, let's check the weather for San Francisco, CA:",
    finish: { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_use' },
  },
  {
    provider: 'gemini',
    file: 'text.sse',
    parts: [
      { type: 'response-metadata', id: 'bH6LaZW8Fp_3nsEPqtaSwQ4', servedModel: 'gemini-2.5-flash' },
      { type: 'text-delta', text: 'There are **3**' },
      { type: 'text-delta', text: ' "r"s in strawberry — «ß» ✓' },
      // No `thought: true` parts (no summaries asked for), but the last, empty part carries the thought signature.
      { type: 'reasoning', part: { type: 'reasoning', text: '', signature: 'EqsFCqgFAb4+9vvtAF5n87lB4OGDOoTRMOqp35jW65Xs', provider: 'gemini' } },
      // `thoughtsTokenCount: 185`: reasoning tokens, counted in the output tokens (23 + 185).
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 208, totalTokens: 217, reasoningTokens: 185, cacheReadInputTokens: 4, cachedInputTokens: 4 } },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'STOP' },
    ],
    text: 'There are **3** "r"s in strawberry — «ß» ✓',
    finish: { type: 'finish', finishReason: 'stop', rawFinishReason: 'STOP' },
  },
  { provider: 'gemini', file: 'tool-call.sse', text: 'Checking both cities.', finish: { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'STOP' } },
  { provider: 'gemini', file: 'max-tokens.sse', text: 'Once upon a time', finish: { type: 'finish', finishReason: 'length', rawFinishReason: 'MAX_TOKENS' } },
  {
    provider: 'openai',
    file: 'openai-text.chunks.txt',
    parts: [
      { type: 'response-metadata', id: 'chatcmpl-Fx1', servedModel: 'gpt-4.1-mini-2025-04-14' },
      { type: 'text-delta', text: 'Grüße' },
      { type: 'text-delta', text: ' aus' },
      { type: 'text-delta', text: ' 東京' },
      { type: 'text-delta', text: ' — ✓ 🚀' },
      { type: 'text-delta', text: '.\n\nDone' },
      { type: 'usage', usage: { inputTokens: 19, outputTokens: 10, totalTokens: 29, cacheReadInputTokens: 0, cachedInputTokens: 0 } },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' },
    ],
    text: 'Grüße aus 東京 — ✓ 🚀.\n\nDone',
    finish: { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' },
  },
  {
    provider: 'openai',
    file: 'openai-tool-calls.chunks.txt',
    parts: [
      { type: 'response-metadata', id: 'chatcmpl-Tc7', servedModel: 'gpt-4o-2024-08-06' },
      // Argument pieces as they arrive; the completed calls at the finish reason.
      { type: 'tool-call-delta', toolCallId: 'call_weather_1', toolName: 'get_weather', argumentsDelta: '{"ci' },
      { type: 'tool-call-delta', toolCallId: 'call_weather_1', toolName: 'get_weather', argumentsDelta: 'ty": "Zü' },
      { type: 'tool-call-delta', toolCallId: 'call_weather_1', toolName: 'get_weather', argumentsDelta: 'rich"}' },
      { type: 'tool-call-delta', toolCallId: 'call_time_2', toolName: 'get_time', argumentsDelta: '{"zone":' },
      { type: 'tool-call-delta', toolCallId: 'call_time_2', toolName: 'get_time', argumentsDelta: ' "Europe/Zurich"}' },
      { type: 'tool-call', toolCall: { id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Zürich' } } },
      { type: 'tool-call', toolCall: { id: 'call_time_2', name: 'get_time', arguments: { zone: 'Europe/Zurich' } } },
      { type: 'usage', usage: { inputTokens: 88, outputTokens: 41, totalTokens: 129, cacheReadInputTokens: 64, cachedInputTokens: 64 } },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls' },
    ],
    text: '',
    finish: { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'tool_calls' },
  },
  { provider: 'openai', file: 'azure-text.chunks.txt', text: 'Bern is the capital.', finish: { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' } },
  { provider: 'openai', file: 'azure-content-filter.chunks.txt', text: 'The story begins', finish: { type: 'finish', finishReason: 'content_filter', rawFinishReason: 'content_filter' } },
  { provider: 'openai', file: 'deepseek-reasoning.chunks.txt', text: '4', finish: { type: 'finish', finishReason: 'stop', rawFinishReason: 'stop' } },
  { provider: 'openai', file: 'compatible-bare.chunks.txt', text: 'Hello world', finish: { type: 'finish', finishReason: 'stop' } },
];

/** Transcripts that fail, and the error category each must fail with. */
const FAILING: readonly { readonly provider: Provider; readonly file: string; readonly category: string; readonly text: string }[] = [
  { provider: 'anthropic', file: 'error.chunks.txt', category: 'overloaded', text: '' },
  { provider: 'gemini', file: 'stream-error.sse', category: 'overloaded', text: 'Partial' },
  { provider: 'gemini', file: 'prompt-blocked.sse', category: 'content_filter', text: '' },
  { provider: 'gemini', file: 'truncated.sse', category: 'network', text: 'Half an answer' },
];

const SIZES = [1, 7, 13, 1 << 20];
const LINE_ENDS = [
  ['LF', '\n'],
  ['CRLF', '\r\n'],
] as const;

describe('golden transcripts through mapSseStream and each provider mapper', () => {
  for (const transcript of COMPLETE) {
    const { provider, file } = transcript;
    describe(`${provider}/${file}`, () => {
      it.each(LINE_ENDS.flatMap(([name, end]) => SIZES.map((size) => [name, end, size] as const)))('gives its parts: %s line ends, %i-byte chunks', async (_name, end, size) => {
        const { parts, error } = await replay(provider, render(events(provider, file), end), size);
        expect(error).toBeUndefined();
        if (transcript.parts !== undefined) expect(parts).toEqual(transcript.parts);
        expect(textOf(parts)).toBe(transcript.text);
        expect(parts.filter((part) => part.type === 'finish')).toEqual([transcript.finish]);
        expect(parts.at(-1)).toEqual(transcript.finish);
      });

      it('sends every tool call as argument deltas first, which join into its arguments', async () => {
        const { parts } = await replay(provider, render(events(provider, file), '\n'), 7);
        const deltas = new Map<string, string>();
        for (const part of parts) {
          if (part.type === 'tool-call-delta') {
            deltas.set(part.toolCallId, (deltas.get(part.toolCallId) ?? '') + part.argumentsDelta);
          } else if (part.type === 'tool-call') {
            const joined = deltas.get(part.toolCall.id);
            expect(joined, `deltas before ${part.toolCall.id}`).toBeDefined();
            expect(JSON.parse(joined as string)).toEqual(part.toolCall.arguments);
            deltas.delete(part.toolCall.id);
          }
        }
        // No delta without its completed call.
        expect([...deltas.keys()]).toEqual([]);
      });

      it.each(LINE_ENDS)('without its final event is a network error, not a finish (%s)', async (_name, end) => {
        const all = events(provider, file);
        const final = all.findIndex(PROVIDERS[provider].isFinal);
        expect(final).toBeGreaterThan(0);
        const { parts, error } = await replay(provider, render(all.slice(0, final), end), 7);
        expect(error?.category).toBe('network');
        expect(error?.retryable).toBe(true);
        expect(error?.provider).toBe(provider === 'gemini' ? 'google' : provider);
        expect(parts.some((part) => part.type === 'finish')).toBe(false);
        expect(transcript.text.startsWith(textOf(parts))).toBe(true);
      });
    });
  }

  it.each(FAILING)('$provider/$file fails with $category after the text before it', async ({ provider, file, category, text }) => {
    for (const [, end] of LINE_ENDS) {
      const { parts, error } = await replay(provider, render(events(provider, file), end), 7);
      expect(error?.category).toBe(category);
      expect(textOf(parts)).toBe(text);
      expect(parts.some((part) => part.type === 'finish')).toBe(false);
    }
  });

  it.each([
    ['anthropic', ''],
    ['gemini', ''],
    ['openai', ''],
  ] as const)('%s: an empty body is a network error', async (provider, body) => {
    const { parts, error } = await replay(provider, body, 7);
    expect(parts).toEqual([]);
    expect(error?.category).toBe('network');
  });
});
