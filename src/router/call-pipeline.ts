/**
 * The pipeline a router runs each call through, composed once when the router is created:
 *
 *   call stages     tracing → audit → canary → content-filter → [plugins'] → shared-state-ready
 *                   → cache → rate-limit → [user's] → retry
 *   attempt stages  (run by retry once per try) breaker → timeout → [user's] → adapter
 *
 * Stages the config does not turn on are left out (no cache stage without a cache policy), so a
 * call pays only for what it uses. Users' stages go where they ask (`stage-placement.ts`).
 */
import type { SwitchyardConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { RouterEventHub } from '../events.js';
import { createAdapterStage } from '../pipeline/adapter-stage.js';
import { createBreakerStage, type BreakerGate } from '../pipeline/breaker/breaker-stage.js';
import type { AttemptContext, CallContext, CallOutcome } from '../pipeline/context.js';
import { createRetryBudget } from '../pipeline/retry/retry-budget.js';
import { createRetryStage } from '../pipeline/retry/retry-stage.js';
import { composeStages, type Stage } from '../pipeline/stage.js';
import { ATTEMPT_LEVEL, CALL_LEVEL, placeStages, type PlacedStage } from '../pipeline/stage-placement.js';
import { createTimeoutStage } from '../pipeline/timeout/timeout-stage.js';
import type { ProviderAdapter } from '../provider-spec.js';
import { noAdapterFor } from './adapters.js';
import type { RouterPlugin } from './plugin.js';

/** What the pipeline is made of. */
export interface CallPipelineParts {
  readonly config: SwitchyardConfig;
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  /** Circuit breakers; no breaker stage without them. */
  readonly breakers: BreakerGate | undefined;
  readonly events: RouterEventHub;
  readonly random: () => number;
  /** Their `outerStages` run outermost, in plugin order (tracing, audit, canary, content filter, then the user's plugins). */
  readonly plugins: readonly RouterPlugin[];
  /** The policy stages the config turned on, outermost first: shared-state-ready, cache, rate limit. */
  readonly policyStages: readonly Stage<CallContext, CallOutcome>[];
  /** The user's call stages. */
  readonly stages: readonly PlacedStage<CallContext>[];
  /** The user's attempt stages. */
  readonly attemptStages: readonly PlacedStage<AttemptContext>[];
}

/** The innermost stages never call `next`; a stage placed inside them would never run. */
function nothingInside(): Promise<CallOutcome> {
  return Promise.reject(new SwitchyardError({ category: 'unknown', message: 'no stage runs inside the innermost one' }));
}

/** Composes a router's pipeline; the result runs one call. */
export function createCallPipeline(parts: CallPipelineParts): (context: CallContext) => Promise<CallOutcome> {
  const { adapters } = parts;
  const adapterStage = createAdapterStage((provider) => adapters.get(provider) ?? throwError(noAdapterFor(provider)));
  const builtInAttemptStages = [...(parts.breakers === undefined ? [] : [createBreakerStage(parts.breakers)]), createTimeoutStage(), adapterStage];
  const runAttempt = composeStages(placeStages(builtInAttemptStages, parts.attemptStages, ATTEMPT_LEVEL), nothingInside);

  const retryStage = createRetryStage({ config: parts.config, runAttempt, budget: createRetryBudget(), events: parts.events, random: parts.random });
  const builtInCallStages = [...parts.plugins.flatMap((plugin) => plugin.outerStages ?? []), ...parts.policyStages, retryStage];
  return composeStages(placeStages(builtInCallStages, parts.stages, CALL_LEVEL), nothingInside);
}

function throwError(error: SwitchyardError): never {
  throw error;
}
