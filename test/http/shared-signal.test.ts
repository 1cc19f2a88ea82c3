import { describe, expect, it, vi } from 'vitest';
import { AbortRelay, FanOutController, linkController, requestSignal, sharedListenerCount } from '../../src/http/shared-signal.js';
import { useSimulatorWithTransport } from '../support/simulator-fixture.js';

describe('fan-out signals', () => {
  it('gives a foreign signal back as it is', () => {
    const signal = new AbortController().signal;
    expect(requestSignal(signal)).toBe(signal);
    expect(sharedListenerCount(signal)).toBe(0);
  });

  it('relays the abort, with its reason, to every request still listening, once, after the signal’s own listeners', () => {
    const controller = new FanOutController();
    const heard: unknown[] = [];
    controller.signal.addEventListener('abort', () => heard.push('event'));
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
    expect(heard).toEqual(['event', [0, 'the reason'], [2, 'the reason']]);
    expect(listening[2]?.aborted).toBe(true);
    expect(controller.signal.reason).toBe('the reason');
    expect(sharedListenerCount(controller.signal)).toBe(0);
  });

  it('links a child to a fan-out parent through the set, and unlinks it', () => {
    const parent = new FanOutController();
    const linked = new FanOutController();
    const unlinked = new FanOutController();
    linkController(parent.signal, linked);
    const unlink = linkController(parent.signal, unlinked);
    expect(sharedListenerCount(parent.signal)).toBe(2);
    unlink();
    expect(sharedListenerCount(parent.signal)).toBe(1);
    parent.abort(new Error('deadline'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('deadline');
    expect(unlinked.signal.aborted).toBe(false);
  });

  it('links a child to a foreign signal through an ordinary listener, and to an aborted one at once', () => {
    const caller = new AbortController();
    const child = new FanOutController();
    const other = new FanOutController();
    const unlink = linkController(caller.signal, other);
    linkController(caller.signal, child);
    unlink();
    caller.abort('caller went away');
    expect(child.signal.reason).toBe('caller went away');
    expect(other.signal.aborted).toBe(false);
    const late = new FanOutController();
    linkController(caller.signal, late);
    expect(late.signal.reason).toBe('caller went away');
  });

  it('runs every relay when one throws, and rethrows that error from a microtask', () => {
    const deferred: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (callback: () => void) => deferred.push(callback));
    try {
      const controller = new FanOutController();
      const heard: string[] = [];
      (requestSignal(controller.signal) as AbortRelay).on('abort', () => {
        throw new Error('a listener broke');
      });
      (requestSignal(controller.signal) as AbortRelay).on('abort', () => heard.push('second'));
      controller.abort('stop');
      expect(heard).toEqual(['second']);
      expect(deferred).toHaveLength(1);
      expect(() => deferred[0]?.()).toThrow('a listener broke');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('lets a child abort on its own without touching its parent', () => {
    const parent = new FanOutController();
    const child = new FanOutController();
    linkController(parent.signal, child);
    child.abort('consumer stopped');
    expect(parent.signal.aborted).toBe(false);
    expect(child.signal.reason).toBe('consumer stopped');
  });
});

describe('the pooled transport with a shared signal', () => {
  const fixture = useSimulatorWithTransport({ apiKey: 'sim-key-0123456789', modelPrefix: 'shared' });

  const send = (signal: AbortSignal) =>
    fixture.transport.send({
      url: `${fixture.simulator.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${fixture.simulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: fixture.model, messages: [{ role: 'user', content: 'hello there' }] }),
      signal,
    });

  it('stops listening once each response has been read, so a long-lived shared signal holds nothing', async () => {
    const controller = new FanOutController();
    const responses = await Promise.all(Array.from({ length: 8 }, () => send(controller.signal)));
    expect(sharedListenerCount(controller.signal)).toBe(8);
    const bodies = await Promise.all(responses.map(async (response) => (await response.body.json()) as { choices: unknown[] }));
    expect(bodies.every((body) => body.choices.length === 1)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve)); // undici stops listening on the body's 'close'
    expect(sharedListenerCount(controller.signal)).toBe(0);
  });

  it('cancels every request in flight when the shared signal aborts, and the upstream sees them go away', async () => {
    fixture.simulator.setBehavior(fixture.model, { latencyMs: 10_000 });
    const controller = new FanOutController();
    const pending = Array.from({ length: 3 }, () => send(controller.signal).catch((error: unknown) => error));
    for (let waited = 0; fixture.simulator.requests.length < 3 && waited < 200; waited += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const errors = await Promise.all(pending);
    expect(errors.map((error) => (error as { category?: string }).category)).toEqual(['canceled', 'canceled', 'canceled']);
    for (let waited = 0; !fixture.simulator.requests.every((request) => request.aborted) && waited < 200; waited += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fixture.simulator.requests.map((request) => request.aborted)).toEqual([true, true, true]);
  });
});
