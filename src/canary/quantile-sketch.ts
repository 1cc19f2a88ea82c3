/**
 * A streaming quantile sketch for latencies: a log-bucketed histogram (the DDSketch layout). A
 * value `x` goes to bin `ceil(log_γ x)` with `γ = (1 + α) / (1 − α)`, and a bin is read back as
 * `2γ^i / (γ + 1)`, which is within a relative error `α` of every value the bin holds. So a
 * quantile read from the sketch is within `α` (1%) of the exact sample quantile: for rank
 * `r = ⌊q·(n − 1)⌋`, the answer `v̂` satisfies `|v̂ − x₍r₎| ≤ α·x₍r₎`, where `x₍r₎` is the
 * r-th smallest value (0-based). No samples are stored: values from 0.001 ms to 10⁸ ms (27 hours)
 * fall in at most ~1,270 bins, whatever the traffic; smaller values count as 0 and larger ones are
 * clamped to the last bin. Sketches with the same α merge exactly (bin counts add), which is how
 * the statistics of several processes are combined.
 */

/** The relative accuracy of every sketch (1%). */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below this (ms) count as zero. */
const MIN_VALUE = 1e-3;
/** Values above this (ms) are clamped to it. */
const MAX_VALUE = 1e8;
const MAX_INDEX = Math.ceil(Math.log(MAX_VALUE) / LOG_GAMMA);

/** A sketch as plain data (JSON-safe), for sharing between processes. */
export interface SketchData {
  /** Values counted as zero. */
  readonly zeros: number;
  /** `[bin index, count]` pairs, ascending by index. */
  readonly bins: readonly (readonly [number, number])[];
  readonly count: number;
  readonly sum: number;
  /** Exact extremes (undefined when empty). */
  readonly min?: number;
  readonly max?: number;
}

/** The bin index of a value (undefined for values counted as zero). */
export function sketchIndex(value: number): number | undefined {
  if (!(value >= MIN_VALUE)) return undefined;
  return Math.min(MAX_INDEX, Math.ceil(Math.log(value) / LOG_GAMMA));
}

/** The value a bin stands for (within α of every value in it). */
export function sketchBinValue(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

/** A mergeable streaming quantile sketch with bounded relative error. */
export class QuantileSketch {
  private readonly counts = new Map<number, number>();
  private sortedIndexes: number[] | undefined = [];
  private zeroCount = 0;
  private total = 0;
  private valueSum = 0;
  private minimum = Infinity;
  private maximum = -Infinity;

  /** Rebuilds a sketch from its data. */
  static fromData(data: SketchData): QuantileSketch {
    const sketch = new QuantileSketch();
    sketch.mergeData(data);
    return sketch;
  }

  /** How many values were added. */
  get count(): number {
    return this.total;
  }

  /** The mean of the added values (NaN when empty). */
  get mean(): number {
    return this.total === 0 ? Number.NaN : this.valueSum / this.total;
  }

  /** Adds one value (negative and non-finite values are ignored). */
  add(value: number, times = 1): void {
    if (!Number.isFinite(value) || value < 0 || times <= 0) return;
    const index = sketchIndex(value);
    if (index === undefined) this.zeroCount += times;
    else this.addToBin(index, times);
    this.total += times;
    this.valueSum += value * times;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
  }

  /** Adds the contents of another sketch's data. */
  mergeData(data: SketchData): void {
    this.zeroCount += data.zeros;
    for (const [index, count] of data.bins) this.addToBin(index, count);
    this.total += data.count;
    this.valueSum += data.sum;
    if (data.min !== undefined && data.min < this.minimum) this.minimum = data.min;
    if (data.max !== undefined && data.max > this.maximum) this.maximum = data.max;
  }

  /** The q-quantile (0 ≤ q ≤ 1), within α of the exact sample quantile; NaN when empty. */
  quantile(q: number): number {
    if (this.total === 0) return Number.NaN;
    return this.valueAtRank(Math.floor(Math.min(1, Math.max(0, q)) * (this.total - 1)));
  }

  /** The value of the r-th smallest added value (0-based), within α; NaN outside `0…count − 1`. */
  valueAtRank(rank: number): number {
    if (!(rank >= 0 && rank < this.total)) return Number.NaN;
    if (rank < this.zeroCount) return Math.max(0, this.minimum);
    let seen = this.zeroCount;
    for (const index of this.indexes()) {
      seen += this.counts.get(index) as number;
      if (seen > rank) return Math.min(this.maximum, Math.max(this.minimum, sketchBinValue(index)));
    }
    return this.maximum;
  }

  /** How many added values are above `value` (counting a bin as above when its bin is). */
  countAbove(value: number): number {
    const threshold = sketchIndex(value);
    if (threshold === undefined) return this.total - this.zeroCount;
    let above = 0;
    for (const [index, count] of this.counts) if (index > threshold) above += count;
    return above;
  }

  /** `[bin index, count]` pairs in ascending order, the zero bin first as index `-Infinity`. */
  entries(): [number, number][] {
    const result: [number, number][] = this.zeroCount > 0 ? [[-Infinity, this.zeroCount]] : [];
    for (const index of this.indexes()) result.push([index, this.counts.get(index) as number]);
    return result;
  }

  /** The sketch as plain data. */
  toData(): SketchData {
    return {
      zeros: this.zeroCount,
      bins: this.indexes().map((index) => [index, this.counts.get(index) as number] as const),
      count: this.total,
      sum: this.valueSum,
      ...(this.total === 0 ? {} : { min: this.minimum, max: this.maximum }),
    };
  }

  private addToBin(index: number, count: number): void {
    const previous = this.counts.get(index);
    if (previous === undefined) this.sortedIndexes = undefined;
    this.counts.set(index, (previous ?? 0) + count);
  }

  private indexes(): number[] {
    if (this.sortedIndexes === undefined) this.sortedIndexes = [...this.counts.keys()].sort((left, right) => left - right);
    return this.sortedIndexes;
  }
}
