/**
 * Canary decision webhooks against real HTTP servers on 127.0.0.1: payload, Standard Webhooks
 * headers and signature (checked by an independent computation), event filtering, retries,
 * timeouts, logging without secrets or URL tokens, and close().
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCanaryWebhooks, type CanaryWebhooks } from '../../src/canary/webhooks.js';
import type { CanaryDecisionRecord } from '../../src/canary/decision-record.js';
import type { CanaryWebhookConfig } from '../../src/config/types.js';
import { SwitchyardError } from '../../src/errors.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** How the server answers request number `index` (0-based); leaving `response` alone hangs. */
type Answer = (response: ServerResponse, index: number) => void;

interface Receiver {
  readonly origin: string;
  readonly received: Received[];
}

const servers: Server[] = [];
const deliverers: CanaryWebhooks[] = [];

afterEach(async () => {
  await Promise.all(deliverers.splice(0).map((webhooks) => webhooks.close()));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function receiver(answer: Answer = (response) => response.end('ok')): Promise<Receiver> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = received.length;
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      answer(response, index);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, received };
}

function status(code: number, headers: Record<string, string> = {}): (response: ServerResponse) => void {
  return (response) => {
    response.writeHead(code, headers);
    response.end();
  };
}

function record(overrides: Partial<CanaryDecisionRecord> = {}): CanaryDecisionRecord {
  return {
    id: '3b241101-e2bb-4255-8caf-4136c566a962',
    route: 'claude',
    rollout: 'claude:1a2b3c',
    baseline: 'anthropic/claude-2.0',
    candidate: 'anthropic/claude-2.1',
    at: 1_700_000_000_000,
    decision: 'rollback',
    rule: 'guard-failed',
    by: 'auto',
    actor: 'switchyard',
    reason: 'error rate +9.9 points (p<0.001)',
    from: { state: 'running', step: 1, weight: 25, epoch: 3 },
    to: { state: 'rolled_back', step: 1, weight: 0, epoch: 4 },
    ...overrides,
  };
}

function webhook(url: string, overrides: Partial<CanaryWebhookConfig> = {}): CanaryWebhookConfig {
  return { url, events: [], retries: 3, timeoutMs: 2_000, ...overrides };
}

function start(webhooks: readonly CanaryWebhookConfig[], logs: string[] = [], retryDelayMs = { min: 5, max: 20 }): CanaryWebhooks {
  const deliverer = createCanaryWebhooks({ webhooks, logger: (message) => logs.push(message), retryDelayMs });
  deliverers.push(deliverer);
  return deliverer;
}

/** Standard Webhooks verification, written from the specification rather than from the module. */
function verifies(received: Received, key: Buffer): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = String(received.headers['webhook-timestamp']);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${received.body}`).digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      if (version !== 'v1' || signature === undefined) return false;
      const given = Buffer.from(signature, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('canary webhooks', () => {
  it('posts the decision with Standard Webhooks headers and a signature that verifies', async () => {
    const server = await receiver();
    const keyBytes = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
    const webhooks = start([webhook(`${server.origin}/hooks/canary`, { secret: `whsec_${keyBytes.toString('base64')}` })]);
    const before = Math.floor(Date.now() / 1_000);
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(1);
    const [received] = server.received as [Received];
    expect(received.path).toBe('/hooks/canary');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['user-agent']).toBe('switchyard');
    expect(received.headers['webhook-id']).toBe(record().id);
    const timestamp = Number(received.headers['webhook-timestamp']);
    expect(Number.isInteger(timestamp)).toBe(true);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1_000));
    expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifies(received, keyBytes)).toBe(true);
    expect(verifies(received, Buffer.from('another key of twenty-four+ bytes'))).toBe(false);
    expect(JSON.parse(received.body)).toEqual({
      type: 'canary.decision',
      text: 'canary claude: rollback by switchyard (step 2, weight 25% → 0%): error rate +9.9 points (p&lt;0.001)',
      decision: record(),
    });
  });

  it('uses the UTF-8 bytes of a secret without the whsec_ prefix, and sends no signature without a secret', async () => {
    const server = await receiver();
    const secret = 'a-plain-shared-secret-of-some-length';
    const webhooks = start([webhook(`${server.origin}/signed`, { secret }), webhook(`${server.origin}/unsigned`)]);
    webhooks.deliver(record());
    await webhooks.idle();

    const signed = server.received.find((received) => received.path === '/signed');
    const unsigned = server.received.find((received) => received.path === '/unsigned');
    expect(signed !== undefined && verifies(signed, Buffer.from(secret, 'utf8'))).toBe(true);
    expect(unsigned?.headers['webhook-signature']).toBeUndefined();
    expect(unsigned?.headers['webhook-id']).toBe(record().id);
  });

  it('delivers only the decisions a webhook lists, and every decision when it lists none', async () => {
    const server = await receiver();
    const webhooks = start([webhook(`${server.origin}/rollbacks`, { events: ['rollback', 'abort'] }), webhook(`${server.origin}/all`)]);
    webhooks.deliver(record({ id: 'id-promote', decision: 'promote' }));
    webhooks.deliver(record({ id: 'id-rollback', decision: 'rollback' }));
    await webhooks.idle();

    const seen = server.received.map((received) => `${received.path} ${String(received.headers['webhook-id'])}`).sort();
    expect(seen).toEqual(['/all id-promote', '/all id-rollback', '/rollbacks id-rollback']);
  });

  it('retries after a 500 with the same webhook-id and a fresh signature', async () => {
    const server = await receiver((response, index) => status(index === 0 ? 500 : 204)(response));
    const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/hook`, { secret })], logs);
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(2);
    expect(server.received.map((received) => received.headers['webhook-id'])).toEqual([record().id, record().id]);
    expect(server.received.every((received) => verifies(received, Buffer.alloc(32, 7)))).toBe(true);
    expect(logs).toEqual([]);
  });

  it('waits as long as retry-after asks', async () => {
    const server = await receiver((response, index) => status(index === 0 ? 503 : 200, index === 0 ? { 'retry-after': '1' } : {})(response));
    const webhooks = start([webhook(`${server.origin}/hook`)], [], { min: 1, max: 5_000 });
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(2);
    const [first, second] = server.received as [Received, Received];
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('caps retry-after at the longest retry delay', async () => {
    const server = await receiver((response, index) => status(index === 0 ? 429 : 200, index === 0 ? { 'retry-after': '3600' } : {})(response));
    const webhooks = start([webhook(`${server.origin}/hook`)], [], { min: 1, max: 50 });
    webhooks.deliver(record());
    await webhooks.idle();

    const [first, second] = server.received as [Received, Received];
    expect(second.at - first.at).toBeLessThan(1_000);
  });

  it('gives up after `retries` retries and logs one line naming the origin only', async () => {
    const server = await receiver(status(502));
    const secret = 'super-secret-signing-key-123456789';
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/services/T000/B000/XOXtokenInPath?token=querytoken`, { secret, retries: 2 })], logs);
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(3);
    expect(logs).toHaveLength(1);
    const [line] = logs as [string];
    expect(line).toContain(server.origin);
    expect(line).toContain('3 attempts');
    expect(line).toContain('HTTP 502');
    expect(line).not.toContain(secret);
    expect(line).not.toContain('XOXtokenInPath');
    expect(line).not.toContain('querytoken');
    expect(line).not.toContain('/services');
  });

  it('gives up on a refused connection without quoting the URL', async () => {
    const server = await receiver();
    const url = `${server.origin}/path-token-abc`;
    await new Promise<void>((resolve) => {
      const closing = servers.pop() as Server;
      closing.close(() => resolve());
    });
    const logs: string[] = [];
    const webhooks = start([webhook(url, { retries: 1 })], logs);
    webhooks.deliver(record());
    await webhooks.idle();

    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('ECONNREFUSED');
    expect(logs[0]).not.toContain('path-token-abc');
  });

  it('times out a hanging attempt and retries it', async () => {
    const server = await receiver((response, index) => {
      if (index > 0) response.end('ok');
    });
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/hook`, { timeoutMs: 100 })], logs);
    const started = Date.now();
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(2);
    expect(server.received[1]?.headers['webhook-id']).toBe(record().id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(logs).toEqual([]);
  });

  it('logs a timeout by its limit once retries are exhausted', async () => {
    const server = await receiver(() => undefined);
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/hook`, { timeoutMs: 50, retries: 1 })], logs);
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('no answer within 50 ms');
  });

  it('does not retry a 400', async () => {
    const server = await receiver(status(400));
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/hook`)], logs);
    webhooks.deliver(record());
    await webhooks.idle();

    expect(server.received).toHaveLength(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('HTTP 400');
    expect(logs[0]).toContain('1 attempt:');
  });

  it('stops sending to a webhook that answered 410 Gone', async () => {
    const server = await receiver(status(410));
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/hook`)], logs);
    webhooks.deliver(record({ id: 'first' }));
    await webhooks.idle();
    webhooks.deliver(record({ id: 'second' }));
    await webhooks.idle();

    expect(server.received).toHaveLength(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('gone');
  });

  it('ends a wait between retries on close() and ignores later deliveries', async () => {
    const server = await receiver(status(500));
    const logs: string[] = [];
    const webhooks = start([webhook(`${server.origin}/hook`, { retries: 5 })], logs, { min: 10_000, max: 30_000 });
    webhooks.deliver(record());
    while (server.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Let the first answer arrive and the wait begin.
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    await webhooks.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await webhooks.idle();
    webhooks.deliver(record({ id: 'after-close' }));
    await webhooks.idle();

    expect(server.received).toHaveLength(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('closed while retrying');
  });

  it('never throws from deliver, even for a record that cannot be serialised', () => {
    const logs: string[] = [];
    const webhooks = start([webhook('http://127.0.0.1:9/hook')], logs);
    const circular = { ...record() } as CanaryDecisionRecord & { self?: unknown };
    circular.self = circular;
    expect(() => webhooks.deliver(circular)).not.toThrow();
    expect(logs).toHaveLength(1);
  });

  it('rejects a malformed configuration without quoting the URL or the secret', () => {
    const attempt = (config: CanaryWebhookConfig): unknown => {
      try {
        createCanaryWebhooks({ webhooks: [config], logger: () => undefined });
        return undefined;
      } catch (error) {
        return error;
      }
    };
    const badUrl = attempt(webhook('not a url with-token-xyz'));
    expect(SwitchyardError.isInstance(badUrl) && badUrl.category).toBe('config');
    expect((badUrl as Error).message).not.toContain('with-token-xyz');
    const badSecret = attempt(webhook('https://hooks.example.com/x', { secret: 'whsec_not*base64!' }));
    expect(SwitchyardError.isInstance(badSecret) && badSecret.field).toBe('canary.webhooks[0].secret');
    expect((badSecret as Error).message).not.toContain('not*base64');
  });
});
