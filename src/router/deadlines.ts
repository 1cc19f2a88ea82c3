/**
 * Total-timeout signals, cheap on the hot path. An `AbortController` costs several microseconds on
 * Node 20 (more than the rest of the router's bookkeeping for a call), and a `setTimeout` per call
 * a few more. So calls whose deadlines fall in the same slot share one controller and one timer:
 * a slot is aborted when its timer fires, once every deadline in it has passed. Slots are 1% of the
 * timeout long (at least `MIN_SLOT_MS`), so a total timeout fires at most 1% late and at most ~100
 * slots of one timeout length exist at a time, whatever the traffic. A slot lives until its timer
 * fires; aborting a slot whose calls all ended touches nothing. A call that brings its own signal
 * gets a controller of its own linked to the slot, since the caller's abort must stop that call only;
 * a caller's signal that several calls in flight share is listened to once (`callerView`).
 * Slot and per-call controllers are `FanOutController`s, so requests and links listen to them
 * through a `Set` rather than `EventTarget` listeners (see `http/shared-signal.ts`).
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { callerView, FanOutController, linkController } from '../http/shared-signal.js';
import { TimeoutReason } from '../http/transport-errors.js';

/** The shortest slot; a total timeout fires at most max(this, 1% of it) late. */
export const MIN_SLOT_MS = 20;

interface Slot {
  readonly controller: FanOutController;
  readonly timer: NodeJS.Timeout;
  /** What every call of the slot without a signal of its own gets: one object, not one per call. */
  readonly shared: CallSignal;
}

/** A call's signal and the function that releases it when the call ends. */
export interface CallSignal {
  readonly signal: AbortSignal;
  readonly dispose: () => void;
}

/** Issues call signals that abort with a `TimeoutReason('total')` after their timeout. */
export interface Deadlines {
  /** A signal aborted by `callerSignal` or when `totalMs` have passed (0 = never). */
  signalFor(callerSignal: AbortSignal | undefined, totalMs: number): CallSignal;
  /** Stops every timer (calls in flight are not aborted). */
  close(): void;
}

const NEVER: AbortSignal = new AbortController().signal;
const NOTHING = (): void => undefined;

/** Creates a deadline keeper; one per router. */
export function createDeadlines(now: () => number = () => performance.now()): Deadlines {
  // Per timeout length (so the abort reason names the caller's own limit), slots by their end.
  const slotsByLength = new Map<number, Map<number, Slot>>();

  function slotFor(totalMs: number): Slot {
    let slots = slotsByLength.get(totalMs);
    if (slots === undefined) {
      slots = new Map();
      slotsByLength.set(totalMs, slots);
    }
    const slotMs = Math.max(MIN_SLOT_MS, Math.ceil(totalMs / 100));
    const end = Math.ceil((now() + totalMs) / slotMs) * slotMs;
    let slot = slots.get(end);
    if (slot === undefined) {
      const controller = new FanOutController();
      setMaxListeners(0, controller.signal); // calls in flight in the slot may listen to it
      const owner = slots;
      const timer = setTimeout(() => {
        owner.delete(end);
        controller.abort(new TimeoutReason('total', totalMs));
      }, Math.max(0, end - now()));
      timer.unref();
      slot = { controller, timer, shared: { signal: controller.signal, dispose: NOTHING } };
      slots.set(end, slot);
    }
    return slot;
  }

  return {
    signalFor(callerSignal, totalMs) {
      // A caller's signal shared by calls in flight is listened to once, through a mirror.
      const caller = callerSignal === undefined ? undefined : callerView(callerSignal);
      if (totalMs <= 0) return caller === undefined ? { signal: NEVER, dispose: NOTHING } : { signal: caller.signal, dispose: caller.release };
      const slot = slotFor(totalMs);
      if (caller === undefined) return slot.shared;
      const controller = new FanOutController();
      const unlinkCaller = linkController(caller.signal, controller);
      const unlinkSlot = linkController(slot.controller.signal, controller);
      return {
        signal: controller.signal,
        dispose: () => {
          unlinkCaller();
          unlinkSlot();
          caller.release();
        },
      };
    },
    close() {
      for (const slots of slotsByLength.values()) for (const slot of slots.values()) clearTimeout(slot.timer);
      slotsByLength.clear();
    },
  };
}
