/**
 * The discrete-event machinery of `bench/canary-simulation.ts`: a queue of timed events on a fake
 * clock, and the seeded random draws the simulated traffic is made of.
 */
import { createSeededRandom } from '../src/testing/seeded-random.js';

interface Entry<T> {
  readonly time: number;
  readonly order: number;
  readonly item: T;
}

/** A min-heap of events by time; events at the same time come out in the order they were pushed. */
export class EventQueue<T> {
  private readonly heap: Entry<T>[] = [];
  private pushed = 0;

  /** Events waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** The earliest event's time, or Infinity when the queue is empty. */
  peekTime(): number {
    return this.heap[0]?.time ?? Infinity;
  }

  /** Schedules `item` at `time` (epoch milliseconds of the fake clock). */
  push(time: number, item: T): void {
    const heap = this.heap;
    const entry: Entry<T> = { time, order: this.pushed, item };
    this.pushed += 1;
    let index = heap.length;
    heap.push(entry);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as Entry<T>;
      if (!before(entry, above)) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  /** Takes the earliest event. */
  pop(): { readonly time: number; readonly item: T } | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry<T>, heap[left] as Entry<T>) ? right : left;
      const lower = heap[child] as Entry<T>;
      if (!before(lower, last)) break;
      heap[index] = lower;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

function before<T>(left: Entry<T>, right: Entry<T>): boolean {
  return left.time < right.time || (left.time === right.time && left.order < right.order);
}

/** Seeded random draws. */
export interface Draws {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [low, high). */
  between(low: number, high: number): number;
  /** True with probability `probability`. */
  chance(probability: number): boolean;
  /** Standard normal (Box–Muller). */
  gaussian(): number;
  /** Exponential with the given mean (the gaps of a Poisson process). */
  exponential(mean: number): number;
}

/** Creates the draws of one rollout from its seed (mulberry32 underneath). */
export function createDraws(seed: number): Draws {
  const random = createSeededRandom(seed);
  return {
    uniform: random,
    between: (low, high) => low + (high - low) * random(),
    chance: (probability) => random() < probability,
    gaussian: () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
    exponential: (mean) => -mean * Math.log(1 - random()),
  };
}
