/**
 * `RouterStream` over in-memory calls: the call's end is reported once and before `finish` is
 * handed over, its deadlines are released once however it ends, and a consumer that stops early
 * gets the call reported `canceled` after the stream underneath ended, even when ending it fails.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import type { CallContext, CallOutcome } from '../../src/pipeline/context.js';
import { RouterStream, type StreamCalls } from '../../src/router/router-stream.js';
import type { ChatRequest, ChatResponse, StreamEvent } from '../../src/types.js';
import { scriptedSource, type ScriptOptions } from '../support/scripted-source.js';

const response = { text: 'Hi', toolCalls: [], usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } } as unknown as ChatResponse;
const EVENTS: StreamEvent[] = [{ type: 'text-delta', text: 'Hi' }, { type: 'usage', usage: response.usage }, { type: 'finish', response }];
const request: ChatRequest = { model: 'claude', messages: [{ role: 'user', content: 'hello' }] };

/** Calls whose outcome is a stream of `events` (scripted), noting what the router stream reports, in order. */
function streamCalls(events: readonly StreamEvent[], script: ScriptOptions = {}) {
  const log: string[] = [];
  const source = scriptedSource(events, script);
  const context = { route: { name: 'claude' }, attempts: [] } as unknown as CallContext;
  const calls: StreamCalls = {
    start: () => {
      log.push('start');
      return { context, dispose: () => log.push('dispose') };
    },
    run: () => Promise.resolve<CallOutcome>({ kind: 'stream', stream: { events: source.iterable, completion: Promise.resolve(response), firstOutputAt: 1 } }),
    end: (_context, ended, error) => log.push(`end ${error?.category ?? (ended === undefined ? '?' : 'ok')}`),
    asError: (error) => (SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'unknown', message: String(error) })),
  };
  return { calls, log, source };
}

async function step(iterator: RouterStream, log: string[]): Promise<void> {
  const next = await iterator.next();
  log.push(next.done === true ? 'done' : next.value.type);
}

describe('RouterStream', () => {
  it('reports the end before handing over finish, and releases the deadlines once', async () => {
    const { calls, log } = streamCalls(EVENTS);
    const iterator = new RouterStream(calls, request, {});
    for (let index = 0; index < 5; index += 1) await step(iterator, log);
    expect(log).toEqual(['start', 'text-delta', 'usage', 'end ok', 'finish', 'dispose', 'done', 'done']);
  });

  it('reports a failure of the stream once, as the call’s error, and releases the deadlines once', async () => {
    const { calls, log } = streamCalls(EVENTS, { failAfter: 1, failWith: new SwitchyardError({ category: 'network', message: 'cut' }) });
    const iterator = new RouterStream(calls, request, {});
    await step(iterator, log);
    await expect(iterator.next()).rejects.toMatchObject({ category: 'network' });
    await step(iterator, log);
    expect(await iterator.return()).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['start', 'text-delta', 'end network', 'dispose', 'done']);
  });

  it('on an early stop ends the stream underneath, then reports canceled, even when ending it fails', async () => {
    const { calls, log, source } = streamCalls(EVENTS, { closeFails: true });
    const iterator = new RouterStream(calls, request, {});
    await step(iterator, log);
    await expect(iterator.return()).rejects.toThrow('close failed');
    expect(source.closed()).toBe(true);
    await step(iterator, log);
    expect(log).toEqual(['start', 'text-delta', 'end canceled', 'dispose', 'done']);
  });

  it('starts nothing when returned before the first next()', async () => {
    const { calls, log } = streamCalls(EVENTS);
    const iterator = new RouterStream(calls, request, {});
    expect(await iterator.return()).toEqual({ done: true, value: undefined });
    await step(iterator, log);
    expect(log).toEqual(['done']);
  });
});
