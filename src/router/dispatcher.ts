/**
 * The dispatcher: the innermost call-level step. It walks the requested route and then its
 * fallback routes, choosing a target, asking its circuit breaker, applying timeouts and calling the
 * adapter, and retries with backoff and a budget. Per route, `retry.attempts` tries are allowed.
 *
 * What happens after a failed try depends only on the error's category:
 * - the caller's fault (`invalid_request`, `context_length`, `content_filter`, `canceled`, `config`):
 *   stop at once, no other target would answer differently;
 * - a category in `retry.on` (by default `rate_limit`, `overloaded`, `server`, `timeout`,
 *   `network`): try again, preferring a target of the route not tried yet (immediately), then a
 *   fallback route (immediately), and only when nothing else can answer the same target again
 *   after backoff that honours `retry-after`;
 * - anything else (`auth`, `permission`, `not_found`, `quota`, ...): that target is out for this
 *   call, other targets and fallback routes may still answer.
 * A stream is committed once its first output part exists: errors before it are handled as above,
 * errors after it end the caller's iteration with a `SwitchyardError` and are never retried.
 */
import { performance } from 'node:perf_hooks';
import type { BreakerPolicy, Policies, RouteConfig, SwitchyardConfig, TargetConfig } from '../config/types.js';
import { isCallerFault, SwitchyardError } from '../errors.js';
import type { RouterEventHub } from '../events.js';
import { mapTransportError } from '../http/transport-errors.js';
import { ADMITTED_NOW } from '../pipeline/breaker/breaker-rules.js';
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import { backoffDelay } from '../pipeline/retry/backoff.js';
import type { RetryBudget } from '../pipeline/retry/retry-budget.js';
import type { AdapterCall, AdapterResult, AdapterStreamPart, ProviderAdapter } from '../provider-spec.js';
import type { Attempt, Target } from '../types.js';
import { apiKeyVariable } from '../config/api-key.js';
import { CommittedStream } from './committed-stream.js';
import { summarizeFailures, type NotedFailure } from './failure-summary.js';
import { buildResponse, isOutputPart } from './response-assembly.js';
import { chooseTarget } from './target-selection.js';

/** A breaker's answer for one target. */
export type BreakerAdmission = { readonly allowed: true; readonly probe: boolean } | { readonly allowed: false; readonly retryAfterMs: number };

/** What the dispatcher needs of the circuit breakers. */
export interface BreakerGate {
  admit(key: string, policy: BreakerPolicy): Promise<BreakerAdmission>;
  record(key: string, policy: BreakerPolicy, outcome: 'success' | 'failure', probe: boolean): void;
}

/** The dispatcher's collaborators. */
export interface DispatcherDependencies {
  readonly config: SwitchyardConfig;
  readonly adapterFor: (provider: string) => ProviderAdapter;
  readonly breakers: BreakerGate | undefined;
  readonly retryBudget: RetryBudget;
  readonly events: RouterEventHub;
  readonly random?: () => number;
  /**
   * Chooses the first target of a route for a call instead of the weighted choice (canary
   * rollouts assign arms this way). Returning undefined falls back to the weighted choice.
   */
  readonly assignTarget?: (route: RouteConfig, context: CallContext) => TargetConfig | undefined;
}

/** One try's target and what the dispatcher knows about it. */
interface AttemptTarget {
  readonly route: RouteConfig;
  readonly policies: Policies;
  readonly target: TargetConfig;
  /** `provider/model`, the breaker's key. */
  readonly key: string;
  readonly breakerOn: boolean;
  /** Whether the breaker admitted this try as a half-open probe. */
  readonly probe: boolean;
  /** The target as responses and attempts name it. */
  readonly resolved: Target;
  /** The call's first try: its failure goes on in the retry loop from where the try fails. */
  readonly first: boolean;
}

/** What a call's tries have found so far. */
interface DispatchState {
  /** Targets ruled out for the rest of the call. */
  excluded: Set<string> | undefined;
  /** The failure the call ends with when nothing answers. */
  lastError: SwitchyardError | undefined;
  /** Every failed or skipped try, in order: the final error's message lists them. */
  readonly failures: NotedFailure[];
  /** The last `auth`/`permission` failure already reported as falling back. */
  reportedAuth: SwitchyardError | undefined;
}

/** Categories that say the provider refused the credentials. */
function isAuthFailure(error: SwitchyardError): boolean {
  return error.category === 'auth' || error.category === 'permission';
}

/** At most one `auth-fallback` warning per provider in this long (the metric counts every one). */
export const AUTH_WARNING_INTERVAL_MS = 60_000;

/** Categories that rule a target out for the rest of the call but may be fixed elsewhere. */
function countsAgainstBreaker(error: SwitchyardError): boolean {
  return !isCallerFault(error.category) && error.category !== 'circuit_open';
}

function toError(error: unknown, signal: AbortSignal): SwitchyardError {
  return mapTransportError(error, signal);
}

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

/** The routes a call may use, in order: the requested one, then fallbacks depth-first, each once. */
export function routeChain(route: RouteConfig, routes: Readonly<Record<string, RouteConfig>>): RouteConfig[] {
  const chain: RouteConfig[] = [];
  const seen = new Set<string>();
  const visit = (current: RouteConfig): void => {
    if (seen.has(current.name)) return;
    seen.add(current.name);
    chain.push(current);
    for (const name of current.fallbacks) {
      const next = routes[name];
      if (next !== undefined) visit(next);
    }
  };
  visit(route);
  return chain;
}

/** Every target is usable while none is ruled out. */
function anyTarget(): boolean {
  return true;
}

/** No keys: stands for a set not created yet. */
const NO_KEYS: ReadonlySet<string> = new Set();

/** A configured target's names, made once: the breaker's key and the target as responses name it. */
interface TargetNames {
  /** `provider/model`. */
  readonly key: string;
  /** Frozen, so every response and attempt of the target can share it. */
  readonly resolved: Target;
}

const targetNames = new WeakMap<TargetConfig, TargetNames>();

/** The names of a configured target, computed once per target. */
function namesOf(target: TargetConfig): TargetNames {
  let names = targetNames.get(target);
  if (names === undefined) {
    names = { key: `${target.provider}/${target.model}`, resolved: Object.freeze({ provider: target.provider, model: target.model }) };
    targetNames.set(target, names);
  }
  return names;
}

/** `provider/model`, computed once per configured target. */
function targetKey(target: TargetConfig): string {
  return namesOf(target).key;
}

/** Whether a route after `index` in the chain has a target not ruled out for this call. */
function hasUntriedTargetAfter(routes: readonly RouteConfig[], index: number, excluded: ReadonlySet<string>): boolean {
  for (let later = index + 1; later < routes.length; later += 1) {
    for (const target of (routes[later] as RouteConfig).targets) if (target.weight > 0 && !excluded.has(targetKey(target))) return true;
  }
  return false;
}

/** Creates the dispatch function of a router. */
export function createDispatcher(dependencies: DispatcherDependencies): (context: CallContext) => Promise<CallOutcome> {
  const { breakers, retryBudget, events } = dependencies;
  const random = dependencies.random ?? Math.random;
  /** When each provider's last `auth-fallback` warning was emitted. */
  const authWarnedAt = new Map<string, number>();

  /** Where a provider's key is set, for messages about a rejected key: the variable when known. */
  function keySettingOf(provider: string): string {
    const variable = apiKeyVariable(dependencies.config, provider);
    return variable === undefined ? `providers.${provider}.apiKey` : `the key in ${variable} (providers.${provider}.apiKey)`;
  }

  /**
   * A target refused its credentials and the call is about to try another: say so, once a minute
   * per provider, naming the provider and the variable its key came from (never the key).
   */
  function reportAuthFallback(failure: SwitchyardError, next: TargetConfig): void {
    if (!events.has('warning')) return;
    const provider = failure.provider ?? 'unknown';
    const now = performance.now();
    const last = authWarnedAt.get(provider);
    if (last !== undefined && now - last < AUTH_WARNING_INTERVAL_MS) return;
    authWarnedAt.set(provider, now);
    const status = failure.status === undefined ? failure.category : `${failure.status} ${failure.category}`;
    const check = `check ${keySettingOf(provider)}`;
    events.emit('warning', {
      code: 'auth-fallback',
      message: `provider "${provider}" refused its credentials (${status}) for ${failure.provider ?? '?'}/${failure.model ?? '?'}; the call falls back to ${next.provider}/${next.model}: ${check}`,
    });
  }

  function recordAttempt(context: CallContext, attempt: Attempt, error?: SwitchyardError): void {
    context.attempts.push(attempt);
    if (!events.has('attempt')) return;
    events.emit('attempt', error === undefined ? { requestId: context.requestId, attempt } : { requestId: context.requestId, attempt, error });
  }

  /** Maps an attempt's failure and tells the breaker, when the failure says something about the target. */
  function failAttempt(error: unknown, signal: AbortSignal, attempt: AttemptTarget): SwitchyardError {
    const { target, breakerOn, probe } = attempt;
    const mapped = toError(error, signal).with({ route: attempt.route.name, provider: target.provider, model: target.model });
    // A canceled probe proves nothing either way: record nothing; its slot frees itself after openFor.
    if (breakerOn && countsAgainstBreaker(mapped)) breakers?.record(attempt.key, attempt.policies.breaker, 'failure', probe);
    else if (breakerOn && probe && mapped.category !== 'canceled') breakers?.record(attempt.key, attempt.policies.breaker, 'success', probe);
    return mapped;
  }

  /** Picks the next target of a route: untried targets first (chosen one, then by weight), then tried ones. */
  function nextCandidate(context: CallContext, route: RouteConfig, excluded: ReadonlySet<string>, triedKeys: ReadonlySet<string>): TargetConfig | undefined {
    const usable = excluded.size === 0 ? anyTarget : (target: TargetConfig): boolean => !excluded.has(targetKey(target));
    if (triedKeys.size === 0) {
      const assigned = dependencies.assignTarget?.(route, context);
      if (assigned !== undefined && usable(assigned)) return assigned;
      const choice = chooseTarget(route, context.options, usable, random);
      if (choice !== undefined) return choice.target;
    }
    const fresh = route.targets.filter((target) => usable(target) && !triedKeys.has(targetKey(target)));
    if (fresh.length > 0) {
      const chosen = triedKeys.size === 0 ? undefined : chooseTarget({ ...route, targets: fresh }, context.options, () => true, random);
      return chosen?.target ?? [...fresh].sort((left, right) => right.weight - left.weight)[0];
    }
    const again = chooseTarget(route, context.options, usable, random);
    return again?.target ?? route.targets.find(usable);
  }

  /**
   * One try at one target: asks its breaker, then calls the adapter. Not async itself: a closed
   * breaker admits at once, and the chat and stream tries are separate functions, so a chat try
   * allocates nothing for the stream path's closures. A `first` try's failure goes on in the retry
   * loop (a chat try's from its own reaction); a later try's rejects, for the loop to catch.
   */
  function runAttempt(context: CallContext, route: RouteConfig, policies: Policies, target: TargetConfig, first: boolean): Promise<CallOutcome> {
    const names = namesOf(target);
    const key = names.key;
    const breakerOn = breakers !== undefined && policies.breaker.enabled;
    if (!breakerOn) return startAttempt(context, route, policies, target, names, false, false, first);
    const pending = breakers.admit(key, policies.breaker);
    // A closed breaker answers with the one pre-resolved admission: no need to wait a tick for it.
    if (pending === ADMITTED_NOW) return startAttempt(context, route, policies, target, names, true, false, first);
    const admitted = pending.then((admission) => {
      if (!admission.allowed) {
        (context.notes.breakerSkips ??= []).push(key);
        throw new SwitchyardError({
          category: 'circuit_open',
          message: `circuit breaker for ${key} is open`,
          provider: target.provider,
          model: target.model,
          route: route.name,
          retryAfterMs: admission.retryAfterMs,
        });
      }
      return startAttempt(context, route, policies, target, names, true, admission.probe, false);
    });
    return first ? goOnAfterFirst(context, key, admitted) : admitted;
  }

  function startAttempt(context: CallContext, route: RouteConfig, policies: Policies, target: TargetConfig, names: TargetNames, breakerOn: boolean, probe: boolean, first: boolean): Promise<CallOutcome> {
    let adapter: ProviderAdapter;
    try {
      adapter = dependencies.adapterFor(target.provider);
    } catch (error) {
      return first ? retryAfterFirst(context, names.key, error) : Promise.reject(error);
    }
    // A stream's attempt that must stop on its own (the consumer stopped reading, or it failed
    // before output) is stopped by returning its iterator, which the adapter contract requires to
    // end the upstream request (see ProviderAdapter.doStream). No signal of its own: an
    // AbortController per stream cost ~15-19 µs of client CPU per stream, mostly in GC.
    const call: AdapterCall = {
      request: context.request,
      model: target.model,
      signal: context.signal,
      firstByteTimeoutMs: policies.timeout.firstByteMs,
      idleTimeoutMs: policies.timeout.idleMs,
    };
    const attempt: AttemptTarget = { route, policies, target, key: names.key, breakerOn, probe, resolved: names.resolved, first };
    if (context.mode === 'chat') return chatAttempt(context, adapter, call, attempt);
    const stream = streamAttempt(context, adapter, call, attempt);
    return first ? goOnAfterFirst(context, names.key, stream) : stream;
  }

  /**
   * One chat try. Not an async function: while the upstream answers, a suspended async function
   * keeps its generator, saved registers and await closures alive, and at 64 calls in flight every
   * scavenge copies that for every call; two reactions on the adapter's promise keep less.
   */
  function chatAttempt(context: CallContext, adapter: ProviderAdapter, call: AdapterCall, attempt: AttemptTarget): Promise<CallOutcome> {
    const started = performance.now();
    let answer: Promise<AdapterResult>;
    try {
      answer = adapter.doChat(call);
    } catch (error) {
      answer = Promise.reject(error);
    }
    return answer.then(
      (result) => chatSucceeded(context, attempt, result, started),
      (error: unknown) => {
        const failure = attemptFailed(context, call, attempt, error, started);
        if (attempt.first) return retryAfterFirst(context, attempt.key, failure);
        throw failure;
      },
    );
  }

  function chatSucceeded(context: CallContext, attempt: AttemptTarget, result: AdapterResult, started: number): CallOutcome {
    if (attempt.breakerOn) breakers?.record(attempt.key, attempt.policies.breaker, 'success', attempt.probe);
    recordAttempt(context, { target: attempt.resolved, route: attempt.route.name, outcome: 'ok', status: 200, ms: performance.now() - started });
    const response = buildResponse(result, {
      route: attempt.route.name,
      target: attempt.resolved,
      attempts: context.attempts,
      latencyMs: performance.now() - context.startedAt,
      requestId: context.requestId,
    });
    return { kind: 'response', response };
  }

  /** A failed try's error (chat, or a stream before its first output) in the taxonomy, recorded as an attempt and counted by its breaker. */
  function attemptFailed(context: CallContext, call: AdapterCall, attempt: AttemptTarget, error: unknown, started: number): SwitchyardError {
    const mapped = failAttempt(error, call.signal, attempt);
    recordAttempt(context, { target: attempt.resolved, route: attempt.route.name, outcome: mapped.category, ...(mapped.status === undefined ? {} : { status: mapped.status }), ms: performance.now() - started }, mapped);
    return mapped;
  }

  async function streamAttempt(context: CallContext, adapter: ProviderAdapter, call: AdapterCall, attempt: AttemptTarget): Promise<CallOutcome> {
    const started = performance.now();
    const { route, key, policies, breakerOn, probe } = attempt;
    const resolvedTarget = attempt.resolved;
    const signal = call.signal;
    // Streaming: read until the first output part; failures before it are ordinary failed tries.
    const fail = (error: unknown): SwitchyardError => failAttempt(error, signal, attempt);
    let iterator: AsyncIterator<AdapterStreamPart> | undefined;
    const buffered: AdapterStreamPart[] = [];
    try {
      const parts = await adapter.doStream(call);
      iterator = parts[Symbol.asyncIterator]();
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) break;
        buffered.push(next.value);
        if (isOutputPart(next.value) || next.value.type === 'finish') break;
      }
    } catch (error) {
      void iterator?.return?.();
      throw attemptFailed(context, call, attempt, error, started);
    }
    const firstOutputAt = performance.now();
    recordAttempt(context, { target: resolvedTarget, route: route.name, outcome: 'ok', status: 200, ms: firstOutputAt - started });
    const events = new CommittedStream(iterator, buffered, {
      finish(accumulator) {
        const response = buildResponse(accumulator.result(context.requestId), {
          route: route.name,
          target: resolvedTarget,
          attempts: context.attempts,
          latencyMs: performance.now() - context.startedAt,
          requestId: context.requestId,
        });
        if (breakerOn) breakers?.record(key, policies.breaker, 'success', probe);
        return response;
      },
      fail: (error) => fail(error).with({ attempts: context.attempts }),
      stopped: () => new SwitchyardError({ category: 'canceled', message: 'the stream consumer stopped reading', route: route.name }),
    });
    return { kind: 'stream', stream: { events, completion: events.completion, firstOutputAt } };
  }

  const chains = new Map<RouteConfig, RouteConfig[]>();
  function chainOf(route: RouteConfig): RouteConfig[] {
    let chain = chains.get(route);
    if (chain === undefined) {
      chain = routeChain(route, dependencies.config.routes);
      chains.set(route, chain);
    }
    return chain;
  }

  /**
   * A failed try, noted: its target is tried for the route, excluded for the call when the failure
   * rules it out, and the failure becomes the call's last error. Throws when the call must stop
   * (the caller's fault, or the caller gave up). Returns true when the try did not count as one (the
   * target's breaker was open).
   */
  function noteFailure(context: CallContext, state: DispatchState, triedKeys: Set<string>, key: string, policies: Policies, error: unknown): boolean {
    triedKeys.add(key);
    const failure = SwitchyardError.isInstance(error) ? error : toError(error, context.signal);
    // A rejected key: say which setting to fix (never the key itself).
    const keySetting = isAuthFailure(failure) && failure.provider !== undefined ? keySettingOf(failure.provider) : undefined;
    state.failures.push({ key, error: failure, ...(keySetting === undefined ? {} : { hint: `check ${keySetting}` }) });
    if (failure.category === 'circuit_open') {
      (state.excluded ??= new Set()).add(key);
      const lastError = state.lastError ?? failure;
      state.lastError = lastError.category === 'circuit_open' && (failure.retryAfterMs ?? Infinity) < (lastError.retryAfterMs ?? Infinity) ? failure : lastError;
      return true;
    }
    state.lastError = failure;
    if (isCallerFault(failure.category) || context.signal.aborted) throw finalError(context, state, failure, false);
    if (!policies.retry.on.includes(failure.category)) (state.excluded ??= new Set()).add(key);
    return false;
  }

  /**
   * Every try after the first: the requested route's remaining tries, then its fallbacks, with
   * backoff and the retry budget. `firstFailure` is the first try's, noted here so that what it
   * rules out counts as if the loop had made it; undefined when the requested route had no try to
   * make (no target, or no attempts), and then the loop starts at the first fallback.
   */
  async function retryLoop(context: CallContext, routes: readonly RouteConfig[], firstFailure: { readonly key: string; readonly error: unknown } | undefined): Promise<CallOutcome> {
    // Sets are created on the first failure: a call whose first try answers allocates none.
    const state: DispatchState = { excluded: undefined, lastError: undefined, failures: [], reportedAuth: undefined };
    let tries = 0;
    for (let routeIndex = firstFailure === undefined ? 1 : 0; routeIndex < routes.length; routeIndex += 1) {
      const route = routes[routeIndex] as RouteConfig;
      const policies = route === context.route ? context.policies : route.policies;
      let triedKeys: Set<string> | undefined;
      let triesInRoute = 0;
      if (routeIndex === 0 && firstFailure !== undefined) {
        triedKeys = new Set();
        const skipped = noteFailure(context, state, triedKeys, firstFailure.key, policies, firstFailure.error);
        if (!skipped) {
          tries = 1;
          triesInRoute = 1;
        }
      }
      for (; triesInRoute < policies.retry.attempts; triesInRoute += 1) {
        const target = nextCandidate(context, route, state.excluded ?? NO_KEYS, triedKeys ?? NO_KEYS);
        if (target === undefined) break;
        const key = targetKey(target);
        if (tries > 0) {
          let delay = 0;
          if (triedKeys?.has(key) === true) {
            // Waiting out a backoff (or retry-after) while another route could answer now only
            // makes the caller wait: move on to the fallbacks instead.
            if (hasUntriedTargetAfter(routes, routeIndex, state.excluded ?? NO_KEYS)) break;
            const remainingMs = policies.timeout.totalMs > 0 ? policies.timeout.totalMs - (performance.now() - context.startedAt) : Infinity;
            const computed = backoffDelay(policies.retry, { retryIndex: triesInRoute - 1, retryAfterMs: state.lastError?.retryAfterMs, remainingMs }, random);
            if (computed === undefined) break; // the provider asked for longer than the call has left
            delay = computed;
          }
          // Only a try that will happen takes budget (not one abandoned for a fallback above).
          if (!retryBudget.tryAcquireRetry(policies.retry.budget)) {
            context.notes.retryBudgetExhausted = true;
            const lastError = state.lastError as SwitchyardError; // a try failed: tries > 0
            throw finalError(context, state, lastError, false, ' (retry budget exhausted)');
          }
          const last = state.lastError;
          if (last !== undefined && last !== state.reportedAuth && isAuthFailure(last)) {
            state.reportedAuth = last;
            reportAuthFallback(last, target);
          }
          if (events.has('retry') && state.lastError !== undefined) {
            events.emit('retry', { requestId: context.requestId, target: { provider: target.provider, model: target.model }, route: route.name, delayMs: delay, after: state.lastError });
          }
          await sleep(delay, context.signal);
        }
        tries += 1;
        try {
          return await runAttempt(context, route, policies, target, false);
        } catch (error) {
          if (noteFailure(context, state, (triedKeys ??= new Set()), key, policies, error)) {
            tries -= 1; // a skipped target is not a try
            triesInRoute -= 1;
          }
        }
      }
    }
    if (state.lastError === undefined) {
      throw new SwitchyardError({ category: 'circuit_open', message: `no target of route "${context.route.name}" is available`, route: context.route.name, attempts: context.attempts });
    }
    throw finalError(context, state, state.lastError, true);
  }

  /**
   * The error a call ends with: the deciding failure's category and fields, and a message that
   * names every target tried (see `failure-summary.ts`).
   */
  function finalError(context: CallContext, state: DispatchState, failure: SwitchyardError, exhausted: boolean, suffix = ''): SwitchyardError {
    const message = state.failures.length === 0 ? failure.message : summarizeFailures(state.failures, exhausted);
    return failure.with({ attempts: context.attempts, message: `${message}${suffix}` });
  }

  /** The retry loop after the first try failed with `error` at the target `key`. */
  function retryAfterFirst(context: CallContext, key: string, error: unknown): Promise<CallOutcome> {
    return retryLoop(context, chainOf(context.route), { key, error });
  }

  /** A first try whose failure is not a chat try's own (a stream's, a half-open breaker's): on to the loop. */
  function goOnAfterFirst(context: CallContext, key: string, attempt: Promise<CallOutcome>): Promise<CallOutcome> {
    return attempt.then(undefined, (error: unknown) => retryAfterFirst(context, key, error));
  }

  /**
   * The call's first try, made without an async function: most calls are answered by it, and a
   * suspended async function (the retry loop's frame is the router's largest) would stay alive,
   * copied by every scavenge, for as long as the upstream takes. Its failure goes on in the loop
   * from the try's own reaction (`retryAfterFirst`), with no promise layer of the dispatcher's own.
   */
  return function dispatch(context: CallContext): Promise<CallOutcome> {
    let routes: readonly RouteConfig[];
    let target: TargetConfig | undefined;
    try {
      retryBudget.recordCall();
      routes = chainOf(context.route);
      const route = routes[0] as RouteConfig; // the requested route heads its own chain
      target = context.policies.retry.attempts > 0 ? nextCandidate(context, route, NO_KEYS, NO_KEYS) : undefined;
    } catch (error) {
      return Promise.reject(error); // as an async function would: the caller gets a rejection, never a throw
    }
    if (target === undefined) return retryLoop(context, routes, undefined);
    try {
      return runAttempt(context, routes[0] as RouteConfig, context.policies, target, true);
    } catch (error) {
      return retryAfterFirst(context, targetKey(target), error);
    }
  };
}
