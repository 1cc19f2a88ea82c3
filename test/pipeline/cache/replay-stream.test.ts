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
    expect(events.map((event) => event.type)).toEqual(['tool-call', 'usage', 'finish']);
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
