import { describe, expect, it } from 'vitest';
import { replayStream } from '../../../src/pipeline/cache/replay-stream.js';
import type { StreamEvent } from '../../../src/types.js';
import { upstreamResponse } from './call-context.js';

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const collected: StreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

describe('replayStream', () => {
  it('skips the text delta for an answer without text', async () => {
    const response = upstreamResponse({ text: '', toolCalls: [{ id: 'c', name: 'f', arguments: {} }], finishReason: 'tool_calls' });
    const events = await collect(replayStream(response).events);
    expect(events.map((event) => event.type)).toEqual(['tool-call-delta', 'tool-call', 'usage', 'finish']);
  });

  it('replays each tool call as one delta with its whole arguments, then the call', async () => {
    const calls = [
      { id: 'c1', name: 'weather', arguments: { city: 'Zürich' } },
      { id: 'c2', name: 'time', arguments: { zone: 'Europe/Zurich' } },
    ];
    const response = upstreamResponse({ text: '', toolCalls: calls, finishReason: 'tool_calls' });
    const events = await collect(replayStream(response).events);
    expect(events.filter((event) => event.type === 'tool-call-delta' || event.type === 'tool-call')).toEqual([
      { type: 'tool-call-delta', toolCallId: 'c1', toolName: 'weather', argumentsDelta: '{"city":"Zürich"}' },
      { type: 'tool-call', toolCall: calls[0] },
      { type: 'tool-call-delta', toolCallId: 'c2', toolName: 'time', argumentsDelta: '{"zone":"Europe/Zurich"}' },
      { type: 'tool-call', toolCall: calls[1] },
    ]);
  });

  it('replays the same events on every iteration, and completes with the response', async () => {
    const response = upstreamResponse({ text: 'hello' });
    const stream = replayStream(response);
    const first = await collect(stream.events);
    expect(await collect(stream.events)).toEqual(first);
    expect(first).toEqual([
      { type: 'text-delta', text: 'hello' },
      { type: 'usage', usage: response.usage },
      { type: 'finish', response },
    ]);
    expect(await stream.completion).toBe(response);
  });
});
