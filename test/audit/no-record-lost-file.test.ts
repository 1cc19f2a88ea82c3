/**
 * No record is lost: 10,000 calls made at once through the router and the simulator, then
 * `close()` awaited — one record per call in the file, each exactly once, and a chain that verifies.
 * (The callback-sink variant is in `no-record-lost-callback.test.ts`; each file runs ~6 s, mostly HTTP.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPlugin } from '../../src/audit/audit-plugin.js';
import type { AuditRecord } from '../../src/audit/record.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import { createRouter } from '../../src/create-router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { auditConfig, temporaryDirectory } from './support.js';

const CALLS = 10_000;
/** A loaded 2-core machine can take well over the usual 10 s total timeout for 10,000 calls. */
const POLICIES = { ...FAST_POLICIES, timeout: { connect: '10s', firstByte: '60s', idle: '60s', total: '120s' } };
const TIMEOUT = { timeout: 120_000 };

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ record: false, behavior: { latencyMs: 1 } });
});
afterAll(async () => {
  await simulator.close();
});

async function callAll(router: ReturnType<typeof createRouter>): Promise<void> {
  const results = await Promise.allSettled(
    Array.from({ length: CALLS }, (_unused, index) => router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `call ${index}` }] }, { requestId: `req-${index}` })),
  );
  expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
}

function expectOneRecordPerCall(records: readonly AuditRecord[]): void {
  const calls = records.filter((record) => record.kind === 'call') as (AuditRecord & { requestId: string })[];
  expect(calls).toHaveLength(CALLS);
  expect(new Set(calls.map((record) => record.requestId)).size).toBe(CALLS);
  expect(records.map((record) => record.seq)).toEqual(Array.from({ length: records.length }, (_unused, index) => index + 1));
}

describe(`${CALLS} concurrent calls, then close()`, () => {
  it('file sink, fsync batch with a queue smaller than the burst: every record written once', TIMEOUT, async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const config = auditConfig(simulator, { sink: { type: 'file', path, fsync: 'batch', queueSize: 500, flushInterval: '20ms' } }, { policies: POLICIES });
    const plugin = createAuditPlugin({ config });
    const router = createRouter(config, { audit: plugin });
    await callAll(router);
    await router.close();
    expect(plugin.queueDepth).toBe(0);
    expect(plugin.sinkErrors).toBe(0);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe(''); // the file ends with a newline
    expectOneRecordPerCall(lines.map((line) => JSON.parse(line) as AuditRecord));
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: CALLS + 1, warnings: [] });
  });
});
