/**
 * Canary decisions under LLM-like timing, over the simulator: successes are slow and failures come
 * back at once, callers cancel, shadow copies are dropped, a new process starts mid-rollout, and
 * every decision lands in the audit file.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/record.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import { createCanaryPlugin } from '../../src/canary/canary-plugin.js';
import { renderCanaryReport } from '../../src/canary/report-text.js';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { temporaryDirectory } from '../audit/support.js';
import { connectTestRedis, hasRedis, uniquePrefix } from '../support/redis.js';
import { ask, canarySimConfig, sendCalls, startCanaryRouter, type CanaryHarness } from './e2e-support.js';

let simulator: Simulator;
let harness: CanaryHarness | undefined;

beforeAll(async () => {
  simulator = await startSimulator({ seed: 23 });
});
afterAll(async () => {
  await simulator.close();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  simulator.reset();
});

/** Sends `count` calls at once (a burst), each from its own user. */
async function burst(router: Router, count: number, prefix: string, signal?: () => AbortSignal): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      router.chat(ask(`burst ${index}`), { user: `${prefix}-${index}`, ...(signal === undefined ? {} : { signal: signal() }) }).catch(() => undefined),
    ),
  );
}

/** Only a lenient error guard: for tests about gates, not about the statistics. */
const ONLY_ERRORS = {
  errorRate: { maxIncrease: 0.5 },
  latencyP50: false,
  latencyP95: false,
  cancelRate: false,
  lengthFinishRate: false,
  contentFilterRate: false,
  emptyAnswerRate: false,
  invalidToolCallRate: false,
  invalidOutputRate: false,
};

describe('canary decisions under LLM-like timing', () => {
  it('does not roll back identical arms whose failures return long before their successes', async () => {
    // 10% of calls fail in 1 ms; successes take 150 ms. Counted in the order calls finish, the
    // first 20 candidate calls of each burst would all be failures: "broken" at once.
    const behaviour = { latencyMs: 150, errorLatencyMs: 1, errorRate: 0.1, errorStatuses: [529] };
    simulator.setBehavior('claude-2.0', behaviour);
    simulator.setBehavior('claude-2.1', behaviour);
    harness = startCanaryRouter(
      canarySimConfig(simulator, { sticky: 'user', steps: [{ weight: 50, minRequests: 250 }, { weight: 100 }], guards: { errorRate: { maxIncrease: 0.1 }, latencyP95: false } }, { policies: { retry: { attempts: 1 } } }),
    );
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    for (let round = 0; round < 4 && controller.status().state === 'running'; round += 1) {
      await burst(harness.router, 200, `b${round}`);
      await controller.sync();
    }
    const status = controller.status();
    expect(harness.changes.filter((change) => change.decision === 'rollback'), status.decision.reason).toEqual([]);
    expect(status.state).not.toBe('rolled_back');
    const counted = status.history[0]?.candidate;
    expect(counted?.calls).toBeGreaterThan(250);
    // Both arms saw failures at about the configured rate, and only whole bursts were counted.
    expect(counted?.errors).toBeGreaterThan(0);
    expect(status.unsettledCandidateCalls).toBe(0);
  });

  it('rolls back a candidate that loses half its calls to the callers’ timeouts', async () => {
    simulator.setBehavior('claude-2.0', { latencyMs: 10 });
    simulator.setBehavior('claude-2.1', { latencyMs: 10, slowTail: { probability: 0.5, extraMs: 2_000 } });
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'request', steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }], guards: { errorRate: { maxIncrease: 0.05 }, latencyP95: false } }));
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    // Warm the connections first: a cold start is slow for both arms alike.
    await sendCalls(harness.router, 40, 'warm');
    for (let round = 0; round < 10 && controller.status().state === 'running'; round += 1) {
      await burst(harness.router, 60, `t${round}`, () => AbortSignal.timeout(300));
      await controller.sync();
    }
    const status = controller.status();
    expect(status.state, status.decision.reason).toBe('rolled_back');
    expect(status.lastChange?.reason).toMatch(/cancel rate \d+\.\d% vs \d+\.\d%/);
    const step = status.history[0];
    expect(step?.candidate.cancelled).toBeGreaterThan(10);
    expect(step?.baseline.cancelled).toBe(0);
    // A cancelled call's latency is at least the time it ran: the candidate's p95 shows the timeouts.
    expect(step?.candidate.latencyMs?.p95).toBeGreaterThanOrEqual(290);
    // The report a person reads shows the cancellations beside the errors.
    expect(renderCanaryReport(status, status.now)).toMatch(/candidate\s+anthropic\/claude-2\.1\s+\d+\s+0\s+0\.0% \([^)]*\)\s+\d+ \(\d+\.\d%\)/);
  });

  it('holds promotion on a sample-ratio mismatch (dropped shadow copies), and says why', async () => {
    simulator.setBehavior('claude-2.1', { latencyMs: 80 });
    harness = startCanaryRouter(
      canarySimConfig(simulator, { sticky: 'request', shadow: true, shadowConcurrency: 1, steps: [{ weight: 50, minRequests: 5 }, { weight: 100 }], guards: { errorRate: { maxIncrease: 0.5 }, latencyP95: false, cancelRate: false } }),
    );
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    for (let round = 0; round < 4; round += 1) {
      await burst(harness.router, 100, `s${round}`);
      await controller.sync();
    }
    const status = controller.status();
    expect(status.arms.candidate.shadowDropped).toBeGreaterThan(50);
    expect(status.sampleRatio?.mismatch).toBe(true);
    expect(status).toMatchObject({ state: 'running', step: 0, decision: { decision: 'hold', code: 'sample-ratio' } });
    expect(status.decision.reason).toMatch(/sample-ratio mismatch: \d+\.\d% of units in the candidate vs 50\.0% expected/);
    // The gate is a decision of its own in the trail, recorded once.
    expect(status.decisions.filter((decision) => decision.rule === 'sample-ratio')).toHaveLength(1);
  });

  it('a step with `approval: manual` waits for an operator, whose promote carries a reason and an actor', async () => {
    harness = startCanaryRouter(canarySimConfig(simulator, { sticky: 'request', steps: [{ weight: 50, minRequests: 20, approval: 'manual' }, { weight: 100 }], guards: ONLY_ERRORS }));
    const controller = harness.plugin.controller('claude');
    await harness.plugin.ready();
    for (let round = 0; round < 6 && controller.status().decision.code !== 'awaiting-approval'; round += 1) {
      await sendCalls(harness.router, 60, `m${round}`);
      await controller.sync();
    }
    expect(controller.status(), controller.status().decision.reason).toMatchObject({ state: 'running', step: 0, decision: { code: 'awaiting-approval' } });
    await controller.promote({ reason: 'looked at the transcripts', actor: 'alice' });
    const status = controller.status();
    expect(status.state).toBe('completed');
    expect(status.decisions.map((decision) => [decision.decision, decision.by, decision.actor])).toEqual([
      ['approval-requested', 'auto', 'switchyard'],
      ['complete', 'operator', 'alice'],
    ]);
    expect(status.decisions[1]?.reason).toBe('looked at the transcripts');
  });

  it('delivers each decision once to the route’s webhook, signed', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const secret = 'a-webhook-signing-secret-of-some-length';
    try {
      harness = startCanaryRouter(
        canarySimConfig(simulator, {
          sticky: 'request',
          steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }],
          webhooks: [{ url: `http://127.0.0.1:${port}/hooks/T000/secret-token`, secret, events: ['pause', 'abort'] }],
        }),
      );
      const controller = harness.plugin.controller('claude');
      await harness.plugin.ready();
      await controller.pause({ reason: 'checking dashboards', actor: 'dana' });
      await controller.resume({ actor: 'dana' }); // not in `events`: not delivered
      await controller.abort({ reason: 'enough', actor: 'dana' });
      for (let wait = 0; wait < 50 && received.length < 2; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received.map((delivery) => (JSON.parse(delivery.body) as { decision: { decision: string; actor: string } }).decision)).toMatchObject([
        { decision: 'pause', actor: 'dana' },
        { decision: 'abort', actor: 'dana' },
      ]);
      const [first] = received;
      const id = String(first?.headers['webhook-id']);
      const timestamp = String(first?.headers['webhook-timestamp']);
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestamp}.${first?.body ?? ''}`).digest('base64');
      expect(first?.headers['webhook-signature']).toBe(`v1,${expected}`);
      expect(id).toBe(controller.status().decisions[0]?.id);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('every decision is an audit record in the call chain, and the file verifies', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'audit.jsonl');
    simulator.setBehavior('claude-2.1', { errorRate: 1 });
    const config = canarySimConfig(simulator, { sticky: 'request', steps: [{ weight: 50, minRequests: 100_000 }, { weight: 100 }] }, { audit: { sink: { type: 'file', path } } });
    let clock = Date.UTC(2025, 0, 1);
    const plugin = createCanaryPlugin({ config, now: () => clock, logger: () => undefined, syncIntervalMs: 60_000 });
    const router = createRouter(config, { canary: plugin, logger: () => undefined });
    try {
      await router.ready();
      const controller = router.canary('claude');
      await controller.pause({ reason: 'checking dashboards', actor: 'bob' });
      await controller.resume({ actor: 'bob' });
      await sendCalls(router, 80, 'broken');
      await controller.sync();
      expect(controller.status().state).toBe('rolled_back');
      clock += 60_000;
      await controller.resume({ reason: 'fixed the prompt', actor: 'carol' });
      expect(controller.status()).toMatchObject({ state: 'running', step: 0 });
    } finally {
      await router.close();
    }
    const records = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    const decisions = records.filter((record) => record.kind === 'canary-decision');
    expect(decisions.map((record) => [record.decision, record.by, record.actor])).toEqual([
      ['pause', 'operator', 'bob'],
      ['resume', 'operator', 'bob'],
      ['rollback', 'auto', 'switchyard'],
      ['resume', 'operator', 'carol'],
    ]);
    expect(decisions[2]).toMatchObject({ rule: 'broken', route: 'claude', from: { state: 'running' }, to: { state: 'rolled_back', weight: 0 } });
    expect(records.some((record) => record.kind === 'call')).toBe(true);
    const report = await verifyAuditFiles([path]);
    expect(report.ok).toBe(true);
  });
});

describe.skipIf(!hasRedis)('a new process mid-rollout (Redis)', () => {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((redis) => redis.quit()));
  });

  it('routes at the shared step from its first call, with and without awaiting router.ready()', async () => {
    const prefix = uniquePrefix('canary-ready');
    const config = canarySimConfig(simulator, { sticky: 'user', steps: [{ weight: 5, minRequests: 100_000 }, { weight: 25, minRequests: 100_000 }, { weight: 50, minRequests: 100_000 }, { weight: 100 }] });
    const start = async (name: string): Promise<Router> => {
      const redis = await connectTestRedis();
      clients.push(redis);
      const plugin = createCanaryPlugin({ config, redis, keyPrefix: prefix, processId: name, logger: () => undefined, syncIntervalMs: 60_000 });
      return createRouter(config, { canary: plugin, logger: () => undefined });
    };
    const first = await start('first');
    const routers = [first];
    try {
      await first.ready();
      await first.canary('claude').promote();
      await first.canary('claude').promote();
      expect(first.canary('claude').status()).toMatchObject({ step: 2, weight: 50 });

      const awaited = await start('awaited');
      routers.push(awaited);
      await awaited.ready();
      const answers = await sendCalls(awaited, 400, 'user');
      const share = [...answers.values()].filter((model) => model === 'claude-2.1').length / answers.size;
      expect(share).toBeGreaterThan(0.4);
      expect(share).toBeLessThan(0.6);

      // Called at once, before its first read of Redis: the calls wait for it, and route alike.
      const eager = await start('eager');
      routers.push(eager);
      expect(await sendCalls(eager, 400, 'user')).toEqual(answers);
    } finally {
      await Promise.all(routers.map((router) => router.close()));
    }
  });
});
