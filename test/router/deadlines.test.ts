import { afterEach, describe, expect, it, vi } from 'vitest';
import { TimeoutReason } from '../../src/http/transport-errors.js';
import { createDeadlines } from '../../src/router/deadlines.js';

describe('deadlines', () => {
  afterEach(() => vi.useRealTimers());

  it('aborts each call with a total TimeoutReason when its own time is up, in start order', () => {
    vi.useFakeTimers();
    let clock = 0;
    const deadlines = createDeadlines(() => clock);
    const first = deadlines.signalFor(undefined, 100);
    clock = 40;
    const second = deadlines.signalFor(undefined, 100);
    clock = 100;
    vi.advanceTimersByTime(100);
    expect(first.signal.aborted).toBe(true);
    expect(first.signal.reason).toBeInstanceOf(TimeoutReason);
    expect((first.signal.reason as TimeoutReason).which).toBe('total');
    expect(second.signal.aborted).toBe(false);
    clock = 140;
    vi.advanceTimersByTime(40);
    expect(second.signal.aborted).toBe(true);
    deadlines.close();
  });

  it('never aborts a call that ended, and keeps serving later calls', () => {
    vi.useFakeTimers();
    let clock = 0;
    const deadlines = createDeadlines(() => clock);
    const ended = deadlines.signalFor(undefined, 50);
    ended.dispose();
    clock = 10;
    const later = deadlines.signalFor(undefined, 50);
    clock = 50;
    vi.advanceTimersByTime(50);
    expect(ended.signal.aborted).toBe(false);
    expect(later.signal.aborted).toBe(false);
    clock = 60;
    vi.advanceTimersByTime(10);
    expect(later.signal.aborted).toBe(true);
    deadlines.close();
  });

  it('keeps separate queues per timeout length', () => {
    vi.useFakeTimers();
    let clock = 0;
    const deadlines = createDeadlines(() => clock);
    const long = deadlines.signalFor(undefined, 1_000);
    const short = deadlines.signalFor(undefined, 10);
    clock = 10;
    vi.advanceTimersByTime(10);
    expect(short.signal.aborted).toBe(true);
    expect(long.signal.aborted).toBe(false);
    deadlines.close();
  });

  it('follows the caller’s signal, and passes it through untouched when there is no timeout', () => {
    const deadlines = createDeadlines();
    const caller = new AbortController();
    const linked = deadlines.signalFor(caller.signal, 60_000);
    caller.abort(new Error('left'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('left');
    expect(deadlines.signalFor(caller.signal, 0).signal).toBe(caller.signal);
    linked.dispose();
    deadlines.close();
  });
});
