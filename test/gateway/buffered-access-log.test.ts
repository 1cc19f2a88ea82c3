/**
 * The access log written once per event-loop turn, flushed when the gateway closes, and the
 * response bytes counted by the server's response class: a real gateway on the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayLogger, type AccessLogEntry } from '../../src/gateway/access-log.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

const APP_KEY = `sy-${'b'.repeat(43)}`;
const entry = (requestId: string): AccessLogEntry => ({ requestId, method: 'POST', path: '/v1/chat/completions', status: 200, latencyMs: 1.25 });
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the buffered access log', () => {
  it('writes the lines of one turn together at its end, and each line alone when told to', async () => {
    const writes: string[] = [];
    const logger = createGatewayLogger({ level: 'info', format: 'json', write: (text) => void writes.push(text) });
    logger.access(entry('one'));
    logger.access(entry('two'));
    logger.event('warn', 'something', { detail: 1 });
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    const lines = (writes[0] as string).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as { requestId?: string; msg: string }).requestId ?? (JSON.parse(line) as { msg: string }).msg)).toEqual(['one', 'two', 'something']);

    logger.access(entry('three'));
    logger.flush();
    expect(writes).toHaveLength(2);
    await nextTurn();
    expect(writes).toHaveLength(2);

    const each: string[] = [];
    const unbuffered = createGatewayLogger({ level: 'info', format: 'pretty', write: (text) => void each.push(text), buffering: 'line' });
    unbuffered.access(entry('four'));
    unbuffered.access(entry('five'));
    expect(each).toHaveLength(2);
  });

  it('writes at once when 64 KiB wait, without waiting for the turn to end', () => {
    const writes: string[] = [];
    const logger = createGatewayLogger({ level: 'info', format: 'json', write: (text) => void writes.push(text) });
    for (let index = 0; writes.length === 0 && index < 10_000; index += 1) logger.access(entry(`request-${index}-${'x'.repeat(100)}`));
    expect(writes).toHaveLength(1);
    expect((writes[0] as string).length).toBeGreaterThanOrEqual(64 * 1024);
  });
});

describe('a gateway with a buffered log output', () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('counts the exact body bytes it sent, and has every request\'s line written by the time it closed', async () => {
    const output: string[] = [];
    const gateway = await createGateway(
      simConfig(simulator, { gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'app', key: APP_KEY }] } }),
      { logOutput: (text) => void output.push(text), router: { logger: () => undefined } },
    );
    const url = await gateway.listen();
    let bodyBytes = 0;
    const calls = await Promise.all(
      Array.from({ length: 5 }, async (_, index) => {
        const response = await fetch(`${url}/v1/claude/complete`, { method: 'POST', headers: { authorization: `Bearer ${APP_KEY}`, 'x-request-id': `call-${index}` }, body: JSON.stringify({ prompt: `hello ${index}` }) });
        bodyBytes += (await response.arrayBuffer()).byteLength;
        return response.status;
      }),
    );
    expect(calls).toEqual([200, 200, 200, 200, 200]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(Number(/switchyard_gateway_response_bytes_total\{ingress="complete"\} (\d+)/.exec(metrics)?.[1])).toBe(bodyBytes);
    await gateway.close();

    const requests = output
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { msg: string; requestId?: string })
      .filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.requestId).sort()).toEqual(['call-0', 'call-1', 'call-2', 'call-3', 'call-4']);
  });
});
