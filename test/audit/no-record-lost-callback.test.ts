/**
 * No record is lost, callback sink: 10,000 calls made at once through the router and the simulator,
 * then `close()` awaited — each record delivered exactly once, and before its call returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPlugin } from '../../src/audit/audit-plugin.js';
import type { AuditRecord } from '../../src/audit/record.js';
import { createRouter } from '../../src/create-router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { auditConfig } from './support.js';

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

function expectOneRecordPerCall(records: readonly AuditRecord[]): void {
  const calls = records.filter((record) => record.kind === 'call') as (AuditRecord & { requestId: string })[];
  expect(calls).toHaveLength(CALLS);
  expect(new Set(calls.map((record) => record.requestId)).size).toBe(CALLS);
  expect(records.map((record) => record.seq)).toEqual(Array.from({ length: records.length }, (_unused, index) => index + 1));
}

describe(`${CALLS} concurrent calls, then close()`, () => {
  it('callback sink (fsync always semantics): every record delivered once, before its call returned', TIMEOUT, async () => {
    const records: AuditRecord[] = [];
    const delivered = new Set<string>();
    const config = auditConfig(simulator, { sink: { type: 'callback' } }, { policies: POLICIES });
    const plugin = createAuditPlugin({
      config,
      sink: (record) => {
        records.push(record);
        if (record.kind === 'call') delivered.add(record.requestId);
      },
    });
    const router = createRouter(config, { audit: plugin });
    let missingAtReturn = 0;
    await Promise.all(
      Array.from({ length: CALLS }, async (_unused, index) => {
        await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `call ${index}` }] }, { requestId: `req-${index}` });
        if (!delivered.has(`req-${index}`)) missingAtReturn += 1; // delivered before the call returned?
      }),
    );
    await router.close();
    expect(missingAtReturn).toBe(0);
    expectOneRecordPerCall(records);
  });
});
