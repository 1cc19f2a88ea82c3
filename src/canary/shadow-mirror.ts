/**
 * Shadow traffic: the candidate receives a copy of a baseline call after the caller's call ended,
 * so the caller never waits for it. The copy goes straight to the candidate's adapter (no retries,
 * no fallbacks, no rate limits, no cache, no breaker: it is never billed to the caller's limits).
 * At most `concurrency` copies are in flight; when that many are, a new copy is dropped and counted
 * rather than queued, so a slow candidate cannot build up memory or delay anything. `close()`
 * aborts copies still in flight.
 */
import type { PriceTable } from '../config/types.js';
import { isCallerFault, SwitchyardError } from '../errors.js';
import type { RouterInternals } from '../router/plugin.js';
import type { ChatRequest, Target } from '../types.js';
import type { ArmCallOutcome } from './arm-stats.js';
import { costOf } from '../pricing.js';

/** Options of `createShadowMirror`. */
export interface ShadowMirrorOptions {
  readonly concurrency: number;
  readonly mirror: RouterInternals['mirror'];
  readonly pricing: PriceTable;
}

/** A bounded sender of shadow copies. */
export interface ShadowMirror {
  /** Sends a copy; calls `onOutcome` when it ends. Returns false (and sends nothing) when at capacity. */
  send(request: ChatRequest, target: Target, onOutcome: (outcome: ArmCallOutcome | undefined) => void): boolean;
  /** Copies in flight. */
  readonly inFlight: number;
  /** Resolves when no copy is in flight. */
  idle(): Promise<void>;
  /** Aborts the copies in flight. */
  close(): void;
}

/** Creates a shadow mirror. */
export function createShadowMirror(options: ShadowMirrorOptions): ShadowMirror {
  const controllers = new Set<AbortController>();
  const running = new Set<Promise<void>>();
  return {
    get inFlight() {
      return controllers.size;
    },
    send(request, target, onOutcome) {
      if (controllers.size >= options.concurrency) return false;
      const controller = new AbortController();
      controllers.add(controller);
      const work = options
        .mirror(request, target, controller.signal)
        .then(
          ({ result, latencyMs }): ArmCallOutcome => {
            const costUsd = costOf(options.pricing, target, result.usage);
            return { failed: false, callerFault: false, rescued: false, mixed: false, latencyMs, usage: result.usage, ...(costUsd === undefined ? {} : { costUsd }) };
          },
          (error: unknown): ArmCallOutcome | undefined => {
            const category = SwitchyardError.isInstance(error) ? error.category : 'unknown';
            if (category === 'canceled') return undefined;
            return { failed: true, category, callerFault: isCallerFault(category), rescued: false, mixed: false };
          },
        )
        .then((outcome) => {
          if (controller.signal.aborted) return;
          try {
            onOutcome(outcome);
          } catch {
            // a statistics bug must not become an unhandled rejection
          }
        })
        .finally(() => {
          controllers.delete(controller);
          running.delete(work);
        });
      running.add(work);
      return true;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    close() {
      for (const controller of controllers) controller.abort();
    },
  };
}
