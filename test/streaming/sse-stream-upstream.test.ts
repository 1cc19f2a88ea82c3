/**
 * `mapSseStream` over a real upstream body (the pooled transport against the simulator): a consumer
 * that stops reading ends the upstream request, as the simulator sees it; one that reads to the end
 * does not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPooledTransport } from '../../src/http/transport.js';
import type { SseEvent } from '../../src/streaming/sse.js';
import { mapSseStream, type SseEventMapper } from '../../src/streaming/sse-stream.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';

let simulator: Simulator;
const transport = createPooledTransport();

beforeAll(async () => {
  simulator = await startSimulator({ seed: 3 });
});
afterAll(async () => {
  await transport.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

/** Each event's name as a part. */
class EventNames implements SseEventMapper<string> {
  event(event: SseEvent, parts: string[]): void {
    parts.push(event.event);
  }
  end(): void {}
  fail(error: unknown): unknown {
    return error;
  }
}

/** An Anthropic Messages stream of a ten-word answer, its parts being the events' names. */
async function namesOfStream(): Promise<AsyncIterableIterator<string>> {
  const response = await transport.send({
    url: `${simulator.url}/v1/messages`,
    headers: { 'content-type': 'application/json', 'x-api-key': simulator.apiKey, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-2.0', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'a b c d e f g h i j' }] }),
    signal: new AbortController().signal,
  });
  expect(response.status).toBe(200);
  return mapSseStream(response.body, new EventNames());
}

/** Whether the simulator saw the client leave before the response ended, within a second. */
async function upstreamAborted(): Promise<boolean> {
  for (let tries = 0; tries < 100 && simulator.requests[0]?.aborted !== true; tries += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return simulator.requests[0]?.aborted === true;
}

describe('mapSseStream over an upstream response', () => {
  it('ends the upstream request when the consumer returns early', async () => {
    simulator.setBehavior('*', { interTokenMs: 30 });
    const parts = await namesOfStream();
    expect(await parts.next()).toEqual({ done: false, value: 'message_start' });
    expect(await parts.return?.()).toEqual({ done: true, value: undefined });
    expect(await upstreamAborted()).toBe(true);
    expect(await parts.next()).toEqual({ done: true, value: undefined });
  });

  it('leaves a stream read to its end alone', async () => {
    const parts = await namesOfStream();
    const names: string[] = [];
    for await (const name of parts) names.push(name);
    expect(names.at(-1)).toBe('message_stop');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.requests[0]?.aborted).toBe(false);
  });
});
