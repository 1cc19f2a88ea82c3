/**
 * No provider key reaches a caller through an error, in any representation: for every provider type,
 * chat and stream, against a real socket that misbehaves on purpose (malformed HTTP echoing the
 * request's headers, error bodies echoing the key as JSON or text, a key standing where a message is
 * cut, a body `JSON.parse` quotes, reset and refused connections), the thrown error under
 * `util.inspect` (any depth, hidden fields too), `JSON.stringify` and `String`, every `cause` in its
 * chain, the `call-end`, `attempt` and `retry` event payloads and the audit record contain neither
 * the key nor any 8-character slice of it. Each case builds its own router with its own key, so no
 * case is saved by a key another router registered.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditPlugin } from '../../src/audit/audit-plugin.js';
import type { AuditRecord } from '../../src/audit/record.js';
import { resolveConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { SanitizedCause, SwitchyardError } from '../../src/errors.js';
import type { Router } from '../../src/router/router.js';
import { errorRenderings, expectNoLeak, oneLine, RawUpstream, refusedUrl as freeRefusedUrl, renderings, respond, type Behaviour } from './leak-support.js';

/** A distinctive key: `sk-test-` and 40 random characters. */
function freshKey(): string {
  return `sk-test-${randomBytes(30).toString('base64url').slice(0, 40)}`;
}

/**
 * The provider types, how each is configured, and where a cut falls: `bodyCut` in a non-JSON error
 * body (the adapter's own limit), `messageCut` in a JSON error's `message` (OpenAI's 500-character
 * limit, or the 4,096 characters of any error message less the adapter's prefix,
 * `anthropic 400 invalid_request_error: ` or `gemini 400 INVALID_ARGUMENT: `).
 */
const PROVIDERS = [
  { type: 'anthropic', path: '', bodyCut: 200, messageCut: 4096 - 37 },
  { type: 'openai', path: '/v1', bodyCut: 500, messageCut: 500 },
  { type: 'gemini', path: '', bodyCut: 500, messageCut: 4096 - 29 },
  { type: 'azure-openai', path: '', bodyCut: 500, messageCut: 500 },
] as const;

/**
 * How many characters of the key stand before a cut: 17 is `sk-test-` and 9 more, too few for the
 * `sk-…` key shape (16 after `sk-`), so only redaction before the cut keeps them out.
 */
const BEFORE_CUT = 17;

type Provider = (typeof PROVIDERS)[number];

/** The ways an upstream can hand the key back. */
const SCENARIOS: Record<string, (provider: Provider) => Behaviour> = {
  // undici's HTTPParserError keeps the raw bytes (the echoed `authorization`/`x-api-key` header) in `data`.
  'malformed HTTP echoing the request headers': () => (head, socket) => socket.end(`HTTP/1.1 200 OK\r\nx-echo: ${oneLine(head)}\r\n\r\n`),
  'a status line that is not HTTP, echoing the headers': () => (head, socket) => socket.end(`${oneLine(head)}\r\n\r\n`),
  'a JSON error body echoing the key': () => (head, socket, key) =>
    respond(
      socket,
      401,
      'application/json',
      JSON.stringify({
        type: 'error',
        error: { type: 'authentication_error', code: key, status: 'UNAUTHENTICATED', message: `Incorrect API key provided: ${key}. You sent: ${head}` },
      }),
    ),
  'a non-JSON body echoing the request': () => (head, socket) => respond(socket, 502, 'text/plain', `bad gateway; you sent:\n${head}`),
  'an HTML body echoing the key': () => (head, socket, key) => respond(socket, 500, 'text/html', `<html><body><pre>key=${key}</pre><pre>${head}</pre></body></html>`),
  // The adapter cuts a non-JSON body to a length: the key stands across the cut.
  'a long body with the key across the cut': (provider) => (_head, socket, key) =>
    respond(socket, 400, 'text/plain', `${'x'.repeat(provider.bodyCut - BEFORE_CUT)}${key} and more`),
  // The key across the cut of an error message (OpenAI's 500 characters, any message's 4,096).
  'a long JSON message with the key across the message limit': (provider) => (_head, socket, key) =>
    respond(
      socket,
      400,
      'application/json',
      JSON.stringify({ error: { type: 'invalid_request_error', message: `${'y'.repeat(provider.messageCut - BEFORE_CUT)}${key} and more`, status: 'INVALID_ARGUMENT' } }),
    ),
  // A 200 whose body is not JSON: JSON.parse's error quotes the body's first characters.
  'a success body that is not JSON but starts with the key': () => (head, socket, key) => {
    const stream = head.includes('text/event-stream');
    if (stream) respond(socket, 200, 'text/event-stream', `event: message_start\ndata: ${key} is not json\n\n`);
    else respond(socket, 200, 'application/json', `${key} is not json`);
  },
  'a connection reset': () => (_head, socket) => socket.resetAndDestroy(),
  'a connection closed without an answer': () => (_head, socket) => socket.destroy(),
};

function configFor(provider: Provider, baseUrl: string, key: string): SwitchyardConfigInput {
  const settings = { type: provider.type, apiKey: key, baseUrl: `${baseUrl}${provider.path}`, ...(provider.type === 'azure-openai' ? { apiVersion: '2024-10-21' } : {}) };
  return {
    providers: { upstream: settings },
    routes: { main: { targets: [{ provider: 'upstream', model: provider.type === 'azure-openai' ? 'deployment' : 'model-1' }] } },
    policies: {
      timeout: { connect: '1s', firstByte: '2s', idle: '2s', total: '3s' },
      retry: { attempts: 2, minDelay: '1ms', maxDelay: '2ms', factor: 2, jitter: 'full', budget: 1 },
      breaker: { enabled: false },
    },
    audit: { sink: { type: 'callback' }, content: 'redacted' },
  };
}

interface Observed {
  readonly router: Router;
  readonly events: unknown[];
  readonly records: AuditRecord[];
}

/** A router of its own for one key, with every event and audit record it produces collected. */
function observedRouter(provider: Provider, baseUrl: string, key: string): Observed {
  const config = resolveConfig(configFor(provider, baseUrl, key));
  const records: AuditRecord[] = [];
  const audit = createAuditPlugin({ config, sink: (record) => void records.push(record) });
  const router = createRouter(config, { audit });
  const events: unknown[] = [];
  for (const name of ['call-end', 'attempt', 'retry', 'warning', 'audit-write'] as const) router.on(name, (payload) => void events.push(payload));
  return { router, events, records };
}

const REQUEST = { model: 'main', messages: [{ role: 'user' as const, content: 'hello' }] };

async function failureOf(router: Router, mode: 'chat' | 'stream'): Promise<unknown> {
  try {
    if (mode === 'chat') await router.chat(REQUEST);
    else for await (const _event of router.stream(REQUEST)) {
      // read to the end
    }
  } catch (error) {
    return error;
  }
  throw new Error(`expected the ${mode} call to fail`);
}

async function expectNothingLeaks(observed: Observed, mode: 'chat' | 'stream', key: string): Promise<SwitchyardError> {
  const error = await failureOf(observed.router, mode);
  expect(SwitchyardError.isInstance(error)).toBe(true);
  expectNoLeak(errorRenderings(error), key, 'the thrown error');
  expect(observed.events.length).toBeGreaterThan(0);
  for (const event of observed.events) {
    expectNoLeak(renderings(event), key, 'an event');
    expectNoLeak(errorRenderings((event as { error?: unknown; after?: unknown }).error ?? (event as { after?: unknown }).after), key, "an event's error");
  }
  await observed.router.close();
  expect(observed.records.length).toBeGreaterThan(0);
  for (const record of observed.records) expectNoLeak(renderings(record), key, 'the audit record');
  return error as SwitchyardError;
}

describe('no provider key reaches the caller through an error', () => {
  const upstream = new RawUpstream();
  let baseUrl = '';
  let refusedUrl = '';

  beforeAll(async () => {
    baseUrl = await upstream.listen();
    refusedUrl = await freeRefusedUrl();
  });
  afterAll(() => upstream.close());

  for (const provider of PROVIDERS) {
    describe(provider.type, () => {
      for (const mode of ['chat', 'stream'] as const) {
        for (const [scenario, behaviourFor] of Object.entries(SCENARIOS)) {
          it(`${mode}: ${scenario}`, async () => {
            const key = freshKey();
            upstream.key = key;
            upstream.behaviour = behaviourFor(provider);
            await expectNothingLeaks(observedRouter(provider, baseUrl, key), mode, key);
          });
        }

        it(`${mode}: a refused connection`, async () => {
          const key = freshKey();
          const error = await expectNothingLeaks(observedRouter(provider, refusedUrl, key), mode, key);
          expect(error.category).toBe('network');
          expect(error.cause).toBeInstanceOf(SanitizedCause);
          expect((error.cause as SanitizedCause).code).toBe('ECONNREFUSED');
        });
      }
    });
  }

  it("keeps a parser error's class and code but not its raw bytes", async () => {
    const key = freshKey();
    upstream.key = key;
    upstream.behaviour = SCENARIOS['malformed HTTP echoing the request headers']!(PROVIDERS[1]);
    const observed = observedRouter(PROVIDERS[1], baseUrl, key);
    const error = await expectNothingLeaks(observed, 'chat', key);
    expect(error.category).toBe('network');
    const cause = error.cause as SanitizedCause;
    expect(cause).toBeInstanceOf(SanitizedCause);
    expect(cause.name).toBe('HTTPParserError');
    expect(cause.message).toMatch(/does not match the HTTP\/1\.1 protocol/);
    expect(Object.keys(cause)).not.toContain('data');
    expect(inspect(error, { depth: Infinity })).toMatch(/SanitizedCause \[HTTPParserError\]/);
  });

  it('keeps a JSON.parse error as the cause without its quote of the body', async () => {
    const key = freshKey();
    upstream.key = key;
    upstream.behaviour = SCENARIOS['a success body that is not JSON but starts with the key']!(PROVIDERS[0]);
    const error = await expectNothingLeaks(observedRouter(PROVIDERS[0], baseUrl, key), 'chat', key);
    expect(error.category).toBe('server');
    const cause = error.cause as SanitizedCause;
    expect(cause.name).toBe('SyntaxError');
    expect(cause.message).toMatch(/is not valid JSON$/);
    expect(cause.message).not.toContain('"');
  });
});
