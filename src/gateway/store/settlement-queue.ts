/**
 * A first-in first-out queue of settlement batches waiting for the store, bounded by the number
 * of settlements. A batch stays whole (it is retried under its own id, which keeps its unlimited
 * keys' settlements idempotent). An array with a moving head: `shift()` on a large array copies
 * it, and the queue may hold 100,000 settlements.
 */
import type { SettlementBatch } from './types.js';

export class SettlementQueue {
  private items: (SettlementBatch | undefined)[] = [];
  private head = 0;
  private settlements = 0;

  constructor(readonly capacity: number) {}

  /** Settlements queued. */
  get size(): number {
    return this.settlements;
  }

  get full(): boolean {
    return this.settlements >= this.capacity;
  }

  /**
   * Adds a batch at the end, or as much of it as there is room for (its first settlements, under
   * the same id); returns how many of its settlements were added.
   */
  push(batch: SettlementBatch): number {
    const room = this.capacity - this.settlements;
    if (room <= 0) return 0;
    const kept = batch.settlements.length <= room ? batch : { id: batch.id, settlements: batch.settlements.slice(0, room) };
    this.items.push(kept);
    this.settlements += kept.settlements.length;
    return kept.settlements.length;
  }

  peek(): SettlementBatch | undefined {
    return this.items[this.head];
  }

  /** Removes the first batch. */
  shift(): void {
    const first = this.items[this.head];
    if (first === undefined) return;
    this.settlements -= first.settlements.length;
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1_024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
