import { describe, expect, it } from 'vitest';
import { type ArmCallOutcome, ArmStats } from '../../src/canary/arm-stats.js';
import { SettleQueue } from '../../src/canary/settle-queue.js';
import type { ArmName } from '../../src/canary/stats-book.js';

const success = (latencyMs: number): ArmCallOutcome => ({ failed: false, callerFault: false, rescued: false, mixed: false, latencyMs });
const failure: ArmCallOutcome = { failed: true, category: 'rate_limit', callerFault: false, rescued: false, mixed: false };
const callerFault: ArmCallOutcome = { failed: true, category: 'invalid_request', callerFault: true, rescued: false, mixed: false };

interface Settled {
  readonly key: string;
  readonly epoch: number;
  readonly arm: ArmName;
  readonly outcome: ArmCallOutcome;
}

/** A queue whose settled calls are listed in order (the key is found from the outcome's identity). */
function recordingQueue(): { queue: SettleQueue<string>; settled: Settled[]; ended: (key: string, outcome: ArmCallOutcome | undefined) => void; arms: Record<ArmName, ArmStats> } {
  const settled: Settled[] = [];
  const keys = new Map<ArmCallOutcome, string>();
  const arms = { baseline: new ArmStats(), candidate: new ArmStats() };
  const queue = new SettleQueue<string>((epoch, arm, outcome) => {
    settled.push({ key: keys.get(outcome) ?? '(stalled)', epoch, arm, outcome });
    arms[arm].record(outcome);
  });
  const ended = (key: string, outcome: ArmCallOutcome | undefined): void => {
    if (outcome !== undefined) keys.set(outcome, key);
    queue.end(key, outcome);
  };
  return { queue, settled, ended, arms };
}

describe('SettleQueue', () => {
  it('does not count a fast failure that started after a slow success before the success ends', () => {
    const { queue, settled, ended } = recordingQueue();
    queue.start('slow', 1, 'candidate', 0);
    queue.start('fast', 1, 'candidate', 10);
    ended('fast', { ...failure });
    expect(settled).toEqual([]);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 2, errors: 1 });
    expect(queue.size).toBe(2);
    ended('slow', success(4_000));
    expect(settled.map((each) => [each.key, each.outcome.failed])).toEqual([
      ['slow', false],
      ['fast', true],
    ]);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 0, errors: 0 });
    expect(queue.size).toBe(0);
  });

  it('settles nothing of a burst whose errors end first until the oldest call ends, then the ended run behind it', () => {
    const { queue, settled, ended } = recordingQueue();
    for (let index = 0; index < 100; index += 1) queue.start(`call-${index}`, 3, 'candidate', index);
    // Calls 1–20 fail in milliseconds; everything else is still running.
    for (let index = 1; index <= 20; index += 1) ended(`call-${index}`, { ...failure });
    expect(settled).toEqual([]);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 100, errors: 20 });
    ended('call-0', success(3_000));
    expect(settled.map((each) => each.key)).toEqual(Array.from({ length: 21 }, (_, index) => `call-${index}`));
    expect(settled.every((each) => each.epoch === 3 && each.arm === 'candidate')).toBe(true);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 79, errors: 0 });
    // A later call ending settles nothing while call-21 runs.
    ended('call-50', success(3_000));
    expect(settled).toHaveLength(21);
  });

  it('keeps the arms apart in the unsettled counts but settles both in start order', () => {
    const { queue, settled, ended } = recordingQueue();
    queue.start('b1', 1, 'baseline', 0);
    queue.start('c1', 1, 'candidate', 1);
    queue.start('b2', 1, 'baseline', 2);
    ended('c1', { ...failure });
    ended('b2', { ...failure });
    expect(queue.unsettledOf('baseline')).toEqual({ calls: 2, errors: 1 });
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 1, errors: 1 });
    ended('b1', success(900));
    expect(settled.map((each) => [each.key, each.arm])).toEqual([
      ['b1', 'baseline'],
      ['c1', 'candidate'],
      ['b2', 'baseline'],
    ]);
  });

  it('caller faults are not counted as unsettled errors, and a call that tells nothing settles without an outcome', () => {
    const { queue, settled, ended } = recordingQueue();
    queue.start('first', 1, 'candidate', 0);
    queue.start('fault', 1, 'candidate', 1);
    queue.start('nothing', 1, 'candidate', 2);
    ended('fault', { ...callerFault });
    ended('nothing', undefined);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 3, errors: 0 });
    ended('first', success(100));
    expect(settled.map((each) => each.key)).toEqual(['first', 'fault']);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 0, errors: 0 });
    expect(queue.size).toBe(0);
  });

  it('settles a call still running after stallAfter as cancelled and stalled, with the time it ran, and ignores its late end', () => {
    const stallAfterMs = 300_000;
    const { queue, settled, ended, arms } = recordingQueue();
    queue.start('stuck', 2, 'candidate', 1_000);
    queue.start('done', 2, 'candidate', 2_000);
    queue.start('young', 2, 'candidate', 250_000);
    ended('done', success(800));
    queue.releaseOld(1_000 + stallAfterMs - 1, Number.POSITIVE_INFINITY, stallAfterMs);
    expect(settled).toEqual([]);
    queue.releaseOld(1_000 + stallAfterMs + 500, Number.POSITIVE_INFINITY, stallAfterMs);
    expect(settled.map((each) => each.key)).toEqual(['(stalled)', 'done']);
    expect(settled[0]?.outcome).toEqual({ failed: false, callerFault: false, rescued: false, mixed: false, cancelled: true, stalled: true, latencyMs: stallAfterMs + 500 });
    expect(queue.has('stuck')).toBe(false);
    expect(queue.has('young')).toBe(true);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 1, errors: 0 });
    // The stalled call's real end, much later, is not counted again.
    ended('stuck', { ...failure });
    expect(settled).toHaveLength(2);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 1, errors: 0 });
    // In the arm: one cancellation (stalled), out of the error rate, its latency at least what it ran.
    expect(arms.candidate).toMatchObject({ calls: 1, errors: 0, cancelled: 1, stalled: 1 });
    expect(arms.candidate.settled).toBe(2);
    expect(arms.candidate.latency.count).toBe(2);
    expect(arms.candidate.latency.quantile(1)).toBeGreaterThanOrEqual(stallAfterMs * 0.99);
  });

  it('ignores the end of a call it never saw', () => {
    const { queue, settled, ended } = recordingQueue();
    ended('unknown', success(10));
    expect(settled).toEqual([]);
    expect(queue.size).toBe(0);
  });

  it('settles long runs in order while it drops its settled prefix', () => {
    const { queue, settled, ended } = recordingQueue();
    const total = 5_000;
    for (let index = 0; index < total; index += 1) queue.start(`call-${index}`, 1, index % 10 === 0 ? 'candidate' : 'baseline', index);
    // End in reverse within blocks of 100: each block settles when its first call ends.
    for (let block = 0; block < total; block += 100) {
      for (let index = block + 99; index >= block; index -= 1) ended(`call-${index}`, success(index));
      expect(settled).toHaveLength(block + 100);
    }
    expect(settled.map((each) => each.key)).toEqual(Array.from({ length: total }, (_, index) => `call-${index}`));
    expect(queue.size).toBe(0);
    expect(queue.unsettledOf('candidate')).toEqual({ calls: 0, errors: 0 });
  });

  it('a straggler stops holding back later calls once it runs past stragglerMs, and counts when it ends', () => {
    const { queue, settled, ended } = recordingQueue();
    queue.start('straggler', 1, 'baseline', 0);
    queue.start('after', 1, 'candidate', 100);
    ended('after', { ...failure });
    queue.releaseOld(1_000, 2_000, 300_000);
    expect(settled).toEqual([]); // not a straggler yet: strict start order
    queue.releaseOld(2_000, 2_000, 300_000);
    expect(settled.map((entry) => entry.key)).toEqual(['after']);
    expect(queue.unsettledOf('baseline')).toEqual({ calls: 1, errors: 0 });
    ended('straggler', success(2_500));
    expect(settled.map((entry) => entry.key)).toEqual(['after', 'straggler']);
    expect(queue.unsettledOf('baseline')).toEqual({ calls: 0, errors: 0 });
    // A straggler that never ends is still settled as stalled, once.
    queue.start('hung', 1, 'candidate', 3_000);
    queue.releaseOld(6_000, 2_000, 300_000);
    queue.releaseOld(303_000, 2_000, 300_000);
    ended('hung', success(1));
    expect(settled.map((entry) => [entry.key, entry.outcome.stalled === true])).toEqual([
      ['after', false],
      ['straggler', false],
      ['(stalled)', true],
    ]);
  });
});
