import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import type { AdapterCall, AdapterStreamPart, ProviderSettings } from '../../src/provider-spec.js';
import { StreamAccumulator } from '../../src/router/response-assembly.js';
import { buildConverseBody } from './converse-request.js';
import { parseConverseResponse } from './converse-response.js';
import { streamConverseBody } from './converse-stream.js';
import { loadEventStreamDecoder } from './event-stream.js';

// Golden payloads shaped per the Converse API reference: the answer's `citationsContent` block
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CitationsContentBlock.html:
// `content` [CitationGeneratedContent {text}], `citations` [Citation {title, source, sourceContent
// [{text}], location}]), CitationLocation (`API_runtime_CitationLocation.html`: documentChar |
// documentPage | documentChunk {documentIndex, start, end}, searchResultLocation, web {url, domain}),
// the stream's ContentBlockDelta `citation` (`API_runtime_CitationsDelta.html`), and the request's
// DocumentBlock `citations` {enabled} (`API_runtime_DocumentBlock.html`).
const GRASS_CITATION = { title: 'My Document', sourceContent: [{ text: 'The grass is green.' }], location: { documentChar: { documentIndex: 0, start: 0, end: 19 } } };
const PAGE_CITATION = { title: 'Report', sourceContent: [{ text: 'Water is essential.' }], location: { documentPage: { documentIndex: 1, start: 2, end: 3 } } };
const ANSWER = {
  output: {
    message: {
      role: 'assistant',
      content: [
        { text: 'According to the document, ' },
        { citationsContent: { content: [{ text: 'the grass is green' }], citations: [GRASS_CITATION, PAGE_CITATION] } },
        { text: '.' },
      ],
    },
  },
  stopReason: 'end_turn',
  usage: { inputTokens: 610, outputTokens: 52, totalTokens: 662 },
  metrics: { latencyMs: 1310 },
};

const GRASS = { type: 'documentChar', citedText: 'The grass is green.', documentTitle: 'My Document', documentIndex: 0, start: 0, end: 19, provider: 'bedrock' };
const PAGE = { type: 'documentPage', citedText: 'Water is essential.', documentTitle: 'Report', documentIndex: 1, start: 2, end: 3, provider: 'bedrock' };
const TEXT_PARTS = [
  { type: 'text', text: 'According to the document, ' },
  { type: 'text', text: 'the grass is green', citations: [GRASS, PAGE] },
  { type: 'text', text: '.' },
];

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function event(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':event-type': { type: 'string', value: type }, ':content-type': { type: 'string', value: 'application/json' }, ':message-type': { type: 'string', value: 'event' } },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

async function* chunked(frames: readonly Uint8Array[], size: number): AsyncGenerator<Uint8Array> {
  const all = Buffer.concat(frames);
  for (let offset = 0; offset < all.length; offset += size) yield all.subarray(offset, offset + size);
}

const STREAM = [
  event('messageStart', { role: 'assistant' }),
  event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'According to the document, ' } }),
  event('contentBlockStop', { contentBlockIndex: 0 }),
  event('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'the grass ' } }),
  event('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'is green' } }),
  event('contentBlockDelta', { contentBlockIndex: 1, delta: { citation: GRASS_CITATION } }),
  event('contentBlockDelta', { contentBlockIndex: 1, delta: { citation: PAGE_CITATION } }),
  event('contentBlockStop', { contentBlockIndex: 1 }),
  event('contentBlockDelta', { contentBlockIndex: 2, delta: { text: '.' } }),
  event('contentBlockStop', { contentBlockIndex: 2 }),
  event('messageStop', { stopReason: 'end_turn' }),
  event('metadata', { usage: { inputTokens: 610, outputTokens: 52, totalTokens: 662 }, metrics: { latencyMs: 1310 } }),
];

const SETTINGS: ProviderSettings = { id: 'aws', type: 'bedrock', api: 'converse', baseUrl: 'http://127.0.0.1', region: 'us-east-1', headers: {}, defaultMaxTokens: 1000 };

describe('Converse citations', () => {
  it('reads a citationsContent block as a cited text part between the plain ones', () => {
    const result = parseConverseResponse(ANSWER, 'aws');
    expect(result.text).toBe('According to the document, the grass is green.');
    expect(result.textParts).toEqual(TEXT_PARTS);
  });

  it('maps search result and web locations', () => {
    const search = { title: 'Result', source: 'https://example.com/kb/1', sourceContent: [{ text: 'Cited.' }], location: { searchResultLocation: { searchResultIndex: 2, start: 0, end: 1 } } };
    const web = { title: 'Page', location: { web: { url: 'https://example.com/page', domain: 'example.com' } } };
    const answer = { ...ANSWER, output: { message: { role: 'assistant', content: [{ citationsContent: { content: [{ text: 'Cited.' }], citations: [search, web] } }] } } };
    expect(parseConverseResponse(answer, 'aws').textParts?.[0]?.citations).toEqual([
      { type: 'searchResultLocation', citedText: 'Cited.', title: 'Result', source: 'https://example.com/kb/1', searchResultIndex: 2, start: 0, end: 1, provider: 'bedrock' },
      { type: 'web', citedText: '', title: 'Page', source: 'https://example.com/page', provider: 'bedrock' },
    ]);
  });

  it('leaves textParts out of an answer without citations', () => {
    const plain = { ...ANSWER, output: { message: { role: 'assistant', content: [{ text: 'Hello.' }] } } };
    expect(parseConverseResponse(plain, 'aws').textParts).toBeUndefined();
  });

  it.each([3, 64, 4096])('streams a block\'s citation deltas as one citations part at its stop (pieces of %i bytes)', async (size) => {
    const parts: AdapterStreamPart[] = [];
    for await (const part of streamConverseBody(chunked(STREAM, size), await loadEventStreamDecoder(), { provider: 'aws', model: 'anthropic.claude-sonnet-4-20250514-v1:0', id: 'req-1' })) parts.push(part);
    expect(parts.filter((part) => part.type === 'citations')).toEqual([{ type: 'citations', text: 'the grass is green', citations: [GRASS, PAGE] }]);
    const accumulator = new StreamAccumulator();
    for (const part of parts) accumulator.add(part);
    expect(accumulator.result('fallback').textParts).toEqual(TEXT_PARTS);
  });

  it('asks for citations on a document and sends a cited answer back as citationsContent; other providers\' citations go as text', () => {
    const answer = parseConverseResponse(ANSWER, 'aws');
    const foreign = { type: 'char_location', citedText: 'x', documentIndex: 0, start: 0, end: 1, provider: 'anthropic' };
    const call: AdapterCall = {
      request: {
        model: 'route',
        messages: [
          { role: 'user', content: [{ type: 'document', mediaType: 'text/plain', data: 'VGhlIGdyYXNzIGlzIGdyZWVuLg==', title: 'My Document', citations: true }, { type: 'text', text: 'What colour is the grass?' }] },
          { role: 'assistant', content: [...(answer.textParts ?? []), { type: 'text', text: ' Also blue.', citations: [foreign] }] },
          { role: 'user', content: 'Thanks.' },
        ],
      },
      model: 'anthropic.claude-sonnet-4-20250514-v1:0',
      signal: new AbortController().signal,
      firstByteTimeoutMs: 0,
      idleTimeoutMs: 0,
    };
    const body = buildConverseBody(call, SETTINGS);
    expect(body.messages[0]?.content[0]).toEqual({ document: { format: 'txt', name: 'My Document', source: { bytes: 'VGhlIGdyYXNzIGlzIGdyZWVuLg==' }, citations: { enabled: true } } });
    expect(body.messages[1]?.content).toEqual([
      { text: 'According to the document, ' },
      { citationsContent: { content: [{ text: 'the grass is green' }], citations: [GRASS_CITATION, PAGE_CITATION] } },
      { text: '.' },
      { text: ' Also blue.' },
    ]);
  });
});
