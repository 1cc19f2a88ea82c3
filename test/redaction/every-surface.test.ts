/**
 * Issue 15's sweep: one config with four providers (Anthropic, OpenAI, Gemini, Azure OpenAI), each
 * with its own distinctive key from `${VAR}`, loaded from a YAML file, pointed at upstreams that
 * misbehave on purpose — 401, 429, 500 and 503 in each provider's own error format with the key and
 * the request's headers echoed in the body and a response header, malformed HTTP echoing the
 * headers, a non-JSON body echoing the request, a success body starting with the key, an error
 * after output echoing the key, a reset, a refused connection — through routes with fallbacks and a
 * canary route (with a signed webhook and a pseudonymised audit). Every call runs chat and stream.
 *
 * Then every surface is searched for each key and for any 8-character slice of it: the thrown
 * errors (`util.inspect` at any depth with hidden fields, `JSON.stringify`, `String`, each cause),
 * stream events, `router.batch` results, every router event's payload, the `logger` option's lines
 * and the console, OpenTelemetry spans, the audit file (content `full` in one run, `redacted` in the
 * other), the Prometheus text,
 * `router.explain` for every route, the canary status, `router.config` printed both ways, the
 * webhook deliveries, the Redis state (when `REDIS_URL` is set), and the CLI's output
 * (`audit verify`, `canary status --json`, `canary report`, `validate`, `explain`, `routes`). Config
 * errors (a bad value next to the keys, a key where another value belongs, an unresolved alias
 * named after a key, a key as a mapping key, a YAML syntax error beside a key, and a config object
 * with a bad value beside its keys) are searched the same way, thrown and through the CLI, with keys
 * of their own loaded before any router exists.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { loadConfig, resolveConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterEventName } from '../../src/events.js';
import { anthropicFormat } from '../../src/testing/formats/anthropic.js';
import { azureOpenAIFormat } from '../../src/testing/formats/azure-openai.js';
import { geminiFormat } from '../../src/testing/formats/gemini.js';
import { openAIFormat } from '../../src/testing/formats/openai.js';
import type { SimParsedRequest, WireFormat } from '../../src/testing/wire-format.js';
import { createTracingPlugin } from '../../src/tracing/tracing-plugin.js';
import { hasRedis, redisUrl, uniquePrefix } from '../support/redis.js';
import { errorRenderings, leaksOf, oneLine, RawUpstream, refusedUrl, renderings, respond, type Behaviour } from './leak-support.js';

const PROVIDER_TYPES = ['anthropic', 'openai', 'gemini', 'azure-openai'] as const;
type ProviderType = (typeof PROVIDER_TYPES)[number];

const FORMATS: Readonly<Record<ProviderType, WireFormat>> = { anthropic: anthropicFormat, openai: openAIFormat, gemini: geminiFormat, 'azure-openai': azureOpenAIFormat };

/** Provider id in the config, the `${VAR}` of its key, the model and the path its base URL needs. */
const PROVIDERS: Readonly<Record<ProviderType, { readonly id: string; readonly variable: string; readonly model: string; readonly path: string }>> = {
  anthropic: { id: 'anthropic', variable: 'SY15_ANTHROPIC_KEY', model: 'model-1', path: '' },
  openai: { id: 'openai', variable: 'SY15_OPENAI_KEY', model: 'model-1', path: '/v1' },
  gemini: { id: 'gemini', variable: 'SY15_GEMINI_KEY', model: 'model-1', path: '' },
  'azure-openai': { id: 'azure', variable: 'SY15_AZURE_KEY', model: 'deployment-1', path: '' },
};

const EVENTS: readonly RouterEventName[] = ['call-start', 'call-end', 'attempt', 'retry', 'breaker-change', 'canary-change', 'canary-decision', 'audit-write', 'warning', 'listener-error'];

function random(length: number): string {
  return randomBytes(length * 2)
    .toString('base64url')
    .replace(/[-_]/g, '')
    .slice(0, length);
}

/** Keys shaped as each provider shapes them, random past the prefix; Azure's have no shape at all. */
function freshKeys(): Record<ProviderType, string> {
  return { anthropic: `sk-ant-api03-${random(40)}`, openai: `sk-proj-${random(40)}`, gemini: `AIza${random(35)}`, 'azure-openai': random(32) };
}

/** Every text a surface produced, with where it came from. */
class Surfaces {
  readonly texts: Array<readonly [string, string]> = [];

  add(where: string, ...texts: readonly string[]): void {
    for (const text of texts) this.texts.push([where, text]);
  }

  /** Each leak as "where: slice…", for every secret. */
  leaks(secrets: Readonly<Record<string, string>>): string[] {
    const found: string[] = [];
    for (const [where, text] of this.texts) {
      for (const [name, secret] of Object.entries(secrets)) {
        const slices = leaksOf(text, secret);
        if (slices.length > 0) found.push(`${where}: ${slices.length} slices of the ${name} secret (${slices[0]}…) in ${JSON.stringify(text.slice(Math.max(0, text.indexOf(slices[0] as string) - 120), text.indexOf(slices[0] as string) + 60))}`);
      }
    }
    return found;
  }
}

/** `runCli` with its output captured. */
async function cli(surfaces: Surfaces, ...argv: string[]): Promise<number> {
  let out = '';
  const code = await runCli(argv, { stdout: (text) => (out += text), stderr: (text) => (out += text) });
  surfaces.add(`switchyard ${argv.slice(0, 2).join(' ')}`, out);
  return code;
}

function isStream(head: string): boolean {
  return head.includes('text/event-stream') || head.includes('streamGenerateContent');
}

const STREAM_REQUEST: SimParsedRequest = { model: 'model-1', stream: true, lastUserText: 'hello', toolNames: [], inputTokens: 1 };

/** What an upstream says, with the key and the request's headers in it. */
function echo(key: string, head: string): string {
  return `Incorrect API key provided: ${key}. You sent: ${head}`;
}

/** The ways the upstreams misbehave; each upstream answers every request this way while the scenario runs. */
const SCENARIOS: Readonly<Record<string, (type: ProviderType) => Behaviour>> = {
  ...Object.fromEntries(
    [401, 429, 500, 503].map((status) => [
      `${status} echoing the key and the request`,
      (type: ProviderType): Behaviour =>
        (head, socket, key) => {
          const rendered = FORMATS[type].renderError(status, echo(key, head));
          respond(socket, status, 'application/json', JSON.stringify(rendered.body), { ...rendered.headers, 'retry-after': '0', 'x-echo-key': key });
        },
    ]),
  ),
  // undici's HTTPParserError keeps the raw bytes (the echoed credential header) in `data`.
  'malformed HTTP echoing the request headers': () => (head, socket) => socket.end(`HTTP/1.1 200 OK\r\nx-echo: ${oneLine(head)}\r\n\r\n`),
  'a non-JSON body echoing the request': () => (head, socket, key) => respond(socket, 502, 'text/plain', `bad gateway for ${key}; you sent:\n${head}`),
  // JSON.parse's error quotes the body's first characters.
  'a success body that is not JSON, starting with the key': () => (head, socket, key) =>
    isStream(head) ? respond(socket, 200, 'text/event-stream', `data: ${key} is not json\n\n`) : respond(socket, 200, 'application/json', `${key} is not json`),
  // Streams: output, then the provider's own error event; chat: a JSON answer cut short after the key.
  'an error after output echoing the key': (type) => (head, socket, key) => {
    if (!isStream(head)) {
      respond(socket, 200, 'application/json', `{"id":"${key}","content":[{"type":"text","text":"${key}`);
      return;
    }
    const format = FORMATS[type];
    const frames = format.renderStream(
      { answer: { id: 'answer-1', text: 'Hello there', toolCalls: [], finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 2 } }, textChunks: ['Hello ', 'there'] },
      STREAM_REQUEST,
    );
    const failure = format.renderStreamError?.(500, echo(key, head)) ?? '';
    socket.end(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n${frames.slice(0, Math.min(3, frames.length - 1)).join('')}${failure}`);
  },
  'a connection reset': () => (_head, socket: Socket) => socket.resetAndDestroy(),
};

interface SweepConfig {
  readonly upstreams: Readonly<Record<ProviderType, string>>;
  readonly refused: string;
  /** A receiver's origin (`http://127.0.0.1:port`): deliveries to `/hook` succeed, to `/fail/…` get a 500. */
  readonly webhookOrigin: string;
  readonly auditPath: string;
  readonly content: string;
  /** The Redis URL, when the state is shared (it may carry a password). */
  readonly redis: { readonly url: string; readonly prefix: string } | undefined;
}

/** The `${VAR}`s of the secrets besides the provider keys. Webhook URLs carry a token in their path (Slack, Teams) and query, and a password in their user info. */
const SECRET_VARIABLES = {
  'webhook signing': 'SY15_WEBHOOK_SECRET',
  'audit pseudonymisation': 'SY15_AUDIT_KEY',
  'webhook URL token': 'SY15_HOOK_TOKEN',
  'webhook URL password': 'SY15_HOOK_PASSWORD',
  'Redis password': 'SY15_REDIS_PASSWORD',
} as const;
const HOOK_TOKEN_VARIABLE = SECRET_VARIABLES['webhook URL token'];
const HOOK_PASSWORD_VARIABLE = SECRET_VARIABLES['webhook URL password'];

function configYaml(options: SweepConfig): string {
  const providers = PROVIDER_TYPES.flatMap((type) => {
    const { id, variable, path } = PROVIDERS[type];
    const extra = type === 'azure-openai' ? ', apiVersion: "2024-10-21"' : '';
    return [
      `  ${id}: { type: ${type}, apiKey: "\${${variable}}", baseUrl: "${options.upstreams[type]}${path}"${extra} }`,
      `  ${id}-down: { type: ${type}, apiKey: "\${${variable}}", baseUrl: "${options.refused}${path}"${extra} }`,
    ];
  });
  const routes = PROVIDER_TYPES.flatMap((type, index) => {
    const { id, model } = PROVIDERS[type];
    const next = PROVIDER_TYPES[index + 1];
    const fallbacks = (prefix: string): string => (next === undefined ? '' : `, fallbacks: [${prefix}-${PROVIDERS[next].id}]`);
    return [
      `  via-${id}: { targets: [{ provider: ${id}, model: ${model} }]${fallbacks('via')} }`,
      `  down-${id}: { targets: [{ provider: ${id}-down, model: ${model} }]${fallbacks('down')} }`,
    ];
  });
  return `# Issue 15's sweep: every provider's key from the environment.
providers:
${providers.join('\n')}
routes:
${routes.join('\n')}
  rollout:
    canary:
      baseline: { provider: anthropic, model: model-a }
      candidate: { provider: openai, model: model-b }
      sticky: user
      salt: surface-sweep
      steps:
        - { weight: 50, minRequests: 1000 }
        - { weight: 100 }
      webhooks:
        - { url: "${options.webhookOrigin}/hook", secret: "\${${SECRET_VARIABLES['webhook signing']}}", retries: 0, timeout: 2s }
        - { url: "${options.webhookOrigin.replace('//', `//hook:\${${HOOK_PASSWORD_VARIABLE}}@`)}/fail/T0001/\${${HOOK_TOKEN_VARIABLE}}?token=\${${HOOK_TOKEN_VARIABLE}}", secret: "\${${SECRET_VARIABLES['webhook signing']}}", retries: 0, timeout: 2s }
        - { url: "${options.refused.replace('//', `//hook:\${${HOOK_PASSWORD_VARIABLE}}@`)}/fail/\${${HOOK_TOKEN_VARIABLE}}", retries: 0, timeout: 1s }
    fallbacks: [via-gemini]
policies:
  timeout: { connect: 1s, firstByte: 2s, idle: 2s, total: 4s }
  retry: { attempts: 2, minDelay: 1ms, maxDelay: 2ms, factor: 2, jitter: full, budget: 1 }
  breaker: { enabled: false }
audit:
  sink: { type: file, path: "${options.auditPath}" }
  content: ${options.content}
  pseudonymize: { key: "\${${SECRET_VARIABLES['audit pseudonymisation']}}" }
metrics: { enabled: true }
${options.redis === undefined ? '' : `state:\n  redis: { url: "${options.redis.url}", keyPrefix: "${options.redis.prefix}", failMode: open }\n`}`;
}

/** Every key, value and member stored under `prefix`. */
async function redisState(redis: Redis, prefix: string): Promise<string[]> {
  const texts: string[] = [];
  for (const key of await redis.keys(`${prefix}*`)) {
    texts.push(key);
    const type = await redis.type(key);
    if (type === 'string') texts.push((await redis.get(key)) ?? '');
    else if (type === 'hash') texts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') texts.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'set') texts.push(...(await redis.smembers(key)));
    else if (type === 'zset') texts.push(...(await redis.zrange(key, 0, -1, 'WITHSCORES')));
    else if (type === 'stream') texts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    else texts.push(`(a ${type})`);
  }
  return texts;
}

describe('no provider key on any output surface (issue 15)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-every-surface-'));
  const keys = freshKeys();
  const otherSecrets = {
    'webhook signing': `whsec-${random(32)}`,
    'audit pseudonymisation': random(32),
    'webhook URL token': random(24),
    'webhook URL password': random(20),
    'Redis password': random(20),
  };
  const upstreams = Object.fromEntries(PROVIDER_TYPES.map((type) => [type, new RawUpstream()])) as Record<ProviderType, RawUpstream>;
  const upstreamUrls = {} as Record<ProviderType, string>;
  let refused = '';
  const deliveries: string[] = [];
  let webhookServer: HttpServer | undefined;
  let webhookOrigin = '';
  const variables = [...Object.values(SECRET_VARIABLES), ...PROVIDER_TYPES.map((type) => PROVIDERS[type].variable)];
  const spans = new InMemorySpanExporter();

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    for (const type of PROVIDER_TYPES) {
      upstreams[type].key = keys[type];
      upstreamUrls[type] = await upstreams[type].listen();
    }
    refused = await refusedUrl();
    webhookServer = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        // What a receiver sees besides its own URL (which holds the token by design).
        const delivery = `${request.method}\n${JSON.stringify(request.headers)}\n${body}`;
        deliveries.push(delivery);
        // A receiver that fails, echoing what it got and its URL.
        if (request.url?.includes('/fail/') === true) response.writeHead(500, { 'content-type': 'text/plain' }).end(`rejected ${request.url}: ${delivery}`);
        else response.end('ok');
      });
    });
    await new Promise<void>((resolve) => webhookServer?.listen(0, '127.0.0.1', resolve));
    webhookOrigin = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    trace.disable();
    for (const variable of variables) delete process.env[variable];
    await Promise.all(PROVIDER_TYPES.map((type) => upstreams[type].close()));
    await new Promise<void>((resolve) => (webhookServer === undefined ? resolve() : webhookServer.close(() => resolve())));
    rmSync(directory, { recursive: true, force: true });
  });

  it('config errors show no key: thrown, and through the CLI', async () => {
    // Keys of their own, loaded before any router (or the sweep below) registered anything.
    const bad = freshKeys();
    const variablesOf = Object.fromEntries(PROVIDER_TYPES.map((type) => [type, `SY15_BAD_${PROVIDERS[type].id.toUpperCase()}_KEY`])) as Record<ProviderType, string>;
    for (const type of PROVIDER_TYPES) process.env[variablesOf[type]] = bad[type];
    variables.push(...Object.values(variablesOf));
    const providers = `providers:
  anthropic: { type: anthropic, apiKey: "\${${variablesOf.anthropic}}" }
  openai: { type: openai, apiKey: "\${${variablesOf.openai}}" }
  gemini: { type: gemini, apiKey: "\${${variablesOf.gemini}}" }
  azure: { type: azure-openai, apiKey: "\${${variablesOf['azure-openai']}}", baseUrl: "https://example.openai.azure.com", apiVersion: "2024-10-21" }
`;
    const route = 'routes:\n  main: { targets: [{ provider: openai, model: model-1 }] }\n';
    const files: Record<string, string> = {
      'a bad value next to the keys': `${providers}${route}policies:\n  timeout: { connect: banana }\n`,
      'a key where another value belongs': `${providers}  broken: { type: "\${${variablesOf.openai}}", apiKey: "\${${variablesOf.openai}}" }\n${route}`,
      'an unresolved alias named after a key': `providers:\n  gemini: { type: gemini, apiKey: "${bad.gemini}" }\n${route}policies:\n  retry: *${bad.gemini}\n`,
      'a key as a mapping key': `${providers}  other: { type: azure-openai, apiKey: "${bad['azure-openai']}", "${bad['azure-openai']}": 1 }\n${route}`,
      'a YAML syntax error beside a key': `providers:\n  anthropic: { type: anthropic, apiKey: "${bad.anthropic}" }\n  openai: { type: openai, apiKey: ${bad.openai}, model: [unclosed\n${route}`,
    };
    const surfaces = new Surfaces();
    for (const [name, text] of Object.entries(files)) {
      const file = join(directory, `${name.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, text);
      let thrown: unknown;
      try {
        loadConfig(file);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, name).toMatchObject({ category: 'config' });
      surfaces.add(`the config error for ${name}`, ...errorRenderings(thrown), ...renderings((thrown as { problems?: unknown }).problems));
      expect(await cli(surfaces, 'validate', file), name).toBe(1);
      await cli(surfaces, 'validate', file, '--json');
      await cli(surfaces, 'explain', file, '--route', 'main');
      await cli(surfaces, 'routes', file);
      await cli(surfaces, 'canary', 'status', '--config', file, '--json');
    }
    // The same from a config object: a bad value beside the keys, through resolveConfig and createRouter.
    const input = {
      providers: Object.fromEntries(PROVIDER_TYPES.map((type) => [PROVIDERS[type].id, { type, apiKey: bad[type], baseUrl: 'not a url', ...(type === 'azure-openai' ? { apiVersion: '2024-10-21' } : {}) }])),
      routes: { main: { targets: [{ provider: 'openai', model: 'model-1' }] } },
      policies: { retry: { attempts: 'many' } },
    } as unknown as SwitchyardConfigInput;
    for (const build of [() => resolveConfig(input), () => createRouter(input)]) {
      let thrown: unknown;
      try {
        build();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ category: 'config' });
      surfaces.add('the config error for a config object', ...errorRenderings(thrown), ...renderings((thrown as { problems?: unknown }).problems));
    }
    expect(surfaces.leaks({ ...bad })).toEqual([]);
  });

  /**
   * Two runs: audit content `full` with the state in the test Redis (when `REDIS_URL` is set), and
   * `redacted` with a Redis that refuses connections at a URL carrying a password (so the
   * shared-state warnings, the logger and the CLI's "cannot reach Redis" are exercised too).
   */
  const RUNS = [
    { content: 'full', redis: hasRedis ? 'shared' : 'none' },
    { content: 'redacted', redis: 'unreachable' },
  ] as const;

  for (const run of RUNS) {
    it(`every error path, chat and stream, leaves no key on any surface (audit content ${run.content}, Redis ${run.redis})`, async () => {
      for (const type of PROVIDER_TYPES) process.env[PROVIDERS[type].variable] = keys[type];
      const secrets = { ...keys, ...otherSecrets };
      for (const [name, variable] of Object.entries(SECRET_VARIABLES)) process.env[variable] = otherSecrets[name as keyof typeof otherSecrets];
      const auditPath = join(directory, `audit-${run.content}.jsonl`);
      const prefix = uniquePrefix(`every-surface-${run.content}`);
      const redis =
        run.redis === 'shared' ? { url: redisUrl as string, prefix } : run.redis === 'unreachable' ? { url: `redis://:\${${SECRET_VARIABLES['Redis password']}}@${refused.slice('http://'.length)}`, prefix } : undefined;
      const file = join(directory, `switchyard-${run.content}.yaml`);
      writeFileSync(file, configYaml({ upstreams: upstreamUrls, refused, webhookOrigin, auditPath, content: run.content, redis }));
      deliveries.length = 0;

      const surfaces = new Surfaces();
      const console = { warn: vi.spyOn(globalThis.console, 'warn'), error: vi.spyOn(globalThis.console, 'error'), log: vi.spyOn(globalThis.console, 'log') };
      for (const spy of Object.values(console)) spy.mockImplementation(() => undefined);
      const logLines: string[] = [];
      const config = loadConfig(file);
      const tracing = await createTracingPlugin();
      const router = createRouter(config, { logger: (line) => void logLines.push(line), tracing: false, plugins: tracing === undefined ? [] : [tracing] });
      spans.reset();
      let events = 0;
      for (const name of EVENTS) {
        router.on(name, (payload) => {
          events += 1;
          const { error, after } = payload as { error?: unknown; after?: unknown };
          surfaces.add(`the ${name} event`, ...renderings(payload), ...errorRenderings(error ?? after));
        });
      }
      await router.ready();

      const routes = [...PROVIDER_TYPES.map((type) => `via-${PROVIDERS[type].id}`), 'rollout'];
      let calls = 0;
      let thrown = 0;
      const call = async (route: string, mode: 'chat' | 'stream', scenario: string): Promise<void> => {
        calls += 1;
        const request = { model: route, messages: [{ role: 'user' as const, content: 'hello' }] };
        const options = { user: `user-${calls}` };
        try {
          if (mode === 'chat') surfaces.add(`a ${route} answer (${scenario})`, ...renderings(await router.chat(request, options)));
          else for await (const part of router.stream(request, options)) surfaces.add(`a ${route} stream part (${scenario})`, ...renderings(part), ...errorRenderings((part as { error?: unknown }).error));
        } catch (error) {
          thrown += 1;
          surfaces.add(`the error thrown by ${mode} on ${route} (${scenario})`, ...errorRenderings(error));
        }
      };

      for (const [scenario, behaviourFor] of Object.entries(SCENARIOS)) {
        for (const type of PROVIDER_TYPES) upstreams[type].behaviour = behaviourFor(type);
        for (const mode of ['chat', 'stream'] as const) await Promise.all(routes.map((route) => call(route, mode, scenario)));
        const batch = await router.batch(routes.map((route) => ({ model: route, messages: [{ role: 'user' as const, content: 'hello' }] })));
        surfaces.add(`the batch results (${scenario})`, ...batch.flatMap((result) => [...renderings(result), ...errorRenderings(result.status === 'rejected' ? result.reason : undefined)]));
      }
      for (const mode of ['chat', 'stream'] as const) await Promise.all(PROVIDER_TYPES.map((type) => call(`down-${PROVIDERS[type].id}`, mode, 'a refused connection')));
      expect(thrown).toBeGreaterThan(calls / 2);

      // A canary decision (with shared state; without it the store's timeouts only slow the run):
      // its event, audit record and webhook deliveries (one received, one refused with a 500
      // echoing the request and its URL, one to a refused port).
      const canary = router.canary('rollout');
      if (run.redis !== 'unreachable') {
        // The scenarios' failures can make the canary roll the candidate back on its own first:
        // that decision has the same event, record and deliveries, so pause only a running rollout.
        await canary.sync();
        if (canary.status().state === 'running') await canary.pause({ reason: 'surface sweep', actor: 'tester' });
        await vi.waitFor(() => expect(deliveries.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
        surfaces.add('the canary report', ...renderings(await canary.report()));
      }
      surfaces.add('the canary status', ...renderings(canary.status()));

      surfaces.add('the Prometheus text', (await router.metrics?.metrics()) ?? '');
      for (const route of Object.keys(router.config.routes)) surfaces.add(`router.explain(${route})`, ...renderings(router.explain(route, { user: 'user-1', tenant: 'tenant-1' })));
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- what String() shows of the config is one of the surfaces checked
      surfaces.add('router.config', JSON.stringify(router.config), inspect(router.config, { depth: Infinity, showHidden: true }), String(router.config));
      surfaces.add('the config loadConfig returned', JSON.stringify(config), inspect(config, { depth: Infinity, showHidden: true }));
      await router.close();
      const finished = spans.getFinishedSpans();
      expect(finished.length).toBeGreaterThan(calls);
      surfaces.add('the spans', ...finished.map((span) => inspect({ name: span.name, attributes: span.attributes, status: span.status, events: span.events, links: span.links }, { depth: Infinity })));

      const audit = readFileSync(auditPath, 'utf8');
      expect(audit.split('\n').filter((line) => line.includes('"kind":"call"')).length).toBeGreaterThan(calls / 2);
      surfaces.add(`the audit file (content ${run.content})`, audit);

      expect(await cli(surfaces, 'audit', 'verify', auditPath)).toBe(0);
      expect(await cli(surfaces, 'canary', 'status', '--config', file, '--json')).toBe(run.redis === 'shared' ? 0 : 1);
      await cli(surfaces, 'canary', 'report', '--config', file);
      expect(await cli(surfaces, 'validate', file)).toBe(0);
      await cli(surfaces, 'explain', file, '--route', 'rollout', '--user', 'user-1');
      await cli(surfaces, 'routes', file);
      if (run.redis === 'shared') {
        const client = new Redis(redisUrl as string, { lazyConnect: true, maxRetriesPerRequest: 1 });
        await client.connect();
        try {
          surfaces.add('the Redis state', ...(await redisState(client, prefix)));
        } finally {
          const stored = await client.keys(`${prefix}*`);
          if (stored.length > 0) await client.del(...stored);
          client.disconnect();
        }
      }

      surfaces.add('the webhook receiver', ...deliveries);
      surfaces.add('the logger', ...logLines);
      for (const [name, spy] of Object.entries(console)) {
        surfaces.add(`console.${name}`, ...spy.mock.calls.map((args) => args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: Infinity }))).join(' ')));
        spy.mockRestore();
      }
      expect(events).toBeGreaterThan(calls);
      // The config dumps' webhook URLs are left to the focused test below (they fail it today).
      const configDumps = new Set(['router.config', 'the config loadConfig returned']);
      expect(surfaces.leaks(secrets).filter((leak) => !(leak.includes('webhook URL token') && configDumps.has(leak.slice(0, leak.indexOf(':')))))).toEqual([]);
    });
  }

  // Found by the sweep above. The webhook module never prints a URL's path or query, because
  // Slack-, Mattermost- and Teams-style webhook URLs carry their token there (docs/canary.md: "Logs
  // name a webhook by its origin only, never its path (which often holds a token)"); the config's
  // printers (src/config/redacted-dump.ts) redact only a URL's password, so `console.log(router.config)`
  // prints the token. Fails until the printers show a webhook URL's origin only.
  it("prints a canary webhook URL's origin only in router.config, never its path or query", () => {
    const token = random(24);
    const file = join(directory, 'webhook-token.yaml');
    writeFileSync(
      file,
      `providers:
  anthropic: { type: anthropic, apiKey: "sk-ant-api03-${random(40)}" }
  openai: { type: openai, apiKey: "sk-proj-${random(40)}" }
routes:
  rollout:
    canary:
      baseline: { provider: anthropic, model: model-a }
      candidate: { provider: openai, model: model-b }
      steps: [{ weight: 50 }, { weight: 100 }]
      webhooks:
        - { url: "https://hooks.slack.com/services/T0001/B0001/${token}" }
        - { url: "https://example.com/hook?token=${token}" }
`,
    );
    const config = loadConfig(file);
    const router = createRouter(config, { tracing: false });
    const surfaces = new Surfaces();
    surfaces.add('router.config', JSON.stringify(router.config), inspect(router.config, { depth: Infinity }));
    surfaces.add('the config loadConfig returned', JSON.stringify(config), inspect(config, { depth: Infinity }));
    surfaces.add('a route', JSON.stringify(config.routes.rollout), inspect(config.routes.rollout, { depth: Infinity }));
    void router.close();
    expect(surfaces.leaks({ 'webhook URL token': token })).toEqual([]);
  });
});
