/**
 * Abort signals whose listeners cost O(1), for the signals the router itself creates and aborts.
 *
 * On Node 20 an `EventTarget` listener is dear: the first `addEventListener` on a fresh
 * `AbortSignal` costs about 10 µs, each add and remove scans the listener list, and
 * `AbortSignal.any` costs about 30 µs (measured on the benchmark machine, see
 * docs/benchmarks.md). Undici adds a listener to every request's signal. So the router's own
 * signals — deadline slots shared by every call in flight, per-call signals linked to a caller's,
 * a batch's signal — are `FanOutController`s: besides the usual `abort` event they
 * keep a `Set` of relays that their `abort()` runs directly. `requestSignal` gives undici a relay
 * in the EventEmitter shape it also accepts, and `linkController` links a child controller to a
 * parent, both without touching the parent's listener list when the parent is a fan-out signal.
 * A foreign signal (one a caller passed in) is listened to the ordinary way.
 */

/** Something run once when a fan-out signal aborts. */
export interface Relay {
  /** Called once, after the signal has aborted. */
  fire(): void;
}

/** The relays registered on each fan-out signal, until it aborts. */
const relaysBySignal = new WeakMap<AbortSignal, Set<Relay>>();

/**
 * An `AbortController` whose `abort()` also runs the relays registered through `requestSignal` and
 * `linkController`, without `EventTarget` listeners. Ordinary listeners of `signal` work as usual.
 */
export class FanOutController {
  private readonly controller = new AbortController();
  private readonly relays = new Set<Relay>();

  /** Creates a controller whose signal is not aborted yet. */
  constructor() {
    relaysBySignal.set(this.controller.signal, this.relays);
  }

  /** The signal; pass it anywhere an `AbortSignal` is expected. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Aborts the signal (its `abort` listeners run first), then every registered relay, once. A relay
   * that throws does not stop the others; its error is rethrown from a microtask, as `EventTarget`
   * does with a listener's.
   */
  abort(reason?: unknown): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort(reason);
    const relays = [...this.relays];
    this.relays.clear();
    for (const relay of relays) {
      try {
        relay.fire();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** How many relays listen to a fan-out signal now (0 for any other signal). */
export function sharedListenerCount(signal: AbortSignal): number {
  return relaysBySignal.get(signal)?.size ?? 0;
}

/**
 * The value to pass undici as a request's `signal`: for a fan-out signal a relay (undici accepts
 * the EventEmitter shape), otherwise `signal` itself.
 */
export function requestSignal(signal: AbortSignal): AbortSignal | AbortRelay {
  const relays = relaysBySignal.get(signal);
  return relays === undefined ? signal : new AbortRelay(signal, relays);
}

/**
 * Runs `relay.fire()` once when `signal` aborts: through the relay set of a fan-out signal, or an
 * ordinary `abort` listener on any other. Returns the function that stops listening. `signal` must
 * not have aborted yet.
 */
export function addRelay(signal: AbortSignal, relay: Relay): () => void {
  const relays = relaysBySignal.get(signal);
  if (relays !== undefined) {
    relays.add(relay);
    return () => void relays.delete(relay);
  }
  const onAbort = (): void => relay.fire();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/**
 * Links `child` to `parent`: when `parent` aborts, `child` aborts with its reason (at once when it
 * already has). Returns the function that undoes the link; call it when the child's work ends, or
 * the parent keeps the child until the parent aborts.
 */
export function linkController(parent: AbortSignal, child: FanOutController): () => void {
  if (parent.aborted) {
    child.abort(parent.reason);
    return doNothing;
  }
  return addRelay(parent, { fire: () => child.abort(parent.reason) });
}

/**
 * One request's view of a fan-out signal, shaped like the EventEmitter undici accepts as a signal.
 * It holds the one abort listener undici adds per request; a second `on` replaces the first.
 */
export class AbortRelay implements Relay {
  private listener: (() => void) | undefined;

  /** @param signal the fan-out signal; @param relays its registered relays. */
  constructor(
    private readonly signal: AbortSignal,
    private readonly relays: Set<Relay>,
  ) {}

  /** Whether the signal has aborted. */
  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** The signal's abort reason. */
  get reason(): unknown {
    const reason: unknown = this.signal.reason;
    return reason;
  }

  /** Listens for the abort (`event` is always `'abort'`). */
  on(_event: 'abort', listener: () => void): this {
    this.listener = listener;
    if (!this.signal.aborted) this.relays.add(this);
    return this;
  }

  /** Same as `on`: the listener runs at most once. */
  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  /** Stops listening. */
  removeListener(_event: 'abort', _listener: () => void): this {
    this.listener = undefined;
    this.relays.delete(this);
    return this;
  }

  /** Runs the listener once; called when the signal aborts. */
  fire(): void {
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }
}

function doNothing(): void {}

/**
 * Caller signals in use: `DIRECT` while one call listens to the signal itself; once a second call
 * uses it at the same time, the fan-out mirror every later call listens to instead.
 */
const DIRECT = 1;
const callerSignals = new WeakMap<AbortSignal, typeof DIRECT | FanOutController>();

/** How one call listens to a caller's signal: the signal to link to, and `release()` when the call ends. */
export interface CallerView {
  readonly signal: AbortSignal;
  readonly release: () => void;
}

/**
 * The signal one call should listen to for `signal`, a signal its caller passed in. A signal used by
 * one call at a time is listened to directly (one listener, removed when the call ends). Once two
 * calls use a signal at the same time — a server's shutdown signal passed to every call, say — it
 * gets a fan-out mirror, linked to it once for as long as the signal lives, and every later call
 * listens to the mirror through its relay set: no listener per call on the caller's signal, so no
 * list scans that grow with the calls in flight and no `MaxListenersExceededWarning` past ten.
 */
export function callerView(signal: AbortSignal): CallerView {
  if (signal.aborted || relaysBySignal.has(signal)) return { signal, release: doNothing };
  const entry = callerSignals.get(signal);
  if (entry === undefined) {
    callerSignals.set(signal, DIRECT);
    return { signal, release: () => releaseDirect(signal) };
  }
  if (entry !== DIRECT) return { signal: entry.signal, release: doNothing };
  const mirror = new FanOutController();
  linkController(signal, mirror);
  callerSignals.set(signal, mirror);
  return { signal: mirror.signal, release: doNothing };
}

function releaseDirect(signal: AbortSignal): void {
  if (callerSignals.get(signal) === DIRECT) callerSignals.delete(signal);
}
