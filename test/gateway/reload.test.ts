/**
 * Reloading the gateway's config over real sockets: `POST /admin/reload` re-reads the file the
 * gateway started with (routes, keys and limits change; a bad file or a restart-only change is
 * refused with path and line while the old config serves), and SIGHUP does the same for a real
 * `switchyard serve` process without ever ending it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { startGatewayProcess } from './support/gateway-process.js';

const ADMIN_KEY = 'admin-secret-for-reload-tests-0123456789';
const APP_KEY = 'sy-reload0123456789abcdefghijklmnopqrstuvwxy';
const NEW_KEY = 'sy-reloadnew0123456789abcdefghijklmnopqrstuv';

let simulator: Simulator;
let directory: string;

beforeAll(async () => {
  simulator = await startSimulator();
  directory = mkdtempSync(join(tmpdir(), 'switchyard-gateway-reload-'));
});
afterAll(async () => {
  await simulator.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Version {
  readonly routes: Readonly<Record<string, string>>;
  readonly keys?: readonly string[];
  readonly gatewayExtra?: string;
  readonly storeUrl?: string;
}

/** A config file: one provider on the simulator, `routes` (name → model), keys declared in the file. */
function yaml(version: Version): string {
  const routes = Object.entries(version.routes).map(([name, model]) => `  ${name}: { targets: [{ provider: sim, model: ${model} }] }`);
  const keys = (version.keys ?? [APP_KEY]).map((key, index) => `    - { name: app-${index}, key: ${key} }`);
  return [
    'providers:',
    `  sim: { type: openai, apiKey: ${simulator.apiKey}, baseUrl: "${simulator.url}/v1" }`,
    'routes:',
    ...routes,
    'policies:',
    '  retry: { attempts: 1 }',
    'gateway:',
    `  adminKey: ${ADMIN_KEY}`,
    `  store: { url: "${version.storeUrl ?? 'sqlite::memory:'}" }`,
    '  keys:',
    ...keys,
    ...(version.gatewayExtra === undefined ? [] : [version.gatewayExtra]),
    '',
  ].join('\n');
}

function complete(baseUrl: string, route: string, key = APP_KEY): Promise<Response> {
  return fetch(`${baseUrl}/v1/${route}/complete`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'hi' }) });
}

function reload(baseUrl: string, key = ADMIN_KEY): Promise<Response> {
  return fetch(`${baseUrl}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
}

describe('POST /admin/reload', () => {
  let gateway: Gateway;
  let baseUrl: string;
  let file: string;
  const lines: string[] = [];

  beforeAll(async () => {
    file = join(directory, 'in-process.yaml');
    writeFileSync(file, yaml({ routes: { old: 'old-model', kept: 'kept-model' } }));
    gateway = await createGateway(loadConfig(file), { configFile: file, settings: { port: 0 }, log: (line) => lines.push(line) });
    baseUrl = await gateway.listen();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('swaps routes and keys: 200 with the new version and what changed; calls in flight finish on the old route', async () => {
    expect((await complete(baseUrl, 'old')).status).toBe(200);
    const versionBefore = gateway.router.config.versionHash;
    simulator.setBehavior('old-model', { latencyMs: 300 });
    const inFlight = complete(baseUrl, 'old');
    while (simulator.count('old-model') < 2) await new Promise((resolve) => setTimeout(resolve, 5));

    writeFileSync(file, yaml({ routes: { fresh: 'fresh-model', kept: 'kept-model' }, keys: [APP_KEY, NEW_KEY], gatewayExtra: '  bodyLimit: 2KB' }));
    const answer = await reload(baseUrl);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      reloaded: true,
      previousVersion: versionBefore,
      version: gateway.router.config.versionHash,
      changes: { routes: { added: ['fresh'], removed: ['old'], changed: [] }, providers: { added: [], removed: [], changed: [] } },
      keys: { created: 1, updated: 1, disabled: 0 },
    });
    expect(body['gateway']).toEqual(expect.arrayContaining(['gateway.bodyLimit', 'gateway.keys[1]']));

    const old = await inFlight;
    expect(old.status).toBe(200);
    expect(((await old.json()) as { model: string }).model).toBe('old');
    expect((await complete(baseUrl, 'fresh')).status).toBe(200);
    expect((await complete(baseUrl, 'fresh', NEW_KEY)).status).toBe(200);
    const removed = await complete(baseUrl, 'old');
    expect(removed.status).toBe(404);
    expect(((await removed.json()) as { error: { message: string } }).error.message).toMatch(/"old" does not exist on this gateway; routes: fresh, kept/);
    const models = (await (await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${APP_KEY}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id).sort()).toEqual(['fresh', 'kept', 'sim/fresh-model', 'sim/kept-model']);
    // The new body limit applies at once.
    const large = await fetch(`${baseUrl}/v1/fresh/complete`, { method: 'POST', headers: { authorization: `Bearer ${APP_KEY}` }, body: JSON.stringify({ prompt: 'x'.repeat(4_000) }) });
    expect(large.status).toBe(413);
    expect(lines.some((line) => line.includes('"config reloaded"') && line.includes(gateway.router.config.versionHash))).toBe(true);
  });

  it('answers 400 with the problems (path and line) for a bad file or a restart-only change, the old config serving on', async () => {
    const serving = gateway.router.config.versionHash;
    writeFileSync(file, yaml({ routes: { fresh: 'fresh-model', broken: 'x' } }).replace('model: x }', 'model: x, weight: -1 }'));
    const invalid = await reload(baseUrl);
    expect(invalid.status).toBe(400);
    const invalidBody = (await invalid.json()) as { reloaded: boolean; problems: { path: string; line?: number }[] };
    expect(invalidBody.reloaded).toBe(false);
    expect(invalidBody.problems).toEqual([expect.objectContaining({ path: 'routes.broken.targets[0].weight', line: 5 })]);

    writeFileSync(file, yaml({ routes: { fresh: 'fresh-model', kept: 'kept-model' }, keys: [APP_KEY, NEW_KEY], storeUrl: 'sqlite::memory:?other', gatewayExtra: '  port: 9999' }));
    const restart = await reload(baseUrl);
    expect(restart.status).toBe(400);
    const restartBody = (await restart.json()) as { problems: { path: string; line?: number; message: string }[] };
    expect(restartBody.problems).toEqual([
      expect.objectContaining({ path: 'gateway.store.url', line: 10, message: expect.stringMatching(/restart/) }),
      expect.objectContaining({ path: 'gateway.port', line: 14, message: expect.stringMatching(/restart/) }),
    ]);
    expect(gateway.router.config.versionHash).toBe(serving);
    expect((await complete(baseUrl, 'fresh')).status).toBe(200);
    expect(lines.some((line) => line.includes('config reload refused'))).toBe(true);
    expect(lines.join('\n')).not.toContain(simulator.apiKey);
  });

  it('needs the admin key', async () => {
    expect((await reload(baseUrl, 'wrong-admin-key-0123456789')).status).toBe(401);
    expect((await fetch(`${baseUrl}/admin/reload`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(405);
  });
});

describe('SIGHUP on switchyard serve', () => {
  it('reloads the config file, logs the outcome, and survives a bad config', async () => {
    const file = join(directory, 'process.yaml');
    const storeUrl = `sqlite:${join(directory, 'process.db')}`;
    writeFileSync(file, yaml({ routes: { first: 'first-model' }, storeUrl }));
    const gateway = await startGatewayProcess({ name: 'sighup', configFile: file });
    try {
      expect((await complete(gateway.url, 'first')).status).toBe(200);

      writeFileSync(file, yaml({ routes: { second: 'second-model' }, storeUrl }));
      gateway.signal('SIGHUP');
      while (!gateway.output().includes('"config reloaded"')) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await complete(gateway.url, 'second')).status).toBe(200);
      expect((await complete(gateway.url, 'first')).status).toBe(404);

      writeFileSync(file, 'routes: [this is: not a config');
      gateway.signal('SIGHUP');
      while (!gateway.output().includes('config reload refused')) await new Promise((resolve) => setTimeout(resolve, 20));
      const refusedLine = gateway.output().split('\n').find((line) => line.includes('config reload refused')) as string;
      expect(JSON.parse(refusedLine)).toMatchObject({ level: 'error', problems: [expect.objectContaining({ line: expect.any(Number) })] });
      expect((await complete(gateway.url, 'second')).status).toBe(200);

      gateway.signal('SIGTERM');
      expect(await gateway.exited).toEqual({ code: 0, signal: null });
    } finally {
      gateway.signal('SIGKILL');
    }
  });
});
