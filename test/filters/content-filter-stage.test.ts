import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { SwitchyardError } from '../../src/errors.js';
import type { RouterEvents } from '../../src/events.js';
import { createContentFilterPlugin } from '../../src/filters/content-filter-plugin.js';
import type { Router } from '../../src/router/router.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest } from '../../src/types.js';
import { simConfig } from '../support/sim-config.js';

let simulator: Simulator;
const routers: Router[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ seed: 5 });
});
afterEach(async () => {
  await Promise.all(routers.splice(0).map((router) => router.close()));
  simulator.reset();
});
afterAll(async () => {
  await simulator.close();
});

/** A router on the simulator with the sensitive-word policy from the config, as createRouter would add it. */
function routerWith(action: 'block' | 'mask' | 'flag', extra: Record<string, unknown> = {}): { router: Router; ends: RouterEvents['call-end'][] } {
  const config = resolveConfig(simConfig(simulator, { filters: { sensitiveWords: { words: ['敏感词', 'Secret Plan'], action, maskCharacter: '*' } }, ...extra }));
  const plugin = createContentFilterPlugin(config.filters);
  if (plugin === undefined) throw new Error('expected a plugin');
  const router = createRouter(config); // createRouter adds the filter plugin the config asks for
  routers.push(router);
  const ends: RouterEvents['call-end'][] = [];
  router.on('call-end', (end) => ends.push(end));
  return { router, ends };
}

/** The text of the user message the simulator received (OpenAI format). */
function receivedUserText(): string {
  const body = simulator.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
  return body.messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n');
}

const request: ChatRequest = {
  model: 'gpt4',
  system: 'Never reveal the ＳＥＣＲＥＴ　ＰＬＡＮ.',
  messages: [
    { role: 'user', content: 'hello' },
    { role: 'assistant', content: 'hi' },
    { role: 'user', content: '告诉我敏感词和 the secret plan' },
  ],
};

describe('content filter stage through the router', () => {
  it('block: fails with content_filter naming the field, before any provider is called', async () => {
    const { router, ends } = routerWith('block');
    const error = await router.chat(request).catch((caught: unknown) => caught);
    expect(SwitchyardError.isInstance(error)).toBe(true);
    if (!SwitchyardError.isInstance(error)) return;
    expect(error.category).toBe('content_filter');
    expect(error.retryable).toBe(false);
    expect(error.field).toBe('system');
    expect(error.message).not.toContain('敏感词');
    expect(error.message.toLowerCase()).not.toContain('secret plan');
    expect(simulator.count()).toBe(0);
    expect(ends[0]?.notes.sensitiveWordHits).toBe(3);
    expect(ends[0]?.attempts).toEqual([]);
  });

  it('block: names the message when the system prompt is clean, and lets clean requests through', async () => {
    const { router, ends } = routerWith('block');
    const error = await router.chat({ ...request, system: 'Be terse.' }).catch((caught: unknown) => caught);
    expect(SwitchyardError.isInstance(error) && error.field).toBe('messages[2].content');
    const response = await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: 'a harmless question' }] });
    expect(response.text).toBe('Echo: a harmless question');
    expect(simulator.count()).toBe(1);
    expect(ends[1]?.notes.sensitiveWordHits).toBe(0);
  });

  it('block: streams are refused too', async () => {
    const { router } = routerWith('block');
    const consume = async (): Promise<void> => {
      for await (const _event of router.stream(request)) {
        // nothing arrives
      }
    };
    await expect(consume()).rejects.toMatchObject({ category: 'content_filter' });
    expect(simulator.count()).toBe(0);
  });

  it('mask: the provider receives masked text; the caller’s request is not changed', async () => {
    const { router, ends } = routerWith('mask');
    const original = structuredClone(request);
    const response = await router.chat(request);
    expect(receivedUserText()).toBe('hello\n告诉我***和 the ***********');
    const body = simulator.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(body.messages.find((message) => message.role === 'system')?.content).toBe('Never reveal the ***********.');
    expect(response.text).toBe('Echo: 告诉我***和 the ***********');
    expect(request).toEqual(original);
    expect(ends[0]?.notes.sensitiveWordHits).toBe(3);
  });

  it('mask: masks text parts of multi-part messages', async () => {
    const { router } = routerWith('mask');
    await router.chat({ model: 'gpt4', messages: [{ role: 'user', content: [{ type: 'text', text: 'a 敏感词 b' }] }] });
    const body = simulator.requests.at(-1)?.body as { messages: { role: string; content: unknown }[] };
    expect(JSON.stringify(body.messages)).toContain('a *** b');
    expect(JSON.stringify(body.messages)).not.toContain('敏感词');
  });

  it('mask: the cache stores the masked request, so a masked twin is a hit', async () => {
    const { router, ends } = routerWith('mask', { policies: { ...simConfig(simulator).policies, cache: {} } });
    const ask = (text: string): ChatRequest => ({ model: 'gpt4', temperature: 0, messages: [{ role: 'user', content: text }] });
    await router.chat(ask('about 敏感词'));
    const second = await router.chat(ask('about ***'));
    expect(second.cached).toBe(true);
    expect(simulator.count()).toBe(1);
    expect(ends.map((end) => end.notes.cache)).toEqual(['miss', 'hit']);
  });

  it('flag: passes the request through unchanged and counts the hits', async () => {
    const { router, ends } = routerWith('flag');
    await router.chat(request);
    expect(receivedUserText()).toBe('hello\n告诉我敏感词和 the secret plan');
    expect(ends[0]?.notes.sensitiveWordHits).toBe(3);
    expect(ends[0]?.response?.text).toBe('Echo: 告诉我敏感词和 the secret plan');
  });
});

describe('createContentFilterPlugin', () => {
  it('is undefined without sensitive words', () => {
    expect(createContentFilterPlugin({})).toBeUndefined();
    expect(createContentFilterPlugin({ sensitiveWords: { words: [], action: 'block', maskCharacter: '*' } })).toBeUndefined();
  });
});
