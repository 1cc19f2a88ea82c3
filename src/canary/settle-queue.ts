/**
 * Settling calls in the order they started. LLM calls that fail (429, 529) come back in
 * milliseconds while successes take seconds, so the first calls of a step to *finish* are mostly
 * failures: counted as they finish, a healthy candidate looks broken at the start of every step
 * and after every burst. The canary therefore counts a call only once every call that started
 * before it has finished: both arms are always compared over the same span of start times, and a
 * fast failure cannot outrun the slow successes that started with it.
 *
 * A rare slow call would hold back every call that started after it, delaying every decision by
 * the longest tail (a 50-second straggler among 5-second calls). A call running longer than
 * `stragglerMs` (the caller derives it from the latencies seen, see canary-run.ts) stops holding
 * the others back and is counted when it ends: the few slow successes counted late are the price
 * of not waiting for them. A call still running `stallMs` after its start is settled as `stalled`
 * (counted with the cancellations, its latency the time it ran), and its real end is ignored.
 */
import type { ArmCallOutcome } from './arm-stats.js';
import type { ArmName } from './stats-book.js';

/** A call that started, waiting to be settled. */
interface Entry<Key> {
  readonly key: Key;
  readonly epoch: number;
  readonly arm: ArmName;
  readonly startedAt: number;
  /** Set when the call ended: its outcome (undefined when it tells nothing about its arm). */
  outcome: ArmCallOutcome | undefined;
  ended: boolean;
  /** Running past `stragglerMs`: no longer holds back later calls; counted when it ends. */
  straggling: boolean;
  /** The queue's head has moved past it (only a straggler can be passed while running). */
  passed: boolean;
}

/** What a finished-but-unsettled or running call says so far, per arm (for the conservative broken check). */
export interface UnsettledCounts {
  /** Started and not yet settled. */
  readonly calls: number;
  /** Ended as a failure, not yet settled. */
  readonly errors: number;
}

/** Calls of one rollout in one process, settled in start order. */
export class SettleQueue<Key> {
  private readonly entries: Entry<Key>[] = [];
  private head = 0;
  private readonly byKey = new Map<Key, Entry<Key>>();
  /** Stragglers the head has passed, still running. */
  private readonly stragglers = new Set<Entry<Key>>();
  private readonly unsettled = { baseline: { calls: 0, errors: 0 }, candidate: { calls: 0, errors: 0 } };

  constructor(private readonly settle: (epoch: number, arm: ArmName, outcome: ArmCallOutcome) => void) {}

  /** Calls started and not settled yet. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Unsettled calls of an arm: running, or ended and waiting for an earlier call. */
  unsettledOf(arm: ArmName): UnsettledCounts {
    return this.unsettled[arm];
  }

  /** Notes a call's start. */
  start(key: Key, epoch: number, arm: ArmName, startedAt: number): void {
    const entry: Entry<Key> = { key, epoch, arm, startedAt, outcome: undefined, ended: false, straggling: false, passed: false };
    this.entries.push(entry);
    this.byKey.set(key, entry);
    this.unsettled[arm].calls += 1;
  }

  /** Whether a call is waiting to be settled. */
  has(key: Key): boolean {
    return this.byKey.has(key);
  }

  /** Notes a call's end; settles every call from the oldest that has now ended. */
  end(key: Key, outcome: ArmCallOutcome | undefined): void {
    const entry = this.byKey.get(key);
    if (entry === undefined) return; // settled as stalled already, or never started here
    this.finish(entry, outcome);
    if (entry.passed) {
      this.stragglers.delete(entry);
      this.settleEntry(entry);
    } else {
      this.release();
    }
  }

  /**
   * Lets calls running longer than `stragglerMs` stop holding back later ones, and settles calls
   * running longer than `stallMs` as stalled.
   */
  releaseOld(now: number, stragglerMs: number, stallMs: number): void {
    for (const entry of this.stragglers) {
      if (now - entry.startedAt < stallMs) continue;
      this.stragglers.delete(entry);
      this.finish(entry, stalledOutcome(now - entry.startedAt));
      this.settleEntry(entry);
    }
    for (let index = this.head; index < this.entries.length; index += 1) {
      const entry = this.entries[index] as Entry<Key>;
      const age = now - entry.startedAt;
      if (age < stragglerMs && age < stallMs) break; // in start order: the rest are younger
      if (entry.ended) continue;
      if (age >= stallMs) this.finish(entry, stalledOutcome(age));
      else entry.straggling = true;
    }
    this.release();
  }

  private finish(entry: Entry<Key>, outcome: ArmCallOutcome | undefined): void {
    this.byKey.delete(entry.key);
    entry.ended = true;
    entry.outcome = outcome;
    if (outcome?.failed === true && !outcome.callerFault) this.unsettled[entry.arm].errors += 1;
  }

  private settleEntry(entry: Entry<Key>): void {
    const counts = this.unsettled[entry.arm];
    counts.calls -= 1;
    if (entry.outcome?.failed === true && !entry.outcome.callerFault) counts.errors -= 1;
    if (entry.outcome !== undefined) this.settle(entry.epoch, entry.arm, entry.outcome);
  }

  private release(): void {
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head] as Entry<Key>;
      if (!entry.ended && !entry.straggling) break;
      this.head += 1;
      entry.passed = true;
      if (entry.ended) this.settleEntry(entry);
      else this.stragglers.add(entry);
    }
    // Drop the settled prefix now and then, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}

function stalledOutcome(ranMs: number): ArmCallOutcome {
  return { failed: false, callerFault: false, rescued: false, mixed: false, cancelled: true, stalled: true, latencyMs: ranMs };
}
