import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { exchangeJson, jsonEndpoint } from '../../src/http/post-json.js';
import { FanOutController, sharedListenerCount } from '../../src/http/shared-signal.js';
import { createPooledTransport, type HttpRequest, type HttpTransport } from '../../src/http/transport.js';
import { TimeoutReason } from '../../src/http/transport-errors.js';

/** What each path of the test server does; `requests` counts what reached it. */
type Behaviour = (request: IncomingMessage, response: ServerResponse) => void;
const behaviours: Record<string, Behaviour> = {
  // A JSON body in three writes, a multi-byte character split across two of them.
  '/split': (_request, response) => {
    const bytes = Buffer.from(JSON.stringify({ text: 'naïve — 日本' }));
    const cut = bytes.indexOf(Buffer.from('日')) + 1;
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'r-1' });
    response.write(bytes.subarray(0, 5));
    setTimeout(() => {
      response.write(bytes.subarray(5, cut));
      setTimeout(() => response.end(bytes.subarray(cut)), 5);
    }, 5);
  },
  '/empty': (_request, response) => {
    response.writeHead(204);
    response.end();
  },
  '/overloaded': (_request, response) => {
    response.writeHead(529, { 'content-type': 'application/json', 'retry-after': '3' });
    response.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
  },
  // An error body far larger than anyone needs: 1 MiB.
  '/huge-error': (_request, response) => {
    response.writeHead(500, { 'content-type': 'text/plain' });
    response.end('x'.repeat(1 << 20));
  },
  // An error status whose body breaks off.
  '/error-cut': (_request, response) => {
    response.writeHead(503, { 'content-type': 'text/plain', 'content-length': '1000' });
    response.write('upstream unavailable');
    setTimeout(() => response.socket?.destroy(), 10);
  },
  // A success whose body breaks off.
  '/success-cut': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    response.write('{"text":');
    setTimeout(() => response.socket?.destroy(), 10);
  },
  '/not-json': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('<html>gateway</html>');
  },
  // Headers never come.
  '/hang': () => undefined,
  // Headers come, then the body stalls.
  '/stall': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"a":');
  },
};

let server: Server;
let base: string;
const requests: string[] = [];
const closedEarly: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push(path);
    response.on('close', () => {
      if (!response.writableFinished) closedEarly.push(path);
    });
    request.resume();
    request.on('end', () => behaviours[path]?.(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function requestTo(path: string, signal: AbortSignal, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { url: `${base}${path}`, headers: { 'content-type': 'application/json' }, body: '{}', signal, ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    expect(SwitchyardError.isInstance(error)).toBe(true);
    return error as SwitchyardError;
  }
  throw new Error('expected the exchange to fail');
}

const waitFor = async (check: () => boolean): Promise<void> => {
  for (let tries = 0; tries < 200 && !check(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
};

describe('HttpTransport.exchange (pooled undici transport)', () => {
  const transport = createPooledTransport(() => ({ connections: 1, keepAliveTimeoutMs: 10_000, connectTimeoutMs: 1_000 }));
  afterAll(() => transport.close());
  const exchange = transport.exchange?.bind(transport);
  if (exchange === undefined) throw new Error('the pooled transport has exchange');

  it('collects a body written in pieces, decoding a character split across them, with status and headers', async () => {
    const controller = new FanOutController();
    const answer = await exchange(requestTo('/split', controller.signal));
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('r-1');
    expect(JSON.parse(answer.text)).toEqual({ text: 'naïve — 日本' });
    // The request's relay is gone once it settled.
    expect(sharedListenerCount(controller.signal)).toBe(0);
  });

  it('answers an empty body as empty text', async () => {
    const answer = await exchange(requestTo('/empty', new AbortController().signal));
    expect(answer).toMatchObject({ status: 204, text: '' });
  });

  it('answers an error status with its headers and body', async () => {
    const answer = await exchange(requestTo('/overloaded', new AbortController().signal));
    expect(answer.status).toBe(529);
    expect(answer.headers['retry-after']).toBe('3');
    expect(JSON.parse(answer.text)).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('keeps only the first 64 KiB or so of a huge error body, and the connection stays usable', async () => {
    const answer = await exchange(requestTo('/huge-error', new AbortController().signal));
    expect(answer.status).toBe(500);
    expect(answer.text.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(answer.text.length).toBeLessThan(1 << 20);
    expect((await exchange(requestTo('/empty', new AbortController().signal))).status).toBe(204);
  });

  it('answers an error status whose body breaks off with the status and the part that came', async () => {
    const answer = await exchange(requestTo('/error-cut', new AbortController().signal));
    expect(answer).toMatchObject({ status: 503, text: 'upstream unavailable' });
  });

  it('fails a success whose body breaks off as a network error, never as a short answer', async () => {
    const error = await failureOf(exchange(requestTo('/success-cut', new AbortController().signal)));
    expect(error.category).toBe('network');
  });

  it('does not send a request whose signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = requests.length;
    const error = await failureOf(exchange(requestTo('/empty', controller.signal)));
    expect(error.category).toBe('canceled');
    expect(requests.length).toBe(before);
  });

  it('cancels a request waiting for its headers and closes its connection', async () => {
    const controller = new FanOutController();
    const pending = exchange(requestTo('/hang', controller.signal));
    await waitFor(() => requests.at(-1) === '/hang');
    controller.abort(new Error('caller gave up'));
    const error = await failureOf(pending);
    expect(error.category).toBe('canceled');
    await waitFor(() => closedEarly.includes('/hang'));
    expect(sharedListenerCount(controller.signal)).toBe(0);
  });

  it('settles a request canceled while it waits for a connection at once, without sending it', async () => {
    // The pool has one connection; the first request holds it until its signal aborts.
    const emptyRequests = (): number => requests.filter((path) => path === '/empty').length;
    const emptyBefore = emptyRequests();
    const holder = new AbortController();
    const holding = exchange(requestTo('/hang', holder.signal));
    await waitFor(() => requests.at(-1) === '/hang');
    const queued = new AbortController();
    const waiting = exchange(requestTo('/empty', queued.signal));
    queued.abort();
    const error = await failureOf(waiting);
    expect(error.category).toBe('canceled');
    holder.abort();
    await failureOf(holding);
    // The canceled request never reached the server; the connection serves the next one.
    expect((await exchange(requestTo('/empty', new AbortController().signal))).status).toBe(204);
    expect(emptyRequests()).toBe(emptyBefore + 1);
  });

  it('names a total timeout set by the router as a timeout, not a cancellation', async () => {
    const controller = new FanOutController();
    const pending = exchange(requestTo('/hang', controller.signal));
    controller.abort(new TimeoutReason('total', 50));
    const error = await failureOf(pending);
    expect(error.category).toBe('timeout');
    expect(error.code).toBe('timeout.total');
  });

  it('times out waiting for headers (first_byte) and between body chunks (idle)', async () => {
    const firstByte = await failureOf(exchange(requestTo('/hang', new AbortController().signal, { firstByteTimeoutMs: 50 })));
    expect(firstByte).toMatchObject({ category: 'timeout', code: 'timeout.first_byte' });
    const idle = await failureOf(exchange(requestTo('/stall', new AbortController().signal, { idleTimeoutMs: 50 })));
    expect(idle).toMatchObject({ category: 'timeout', code: 'timeout.idle' });
  });

  it('refuses requests once closed', async () => {
    const closing = createPooledTransport();
    await closing.close();
    const error = await failureOf(closing.exchange?.(requestTo('/empty', new AbortController().signal)) ?? Promise.resolve());
    expect(error.category).toBe('network');
  });
});

describe('jsonEndpoint', () => {
  it('adds content-type: application/json to the headers once, leaving a content-type of its own in place', () => {
    const transport: HttpTransport = { send: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() };
    const mapError = (): SwitchyardError => new SwitchyardError({ category: 'server', message: 'x' });
    expect(jsonEndpoint({ transport, headers: { 'x-api-key': 'k' }, mapError, provider: 'p' }).headers).toEqual({ 'content-type': 'application/json', 'x-api-key': 'k' });
    expect(jsonEndpoint({ transport, headers: { 'content-type': 'application/json; charset=utf-8' }, mapError, provider: 'p' }).headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
  });
});

describe('exchangeJson', () => {
  const pooled = createPooledTransport();
  afterAll(() => pooled.close());
  /** The same transport without `exchange`: exchangeJson must fall back to `send`. */
  const sendOnly: HttpTransport = { send: (request) => pooled.send(request), close: () => Promise.resolve() };
  const call = { request: { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] }, model: 'm', signal: new AbortController().signal, firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 };
  /** exchangeJson over `transport` to `path`, the body `{ hello: 'world' }`, parsed by `parse`. */
  const exchangeVia = <T>(transport: HttpTransport, path: string, parse: (json: unknown) => T): Promise<T> =>
    exchangeJson(
      jsonEndpoint({
        transport,
        headers: {},
        mapError: (failure) => new SwitchyardError({ category: failure.status === 529 ? 'overloaded' : 'server', message: `status ${failure.status}: ${JSON.stringify((failure.body as { error?: unknown } | undefined)?.error ?? failure.bodyText)}`, status: failure.status, retryAfterMs: failure.retryAfterMs }),
        provider: 'test-provider',
      }),
      call,
      `${base}${path}`,
      { hello: 'world' },
      parse,
    );

  for (const [name, transport] of [
    ['with exchange', pooled],
    ['with send only', sendOnly],
  ] as const) {
    describe(name, () => {
      it('parses a 2xx JSON body', async () => {
        await expect(exchangeVia(transport, '/split', (json) => json)).resolves.toEqual({ text: 'naïve — 日本' });
      });

      it('maps an error status through the provider mapper, with retry-after, provider and model', async () => {
        const error = await failureOf(exchangeVia(transport, '/overloaded', (json) => json));
        expect(error).toMatchObject({ category: 'overloaded', status: 529, retryAfterMs: 3000, provider: 'test-provider', model: 'm' });
        expect(error.message).toContain('overloaded_error');
      });

      it('maps an error status whose body breaks off by its status', async () => {
        const error = await failureOf(exchangeVia(transport, '/error-cut', (json) => json));
        expect(error).toMatchObject({ category: 'server', status: 503 });
      });

      it('resolves with what parse makes of the JSON body, and stamps what parse throws with provider and model', async () => {
        await expect(exchangeVia(transport, '/split', (json) => (json as { text: string }).text.length)).resolves.toBe('naïve — 日本'.length);
        const plain = await failureOf(
          exchangeVia(transport, '/split', () => {
            throw new Error('no content blocks');
          }),
        );
        // A parser that throws something other than a SwitchyardError has a bug: unknown.internal, not retried.
        expect(plain).toMatchObject({ category: 'unknown', code: 'unknown.internal', retryable: false, message: 'internal error: Error: no content blocks', provider: 'test-provider', model: 'm' });
        const mapped = await failureOf(
          exchangeVia(transport, '/split', () => {
            throw new SwitchyardError({ category: 'server', message: 'malformed tool arguments', provider: 'upstream-id' });
          }),
        );
        expect(mapped).toMatchObject({ category: 'server', provider: 'upstream-id', model: 'm' });
      });

      it('calls a 2xx body that is not JSON a server error', async () => {
        const error = await failureOf(exchangeVia(transport, '/not-json', (json) => json));
        expect(error).toMatchObject({ category: 'server', provider: 'test-provider', model: 'm' });
        expect(error.message).toContain('not JSON');
      });
    });
  }
});
