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
});
