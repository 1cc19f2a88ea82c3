/**
 * A record on its way through the audit log, and the group of calls waiting for the records of one
 * turn of the event loop.
 */
import type { PendingRecord } from './audit-log-contract.js';
import type { AuditRecordBody } from './record.js';

/** The calls whose records were appended in one turn of the event loop: one promise settles them all. */
export class Group {
  private remaining = 0;
  private resolve: (() => void) | undefined;
  readonly settled = new Promise<void>((resolve) => {
    this.resolve = resolve;
  });

  add(): void {
    this.remaining += 1;
  }

  settleOne(): void {
    this.remaining -= 1;
    if (this.remaining === 0) this.resolve?.();
  }
}

export interface Entry {
  /** The record, once built. */
  body: AuditRecordBody | undefined;
  /** What builds it, until it is built. */
  pending: PendingRecord | undefined;
  readonly requestId: string | undefined;
  /** Whether `onRecord` already said `ok: false` for it. */
  reported: boolean;
  /** The group whose promise waits for it; cleared once the entry is settled. */
  group: Group | undefined;
}
