import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { streamGeminiBody } from './stream.js';

type LineEnd = 'LF' | 'CRLF';

function transcript(name: string, lineEnd: LineEnd): string {
  const text = readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8').replace(/\r\n/g, '\n');
  return lineEnd === 'CRLF' ? text.replace(/\n/g, '\r\n') : text;
}

/** Yields the bytes in pieces of `size` (splitting CRLF pairs and multi-byte characters). */
async function* bytesIn(text: string, size: number, failWith?: Error): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
  if (failWith !== undefined) throw failWith;
}

async function collect(text: string, size: number, failWith?: Error): Promise<{ parts: AdapterStreamPart[]; error?: SwitchyardError }> {
  const parts: AdapterStreamPart[] = [];
  try {
    for await (const part of streamGeminiBody(bytesIn(text, size, failWith), { provider: 'google' })) parts.push(part);
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    return { parts, error };
  }
  return { parts };
}

function textOf(parts: readonly AdapterStreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

const SPLITS = [1, 7, 13, 1 << 20];
const LINE_ENDS: readonly LineEnd[] = ['LF', 'CRLF'];
const CASES = LINE_ENDS.flatMap((lineEnd) => SPLITS.map((size) => [lineEnd, size] as const));

describe('streamGeminiBody over golden transcripts', () => {
  it.each(CASES)('text.sse with %s line ends in %i-byte chunks', async (lineEnd, size) => {
    const { parts, error } = await collect(transcript('text.sse', lineEnd), size);
    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'bH6LaZW8Fp_3nsEPqtaSwQ4', servedModel: 'gemini-2.5-flash' },
      { type: 'text-delta', text: 'There are **3**' },
      { type: 'text-delta', text: ' "r"s in strawberry — «ß» ✓' },
      // The signature came on the last (empty) part; it is kept so the next turn can send it back.
      { type: 'reasoning', part: { type: 'reasoning', text: '', signature: 'EqsFCqgFAb4+9vvtAF5n87lB4OGDOoTRMOqp35jW65Xs', provider: 'gemini' } },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 208, totalTokens: 217, cacheReadInputTokens: 4, cachedInputTokens: 4, reasoningTokens: 185 } },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'STOP' },
    ]);
  });

  it.each(CASES)('tool-call.sse with %s line ends in %i-byte chunks', async (lineEnd, size) => {
    const { parts, error } = await collect(transcript('tool-call.sse', lineEnd), size);
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe('Checking both cities.');
    // A call arrives whole: one delta with all its arguments, right before the call.
    expect(parts.filter((part) => part.type === 'tool-call' || part.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', toolCallId: 'call_0', toolName: 'weather', argumentsDelta: '{"location":"San Francisco"}' },
      { type: 'tool-call', toolCall: { id: 'call_0', name: 'weather', arguments: { location: 'San Francisco' } } },
      { type: 'tool-call-delta', toolCallId: 'call_1', toolName: 'weather', argumentsDelta: '{"location":"Paris","units":["c"]}' },
      { type: 'tool-call', toolCall: { id: 'call_1', name: 'weather', arguments: { location: 'Paris', units: ['c'] } } },
    ]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'STOP' });
  });

  it('max-tokens.sse ends with length and the final usage', async () => {
    const { parts } = await collect(transcript('max-tokens.sse', 'CRLF'), 7);
    expect(textOf(parts)).toBe('Once upon a time');
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 6, outputTokens: 4, totalTokens: 10 } },
      { type: 'finish', finishReason: 'length', rawFinishReason: 'MAX_TOKENS' },
    ]);
  });

  it('truncated.sse yields what arrived, then throws network instead of finishing', async () => {
    const { parts, error } = await collect(transcript('truncated.sse', 'CRLF'), 13);
    expect(textOf(parts)).toBe('Half an answer');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    expect(error?.category).toBe('network');
    expect(error?.retryable).toBe(true);
  });

  it('prompt-blocked.sse throws content_filter naming the block reason', async () => {
    const { parts, error } = await collect(transcript('prompt-blocked.sse', 'LF'), 1);
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([]);
    expect(error?.category).toBe('content_filter');
    expect(error?.providerCode).toBe('PROHIBITED_CONTENT');
  });

  it('stream-error.sse surfaces the in-stream Google error after the partial text', async () => {
    const { parts, error } = await collect(transcript('stream-error.sse', 'CRLF'), 7);
    expect(textOf(parts)).toBe('Partial');
    expect(error?.category).toBe('overloaded');
    expect(error?.status).toBe(503);
    expect(error?.providerCode).toBe('UNAVAILABLE');
    expect(error?.provider).toBe('google');
  });
});

describe('streamGeminiBody edge cases', () => {
  it.each(LINE_ENDS)('keeps functionCall args larger than 64 KiB intact (%s)', async (lineEnd) => {
    const big = 'x'.repeat(70 * 1024) + 'é✓';
    const end = lineEnd === 'CRLF' ? '\r\n\r\n' : '\n\n';
    const chunks = [
      { candidates: [{ content: { parts: [{ functionCall: { name: 'save', args: { body: big, nested: { list: [1, 2] } } } }], role: 'model' }, index: 0 }] },
      { candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }] },
    ];
    const text = chunks.map((chunk) => `data: ${JSON.stringify(chunk)}${end}`).join('');
    expect(text.length).toBeGreaterThan(64 * 1024);
    // 1021-byte pieces (odd, so CRLF pairs and characters split): the core SseParser rescans its
    // whole pending line on every push, so 13-byte pieces of a 70 KiB line take seconds.
    const { parts, error } = await collect(text, 1021);
    expect(error).toBeUndefined();
    const call = parts.find((part) => part.type === 'tool-call');
    expect(call).toEqual({ type: 'tool-call', toolCall: { id: 'call_0', name: 'save', arguments: { body: big, nested: { list: [1, 2] } } } });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'STOP' });
  });

  it('throws server on a chunk that is not JSON rather than skipping it', async () => {
    const { error } = await collect('data: {"candidates": [\r\n\r\n', 7);
    expect(error?.category).toBe('server');
  });

  it('propagates a transport failure from the body, stamped with the provider', async () => {
    const cut = new SwitchyardError({ category: 'network', message: 'socket closed' });
    const { parts, error } = await collect(transcript('text.sse', 'CRLF').split('\r\n\r\n').slice(0, 3).join('\r\n\r\n') + '\r\n\r\n', 13, cut);
    expect(textOf(parts)).toContain('There are');
    expect(error).toMatchObject({ category: 'network', message: 'socket closed', provider: 'google' });
  });

  it('throws network for a stream with no events at all', async () => {
    const { error } = await collect(': keep-alive\r\n\r\n', 1);
    expect(error?.category).toBe('network');
  });
});
