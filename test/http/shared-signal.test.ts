import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requestSignal, shareSignal, sharedListenerCount, AbortRelay } from '../../src/http/shared-signal.js';
import { createPooledTransport, type HttpTransport } from '../../src/http/transport.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';

describe('shared signals', () => {
  it('gives an unshared signal back as it is', () => {
    const signal = new AbortController().signal;
    expect(requestSignal(signal)).toBe(signal);
    expect(sharedListenerCount(signal)).toBe(0);
  });

  it('relays the abort, with its reason, to every request still listening, once', () => {
    const controller = new AbortController();
    shareSignal(controller.signal);
    const heard: unknown[] = [];
    const listening = [requestSignal(controller.signal), requestSignal(controller.signal), requestSignal(controller.signal)] as AbortRelay[];
    for (const relay of listening) expect(relay).toBeInstanceOf(AbortRelay);
    const listeners = listening.map((relay, index) => {
      const listener = (): void => void heard.push([index, relay.reason]);
      relay.once('abort', listener);
      return listener;
    });
    expect(sharedListenerCount(controller.signal)).toBe(3);
    listening[1]?.removeListener('abort', listeners[1] as () => void);
    expect(sharedListenerCount(controller.signal)).toBe(2);
    expect(listening[0]?.aborted).toBe(false);
    controller.abort('the reason');
    controller.abort('again');
    expect(heard).toEqual([
      [0, 'the reason'],
      [2, 'the reason'],
    ]);
    expect(listening[2]?.aborted).toBe(true);
    expect(sharedListenerCount(controller.signal)).toBe(0);
  });
});

describe('the pooled transport with a shared signal', () => {
  let simulator: Simulator;
  let transport: HttpTransport;
  let model = 'shared-0';
  let counter = 0;
  beforeAll(async () => {
    simulator = await startSimulator({ apiKey: 'sim-key-0123456789' });
    transport = createPooledTransport();
  });
  afterAll(async () => {
    await transport.close();
    await simulator.close();
  });
  beforeEach(() => {
    simulator.reset();
    counter += 1;
    model = `shared-${counter}`;
  });

  const send = (signal: AbortSignal) =>
    transport.send({
      url: `${simulator.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello there' }] }),
      signal,
    });

  it('stops listening once each response has been read, so a long-lived shared signal holds nothing', async () => {
    const controller = new AbortController();
    shareSignal(controller.signal);
    const responses = await Promise.all(Array.from({ length: 8 }, () => send(controller.signal)));
    expect(sharedListenerCount(controller.signal)).toBe(8);
    const bodies = await Promise.all(responses.map(async (response) => (await response.body.json()) as { choices: unknown[] }));
    expect(bodies.every((body) => body.choices.length === 1)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve)); // undici stops listening on the body's 'close'
    expect(sharedListenerCount(controller.signal)).toBe(0);
  });

  it('cancels every request in flight when the shared signal aborts, and the upstream sees them go away', async () => {
    simulator.setBehavior(model, { latencyMs: 10_000 });
    const controller = new AbortController();
    shareSignal(controller.signal);
    const pending = Array.from({ length: 3 }, () => send(controller.signal).catch((error: unknown) => error));
    for (let waited = 0; simulator.requests.length < 3 && waited < 200; waited += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const errors = await Promise.all(pending);
    expect(errors.map((error) => (error as { category?: string }).category)).toEqual(['canceled', 'canceled', 'canceled']);
    for (let waited = 0; !simulator.requests.every((request) => request.aborted) && waited < 200; waited += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(simulator.requests.map((request) => request.aborted)).toEqual([true, true, true]);
  });
});
