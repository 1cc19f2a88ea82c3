/**
 * A first-in first-out queue of settlements waiting for the store, bounded. An array with a moving
 * head: `shift()` on a large array copies it, and the queue may hold 100,000 entries.
 */
import type { SettleInput } from './types.js';

export class SettlementQueue {
  private items: (SettleInput | undefined)[] = [];
  private head = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** Adds at the end; false (nothing added) when full. */
  push(settlement: SettleInput): boolean {
    if (this.full) return false;
    this.items.push(settlement);
    return true;
  }

  peek(): SettleInput | undefined {
    return this.items[this.head];
  }

  /** Removes the first entry. */
  shift(): void {
    if (this.size === 0) return;
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
