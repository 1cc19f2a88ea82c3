/**
 * Circuit breakers kept in this process's memory: one state machine per target key over a
 * bucketed sliding window. Time comes from an injectable clock and moves the state lazily (an open
 * breaker becomes half-open when it is next looked at after its open period), so there are no
 * timers to leak or to fake in tests.
 *
 *   closed ──(≥ minRequests calls in the window, failure rate ≥ errorRate)──▶ open
 *   open ──(openForMs elapsed)──▶ half_open
 *   half_open ──(halfOpenProbes probes succeeded)──▶ closed, window reset
 *   half_open ──(one probe failed)──▶ open for another openForMs
 */
import type { BreakerPolicy } from '../../config/policy-types.js';
import { ADMITTED_NOW, admitted, probeLeaseMs, probeSlots, refused, shouldOpen } from './breaker-rules.js';
import { createSlidingWindow, type SlidingWindow } from './sliding-window.js';
import { createStateListeners } from './state-listeners.js';
import type { Admission, BreakerRegistry, BreakerState, BreakerStateChange } from './types.js';

/** Options for `createMemoryBreakerRegistry`. */
export interface MemoryBreakerRegistryOptions {
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** One target's breaker. */
interface Breaker {
  state: BreakerState;
  /** When the open period ends (meaningful while open or half-open). */
  openUntil: number;
  window: SlidingWindow;
  /** Expiry times of the probe slots in use, oldest first. */
  probeLeases: number[];
  /** Probes that succeeded in this half-open period. */
  probeSuccesses: number;
}

type ChangeDetails = Pick<BreakerStateChange, 'failureRate' | 'calls'>;

/** In-process breakers, which can also answer `admit` synchronously (key pools pick a key without a turn). */
export interface MemoryBreakerRegistry extends BreakerRegistry {
  /** `admit`'s answer, at once: a half-open breaker reserves a probe slot the same way. */
  admitNow(key: string, policy: BreakerPolicy): Admission;
  /**
   * Gives back a probe slot `admitNow` reserved for a call that was never sent (its key's own
   * limits refused it), so the next call may probe. Nothing when the breaker is no longer half-open.
   */
  releaseProbe(key: string): void;
}

/**
 * A registry of in-process circuit breakers. Use it for a single process, or as the fallback of the
 * Redis registry.
 *
 * @example
 * const breakers = createMemoryBreakerRegistry();
 * const admission = await breakers.admit('anthropic/claude-2.1', policy);
 * if (admission.allowed) breakers.record('anthropic/claude-2.1', policy, 'success', admission.probe);
 */
export function createMemoryBreakerRegistry(options: MemoryBreakerRegistryOptions = {}): MemoryBreakerRegistry {
  const now = options.now ?? Date.now;
  const breakers = new Map<string, Breaker>();
  const listeners = createStateListeners();

  function breakerFor(key: string, windowMs: number): Breaker {
    let breaker = breakers.get(key);
    if (breaker === undefined) {
      breaker = { state: 'closed', openUntil: 0, window: createSlidingWindow(windowMs), probeLeases: [], probeSuccesses: 0 };
      breakers.set(key, breaker);
    } else if (breaker.window.windowMs !== windowMs) {
      breaker.window = createSlidingWindow(windowMs);
    }
    return breaker;
  }

  function transition(key: string, breaker: Breaker, to: BreakerState, at: number, details?: ChangeDetails): void {
    const from = breaker.state;
    breaker.state = to;
    breaker.probeLeases = [];
    breaker.probeSuccesses = 0;
    listeners.emit({ key, from, to, at, ...details });
  }

  /** Moves an open breaker whose open period is over to half-open. */
  function refresh(key: string, breaker: Breaker, at: number): void {
    if (breaker.state === 'open' && at >= breaker.openUntil) transition(key, breaker, 'half_open', at);
  }

  function open(key: string, breaker: Breaker, at: number, policy: BreakerPolicy, details?: ChangeDetails): void {
    breaker.openUntil = at + policy.openForMs;
    transition(key, breaker, 'open', at, details);
  }

  function takeProbe(breaker: Breaker, policy: BreakerPolicy, at: number): Admission {
    breaker.probeLeases = breaker.probeLeases.filter((expiry) => expiry > at);
    if (breaker.probeLeases.length + breaker.probeSuccesses < probeSlots(policy)) {
      breaker.probeLeases.push(at + probeLeaseMs(policy));
      return { allowed: true, probe: true };
    }
    // Every slot is taken by a probe in flight: its outcome (or its lease running out) decides.
    return refused((breaker.probeLeases[0] ?? at + 1) - at);
  }

  /** The admission of a breaker that is not closed; undefined for a closed (or unknown) one. */
  function admitUnlessClosed(key: string, policy: BreakerPolicy): Admission | undefined {
    if (!policy.enabled) return undefined;
    const breaker = breakers.get(key);
    if (breaker === undefined) return undefined;
    const at = now();
    refresh(key, breaker, at);
    switch (breaker.state) {
      case 'closed':
        return undefined;
      case 'open':
        return refused(breaker.openUntil - at);
      case 'half_open':
        return takeProbe(breaker, policy, at);
    }
  }

  return {
    admit(key, policy) {
      const admission = admitUnlessClosed(key, policy);
      return admission === undefined ? ADMITTED_NOW : Promise.resolve(admission);
    },

    admitNow(key, policy) {
      return admitUnlessClosed(key, policy) ?? admitted();
    },

    releaseProbe(key) {
      const breaker = breakers.get(key);
      // Slots are only counted, so giving back the newest is giving back this call's.
      if (breaker?.state === 'half_open') breaker.probeLeases.pop();
    },

    record(key, policy, outcome, probe) {
      if (!policy.enabled) return;
      const at = now();
      const breaker = breakerFor(key, policy.windowMs);
      refresh(key, breaker, at);
      if (breaker.state === 'closed') {
        breaker.window.add(at, outcome === 'failure');
        const counts = breaker.window.counts(at);
        if (shouldOpen(counts, policy)) {
          open(key, breaker, at, policy, { failureRate: counts.failures / counts.calls, calls: counts.calls });
        }
        return;
      }
      // While open, and for calls admitted before the breaker opened, an outcome says nothing
      // about the target now: only probes decide.
      if (breaker.state !== 'half_open' || !probe) return;
      breaker.probeLeases.shift();
      if (outcome === 'failure') {
        open(key, breaker, at, policy);
        return;
      }
      breaker.probeSuccesses += 1;
      if (breaker.probeSuccesses >= probeSlots(policy)) {
        breaker.window.reset();
        transition(key, breaker, 'closed', at);
      }
    },

    state(key) {
      const breaker = breakers.get(key);
      if (breaker === undefined) return 'closed';
      refresh(key, breaker, now());
      return breaker.state;
    },

    onStateChange(listener) {
      return listeners.add(listener);
    },

    toJSON() {
      const at = now();
      const snapshot: Record<string, { state: BreakerState; calls: number; failures: number; openUntil?: number }> = {};
      for (const [key, breaker] of breakers) {
        refresh(key, breaker, at);
        const counts = breaker.window.counts(at);
        snapshot[key] = {
          state: breaker.state,
          calls: counts.calls,
          failures: counts.failures,
          ...(breaker.state === 'closed' ? {} : { openUntil: breaker.openUntil }),
        };
      }
      return snapshot;
    },

    close() {
      listeners.clear();
      return Promise.resolve();
    },
  };
}
