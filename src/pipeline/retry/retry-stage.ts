/**
 * The retry stage: the innermost call stage, where a call becomes tries. It walks the requested
 * route and then its fallback routes (depth-first, each once), asks target choice for a target
 * (`router/target-choice.ts`), and runs the attempt stages (breaker → timeout → … → adapter) once
 * per try. Per route, `retry.attempts` tries are allowed.
 *
 * What happens after a failed try depends only on the error's category:
 * - the caller's fault (`invalid_request`, `context_length`, `content_filter`, `canceled`, `config`),
 *   or a call whose signal has aborted: stop at once, no other target would answer differently;
 * - `circuit_open` (the breaker stage refused the target): skip it, not counted as a try;
 * - a category in `retry.on` (by default `rate_limit`, `overloaded`, `server`, `timeout`,
 *   `network`): try again, preferring a target of the route not tried yet (at once), then a
 *   fallback route (at once), and only when nothing else can answer the same target again after
 *   a backoff that honours `retry-after`;
 * - anything else (`auth`, `permission`, `not_found`, `quota`, ...): that target is out for this
 *   call, other targets and fallback routes may still answer.
 * Every try after the first takes room in the retry budget. The call's final error carries the
 * deciding failure's category and a message naming every target tried (`failure-summary.ts`).
 *
 * A request that references uploaded files may use only targets on the provider that issued them
 * (`router/file-references.ts`): the others are ruled out before the first try, and a call with no
 * such target in its chain is refused (`invalid_request` naming the part) before any request.
 *
 * It never calls `next`: no call stage runs inside it. A call whose first try answers allocates
 * nothing of the failure bookkeeping (it is made at the first failure, or up front for files).
 */
import { performance } from 'node:perf_hooks';
import type { Policies, RouteConfig, SwitchyardConfig, TargetConfig } from '../../config/types.js';
import { isCallerFault, SwitchyardError } from '../../errors.js';
import type { RouterEventHub } from '../../events.js';
import { mapTransportError } from '../../http/transport-errors.js';
import { summarizeFailures, type NotedFailure } from '../../router/failure-summary.js';
import { createRouteChains, fileExclusions, hasUntriedTargetAfter, nextTarget, NO_KEYS, NOTHING_TRIED, targetNames } from '../../router/target-choice.js';
import type { Attempt } from '../../types.js';
import { attemptFailure } from '../attempt-failure.js';
import type { AttemptContext, CallContext, CallOutcome } from '../context.js';
import type { Stage } from '../stage.js';
import { backoffDelay } from './backoff.js';
import { createCredentialHints, isAuthFailure } from './credential-hints.js';
import type { RetryBudget } from './retry-budget.js';

/** The stage's name, for placing user stages (`{ before: 'retry' }`). */
export const RETRY_STAGE = 'retry';

/** What the retry stage works with. */
export interface RetryStageOptions {
  /** The routes (for fallback chains) and providers (for credential hints). */
  readonly config: SwitchyardConfig;
  /** Runs one try through the attempt stages. */
  readonly runAttempt: (attempt: AttemptContext) => Promise<CallOutcome>;
  readonly budget: RetryBudget;
  readonly events: RouterEventHub;
  /** Random source for weighted choice and jitter. */
  readonly random: () => number;
}

/** What a call's failed tries have found, made at its first failure. */
interface CallFailures {
  /** Targets ruled out for the rest of the call. */
  readonly excluded: Set<string>;
  /** The failure the call ends with when nothing answers. */
  lastError: SwitchyardError | undefined;
  /** Every failed or skipped try, in order: the final error's message lists them. */
  readonly noted: NotedFailure[];
  /** The last `auth`/`permission` failure already reported as falling back. */
  reportedAuth: SwitchyardError | undefined;
}

/** Creates the retry stage of a router. */
export function createRetryStage(options: RetryStageOptions): Stage<CallContext, CallOutcome> {
  const { runAttempt, budget, events, random } = options;
  const chainOf = createRouteChains(options.config.routes);
  const hints = createCredentialHints(options.config, events);

  function recordAttempt(context: CallContext, attempt: Attempt, error?: SwitchyardError): void {
    context.attempts.push(attempt);
    if (!events.has('attempt')) return;
    events.emit('attempt', error === undefined ? { requestId: context.requestId, attempt } : { requestId: context.requestId, attempt, error });
  }

  /** One try at `target`: the attempt stages, recorded in the call's attempts (a breaker's refusal is not a try). */
  async function tryTarget(context: CallContext, route: RouteConfig, policies: Policies, target: TargetConfig): Promise<CallOutcome> {
    const names = targetNames(target);
    const attempt: AttemptContext = { call: context, route, policies, target, names, probe: false, firstByteTimeoutMs: 0, idleTimeoutMs: 0 };
    const started = performance.now();
    let outcome: CallOutcome;
    try {
      outcome = await runAttempt(attempt);
    } catch (error) {
      const failure = attemptFailure(error, attempt);
      if (failure.category !== 'circuit_open') {
        const ms = performance.now() - started;
        recordAttempt(context, failure.status === undefined ? { target: names.resolved, route: route.name, outcome: failure.category, ms } : { target: names.resolved, route: route.name, outcome: failure.category, status: failure.status, ms }, failure);
      }
      throw failure;
    }
    recordAttempt(context, { target: names.resolved, route: route.name, outcome: 'ok', status: 200, ms: performance.now() - started });
    return outcome;
  }

  /**
   * Notes a failed try: its target is excluded for the call when the failure rules it out, and the
   * failure becomes the call's last error. Throws the final error when the call must stop. Returns
   * true when the try did not count as one (the target's breaker was open).
   */
  function noteFailure(context: CallContext, failures: CallFailures, key: string, policies: Policies, failure: SwitchyardError): boolean {
    const hint = hints.hintFor(failure);
    failures.noted.push(hint === undefined ? { key, error: failure } : { key, error: failure, hint });
    if (failure.category === 'circuit_open') {
      failures.excluded.add(key);
      // When every target is open, the call waits the least any of them asks for.
      const last = failures.lastError ?? failure;
      failures.lastError = last.category === 'circuit_open' && (failure.retryAfterMs ?? Infinity) < (last.retryAfterMs ?? Infinity) ? failure : last;
      return true;
    }
    failures.lastError = failure;
    if (isCallerFault(failure.category) || context.signal.aborted) throw finalError(context, failures, failure, { exhausted: false });
    // A bug inside the try (unknown.internal) would only repeat at the same target, whatever retry.on says.
    if (!policies.retry.on.includes(failure.category) || failure.code === 'unknown.internal') failures.excluded.add(key);
    return false;
  }

  /** Reports the retry about to happen: a fallback away from rejected credentials, and the `retry` event. */
  function announceRetry(context: CallContext, failures: CallFailures, route: RouteConfig, target: TargetConfig, delayMs: number): void {
    const last = failures.lastError;
    if (last === undefined) return;
    if (last !== failures.reportedAuth && isAuthFailure(last)) {
      failures.reportedAuth = last;
      hints.reportFallback(last, target);
    }
    if (events.has('retry')) events.emit('retry', { requestId: context.requestId, target: { provider: target.provider, model: target.model }, route: route.name, delayMs, after: last });
  }

  return {
    name: RETRY_STAGE,
    async execute(context) {
      const routes = chainOf(context.route);
      // Embedding inputs are plain strings: no files to look for.
      const files = context.mode === 'embed' ? undefined : fileExclusions(context.request, routes);
      if (files !== undefined && 'error' in files) throw files.error.with({ route: context.route.name, attempts: context.attempts });
      budget.recordCall();
      let failures = files === undefined ? undefined : noFailures(files.excluded);
      let tries = 0;
      for (let routeIndex = 0; routeIndex < routes.length; routeIndex += 1) {
        const route = routes[routeIndex] as RouteConfig;
        const policies = route === context.route ? context.policies : route.policies;
        let tried: Set<string> | undefined;
        for (let triesInRoute = 0; triesInRoute < policies.retry.attempts; triesInRoute += 1) {
          const target = nextTarget(context, route, failures === undefined ? NOTHING_TRIED : { excluded: failures.excluded, tried: tried ?? NO_KEYS }, random);
          if (target === undefined) break;
          const key = targetNames(target).key;
          if (failures !== undefined && tries > 0) {
            let delay = 0;
            if (tried?.has(key) === true) {
              // Waiting out a backoff (or retry-after) while another route could answer now only
              // makes the caller wait: move on to the fallbacks instead.
              if (hasUntriedTargetAfter(routes, routeIndex, failures.excluded)) break;
              const remainingMs = policies.timeout.totalMs > 0 ? policies.timeout.totalMs - (performance.now() - context.startedAt) : Infinity;
              const computed = backoffDelay(policies.retry, { retryIndex: triesInRoute - 1, retryAfterMs: failures.lastError?.retryAfterMs, remainingMs }, random);
              if (computed === undefined) break; // the provider asked for longer than the call has left
              delay = computed;
            }
            // Only a try that will happen takes budget (not one abandoned for a fallback above).
            if (!budget.tryAcquireRetry(policies.retry.budget)) {
              context.notes.retryBudgetExhausted = true;
              const lastError = failures.lastError as SwitchyardError; // a try failed: tries > 0
              throw finalError(context, failures, lastError, { exhausted: false, suffix: ' (retry budget exhausted)' });
            }
            announceRetry(context, failures, route, target, delay);
            await sleep(delay, context.signal);
          }
          tries += 1;
          try {
            return await tryTarget(context, route, policies, target);
          } catch (error) {
            failures ??= noFailures(new Set());
            (tried ??= new Set()).add(key);
            if (noteFailure(context, failures, key, policies, error as SwitchyardError)) {
              tries -= 1; // a skipped target is not a try
              triesInRoute -= 1;
            }
          }
        }
      }
      if (failures?.lastError === undefined) throw noTargetAvailable(context);
      throw finalError(context, failures, failures.lastError, { exhausted: true });
    },
  };
}

/** The bookkeeping of a call before any failure, with `excluded` ruled out from the start. */
function noFailures(excluded: Set<string>): CallFailures {
  return { excluded, lastError: undefined, noted: [], reportedAuth: undefined };
}

/** The error of a call none of whose routes had a target to try. */
function noTargetAvailable(context: CallContext): SwitchyardError {
  return new SwitchyardError({ category: 'circuit_open', code: 'circuit_open.no_target', message: `no target of route "${context.route.name}" is available`, route: context.route.name, attempts: context.attempts });
}

/**
 * The error a call ends with: the deciding failure's category and fields, and a message that
 * names every target tried. `exhausted` when nothing was left to try (rather than stopping early).
 */
function finalError(context: CallContext, failures: CallFailures, failure: SwitchyardError, ending: { readonly exhausted: boolean; readonly suffix?: string }): SwitchyardError {
  const message = failures.noted.length === 0 ? failure.message : summarizeFailures(failures.noted, ending.exhausted);
  return failure.with({ attempts: context.attempts, message: `${message}${ending.suffix ?? ''}` });
}

/** Waits `ms`, or rejects with the call's abort reason (mapped) when its signal aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(mapTransportError(signal.reason, signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
