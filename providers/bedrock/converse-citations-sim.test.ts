import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import type { Router } from '../../src/router/router-api.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import type { ChatRequest, StreamEvent } from '../../src/types.js';

// Bedrock Converse citations through the router, over real sockets against the simulator's Converse
// format (SigV4 checked): a document with citations enabled is cited in a `citationsContent` block,
// a stream shows the same citations, and the cited answer goes back as `citationsContent`.
const CLAUDE = 'anthropic.claude-sonnet-4-20250514-v1:0';
const GRASS = Buffer.from('The grass is green. The sky is blue.').toString('base64');

let simulator: Simulator;
let router: Router;

beforeAll(async () => {
  simulator = await startSimulator({ aws: { accessKeyId: 'AKIASIMCITATIONS0001', secretAccessKey: 'sim/citations+secret+access+key+000001' } });
});
afterAll(async () => {
  await simulator.close();
});
beforeEach(() => {
  simulator.reset();
  vi.stubEnv('AWS_ACCESS_KEY_ID', simulator.aws.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', simulator.aws.secretAccessKey);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  const yaml = ['providers:', '  aws: { type: bedrock, api: converse, region: us-west-2, baseUrl: "${SIM_URL}" }', 'routes:', '  claude: { targets: [{ provider: aws, model: "${CLAUDE}" }] }', 'policies:', '  retry: { attempts: 1 }'].join('\n');
  router = createRouter(parseConfig(yaml, { env: { SIM_URL: simulator.url, CLAUDE } }));
});
afterEach(async () => {
  await router.close();
  vi.unstubAllEnvs();
});

const REQUEST: ChatRequest = {
  model: 'claude',
  messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'text/plain', data: GRASS, title: 'My Document', citations: true }, { type: 'text', text: 'What colour is the grass?' }] }],
};
const GRASS_CITATION = { type: 'documentChar', citedText: 'The grass is green.', documentTitle: 'My Document', documentIndex: 0, start: 0, end: 19, provider: 'bedrock' };

describe('Bedrock Converse citations through the router', () => {
  it('a document with citations enabled is cited: a plain opening, then the cited rest', async () => {
    const response = await router.chat(REQUEST);
    const body = simulator.requests.at(-1)?.body as { messages: { content: Record<string, unknown>[] }[] };
    expect(body.messages[0]?.content[0]).toMatchObject({ document: { name: 'My Document', citations: { enabled: true } } });
    const space = response.text.indexOf(' ');
    expect(response.textParts).toEqual([
      { type: 'text', text: response.text.slice(0, space + 1) },
      { type: 'text', text: response.text.slice(space + 1), citations: [GRASS_CITATION] },
    ]);
  });

  it('a stream shows one citations event for the cited block and finishes with the same parts', async () => {
    const events: StreamEvent[] = [];
    for await (const event of router.stream(REQUEST)) events.push(event);
    const finish = events.at(-1);
    if (finish?.type !== 'finish') throw new Error('the stream did not finish');
    const { text, textParts } = finish.response;
    expect(events.filter((event) => event.type === 'citations')).toEqual([{ type: 'citations', text: text.slice(text.indexOf(' ') + 1), citations: [GRASS_CITATION] }]);
    expect(textParts?.[1]?.citations).toEqual([GRASS_CITATION]);
  });

  it('the cited answer goes back as citationsContent, which the simulator accepts', async () => {
    const first = await router.chat(REQUEST);
    const second = await router.chat({ model: 'claude', messages: [...REQUEST.messages, first.message, { role: 'user', content: 'And the sky?' }] });
    expect(second.text).not.toBe('');
    const body = simulator.requests.at(-1)?.body as { messages: { content: Record<string, unknown>[] }[] };
    expect(body.messages[1]?.content).toContainEqual({
      citationsContent: {
        content: [{ text: first.textParts?.[1]?.text }],
        citations: [{ title: 'My Document', sourceContent: [{ text: 'The grass is green.' }], location: { documentChar: { documentIndex: 0, start: 0, end: 19 } } }],
      },
    });
  });
});
