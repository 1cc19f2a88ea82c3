/**
 * The subscriber list behind `onStateChange`: plain functions, unsubscribed by the function the
 * subscription returned (cockatiel's event shape).
 */
import type { BreakerStateChange } from './types.js';

/** A set of state-change listeners. */
export interface StateListeners {
  /** Adds a listener; the returned function removes it (calling it twice is harmless). */
  add(listener: (change: BreakerStateChange) => void): () => void;
  /**
   * Calls every listener with the change, in subscription order. A listener that throws does not
   * stop the others nor the breaker (a faulty metrics hook must not break routing); its error is
   * reported as a process warning.
   */
  emit(change: BreakerStateChange): void;
  /** Removes every listener. */
  clear(): void;
}

/** An empty listener set. */
export function createStateListeners(): StateListeners {
  const listeners = new Set<(change: BreakerStateChange) => void>();
  return {
    add(listener) {
      const entry = (change: BreakerStateChange): void => listener(change);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    emit(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          process.emitWarning(`circuit breaker state listener threw: ${message}`, 'SwitchyardWarning');
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
}
