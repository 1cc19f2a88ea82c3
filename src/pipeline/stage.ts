/**
 * The one small interface every pipeline stage has (cockatiel's `execute(fn)` shape): a stage
 * receives the context and a `next` that runs the rest of the chain. Stages compose
 * outermost-first, once, when the router is created; a call runs through closures made then.
 *
 * Every policy is a stage: at the call level (`Stage<CallContext, CallOutcome>`) tracing, audit,
 * canary, content filter, shared-state-ready, cache, rate limit and retry; at the attempt level
 * (`Stage<AttemptContext, CallOutcome>`, run by retry once per try) breaker, timeout and the
 * adapter call. Users add their own with `createRouter(config, { stages, attemptStages })`.
 */

/** A pipeline stage over contexts of type `C` producing results of type `T`. */
export interface Stage<C, T> {
  /** Short name for logs, placement (`{ before: 'cache' }`) and `explain()` (e.g. `cache`, `rate-limit`). */
  readonly name: string;
  /**
   * Runs this stage around `next`. A stage may call `next` zero, one or several times, and may
   * pass it a changed copy of the context.
   */
  execute(context: C, next: (context: C) => Promise<T>): Promise<T>;
}

/** Composes stages outermost-first around a terminal function. */
export function composeStages<C, T>(stages: readonly Stage<C, T>[], terminal: (context: C) => Promise<T>): (context: C) => Promise<T> {
  let run = terminal;
  for (let index = stages.length - 1; index >= 0; index -= 1) {
    const stage = stages[index] as Stage<C, T>;
    const next = run;
    run = (context) => stage.execute(context, next);
  }
  return run;
}
