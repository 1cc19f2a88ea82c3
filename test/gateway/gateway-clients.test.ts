/**
 * Clients that misbehave: one that disconnects mid-stream (the upstream call must end at once),
 * one that never reads (the stream is cut once the socket's buffers stay full), and
 * malformed HTTP. The gateway must answer or cut each one and keep serving.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

const APP_KEY = 'sy-clients0123456789abcdefghijklmnopqrstuv';

let simulator: Simulator;
let gateway: Gateway;
let baseUrl: string;
const logLines: string[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
  gateway = await createGateway(
    simConfig(simulator, {
      gateway: {
        store: { url: 'sqlite::memory:' },
        port: 0,
        bodyLimit: '2MB',
        streamBuffer: '64KB',
        timeouts: { body: '1s' },
        keys: [{ name: 'clients', key: APP_KEY }],
      },
    }),
    { log: (line) => logLines.push(line) },
  );
  baseUrl = await gateway.listen();
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

function accessLines(): Record<string, unknown>[] {
  return logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'request');
}

async function stillServes(): Promise<void> {
  const response = await fetch(`${baseUrl}/v1/claude/complete`, { method: 'POST', headers: { authorization: `Bearer ${APP_KEY}` }, body: JSON.stringify({ prompt: 'still there?' }) });
  expect(response.status).toBe(200);
}

describe('a client that disconnects mid-stream', () => {
  it('cancels the upstream call at once', async () => {
    simulator.setBehavior('claude-2.0', { interTokenMs: 50 });
    simulator.setBehavior('claude-2.1', { interTokenMs: 50 });
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { authorization: `Bearer ${APP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', stream: true, messages: [{ role: 'user', content: 'a long answer with many words to stream slowly one by one' }] }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first frame arrived: the stream is running upstream
    const upstream = simulator.requests.at(-1);
    expect(upstream?.aborted).toBe(false);
    controller.abort();
    await expect.poll(() => upstream?.aborted, { timeout: 2_000 }).toBe(true);
    await expect.poll(() => accessLines().some((line) => line['stream'] === true && line['status'] === 499 && (line['error'] as { category?: string } | undefined)?.category === 'canceled')).toBe(true);
    simulator.reset();
    await stillServes();
  });
});

describe('a client that never reads', () => {
  it('has its stream cut after the stall timeout', async () => {
    // An echo of a 1.3 MB prompt streamed word by word is ~30 MB of frames: more than the socket
    // buffers on both sides hold, so the gateway's writes must wait on a client that never reads.
    const words = Array.from({ length: 200_000 }, (_, index) => `w${index}`).join(' ');
    const body = JSON.stringify({ model: 'claude', stream: true, max_tokens: 250_000, messages: [{ role: 'user', content: words }] });
    const { port } = new URL(baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    socket.pause(); // never read
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${APP_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    socket.on('error', () => undefined);
    // Cut within the stall timeout (1 s) of the buffers filling up. (The simulator writes its whole
    // answer at once, so there is no upstream left to cancel here; the disconnect test covers that.)
    await expect.poll(() => accessLines().some((line) => (line['error'] as { message?: string } | undefined)?.message === 'the client stopped reading the stream'), { timeout: 15_000 }).toBe(true);
    socket.destroy();
    await stillServes();
  }, 20_000);
});

describe('malformed HTTP', () => {
  it('answers 400 to a broken request line and keeps serving', async () => {
    const { port } = new URL(baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.write('NOT HTTP AT ALL\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await stillServes();
  });
});
