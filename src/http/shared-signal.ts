/**
 * Abort signals that many requests listen to at once, with listeners that cost O(1).
 *
 * The router's deadline slots hand one `AbortSignal` to every call in flight in the slot, and undici
 * adds (then removes) an abort listener to the signal of each request. Node's `EventTarget` scans
 * its whole listener list on every add and remove, so with N calls in flight each request paid
 * O(N) twice: about 5 µs per call at 64 in flight (see docs/benchmarks.md). A shared signal keeps
 * its requests' listeners in a `Set` instead, behind one `EventTarget` listener of its own:
 * `shareSignal` marks a signal as shared, and `requestSignal` gives what to pass undici as a
 * request's `signal` — for a shared signal a small relay object in the EventEmitter shape undici
 * also accepts (`on`/`once`/`removeListener`, `aborted`, `reason`), for any other signal the signal
 * itself.
 */

/** The relays of each shared signal still listening. */
const relaysBySignal = new WeakMap<AbortSignal, Set<AbortRelay>>();

/**
 * Marks `signal` as shared by many requests: requests given it through `requestSignal` listen
 * through a `Set` rather than the signal's own listener list. Marking twice does nothing.
 */
export function shareSignal(signal: AbortSignal): void {
  if (relaysBySignal.has(signal)) return;
  const relays = new Set<AbortRelay>();
  relaysBySignal.set(signal, relays);
  const fire = (): void => {
    const listening = [...relays];
    relays.clear();
    for (const relay of listening) relay.fire();
  };
  if (signal.aborted) return;
  signal.addEventListener('abort', fire, { once: true });
}

/** How many requests listen to a shared signal now (0 for a signal that is not shared). */
export function sharedListenerCount(signal: AbortSignal): number {
  return relaysBySignal.get(signal)?.size ?? 0;
}

/**
 * The value to pass undici as a request's `signal`: a relay for a shared signal (see
 * `shareSignal`), otherwise `signal` itself.
 */
export function requestSignal(signal: AbortSignal): AbortSignal | AbortRelay {
  const relays = relaysBySignal.get(signal);
  return relays === undefined ? signal : new AbortRelay(signal, relays);
}

/**
 * One request's view of a shared signal, shaped like the EventEmitter undici accepts as a signal.
 * It holds the one abort listener undici adds per request; a second `on` replaces the first.
 */
export class AbortRelay {
  private listener: (() => void) | undefined;

  /** @param signal the shared signal; @param relays its listening relays. */
  constructor(
    private readonly signal: AbortSignal,
    private readonly relays: Set<AbortRelay>,
  ) {}

  /** Whether the shared signal has aborted. */
  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** The shared signal's abort reason. */
  get reason(): unknown {
    return this.signal.reason;
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

  /** Runs the listener once; called by the shared signal's own abort listener. */
  fire(): void {
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }
}
