/**
 * Uploaded files and Anthropic citations, end to end over the simulator: a file reference reaches
 * each provider in its own shape (Anthropic with the Files API beta flag, and only then), a call
 * goes only to targets (weighted or fallback) on the provider that issued its files, and is
 * refused naming the part when no target is, and a document's citations
 * come back as text parts (chat and stream alike) and go back to Anthropic in the next turn.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import type { ChatResponse, Message, StreamEvent } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { callRouter } from '../support/router-calls.js';
import { FAST_POLICIES, nativeProviders } from '../support/sim-config.js';
import { useSimulatorRouter } from '../support/simulator-fixture.js';

let simulator: Simulator;
let router: Router;
const FILES_BETA = 'files-api-2025-04-14';
const GRASS = Buffer.from('The grass is green. The sky is blue.').toString('base64');

const fixture = useSimulatorRouter({ seed: 5 }, ({ url, apiKey: key }) => ({
  providers: {
    ...nativeProviders({ url, apiKey: key }),
    // A second Anthropic account that already sends another beta flag.
    anthropic2: { type: 'anthropic', apiKey: key, baseUrl: url, headers: { 'anthropic-beta': 'token-efficient-tools-2025-02-19' } },
  },
  routes: {
    claude: { targets: [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }] },
    claude2: { targets: [{ provider: 'anthropic2', model: 'claude-sonnet-4-5' }] },
    gpt: { targets: [{ provider: 'openai', model: 'gpt-4o' }] },
    gemini: { targets: [{ provider: 'gemini', model: 'gemini-2.5-flash' }] },
    // Anthropic first; when it fails, OpenAI.
    claudeThenGpt: { targets: [{ provider: 'anthropic', model: 'claude-haiku-4-5' }], fallbacks: ['gpt'] },
    // Half the calls to each provider by weight; then Gemini.
    split: { targets: [{ provider: 'openai', model: 'gpt-4o-mini', weight: 1 }, { provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 1 }] },
    splitThenGemini: { targets: [{ provider: 'openai', model: 'gpt-4o-mini', weight: 1 }, { provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 1 }], fallbacks: ['gemini'] },
    'claude-cached': { targets: [{ provider: 'anthropic', model: 'claude-opus-4-1' }], policies: { cache: { ttl: '1m', cacheSampled: true } } },
  },
  policies: { ...FAST_POLICIES, retry: { ...FAST_POLICIES.retry, attempts: 1 } },
}));
beforeEach(() => {
  ({ simulator, router } = fixture);
});

function lastRequest(): { body: Record<string, unknown>; headers: Readonly<Record<string, string | string[] | undefined>> } {
  const record = simulator.requests.at(-1);
  if (record === undefined) throw new Error('no request reached the simulator');
  return { body: record.body as Record<string, unknown>, headers: record.headers };
}

function fileMessage(provider: string, id: string): Message {
  return {
    role: 'user',
    content: [
      { type: 'document', mediaType: 'application/pdf', file: { id, provider }, title: 'q3.pdf' },
      { type: 'text', text: 'Summarise the report.' },
    ],
  };
}

describe('file references reach the provider that issued them', () => {
  it('Anthropic: file sources for a document and an image, with the Files API beta flag', async () => {
    await router.chat({
      model: 'claude',
      messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', file: { id: 'file_011CNha8iCJcU1wXNR6q4V8w', provider: 'anthropic' } }, { type: 'image', file: { id: 'file_img', provider: 'anthropic' } }, { type: 'text', text: 'Compare.' }] }],
    });
    const { body, headers } = lastRequest();
    expect((body.messages as { content: unknown[] }[])[0]?.content).toEqual([
      { type: 'document', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } },
      { type: 'image', source: { type: 'file', file_id: 'file_img' } },
      { type: 'text', text: 'Compare.' },
    ]);
    expect(headers['anthropic-beta']).toBe(FILES_BETA);
  });

  it('Anthropic: the flag joins the betas a provider already sends, and is absent without files', async () => {
    await router.chat({ model: 'claude2', messages: [fileMessage('anthropic2', 'file_abc')] });
    expect(lastRequest().headers['anthropic-beta']).toBe(`token-efficient-tools-2025-02-19,${FILES_BETA}`);
    await router.chat({ model: 'claude', messages: [{ role: 'user', content: 'No files here.' }] });
    expect(lastRequest().headers['anthropic-beta']).toBeUndefined();
  });

  it('OpenAI: a file part with file_id', async () => {
    await router.chat({ model: 'gpt', messages: [fileMessage('openai', 'file-6F2ksmvXxt4VdoqmHRw6kL')] });
    expect((lastRequest().body.messages as { content: unknown[] }[])[0]?.content).toEqual([
      { type: 'file', file: { file_id: 'file-6F2ksmvXxt4VdoqmHRw6kL' } },
      { type: 'text', text: 'Summarise the report.' },
    ]);
  });

  it('Gemini: fileData with the file URI and its media type', async () => {
    const uri = 'https://generativelanguage.googleapis.com/v1beta/files/abc-123';
    await router.chat({ model: 'gemini', messages: [fileMessage('gemini', uri)] });
    const contents = lastRequest().body.contents as { parts: unknown[] }[];
    expect(contents[0]?.parts[0]).toEqual({ fileData: { fileUri: uri, mimeType: 'application/pdf' } });
  });

  it('an id the provider does not know comes back as its 400', async () => {
    const error = await failure(router.chat({ model: 'claude', messages: [fileMessage('anthropic', 'nope-123')] }));
    expect(error.category).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.message).toContain('File not found: nope-123');
  });
});

describe('a call with a file goes only to targets on the provider that issued it', () => {
  it('a weighted route: every call goes to the issuing provider, chat and stream', async () => {
    // Without a file the draw uses both targets, so the calls below could land on Anthropic.
    const drawn = new Set<string>();
    for (let call = 0; call < 20; call += 1) drawn.add((await router.chat({ model: 'split', messages: [{ role: 'user', content: 'Hi' }] })).target.provider);
    expect([...drawn].sort()).toEqual(['anthropic', 'openai']);
    const before = simulator.requests.length;
    for (let call = 0; call < 20; call += 1) {
      const response = await router.chat({ model: 'split', messages: [fileMessage('openai', 'file-6F2ksmvXxt4VdoqmHRw6kL')] });
      expect(response.target).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
      expect(response.attempts).toHaveLength(1);
    }
    const streamed = await callRouter(router, 'stream', { model: 'split', messages: [fileMessage('anthropic', 'file_abc')] });
    expect(streamed.response.target.provider).toBe('anthropic');
    expect(simulator.requests.slice(before).map((request) => request.format)).toEqual([...Array<string>(20).fill('openai'), 'anthropic']);
  });

  it('a fallback route on the issuing provider answers when no target of the requested route can', async () => {
    const response = await router.chat({ model: 'claudeThenGpt', messages: [fileMessage('openai', 'file-abc')] });
    expect(response.route).toBe('gpt');
    expect(response.target).toEqual({ provider: 'openai', model: 'gpt-4o' });
    expect(response.attempts).toHaveLength(1);
    const gemini = await router.chat({ model: 'splitThenGemini', messages: [fileMessage('gemini', 'https://generativelanguage.googleapis.com/v1beta/files/abc-123')] });
    expect(gemini.target.provider).toBe('gemini');
    expect(simulator.requests.map((request) => request.format)).toEqual(['openai', 'gemini']);
  });

  it('a fallback that cannot read the file is passed over: the call ends with the issuing target\'s failure', async () => {
    simulator.enqueueFault('claude-haiku-4-5', { kind: 'status', status: 529 });
    const error = await failure(router.chat({ model: 'claudeThenGpt', messages: [fileMessage('anthropic', 'file_abc')] }));
    expect(error.category).toBe('overloaded');
    expect(error.message).toContain('anthropic/claude-haiku-4-5');
    expect(error.attempts).toHaveLength(1);
    expect(simulator.requests.map((request) => request.format)).toEqual(['anthropic']);
  });
});

describe('a file no target can read is refused before any request', () => {
  it('naming the part', async () => {
    const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }, fileMessage('openai', 'file-abc')] }));
    expect(error.category).toBe('invalid_request');
    expect(error.route).toBe('claude');
    expect(error.message).toBe('messages[1].content[0].file: file "file-abc" was issued by provider "openai" and cannot be read by any target of the route or its fallbacks (on "anthropic")');
    expect(simulator.requests).toHaveLength(0);
  });

  it('on a route with several targets and a fallback, none on the issuing provider', async () => {
    const error = await failure(router.chat({ model: 'splitThenGemini', messages: [fileMessage('anthropic2', 'file_abc')] }));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('messages[0].content[0].file: file "file_abc" was issued by provider "anthropic2"');
    expect(error.message).toContain('(on "openai", "anthropic", "gemini")');
    expect(simulator.requests).toHaveLength(0);
  });

  it('files of two providers: no one target can read them all', async () => {
    const messages: Message[] = [fileMessage('openai', 'file-abc'), { role: 'user', content: [{ type: 'image', file: { id: 'file_img', provider: 'anthropic' } }] }];
    const error = await failure(callRouter(router, 'stream', { model: 'split', messages }));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toBe('messages[1].content[0].file: file "file_img" was issued by provider "anthropic" but messages[0].content[0].file by "openai": no one provider can read them all');
    expect(simulator.requests).toHaveLength(0);
  });
});

describe('a file part a provider cannot take', () => {

  it('an image file on OpenAI Chat Completions is refused (it takes images only as image_url)', async () => {
    const error = await failure(router.chat({ model: 'gpt', messages: [{ role: 'user', content: [{ type: 'image', file: { id: 'file-img', provider: 'openai' } }] }] }));
    expect(error.category).toBe('invalid_request');
    expect(error.message).toContain('messages[0].content[0].file');
    expect(simulator.requests).toHaveLength(0);
  });

  it('a malformed reference is refused naming the field', async () => {
    const error = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', file: { id: 'file_1', provider: '' } }] }] }));
    expect(error.message).toContain('messages[0].content[0].file.provider');
    const both = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', data: GRASS, file: { id: 'file_1', provider: 'anthropic' } }] }] }));
    expect(both.message).toContain('exactly one of');
    const context = await failure(router.chat({ model: 'claude', messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'text/plain', data: GRASS, citations: 'yes' }] }] } as never));
    expect(context.message).toContain('messages[0].content[0].citations');
  });
});

const citedQuestion: Message = {
  role: 'user',
  content: [
    { type: 'document', mediaType: 'text/plain', data: GRASS, title: 'My Document', context: 'This is a trustworthy document.', citations: true },
    { type: 'text', text: 'What color is the grass?' },
  ],
};
// The simulator cites the first sentence of the document (char_location), as the guide's example does.
/** The simulator's cited answer: its first word plain, the rest citing the document. */
function pieces(text: string): [string, string] {
  const cut = text.indexOf(' ') + 1;
  return [text.slice(0, cut), text.slice(cut)];
}
const GRASS_CITATION = { type: 'char_location', citedText: 'The grass is green.', documentIndex: 0, documentTitle: 'My Document', start: 0, end: 19, provider: 'anthropic' };

describe('Anthropic citations', () => {
  it('the document goes with context and citations enabled; the answer cites it', async () => {
    const response = await router.chat({ model: 'claude', messages: [citedQuestion] });
    expect((lastRequest().body.messages as { content: unknown[] }[])[0]?.content[0]).toEqual({
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'The grass is green. The sky is blue.' },
      title: 'My Document',
      context: 'This is a trustworthy document.',
      citations: { enabled: true },
    });
    const [head, tail] = pieces(response.text);
    expect(head).not.toBe('');
    expect(response.textParts).toEqual([
      { type: 'text', text: head },
      { type: 'text', text: tail, citations: [GRASS_CITATION] },
    ]);
    expect(response.message.content).toEqual(response.textParts);
  });

  it('a cited PDF (here an uploaded one) is cited by page', async () => {
    const response = await router.chat({
      model: 'claude',
      messages: [{ role: 'user', content: [{ type: 'document', mediaType: 'application/pdf', file: { id: 'file_pdf', provider: 'anthropic' }, title: 'PDF Document', citations: true }, { type: 'text', text: 'Is water essential?' }] }],
    });
    expect(response.textParts?.[1]?.citations).toEqual([{ type: 'page_location', citedText: 'The cited passage.', documentIndex: 0, documentTitle: 'PDF Document', start: 1, end: 2, provider: 'anthropic' }]);
  });

  it('a stream shows a citations event and finishes with the same text parts as chat', async () => {
    const chat = await router.chat({ model: 'claude', messages: [citedQuestion] });
    const events: StreamEvent[] = [];
    for await (const event of router.stream({ model: 'claude', messages: [citedQuestion] })) events.push(event);
    const cited = events.filter((event) => event.type === 'citations');
    expect(cited).toEqual([{ type: 'citations', text: pieces(chat.text)[1], citations: [GRASS_CITATION] }]);
    const finish = events.at(-1) as { type: 'finish'; response: ChatResponse };
    expect(finish.response.textParts).toEqual(chat.textParts);
    expect(finish.response.message).toEqual(chat.message);
  });

  it('the answer goes back with its citations in the next turn', async () => {
    const first = await router.chat({ model: 'claude', messages: [citedQuestion] });
    await router.chat({ model: 'claude', messages: [citedQuestion, first.message, { role: 'user', content: 'And the sky?' }] });
    const messages = lastRequest().body.messages as { role: string; content: unknown[] }[];
    const [head, tail] = pieces(first.text);
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: head },
        {
          type: 'text',
          text: tail,
          citations: [{ type: 'char_location', cited_text: 'The grass is green.', document_index: 0, document_title: 'My Document', start_char_index: 0, end_char_index: 19 }],
        },
      ],
    });
  });

  it('other providers take the text of a cited answer and ignore context and citations', async () => {
    const first = await router.chat({ model: 'claude', messages: [citedQuestion] });
    await router.chat({ model: 'gemini', messages: [citedQuestion, first.message, { role: 'user', content: 'And the sky?' }] });
    const contents = lastRequest().body.contents as { role: string; parts: unknown[] }[];
    expect(contents[0]?.parts[0]).toEqual({ inlineData: { mimeType: 'text/plain', data: GRASS } });
    expect(contents[1]?.parts).toEqual(pieces(first.text).map((text) => ({ text })));
  });
});

describe('the response cache', () => {
  it('keeps citations: a hit answers with the same text parts, and a replayed stream shows them', async () => {
    const fresh = await router.chat({ model: 'claude-cached', messages: [citedQuestion] });
    const hit = await router.chat({ model: 'claude-cached', messages: [citedQuestion] });
    expect(hit.cached).toBe(true);
    expect(hit.textParts).toEqual(fresh.textParts);
    expect(hit.message).toEqual(fresh.message);
    const events: StreamEvent[] = [];
    for await (const event of router.stream({ model: 'claude-cached', messages: [citedQuestion] })) events.push(event);
    expect(events.filter((event) => event.type === 'citations')).toEqual([{ type: 'citations', text: pieces(fresh.text)[1], citations: [GRASS_CITATION] }]);
    expect(simulator.requests).toHaveLength(1);
  });

  it('never answers one document with another: file ids, context and the citations switch are in the key', async () => {
    const document = (context: string, citations: boolean | undefined): Message => ({
      role: 'user',
      content: [{ type: 'document', mediaType: 'text/plain', data: GRASS, context, ...(citations === undefined ? {} : { citations }) }, { type: 'text', text: 'Which colour?' }],
    });
    const variants: Message[] = [fileMessage('anthropic', 'file_one'), fileMessage('anthropic', 'file_two'), document('One.', true), document('Two.', true), document('One.', undefined)];
    for (const message of variants) await router.chat({ model: 'claude-cached', messages: [message] });
    expect(simulator.requests).toHaveLength(variants.length);
    // The same again is answered from the cache.
    await router.chat({ model: 'claude-cached', messages: [document('Two.', true)] });
    expect(simulator.requests).toHaveLength(variants.length);
  });
});

describe('the simulator checks file sources as the API does', () => {
  async function post(headers: Record<string, string>): Promise<{ status: number; message: string }> {
    const response = await fetch(`${simulator.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': simulator.apiKey, 'anthropic-version': '2023-06-01', ...headers },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: 'file_abc' } }] }] }),
    });
    const parsed = (await response.json()) as { error?: { message?: string } };
    return { status: response.status, message: parsed.error?.message ?? '' };
  }

  it('a file source without the beta flag is a 400; with it, an answer', async () => {
    expect(await post({})).toEqual({ status: 400, message: `messages.0.content.0.source.file: file sources require the anthropic-beta header "${FILES_BETA}"` });
    expect((await post({ 'anthropic-beta': FILES_BETA })).status).toBe(200);
  });
});
