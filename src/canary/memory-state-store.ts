/**
 * The in-memory rollout store: state and statistics live in this process only. Several routers
 * in one process can share one store (tests do); separate processes cannot, and a restart starts
 * the rollout from its first step.
 */
import type { StepStatsData } from './arm-stats.js';
import type { RolloutState } from './rollout-state.js';
import type { CanaryStateStore, CompareAndSetResult } from './state-store.js';

/** Creates an in-memory rollout store. */
export function createMemoryCanaryStore(): CanaryStateStore {
  const states = new Map<string, RolloutState>();
  const stats = new Map<string, Map<string, StepStatsData>>();
  const claimed = new Set<string>();
  return {
    shared: false,
    read(rollout) {
      return Promise.resolve(states.get(rollout));
    },
    compareAndSet(rollout, expectedVersion, next): Promise<CompareAndSetResult> {
      const current = states.get(rollout);
      if ((current?.version ?? 0) !== expectedVersion) return Promise.resolve({ ok: false, current });
      states.set(rollout, next);
      return Promise.resolve({ ok: true, current: next });
    },
    writeStats(rollout, epoch, processId, data) {
      const key = `${rollout}\u0000${epoch}`;
      let byProcess = stats.get(key);
      if (byProcess === undefined) {
        byProcess = new Map();
        stats.set(key, byProcess);
      }
      byProcess.set(processId, data);
      return Promise.resolve();
    },
    readStats(rollout, epoch) {
      return Promise.resolve(new Map(stats.get(`${rollout}\u0000${epoch}`) ?? []));
    },
    claimDecision(rollout, decisionId) {
      const key = `${rollout}\u0000${decisionId}`;
      if (claimed.has(key)) return Promise.resolve(false);
      claimed.add(key);
      return Promise.resolve(true);
    },
    close() {
      return Promise.resolve();
    },
  };
}
