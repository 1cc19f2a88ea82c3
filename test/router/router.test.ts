import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, StreamEvent } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';
import { failure } from '../support/failure.js';

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 3 });
  router = createRouter(simConfig(simulator));
});
afterAll(async () => {
  await router.close();
  await simulator.close();
});
afterEach(() => simulator.reset());

const hello = (model: string, text = 'hello there'): ChatRequest => ({ model, system: 'Be terse.', messages: [{ role: 'user', content: text }] });

/** The names of the warnings Node emits from now until `stop()`. */
function recordWarnings(): { names: string[]; stop: () => void } {
  const names: string[] = [];
  const onWarning = (warning: Error): void => void names.push(warning.name);
  process.on('warning', onWarning);
  return { names, stop: () => void process.off('warning', onWarning) };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}


describe('chat() through every provider type', () => {
  it.each(['claude', 'gpt4', 'gemini', 'azure', 'local'])('route %s answers in the unified shape', async (route) => {
    const response = await router.chat(hello(route), { user: 'u-1', requestId: `req-${route}` });
    expect(response.text).toBe('Echo: hello there');
    expect(response.finishReason).toBe('stop');
    expect(response.route).toBe(route);
    expect(response.requestId).toBe(`req-${route}`);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
    expect(response.usage.totalTokens).toBe(response.usage.inputTokens + response.usage.outputTokens);
    expect(response.attempts).toHaveLength(1);
    expect(response.attempts[0]?.outcome).toBe('ok');
    expect(response.latencyMs).toBeGreaterThan(0);
    expect(response.cached).toBe(false);
    expect(simulator.count()).toBe(1);
  });

  it('names the target alike in responses and attempts, in an object no caller can change', async () => {
    const first = await router.chat(hello('local'));
    const second = await router.chat(hello('local'));
    expect(first.target).toEqual({ provider: 'local', model: expect.any(String) });
    expect(second.target).toEqual(first.target);
    expect(first.attempts[0]?.target).toEqual(first.target);
    expect(() => {
      (first.target as { model: string }).model = 'changed by a caller';
    }).toThrow(TypeError);
    expect(second.target.model).not.toBe('changed by a caller');
  });

  it('returns tool calls with parsed arguments', async () => {
    const response = await router.chat({
      model: 'gpt4',
      messages: [{ role: 'user', content: '!tool weather in Paris' }],
      tools: [{ name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { query: { type: 'string' } } } }],
    });
    expect(response.finishReason).toBe('tool_calls');
    expect(response.toolCalls).toEqual([{ id: expect.any(String), name: 'lookup', arguments: { query: 'weather in Paris' } }]);
  });

  it('addresses a provider directly as provider/model', async () => {
    const response = await router.chat(hello('anthropic/claude-3-5-sonnet-latest'));
    expect(response.target).toEqual({ provider: 'anthropic', model: 'claude-3-5-sonnet-latest' });
    expect(simulator.requests[0]?.model).toBe('claude-3-5-sonnet-latest');
  });
});

describe('stream()', () => {
  it.each(['claude', 'gpt4', 'gemini', 'azure', 'local'])('route %s: deltas concatenate to what chat() returns, finish carries the response', async (route) => {
    const request = hello(route, 'one two three four five six');
    const chatResponse = await router.chat(request, { user: 'u-2' });
    const events = await collect(router.stream(request, { user: 'u-2' }));
    const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('');
    expect(text).toBe(chatResponse.text);
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(1);
    const last = events.at(-1);
    expect(last?.type).toBe('finish');
    if (last?.type !== 'finish') return;
    expect(last.response.text).toBe(chatResponse.text);
    expect(last.response.finishReason).toBe(chatResponse.finishReason);
    expect(last.response.usage).toEqual(chatResponse.usage);
    expect(last.response.target).toEqual(chatResponse.target);
  });

  it('streams tool calls as tool-call-delta events, then the completed tool-call', async () => {
    const events = await collect(
      router.stream({
        model: 'claude',
        messages: [{ role: 'user', content: '!tool stock price' }],
        tools: [{ name: 'quote', parameters: { type: 'object', properties: { query: { type: 'string' } } } }],
      }),
    );
    const toolEvents = events.filter((event) => event.type === 'tool-call');
    expect(toolEvents).toEqual([{ type: 'tool-call', toolCall: { id: expect.any(String), name: 'quote', arguments: { query: 'stock price' } } }]);
    // The arguments streamed first, in several pieces (the simulator cuts them as the API does), under the call's id.
    const completed = events.findIndex((event) => event.type === 'tool-call');
    const deltas = events.flatMap((event, index) => (event.type === 'tool-call-delta' ? [{ ...event, index }] : []));
    expect(deltas.length).toBeGreaterThan(1);
    for (const delta of deltas) {
      expect(delta.index).toBeLessThan(completed);
      expect([delta.toolCallId, delta.toolName]).toEqual([toolEvents[0]?.type === 'tool-call' ? toolEvents[0].toolCall.id : '', 'quote']);
    }
    expect(JSON.parse(deltas.map((delta) => delta.argumentsDelta).join(''))).toEqual({ query: 'stock price' });
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.response.finishReason).toBe('tool_calls');
  });

  it('retries an overload that arrives as an error event before any output', async () => {
    simulator.enqueueFault('*', { kind: 'stream-error', status: 529, afterChunks: 1 });
    const events = await collect(router.stream(hello('claude'), { user: 'u-3' }));
    const last = events.at(-1);
    expect(last?.type).toBe('finish');
    if (last?.type !== 'finish') return;
    expect(last.response.text).toBe('Echo: hello there');
    expect(last.response.attempts.map((attempt) => attempt.outcome)).toEqual(['overloaded', 'ok']);
  });

  it('ends with a network error, never a clean finish, when the connection is cut after output', async () => {
    simulator.setBehavior('*', { interTokenMs: 10 }); // let output reach the caller before the cut
    simulator.enqueueFault('*', { kind: 'cut-stream', afterChunks: 4 });
    const received: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of router.stream(hello('claude', 'a b c d e f g h i j'), { user: 'u-4' })) received.push(event);
      })(),
    );
    expect(error.category).toBe('network');
    expect(received.some((event) => event.type === 'text-delta')).toBe(true);
    expect(received.some((event) => event.type === 'finish')).toBe(false);
    expect(simulator.count()).toBe(1); // a started stream is never replayed
  });

  it('does not replay a stream cut after a tool call\'s first argument delta (a delta is output)', async () => {
    simulator.setBehavior('*', { interTokenMs: 10 }); // let the deltas reach the caller before the cut
    // message_start, the tool_use block's start, ping, an empty input_json_delta, two pieces, then the cut.
    simulator.enqueueFault('*', { kind: 'cut-stream', afterChunks: 6 });
    const received: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        const request = { model: 'claude', messages: [{ role: 'user' as const, content: '!tool stock price' }], tools: [{ name: 'quote', parameters: { type: 'object' } }] };
        for await (const event of router.stream(request, { user: 'u-5' })) received.push(event);
      })(),
    );
    expect(error.category).toBe('network');
    expect(received.map((event) => event.type)).toEqual(['tool-call-delta', 'tool-call-delta']);
    expect(simulator.count()).toBe(1);
  });

  it('retries a connection cut before any output reached the caller', async () => {
    simulator.enqueueFault('*', { kind: 'cut-stream', afterChunks: 2 });
    const events = await collect(router.stream(hello('claude'), { user: 'u-6' }));
    const last = events.at(-1);
    expect(last?.type === 'finish' && last.response.attempts.map((attempt) => attempt.outcome)).toEqual(['network', 'ok']);
    expect(events.filter((event) => event.type === 'text-delta').map((event) => (event.type === 'text-delta' ? event.text : '')).join('')).toBe('Echo: hello there');
  });

  it('ends with the mapped error when an error event arrives after output', async () => {
    simulator.setBehavior('*', { interTokenMs: 10 });
    simulator.enqueueFault('*', { kind: 'stream-error', status: 529, afterChunks: 5 });
    const error = await failure(collect(router.stream(hello('claude', 'a b c d e f g h'), { user: 'u-5' })));
    expect(error.category).toBe('overloaded');
    expect(simulator.count()).toBe(1);
  });

  it.each(['claude', 'gpt4', 'gemini', 'azure', 'local'])('frees the upstream connection when the consumer stops reading (route %s)', async (route) => {
    simulator.setBehavior('*', { interTokenMs: 20 });
    for await (const event of router.stream(hello(route, 'a b c d e f g h i j k l m n o p'))) {
      if (event.type === 'text-delta') break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0]?.aborted).toBe(true);
  });
});

describe('request validation', () => {
  const cases: [string, ChatRequest, string][] = [
    ['an unknown route', hello('no-such-route'), 'model'],
    ['no messages', { model: 'claude', messages: [] }, 'messages'],
    ['an unknown part type', { model: 'claude', messages: [{ role: 'user', content: [{ type: 'audio' } as never] }] }, 'messages[0].content[0].type'],
    ['a tool without a schema', { model: 'claude', messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f' } as never] }, 'tools[0].parameters'],
    ['an unknown role', { model: 'claude', messages: [{ role: 'robot' as never, content: 'x' }] }, 'messages[0].role'],
    ['a tool message without toolCallId', { model: 'claude', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].toolCallId'],
  ];
  it.each(cases)('rejects %s with invalid_request naming the field, before any provider is called', async (_name, request, field) => {
    const error = await failure(router.chat(request));
    expect(error.category).toBe('invalid_request');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    const streamError = await failure(collect(router.stream(request)));
    expect(streamError.category).toBe('invalid_request');
    expect(simulator.count()).toBe(0);
  });
});

describe('retries and fallbacks', () => {
  it('moves a retryable failure to the other target of the route at once', async () => {
    const target = router.explain('claude', { user: 'u-10' }).target?.model as string;
    simulator.enqueueFault(target, { kind: 'status', status: 529 });
    const response = await router.chat(hello('claude'), { user: 'u-10' });
    expect(response.attempts.map((attempt) => [attempt.target.model, attempt.outcome, attempt.status])).toEqual([
      [target, 'overloaded', 529],
      [target === 'claude-2.0' ? 'claude-2.1' : 'claude-2.0', 'ok', 200],
    ]);
  });

  it('falls back to the next route when every target of the route fails', async () => {
    simulator.enqueueFault('claude-2.0', { kind: 'status', status: 500 }, 5);
    simulator.enqueueFault('claude-2.1', { kind: 'status', status: 503 }, 5);
    const response = await router.chat(hello('claude'), { user: 'u-11' });
    expect(response.route).toBe('gpt4');
    expect(response.target).toEqual({ provider: 'openai', model: 'gpt-4' });
    // Each claude target once, then the fallback at once: no backoff while another route can answer.
    expect(response.attempts.map((attempt) => [attempt.route, attempt.outcome === 'ok'])).toEqual([
      ['claude', false],
      ['claude', false],
      ['gpt4', true],
    ]);
  });

  it('does not retry the caller’s own errors', async () => {
    simulator.enqueueFault('*', { kind: 'status', status: 400, message: 'bad field' }, 3);
    const error = await failure(router.chat(hello('claude'), { user: 'u-12' }));
    expect(error.category).toBe('invalid_request');
    expect(error.attempts).toHaveLength(1);
    expect(simulator.count()).toBe(1);
  });

  it('moves an auth failure to another target but never retries the same one', async () => {
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 401 }, 3);
    const error = await failure(router.chat(hello('gpt4')));
    expect(error.category).toBe('auth');
    expect(simulator.count('gpt-4')).toBe(1);
  });

  it('moves to a fallback route rather than waiting out retry-after', async () => {
    const solo = createRouter(simConfig(simulator, { routes: { one: { targets: [{ provider: 'anthropic', model: 'claude-2.0' }], fallbacks: ['gpt4'] }, gpt4: { targets: [{ provider: 'openai', model: 'gpt-4' }] } } }));
    simulator.enqueueFault('claude-2.0', { kind: 'status', status: 529, retryAfterSeconds: 5 });
    const started = Date.now();
    const response = await solo.chat(hello('one'));
    await solo.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.attempts.map((attempt) => [attempt.target.model, attempt.outcome])).toEqual([
      ['claude-2.0', 'overloaded'],
      ['gpt-4', 'ok'],
    ]);
  });

  it('honours retry-after before retrying the same target', async () => {
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 429, retryAfterMs: 300 });
    const started = Date.now();
    const response = await router.chat(hello('gpt4'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.attempts.map((attempt) => attempt.outcome)).toEqual(['rate_limit', 'ok']);
  });

  it('reports every try in the error when all fail', async () => {
    simulator.enqueueFault('*', { kind: 'status', status: 500 }, 20);
    const error = await failure(router.chat(hello('claude'), { user: 'u-13' }));
    expect(error.category).toBe('server');
    // Both claude targets, then the fallback; only the last route retries its target after backoff.
    expect(error.attempts.map((attempt) => attempt.route)).toEqual(['claude', 'claude', 'gpt4', 'gpt4', 'gpt4']);
  });
});

describe('cancellation and timeouts', () => {
  it('cancels the upstream request when the caller aborts', async () => {
    simulator.setBehavior('*', { latencyMs: 2_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(router.chat(hello('gpt4'), { signal: controller.signal }));
    expect(error.category).toBe('canceled');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.requests[0]?.aborted).toBe(true);
    expect(simulator.count()).toBe(1);
  });

  it('ends a started stream with canceled when the caller aborts, and the upstream sees it go', async () => {
    simulator.setBehavior('*', { interTokenMs: 30 });
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of router.stream(hello('gpt4', 'a b c d e f g h i j k l m n o p'), { signal: controller.signal })) {
          seen.push(event.type);
          if (event.type === 'text-delta' && seen.filter((type) => type === 'text-delta').length === 2) controller.abort();
        }
      })(),
    );
    expect(error.category).toBe('canceled');
    expect(seen).not.toContain('finish');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.requests[0]?.aborted).toBe(true);
    expect(simulator.count()).toBe(1); // a started stream is never replayed
  });

  it('ends a started stream with the total timeout when it expires mid-stream', async () => {
    const quick = createRouter(simConfig(simulator, { policies: { timeout: { total: '200ms' }, retry: { attempts: 1 }, breaker: { enabled: false } } }));
    simulator.setBehavior('*', { interTokenMs: 40 });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const event of quick.stream(hello('gpt4', 'a b c d e f g h i j k l m n o p q r s t'))) seen.push(event.type);
      })(),
    );
    await quick.close();
    expect(error.category).toBe('timeout');
    expect(error.message).toContain('total');
    expect(seen).toContain('text-delta');
    expect(seen).not.toContain('finish');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(simulator.requests[0]?.aborted).toBe(true);
  });

  it('names the total timeout when it expires', async () => {
    const quick = createRouter(simConfig(simulator, { policies: { timeout: { total: '150ms' }, retry: { attempts: 1 }, breaker: { enabled: false } } }));
    simulator.enqueueFault('*', { kind: 'hang' });
    const error = await failure(quick.chat(hello('gpt4')));
    await quick.close();
    expect(error.category).toBe('timeout');
    expect(error.message).toContain('total');
  });

  it('names the first-byte timeout when headers do not come', async () => {
    const quick = createRouter(simConfig(simulator, { policies: { timeout: { firstByte: '100ms', total: '5s' }, retry: { attempts: 1 }, breaker: { enabled: false } } }));
    simulator.enqueueFault('*', { kind: 'hang' });
    const error = await failure(quick.chat(hello('gpt4')));
    await quick.close();
    expect(error.category).toBe('timeout');
    expect(error.code).toBe('timeout.first_byte');
  });

  it('names the idle timeout when a stream stalls', async () => {
    const quick = createRouter(simConfig(simulator, { policies: { timeout: { idle: '100ms', total: '5s' }, retry: { attempts: 1 }, breaker: { enabled: false } } }));
    simulator.enqueueFault('*', { kind: 'stall-stream', afterChunks: 3 });
    const error = await failure(collect(quick.stream(hello('gpt4', 'a b c d e f'))));
    await quick.close();
    expect(error.category).toBe('timeout');
    expect(error.code).toBe('timeout.idle');
  });
});

describe('sticky routing and explain()', () => {
  it('keeps a user on one target and explain() names that target', async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave']) {
      const expected = router.explain('claude', { user });
      expect(expected.reason).toBe('sticky:user');
      const models = new Set<string>();
      for (let index = 0; index < 5; index += 1) models.add((await router.chat(hello('claude'), { user })).target.model);
      expect([...models]).toEqual([expected.target?.model]);
    }
  });

  it('explains candidates, shares and fallbacks', () => {
    const explanation = router.explain('claude', { user: 'x' });
    expect(explanation.candidates.map((candidate) => [candidate.model, candidate.share])).toEqual([
      ['claude-2.0', 0.9],
      ['claude-2.1', 0.1],
    ]);
    expect(explanation.fallbacks).toEqual(['gpt4']);
  });
});

describe('batch()', () => {
  it('returns one settled result per input in input order, with bounded concurrency', async () => {
    simulator.setBehavior('*', { latencyMs: 20 });
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 400 });
    let inFlight = 0;
    let peak = 0;
    const offStart = router.on('call-start', () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
    });
    const offEnd = router.on('call-end', () => {
      inFlight -= 1;
    });
    const progress: number[] = [];
    const results = await router.batch(
      Array.from({ length: 12 }, (_, index) => hello('gpt4', `item ${index}`)),
      { concurrency: 3, onProgress: ({ done }) => progress.push(done) },
    );
    offStart();
    offEnd();
    expect(peak).toBe(3);
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') expect(result.value.text).toBe(`Echo: item ${index}`);
      else expect(result.reason.category).toBe('invalid_request');
    });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('stops early on its signal and marks unstarted items canceled', async () => {
    simulator.setBehavior('*', { latencyMs: 30 });
    const controller = new AbortController();
    const results = await router.batch(
      Array.from({ length: 20 }, (_, index) => hello('gpt4', `item ${index}`)),
      { concurrency: 2, signal: controller.signal, onProgress: ({ done }) => done === 4 && controller.abort() },
    );
    expect(results).toHaveLength(20);
    expect(results.slice(0, 4).every((result) => result.status === 'fulfilled')).toBe(true);
    expect(results.slice(8).every((result) => result.status === 'rejected' && result.reason.category === 'canceled')).toBe(true);
    expect(simulator.count()).toBeLessThan(8);
  });

  it('listens to the caller’s signal once, however many calls run or wait at once, and lets go of it', async () => {
    simulator.setBehavior('*', { latencyMs: 5 });
    const controller = new AbortController();
    const warnings = recordWarnings();
    const listening: number[] = [];
    const results = await router.batch(
      Array.from({ length: 40 }, (_, index) => hello('gpt4', `item ${index}`)),
      { concurrency: 20, ratePerSecond: 2_000, signal: controller.signal, onProgress: () => listening.push(getEventListeners(controller.signal, 'abort').length) },
    );
    warnings.stop();
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(Math.max(...listening)).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(warnings.names).not.toContain('MaxListenersExceededWarning');
  });

  it('lets many calls in flight share one caller signal: listened to once, and its abort cancels them all', async () => {
    simulator.setBehavior('*', { latencyMs: 200 });
    const shutdown = new AbortController();
    const warnings = recordWarnings();
    const calls = Array.from({ length: 30 }, (_, index) => router.chat(hello('gpt4', `item ${index}`), { signal: shutdown.signal }).catch((error: unknown) => error));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(getEventListeners(shutdown.signal, 'abort').length).toBeLessThanOrEqual(2);
    shutdown.abort();
    const outcomes = await Promise.all(calls);
    warnings.stop();
    expect(outcomes.every((outcome) => outcome instanceof Error && (outcome as { category?: string }).category === 'canceled')).toBe(true);
    expect(warnings.names).not.toContain('MaxListenersExceededWarning');
  });

  it('cancels an item that brings its own signal when either its signal or the batch’s aborts', async () => {
    simulator.setBehavior('*', { latencyMs: 100 });
    const own = new AbortController();
    const batchController = new AbortController();
    const items = [
      { request: hello('gpt4', 'own signal'), options: { signal: own.signal } },
      hello('gpt4', 'no signal of its own'),
    ];
    setTimeout(() => own.abort(), 20);
    const first = await router.batch(items, { concurrency: 2, signal: batchController.signal });
    expect(first[0]).toMatchObject({ status: 'rejected', reason: { category: 'canceled' } });
    expect(first[1]?.status).toBe('fulfilled');

    const again = new AbortController();
    setTimeout(() => batchController.abort(), 20);
    const second = await router.batch([{ request: hello('gpt4', 'own signal'), options: { signal: again.signal } }], { signal: batchController.signal });
    expect(second[0]).toMatchObject({ status: 'rejected', reason: { category: 'canceled' } });
    expect(getEventListeners(again.signal, 'abort')).toHaveLength(0);
  });
});

describe('call-end for streams', () => {
  it('reports a finished stream once, even when the consumer stops right after finish', async () => {
    const ends: { error?: string; text?: string }[] = [];
    const off = router.on('call-end', ({ error, response }) => ends.push({ ...(error === undefined ? {} : { error: error.category }), ...(response === undefined ? {} : { text: response.text }) }));
    for await (const event of router.stream(hello('gpt4'))) if (event.type === 'finish') break;
    off();
    expect(ends).toEqual([{ text: 'Echo: hello there' }]);
  });

  it('reports an abandoned stream as canceled', async () => {
    simulator.setBehavior('*', { interTokenMs: 10 });
    const ends: string[] = [];
    const off = router.on('call-end', ({ error }) => ends.push(error?.category ?? 'ok'));
    for await (const event of router.stream(hello('gpt4', 'a b c d e f g'))) if (event.type === 'text-delta') break;
    off();
    expect(ends).toEqual(['canceled']);
  });
});

describe('simulator hygiene', () => {
  it('does not let a request whose client left use up a fault queued for later requests', async () => {
    simulator.setBehavior('gpt-4', { latencyMs: 150 });
    const controller = new AbortController();
    const abandoned = router.chat(hello('gpt4'), { signal: controller.signal }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    await abandoned;
    simulator.setBehavior('gpt-4', {});
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 400 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the abandoned request wakes up meanwhile
    const error = await failure(router.chat(hello('gpt4')));
    expect(error.category).toBe('invalid_request');
  });
});
