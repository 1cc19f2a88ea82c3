/**
 * Circuit breakers shared by every process that uses the same Redis and key prefix.
 *
 * Design
 * - Hot path. `admit` answers from this process's view of the shared state: for a closed breaker
 *   it returns an already-resolved promise, with no Redis round-trip. Only a breaker whose open
 *   period is over (half-open) asks Redis, to take a probe slot.
 * - Recording. `record` adds the outcome to a per-target batch and returns; a flush a moment later
 *   (one in flight at a time, commands pipelined on the connection) runs one atomic Lua script per
 *   target that `HINCRBY`s the shared bucket counters of a hash (`c<bucket>`/`f<bucket>`, the same
 *   ten-buckets-per-window numbering as the in-memory window), `PEXPIRE`s it, drops buckets that
 *   slid out, sums the window and, when at least `minRequests` calls fail at `errorRate` or more,
 *   sets the shared `open` key (value: open-until time). The script's reply tells this process at
 *   once; other processes learn it at their next sync.
 * - Sync. Every `syncIntervalMs` (default 250 ms) one read-only script per known target reads the
 *   open-until key and the window counts. Changes seen this way fire `onStateChange` too.
 * - Half-open. Once open-until has passed, the breaker is half-open for everyone. A call takes a
 *   probe slot with a script that adds a leased member to a sorted set while fewer than
 *   `halfOpenProbes` slots are in use or succeeded — `SET probe NX PX lease` generalised to N
 *   slots — so only that many calls probe across all processes. A probe's failure reopens the
 *   breaker for `openForMs`; `halfOpenProbes` successes delete the keys (closed, window reset). A
 *   probe outcome from an older open period is ignored. A lease (one `openForMs`) frees the slot
 *   of a probe whose outcome never comes.
 * - Clocks. Times come from the processes' clocks (injectable `now`); clocks of different hosts
 *   should agree to well under a bucket (a tenth of the window), which NTP gives.
 * - Redis trouble. Every outcome is also recorded in a process-local breaker. When Redis errors,
 *   does not answer within a second, or is disconnected, the registry is `degraded`: it logs once,
 *   answers from the local breaker, and the sync keeps checking Redis; when Redis answers again it
 *   logs that and uses the shared state again. This holds for `failMode: 'closed'` too: refusing
 *   every call because the breaker's store is down would turn a Redis outage into a full outage,
 *   while the local breaker still protects each target. (`failMode` matters to the rate limiter.)
 * - Keys. `<prefix>breaker:{<target>}:window|open|probes|probe-successes`, one hash tag per target
 *   (one Cluster slot). Keys expire on their own: the window after two windows without calls, the
 *   open key an hour after its open period (a half-open breaker left without calls that long
 *   counts as closed again).
 */
import type { Redis } from 'ioredis';
import type { BreakerPolicy } from '../../config/types.js';
import { redactSecrets } from '../../errors.js';
import { ADMITTED_NOW, admitted, probeLeaseMs, probeSlots, refused } from './breaker-rules.js';
import { createMemoryBreakerRegistry } from './memory-registry.js';
import {
  ADMIT_PROBE_SCRIPT,
  RECORD_PROBE_SCRIPT,
  RECORD_SCRIPT,
  SYNC_SCRIPT,
  breakerKeys,
  runScriptWithin,
  type LuaScript,
} from './redis-scripts.js';
import { applyOpenUntil, createSharedView, sharedState, type ProbeToken, type SharedView } from './shared-view.js';
import { createOutcomeBatch, type PendingOutcomes } from './outcome-batch.js';
import { oldestBucketIndex } from './sliding-window.js';
import { createStateListeners } from './state-listeners.js';
import type { Admission, BreakerRegistry, BreakerState, BreakerStateChange } from './types.js';

/** Options for `createRedisBreakerRegistry`. */
export interface RedisBreakerRegistryOptions {
  /** A connected (or lazily connecting) ioredis client; the registry never closes it. */
  readonly redis: Redis;
  /** Prefix of every key, e.g. `switchyard:`. */
  readonly keyPrefix: string;
  /** Accepted for symmetry with the other shared stores; the breaker always falls back to local state (see above). */
  readonly failMode: 'open' | 'closed';
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * How often the shared state is read back from Redis.
   * @default 250
   */
  readonly syncIntervalMs?: number;
  /**
   * Where the registry says that Redis became unavailable or came back (once per change).
   * @default console.warn
   */
  readonly logger?: (message: string) => void;
}

/** A breaker registry shared through Redis. */
export interface RedisBreakerRegistry extends BreakerRegistry {
  /** True while Redis is unavailable and breakers run on this process's local state. */
  readonly degraded: boolean;
}

/** How long an awaited Redis operation may take before Redis counts as unavailable. */
const OPERATION_TIMEOUT_MS = 1_000;
/** How long the open key outlives its open period (cleanup only). */
const OPEN_RETENTION_MS = 3_600_000;

const LOCAL_PROBE: ProbeToken = { source: 'local' };

type ChangeDetails = Pick<BreakerStateChange, 'failureRate' | 'calls'>;

/**
 * A registry whose breakers are shared by every process using the same Redis and `keyPrefix`.
 *
 * @example
 * const breakers = createRedisBreakerRegistry({ redis, keyPrefix: 'switchyard:', failMode: 'open' });
 */
export function createRedisBreakerRegistry(options: RedisBreakerRegistryOptions): RedisBreakerRegistry {
  const { redis, keyPrefix } = options;
  const now = options.now ?? Date.now;
  const syncIntervalMs = Math.max(1, options.syncIntervalMs ?? 250);
  const logger = options.logger ?? ((message: string) => console.warn(message));
  const local = createMemoryBreakerRegistry({ now });
  const listeners = createStateListeners();
  const views = new Map<string, SharedView>();
  const outcomes = createOutcomeBatch(sendBatches);
  const inFlight = new Set<Promise<void>>();
  const instanceId = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let probeSequence = 0;
  let degraded = false;
  let closed = false;
  let everReady = false;
  let syncing = false;

  function viewFor(key: string, policy?: BreakerPolicy): SharedView {
    let view = views.get(key);
    if (view === undefined) {
      view = createSharedView(breakerKeys(keyPrefix, key), policy);
      views.set(key, view);
    } else if (policy !== undefined) {
      view.policy = policy;
    }
    return view;
  }

  function onLocalState(): boolean {
    return degraded || closed;
  }

  /** Announces the state this process now sees for `key`, if it differs from the last announced. */
  function reconcile(key: string, view: SharedView, details?: ChangeDetails): void {
    const at = now();
    const to = onLocalState() ? local.state(key) : sharedState(view, at);
    if (to === view.reported) return;
    const from = view.reported;
    view.reported = to;
    if (from === 'closed' && to === 'half_open') {
      // Opened and its open period ended between two looks: announce both steps.
      listeners.emit({ key, from, to: 'open', at, ...details });
      listeners.emit({ key, from: 'open', to, at });
    } else {
      listeners.emit({ key, from, to, at, ...(to === 'open' ? details : undefined) });
    }
  }

  // While degraded, the local breakers' own changes are the ones to announce.
  local.onStateChange((change) => {
    if (!onLocalState()) return;
    const view = viewFor(change.key);
    if (view.reported === change.to) return;
    const from = view.reported;
    view.reported = change.to;
    listeners.emit({ ...change, from });
  });

  function describe(error: unknown): string {
    return redactSecrets(error instanceof Error ? error.message : String(error));
  }

  function enterDegraded(error: unknown): void {
    if (degraded || closed) return;
    degraded = true;
    outcomes.clear();
    const failModeNote =
      options.failMode === 'closed' ? " (failMode 'closed' does not refuse calls for the breaker: that would turn a Redis outage into a full outage)" : '';
    logger(`switchyard breaker: Redis unavailable (${describe(error)}); using process-local breaker state until it answers again${failModeNote}`);
    for (const [key, view] of views) reconcile(key, view);
  }

  function leaveDegraded(): void {
    if (!degraded) return;
    degraded = false;
    logger('switchyard breaker: Redis answers again; using shared breaker state');
  }

  /** Whether a command sent now can be expected to reach Redis soon. */
  function usable(): boolean {
    const status = redis.status;
    if (status === 'ready') everReady = true;
    if (status === 'ready' || status === 'wait' || status === 'connect') return true;
    // The first connection may still be on its way; a reconnection means Redis went away.
    return status === 'connecting' && !everReady;
  }

  function call(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<string[]> {
    return runScriptWithin(OPERATION_TIMEOUT_MS, redis, script, keys, args);
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  function admitLocally(key: string, policy: BreakerPolicy): Promise<Admission> {
    return local.admit(key, policy).then((admission) => {
      if (admission.allowed && admission.probe) viewFor(key, policy).probes.push(LOCAL_PROBE);
      return admission;
    });
  }

  async function admitProbe(key: string, policy: BreakerPolicy, view: SharedView, at: number): Promise<Admission> {
    probeSequence += 1;
    const probeId = `${instanceId}:${probeSequence}`;
    const ttl = String(policy.openForMs + OPEN_RETENTION_MS);
    let reply: string[];
    try {
      if (!usable()) throw new Error(`connection is ${redis.status}`);
      reply = await call(ADMIT_PROBE_SCRIPT, [view.keys.open, view.keys.probes, view.keys.successes], [
        String(at),
        String(probeSlots(policy)),
        String(at + probeLeaseMs(policy)),
        probeId,
        ttl,
      ]);
    } catch (error) {
      enterDegraded(error);
      return admitLocally(key, policy);
    }
    const [verdict = '', generation = '', leaseExpiry = ''] = reply;
    if (verdict === 'closed') {
      applyOpenUntil(view, '');
      reconcile(key, view);
      return admitted();
    }
    applyOpenUntil(view, generation);
    reconcile(key, view);
    if (verdict === 'probe') {
      view.probes.push({ source: 'redis', id: probeId, generation });
      return { allowed: true, probe: true };
    }
    if (verdict === 'open') return refused(view.openUntil - now());
    const wait = leaseExpiry === '' ? syncIntervalMs : Number(leaseExpiry) - at;
    view.busyUntil = at + Math.min(syncIntervalMs, wait);
    view.busyRetryAt = at + wait;
    return refused(wait);
  }

  async function recordProbe(key: string, policy: BreakerPolicy, view: SharedView, probe: ProbeToken & { source: 'redis' }, outcome: 'success' | 'failure'): Promise<void> {
    try {
      const reply = await call(RECORD_PROBE_SCRIPT, [view.keys.window, view.keys.open, view.keys.probes, view.keys.successes], [
        outcome,
        probe.generation,
        probe.id,
        String(probeSlots(policy)),
        String(now() + policy.openForMs),
        String(policy.openForMs + OPEN_RETENTION_MS),
      ]);
      const [verdict = '', generation = ''] = reply;
      if (verdict === 'closed') {
        applyOpenUntil(view, '');
        view.calls = 0;
        view.failures = 0;
      } else if (generation !== '') {
        applyOpenUntil(view, generation);
      }
      reconcile(key, view);
    } catch (error) {
      enterDegraded(error);
    }
  }

  async function sendBatches(batches: ReadonlyMap<string, PendingOutcomes>): Promise<void> {
    if (!usable()) {
      enterDegraded(new Error(`connection is ${redis.status}`));
      return;
    }
    const at = now();
    const results = await Promise.allSettled(
      [...batches].map(async ([key, batch]) => {
        const { policy } = batch;
        const view = viewFor(key, policy);
        const args = [
          String(oldestBucketIndex(at, policy.windowMs)),
          String(2 * policy.windowMs),
          String(Math.max(1, policy.minRequests)),
          String(policy.errorRate),
          String(at + policy.openForMs),
          String(policy.openForMs + OPEN_RETENTION_MS),
        ];
        for (const [index, counts] of batch.buckets) args.push(String(index), String(counts.calls), String(counts.failures));
        const [opened = '0', generation = '', calls = '0', failures = '0'] = await call(
          RECORD_SCRIPT,
          [view.keys.window, view.keys.open, view.keys.probes, view.keys.successes],
          args,
        );
        view.calls = Number(calls);
        view.failures = Number(failures);
        applyOpenUntil(view, generation);
        const details = opened === '1' ? { failureRate: view.failures / view.calls, calls: view.calls } : undefined;
        reconcile(key, view, details);
      }),
    );
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined) enterDegraded(failure.reason);
  }

  async function sync(): Promise<void> {
    if (syncing || closed) return;
    syncing = true;
    try {
      if (!usable()) throw new Error(`connection is ${redis.status}`);
      const at = now();
      const entries = [...views];
      if (entries.length === 0 && degraded) await redis.ping();
      await Promise.all(
        entries.map(async ([, view]) => {
          const oldest = view.policy === undefined ? '' : String(oldestBucketIndex(at, view.policy.windowMs));
          const [generation = '', calls = '0', failures = '0'] = await call(SYNC_SCRIPT, [view.keys.window, view.keys.open], [oldest]);
          // Applied reply by reply: the connection answers in order, so no older read overwrites a newer script reply.
          view.calls = Number(calls);
          view.failures = Number(failures);
          applyOpenUntil(view, generation);
        }),
      );
      leaveDegraded();
      for (const [key, view] of entries) reconcile(key, view);
    } catch (error) {
      enterDegraded(error);
    } finally {
      syncing = false;
    }
  }

  const syncTimer = setInterval(() => {
    track(sync());
  }, syncIntervalMs);
  syncTimer.unref();

  return {
    get degraded() {
      return degraded;
    },

    admit(key, policy) {
      if (!policy.enabled) return ADMITTED_NOW;
      if (onLocalState()) return admitLocally(key, policy);
      const view = viewFor(key, policy);
      if (view.generation === undefined) return ADMITTED_NOW;
      const at = now();
      reconcile(key, view);
      if (at < view.openUntil) return Promise.resolve(refused(view.openUntil - at));
      if (at < view.busyUntil) return Promise.resolve(refused(view.busyRetryAt - at));
      return admitProbe(key, policy, view, at);
    },

    record(key, policy, outcome, probe) {
      if (!policy.enabled) return;
      const view = viewFor(key, policy);
      const token = probe ? view.probes.shift() : undefined;
      if (probe && (token === undefined || token.source === 'local')) {
        local.record(key, policy, outcome, true);
        return;
      }
      // The local breaker sees every outcome, so it is warm when Redis goes away.
      local.record(key, policy, outcome, false);
      if (onLocalState()) return;
      if (token !== undefined && token.source === 'redis') track(recordProbe(key, policy, view, token, outcome));
      else outcomes.add(key, policy, outcome, now());
    },

    state(key) {
      if (onLocalState()) return local.state(key);
      const view = viewFor(key);
      if (view.generation === undefined) return 'closed';
      reconcile(key, view);
      return sharedState(view, now());
    },

    onStateChange(listener) {
      return listeners.add(listener);
    },

    toJSON() {
      if (onLocalState()) return local.toJSON();
      const at = now();
      const snapshot: Record<string, { state: BreakerState; calls: number; failures: number; openUntil?: number }> = {};
      for (const [key, view] of views) {
        snapshot[key] = {
          state: sharedState(view, at),
          calls: view.calls,
          failures: view.failures,
          ...(view.generation === undefined ? {} : { openUntil: view.openUntil }),
        };
      }
      return snapshot;
    },

    async close() {
      if (closed) return;
      clearInterval(syncTimer);
      outcomes.stop();
      if (!degraded) await outcomes.flush();
      await Promise.allSettled([...inFlight]);
      closed = true;
      listeners.clear();
      await local.close();
    },
  };
}
