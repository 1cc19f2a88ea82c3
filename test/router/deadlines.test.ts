import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimeoutReason } from '../../src/http/transport-errors.js';
import { createDeadlines, MIN_SLOT_MS as SLOT_MS } from '../../src/router/deadlines.js';

describe('deadlines', () => {
  afterEach(() => vi.useRealTimers());

  function fakeClock(): { deadlines: ReturnType<typeof createDeadlines>; advance: (ms: number) => void } {
    vi.useFakeTimers();
    let clock = 0;
    const deadlines = createDeadlines(() => clock);
    return {
      deadlines,
      advance: (ms) => {
        clock += ms;
        vi.advanceTimersByTime(ms);
      },
    };
  }

  it('aborts a call with a total TimeoutReason once its time is up, at most one slot late', () => {
    const { deadlines, advance } = fakeClock();
    const call = deadlines.signalFor(undefined, 100);
    advance(99);
    expect(call.signal.aborted).toBe(false);
    advance(1 + SLOT_MS);
    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toBeInstanceOf(TimeoutReason);
    expect((call.signal.reason as TimeoutReason).which).toBe('total');
    expect((call.signal.reason as TimeoutReason).message).toContain('100 ms');
    deadlines.close();
  });

  it('never aborts earlier than the deadline, in order of start', () => {
    const { deadlines, advance } = fakeClock();
    const first = deadlines.signalFor(undefined, 100);
    advance(45);
    const second = deadlines.signalFor(undefined, 100);
    advance(55 + SLOT_MS);
    expect(first.signal.aborted).toBe(true);
    expect(second.signal.aborted).toBe(false);
    advance(45);
    expect(second.signal.aborted).toBe(true);
    deadlines.close();
  });

  it('shares one controller and one timer among calls in a slot: at most ~100 timers per timeout length', () => {
    const { deadlines, advance } = fakeClock();
    const one = deadlines.signalFor(undefined, 50);
    const other = deadlines.signalFor(undefined, 50);
    expect(one.signal).toBe(other.signal);
    one.dispose();
    advance(50 + SLOT_MS);
    expect(other.signal.aborted).toBe(true); // a call still in a shared slot times out
    for (let index = 0; index < 5_000; index += 1) {
      deadlines.signalFor(undefined, 60_000).dispose();
      advance(13); // calls spread over the whole timeout
    }
    expect(vi.getTimerCount()).toBeLessThanOrEqual(102);
    deadlines.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives a call with its own signal a signal of its own: the caller’s abort stops only that call', () => {
    const { deadlines, advance } = fakeClock();
    const caller = new AbortController();
    const linked = deadlines.signalFor(caller.signal, 1_000);
    const plain = deadlines.signalFor(undefined, 1_000);
    caller.abort(new Error('left'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('left');
    expect(plain.signal.aborted).toBe(false);
    const timed = deadlines.signalFor(new AbortController().signal, 100);
    advance(100 + SLOT_MS);
    expect((timed.signal.reason as TimeoutReason).which).toBe('total');
    expect(deadlines.signalFor(caller.signal, 0).signal).toBe(caller.signal);
    deadlines.close();
  });

  it('listens once to a caller’s signal that calls in flight share, and aborts them all with its reason', () => {
    const deadlines = createDeadlines();
    const shutdown = new AbortController();
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on('warning', onWarning);
    const calls = Array.from({ length: 50 }, (_, index) => deadlines.signalFor(shutdown.signal, index % 2 === 0 ? 1_000 : 0));
    // The first call listens directly, every later one through the mirror: two listeners, not 50.
    expect(getEventListeners(shutdown.signal, 'abort').length).toBeLessThanOrEqual(2);
    calls[0]?.dispose();
    calls[1]?.dispose();
    shutdown.abort(new Error('shutting down'));
    process.off('warning', onWarning);
    for (const call of calls.slice(2)) {
      expect(call.signal.aborted).toBe(true);
      expect((call.signal.reason as Error).message).toBe('shutting down');
    }
    expect(calls[0]?.signal.aborted).toBe(false); // ended before the abort: unlinked
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    deadlines.close();
  });

  it('leaves no listener on a caller’s signal used by one call at a time', () => {
    const deadlines = createDeadlines();
    const caller = new AbortController();
    for (let index = 0; index < 20; index += 1) {
      const call = deadlines.signalFor(caller.signal, 1_000);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
      call.dispose();
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    }
    const untimed = deadlines.signalFor(caller.signal, 0);
    expect(untimed.signal).toBe(caller.signal);
    untimed.dispose();
    deadlines.close();
  });
});
