/**
 * What the chat and embedding calls share at their end: the `call-end` event's common fields, and
 * a failure as the caller sees it (a `SwitchyardError` naming the route and the attempts).
 */
import { performance } from 'node:perf_hooks';
import { SwitchyardError } from '../errors.js';
import type { RouterEvents } from '../events.js';
import type { Mutable } from '../mutable.js';
import type { CallContext } from '../pipeline/context.js';

/** The `call-end` event's fields every call has; the caller adds its answer or error. */
export function callEndOf(context: CallContext): Mutable<RouterEvents['call-end']> {
  // Optional fields are assigned by the caller, not spread: this runs on every call metrics or audit listen to.
  return {
    requestId: context.requestId,
    route: context.route.name,
    mode: context.mode,
    request: context.request,
    options: context.options,
    latencyMs: performance.now() - context.startedAt,
    attempts: context.attempts,
    notes: context.notes,
  };
}

/** Anything a call threw, as a `SwitchyardError` that names the call's route and attempts. */
export function callFailure(error: unknown, context: CallContext): SwitchyardError {
  const mapped = SwitchyardError.isInstance(error) ? error : new SwitchyardError({ category: 'unknown', message: error instanceof Error ? error.message : String(error), cause: error });
  return mapped.route === undefined ? mapped.with({ route: context.route.name, attempts: context.attempts }) : mapped;
}
