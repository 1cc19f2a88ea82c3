/**
 * Records are built, sealed and written in groups, off the call's path: the records appended in
 * one turn of the event loop go to the sink in one write; each is built in that turn, before its
 * call returns; a returned call's record is in the file (and synced with `always`); one that cannot
 * be built or sealed is reported and left out without a gap in the chain; a failing sink is
 * reported for every record of the group and retried in order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLogOptions, type PendingRecord, type RecordReport } from '../../src/audit/audit-log.js';
import { createAuditPlugin } from '../../src/audit/audit-plugin.js';
import type { SealedRecord } from '../../src/audit/hash-chain.js';
import { AUDIT_SCHEMA_VERSION, type AuditRecord, type CallRecordBody } from '../../src/audit/record.js';
import { createFileSink } from '../../src/audit/sinks/file-sink.js';
import type { AuditSink } from '../../src/audit/sinks/sink.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import { createRouter } from '../../src/create-router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { auditConfig, temporaryDirectory } from './support.js';

function body(requestId: string, extra: Record<string, unknown> = {}): CallRecordBody {
  return {
    schema: AUDIT_SCHEMA_VERSION,
    kind: 'call',
    ts: new Date(0).toISOString(),
    requestId,
    mode: 'chat',
    route: 'main',
    model: { requested: 'main' },
    parameters: {},
    latencyMs: 1,
    outcome: 'ok',
    attempts: [],
    configVersion: 'v',
    libraryVersion: '0.1.0',
    ...extra,
  };
}

/** A record built by `build` when its group's turn ends, with a count of builds. */
function pending(requestId: string, build: () => CallRecordBody = () => body(requestId)): PendingRecord & { builds: number } {
  const record = {
    requestId,
    builds: 0,
    build() {
      record.builds += 1;
      return build();
    },
  };
  return record;
}

/** A real file sink that counts its writes and can be made to fail the next ones (holding their records, as sinks do). */
function countedFileSink(path: string): { sink: AuditSink; writes: { records: number; sync: boolean }[]; failNext(times: number): void } {
  const inner = createFileSink({ path, rotateBytes: 0 });
  const writes: { records: number; sync: boolean }[] = [];
  let failures = 0;
  let held: SealedRecord[] = [];
  return {
    writes,
    failNext: (times) => void (failures = times),
    sink: {
      description: `counted ${inner.description}`,
      open: () => inner.open(),
      async write(records: readonly SealedRecord[], sync: boolean) {
        held.push(...records);
        if (failures > 0) {
          failures -= 1;
          throw new Error('disk full');
        }
        const writing = held;
        held = [];
        writes.push({ records: writing.length, sync });
        await inner.write(writing, sync);
      },
      close: () => inner.close(),
    },
  };
}

function logOptions(sink: AuditSink, overrides: Partial<AuditLogOptions> = {}): AuditLogOptions {
  return {
    sink,
    fsync: 'none',
    queueSize: 10_000,
    flushIntervalMs: 3_600_000,
    markerFields: () => ({ schema: AUDIT_SCHEMA_VERSION, ts: new Date(0).toISOString(), configVersion: 'v', libraryVersion: '0.1.0' }),
    retryDelayMs: { min: 5, max: 20 },
    ...overrides,
  };
}

function fileRecords(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

const requestIds = (records: readonly AuditRecord[]): string[] => records.flatMap((record) => (record.kind === 'call' ? [record.requestId] : []));

describe('the audit log writes in groups', () => {
  it.each(['none', 'always'] as const)('fsync %s: records appended in one turn go out in one write, in order, each resolved once it is written', async (fsync) => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const counted = countedFileSink(path);
    const log = createAuditLog(logOptions(counted.sink, { fsync }));
    await log.appendPending(pending('req-first')); // opens the file: the open marker and this record
    const ids = Array.from({ length: 100 }, (_unused, index) => `req-${index}`);
    const onDisk: boolean[] = [];
    await Promise.all(ids.map((id) => log.appendPending(pending(id)).then(() => onDisk.push(readFileSync(path, 'utf8').includes(`"requestId":"${id}"`)))));
    const sync = fsync === 'always';
    expect(counted.writes).toEqual([
      { records: 2, sync },
      { records: 100, sync },
    ]);
    expect(onDisk).toHaveLength(100);
    expect(onDisk.every(Boolean)).toBe(true);
    await log.close();
    const records = fileRecords(path);
    expect(requestIds(records)).toEqual(['req-first', ...ids]);
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 102, warnings: [] });
  });

  it('builds a record in its group\'s turn, not on the call\'s path, and before the call goes on', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const log = createAuditLog(logOptions(countedFileSink(path).sink));
    const record = pending('req-1');
    const appended = log.appendPending(record);
    expect(record.builds).toBe(0);
    await appended;
    expect(record.builds).toBe(1);
    await log.close();
    expect(record.builds).toBe(1);
  });

  it('fsync batch: resolves once its group is built, and writes later', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const counted = countedFileSink(path);
    const log = createAuditLog(logOptions(counted.sink, { fsync: 'batch' }));
    const records = [pending('req-1'), pending('req-2')];
    await Promise.all(records.map((record) => log.appendPending(record)));
    expect(records.map((record) => record.builds)).toEqual([1, 1]);
    expect(counted.writes).toEqual([]);
    expect(log.depth).toBe(2);
    await log.flush();
    expect(counted.writes).toEqual([{ records: 3, sync: true }]);
    await log.close();
  });

  it('leaves out a record that cannot be built or sealed, reports it, and keeps the chain whole', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const buildErrors: string[] = [];
    const log = createAuditLog(logOptions(countedFileSink(path).sink, { onBuildError: (requestId) => buildErrors.push(requestId) }));
    await Promise.all([
      log.appendPending(pending('req-1')),
      log.appendPending(
        pending('req-unbuildable', () => {
          throw new Error('a bug');
        }),
      ),
      log.append(body('req-unsealable', { fields: { count: 1n } }), 'req-unsealable'), // JSON has no BigInt
      log.appendPending(pending('req-2')),
    ]);
    await log.close();
    expect(buildErrors).toEqual(['req-unbuildable', 'req-unsealable']);
    const records = fileRecords(path);
    expect(requestIds(records)).toEqual(['req-1', 'req-2']);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 3 });
  });

  it('a failed group write: every record reported once, the calls go on, and the retry writes them all in order', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const counted = countedFileSink(path);
    const reports: RecordReport[] = [];
    const sinkErrors: unknown[] = [];
    const log = createAuditLog(logOptions(counted.sink, { fsync: 'always', onRecord: (report) => reports.push(report), onSinkError: (error) => sinkErrors.push(error) }));
    counted.failNext(1);
    const ids = Array.from({ length: 50 }, (_unused, index) => `req-${index}`);
    await Promise.all(ids.map((id) => log.appendPending(pending(id)))); // resolves although the write failed
    expect(reports.filter((report) => !report.ok).map((report) => report.requestId)).toEqual(ids);
    expect(sinkErrors).toHaveLength(1);
    expect(log.sinkErrors).toBe(1);
    await log.close(); // writes what the retry has not written yet
    expect(reports.filter((report) => report.ok).map((report) => report.requestId)).toEqual(ids);
    expect(requestIds(fileRecords(path))).toEqual(ids);
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 51 });
  });
});

/** A sink that syncs apart from writing, each sync held until the test ends it (or fails it). */
function syncGatedSink(): {
  sink: AuditSink;
  writes: { requestIds: string[]; sync: boolean }[];
  syncs: { end(): void; fail(error: Error): void }[];
} {
  const writes: { requestIds: string[]; sync: boolean }[] = [];
  const syncs: { end(): void; fail(error: Error): void }[] = [];
  return {
    writes,
    syncs,
    sink: {
      description: 'sync-gated',
      async open() {
        return {};
      },
      async write(records, sync) {
        writes.push({ requestIds: records.flatMap(({ record }) => (record.kind === 'call' ? [record.requestId] : [])), sync });
      },
      sync: () => new Promise<void>((resolve, reject) => syncs.push({ end: resolve, fail: reject })),
      async close() {},
    },
  };
}

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await tick(1);
  }
}

describe('fsync always with a sink that syncs apart from writing: overlapping syncs', () => {
  it('writes the next group while a sync runs, starts its sync at once, and confirms groups in order', async () => {
    const gated = syncGatedSink();
    const log = createAuditLog(logOptions(gated.sink, { fsync: 'always' }));
    const resolved: string[] = [];
    const append = (id: string): Promise<void> => log.appendPending(pending(id)).then(() => void resolved.push(id));
    const first = append('a');
    await until(() => gated.syncs.length === 1);
    const second = [append('b1'), append('b2')];
    await until(() => gated.syncs.length === 2); // b's group written and its sync started while a's runs
    expect(gated.writes).toEqual([
      { requestIds: ['a'], sync: false },
      { requestIds: ['b1', 'b2'], sync: false },
    ]);
    gated.syncs[1]?.end(); // b's sync ends first: b still waits for a
    await tick(5);
    expect(resolved).toEqual([]);
    gated.syncs[0]?.end();
    await Promise.all([first, ...second]);
    expect(resolved).toEqual(['a', 'b1', 'b2']);
    await log.close();
  });

  it('a failed sync fails every record in flight; the retry syncs again before any is confirmed', async () => {
    const gated = syncGatedSink();
    const reports: RecordReport[] = [];
    const log = createAuditLog(logOptions(gated.sink, { fsync: 'always', onRecord: (report) => reports.push(report) }));
    const first = log.appendPending(pending('a'));
    await until(() => gated.syncs.length === 1);
    const second = log.appendPending(pending('b'));
    await until(() => gated.syncs.length === 2);
    gated.syncs[1]?.end();
    gated.syncs[0]?.fail(new Error('EIO'));
    await Promise.all([first, second]); // the calls go on
    expect(reports).toEqual([
      { requestId: 'a', ok: false, error: new Error('EIO') },
      { requestId: 'b', ok: false, error: new Error('EIO') },
    ]);
    expect(log.sinkErrors).toBe(1);
    await until(() => gated.syncs.length === 3); // the retry: nothing new to write, one more sync
    expect(gated.writes.at(-1)).toEqual({ requestIds: [], sync: false });
    expect(reports.filter((report) => report.ok)).toEqual([]);
    gated.syncs[2]?.end();
    await until(() => reports.length === 4);
    expect(reports.slice(2)).toEqual([
      { requestId: 'a', ok: true },
      { requestId: 'b', ok: true },
    ]);
    expect(log.depth).toBe(0);
    await log.close();
  });
});

describe('many concurrent calls through the router', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator({ record: false });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it.each(['none', 'always'] as const)('fsync %s: every returned call\'s record is in the file when the call returns, in chain order, verifiable', { timeout: 60_000 }, async (fsync) => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const config = auditConfig(simulator, { sink: { type: 'file', path, fsync }, content: 'hash' });
    const plugin = createAuditPlugin({ config });
    const router = createRouter(config, { audit: plugin });
    const missing: string[] = [];
    const onReturn = (requestId: string): void => {
      if (!readFileSync(path, 'utf8').includes(`"requestId":"${requestId}"`)) missing.push(requestId);
    };
    const chats = Array.from({ length: 300 }, (_unused, index) =>
      router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `call ${index}` }] }, { requestId: `chat-${index}` }).then(() => onReturn(`chat-${index}`)),
    );
    const streams = Array.from({ length: 50 }, async (_unused, index) => {
      for await (const event of router.stream({ model: 'gpt4', messages: [{ role: 'user', content: `stream ${index}` }] }, { requestId: `stream-${index}` })) {
        if (event.type === 'finish') onReturn(`stream-${index}`);
      }
    });
    await Promise.all([...chats, ...streams]);
    expect(missing).toEqual([]);
    await router.close();
    const records = fileRecords(path);
    expect(records.map((record) => record.seq)).toEqual(records.map((_record, index) => index + 1));
    expect(new Set(requestIds(records)).size).toBe(350);
    expect(plugin.sinkErrors).toBe(0);
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 351, warnings: [] });
  });
});
