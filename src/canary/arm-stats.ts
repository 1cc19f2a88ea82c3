/**
 * Per-arm statistics of one step: calls, errors by category, latency and time-to-first-token
 * sketches, tokens and cost. Everything is a count, a sum or a sketch, so the statistics of several
 * processes merge exactly by adding them up.
 */
import type { ErrorCategoryName, Usage } from '../types.js';
import type { Moments } from './mean-ratio-test.js';
import type { QualitySignals } from './quality-signals.js';
import { QuantileSketch, type SketchData } from './quantile-sketch.js';

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
  /** The caller cancelled the call before the arm answered, or it ran past `stallAfter` (then `stalled` too). */
  readonly cancelled?: boolean;
  readonly stalled?: boolean;
  /**
   * The arm's own upstream time, ms: for a successful call; for a cancelled, stalled or timed-out
   * one, the time it ran (a lower bound of what it would have taken).
   */
  readonly latencyMs?: number;
  /** What the arm's answer says about its quality (successful calls answered by the arm). */
  readonly quality?: AnswerQuality;
  /** Time to first token (streams), ms. */
  readonly timeToFirstTokenMs?: number;
  /** Tokens the arm's target served. */
  readonly usage?: Usage;
  /** Cost of the tokens the arm's target served, US dollars (undefined when unpriced). */
  readonly costUsd?: number;
}

/** Quality signals of one answer (see `qualitySignals`). */
export type AnswerQuality = QualitySignals;

/** Counts of answers and their quality signals. */
export interface QualityCounts {
  /** Successful calls the arm answered: the denominator of the quality rates. */
  readonly answers: number;
  readonly lengthFinishes: number;
  readonly contentFilterFinishes: number;
  readonly emptyAnswers: number;
  readonly invalidToolCalls: number;
  /** Answers to requests that asked for structured output: the denominator of `invalidOutputs`. */
  readonly structuredAnswers: number;
  readonly invalidOutputs: number;
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
  /** Calls cancelled by the caller or stalled (not in `calls`). Absent in data from older versions. */
  readonly cancelled?: number;
  readonly stalled?: number;
  /** Partial in data written by older versions, which counted fewer signals. */
  readonly quality?: Partial<QualityCounts>;
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

/** A mutable accumulator of one arm's statistics. */
export class ArmStats {
  calls = 0;
  errors = 0;
  readonly errorsByCategory: Partial<Record<ErrorCategoryName, number>> = {};
  callerFaults = 0;
  rescued = 0;
  mixed = 0;
  cancelled = 0;
  stalled = 0;
  readonly quality = { answers: 0, lengthFinishes: 0, contentFilterFinishes: 0, emptyAnswers: 0, invalidToolCalls: 0, structuredAnswers: 0, invalidOutputs: 0 };
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

  /** Calls started and settled: finished calls, cancelled and stalled ones (caller faults excluded). */
  get settled(): number {
    return this.calls + this.cancelled;
  }

  /** Records one call of this arm. */
  record(outcome: ArmCallOutcome): void {
    if (outcome.mixed) this.mixed += 1;
    if (outcome.callerFault) {
      this.callerFaults += 1;
      return;
    }
    // Cancelled, stalled and timed-out calls still took time: their latency is at least what they ran.
    if (outcome.latencyMs !== undefined) this.latency.add(outcome.latencyMs);
    if (outcome.cancelled === true) {
      this.cancelled += 1;
      if (outcome.stalled === true) this.stalled += 1;
      return;
    }
    this.calls += 1;
    if (outcome.failed) {
      this.errors += 1;
      const category = outcome.category ?? 'unknown';
      this.errorsByCategory[category] = (this.errorsByCategory[category] ?? 0) + 1;
      if (outcome.rescued) this.rescued += 1;
    } else if (outcome.timeToFirstTokenMs !== undefined) {
      this.timeToFirstToken.add(outcome.timeToFirstTokenMs);
    }
    const quality = outcome.quality;
    if (quality !== undefined) {
      const counts = this.quality;
      counts.answers += 1;
      if (quality.lengthFinish) counts.lengthFinishes += 1;
      if (quality.contentFilterFinish) counts.contentFilterFinishes += 1;
      if (quality.emptyAnswer) counts.emptyAnswers += 1;
      if (quality.invalidToolCall) counts.invalidToolCalls += 1;
      if (quality.structuredOutput) counts.structuredAnswers += 1;
      if (quality.invalidOutput) counts.invalidOutputs += 1;
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
    this.cancelled += data.cancelled ?? 0;
    this.stalled += data.stalled ?? 0;
    if (data.quality !== undefined) {
      for (const key of Object.keys(this.quality) as (keyof QualityCounts)[]) this.quality[key] += data.quality[key] ?? 0;
    }
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
      cancelled: this.cancelled,
      stalled: this.stalled,
      quality: { ...this.quality },
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
