/**
 * Canary decisions as audit records: each `canary-decision` event on the router's hub becomes a
 * `canary-decision` record in the same hash chain as the calls around it, verified by
 * `switchyard audit verify`; operator text is redacted; a failed write is a warning, never an error
 * in the canary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPlugin, type AuditPlugin } from '../../src/audit/audit-plugin.js';
import { recordHash } from '../../src/audit/hash-chain.js';
import { GENESIS_HASH, type AuditRecord, type CanaryDecisionAuditRecord } from '../../src/audit/record.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import type { CanaryDecisionRecord } from '../../src/canary/decision-record.js';
import { auditCommand } from '../../src/cli/audit-command.js';
import type { SwitchyardConfig } from '../../src/config/types.js';
import { createRouter } from '../../src/create-router.js';
import { registerSecret } from '../../src/errors.js';
import type { RouterEventHub, RouterEvents } from '../../src/events.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { LIBRARY_VERSION } from '../../src/version.js';
import { auditConfig, temporaryDirectory } from './support.js';

let simulator: Simulator;
const opened: Router[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ seed: 7 });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((router) => router.close()));
  simulator.reset();
});
afterAll(async () => {
  await simulator.close();
});

interface Setup {
  readonly router: Router;
  readonly plugin: AuditPlugin;
  readonly hub: RouterEventHub;
  readonly config: SwitchyardConfig;
}

/** A router with the audit plugin writing to `path`, and its event hub (caught by a plugin's `attach`). */
function setUp(audit: Parameters<typeof auditConfig>[1], pluginOptions: { retryDelayMs?: { min: number; max: number } } = {}): Setup {
  const config = auditConfig(simulator, audit);
  const plugin = createAuditPlugin({ config, ...pluginOptions });
  let hub: RouterEventHub | undefined;
  const router = createRouter(config, {
    audit: plugin,
    plugins: [
      {
        name: 'hub',
        attach: (_router, internals) => {
          hub = internals.events;
        },
      },
    ],
  });
  opened.push(router);
  if (hub === undefined) throw new Error('the router did not attach its plugins');
  return { router, plugin, hub, config };
}

const AT = Date.UTC(2025, 5, 2, 9, 30, 15, 123);

/** A decision as the canary emits it. */
function decision(overrides: Partial<CanaryDecisionRecord> = {}): CanaryDecisionRecord {
  return {
    id: '6f1c2a4e-0d1b-4c8e-9a57-3f3b2c1d0e01',
    route: 'claude',
    rollout: 'claude:5d41402a',
    baseline: 'anthropic/claude-2.0',
    candidate: 'anthropic/claude-2.1',
    at: AT,
    decision: 'promote',
    rule: 'passed',
    by: 'auto',
    actor: 'switchyard',
    reason: 'error rate 0.4% vs 0.5% (-0.1 pp, bounds -0.6…0.4 pp, allowed 1 pp; p = 0.71)',
    from: { state: 'running', step: 0, weight: 10, epoch: 1 },
    to: { state: 'running', step: 1, weight: 25, epoch: 2 },
    evidence: {
      candidateCalls: 412,
      baselineCalls: 3705,
      referenceEpoch: 1,
      sampleRatio: { candidate: 412, baseline: 3705, expectedShare: 0.1, observedShare: 0.1001, chiSquare: 0.004, pValue: 0.95, mismatch: false },
    },
    ...overrides,
  };
}

function readRecords(path: string): AuditRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

function decisionsOf(records: readonly AuditRecord[]): CanaryDecisionAuditRecord[] {
  return records.filter((record): record is CanaryDecisionAuditRecord => record.kind === 'canary-decision');
}

async function verifyCommand(path: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await auditCommand(['verify', path], { stdout: (text) => (out += text), stderr: (text) => (err += text) });
  return { code, out, err };
}

const ask = (router: Router, requestId: string): Promise<unknown> => router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `hi ${requestId}` }] }, { requestId });

/** Writes calls and decisions interleaved into a fresh file; returns its path. */
async function interleaved(fsync: 'always' | 'batch' | 'none' = 'always'): Promise<{ path: string; setup: Setup; decisions: CanaryDecisionRecord[] }> {
  const path = join(temporaryDirectory(), 'audit.jsonl');
  const setup = setUp({ sink: { type: 'file', path, fsync }, content: 'hash' });
  const decisions = [
    decision(),
    decision({
      id: '6f1c2a4e-0d1b-4c8e-9a57-3f3b2c1d0e02',
      at: AT + 60_000,
      decision: 'pause',
      rule: 'operator',
      by: 'operator',
      actor: 'alice',
      reason: 'holding while the provider status page shows an incident',
      from: { state: 'running', step: 1, weight: 25, epoch: 2 },
      to: { state: 'paused', step: 1, weight: 25, epoch: 2 },
      evidence: undefined,
    }),
    decision({
      id: '6f1c2a4e-0d1b-4c8e-9a57-3f3b2c1d0e03',
      at: AT + 120_000,
      decision: 'rollback',
      rule: 'guard-failed',
      from: { state: 'running', step: 1, weight: 25, epoch: 3 },
      to: { state: 'rolled_back', step: 1, weight: 0, epoch: 3 },
    }),
  ];
  await ask(setup.router, 'req-1');
  setup.hub.emit('canary-decision', decisions[0] as CanaryDecisionRecord);
  await ask(setup.router, 'req-2');
  setup.hub.emit('canary-decision', decisions[1] as CanaryDecisionRecord);
  setup.hub.emit('canary-decision', decisions[2] as CanaryDecisionRecord);
  await ask(setup.router, 'req-3');
  await setup.router.close();
  return { path, setup, decisions };
}

describe('canary decisions in the audit chain', () => {
  it('writes one record per decision, in order, chained with the calls around it', async () => {
    const { path, setup, decisions } = await interleaved();
    const records = readRecords(path);
    expect(records.map((record) => record.kind)).toEqual(['open', 'call', 'canary-decision', 'call', 'canary-decision', 'canary-decision', 'call']);
    records.forEach((record, index) => {
      expect(record.seq).toBe(index + 1);
      expect(record.prevHash).toBe(index === 0 ? GENESIS_HASH : records[index - 1]?.hash);
      expect(record.hash).toBe(recordHash(record as unknown as Record<string, unknown>));
    });
    const written = decisionsOf(records);
    expect(written.map((record) => record.decisionId)).toEqual(decisions.map((item) => item.id));
    expect(written[0]).toEqual({
      schema: 1,
      kind: 'canary-decision',
      ts: '2025-06-02T09:30:15.123Z',
      configVersion: setup.config.versionHash,
      libraryVersion: LIBRARY_VERSION,
      decisionId: decisions[0]?.id,
      route: 'claude',
      rollout: 'claude:5d41402a',
      baseline: 'anthropic/claude-2.0',
      candidate: 'anthropic/claude-2.1',
      decision: 'promote',
      rule: 'passed',
      by: 'auto',
      actor: 'switchyard',
      reason: decisions[0]?.reason,
      from: { state: 'running', step: 0, weight: 10, epoch: 1 },
      to: { state: 'running', step: 1, weight: 25, epoch: 2 },
      evidence: decisions[0]?.evidence,
      seq: 3,
      prevHash: records[1]?.hash,
      hash: records[2]?.hash,
    });
    expect(written[1]).toMatchObject({ decision: 'pause', by: 'operator', actor: 'alice', to: { state: 'paused' }, ts: new Date(AT + 60_000).toISOString() });
    expect(written[1]).not.toHaveProperty('evidence');
    expect(written[2]).toMatchObject({ decision: 'rollback', rule: 'guard-failed', to: { state: 'rolled_back', weight: 0 } });
    expect(setup.plugin.sinkErrors).toBe(0);
    expect(setup.plugin.lostRecords).toBe(0);
  });

  it.each(['batch', 'none'] as const)('keeps the order with fsync %s', async (fsync) => {
    const { path } = await interleaved(fsync);
    const records = readRecords(path);
    expect(records.map((record) => record.kind)).toEqual(['open', 'call', 'canary-decision', 'call', 'canary-decision', 'canary-decision', 'call']);
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 7, warnings: [] });
  });

  it('a decision emitted before a call is written before that call', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const { router, hub } = setUp({ sink: { type: 'file', path, fsync: 'always' } });
    hub.emit('canary-decision', decision());
    await ask(router, 'req-after');
    expect(readRecords(path).map((record) => record.kind)).toEqual(['open', 'canary-decision', 'call']);
  });

  it('is accepted by verifyAuditFiles and `switchyard audit verify`', async () => {
    const { path } = await interleaved();
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 7, warnings: [], firstSeq: 1, head: { seq: 7 } });
    const result = await verifyCommand(path);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('ok: 7 record(s) in 1 file(s) verified; seq 1..7');
  });

  it("fails verification when a decision record's reason is edited", async () => {
    const { path } = await interleaved();
    const lines = readFileSync(path, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('"decision":"rollback"'));
    expect(line).toBeGreaterThan(0);
    lines[line] = (lines[line] as string).replace(/"reason":"[^"]*"/, '"reason":"rolled back by the on-call, as agreed"');
    writeFileSync(path, lines.join('\n'));
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: false, records: line, failure: { kind: 'edited', line: line + 1 } });
    const result = await verifyCommand(path);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${path}:${line + 1}: edited: record seq ${line + 1} was edited`);
  });

  it('fails verification when an edited decision record carries a recomputed hash', async () => {
    const { path } = await interleaved();
    const lines = readFileSync(path, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('"decision":"pause"'));
    const { hash: _hash, ...rest } = JSON.parse(lines[line] as string) as Record<string, unknown>;
    const edited = { ...rest, reason: 'routine pause' };
    lines[line] = JSON.stringify({ ...edited, hash: recordHash(edited) });
    writeFileSync(path, lines.join('\n'));
    const result = await verifyCommand(path);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${path}:${line + 2}: broken-link`);
  });
});

describe("an operator's words", () => {
  const secret = 'corp-internal-token-7b1e9d33';
  const pasted = `rolled back after a call with ops (jane.doe@example.com), used ${secret} to check, also sk-ant-api03-PASTEDPASTEDPASTED`;

  it('are redacted: registered secrets, key shapes and the configured personal data', async () => {
    registerSecret(secret);
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const { router, hub } = setUp({ sink: { type: 'file', path }, content: 'full', redact: ['email', 'phone', 'secret'] });
    await ask(router, 'req-1');
    hub.emit('canary-decision', decision({ decision: 'rollback', rule: 'operator', by: 'operator', actor: 'jane.doe@example.com', reason: pasted }));
    await router.close();
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).not.toContain('PASTEDPASTED');
    const [record] = decisionsOf(readRecords(path));
    expect(record?.reason).toBe('rolled back after a call with ops ([email]), used [secret] to check, also [secret]');
    expect(record?.actor).toBe('[email]');
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 3 });
  });

  it('keep personal data that `audit.redact` leaves out, but never secrets', async () => {
    registerSecret(secret);
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const { router, hub } = setUp({ sink: { type: 'file', path }, redact: ['card'] });
    hub.emit('canary-decision', decision({ by: 'operator', rule: 'operator', decision: 'abort', actor: 'jane.doe@example.com', reason: pasted }));
    await router.close();
    const [record] = decisionsOf(readRecords(path));
    expect(record?.reason).toBe('rolled back after a call with ops (jane.doe@example.com), used [secret] to check, also [secret]');
    expect(record?.actor).toBe('jane.doe@example.com');
  });
});

describe('a decision record that cannot be written', () => {
  it('is a warning naming the decision, never an error in the canary, and counted as lost at close', async () => {
    const directory = temporaryDirectory();
    const blocker = join(directory, 'not-a-directory');
    writeFileSync(blocker, 'x');
    const { router, hub, plugin } = setUp({ sink: { type: 'file', path: join(blocker, 'audit.jsonl') } }, { retryDelayMs: { min: 5, max: 10 } });
    const warnings: RouterEvents['warning'][] = [];
    const listenerErrors: RouterEvents['listener-error'][] = [];
    router.on('warning', (event) => warnings.push(event));
    router.on('listener-error', (event) => listenerErrors.push(event));
    expect(() => hub.emit('canary-decision', decision())).not.toThrow();
    await plugin.flush();
    expect(listenerErrors).toEqual([]);
    expect(warnings.some((warning) => warning.code === 'audit-sink' && warning.message.includes(decision().id))).toBe(true);
    expect(plugin.sinkErrors).toBeGreaterThanOrEqual(1);
    expect(plugin.queueDepth).toBe(1);
    const before = warnings.length;
    await router.close(); // the plugin's close rejects (a record lost); the router's close completes
    expect(plugin.lostRecords).toBe(1);
    expect(warnings.slice(before).some((warning) => warning.message.includes(`${decision().id} is not written: 1 audit record(s) could not be written`))).toBe(true);
    hub.emit('canary-decision', decision({ id: 'after-close' }));
    expect(plugin.lostRecords).toBe(2);
    expect(warnings.some((warning) => warning.message.includes('after-close'))).toBe(true);
  });

  it('is a warning when the decision cannot even be built', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const { router, hub, plugin } = setUp({ sink: { type: 'file', path } });
    const warnings: RouterEvents['warning'][] = [];
    router.on('warning', (event) => warnings.push(event));
    const malformed = { ...decision(), at: Number.NaN };
    expect(() => hub.emit('canary-decision', malformed)).not.toThrow();
    expect(warnings).toEqual([{ code: 'audit-sink', message: expect.stringContaining(`canary decision ${malformed.id} could not be built`) as string }]);
    expect(plugin.sinkErrors).toBe(1);
    await ask(router, 'req-after');
    await router.close();
    expect(readRecords(path).map((record) => record.kind)).toEqual(['open', 'call']);
  });
});
