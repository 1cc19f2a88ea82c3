/**
 * Uploaded files by id through the gateway, called with the official clients: an Anthropic
 * `source: { type: 'file', file_id }` (https://platform.claude.com/docs/en/build-with-claude/files)
 * and an OpenAI `file: { file_id }` part (https://platform.openai.com/docs/guides/pdf-files) reach
 * the upstream as ids when the route's targets are all one provider of the type that issues them;
 * any other route is refused with a 400 that says why, before anything is sent upstream. File ids
 * are off unless `gateway.fileIds: allow` (they are the operator's files, not the caller's): a
 * gateway without it refuses them with a 400 that says how to enable them.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

// (Key values share no 8-character run with words in error messages: those runs would be redacted.)
const APP_KEY = 'sy-fid0123456789abcdefghijklmnopqrstuvwxyzA';

let simulator: Simulator;
let gateway: Gateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  simulator = await startSimulator();
  const config = simConfig(simulator);
  gateway = await createGateway(
    {
      ...config,
      providers: { ...config.providers, anthropic2: { type: 'anthropic', apiKey: simulator.apiKey, baseUrl: simulator.url } },
      routes: {
        claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 50 }, { provider: 'anthropic', model: 'claude-opus-4-1', weight: 50 }] },
        'two-claudes': { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { provider: 'anthropic2', model: 'claude-sonnet-4-5' }] },
        gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
        gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
      },
      gateway: { store: { url: 'sqlite::memory:' }, port: 0, fileIds: 'allow', keys: [{ name: 'app', key: APP_KEY }] },
    },
    { log: () => undefined },
  );
  const url = await gateway.listen();
  anthropic = new Anthropic({ baseURL: url, apiKey: APP_KEY, maxRetries: 0 });
  openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: APP_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

/** The request the simulator received last, as JSON. */
function lastUpstreamBody(): Record<string, unknown> {
  return simulator.requests.at(-1)?.body as Record<string, unknown>;
}

/** The error a call failed with. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error,
  );
}

/** The `error.message` of an Anthropic error answer (the SDK's message is the status and the raw body). */
function anthropicMessage(error: unknown): string {
  return (error as { error: { error: { message: string } } }).error.error.message;
}

const FILE_DOCUMENT: Anthropic.DocumentBlockParam = { type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' }, title: 'Q3' };
const FILE_IMAGE: Anthropic.ImageBlockParam = { type: 'image', source: { type: 'file', file_id: 'file_img' } };

describe('Anthropic file sources', () => {
  it('reach the upstream as file sources when the route is one anthropic provider', async () => {
    const message = await anthropic.messages.create({ model: 'claude', max_tokens: 50, messages: [{ role: 'user', content: [FILE_DOCUMENT, FILE_IMAGE, { type: 'text', text: 'Summarise.' }] }] });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const content = (lastUpstreamBody()['messages'] as { content: unknown[] }[])[0]?.content;
    expect(content?.slice(0, 2)).toEqual([
      { type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' }, title: 'Q3' },
      { type: 'image', source: { type: 'file', file_id: 'file_img' } },
    ]);
    // The Files API beta flag the adapter adds for file sources.
    expect(simulator.requests.at(-1)?.headers['anthropic-beta']).toContain('files-api-2025-04-14');
  });

  it('are refused, naming the field and why, on a route over two providers or another type', async () => {
    const before = simulator.requests.length;
    const twoProviders = await failure(anthropic.messages.create({ model: 'two-claudes', max_tokens: 50, messages: [{ role: 'user', content: [FILE_DOCUMENT] }] }));
    expect(twoProviders).toBeInstanceOf(Anthropic.BadRequestError);
    expect(anthropicMessage(twoProviders)).toMatch(/messages\[0\]\.content\[0\]\.source\.file_id.*route "two-claudes" has targets on 2 providers \(anthropic, anthropic2\)/);
    const gemini = await failure(anthropic.messages.create({ model: 'gemini', max_tokens: 50, messages: [{ role: 'user', content: [{ type: 'text', text: 'see' }, FILE_IMAGE] }] }));
    expect(gemini).toBeInstanceOf(Anthropic.BadRequestError);
    expect(anthropicMessage(gemini)).toMatch(/messages\[0\]\.content\[1\]\.source\.file_id.*provider "gemini" of type "gemini"/);
    expect(simulator.requests.length).toBe(before);
  });
});

describe('OpenAI file parts with file_id', () => {
  it('reach an openai upstream as file_id', async () => {
    const completion = await openai.chat.completions.create({ model: 'gpt', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-6F2ksmvXxt4VdoqmHRw6kL' } }, { type: 'text', text: 'Summarise.' }] }] });
    expect(completion.choices[0]?.message.content).toBe('Echo: Summarise.');
    const content = (lastUpstreamBody()['messages'] as { content: unknown[] }[])[0]?.content;
    expect(content?.[0]).toEqual({ type: 'file', file: { file_id: 'file-6F2ksmvXxt4VdoqmHRw6kL' } });
  });

  it('are refused on a route served by another provider type, naming the field', async () => {
    const refused = await failure(openai.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'text', text: 'read' }, { type: 'file', file: { file_id: 'file-6F2ks' } }] }] }));
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as Error).message).toMatch(/messages\[0\]\.content\[1\]\.file\.file_id.*provider "anthropic" of type "anthropic"/);
  });
});

describe('file ids on a gateway that has not allowed them (the default)', () => {
  let closedGateway: Gateway;
  let closedAnthropic: Anthropic;
  let closedOpenai: OpenAI;

  beforeAll(async () => {
    closedGateway = await createGateway({ ...simConfig(simulator), gateway: { store: { url: 'sqlite::memory:' }, port: 0, keys: [{ name: 'app', key: APP_KEY }] } }, { log: () => undefined });
    const url = await closedGateway.listen();
    closedAnthropic = new Anthropic({ baseURL: url, apiKey: APP_KEY, maxRetries: 0 });
    closedOpenai = new OpenAI({ baseURL: `${url}/v1`, apiKey: APP_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await closedGateway.close();
  });

  it('are refused with a 400 naming the field and the setting that enables them, before anything is sent upstream', async () => {
    const before = simulator.requests.length;
    const anthropicRefusal = await failure(closedAnthropic.messages.create({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: [FILE_DOCUMENT] }] }));
    expect(anthropicRefusal).toBeInstanceOf(Anthropic.BadRequestError);
    expect(anthropicMessage(anthropicRefusal)).toMatch(/messages\[0\]\.content\[0\]\.source\.file_id.*`gateway\.fileIds: allow`/);
    const openaiRefusal = await failure(closedOpenai.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-6F2ks' } }] }] }));
    expect(openaiRefusal).toBeInstanceOf(OpenAI.BadRequestError);
    expect((openaiRefusal as Error).message).toMatch(/messages\[0\]\.content\[0\]\.file\.file_id.*`gateway\.fileIds: allow`/);
    expect(simulator.requests.length).toBe(before);
  });

  it('do not affect a call that sends the file content instead', async () => {
    const message = await closedAnthropic.messages.create({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The grass is green.' } }, { type: 'text', text: 'Summarise.' }] }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
  });
});
