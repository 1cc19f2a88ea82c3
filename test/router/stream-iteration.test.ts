/**
 * `router.stream()` as an async iterator used by hand, not only through `for await`: overlapping
 * `next()` calls, `return()` at every point, iterating twice, and what is reported after an end.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { CallOutcome } from '../../src/pipeline/context.js';
import type { RouterPlugin } from '../../src/router/plugin.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, StreamEvent } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { simConfig } from '../support/sim-config.js';

let simulator: Simulator;
let router: Router;
let ends: string[];
let stopListening: () => void = () => undefined;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 5 });
  router = createRouter(simConfig(simulator));
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
afterEach(() => {
  stopListening();
  stopListening = () => undefined;
  simulator.reset();
});

/** Starts recording each call's end, as `ok` or its error's category. */
function recordEnds(): void {
  ends = [];
  stopListening = router.on('call-end', ({ error }) => ends.push(error?.category ?? 'ok'));
}

const hello = (text = 'hello there', model = 'claude'): ChatRequest => ({ model, messages: [{ role: 'user', content: text }] });

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const waitForUpstream = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

describe('router.stream() used as an iterator', () => {
  it('answers next() calls made before the previous one settled with the events in order', async () => {
    recordEnds();
    const expected = await collect(router.stream(hello('a b c d e')));
    const iterator = router.stream(hello('a b c d e'))[Symbol.asyncIterator]();
    const steps = await Promise.all(Array.from({ length: expected.length + 2 }, () => iterator.next()));
    const events = steps.filter((step) => step.done !== true).map((step) => step.value);
    expect(events.map((event) => event.type)).toEqual(expected.map((event) => event.type));
    expect(events.filter((event) => event.type === 'text-delta')).toEqual(expected.filter((event) => event.type === 'text-delta'));
    expect(steps.slice(expected.length).every((step) => step.done === true)).toBe(true);
    expect(ends).toEqual(['ok', 'ok']);
  });

  it('starts nothing when return() comes before the first next()', async () => {
    recordEnds();
    const iterator = router.stream(hello())[Symbol.asyncIterator]();
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await waitForUpstream();
    expect(simulator.count()).toBe(0);
    expect(ends).toEqual([]);
  });

  it('makes one call per iteration of the same stream() result', async () => {
    recordEnds();
    const stream = router.stream(hello());
    const first = await collect(stream);
    const second = await collect(stream);
    expect(first.at(-1)?.type).toBe('finish');
    expect(second.at(-1)?.type).toBe('finish');
    expect(simulator.count()).toBe(2);
    expect(ends).toEqual(['ok', 'ok']);
  });

  it('rejects the first next() of an invalid request with its error, reports no call, then is done', async () => {
    recordEnds();
    const iterator = router.stream({ model: 'claude', messages: [] })[Symbol.asyncIterator]();
    const error = await failure(iterator.next());
    expect(error.category).toBe('invalid_request');
    expect(error.field).toBe('messages');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(ends).toEqual([]);
    expect(simulator.count()).toBe(0);
  });

  it('after a failure mid-stream reports the call once and is done', async () => {
    recordEnds();
    simulator.setBehavior('*', { interTokenMs: 5 });
    simulator.enqueueFault('*', { kind: 'cut-stream', afterChunks: 4 });
    const iterator = router.stream(hello('a b c d e f g h i j'))[Symbol.asyncIterator]();
    let error: unknown;
    for (;;) {
      try {
        const step = await iterator.next();
        if (step.done === true) break;
      } catch (thrown) {
        error = thrown;
        break;
      }
    }
    expect((error as { category?: string }).category).toBe('network');
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
    expect(ends).toEqual(['network']);
  });

  it('lets a next() in progress settle before return() ends the call as canceled and frees the upstream', async () => {
    recordEnds();
    simulator.setBehavior('*', { interTokenMs: 30 });
    const iterator = router.stream(hello('a b c d e f g h i j k l'))[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done === true ? undefined : first.value.type).toBe('text-delta');
    const waiting = iterator.next(); // the next word is 30 ms away
    const returned = iterator.return?.();
    const step = await waiting;
    expect(step.done === true ? 'done' : step.value.type).toBe('text-delta');
    expect(await returned).toEqual({ done: true, value: undefined });
    expect(ends).toEqual(['canceled']);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await waitForUpstream();
    expect(simulator.requests[0]?.aborted).toBe(true);
    expect(ends).toEqual(['canceled']);
  });

  it('streams a whole answer a stage gave, and reports a consumer that stops before its finish as canceled', async () => {
    // A stage that answers stream calls with a whole response (as a cache without replay would).
    const answer = await router.chat(hello('whole answer'));
    const wholeAnswers: RouterPlugin = {
      name: 'whole-answers',
      outerStages: [{ name: 'whole', execute: (context) => Promise.resolve<CallOutcome>({ kind: 'response', response: { ...answer, requestId: context.requestId } }) }],
    };
    const answering = createRouter(simConfig(simulator), { plugins: [wholeAnswers] });
    const endings: string[] = [];
    const off = answering.on('call-end', ({ error, response }) => endings.push(error?.category ?? response?.text ?? ''));
    try {
      const events = await collect(answering.stream(hello('ignored')));
      expect(events).toEqual([
        { type: 'text-delta', text: answer.text },
        { type: 'usage', usage: answer.usage },
        { type: 'finish', response: expect.objectContaining({ text: answer.text }) },
      ]);
      const iterator = answering.stream(hello('ignored'))[Symbol.asyncIterator]();
      expect(await iterator.next()).toEqual({ done: false, value: { type: 'text-delta', text: answer.text } });
      expect(await iterator.return?.()).toEqual({ done: true, value: undefined });
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
      expect(endings).toEqual([answer.text, 'canceled']);
      expect(simulator.count()).toBe(1); // only the chat() above went upstream
    } finally {
      off();
      await answering.close();
    }
  });
});
