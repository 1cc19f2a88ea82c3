/**
 * The canary stage: gives each call of a canary route the route as the rollout stands now, its
 * baseline and candidate at the current weights (only the baseline before this process has read
 * the rollout's state, once rolled back or aborted, and always in shadow mode, so retries never
 * reach a candidate the caller must not see). Until the state was read, the route's calls wait
 * for it, at most the canary's `startupWait`.
 *
 * Which arm a call goes to is decided later, when target choice asks for the route's first target
 * (`CanaryPlugin.assignTarget`): only calls that reach a target are counted for an arm, never cache
 * hits or calls a filter or a rate limit stopped.
 */
import type { CallContext, CallOutcome } from '../pipeline/context.js';
import type { Stage } from '../pipeline/stage.js';
import type { CanaryRun } from './canary-run.js';

/** The stage's name, for placing user stages (`{ after: 'canary' }`). */
export const CANARY_STAGE = 'canary';

/** Waits for a run's first read of its state, at most `waitMs`. */
function waitForState(run: CanaryRun, waitMs: number): Promise<void> {
  if (waitMs <= 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
    timer.unref();
  });
  return Promise.race([run.ready(), timeout]).finally(() => clearTimeout(timer));
}

/** Creates the canary stage over the runs of a router's canary routes, by route name. */
export function createCanaryStage(runs: ReadonlyMap<string, CanaryRun>): Stage<CallContext, CallOutcome> {
  return {
    name: CANARY_STAGE,
    async execute(context, next) {
      const run = runs.get(context.route.name);
      if (run === undefined) return next(context);
      if (!run.loaded) await waitForState(run, context.route.canary?.startupWaitMs ?? 0);
      return next({ ...context, route: run.routeFor(context.route) });
    },
  };
}
