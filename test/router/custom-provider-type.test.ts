/**
 * Custom adapter types written in YAML: any `type:` name loads (with a `baseUrl`), is served by the
 * factory registered under it, and without one fails at `createRouter` naming the provider, the
 * path and line of its type, the built-in types and how to register one; `switchyard validate`
 * accepts it with a note.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { parseConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import type { AdapterFactory } from '../../src/provider-spec.js';
import { ADAPTER_FACTORIES } from '../../src/router/adapters.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';

let simulator: Simulator;
beforeAll(async () => {
  simulator = await startSimulator({ seed: 17 });
});
afterAll(async () => {
  await simulator.close();
});

function yamlFor(url: string): string {
  return ['providers:', '  local:', '    type: echo-llm', `    baseUrl: ${url}/v1`, '    apiKey: "${LOCAL_KEY}"', 'routes:', '  r: { targets: [{ provider: local, model: llama3 }] }', ''].join('\n');
}

describe('a custom adapter type in YAML', () => {
  it('loads, and is served by the factory registered under its name', async () => {
    const config = parseConfig(yamlFor(simulator.url), { env: { LOCAL_KEY: simulator.apiKey } });
    expect(config.providers.local?.type).toBe('echo-llm');
    const built: string[] = [];
    const echo: AdapterFactory = (context) => {
      built.push(`${context.settings.id}:${context.settings.type}`);
      return ADAPTER_FACTORIES['openai-compatible'](context);
    };
    const router = createRouter(config, { tracing: false, providers: { 'echo-llm': echo } });
    try {
      const response = await router.chat({ model: 'r', messages: [{ role: 'user', content: 'hi there' }] });
      expect(response.text).toBe('Echo: hi there');
      expect(built).toEqual(['local:echo-llm']);
    } finally {
      await router.close();
    }
  });

  it('without a factory, fails at createRouter naming the path and line of its type and how to register one', () => {
    const config = parseConfig(yamlFor(simulator.url), { env: { LOCAL_KEY: simulator.apiKey } });
    let thrown: unknown;
    try {
      createRouter(config, { tracing: false, providers: { other: ADAPTER_FACTORIES.openai } });
    } catch (error) {
      thrown = error;
    }
    expect(SwitchyardError.isInstance(thrown)).toBe(true);
    const error = thrown as SwitchyardError;
    expect(error.category).toBe('config');
    expect(error.message).toMatch(/^provider 'local' \(providers\.local\.type, line 3\): unknown type 'echo-llm'; built-in types are anthropic, openai, azure-openai, gemini, openai-compatible/);
    expect(error.message).toContain('; registered: other; ');
    expect(error.message).toContain("register a factory with createRouter(config, { providers: { 'echo-llm': … } })");
  });

  it('needs a baseUrl', () => {
    expect(() => parseConfig('providers:\n  local: { type: echo-llm }\n', { env: {} })).toThrow(/providers\.local\.baseUrl: required for type echo-llm: not a built-in type .*\(line 2\)/);
  });

  it('passes `switchyard validate` with a note that a factory must be registered', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'switchyard-custom-type-')), 'custom.yaml');
    writeFileSync(file, yamlFor('http://127.0.0.1:9'));
    let stdout = '';
    let stderr = '';
    const code = await runCli(['validate', file], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, { env: { LOCAL_KEY: 'local-key-0123456789' } });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/note\s+providers\.local\.type: custom type 'echo-llm': the program must register an adapter factory for it/);
    expect(stdout).toMatch(/\(line 3\)/);
  });
});
