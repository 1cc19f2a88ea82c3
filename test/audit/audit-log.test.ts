/**
 * The audit log's durability modes, its bounded queue, and what happens when a sink fails:
 * reported, retried in order, never dropped while the process lives, and given up only at close
 * with an error that says how many.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLogOptions, type RecordReport } from '../../src/audit/audit-log.js';
import { createAuditPlugin } from '../../src/audit/audit-plugin.js';
import type { SealedRecord } from '../../src/audit/hash-chain.js';
import { AUDIT_SCHEMA_VERSION, GENESIS_HASH, type AuditRecord, type CallRecordBody } from '../../src/audit/record.js';
import { createCallbackSink } from '../../src/audit/sinks/callback-sink.js';
import type { AuditSink } from '../../src/audit/sinks/sink.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import type { RouterEvents } from '../../src/events.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { auditConfig, temporaryDirectory } from './support.js';

function body(index: number): CallRecordBody {
  return {
    schema: AUDIT_SCHEMA_VERSION,
    kind: 'call',
    ts: new Date(0).toISOString(),
    requestId: `req-${index}`,
    mode: 'chat',
    route: 'main',
    model: { requested: 'main' },
    parameters: {},
    latencyMs: 1,
    outcome: 'ok',
    attempts: [],
    configVersion: 'v',
    libraryVersion: '0.1.0',
  };
}

/** A sink whose writes wait for the test to release them. */
function gatedSink(): { sink: AuditSink; writes: { records: readonly SealedRecord[]; sync: boolean }[]; release(): void; pending(): number } {
  const writes: { records: readonly SealedRecord[]; sync: boolean }[] = [];
  let gates: (() => void)[] = [];
  return {
    writes,
    sink: {
      description: 'gated',
      async open() {
        return {};
      },
      async write(records, sync) {
        writes.push({ records, sync });
        await new Promise<void>((resolve) => gates.push(resolve));
      },
      async close() {},
    },
    release() {
      const open = gates;
      gates = [];
      for (const gate of open) gate();
    },
    pending: () => gates.length,
  };
}

function logOptions(sink: AuditSink, overrides: Partial<AuditLogOptions> = {}): AuditLogOptions {
  return {
    sink,
    fsync: 'always',
    queueSize: 100,
    flushIntervalMs: 3_600_000,
    markerFields: () => ({ schema: AUDIT_SCHEMA_VERSION, ts: new Date(0).toISOString(), configVersion: 'v', libraryVersion: '0.1.0' }),
    retryDelayMs: { min: 5, max: 20 },
    ...overrides,
  };
}

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await tick(2);
  }
}

describe('fsync: always', () => {
  it('resolves append only once the record is written and synced', async () => {
    const gated = gatedSink();
    const log = createAuditLog(logOptions(gated.sink));
    let done = false;
    const appended = log.append(body(1), 'req-1').then(() => (done = true));
    await until(() => gated.pending() === 1);
    expect(done).toBe(false);
    expect(gated.writes[0]?.sync).toBe(true);
    expect(gated.writes[0]?.records.map((record) => record.record.kind)).toEqual(['open', 'call']);
    gated.release();
    await appended;
    expect(done).toBe(true);
    await log.close();
  });

  it('writes records that arrive during a write together in the next one (group commit), in order', async () => {
    const gated = gatedSink();
    const log = createAuditLog(logOptions(gated.sink));
    const first = log.append(body(0), 'req-0');
    await until(() => gated.pending() === 1);
    const rest = Array.from({ length: 50 }, (_unused, index) => log.append(body(index + 1), `req-${index + 1}`));
    expect(log.depth).toBe(52); // the open marker and record 0 in flight, 50 queued
    gated.release();
    await first;
    await until(() => gated.pending() === 1);
    gated.release();
    await Promise.all(rest);
    expect(gated.writes).toHaveLength(2);
    const records = gated.writes.flatMap((write) => write.records.map((sealed) => sealed.record));
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 52 }, (_unused, index) => index + 1));
    expect(records.slice(1).map((record) => (record as { requestId: string }).requestId)).toEqual(Array.from({ length: 51 }, (_unused, index) => `req-${index}`));
    await log.close();
  });
});

describe('fsync: none', () => {
  it('writes before append resolves, without syncing', async () => {
    const gated = gatedSink();
    const log = createAuditLog(logOptions(gated.sink, { fsync: 'none' }));
    const appended = log.append(body(1), 'req-1');
    await until(() => gated.pending() === 1);
    expect(gated.writes[0]?.sync).toBe(false);
    gated.release();
    await appended;
    await log.close();
  });
});

describe('fsync: batch', () => {
  it('queues records and writes them on flush, on the interval and on close', async () => {
    const records: AuditRecord[] = [];
    const log = createAuditLog(logOptions(createCallbackSink((record) => void records.push(record)), { fsync: 'batch' }));
    for (let index = 0; index < 5; index += 1) await log.append(body(index), `req-${index}`);
    expect(records).toHaveLength(0);
    expect(log.depth).toBe(5);
    await log.flush();
    expect(records).toHaveLength(6);
    await log.append(body(5), 'req-5');
    await log.close();
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const timed: AuditRecord[] = [];
    const intervalLog = createAuditLog(logOptions(createCallbackSink((record) => void timed.push(record)), { fsync: 'batch', flushIntervalMs: 10 }));
    await intervalLog.append(body(1), 'req-1');
    await until(() => timed.length === 2);
    await intervalLog.close();
  });

  it('makes callers wait for room when the queue is full, rather than dropping records', async () => {
    const gated = gatedSink();
    const log = createAuditLog(logOptions(gated.sink, { fsync: 'batch', queueSize: 5 }));
    for (let index = 0; index < 4; index += 1) await log.append(body(index), `req-${index}`);
    let sixthDone = false;
    await log.append(body(4), 'req-4'); // the queue is full: a write of all of it (and the open marker) starts
    const sixth = log.append(body(5), 'req-5').then(() => (sixthDone = true));
    await until(() => gated.pending() === 1);
    await tick(20);
    expect(sixthDone).toBe(false);
    gated.release();
    await sixth;
    expect(sixthDone).toBe(true);
    const closing = log.close();
    await until(() => gated.pending() === 1);
    gated.release();
    await closing;
    const written = gated.writes.flatMap((write) => write.records.map((sealed) => sealed.record));
    expect(written.filter((record) => record.kind === 'call')).toHaveLength(6);
    expect(written.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(gated.writes.every((write) => write.sync)).toBe(true);
  });
});

describe('a failing sink', () => {
  it('reports each record and the failure, lets the call go on, and writes the records in order once the sink recovers', async () => {
    const accepted: AuditRecord[] = [];
    let failuresLeft = 3;
    const reports: RecordReport[] = [];
    const sinkErrors: unknown[] = [];
    const log = createAuditLog(
      logOptions(
        createCallbackSink((record) => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            throw new Error('disk full');
          }
          accepted.push(record);
        }),
        { onRecord: (report) => reports.push(report), onSinkError: (error) => sinkErrors.push(error) },
      ),
    );
    await log.append(body(1), 'req-1'); // returns although the write failed
    await log.append(body(2), 'req-2'); // the sink is failing: reported at once, queued
    expect(reports.filter((report) => !report.ok).map((report) => report.requestId)).toEqual(['req-1', 'req-2']);
    expect((reports[0]?.error as Error).message).toBe('disk full');
    expect(log.depth).toBeGreaterThanOrEqual(2);
    await until(() => accepted.length === 3);
    expect(accepted.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(accepted[0]?.prevHash).toBe(GENESIS_HASH);
    expect(accepted[1]?.prevHash).toBe(accepted[0]?.hash);
    expect(reports.filter((report) => report.ok).map((report) => report.requestId)).toEqual(['req-1', 'req-2']);
    expect(log.sinkErrors).toBe(3);
    expect(sinkErrors).toHaveLength(3);
    expect(log.depth).toBe(0);
    await log.close();
  });

  it('gives up at close with an error naming how many records were not written', async () => {
    const reports: RecordReport[] = [];
    const log = createAuditLog(
      logOptions(
        createCallbackSink(() => {
          throw new Error('collector down');
        }),
        { onRecord: (report) => reports.push(report) },
      ),
    );
    await log.append(body(1), 'req-1');
    await log.append(body(2), 'req-2');
    await expect(log.close()).rejects.toThrow(/2 audit record\(s\) could not be written to callback before close: collector down/);
    expect(log.lostRecords).toBe(2);
    await log.append(body(3), 'req-3');
    expect(log.lostRecords).toBe(3);
    expect(reports.at(-1)).toMatchObject({ requestId: 'req-3', ok: false });
  });
});

describe('the plugin', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('refuses a callback sink without a function, and a function without a callback sink', () => {
    expect(() => createAuditPlugin({ config: auditConfig(simulator, { sink: { type: 'callback' } }) })).toThrow(SwitchyardError);
    expect(() => createAuditPlugin({ config: auditConfig(simulator, { sink: { type: 'stdout' } }), sink: () => undefined })).toThrow(/audit.sink.type is "stdout"/);
  });

  it('writes JSON lines to stdout', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const config = auditConfig(simulator, { sink: { type: 'stdout' } });
    const plugin = createAuditPlugin({ config, stdout });
    const router = createRouter(config, { audit: plugin });
    await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: 'hi' }] }, { requestId: 'req-stdout' });
    await router.close();
    const records = text.trim().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => record.kind)).toEqual(['open', 'call']);
    expect(records[1]).toMatchObject({ requestId: 'req-stdout', seq: 2 });
  });

  it('surfaces a file sink that cannot be written: audit-write and warning events, a count, and the call still answers', async () => {
    const directory = temporaryDirectory();
    const blocker = join(directory, 'not-a-directory');
    writeFileSync(blocker, 'x');
    const config = auditConfig(simulator, { sink: { type: 'file', path: join(blocker, 'audit.jsonl') } });
    const plugin = createAuditPlugin({ config, retryDelayMs: { min: 5, max: 10 } });
    const router = createRouter(config, { audit: plugin });
    const writes: RouterEvents['audit-write'][] = [];
    const warnings: RouterEvents['warning'][] = [];
    router.on('audit-write', (event) => writes.push(event));
    router.on('warning', (event) => warnings.push(event));
    const response = await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: 'hi' }] }, { requestId: 'req-unwritable' });
    expect(response.text).toBe('Echo: hi');
    expect(writes[0]).toMatchObject({ requestId: 'req-unwritable', ok: false });
    expect(warnings[0]).toMatchObject({ code: 'audit-sink' });
    expect(warnings[0]?.message).toContain(join(blocker, 'audit.jsonl'));
    expect(plugin.sinkErrors).toBeGreaterThanOrEqual(1);
    expect(plugin.queueDepth).toBe(1);
    await router.close(); // the plugin's close rejects (records lost); the router's close still completes
    expect(plugin.lostRecords).toBe(1);
    expect(writes.filter((event) => !event.ok).length).toBeGreaterThanOrEqual(2);
  });

  it('reports every written record on the audit-write event', async () => {
    const config = auditConfig(simulator, { sink: { type: 'file', path: join(temporaryDirectory(), 'a.jsonl') } });
    const plugin = createAuditPlugin({ config });
    const router = createRouter(config, { audit: plugin });
    const writes: RouterEvents['audit-write'][] = [];
    router.on('audit-write', (event) => writes.push(event));
    await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: 'hi' }] }, { requestId: 'req-event' });
    expect(writes).toEqual([{ requestId: 'req-event', ok: true }]);
    expect(plugin.head.seq).toBe(2);
    await router.close();
  });
});
