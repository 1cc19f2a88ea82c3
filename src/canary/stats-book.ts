/**
 * The statistics a process keeps for one rollout, per step epoch: its own (`local`, flushed to the
 * store) and every process's merged (`merged`: the other processes' last flushed data plus this
 * process's live data). Recording updates both, so decisions see this process's calls at once and
 * the others' within a sync interval.
 *
 * For the sample-ratio check each arm counts units: distinct sticky keys when the rollout is
 * sticky by user or tenant (a heavy user is one unit, not hundreds of calls; at most 50,000 keys
 * are remembered per step, later new keys are not counted), and calls otherwise. Keys are counted
 * per process, so a user served by two processes counts twice — in the same arm, which leaves the
 * expected split unchanged.
 */
import { ArmStats, type ArmCallOutcome, type StepStats, type StepStatsData } from './arm-stats.js';
import type { StickyKey } from './bucketing.js';

const MAX_REMEMBERED_KEYS = 50_000;

/** An arm's name. */
export type ArmName = 'baseline' | 'candidate';

interface LocalStep {
  readonly stats: StepStats;
  readonly seen: Set<string>;
  dirty: boolean;
}

/** One rollout's statistics in one process. */
export interface StatsBook {
  /** Records a call's outcome for its arm in a step. */
  record(epoch: number, arm: ArmName, outcome: ArmCallOutcome): void;
  /** Counts a unit assigned to an arm (for the sample-ratio check). */
  addUnit(epoch: number, arm: ArmName, sticky: StickyKey): void;
  /** Counts a shadow copy dropped at capacity. */
  addShadowDrop(epoch: number): void;
  /** Every process's statistics of a step, as known now. */
  merged(epoch: number): StepStats;
  /** All merged steps known, by epoch. */
  mergedByEpoch(): ReadonlyMap<number, StepStats>;
  /** Steps recorded since the last call, as data to flush (marked clean). */
  takeDirty(): [number, StepStatsData][];
  /** Marks a step to be flushed again (its last flush failed). */
  markDirty(epoch: number): void;
  /** Sets the other processes' data of a step (this process's own entry is ignored). */
  setRemote(epoch: number, byProcess: ReadonlyMap<string, StepStatsData>): void;
  /** Forgets steps not in `keep`. */
  retain(keep: ReadonlySet<number>): void;
}

function emptyStep(): StepStats {
  return { baseline: new ArmStats(), candidate: new ArmStats() };
}

function toData(stats: StepStats): StepStatsData {
  return { baseline: stats.baseline.toData(), candidate: stats.candidate.toData() };
}

/** Creates the statistics book of one rollout in the process `processId`. */
export function createStatsBook(processId: string): StatsBook {
  const local = new Map<number, LocalStep>();
  const remote = new Map<number, StepStatsData[]>();
  const merged = new Map<number, StepStats>();

  function localStep(epoch: number): LocalStep {
    let step = local.get(epoch);
    if (step === undefined) {
      step = { stats: emptyStep(), seen: new Set(), dirty: false };
      local.set(epoch, step);
    }
    return step;
  }

  function mergedStep(epoch: number): StepStats {
    let step = merged.get(epoch);
    if (step === undefined) {
      step = emptyStep();
      for (const data of remote.get(epoch) ?? []) {
        step.baseline.add(data.baseline);
        step.candidate.add(data.candidate);
      }
      const own = local.get(epoch);
      if (own !== undefined) {
        step.baseline.add(own.stats.baseline.toData());
        step.candidate.add(own.stats.candidate.toData());
      }
      merged.set(epoch, step);
    }
    return step;
  }

  return {
    record(epoch, arm, outcome) {
      const step = localStep(epoch);
      mergedStep(epoch)[arm].record(outcome);
      step.stats[arm].record(outcome);
      step.dirty = true;
    },
    addUnit(epoch, arm, sticky) {
      const step = localStep(epoch);
      if (sticky.source === 'user' || sticky.source === 'tenant') {
        if (step.seen.has(sticky.key) || step.seen.size >= MAX_REMEMBERED_KEYS) return;
        step.seen.add(sticky.key);
      }
      mergedStep(epoch)[arm].units += 1;
      step.stats[arm].units += 1;
      step.dirty = true;
    },
    addShadowDrop(epoch) {
      const step = localStep(epoch);
      mergedStep(epoch).candidate.shadowDropped += 1;
      step.stats.candidate.shadowDropped += 1;
      step.dirty = true;
    },
    merged: mergedStep,
    mergedByEpoch() {
      for (const epoch of local.keys()) mergedStep(epoch);
      for (const epoch of remote.keys()) mergedStep(epoch);
      return merged;
    },
    takeDirty() {
      const result: [number, StepStatsData][] = [];
      for (const [epoch, step] of local) {
        if (!step.dirty) continue;
        step.dirty = false;
        result.push([epoch, toData(step.stats)]);
      }
      return result;
    },
    markDirty(epoch) {
      localStep(epoch).dirty = true;
    },
    setRemote(epoch, byProcess) {
      remote.set(
        epoch,
        [...byProcess].filter(([id]) => id !== processId).map(([, data]) => data),
      );
      merged.delete(epoch);
    },
    retain(keep) {
      for (const map of [local, remote, merged] as Map<number, unknown>[]) {
        for (const epoch of [...map.keys()]) if (!keep.has(epoch)) map.delete(epoch);
      }
    },
  };
}
