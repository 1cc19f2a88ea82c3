/**
 * The upstream simulator: a real HTTP server that speaks the providers' wire formats (OpenAI Chat
 * Completions and Responses, Anthropic Messages, Gemini, Azure OpenAI, Bedrock InvokeModel and Converse with SigV4 checked, Vertex AI),
 * streamed and not, with knobs for latency,
 * time to first token, inter-token delay, error rates, specific statuses with `retry-after`,
 * hang-ups, cut streams and stalls. Tests, the demo and the benchmarks run against it; nothing in
 * the library's production path depends on it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { anthropicFormat } from './formats/anthropic.js';
import { azureOpenAIFormat, azureOpenAIResponsesFormat } from './formats/azure-openai.js';
import { EMBEDDING_FORMATS } from './formats/embeddings.js';
import { geminiFormat } from './formats/gemini.js';
import { openAIFormat } from './formats/openai.js';
import { openAIResponsesFormat } from './formats/openai-responses.js';
import { bedrockFormat } from './formats/bedrock.js';
import { bedrockConverseFormat } from './formats/bedrock-converse.js';
import { vertexFormat } from './formats/vertex.js';
import { answerTokenRequest, GOOGLE_TOKEN_PATH, type SimServiceAccount } from './formats/google-token.js';
import type { SimAnswer, SimCredentials, SimFormatName, SimParsedRequest, WireFormat } from './wire-format.js';
import { createSeededRandom as createRandom } from './seeded-random.js';
import { countWords } from './formats/wire-helpers.js';
import { createSimPromptCache } from './prompt-cache.js';
import { structuredAnswer } from './structured-answer.js';
import { withReasoning } from './sim-reasoning.js';

/** How the simulator behaves for a model (or for every model, under `*`). */
export interface SimBehavior {
  /** Delay before response headers, in ms. */
  readonly latencyMs?: number;
  /** Streams: delay between headers and the first content event, in ms. */
  readonly ttftMs?: number;
  /** Streams: delay between two content events, in ms. */
  readonly interTokenMs?: number;
  /** Words per streamed text chunk (default 1). */
  readonly wordsPerChunk?: number;
  /** Probability (0–1) that a request fails with one of `errorStatuses`. */
  readonly errorRate?: number;
  /** Statuses random failures are drawn from (default `[500]`). */
  readonly errorStatuses?: readonly number[];
  /** `retry-after` (seconds) sent with random 429/503/529 failures. */
  readonly retryAfterSeconds?: number;
  /**
   * Delay before a random failure's response, in ms (default: `latencyMs`). Real providers answer
   * 429/529 in milliseconds while successes take seconds; set this to model it.
   */
  readonly errorLatencyMs?: number;
  /** A slow tail: with `probability`, add `extraMs` to the latency. */
  readonly slowTail?: { readonly probability: number; readonly extraMs: number };
  /** Builds the answer; defaults to an echo of the last user message. */
  readonly reply?: (request: SimParsedRequest) => Partial<SimAnswer>;
}

/** A one-off fault for the next matching request. */
export type SimFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number; readonly retryAfterMs?: number; readonly message?: string }
  | { readonly kind: 'hang-up' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'cut-stream'; readonly afterChunks: number }
  | { readonly kind: 'stall-stream'; readonly afterChunks: number }
  | { readonly kind: 'stream-error'; readonly status: number; readonly afterChunks?: number };

/** One request the simulator received. */
export interface SimRequestRecord {
  readonly format: SimFormatName;
  readonly model: string;
  readonly stream: boolean;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** What the simulator answered: a status, or the fault it played. */
  status: number;
  /** True when the client went away before the response ended. */
  aborted: boolean;
}

/** Options for `startSimulator`. */
export interface SimulatorOptions {
  /** The API key every format expects (default `sim-key`). */
  readonly apiKey?: string;
  /** Seed for the random knobs, so runs are repeatable (default 1). */
  readonly seed?: number;
  /** Behaviour for every model. */
  readonly behavior?: SimBehavior;
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  /** Keep request bodies and headers in `requests` (default true; the benchmarks turn it off). */
  readonly record?: boolean;
  /** The AWS credentials Bedrock requests must be signed with (default `SIM_AWS_CREDENTIALS`). */
  readonly aws?: SimCredentials['aws'];
  /**
   * A Google service account whose signed JWTs `POST /token` exchanges for an access token (the
   * simulator's API key), as Google's OAuth endpoint does; without it, the endpoint answers 404.
   */
  readonly googleServiceAccount?: SimServiceAccount;
  /** More keys accepted besides `apiKey` (a key pool's), answered like it unless `setKeyAnswer` says otherwise. */
  readonly extraApiKeys?: readonly string[];
}

/** How the simulator answers every request made with one key (`setKeyAnswer`). */
export interface SimKeyAnswer {
  /** The error status, e.g. 401 for a revoked key, 429 for a rate-limited one. */
  readonly status: number;
  /** `retry-after` (seconds) sent with it. */
  readonly retryAfterSeconds?: number;
}

/** The AWS credentials the simulator checks Bedrock signatures against unless told others. */
export const SIM_AWS_CREDENTIALS: SimCredentials['aws'] = Object.freeze({ accessKeyId: 'AKIASIMULATOR0000000', secretAccessKey: 'sim-aws-secret-access-key-0000000000000' });

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly apiKey: string;
  /** The AWS credentials Bedrock requests are checked against. */
  readonly aws: SimCredentials['aws'];
  /** Every request received, in order (bodies omitted when `record` is false). */
  readonly requests: readonly SimRequestRecord[];
  /** Sets the behaviour for a model, or for all with `*`. */
  setBehavior(model: string, behavior: SimBehavior): void;
  /** Answers every request made with `key` with an error (`undefined`: normally again). */
  setKeyAnswer(key: string, answer: SimKeyAnswer | undefined): void;
  /** Requests received with `key`, whatever they were answered. */
  keyCount(key: string): number;
  /** Queues faults for the next requests to a model (or any model with `*`), `times` times. */
  enqueueFault(model: string, fault: SimFault, times?: number): void;
  /** Requests received, optionally only those for one model. */
  count(model?: string): number;
  /** Forgets recorded requests, behaviours set per model and queued faults. */
  reset(): void;
  close(): Promise<void>;
}

const FORMATS: readonly WireFormat[] = [...EMBEDDING_FORMATS, azureOpenAIFormat, azureOpenAIResponsesFormat, anthropicFormat, geminiFormat, openAIFormat, openAIResponsesFormat, bedrockFormat, bedrockConverseFormat, vertexFormat];

/** The default answer: echoes the last user message; `!tool` asks for the first offered tool. */
function defaultAnswer(request: SimParsedRequest, id: string): SimAnswer {
  const toolMatch = /^!tool\b\s*(.*)$/s.exec(request.lastUserText);
  const firstTool = request.toolNames[0];
  if (toolMatch !== null && firstTool !== undefined) {
    return {
      id,
      text: '',
      toolCalls: [{ id: `call_${id}`, name: firstTool, arguments: { query: toolMatch[1] ?? '' } }],
      finishReason: 'tool_calls',
      usage: { inputTokens: request.inputTokens, outputTokens: 12 },
    };
  }
  let text = `Echo: ${request.lastUserText}`;
  let finishReason: SimAnswer['finishReason'] = 'stop';
  if (request.maxTokens !== undefined && countWords(text) > request.maxTokens) {
    text = text.split(/(?<=\s)/).slice(0, request.maxTokens).join('');
    finishReason = 'length';
  }
  return { id, text, toolCalls: [], finishReason, usage: { inputTokens: request.inputTokens, outputTokens: countWords(text) } };
}

function chunkText(text: string, wordsPerChunk: number): string[] {
  if (text === '') return [];
  const pieces = text.split(/(?<=\s)/);
  const chunks: string[] = [];
  for (let index = 0; index < pieces.length; index += wordsPerChunk) chunks.push(pieces.slice(index, index + wordsPerChunk).join(''));
  return chunks;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a simulator on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? 'sim-key';
  const credentials: SimCredentials = { apiKey, aws: options.aws ?? SIM_AWS_CREDENTIALS };
  const acceptedKeys = [apiKey, ...(options.extraApiKeys ?? [])];
  const keyAnswers = new Map<string, SimKeyAnswer>();
  const keyCounts = new Map<string, number>();
  const record = options.record ?? true;
  const random = createRandom(options.seed ?? 1);
  const behaviors = new Map<string, SimBehavior>();
  const faults = new Map<string, SimFault[]>();
  const requests: SimRequestRecord[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let total = 0;
  let sequence = 0;
  const promptCache = createSimPromptCache();

  /** The answer's usage with the prompt cache's reads and writes, when the request has breakpoints. */
  function withCacheUsage(answer: SimAnswer, request: SimParsedRequest): SimAnswer {
    if (request.cacheBreakpoints === undefined || request.cacheBreakpoints.length === 0) return answer;
    const used = promptCache.use(request.cacheBreakpoints, Date.now());
    const read = Math.min(used.read, answer.usage.inputTokens);
    const write = Math.min(used.write, answer.usage.inputTokens - read);
    return { ...answer, usage: { ...answer.usage, cacheReadTokens: read, cacheWriteTokens: write, cacheWrite1hTokens: Math.min(used.write1h, write) } };
  }
  if (options.behavior !== undefined) behaviors.set('*', options.behavior);

  /** Whether a request fails at random by `errorRate`: the status it fails with, or false. */
  function randomFailure(behavior: SimBehavior): number | false {
    if (behavior.errorRate === undefined || behavior.errorRate <= 0 || random() >= behavior.errorRate) return false;
    const statuses = behavior.errorStatuses ?? [500];
    return statuses[Math.floor(random() * statuses.length)] ?? 500;
  }

  function behaviorFor(model: string): SimBehavior {
    return behaviors.get(model) ?? behaviors.get('*') ?? {};
  }

  function takeFault(model: string): SimFault | undefined {
    for (const key of [model, '*']) {
      const queue = faults.get(key);
      if (queue !== undefined && queue.length > 0) return queue.shift();
    }
    return undefined;
  }

  function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    response.end(text);
  }

  function sendError(response: ServerResponse, format: WireFormat, status: number, message: string, retryAfter: { seconds?: number; ms?: number }): void {
    const rendered = format.renderError(status, message);
    const headers: Record<string, string> = { ...(rendered.headers ?? {}) };
    if (retryAfter.seconds !== undefined) headers['retry-after'] = String(retryAfter.seconds);
    if (retryAfter.ms !== undefined) headers['retry-after-ms'] = String(retryAfter.ms);
    sendJson(response, status, rendered.body, headers);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    let format: WireFormat | undefined;
    let match: ReturnType<WireFormat['match']>;
    for (const candidate of FORMATS) {
      match = candidate.match(method, url);
      if (match !== undefined) {
        format = candidate;
        break;
      }
    }
    const rawBody = await readBody(request);
    if (method === 'POST' && url.pathname === GOOGLE_TOKEN_PATH) {
      const answer = answerTokenRequest(rawBody, options.googleServiceAccount, apiKey);
      sendJson(response, answer.status, answer.body);
      return;
    }
    if (format === undefined || match === undefined) {
      sendJson(response, 404, { error: { message: `no simulated endpoint at ${method} ${url.pathname}` } });
      return;
    }
    const usedKey = acceptedKeys.find((key) => format.authorize(request.headers, url, key));
    if (usedKey === undefined) {
      sendError(response, format, 401, 'invalid api key', {});
      return;
    }
    keyCounts.set(usedKey, (keyCounts.get(usedKey) ?? 0) + 1);
    const keyAnswer = keyAnswers.get(usedKey);
    if (keyAnswer !== undefined) {
      sendError(response, format, keyAnswer.status, `simulated ${keyAnswer.status} for this key`, { seconds: keyAnswer.retryAfterSeconds });
      return;
    }
    const rejection = await format.verify?.({ method, url, headers: request.headers, body: rawBody }, credentials);
    if (rejection !== undefined) {
      sendJson(response, rejection.status, rejection.body, rejection.headers);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      sendError(response, format, 400, 'request body is not valid JSON', {});
      return;
    }
    const parsed = format.parse(json, match, url);
    if (typeof parsed === 'string') {
      sendError(response, format, 400, parsed, {});
      return;
    }
    total += 1;
    counts.set(parsed.model, (counts.get(parsed.model) ?? 0) + 1);
    const entry: SimRequestRecord = {
      format: format.name,
      model: parsed.model,
      stream: parsed.stream,
      path: url.pathname + url.search,
      headers: record ? { ...request.headers } : {},
      body: record ? json : undefined,
      status: 0,
      aborted: false,
    };
    if (record) requests.push(entry);
    let finished = false;
    response.on('close', () => {
      if (!finished) entry.aborted = true;
    });
    response.on('finish', () => {
      finished = true;
    });
    // A function, not the property: the client may leave during any of the waits below.
    const clientGone = (): boolean => response.destroyed;

    const behavior = behaviorFor(parsed.model);
    let latency = behavior.latencyMs ?? 0;
    if (behavior.slowTail !== undefined && random() < behavior.slowTail.probability) latency += behavior.slowTail.extraMs;
    // With a separate error latency the failure is drawn first, so that it can come back sooner.
    const earlyFailure = behavior.errorLatencyMs === undefined ? undefined : randomFailure(behavior);
    await sleep(earlyFailure === undefined || earlyFailure === false ? latency : (behavior.errorLatencyMs ?? 0));
    // A client that left while we waited gets nothing, and must not use up a fault meant for others.
    if (entry.aborted || clientGone()) return;

    const fault = takeFault(parsed.model);
    if (fault?.kind === 'hang') {
      entry.status = -1;
      return; // never answers; the client's timeout or cancel ends it
    }
    if (fault?.kind === 'hang-up') {
      entry.status = -1;
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      entry.status = fault.status;
      sendError(response, format, fault.status, fault.message ?? `simulated ${fault.status}`, { seconds: fault.retryAfterSeconds, ms: fault.retryAfterMs });
      return;
    }
    const failure = earlyFailure ?? (fault === undefined ? randomFailure(behavior) : false);
    if (failure !== false) {
      const retryable = failure === 429 || failure === 503 || failure === 529;
      entry.status = failure;
      sendError(response, format, failure, `simulated ${failure}`, { seconds: retryable ? behavior.retryAfterSeconds : undefined });
      return;
    }

    sequence += 1;
    const id = `sim-${sequence}`;
    const answer: SimAnswer = withReasoning(withCacheUsage({ ...structuredAnswer(parsed, defaultAnswer(parsed, id)), ...(behavior.reply?.(parsed) ?? {}) }, parsed), parsed);
    if (!parsed.stream) {
      entry.status = 200;
      sendJson(response, 200, format.renderResponse(answer, parsed), format.successHeaders?.(id));
      return;
    }

    const plan = { answer, textChunks: chunkText(answer.text, behavior.wordsPerChunk ?? 1) };
    const frames: readonly (string | Uint8Array)[] = format.renderBinaryStream === undefined ? format.renderStream(plan, parsed) : await format.renderBinaryStream(plan, parsed);
    entry.status = 200;
    response.writeHead(200, { 'content-type': format.streamContentType ?? 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...format.successHeaders?.(id) });
    response.flushHeaders();
    await sleep(behavior.ttftMs ?? 0);
    const cutAt = fault?.kind === 'cut-stream' || fault?.kind === 'stall-stream' || fault?.kind === 'stream-error' ? (fault.afterChunks ?? 0) : -1;
    for (let index = 0; index < frames.length; index += 1) {
      if (index === cutAt && fault !== undefined) {
        if (fault.kind === 'cut-stream') {
          request.socket.destroy();
          return;
        }
        if (fault.kind === 'stall-stream') return; // keeps the connection open and silent
        // What is left is a `stream-error`: the format's error event, binary or SSE.
        const message = `simulated ${fault.status} in stream`;
        if (format.renderBinaryStreamError !== undefined) {
          response.end(format.renderBinaryStreamError(fault.status, message, parsed));
          return;
        }
        if (format.renderStreamError !== undefined) {
          response.end(format.renderStreamError(fault.status, message, parsed));
          return;
        }
      }
      if (clientGone()) return;
      response.write(frames[index]);
      if (index > 0 && index < frames.length - 1) await sleep(behavior.interTokenMs ?? 0);
    }
    response.end();
  }

  const server: Server = createServer({ keepAlive: true, keepAliveTimeout: 300_000 }, (request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: `simulator failure: ${String(error)}` } });
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    aws: credentials.aws,
    requests,
    setBehavior(model, behavior) {
      behaviors.set(model, behavior);
    },
    setKeyAnswer(key, answer) {
      if (answer === undefined) keyAnswers.delete(key);
      else keyAnswers.set(key, answer);
    },
    keyCount(key) {
      return keyCounts.get(key) ?? 0;
    },
    enqueueFault(model, fault, times = 1) {
      const queue = faults.get(model) ?? [];
      for (let index = 0; index < times; index += 1) queue.push(fault);
      faults.set(model, queue);
    },
    count(model) {
      return model === undefined ? total : (counts.get(model) ?? 0);
    },
    reset() {
      requests.length = 0;
      promptCache.clear();
      counts.clear();
      faults.clear();
      keyAnswers.clear();
      keyCounts.clear();
      total = 0;
      const all = behaviors.get('*');
      behaviors.clear();
      if (all !== undefined && options.behavior !== undefined) behaviors.set('*', options.behavior);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
