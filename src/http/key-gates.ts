/**
 * What a pooled key must pass besides not being removed or cooling: its own limits
 * (`apiKeys[i].limits`, held in a `KeyLimitStore`) and its own circuit breaker (`keyPool.breaker`,
 * the in-memory breaker of the pipeline, one per key). The key pool asks these gates in its order
 * of turn and takes the first key they admit.
 *
 * What a key's breaker counts (`breakerOutcome`): a 5xx (`server`, `overloaded`), a timeout and a
 * 429 (`rate_limit`, `quota`) are failures; any other answer, a 4xx for the caller's request
 * included, is a success (the key works). A network error says nothing about one key and a refused
 * key (401/403) leaves the pool anyway: neither is recorded.
 *
 * The breaker is asked first: an open one, or a half-open one whose probe slots are all in flight,
 * refuses without spending the key's limit room; a probe slot taken for a call the limits then
 * refuse is given back.
 */
import type { BreakerPolicy } from '../config/policy-types.js';
import type { SwitchyardError } from '../errors.js';
import { createMemoryBreakerRegistry, type MemoryBreakerRegistry } from '../pipeline/breaker/memory-registry.js';
import type { Admission, BreakerState, BreakerStateChange } from '../pipeline/breaker/types.js';
import type { KeyLimits, KeyLimitStore, KeyRoom } from './key-limit-store.js';

/** Why a gate refused a key. */
export type KeyRefusalReason = 'limits' | 'breaker';

/** A gate's answer for one key. */
export type KeyAdmission =
  | {
      readonly admitted: true;
      /** The try is one of the half-open breaker's probes. */
      readonly probe: boolean;
      /** Charges tokens to the key's tpm limit; absent when the key has none. */
      readonly charge: ((tokensUsed: number) => void) | undefined;
    }
  | { readonly admitted: false; readonly reason: KeyRefusalReason; readonly retryAfterMs: number };

/** One key's gates. */
interface KeyGateSpec {
  /** The key's state name in the limit store (`keyStateName`). */
  readonly name: string;
  readonly limits: KeyLimits | undefined;
}

/** The gates of one pool's keys, by position. */
export interface KeyGates {
  /** Whether admission needs a round trip (limits shared through Redis). */
  readonly shared: boolean;
  /** Admits key `index` now (in-process state only). */
  admitNow(index: number): KeyAdmission;
  /** Admits key `index`, asking shared state. */
  admit(index: number, signal: AbortSignal | undefined): Promise<KeyAdmission>;
  /** Tells key `index`'s breaker how a request on it went (`undefined`: it succeeded). */
  record(index: number, failure: SwitchyardError | undefined, probe: boolean): void;
  /** Key `index`'s breaker state, or undefined without a breaker. */
  breakerState(index: number): BreakerState | undefined;
}

/** Options of `createKeyGates`. */
export interface KeyGatesOptions {
  readonly keys: readonly KeyGateSpec[];
  /** Where the limits live; required when a key has limits. */
  readonly store: KeyLimitStore | undefined;
  /** The per-key breaker policy; undefined: no breakers. */
  readonly breaker: BreakerPolicy | undefined;
  /** Told when a key's breaker changes state (key = its position as a string). */
  readonly onBreakerChange: (index: number, change: BreakerStateChange) => void;
  /** The breakers' clock, ms. */
  readonly now: () => number;
}

/** The breaker outcome a request's result is, or undefined when it says nothing about the key. */
function breakerOutcome(failure: SwitchyardError | undefined): 'success' | 'failure' | undefined {
  if (failure === undefined) return 'success';
  switch (failure.category) {
    case 'server':
    case 'overloaded':
    case 'timeout':
    case 'rate_limit':
    case 'quota':
      return 'failure';
    case 'auth':
    case 'permission':
    case 'network':
    case 'canceled':
    case 'unknown':
      return undefined;
    default:
      // An answer to the caller's own request (400, 413, a content filter): the key worked.
      return failure.status === undefined ? undefined : 'success';
  }
}

const FREE_PASS: KeyAdmission = Object.freeze({ admitted: true, probe: false, charge: undefined });
const NO_BREAKER: Admission = Object.freeze({ allowed: true, probe: false });

/** Creates the gates of one pool. */
export function createKeyGates(options: KeyGatesOptions): KeyGates {
  const { keys, store, breaker } = options;
  const breakers: MemoryBreakerRegistry | undefined = breaker === undefined ? undefined : createMemoryBreakerRegistry({ now: options.now });
  breakers?.onStateChange((change) => options.onBreakerChange(Number(change.key), change));

  function limitsOf(index: number): { readonly name: string; readonly limits: KeyLimits } | undefined {
    const spec = keys[index];
    return spec?.limits === undefined ? undefined : { name: spec.name, limits: spec.limits };
  }

  /**
   * The breaker's word, asked before the limits spend room: an open breaker refuses, a half-open
   * one reserves a probe slot or refuses when every slot is in flight; a closed one (or none) admits.
   */
  function breakerAdmission(index: number): Admission {
    if (breakers === undefined || breaker === undefined) return NO_BREAKER;
    return breakers.admitNow(String(index), breaker);
  }

  /** A probe slot reserved for a call the limits then refused goes back, so the next call may probe. */
  function giveBack(index: number, admission: Admission): void {
    if (admission.allowed && admission.probe) breakers?.releaseProbe(String(index));
  }

  /** The gates' answer once the breaker admitted and the limits answered (`undefined`: the key has none). */
  function withRoom(index: number, admission: Admission & { allowed: true }, room: KeyRoom | undefined): KeyAdmission {
    if (room !== undefined && !room.admitted) {
      giveBack(index, admission);
      return { admitted: false, reason: 'limits', retryAfterMs: room.retryAfterMs };
    }
    const charge = room?.release;
    if (!admission.probe && charge === undefined) return FREE_PASS;
    return { admitted: true, probe: admission.probe, charge };
  }

  return {
    shared: store?.shared === true && keys.some((key) => key.limits !== undefined),
    admitNow(index) {
      const admission = breakerAdmission(index);
      if (!admission.allowed) return { admitted: false, reason: 'breaker', retryAfterMs: admission.retryAfterMs };
      const limited = limitsOf(index);
      return withRoom(index, admission, limited === undefined || store === undefined ? undefined : store.tryNow(limited.name, limited.limits));
    },
    async admit(index, signal) {
      const admission = breakerAdmission(index);
      if (!admission.allowed) return { admitted: false, reason: 'breaker', retryAfterMs: admission.retryAfterMs };
      const limited = limitsOf(index);
      if (limited === undefined || store === undefined) return withRoom(index, admission, undefined);
      let room: KeyRoom;
      try {
        room = await store.tryShared(limited.name, limited.limits, signal);
      } catch (error) {
        // Redis down (`failMode: closed`) or the call canceled: no request goes out on the probe.
        giveBack(index, admission);
        throw error;
      }
      return withRoom(index, admission, room);
    },
    record(index, failure, probe) {
      if (breakers === undefined || breaker === undefined) return;
      const outcome = breakerOutcome(failure);
      if (outcome !== undefined) breakers.record(String(index), breaker, outcome, probe);
    },
    breakerState(index) {
      return breakers?.state(String(index));
    },
  };
}
