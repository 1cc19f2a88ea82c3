/**
 * Per-arm statistics of one step: calls, errors by category, latency and time-to-first-token
 * sketches, tokens and cost. Everything is a count, a sum or a sketch, so the statistics of several
 * processes merge exactly by adding them up.
 */
import type { ErrorCategoryName, Usage } from '../types.js';
import type { Moments } from './mean-ratio-test.js';
import { EMPTY_SKETCH, QuantileSketch, type SketchData } from './quantile-sketch.js';

/** What one call tells about the arm it was assigned to (see `armOutcome`). */
export interface ArmCallOutcome {
  /** The call's first try on the arm failed (or the arm's breaker skipped it); `category` says how. */
  readonly failed: boolean;
  readonly category?: ErrorCategoryName;
  /** The failure was the caller's fault (invalid request, context too long, content filter): kept apart from the error rate. */
  readonly callerFault: boolean;
  /** The arm failed but a retry or fallback answered the caller. */
  readonly rescued: boolean;
  /** The call's tries touched another target than the arm's. */
  readonly mixed: boolean;
  /** The arm's own upstream time for a successful call, ms. */
  readonly latencyMs?: number;
  /** Time to first token (streams), ms. */
  readonly timeToFirstTokenMs?: number;
  /** Tokens the arm's target served. */
  readonly usage?: Usage;
  /** Cost of the tokens the arm's target served, US dollars (undefined when unpriced). */
  readonly costUsd?: number;
}

/** An arm's statistics as plain data (JSON-safe). */
export interface ArmStatsData {
  /** Calls counted in the error rate (caller faults and cancellations excluded). */
  readonly calls: number;
  readonly errors: number;
  readonly errorsByCategory: Readonly<Partial<Record<ErrorCategoryName, number>>>;
  readonly callerFaults: number;
  readonly rescued: number;
  readonly mixed: number;
  readonly latency: SketchData;
  readonly timeToFirstToken: SketchData;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Cost per priced call, US dollars. */
  readonly cost: Moments;
  /** Units assigned to the arm, for the sample-ratio check (distinct sticky keys, or calls). */
  readonly units: number;
  /** Shadow copies not sent because `shadowConcurrency` were in flight. */
  readonly shadowDropped: number;
}

/** An empty arm. */
export const EMPTY_ARM: ArmStatsData = {
  calls: 0,
  errors: 0,
  errorsByCategory: {},
  callerFaults: 0,
  rescued: 0,
  mixed: 0,
  latency: EMPTY_SKETCH,
  timeToFirstToken: EMPTY_SKETCH,
  inputTokens: 0,
  outputTokens: 0,
  cost: { count: 0, sum: 0, sumOfSquares: 0 },
  units: 0,
  shadowDropped: 0,
};

/** A mutable accumulator of one arm's statistics. */
export class ArmStats {
  calls = 0;
  errors = 0;
  readonly errorsByCategory: Partial<Record<ErrorCategoryName, number>> = {};
  callerFaults = 0;
  rescued = 0;
  mixed = 0;
  readonly latency = new QuantileSketch();
  readonly timeToFirstToken = new QuantileSketch();
  inputTokens = 0;
  outputTokens = 0;
  costCount = 0;
  costSum = 0;
  costSumOfSquares = 0;
  units = 0;
  shadowDropped = 0;

  /** Adds up several arms' data (e.g. the same arm in several processes). */
  static merge(parts: readonly ArmStatsData[]): ArmStats {
    const merged = new ArmStats();
    for (const part of parts) merged.add(part);
    return merged;
  }

  /** Records one call of this arm. */
  record(outcome: ArmCallOutcome): void {
    if (outcome.mixed) this.mixed += 1;
    if (outcome.callerFault) {
      this.callerFaults += 1;
      return;
    }
    this.calls += 1;
    if (outcome.failed) {
      this.errors += 1;
      const category = outcome.category ?? 'unknown';
      this.errorsByCategory[category] = (this.errorsByCategory[category] ?? 0) + 1;
      if (outcome.rescued) this.rescued += 1;
    } else {
      if (outcome.latencyMs !== undefined) this.latency.add(outcome.latencyMs);
      if (outcome.timeToFirstTokenMs !== undefined) this.timeToFirstToken.add(outcome.timeToFirstTokenMs);
    }
    if (outcome.usage !== undefined) {
      this.inputTokens += outcome.usage.inputTokens;
      this.outputTokens += outcome.usage.outputTokens;
    }
    if (outcome.costUsd !== undefined) {
      this.costCount += 1;
      this.costSum += outcome.costUsd;
      this.costSumOfSquares += outcome.costUsd * outcome.costUsd;
    }
  }

  /** Adds another arm's data to this one. */
  add(data: ArmStatsData): void {
    this.calls += data.calls;
    this.errors += data.errors;
    for (const [category, count] of Object.entries(data.errorsByCategory) as [ErrorCategoryName, number][]) {
      this.errorsByCategory[category] = (this.errorsByCategory[category] ?? 0) + count;
    }
    this.callerFaults += data.callerFaults;
    this.rescued += data.rescued;
    this.mixed += data.mixed;
    this.latency.mergeData(data.latency);
    this.timeToFirstToken.mergeData(data.timeToFirstToken);
    this.inputTokens += data.inputTokens;
    this.outputTokens += data.outputTokens;
    this.costCount += data.cost.count;
    this.costSum += data.cost.sum;
    this.costSumOfSquares += data.cost.sumOfSquares;
    this.units += data.units;
    this.shadowDropped += data.shadowDropped;
  }

  /** The cost moments. */
  get cost(): Moments {
    return { count: this.costCount, sum: this.costSum, sumOfSquares: this.costSumOfSquares };
  }

  /** The statistics as plain data. */
  toData(): ArmStatsData {
    return {
      calls: this.calls,
      errors: this.errors,
      errorsByCategory: { ...this.errorsByCategory },
      callerFaults: this.callerFaults,
      rescued: this.rescued,
      mixed: this.mixed,
      latency: this.latency.toData(),
      timeToFirstToken: this.timeToFirstToken.toData(),
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cost: this.cost,
      units: this.units,
      shadowDropped: this.shadowDropped,
    };
  }
}

/** Both arms of one step. */
export interface StepStatsData {
  readonly baseline: ArmStatsData;
  readonly candidate: ArmStatsData;
}

/** Both arms of one step, as accumulators. */
export interface StepStats {
  readonly baseline: ArmStats;
  readonly candidate: ArmStats;
}

/** Merges the step data of several processes. */
export function mergeStepStats(parts: readonly StepStatsData[]): StepStats {
  return { baseline: ArmStats.merge(parts.map((part) => part.baseline)), candidate: ArmStats.merge(parts.map((part) => part.candidate)) };
}
