/**
 * Audit files written before records were built and sealed in groups (and before one canonical JSON
 * function served the config, the chain and cache keys) still verify, and today's writer gives
 * their records byte for byte: the same line for the same body and links, and the same fields and
 * hashes for the same calls.
 *
 * The files in `fixtures/legacy/` were written by the build of the commit before that change, by
 * `replay` below (one router per content mode, file sink, `fsync: always`, simulator seed 11).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptHashOf, responseHashOf } from '../../src/audit/content.js';
import { sealRecord } from '../../src/audit/hash-chain.js';
import type { AuditRecord, AuditRecordBody, CallRecord } from '../../src/audit/record.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import type { CanaryDecisionRecord } from '../../src/canary/decision-record.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEventHub } from '../../src/events.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, ChatResponse } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';
import { temporaryDirectory } from './support.js';
import { resolveConfig } from '../../src/config/index.js';

const MODES = ['hash', 'full', 'redacted', 'none'] as const;
const fixture = (mode: string): string => new URL(`./fixtures/legacy/legacy-${mode}.jsonl`, import.meta.url).pathname;
const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');

const TOOLS = [{ name: 'email', description: 'Send an email', parameters: { type: 'object', properties: { to: { type: 'string' }, body: { type: 'string' } }, required: ['to'] } }];
/** The second call of each file: tool calls with nested arguments, a tool result, text and image parts. */
const TOOL_REQUEST: ChatRequest = {
  model: 'claude',
  messages: [
    { role: 'user', content: '!tool please' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'email', arguments: { to: 'bob@example.com', body: 'hi', nested: { z: 1, a: [2, { y: true, b: null }] } } }] },
    { role: 'tool', content: 'sent', toolCallId: 'c1', name: 'email' },
    { role: 'user', content: [{ type: 'text', text: 'this one' }, { type: 'image', mediaType: 'image/png', data: 'aGVsbG8=' }] },
  ],
  tools: TOOLS,
  toolChoice: 'auto',
};

/** The calls and the decision each legacy file records, made again through `createRouter`. */
async function replay(simulator: Simulator, mode: (typeof MODES)[number], path: string): Promise<void> {
  let hub: RouterEventHub | undefined;
  const config = resolveConfig(
    simConfig(simulator, {
      audit: { sink: { type: 'file', path, fsync: 'always' }, content: mode, ...(mode === 'redacted' ? { pseudonymize: { key: 'fixture-pseudonym-key' } } : {}), include: { ip: true } },
      pricing: { 'gpt-4': { input: 30, output: 60 }, 'claude-2.0': { input: 8, output: 24 } },
    }),
  );
  const router = createRouter(config, { plugins: [{ name: 'hub', attach: (_router, internals) => void (hub = internals.events) }] });
  await router.chat(
    {
      model: 'gpt4',
      system: 'Answer briefly.',
      messages: [{ role: 'user', content: 'My card is 4111 1111 1111 1111, mail bob@example.com' }],
      temperature: 0,
      maxTokens: 64,
      topP: 0.9,
      stop: ['\n\n'],
      metadata: { intent: 'billing', b: 'x' },
    },
    { requestId: `${mode}-1`, user: 'alice', tenant: 'acme', traceId: 'trace-1', ip: '203.0.113.7', auditFields: { purpose: 'fixture', case: '42' } },
  );
  await router.chat(TOOL_REQUEST, { requestId: `${mode}-2`, user: 'bob' });
  for await (const _event of router.stream({ model: 'gpt4', messages: [{ role: 'user', content: 'stream me ünïcödé \u2028 "quotes" \\ back' }] }, { requestId: `${mode}-3` })) {
    // read to the end
  }
  simulator.enqueueFault('gpt-4', { kind: 'status', status: 400, message: 'bad request with sk-abcdefghijklmnopqrstuvwxyz123456' });
  await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: 'fail' }] }, { requestId: `${mode}-4` }).catch(() => undefined);
  const decision: CanaryDecisionRecord = {
    id: `dec-${mode}`,
    route: 'claude',
    rollout: 'claude:5d41402a',
    baseline: 'anthropic/claude-2.0',
    candidate: 'anthropic/claude-2.1',
    at: Date.UTC(2025, 5, 2),
    decision: 'promote',
    rule: 'passed',
    by: 'auto',
    actor: 'switchyard',
    reason: 'passed; contact ops@example.com',
    from: { state: 'running', step: 0, weight: 10, epoch: 1 },
    to: { state: 'running', step: 1, weight: 25, epoch: 2 },
    evidence: { candidateCalls: 412, baselineCalls: 3705, sampleRatio: { candidate: 412, baseline: 3705, expectedShare: 0.1, observedShare: 0.1001, chiSquare: 0.004, pValue: 0.95, mismatch: false } },
  };
  hub?.emit('canary-decision', decision);
  await router.chat({ model: 'gemini', messages: [{ role: 'user', content: 'after the decision' }] }, { requestId: `${mode}-5` });
  await router.close();
}

/** A record without what differs from run to run: times, process, config (the simulator's port), and so the links. */
function comparable(record: AuditRecord): Record<string, unknown> {
  const { ts: _ts, seq: _seq, prevHash: _prevHash, hash: _hash, configVersion: _configVersion, ...rest } = record as AuditRecord & Record<string, unknown>;
  const volatile = new Set(['latencyMs', 'ttftMs', 'ms', 'pid']);
  return JSON.parse(JSON.stringify(rest, (key, value: unknown) => (volatile.has(key) ? typeof value : value))) as Record<string, unknown>;
}

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 11 });
});
afterAll(async () => {
  await simulator.close();
});

describe('audit files written before group writes', () => {
  it.each(MODES)('content %s: the file verifies', async (mode) => {
    expect(await verifyAuditFiles([fixture(mode)])).toMatchObject({ ok: true, records: 7, warnings: [] });
  });

  it.each(MODES)('content %s: each record sealed again from its body and links gives its line byte for byte', (mode) => {
    for (const line of lines(fixture(mode))) {
      const { seq, prevHash, hash: _hash, ...body } = JSON.parse(line) as AuditRecord & Record<string, unknown>;
      expect(sealRecord(body as unknown as AuditRecordBody, { seq: seq - 1, hash: prevHash }).line).toBe(line);
    }
  });

  it('prompt and answer hashes are computed as before', () => {
    const records = lines(fixture('full')).map((line) => JSON.parse(line) as AuditRecord);
    const toolCall = records.find((record): record is CallRecord => record.kind === 'call' && record.requestId === 'full-2');
    expect(toolCall?.promptHash).toBe(promptHashOf(TOOL_REQUEST));
    for (const record of records) {
      if (record.kind !== 'call' || record.content?.response === undefined) continue;
      // In mode full only secrets are replaced, and these answers hold none: the content is the answer.
      const answer = { text: record.content.response.text, toolCalls: record.content.response.toolCalls } as unknown as ChatResponse;
      expect(record.responseHash).toBe(responseHashOf(answer));
    }
  });

  it.each(MODES)('content %s: the same calls today give records with the same fields and values', async (mode) => {
    simulator.reset();
    const path = join(temporaryDirectory(), `today-${mode}.jsonl`);
    await replay(simulator, mode, path);
    const today = lines(path).map((line) => JSON.parse(line) as AuditRecord);
    const before = lines(fixture(mode)).map((line) => JSON.parse(line) as AuditRecord);
    expect(today.map(comparable)).toEqual(before.map(comparable));
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 7 });
  });
});
