/**
 * Two gateway processes (`switchyard serve`, as an operator runs them) sharing one PostgreSQL
 * store and one Redis, in front of the simulator: quotas are exact across both, a key's limits
 * are counted once for both, a canary promoted through one is followed by the other, a SIGKILL
 * in the middle of a stream loses no settled usage and no audit record of a completed call (and
 * the dead call's reservation is charged once, by the survivor), and SIGTERM lets a stream finish.
 *
 * Real processes, real signals, real sockets, a database made for the run; no containers (the
 * Docker layout in `deploy/` is the same two processes behind Nginx).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import { openKeyStore } from '../../src/gateway/store/open-key-store.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { connectTestRedis, hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { createScratchDatabase, type ScratchDatabase } from './support/scratch-database.js';

const databaseUrl = process.env.DATABASE_URL === '' ? undefined : process.env.DATABASE_URL;
const canRun = hasRedis && databaseUrl !== undefined;
if (!canRun) {
  console.warn(
    '\n!!! test/gateway/multi-instance.test.ts is SKIPPED: it needs REDIS_URL and DATABASE_URL (e.g. redis://127.0.0.1:6379 and postgres://postgres@127.0.0.1:5432/test). !!!\n',
  );
}

const ADMIN_KEY = 'multi-instance-admin-key-0123456789';

/** 16 characters: the gateway estimates 4 tokens for it (4 characters per token). */
const QUOTA_PROMPT = 'sixteen chars ok';
const QUOTA_PROMPT_TOKENS = 4;
const QUOTA_MAX_TOKENS = 20;
/** Calls the quota admits. */
const ADMITTED = 3;

interface KeyView {
  readonly id: string;
  readonly key: string;
  readonly used: { readonly tokens: number };
  readonly reserved: { readonly tokens: number };
}

interface UsageView {
  readonly rows: readonly { readonly calls: number; readonly errors: number; readonly unsettled: number; readonly inputTokens: number; readonly outputTokens: number; readonly unsettledTokens: number }[];
  readonly totals: { readonly calls: number; readonly errors: number };
}

interface OpenAIErrorBody {
  readonly error: { readonly message: string; readonly code: string | null };
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape of the admin API's answer
async function admin<T>(instance: GatewayProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${instance.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function createKey(instance: GatewayProcess, settings: Record<string, unknown>): Promise<KeyView> {
  const created = await admin<KeyView>(instance, 'POST', '/admin/keys', settings);
  expect(created.status).toBe(201);
  return created.body;
}

async function keyOf(instance: GatewayProcess, id: string): Promise<KeyView> {
  return (await admin<KeyView>(instance, 'GET', `/admin/keys/${id}`)).body;
}

async function usageOf(instance: GatewayProcess, id: string): Promise<{ calls: number; errors: number; unsettled: number; settledTokens: number; unsettledTokens: number }> {
  const { rows } = (await admin<UsageView>(instance, 'GET', `/admin/keys/${id}/usage`)).body;
  const sum = (pick: (row: UsageView['rows'][number]) => number): number => rows.reduce((total, row) => total + pick(row), 0);
  return {
    calls: sum((row) => row.calls),
    errors: sum((row) => row.errors),
    unsettled: sum((row) => row.unsettled),
    settledTokens: sum((row) => row.inputTokens + row.outputTokens),
    unsettledTokens: sum((row) => row.unsettledTokens),
  };
}

function chat(instance: GatewayProcess, key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${instance.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The text of an OpenAI event stream's content deltas, and whether it ended with `[DONE]`. */
function streamedText(body: string): { text: string; done: boolean } {
  let text = '';
  let done = false;
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice('data: '.length);
    if (data === '[DONE]') done = true;
    else text += (JSON.parse(data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '';
  }
  return { text, done };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(!canRun)('two gateway processes sharing PostgreSQL and Redis', () => {
  let simulator: Simulator;
  let database: ScratchDatabase;
  let directory: string;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const started: GatewayProcess[] = [];

  beforeAll(async () => {
    // Set and not answering is a failure, not a skip.
    (await connectTestRedis()).disconnect();
    simulator = await startSimulator();
    database = await createScratchDatabase(databaseUrl as string);
    directory = mkdtempSync(join(tmpdir(), 'switchyard-multi-instance-'));
    const configFile = join(directory, 'switchyard.yaml');
    writeFileSync(
      configFile,
      `providers:
  sim: { type: openai, apiKey: ${simulator.apiKey}, baseUrl: "${simulator.url}/v1" }
routes:
  chat:
    targets: [{ provider: sim, model: chat-model }]
  quota:
    targets: [{ provider: sim, model: quota-model }]
  stream:
    targets: [{ provider: sim, model: stream-model }]
    policies:
      # Reservations live max(10 s, 2 × total): a killed call's is charged ~10 s after it started.
      timeout: { total: 4s }
  rollout:
    canary:
      baseline:  { provider: sim, model: baseline-model }
      candidate: { provider: sim, model: candidate-model }
      sticky: request
      steps:
        - { weight: 10, minRequests: 1000000 }
        - { weight: 50, minRequests: 1000000 }
        - { weight: 100 }
policies:
  timeout: { connect: 2s, firstByte: 5s, idle: 5s, total: 4s }
  retry: { attempts: 1 }
  breaker: { enabled: false }
state:
  redis:
    url: ${redisUrl}
    keyPrefix: "${uniquePrefix('gateway-multi-instance')}"
audit:
  sink: { type: file, path: "\${AUDIT_FILE}", fsync: always }
gateway:
  adminKey: "\${SWITCHYARD_ADMIN_KEY}"
  store:
    url: "${database.url}"
    sweepInterval: 1s
  log: { level: warn }
`,
    );
    const start = (name: string): Promise<GatewayProcess> =>
      startGatewayProcess({ name, configFile, env: { SWITCHYARD_ADMIN_KEY: ADMIN_KEY, AUDIT_FILE: join(directory, `audit-${name}.jsonl`) } }).then((instance) => {
        started.push(instance);
        return instance;
      });
    // Both at once: two instances migrating one empty database together is part of the layout.
    [a, b] = await Promise.all([start('A'), start('B')]);
  }, 90_000);

  afterAll(async () => {
    for (const instance of started) instance.signal('SIGKILL');
    await Promise.all(started.map((instance) => instance.exited));
    await simulator?.close();
    await database?.drop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }, 30_000);

  it('admits exactly as many calls as a token quota allows, however they are split across instances', async () => {
    const perCall = QUOTA_PROMPT_TOKENS + QUOTA_MAX_TOKENS;
    // Each call uses exactly what it reserved, so a settlement frees nothing: the count cannot
    // depend on how reservations and settlements interleave. The latency keeps all calls in flight together.
    simulator.setBehavior('quota-model', { latencyMs: 300, reply: () => ({ text: 'admitted', usage: { inputTokens: QUOTA_PROMPT_TOKENS, outputTokens: QUOTA_MAX_TOKENS } }) });
    const key = await createKey(a, { name: 'quota-key', quota: { tokens: ADMITTED * perCall } });

    const answers = await Promise.all(
      Array.from({ length: 4 * ADMITTED }, async (_, index) => {
        const response = await chat(index % 2 === 0 ? a : b, key.key, { model: 'quota', max_tokens: QUOTA_MAX_TOKENS, messages: [{ role: 'user', content: QUOTA_PROMPT }] });
        return { status: response.status, body: (await response.json()) as Partial<OpenAIErrorBody> };
      }),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(ADMITTED);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused).toHaveLength(3 * ADMITTED);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.body.error?.code).toBe('insufficient_quota');
    }

    await expect.poll(async () => (await keyOf(b, key.id)).reserved.tokens, { timeout: 5_000 }).toBe(0);
    const record = await keyOf(b, key.id);
    expect(record.used.tokens).toBeLessThanOrEqual(ADMITTED * perCall);
    expect(record.used.tokens).toBe(ADMITTED * perCall);
    expect(await usageOf(a, key.id)).toMatchObject({ calls: ADMITTED, errors: 0, unsettled: 0 });
  }, 30_000);

  it("counts a key's rpm once for both instances", async () => {
    const key = await createKey(a, { name: 'rpm-key', limits: { rpm: 5 } });
    const answers: { status: number; message: string | undefined }[] = [];
    for (let index = 0; index < 8; index += 1) {
      const response = await chat(index % 2 === 0 ? a : b, key.key, { model: 'chat', messages: [{ role: 'user', content: `call ${index}` }] });
      answers.push({ status: response.status, message: ((await response.json()) as Partial<OpenAIErrorBody>).error?.message });
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    for (const answer of answers.slice(5)) expect(answer.message).toMatch(/key "rpm-key" \(key_[^)]+\) reached its rpm limit of 5/);
  }, 30_000);

  it('shows on one instance the canary step promoted through the other', async () => {
    interface Report {
      readonly step: number;
      readonly weight: number;
      readonly shared: boolean;
      readonly state: string;
    }
    const before = await admin<Report>(b, 'GET', '/admin/canary/rollout');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ step: 0, weight: 10, shared: true, state: 'running' });

    const promoted = await admin<Report>(a, 'POST', '/admin/canary/rollout/promote', { reason: 'multi-instance test', actor: 'ci' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ step: 1, weight: 50 });

    // B reads the shared rollout state on an interval (1 s).
    await expect.poll(async () => (await admin<Report>(b, 'GET', '/admin/canary/rollout')).body.step, { timeout: 5_000, interval: 200 }).toBe(1);
    expect((await admin<Report>(b, 'GET', '/admin/canary/rollout')).body).toMatchObject({ step: 1, weight: 50, state: 'running' });
  }, 30_000);

  it('loses no settled usage and no audit record when an instance is SIGKILLed mid-stream, and charges the dead call once', async () => {
    const key = await createKey(a, { name: 'survivor-key', quota: { tokens: 1_000_000 } });
    const completed: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await chat(a, key.key, { model: 'chat', messages: [{ role: 'user', content: `completed call ${index}` }] });
      expect(response.status).toBe(200);
      await response.json();
      completed.push(response.headers.get('x-request-id') ?? '');
    }

    // The slow stream: its first word after 200 ms, then nothing for 5 s.
    simulator.setBehavior('stream-model', { ttftMs: 200, interTokenMs: 5_000 });
    const streamPrompt = 'a stream that never ends'; // 24 characters: 6 tokens
    const streamMaxTokens = 50;
    const streamReservation = 6 + streamMaxTokens;
    const stream = await chat(a, key.key, { model: 'stream', stream: true, max_tokens: streamMaxTokens, messages: [{ role: 'user', content: streamPrompt }] });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    a.signal('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await reader.cancel().catch(() => undefined);

    // Every completed call's usage is in the shared ledger; the killed call is not settled.
    expect(await usageOf(b, key.id)).toMatchObject({ calls: 3, errors: 0, unsettled: 0 });
    expect((await keyOf(b, key.id)).reserved.tokens).toBe(streamReservation);

    // A's audit file holds a record of each completed call, and its chain verifies.
    const auditFile = join(directory, 'audit-A.jsonl');
    const records = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { kind: string; requestId?: string; outcome?: string });
    for (const requestId of completed) expect(records.filter((record) => record.kind === 'call' && record.requestId === requestId), requestId).toHaveLength(1);
    const verified = await verifyAuditFiles([auditFile]);
    expect(verified.failure).toBeUndefined();
    expect(verified.ok).toBe(true);

    // B keeps serving while its sweeper waits for the reservation to expire, then charges it once.
    let servedByB = 0;
    const deadline = Date.now() + 25_000;
    let unsettled = 0;
    while (unsettled === 0 && Date.now() < deadline) {
      const response = await chat(b, key.key, { model: 'chat', messages: [{ role: 'user', content: 'still here' }] });
      expect(response.status).toBe(200);
      await response.json();
      servedByB += 1;
      await sleep(500);
      unsettled = (await usageOf(b, key.id)).unsettled;
    }
    expect(unsettled).toBe(1);
    // Several more sweeps (every 1 s, on B) must not charge it again.
    await sleep(3_000);
    await expect.poll(async () => (await keyOf(b, key.id)).reserved.tokens, { timeout: 5_000 }).toBe(0);
    const ledger = await usageOf(b, key.id);
    expect(ledger).toMatchObject({ calls: 3 + servedByB + 1, errors: 0, unsettled: 1, unsettledTokens: streamReservation });
    expect((await keyOf(b, key.id)).used.tokens).toBe(ledger.settledTokens + streamReservation);
  }, 60_000);

  it('finishes a stream in flight on SIGTERM, flushes its usage and exits 0', async () => {
    const key = await createKey(b, { name: 'drain-key', quota: { tokens: 1_000_000 } });
    simulator.setBehavior('stream-model', { interTokenMs: 150 });
    const prompt = 'one two three four five six seven eight';
    const stream = await chat(b, key.key, { model: 'stream', stream: true, messages: [{ role: 'user', content: prompt }] });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let body = decoder.decode(first.value, { stream: true });
    b.signal('SIGTERM');
    for (let next = await reader.read(); !next.done; next = await reader.read()) body += decoder.decode(next.value, { stream: true });

    expect(streamedText(body)).toEqual({ text: `Echo: ${prompt}`, done: true });
    expect(await b.exited).toEqual({ code: 0, signal: null });
    expect(b.output()).toContain('shutting down');
    // Both instances are gone: read the store itself. The stream was settled before B exited.
    const store = await openKeyStore(database.url);
    try {
      const rows = await store.usage({ keyId: key.id });
      expect(rows, 'the drained stream was settled before the process exited').toMatchObject([{ calls: 1, errors: 0, unsettled: 0 }]);
      expect((await store.getKey(key.id))?.reserved.tokens).toBe(0);
    } finally {
      await store.close();
    }
  }, 30_000);
});
