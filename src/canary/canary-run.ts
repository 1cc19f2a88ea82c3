/**
 * One canary route at run time in one process: assigns calls to arms, records their outcomes,
 * asks the decision engine after every call and every sync, moves the rollout through the store,
 * and keeps its local copy of the state in step with the other processes.
 *
 * Sharing. Every `syncIntervalMs` (1 s by default) the run flushes this process's statistics of
 * the steps it recorded, reads the rollout's state (adopting a newer version: every process
 * follows a promotion or rollback within about one interval) and reads the other processes'
 * statistics of the current step. Decisions are made on all processes' statistics; a change is a
 * compare-and-set on the state's version, so when two processes decide at once one wins and the
 * other adopts its state.
 *
 * Counting. A call is counted for its arm only once every call that started before it in this
 * process has ended (settle-queue.ts): fast failures cannot outrun the slow successes that started
 * with them. The broken check alone also looks at unsettled calls, conservatively.
 *
 * Start-up. Until the first read of the store (normally a few milliseconds; `ready()` resolves
 * then), calls go to the baseline and are not counted: a process never routes at a weight it has
 * not read (the plugin makes calls wait up to `startupWait` for that read first). When the store
 * cannot be reached, the run keeps the state it has, says so once through the logger, and keeps
 * trying; a rollback decided meanwhile takes effect in this process at once and is written when
 * the store answers again.
 *
 * Decisions. Every change (automatic or by an operator) and every gate (a sample-ratio mismatch,
 * a step waiting for approval) is a decision record in the state. A process that sees a new one
 * claims it in the store; the one claim that succeeds emits it as a `canary-decision` event (for
 * the audit trail and webhooks), so each decision is announced once.
 */
import type { CanaryConfig, PriceTable, RouteConfig, TargetConfig, TargetRef } from '../config/types.js';
import type { RouterEventHub, RouterEvents } from '../events.js';
import type { CallContext, CallNotes } from '../pipeline/context.js';
import { armOutcome } from './arm-of-record.js';
import { canaryBucket, canaryStickyKey, candidateThreshold, isBelowCandidateThreshold, type StickyKey } from './bucketing.js';
import { buildCanaryStatus, referenceBaseline, type CanaryStatus } from './canary-status.js';
import type { CanaryEvidence } from './canary-evidence.js';
import { checkBroken, decide, type CanaryDecision, type DecisionInput } from './decision-engine.js';
import type { ControlRequest } from './canary-controller.js';
import type { CanaryDecisionRule } from './decision-record.js';
import { SettleQueue } from './settle-queue.js';
import { changeRollout, loadRollout } from './rollout-control.js';
import { applyRolloutAction, CanaryControlError, fitToConfig, initialRolloutState, rolloutWeight, type ChangeOptions, type RolloutAction, type RolloutState } from './rollout-state.js';
import type { ShadowMirror } from './shadow-mirror.js';
import { mergeStepStats, type StepStats } from './arm-stats.js';
import type { CanaryStateStore } from './state-store.js';
import { createStatsBook, type ArmName } from './stats-book.js';

/** What a run needs. */
export interface CanaryRunOptions {
  readonly route: string;
  readonly rollout: string;
  readonly canary: CanaryConfig;
  readonly pricing: PriceTable;
  readonly store: CanaryStateStore;
  readonly processId: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly logger: (message: string) => void;
}

interface Assignment {
  readonly epoch: number;
  readonly arm: ArmName;
  readonly sticky: StickyKey;
  /** Shadow mode: the candidate gets a copy of this call. */
  readonly mirror: boolean;
}

/** One canary route in one process. */
export interface CanaryRun {
  readonly route: string;
  /** The route as calls should see it now: the arms at the current weights (see the plugin). */
  routeFor(route: RouteConfig): RouteConfig;
  /** Chooses the arm of a call and notes it; undefined when the route is not this run's. */
  assign(route: RouteConfig, context: CallContext): TargetConfig | undefined;
  /** Records a finished call (and sends its shadow copy). */
  onCallEnd(payload: RouterEvents['call-end']): void;
  /** Connects the router's events and the shadow mirror. */
  attach(events: RouterEventHub, mirror: ShadowMirror | undefined): void;
  /** Flushes statistics, reads the shared state and the other processes' statistics, decides. */
  sync(): Promise<void>;
  /** Resolves when no shadow copy is in flight. */
  idle(): Promise<void>;
  /** Applies an operator's action. */
  control(action: RolloutAction, request?: ControlRequest): Promise<void>;
  /** Resolves once the state was read from the store (or the first read failed). */
  ready(): Promise<void>;
  /** Where the rollout stands, from this process's view. */
  status(): CanaryStatus;
  /** A status with every step's statistics read afresh from the store. */
  report(): Promise<CanaryStatus>;
  /** The current state (plain data). */
  state(): RolloutState;
  /** Whether the state was read from the store at least once. */
  readonly loaded: boolean;
  /** Flushes what is left. */
  close(): Promise<void>;
}

/** A call running longer than this multiple of the baseline's p95 is a straggler. */
const STRAGGLER_FACTOR = 1;
/** Settled baseline calls needed before stragglers are told apart (until then, strict start order). */
const STRAGGLER_MIN_CALLS = 20;

function sameTarget(target: TargetConfig, reference: TargetRef): boolean {
  return target.provider === reference.provider && target.model === reference.model;
}

/** Creates the run of one canary route. */
export function createCanaryRun(options: CanaryRunOptions): CanaryRun {
  const { canary, store, route: name, rollout } = options;
  const book = createStatsBook(options.processId);
  const assignments = new WeakMap<CallNotes, Assignment>();
  const queue = new SettleQueue<object>((epoch, arm, outcome) => book.record(epoch, arm, outcome));
  let state: RolloutState = initialRolloutState(canary, options.now());
  let loaded = false;
  let resolveLoaded!: () => void;
  const loadedOnce = new Promise<void>((resolve) => {
    resolveLoaded = resolve;
  });
  let weight = rolloutWeight(state, canary);
  let threshold = candidateThreshold(weight);
  let events: RouterEventHub | undefined;
  let mirror: ShadowMirror | undefined;
  let pending: Promise<void> | undefined;
  let syncing: Promise<void> | undefined;
  let lastHold = '';
  /** What the last broken check saw (settled candidate calls, unsettled failures): rerun it only on news. */
  let lastBrokenSettled = -1;
  let lastBrokenErrors = -1;
  let lastFullCalls = -Infinity;
  let lastFullAt = -Infinity;
  let fullScheduled = false;
  let closed = false;
  let storeDown = false;
  let mismatch: { readonly epoch: number; readonly since: number } | undefined;
  /** Calls running longer than this stop holding back the calls after them (see settle-queue.ts). */
  let stragglerMs = Number.POSITIVE_INFINITY;
  /** Gates recorded as decisions in this step (`<epoch>:<code>`), so each is recorded once. */
  const recordedGates = new Set<string>();
  /** Decisions known to this process (announced by it or by another). */
  const knownDecisions = new Set<string>();
  let unpersistedRollback: { readonly reason: string; readonly evidence?: CanaryEvidence } | undefined;
  let routeCache: { readonly source: RouteConfig; readonly key: string; readonly shaped: RouteConfig } | undefined;

  function active(): boolean {
    return state.state === 'running' || state.state === 'paused';
  }

  function storeTrouble(error: unknown): void {
    if (storeDown) return;
    storeDown = true;
    options.logger(`canary ${name}: the rollout store is unavailable (${error instanceof Error ? error.message : String(error)}); following the last known state`);
  }

  function storeBack(): void {
    if (!storeDown) return;
    storeDown = false;
    options.logger(`canary ${name}: the rollout store is available again`);
  }

  function emitChange(next: RolloutState): void {
    const change = next.lastChange;
    events?.emit('canary-change', { route: name, state: next.state, step: next.step, weight: rolloutWeight(next, canary), decision: change?.decision ?? 'promote', reason: change?.reason ?? '' });
  }

  function logChange(next: RolloutState): void {
    const change = next.lastChange;
    if (change === undefined) return;
    const where = `step ${next.step + 1}/${canary.steps.length}, weight ${rolloutWeight(next, canary)}%`;
    options.logger(`canary ${name}: ${change.decision} by ${change.actor ?? change.by} (${next.state}, ${where}): ${change.reason}`);
  }

  /** Announces the decisions of a state this process has not seen, each claimed once across processes. */
  function announce(next: RolloutState, first: boolean): void {
    for (const record of next.decisions ?? []) {
      if (knownDecisions.has(record.id)) continue;
      knownDecisions.add(record.id);
      // Decisions older than this process's first read were announced by the processes of their time.
      if (first) continue;
      store.claimDecision(rollout, record.id).then(
        (won) => {
          if (won) events?.emit('canary-decision', record);
        },
        (error: unknown) => storeTrouble(error),
      );
    }
  }

  function adopt(next: RolloutState, force = false): boolean {
    const fitted = fitToConfig(next, canary);
    if (loaded && !force && fitted.version <= state.version) return false;
    const previous = state;
    state = fitted;
    weight = rolloutWeight(state, canary);
    threshold = candidateThreshold(weight);
    routeCache = undefined;
    if (previous.epoch !== state.epoch || previous.state !== state.state) lastHold = '';
    lastBrokenSettled = -1;
    lastBrokenErrors = -1;
    lastFullCalls = -Infinity;
    lastFullAt = -Infinity;
    book.retain(new Set(state.history.map((record) => record.epoch)));
    const first = !loaded;
    loaded = true;
    resolveLoaded();
    announce(state, first);
    if (!first && (previous.step !== state.step || previous.state !== state.state || previous.epoch !== state.epoch)) emitChange(state);
    return true;
  }

  function currentReference(): { epoch: number; baseline: StepStats['baseline'] } | undefined {
    return referenceBaseline(state, book.mergedByEpoch(), canary.brokenAt.minCalls);
  }

  async function transition(action: RolloutAction, change: ChangeOptions): Promise<void> {
    try {
      const result = await changeRollout(store, rollout, canary, action, { ...change, now: options.now(), ...(loaded ? { expected: state } : {}) });
      storeBack();
      if (adopt(result.state) && result.applied && action !== 'hold' && action !== 'request-approval') logChange(result.state);
    } catch (error) {
      if (error instanceof CanaryControlError && error.reason === 'invalid-transition') {
        if (change.by === 'operator') throw error;
        return;
      }
      storeTrouble(error);
      if (action === 'rollback' && change.by === 'auto' && active()) {
        // Safety first: stop sending traffic to the candidate here now; the store learns it later.
        unpersistedRollback = { reason: change.reason, ...(change.evidence === undefined ? {} : { evidence: change.evidence }) };
        const local = applyRolloutAction(state, 'rollback', canary, options.now(), { ...change, rollout });
        state = { ...local, version: state.version };
        weight = 0;
        threshold = 0;
        routeCache = undefined;
        emitChange(state);
        logChange(state);
        return;
      }
      if (change.by === 'operator') throw new CanaryControlError('unavailable', `the rollout store is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** What the engine decides from; an earlier step's baseline only for the full decision (the broken check never uses it). */
  function decisionInput(now: number, full: boolean): DecisionInput {
    const reference = full ? currentReference() : undefined;
    return {
      canary,
      state,
      now,
      stats: book.merged(state.epoch),
      unsettledCandidate: queue.unsettledOf('candidate'),
      ...(reference === undefined ? {} : { reference }),
      ...(mismatch !== undefined && mismatch.epoch === state.epoch ? { mismatchSince: mismatch.since } : {}),
    };
  }

  function act(decision: CanaryDecision): void {
    const rule: CanaryDecisionRule =
      decision.code === 'broken' || decision.code === 'guard-failed' || decision.code === 'sample-ratio' || decision.code === 'sample-ratio-sustained' || decision.code === 'starved'
        ? decision.code
        : decision.code === 'awaiting-approval'
          ? 'approval'
          : 'passed';
    const change: ChangeOptions = { reason: decision.reason, by: 'auto', rule, evidence: decision.evidence };
    let action: RolloutAction | undefined;
    if (decision.decision === 'rollback') action = 'rollback';
    else if (decision.decision === 'pause') action = state.state === 'running' ? 'pause' : undefined;
    else if (decision.decision === 'promote' || decision.decision === 'complete') action = 'promote';
    else {
      // A gate is a decision of its own, recorded once per step; ordinary holds are not.
      const gate = decision.code === 'sample-ratio' ? 'hold' : decision.code === 'awaiting-approval' ? 'request-approval' : decision.code === 'starved' ? 'hold' : undefined;
      const key = `${state.epoch}:${decision.code}`;
      // Once per step across processes: another process may have recorded this gate already.
      const recorded = recordedGates.has(key) || (state.decisions ?? []).some((record) => record.rule === rule && record.from.epoch === state.epoch);
      if (gate !== undefined && !recorded) {
        recordedGates.add(key);
        action = gate;
      }
    }
    if (action === undefined) return;
    const work = transition(action, change);
    pending = work.finally(() => {
      pending = undefined;
    });
  }

  function noteHold(decision: CanaryDecision): void {
    const holdKey = `${state.epoch}:${decision.code}`;
    if (holdKey === lastHold) return;
    lastHold = holdKey;
    events?.emit('canary-change', { route: name, state: state.state, step: state.step, weight, decision: 'hold', reason: decision.reason });
  }

  /**
   * Asks the decision engine. The broken check (cheap) runs on the caller's path whenever a
   * candidate call settles or ends. The full comparison (every guard's confidence sequence, the
   * split check) runs off the caller's path, on the next turn of the event loop, when the settled
   * candidate calls grew by 1% since the last one (at least one call) or a second passed; and at
   * once on every sync (`force`). Its bounds are valid however often it runs.
   */
  function evaluate(force = false): CanaryDecision | undefined {
    if (closed || !loaded || pending !== undefined || unpersistedRollback !== undefined || !active()) return undefined;
    const now = options.now();
    queue.releaseOld(now, stragglerMs, canary.stallAfterMs);
    const stats = book.merged(state.epoch);
    const calls = stats.candidate.settled + stats.baseline.settled;
    const fullDue = calls - lastFullCalls >= Math.max(1, Math.floor(calls / 100)) || now - lastFullAt >= 1_000;
    if (fullDue && !force && !fullScheduled) {
      fullScheduled = true;
      setImmediate(() => {
        fullScheduled = false;
        evaluate(true);
      });
    }
    const unsettled = queue.unsettledOf('candidate');
    if (!force && stats.candidate.settled === lastBrokenSettled && unsettled.errors === lastBrokenErrors) return undefined;
    lastBrokenSettled = stats.candidate.settled;
    lastBrokenErrors = unsettled.errors;
    const input = decisionInput(now, force);
    const decision = force ? decide(input) : checkBroken(input);
    if (force) {
      lastFullCalls = calls;
      lastFullAt = now;
      const latency = stats.baseline.latency;
      // The baseline's p95: one call in twenty, mostly slow successes on both arms alike, counted late.
      if (latency.count >= STRAGGLER_MIN_CALLS) stragglerMs = STRAGGLER_FACTOR * latency.quantile(0.95);
      const split = decision?.evidence.sampleRatio;
      if (split?.mismatch === true) {
        if (mismatch?.epoch !== state.epoch) mismatch = { epoch: state.epoch, since: now };
      } else if (mismatch?.epoch === state.epoch) {
        mismatch = undefined;
      }
    }
    if (decision === undefined) return undefined;
    if (decision.decision === 'hold') noteHold(decision);
    act(decision);
    return decision;
  }

  async function flush(): Promise<void> {
    for (const [epoch, data] of book.takeDirty()) {
      try {
        await store.writeStats(rollout, epoch, options.processId, data);
      } catch (error) {
        book.markDirty(epoch);
        throw error;
      }
    }
  }

  async function syncOnce(): Promise<void> {
    if (pending !== undefined) await pending;
    queue.releaseOld(options.now(), stragglerMs, canary.stallAfterMs);
    try {
      await flush();
      if (unpersistedRollback !== undefined) {
        const { reason, evidence } = unpersistedRollback;
        const stored = await loadRollout(store, rollout, canary, options.now());
        const result =
          stored.state === 'running' || stored.state === 'paused'
            ? await changeRollout(store, rollout, canary, 'rollback', { now: options.now(), reason, by: 'auto', rule: 'guard-failed', expected: stored, ...(evidence === undefined ? {} : { evidence }) })
            : { state: stored };
        unpersistedRollback = undefined;
        adopt(result.state, true);
      } else {
        adopt(await loadRollout(store, rollout, canary, options.now()));
      }
      const epochs = new Set([state.epoch, ...state.history.slice(-2).map((record) => record.epoch)]);
      for (const epoch of epochs) book.setRemote(epoch, await store.readStats(rollout, epoch));
      storeBack();
    } catch (error) {
      storeTrouble(error);
      resolveLoaded(); // the first read failed: waiting callers go on (to the baseline)
    }
    evaluate(true);
  }

  function targetOf(route: RouteConfig, reference: TargetRef): TargetConfig {
    return route.targets.find((target) => sameTarget(target, reference)) ?? { ...reference, weight: 0 };
  }

  const run: CanaryRun = {
    route: name,
    get loaded() {
      return loaded;
    },
    routeFor(route) {
      const key = `${state.state}:${weight}:${loaded}`;
      if (routeCache?.source === route && routeCache.key === key) return routeCache.shaped;
      const baseline = { ...canary.baseline };
      const candidate = { ...canary.candidate };
      let targets: TargetConfig[];
      // Before the first read of the state this process does not know the weight: baseline only.
      if (!loaded || canary.shadow || state.state === 'rolled_back' || state.state === 'aborted') targets = [{ ...baseline, weight: 100 }];
      else if (state.state === 'completed') targets = [{ ...candidate, weight: 100 }, { ...baseline, weight: 0 }];
      else targets = [{ ...baseline, weight: 100 - weight }, { ...candidate, weight }];
      const shaped: RouteConfig = { ...route, targets };
      routeCache = { source: route, key, shaped };
      return shaped;
    },
    assign(route, context) {
      if (route.name !== name) return undefined;
      if (!loaded) return targetOf(route, canary.baseline);
      const sticky = canaryStickyKey(canary, context.options, context.requestId);
      const inCandidate = isBelowCandidateThreshold(canaryBucket(canary.salt, sticky.key), threshold);
      const arm: ArmName = inCandidate && !canary.shadow ? 'candidate' : 'baseline';
      if (context.route.name === name && context.notes.canary === undefined) {
        context.notes.canary = { route: name, arm, step: state.step, weight };
        if (active()) {
          const mirrorIt = canary.shadow && inCandidate;
          assignments.set(context.notes, { epoch: state.epoch, arm, sticky, mirror: mirrorIt });
          queue.start(context.notes, state.epoch, arm, options.now());
          // Shadow copies count as candidate units when they are sent (below), so drops show in the split.
          if (!mirrorIt) book.addUnit(state.epoch, arm, sticky);
        }
      }
      return targetOf(route, arm === 'candidate' ? canary.candidate : canary.baseline);
    },
    onCallEnd(payload) {
      const assignment = assignments.get(payload.notes);
      if (assignment === undefined) return;
      assignments.delete(payload.notes);
      const outcome = armOutcome(payload, assignment.arm === 'candidate' ? canary.candidate : canary.baseline, options.pricing);
      if (assignment.mirror) {
        const copy = {};
        const sent =
          mirror?.send(payload.request, canary.candidate, (shadowOutcome) => {
            queue.end(copy, shadowOutcome);
            evaluate();
          }) ?? false;
        if (sent) {
          queue.start(copy, assignment.epoch, 'candidate', options.now());
          book.addUnit(assignment.epoch, 'candidate', assignment.sticky);
        } else {
          book.addShadowDrop(assignment.epoch);
          book.addUnit(assignment.epoch, 'baseline', assignment.sticky);
        }
      }
      queue.end(payload.notes, outcome);
      evaluate();
    },
    attach(hub, shadowMirror) {
      events = hub;
      mirror = shadowMirror;
    },
    sync() {
      if (syncing === undefined) {
        syncing = syncOnce().finally(() => {
          syncing = undefined;
        });
      }
      return syncing;
    },
    ready: () => loadedOnce,
    async idle() {
      await mirror?.idle();
    },
    async control(action, request = {}) {
      if (pending !== undefined) await pending;
      await run.sync();
      await transition(action, {
        reason: request.reason ?? `${action} by an operator`,
        by: 'operator',
        rule: 'operator',
        ...(request.actor === undefined ? {} : { actor: request.actor }),
        ...(request.step === undefined ? {} : { step: request.step }),
      });
      await run.sync();
    },
    status() {
      return buildCanaryStatus({ route: name, rollout, canary, state, shared: store.shared, now: options.now(), statsByEpoch: book.mergedByEpoch(), current: book.merged(state.epoch), unsettledCandidate: queue.unsettledOf('candidate') });
    },
    async report() {
      await run.sync();
      if (!store.shared) return run.status();
      const statsByEpoch = new Map<number, StepStats>();
      try {
        for (const record of state.history) statsByEpoch.set(record.epoch, mergeStepStats([...(await store.readStats(rollout, record.epoch)).values()]));
      } catch (error) {
        storeTrouble(error);
        return run.status();
      }
      return buildCanaryStatus({ route: name, rollout, canary, state, shared: true, now: options.now(), statsByEpoch });
    },
    state: () => state,
    async close() {
      closed = true;
      if (pending !== undefined) await pending.catch(() => undefined);
      await flush().catch(() => undefined);
    },
  };
  return run;
}
