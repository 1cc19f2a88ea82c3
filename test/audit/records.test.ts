/**
 * Every field of a call record, end to end through `createRouter` and the simulator: success,
 * failure, retry, cache hit, canary-noted calls and streams; content modes; secrets.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { promptHashOf, responseHashOf } from '../../src/audit/content.js';
import { costOf } from '../../src/pricing.js';
import { recordHash } from '../../src/audit/hash-chain.js';
import { GENESIS_HASH, type AuditRecord, type CallRecord } from '../../src/audit/record.js';
import { LIBRARY_VERSION } from '../../src/version.js';
import { canonicalJson } from '../../src/config/index.js';
import type { SwitchyardConfig } from '../../src/config/types.js';
import type { RouterPlugin } from '../../src/router/plugin.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, StreamEvent } from '../../src/types.js';
import { FAST_POLICIES } from '../support/sim-config.js';
import { auditConfig, auditedRouter, type AuditedRouter } from './support.js';
import { failure } from '../support/failure.js';

let simulator: Simulator;
const opened: AuditedRouter[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ seed: 5 });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((audited) => audited.router.close()));
  simulator.reset();
});
afterAll(async () => {
  await simulator.close();
});

const PRICING = { 'openai/gpt-4': { input: 30, output: 60 }, 'claude-2.0': { input: 8, output: 24 }, 'claude-2.1': { input: 8, output: 24 } };

function setUp(audit: Parameters<typeof auditConfig>[1], extra: Parameters<typeof auditConfig>[2] = {}, plugins: RouterPlugin[] = []): { audited: AuditedRouter; config: SwitchyardConfig } {
  const config = auditConfig(simulator, audit, { pricing: PRICING, ...extra });
  const audited = auditedRouter(config, { plugins });
  opened.push(audited);
  return { audited, config };
}

const question = (model: string, text = 'What is the capital of France?'): ChatRequest => ({
  model,
  system: 'Answer briefly.',
  messages: [{ role: 'user', content: text }],
  temperature: 0,
  maxTokens: 64,
  topP: 0.9,
  stop: ['\n\n'],
  tools: [{ name: 'lookup', description: 'Look up', parameters: { type: 'object' } }],
  metadata: { intent: 'geography' },
});


function expectChained(records: readonly AuditRecord[]): void {
  records.forEach((record, index) => {
    expect(record.seq).toBe(index + 1);
    expect(record.prevHash).toBe(index === 0 ? GENESIS_HASH : records[index - 1]?.hash);
    expect(record.hash).toBe(recordHash(record as unknown as Record<string, unknown>));
  });
}

describe('a successful chat call', () => {
  it('records every field', async () => {
    const { audited, config } = setUp({ sink: { type: 'callback' }, content: 'hash', include: { ip: true } });
    const before = Date.now();
    const request = question('gpt4');
    const response = await audited.router.chat(request, {
      requestId: 'req-ok',
      user: 'user-42',
      tenant: 'acme',
      ip: '203.0.113.7',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      auditFields: { purpose: 'support', caseNumber: 'C-1009' },
    });
    const record = audited.callOf('req-ok');
    expect(record).toMatchObject({
      schema: 1,
      kind: 'call',
      requestId: 'req-ok',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      tenant: 'acme',
      user: 'user-42',
      fields: { purpose: 'support', caseNumber: 'C-1009' },
      metadata: { intent: 'geography' },
      ip: '203.0.113.7',
      mode: 'chat',
      route: 'gpt4',
      servedRoute: 'gpt4',
      target: { provider: 'openai', model: 'gpt-4' },
      model: { requested: 'gpt4', target: 'gpt-4', served: response.servedModel },
      parameters: { temperature: 0, maxTokens: 64, topP: 0.9, stop: ['\n\n'], tools: ['lookup'] },
      promptHash: promptHashOf(request),
      responseHash: responseHashOf(response),
      usage: { inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, totalTokens: response.usage.totalTokens },
      costUsd: costOf(config.pricing, response.target, response.usage),
      outcome: 'ok',
      finishReason: 'stop',
      attempts: [{ route: 'gpt4', provider: 'openai', model: 'gpt-4', outcome: 'ok', status: 200 }],
      configVersion: config.versionHash,
      libraryVersion: LIBRARY_VERSION,
    });
    expect(record.costUsd).toBeGreaterThan(0);
    expect(record.content).toBeUndefined();
    expect(record.error).toBeUndefined();
    expect(record.ttftMs).toBeUndefined();
    expect(record.latencyMs).toBeGreaterThan(0);
    expect(record.latencyMs).toBeLessThanOrEqual(response.latencyMs + 50);
    expect(record.attempts[0]?.ms).toBeGreaterThan(0);
    expect(Date.parse(record.ts)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(record.ts)).toBeLessThanOrEqual(Date.now());
    expect(record.promptHash).toBe(createHash('sha256').update(canonicalJson({ system: request.system, messages: request.messages, tools: request.tools })).digest('hex'));
    expect(audited.records[0]).toMatchObject({ kind: 'open', seq: 1, pid: process.pid, configVersion: config.versionHash, libraryVersion: LIBRARY_VERSION });
    expectChained(audited.records);
  });

  it('pseudonymises the user with a keyed hash and leaves the IP out unless asked', async () => {
    const key = 'pseudonymization-key-0123456789';
    const { audited } = setUp({ sink: { type: 'callback' }, pseudonymize: { key } });
    await audited.router.chat(question('gpt4'), { requestId: 'req-pseudo', user: 'alice@example.com', ip: '198.51.100.1' });
    const record = audited.callOf('req-pseudo');
    expect(record.user).toBe(`hmac-sha256:${createHmac('sha256', key).update('alice@example.com').digest('hex')}`);
    expect(record.ip).toBeUndefined();
    expect(JSON.stringify(audited.records)).not.toContain('alice@example.com');
    expect(JSON.stringify(audited.records)).not.toContain(key);
  });
});

describe('failures and retries', () => {
  it('records a failed call with its error category and every attempt', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } });
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 400, message: 'bad request from bob@example.com' });
    const error = await failure(audited.router.chat(question('gpt4'), { requestId: 'req-fail' }));
    const record = audited.callOf('req-fail');
    expect(record).toMatchObject({
      outcome: 'error',
      error: { category: 'invalid_request', status: 400, retryable: false, provider: 'openai', model: 'gpt-4' },
      attempts: [{ provider: 'openai', model: 'gpt-4', outcome: 'invalid_request', status: 400 }],
      target: { provider: 'openai', model: 'gpt-4' },
      model: { requested: 'gpt4', target: 'gpt-4' },
    });
    expect(error.category).toBe('invalid_request');
    expect(record.responseHash).toBeUndefined();
    expect(record.usage).toBeUndefined();
    expect(record.costUsd).toBeUndefined();
    expect(record.finishReason).toBeUndefined();
    expect(record.promptHash).toBeDefined();
    expect(record.error?.message).not.toContain('bob@example.com');
  });

  it('records a retried call with both attempts', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } });
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 500 });
    await audited.router.chat(question('gpt4'), { requestId: 'req-retry' });
    const record = audited.callOf('req-retry');
    expect(record.outcome).toBe('ok');
    expect(record.attempts).toMatchObject([
      { provider: 'openai', model: 'gpt-4', outcome: 'server', status: 500 },
      { provider: 'openai', model: 'gpt-4', outcome: 'ok', status: 200 },
    ]);
  });

  it('records a call that fell back to another route', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } });
    simulator.enqueueFault('claude-2.0', { kind: 'status', status: 401 });
    simulator.enqueueFault('claude-2.1', { kind: 'status', status: 401 });
    await audited.router.chat(question('claude'), { requestId: 'req-fallback', user: 'u-1' });
    const record = audited.callOf('req-fallback');
    expect(record).toMatchObject({ route: 'claude', servedRoute: 'gpt4', target: { provider: 'openai', model: 'gpt-4' }, model: { requested: 'claude', target: 'gpt-4' } });
    expect(record.attempts.map((attempt) => attempt.outcome)).toEqual(['auth', 'auth', 'ok']);
  });
});

describe('cache hits', () => {
  it('records the miss, then the hit with no attempts and no cost', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } }, { policies: { ...FAST_POLICIES, cache: { ttl: '1m' } } });
    await audited.router.chat(question('gpt4'), { requestId: 'req-miss' });
    const response = await audited.router.chat(question('gpt4'), { requestId: 'req-hit' });
    expect(response.cached).toBe(true);
    const miss = audited.callOf('req-miss');
    const hit = audited.callOf('req-hit');
    expect(miss.cache).toBe('miss');
    expect(miss.costUsd).toBeGreaterThan(0);
    expect(hit).toMatchObject({ cache: 'hit', outcome: 'ok', attempts: [], costUsd: 0, target: { provider: 'openai', model: 'gpt-4' } });
    expect(hit.responseHash).toBe(miss.responseHash);
    expect(simulator.count()).toBe(1);
  });
});

describe('canary calls', () => {
  it('records the arm, step and weight a canary plugin noted, and the target it assigned', async () => {
    const canary: RouterPlugin = {
      name: 'test-canary',
      assignTarget(route, context) {
        if (route.name !== 'claude') return undefined;
        context.notes.canary = { route: 'claude', arm: 'candidate', step: 2, weight: 25 };
        return route.targets.find((target) => target.model === 'claude-2.1');
      },
    };
    const { audited } = setUp({ sink: { type: 'callback' } }, {}, [canary]);
    await audited.router.chat(question('claude'), { requestId: 'req-canary', user: 'u-7' });
    expect(audited.callOf('req-canary')).toMatchObject({
      arm: 'candidate',
      canary: { route: 'claude', arm: 'candidate', step: 2, weight: 25 },
      target: { provider: 'anthropic', model: 'claude-2.1' },
      model: { requested: 'claude', target: 'claude-2.1' },
      costUsd: expect.any(Number),
    });
  });
});

describe('streams', () => {
  it('writes the record before the finish event reaches the caller, with time to first token', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } });
    simulator.setBehavior('claude-2.0', { ttftMs: 20, interTokenMs: 2 });
    let recordedAtFinish: CallRecord | undefined;
    const events: StreamEvent[] = [];
    for await (const event of audited.router.stream(question('claude', 'one two three four'), { requestId: 'req-stream', user: 'u-1' })) {
      if (event.type === 'finish') recordedAtFinish = audited.calls().find((record) => record.requestId === 'req-stream');
      events.push(event);
    }
    expect(recordedAtFinish).toBeDefined();
    const finish = events[events.length - 1];
    if (finish?.type !== 'finish') throw new Error('no finish event');
    expect(recordedAtFinish).toMatchObject({ mode: 'stream', outcome: 'ok', finishReason: 'stop', responseHash: responseHashOf(finish.response), target: { provider: 'anthropic' } });
    expect(recordedAtFinish?.ttftMs).toBeGreaterThanOrEqual(15);
    expect(recordedAtFinish?.ttftMs).toBeLessThanOrEqual(recordedAtFinish?.latencyMs ?? 0);
  });

  it('records a stream cut off mid-way as an error, before the error reaches the caller', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } });
    simulator.setBehavior('gpt-4', { interTokenMs: 10 }); // let output reach the caller before the cut
    simulator.enqueueFault('gpt-4', { kind: 'cut-stream', afterChunks: 4 });
    let recordedAtError: CallRecord | undefined;
    const error = await failure(
      (async () => {
        try {
          for await (const _event of audited.router.stream(question('gpt4', 'a b c d e f g h'), { requestId: 'req-cut' })) {
            // reading
          }
        } catch (caught) {
          recordedAtError = audited.calls().find((record) => record.requestId === 'req-cut');
          throw caught;
        }
      })(),
    );
    expect(error.category).toBe('network');
    expect(recordedAtError).toMatchObject({ outcome: 'error', error: { category: 'network' }, mode: 'stream', attempts: [{ outcome: 'ok' }] });
    expect(recordedAtError?.responseHash).toBeUndefined();
  });

  it('records a stream the caller stopped reading as canceled', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } });
    for await (const event of audited.router.stream(question('gpt4', 'a b c d e f g h'), { requestId: 'req-early' })) {
      if (event.type === 'text-delta') break;
    }
    expect(audited.callOf('req-early')).toMatchObject({ outcome: 'error', error: { category: 'canceled' }, mode: 'stream' });
  });

  it('records a cache hit replayed as a stream', async () => {
    const { audited } = setUp({ sink: { type: 'callback' } }, { policies: { ...FAST_POLICIES, cache: { ttl: '1m' } } });
    await audited.router.chat(question('gpt4'), { requestId: 'req-fill' });
    for await (const _event of audited.router.stream(question('gpt4'), { requestId: 'req-replay' })) {
      // reading
    }
    expect(audited.callOf('req-replay')).toMatchObject({ mode: 'stream', cache: 'hit', outcome: 'ok', costUsd: 0, attempts: [] });
  });
});

describe('content modes', () => {
  const secretKey = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUV0123';
  const sensitive = `My card is 4111 1111 1111 1111, mail bob@example.com, key ${secretKey}`;

  it.each([
    ['none', { hashes: false, content: false }],
    ['hash', { hashes: true, content: false }],
    ['redacted', { hashes: true, content: true }],
    ['full', { hashes: true, content: true }],
  ] as const)('%s', async (mode, expected) => {
    const { audited } = setUp({ sink: { type: 'callback' }, content: mode, redact: ['email', 'card', 'secret'] });
    const request: ChatRequest = { model: 'gpt4', system: 'Be terse.', messages: [{ role: 'user', content: sensitive }] };
    await audited.router.chat(request, { requestId: `req-${mode}` });
    const record = audited.callOf(`req-${mode}`);
    expect(record.promptHash !== undefined).toBe(expected.hashes);
    expect(record.responseHash !== undefined).toBe(expected.hashes);
    expect(record.content !== undefined).toBe(expected.content);
    if (mode === 'redacted') {
      expect(record.content).toEqual({
        system: 'Be terse.',
        messages: [{ role: 'user', content: 'My card is [card], mail [email], key [secret]' }],
        response: { text: 'Echo: My card is [card], mail [email], key [secret]', toolCalls: [] },
      });
    }
    if (mode === 'full') {
      expect(record.content?.messages[0]?.content).toBe('My card is 4111 1111 1111 1111, mail bob@example.com, key [secret]');
    }
    expect(JSON.stringify(audited.records)).not.toContain(secretKey);
  });

  it('redacts tool-call arguments and never copies image bytes', async () => {
    const { audited } = setUp({ sink: { type: 'callback' }, content: 'redacted' });
    const request: ChatRequest = {
      model: 'gpt4',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'call +1 415 555 2671' }, { type: 'image', data: 'aGVsbG8=', mediaType: 'image/png' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'email', arguments: { to: 'carol@example.org' } }] },
        { role: 'tool', content: 'sent to carol@example.org', toolCallId: 'c1', name: 'email' },
        { role: 'user', content: 'thanks' },
      ],
    };
    await audited.router.chat(request, { requestId: 'req-parts' });
    const record = audited.callOf('req-parts');
    expect(record.content?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'call [phone]' }, { type: 'image', mediaType: 'image/png', sha256: createHash('sha256').update('aGVsbG8=').digest('hex') }] },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'email', arguments: { to: '[email]' } }] },
      { role: 'tool', content: 'sent to [email]', toolCallId: 'c1', name: 'email' },
      { role: 'user', content: 'thanks' },
    ]);
  });
});

describe('secrets', () => {
  it('never appear in any record, whatever field they hide in', async () => {
    const { audited } = setUp({ sink: { type: 'callback' }, content: 'full' });
    const leaked = 'sk-ant-api03-LEAKEDLEAKEDLEAKED';
    simulator.enqueueFault('gpt-4', { kind: 'status', status: 400, message: `invalid x-api-key: ${simulator.apiKey} ${leaked}` });
    await failure(
      audited.router.chat(
        { model: 'gpt4', system: `use ${leaked}`, messages: [{ role: 'user', content: `my key is ${simulator.apiKey}` }], metadata: { note: leaked } },
        { requestId: 'req-secret', user: leaked, tenant: leaked, traceId: leaked, auditFields: { token: leaked } },
      ),
    );
    await audited.router.chat({ model: 'gpt4', messages: [{ role: 'user', content: `echo ${leaked}` }] }, { requestId: 'req-secret-2' });
    const text = JSON.stringify(audited.records);
    expect(audited.calls()).toHaveLength(2);
    expect(text).not.toContain(leaked);
    expect(text).not.toContain(simulator.apiKey);
    expect(text).toContain('[secret]');
  });
});
