/**
 * Responses SSE → adapter stream parts, on golden transcripts (sources in `__fixtures__/README.md`),
 * fed byte by byte and in odd-sized pieces so event boundaries fall anywhere.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../../src/errors.js';
import type { AdapterStreamPart } from '../../../src/provider-spec.js';
import { collect, collectUntilError, fromChunks, splitBytes } from '../test-helpers.js';
import { parseResponsesStream } from './stream.js';
import { responsesFixture } from './test-fixtures.js';

const SECRET = 'sk-proj-Zq9xWv7tK2mN4pL8rT6yB3cD';

function stream(name: string, pieceSize = 7): AsyncIterableIterator<AdapterStreamPart> {
  return parseResponsesStream(fromChunks(splitBytes(responsesFixture(name), pieceSize)), { provider: 'openai-main', model: 'gpt-4o', secret: SECRET });
}

function ofType<T extends AdapterStreamPart['type']>(parts: readonly AdapterStreamPart[], type: T): Extract<AdapterStreamPart, { type: T }>[] {
  return parts.filter((part): part is Extract<AdapterStreamPart, { type: T }> => part.type === type);
}

describe('parseResponsesStream', () => {
  it.each([1, 7, 4096])('maps the reference text stream (pieces of %i bytes)', async (size) => {
    const parts = await collect(stream('text.sse', size));
    expect(parts[0]).toEqual({ type: 'response-metadata', id: 'resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654', servedModel: 'gpt-4o-2024-08-06' });
    expect(ofType(parts, 'text-delta').map((part) => part.text).join('')).toBe('Hi there! How can I assist you today?');
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 37, outputTokens: 11, totalTokens: 48 } },
      { type: 'finish', finishReason: 'stop', rawFinishReason: 'completed' },
    ]);
  });

  it('streams reasoning summaries and function call arguments, then the complete reasoning part and tool call', async () => {
    const parts = await collect(stream('reasoning-function-call.sse'));
    const reasoning = ofType(parts, 'reasoning');
    expect(reasoning).toHaveLength(1);
    const part = reasoning[0]?.part;
    expect(part).toMatchObject({ provider: 'openai-responses', text: '**Determining the weather**\n\nThe user asks about Boston; I should call the weather tool.\n\n**Choosing units**\n\nCelsius is the default.' });
    expect(JSON.parse(part?.signature ?? '{}')).toEqual({ id: 'rs_6820f383d7c08191846711c5df8233bc0ac5ba57aafcbac7', encrypted_content: expect.stringMatching(/^gAAAAAB/) as unknown });
    // The deltas joined are the part's text, the blank line between summary parts included.
    expect(ofType(parts, 'reasoning-delta').map((delta) => delta.text).join('')).toBe(part?.text);
    const deltas = ofType(parts, 'tool-call-delta');
    expect(deltas.every((delta) => delta.toolCallId === 'call_gUgyR9t5eFE7BxPx5RtM0Jrv' && delta.toolName === 'get_current_weather')).toBe(true);
    expect(deltas.map((delta) => delta.argumentsDelta).join('')).toBe('{"location":"Boston, MA","unit":"celsius"}');
    expect(deltas.length).toBeGreaterThan(1);
    expect(ofType(parts, 'tool-call')).toEqual([{ type: 'tool-call', toolCall: { id: 'call_gUgyR9t5eFE7BxPx5RtM0Jrv', name: 'get_current_weather', arguments: { location: 'Boston, MA', unit: 'celsius' } } }]);
    const order = parts.map((item) => item.type);
    expect(order.indexOf('reasoning')).toBeLessThan(order.indexOf('tool-call-delta'));
    expect(order.lastIndexOf('tool-call-delta')).toBeLessThan(order.indexOf('tool-call'));
    expect(parts.slice(-2)).toEqual([
      { type: 'usage', usage: { inputTokens: 81, outputTokens: 212, totalTokens: 293, cacheReadInputTokens: 64, cachedInputTokens: 64, reasoningTokens: 192 } },
      { type: 'finish', finishReason: 'tool_calls', rawFinishReason: 'completed' },
    ]);
  });

  it('takes items the stream never closed from the final response', async () => {
    // Only the created and completed events: the function call comes from response.output.
    const events = responsesFixture('reasoning-function-call.sse').split('\n\n').filter((frame) => /response\.(created|completed)/.test(frame.split('\n')[0] ?? ''));
    const parts = await collect(parseResponsesStream(fromChunks(splitBytes(`${events.join('\n\n')}\n\n`, 64)), { provider: 'openai-main' }));
    expect(ofType(parts, 'reasoning')).toHaveLength(1);
    expect(ofType(parts, 'tool-call-delta').map((delta) => delta.argumentsDelta).join('')).toBe('{"location":"Boston, MA","unit":"celsius"}');
    expect(ofType(parts, 'tool-call')).toHaveLength(1);
  });

  it('ends with the mapped error on an error event, after the text that came before it', async () => {
    const { items, error } = await collectUntilError(stream('error.sse'));
    expect(ofType(items, 'text-delta').map((part) => part.text).join('')).toBe('Hi');
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ category: 'rate_limit', provider: 'openai-main', model: 'gpt-4o', providerCode: 'rate_limit_exceeded' });
  });

  it('ends with the response error on response.failed', async () => {
    const { error } = await collectUntilError(stream('failed.sse'));
    expect(error).toMatchObject({ category: 'server', provider: 'openai-main', providerCode: 'server_error' });
    expect((error as Error).message).toContain('The model failed to generate a response.');
  });

  it('treats a stream cut before response.completed as a network error, not a finished answer', async () => {
    const { items, error } = await collectUntilError(stream('truncated.sse'));
    expect(items.some((part) => part.type === 'finish')).toBe(false);
    expect(ofType(items, 'text-delta').length).toBeGreaterThan(0);
    expect(error).toMatchObject({ category: 'network', provider: 'openai-main' });
    expect((error as Error).message).toMatch(/no response\.completed/);
  });

  it('refuses an event that is not JSON as a server error', async () => {
    const body = 'event: response.created\ndata: {not json\n\n';
    const { error } = await collectUntilError(parseResponsesStream(fromChunks(splitBytes(body, 8)), { provider: 'openai-main' }));
    expect(error).toMatchObject({ category: 'server' });
  });

  it('never puts the key in an error message', async () => {
    const body = `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'invalid_api_key', message: `Incorrect API key provided: ${SECRET}`, param: null, sequence_number: 0 })}\n\n`;
    const { error } = await collectUntilError(parseResponsesStream(fromChunks(splitBytes(body, 16)), { provider: 'openai-main', secret: SECRET }));
    expect(error).toMatchObject({ category: 'auth' });
    expect((error as Error).message).not.toContain(SECRET);
  });
});
