/**
 * The circuit breaker's public contract: one breaker per target key (`provider/model`), kept
 * in process memory or shared between processes through Redis. Both registries implement
 * `BreakerRegistry`, so the router does not know which one it runs on.
 */
import type { BreakerPolicy } from '../../config/policy-types.js';

/**
 * Where a breaker stands: `closed` lets every call through, `open` refuses calls until its open
 * period ends, `half_open` lets a few probe calls through to decide between the two.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * The answer to "may a call go to this target now?". An allowed call in the half-open state is a
 * probe (`probe: true`) and must report its outcome with `probe: true`; a refused call says how
 * long until the breaker may let calls through again.
 */
export type Admission =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** One state change of one breaker, as given to `onStateChange` listeners. */
export interface BreakerStateChange {
  /** The target key (`provider/model`). */
  readonly key: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** When the change was seen, in the registry's clock (milliseconds since the epoch by default). */
  readonly at: number;
  /** The failure rate (0–1) over the window that opened the breaker; set on threshold openings only. */
  readonly failureRate?: number;
  /** The calls in the window that opened the breaker; set on threshold openings only. */
  readonly calls?: number;
}

/**
 * Every target's circuit breaker. The caller asks `admit` before a call and reports the outcome
 * with `record`; only failures that are the upstream's fault should be recorded as failures
 * (see `countsAgainstBreaker`).
 */
export interface BreakerRegistry {
  /** May a call go to this target now? In half-open state, reserves a probe slot (probe: true). */
  admit(key: string, policy: BreakerPolicy): Promise<Admission>;
  /** Records the outcome of an admitted call. `probe` as returned by admit. */
  record(key: string, policy: BreakerPolicy, outcome: 'success' | 'failure', probe: boolean): void;
  /** The state as this process currently sees it (sync, for routing and explain()). */
  state(key: string): BreakerState;
  /** Subscribe to state changes; returns an unsubscribe function. */
  onStateChange(listener: (change: BreakerStateChange) => void): () => void;
  /**
   * A serialisable snapshot of every breaker (for status/debug): its state, the calls and failures
   * in its current window, and when its open period ends (or ended, while half-open).
   */
  toJSON(): Record<string, { state: BreakerState; calls: number; failures: number; openUntil?: number }>;
  /** Stops timers and writes what is still pending; the registry must not be used afterwards. */
  close(): Promise<void>;
}
