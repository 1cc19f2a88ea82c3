/**
 * The syncs of successive groups of audit records, several in flight at once (group commit with
 * overlapping syncs). Each covers everything written before it started. They are taken oldest
 * first, so groups are confirmed in chain order even when a later sync ends before an earlier one.
 */

/** A sync that ended: how many records it covers, and its error when it failed. */
export interface EndedSync {
  readonly records: number;
  readonly failed: boolean;
  readonly error: unknown;
}

interface Sync {
  readonly records: number;
  state: 'running' | 'done' | 'failed';
  error: unknown;
}

/** Syncs in flight, oldest first. */
export class OverlappingSyncs {
  private syncs: Sync[] = [];

  /** @param onEnded called whenever a sync ends (the writer waits for it) */
  constructor(private readonly onEnded: () => void) {}

  /** Syncs started and not taken yet. */
  get size(): number {
    return this.syncs.length;
  }

  /** Records covered by the syncs not taken yet. */
  get covered(): number {
    let records = 0;
    for (const sync of this.syncs) records += sync.records;
    return records;
  }

  /** Starts a sync covering the `records` written after those the running syncs cover. */
  start(records: number, sync: () => Promise<void>): void {
    const started: Sync = { records, state: 'running', error: undefined };
    this.syncs.push(started);
    sync().then(
      () => {
        started.state = 'done';
        this.onEnded();
      },
      (error: unknown) => {
        started.state = 'failed';
        started.error = error;
        this.onEnded();
      },
    );
  }

  /** The oldest sync, removed, once it has ended; undefined while it runs (or when there is none). */
  takeEnded(): EndedSync | undefined {
    const oldest = this.syncs[0];
    if (oldest === undefined || oldest.state === 'running') return undefined;
    this.syncs.shift();
    return { records: oldest.records, failed: oldest.state === 'failed', error: oldest.error };
  }

  /** Forgets every sync: after a failure the records they covered are synced again. */
  clear(): void {
    this.syncs = [];
  }
}
