/**
 * `/readyz` reports the key store and the shared-state Redis: ready while either is down only within
 * its fail mode (keys verified before; Redis `failMode: open`), unavailable otherwise.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

let simulator: Simulator;
let deadRedisUrl: string;

beforeAll(async () => {
  simulator = await startSimulator();
  // A port nothing listens on: take a free one and close it.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  deadRedisUrl = `redis://127.0.0.1:${port}`;
});

afterAll(async () => {
  await simulator.close();
});

async function readiness(failMode: 'open' | 'closed'): Promise<{ status: number; body: { status: string; problems: string[] } }> {
  const gateway = await createGateway(
    simConfig(simulator, { state: { redis: { url: deadRedisUrl, failMode } }, gateway: { store: { url: 'sqlite::memory:' }, port: 0 } }),
    { log: () => undefined, router: { logger: () => undefined } },
  );
  try {
    const url = await gateway.listen();
    const response = await fetch(`${url}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; problems: string[] } };
  } finally {
    await gateway.close();
  }
}

describe('/readyz with Redis down', () => {
  it('is unavailable when state.redis.failMode is closed', async () => {
    const { status, body } = await readiness('closed');
    expect(status).toBe(503);
    expect(body.problems).toEqual(['Redis does not answer (state.redis.failMode: closed refuses calls)']);
  });

  it('is ready, and says what it lacks, when failMode is open', async () => {
    const { status, body } = await readiness('open');
    expect(status).toBe(200);
    expect(body.problems[0]).toMatch(/Redis does not answer .*limits are not shared/);
  });
});
