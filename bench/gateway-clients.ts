/**
 * The load generator's clients for `bench/gateway.ts`: raw undici and the official OpenAI SDK, each
 * pointed at a server (the simulator itself, a forwarder, a gateway) that speaks OpenAI Chat
 * Completions. Every call asks a new question, so nothing on the way can answer from a cache, and
 * every answer is checked.
 */
import OpenAI from 'openai';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { parseSse } from '../src/streaming/sse.js';

/** Where a client sends its calls: an origin serving `/v1/chat/completions`, the model to name, its headers. */
export interface Endpoint {
  readonly origin: string;
  /** The model (a route name for Switchyard's gateway). */
  readonly model: string;
  /** The bearer key. */
  readonly apiKey: string;
  /** Headers beyond the key (Portkey's provider and upstream). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One client against one endpoint. */
export interface BenchClient {
  /** A non-streaming call, its answer parsed and checked. */
  chat(): Promise<void>;
  /** A stream read to its end; resolves with the time to its first text, in ms. */
  firstToken(): Promise<number>;
  close(): Promise<void>;
}

let sequence = 0;
/** A fresh question per call. */
function question(): string {
  sequence += 1;
  return `question ${sequence}`;
}

const SYSTEM = 'Be terse.';
const MAX_TOKENS = 256;

function requestBody(model: string, stream: boolean): string {
  return JSON.stringify({ model, max_completion_tokens: MAX_TOKENS, temperature: 0, stream, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: question() }] });
}

function expectEcho(text: unknown, who: string): void {
  if (typeof text !== 'string' || !text.startsWith('Echo: ')) throw new Error(`${who}: unexpected answer ${JSON.stringify(text)}`);
}

/** The text of a Chat Completions chunk's first choice, if it has any. */
function deltaText(data: string): string | undefined {
  if (data === '[DONE]') return undefined;
  const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[]; error?: unknown };
  if (chunk.error !== undefined) throw new Error(`stream failed: ${JSON.stringify(chunk.error)}`);
  const text = chunk.choices?.[0]?.delta?.content;
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/** Raw undici: a `Pool` posting the body and parsing the answer (every stream event parsed too). */
export function undiciClient(endpoint: Endpoint, options: { connections?: number } = {}): BenchClient & { readonly pool: Pool } {
  const pool = new Pool(endpoint.origin, { connections: options.connections ?? 128, keepAliveTimeout: 300_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${endpoint.apiKey}`, ...endpoint.headers };
  const who = `undici → ${endpoint.origin}`;
  return {
    pool,
    async chat() {
      const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: requestBody(endpoint.model, false) });
      const json = (await response.body.json()) as { choices?: { message?: { content?: unknown } }[] };
      if (response.statusCode !== 200) throw new Error(`${who}: status ${response.statusCode} ${JSON.stringify(json).slice(0, 300)}`);
      expectEcho(json.choices?.[0]?.message?.content, who);
    },
    async firstToken() {
      const started = performance.now();
      const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: requestBody(endpoint.model, true) });
      if (response.statusCode !== 200) throw new Error(`${who}: stream status ${response.statusCode} ${(await response.body.text()).slice(0, 300)}`);
      let first = 0;
      let text = '';
      for await (const event of parseSse(response.body)) {
        const delta = deltaText(event.data);
        if (delta === undefined) continue;
        if (first === 0) first = performance.now() - started;
        text += delta;
      }
      expectEcho(text, who);
      return first;
    },
    close: () => pool.close(),
  };
}

/** The official OpenAI SDK (`maxRetries: 0`; no call fails here, so retries would change nothing). */
export function sdkClient(endpoint: Endpoint): BenchClient {
  const client = new OpenAI({ baseURL: `${endpoint.origin}/v1`, apiKey: endpoint.apiKey, maxRetries: 0, ...(endpoint.headers === undefined ? {} : { defaultHeaders: { ...endpoint.headers } }) });
  const who = `openai SDK → ${endpoint.origin}`;
  const messages = (): OpenAI.ChatCompletionMessageParam[] => [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: question() },
  ];
  return {
    async chat() {
      const completion = await client.chat.completions.create({ model: endpoint.model, max_completion_tokens: MAX_TOKENS, temperature: 0, messages: messages() });
      expectEcho(completion.choices[0]?.message.content, who);
    },
    async firstToken() {
      const started = performance.now();
      const stream = await client.chat.completions.create({ model: endpoint.model, max_completion_tokens: MAX_TOKENS, temperature: 0, stream: true, messages: messages() });
      let first = 0;
      let text = '';
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta.content;
        if (typeof delta !== 'string' || delta === '') continue;
        if (first === 0) first = performance.now() - started;
        text += delta;
      }
      expectEcho(text, who);
      return first;
    },
    close: () => Promise.resolve(),
  };
}

/** Streams held open at once through a server: each read as it comes until `close()`. */
export interface OpenStreams {
  /** Resolves when every stream has received its first text (or rejects with the first failure). */
  readonly allStarted: Promise<void>;
  /** Streams that received their first text so far. */
  started(): number;
  /** Cuts every stream (the server should cancel its upstream calls) and closes the pool. */
  close(): Promise<void>;
}

/** Opens `count` streams at once to `endpoint` (over `count` connections), read as they come. */
export function openStreams(endpoint: Endpoint, count: number): OpenStreams {
  const pool = new Pool(endpoint.origin, { connections: count, keepAliveTimeout: 300_000 });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${endpoint.apiKey}`, ...endpoint.headers };
  const controller = new AbortController();
  // One signal for every stream, so one listener per request on it (undici's).
  setMaxListeners(count + 10, controller.signal);
  let started = 0;
  const one = async (): Promise<void> => {
    const response = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: requestBody(endpoint.model, true), signal: controller.signal });
    if (response.statusCode !== 200) throw new Error(`stream to ${endpoint.origin}: status ${response.statusCode} ${(await response.body.text()).slice(0, 300)}`);
    let counted = false;
    const body = parseSse(response.body);
    for await (const event of body) {
      if (!counted && deltaText(event.data) !== undefined) {
        counted = true;
        started += 1;
        if (started === count) resolveAll();
      }
    }
  };
  let resolveAll: () => void = () => undefined;
  let rejectAll: (error: unknown) => void = () => undefined;
  const allStarted = new Promise<void>((resolve, reject) => {
    resolveAll = resolve;
    rejectAll = reject;
  });
  const runs = Array.from({ length: count }, () =>
    one().catch((error: unknown) => {
      if (!controller.signal.aborted) rejectAll(error);
    }),
  );
  return {
    allStarted,
    started: () => started,
    async close() {
      controller.abort();
      await Promise.all(runs);
      await pool.destroy();
    },
  };
}
