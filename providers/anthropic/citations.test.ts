/**
 * Anthropic citations, from the citations guide's own examples
 * (https://platform.claude.com/docs/en/build-with-claude/citations, "Response structure" and
 * "Streaming support"): a complete message's cited text blocks, the same as a stream of
 * `citations_delta`s, and the citations sent back in history.
 */
import { describe, expect, it } from 'vitest';
import type { AdapterStreamPart } from '../../src/provider-spec.js';
import { SwitchyardError } from '../../src/errors.js';
import type { Citation, DocumentPart, Message } from '../../src/types.js';
import { anthropicCitationParam, parseAnthropicCitation } from './citations.js';
import { buildAnthropicRequest } from './request.js';
import { parseAnthropicMessage } from './response.js';
import { streamAnthropicBody } from './stream.js';

// The guide's "Response structure" example, its text blocks in order.
const GRASS = { type: 'char_location', cited_text: 'The grass is green.', document_index: 0, document_title: 'Example Document', start_char_index: 0, end_char_index: 20 };
const WATER = { type: 'page_location', cited_text: 'Water is essential for life.', document_index: 1, document_title: 'PDF Document', start_page_number: 5, end_page_number: 6 };
const FINDINGS = { type: 'content_block_location', cited_text: 'These are important findings.', document_index: 2, document_title: 'Custom Content Document', start_block_index: 0, end_block_index: 1 };
const GUIDE_CONTENT = [
  { type: 'text', text: 'According to the document, ' },
  { type: 'text', text: 'the grass is green', citations: [GRASS] },
  { type: 'text', text: '. Information from page 5 states that ' },
  { type: 'text', text: 'water is essential', citations: [WATER] },
  { type: 'text', text: '. The custom document mentions ' },
  { type: 'text', text: 'important findings', citations: [FINDINGS] },
];

const grass: Citation = { type: 'char_location', citedText: 'The grass is green.', documentIndex: 0, documentTitle: 'Example Document', start: 0, end: 20, provider: 'anthropic' };
const water: Citation = { type: 'page_location', citedText: 'Water is essential for life.', documentIndex: 1, documentTitle: 'PDF Document', start: 5, end: 6, provider: 'anthropic' };
const findings: Citation = { type: 'content_block_location', citedText: 'These are important findings.', documentIndex: 2, documentTitle: 'Custom Content Document', start: 0, end: 1, provider: 'anthropic' };

const EXPECTED_PARTS = [
  { type: 'text', text: 'According to the document, ' },
  { type: 'text', text: 'the grass is green', citations: [grass] },
  { type: 'text', text: '. Information from page 5 states that ' },
  { type: 'text', text: 'water is essential', citations: [water] },
  { type: 'text', text: '. The custom document mentions ' },
  { type: 'text', text: 'important findings', citations: [findings] },
];

describe('Anthropic citations', () => {
  it('a complete message keeps its cited blocks as text parts', () => {
    const result = parseAnthropicMessage({ id: 'msg_1', model: 'claude-sonnet-4-5', content: GUIDE_CONTENT, stop_reason: 'end_turn', usage: { input_tokens: 5, output_tokens: 9 } }, 'anthropic');
    expect(result.text).toBe(GUIDE_CONTENT.map((block) => block.text).join(''));
    expect(result.textParts).toEqual(EXPECTED_PARTS);
  });

  it('a message without citations has no text parts', () => {
    const result = parseAnthropicMessage({ id: 'msg_1', content: [{ type: 'text', text: 'Hi', citations: null }], stop_reason: 'end_turn' }, 'anthropic');
    expect(result.textParts).toBeUndefined();
  });

  it('search result and web search citations keep their source, title and opaque index', () => {
    // Field names as the SDK's CitationsSearchResultLocation / CitationsWebSearchResultLocation
    // (https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/resources/messages/messages.ts).
    const search = { type: 'search_result_location', cited_text: 'Rates rose.', search_result_index: 1, source: 'https://kb.example/rates', title: 'Rates', start_block_index: 0, end_block_index: 1 };
    const web = { type: 'web_search_result_location', cited_text: 'Paris is the capital.', url: 'https://en.wikipedia.org/wiki/Paris', title: 'Paris', encrypted_index: 'EqoBCioIAhgB' };
    expect(parseAnthropicCitation(search)).toEqual({ type: 'search_result_location', citedText: 'Rates rose.', searchResultIndex: 1, source: 'https://kb.example/rates', title: 'Rates', start: 0, end: 1, provider: 'anthropic' });
    expect(parseAnthropicCitation(web)).toEqual({ type: 'web_search_result_location', citedText: 'Paris is the capital.', source: 'https://en.wikipedia.org/wiki/Paris', title: 'Paris', encryptedIndex: 'EqoBCioIAhgB', provider: 'anthropic' });
    // Each goes back as the request's param shape.
    for (const raw of [GRASS, WATER, FINDINGS, search, web]) expect(anthropicCitationParam(parseAnthropicCitation(raw) as Citation)).toEqual(raw);
  });

  it('a stream gives a citations part at the end of each cited block, in the guide order', async () => {
    const events: unknown[] = [
      { type: 'message_start', message: { id: 'msg_1', model: 'claude-sonnet-4-5', usage: { input_tokens: 5, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'According to the document, ' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '', citations: [] } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'the grass ' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'is green' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'citations_delta', citation: GRASS } },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } },
      { type: 'message_stop' },
    ];
    const body = events.map((event) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
    async function* bytes(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode(body);
    }
    const parts: AdapterStreamPart[] = [];
    for await (const part of streamAnthropicBody(bytes(), { provider: 'anthropic', model: 'claude-sonnet-4-5' })) parts.push(part);
    expect(parts.filter((part) => part.type === 'citations')).toEqual([{ type: 'citations', text: 'the grass is green', citations: [grass] }]);
    // It follows the block's last text delta.
    expect(parts.findIndex((part) => part.type === 'citations')).toBe(parts.findIndex((part) => part.type === 'text-delta' && part.text === 'is green') + 1);
  });

  it('citations go back on assistant text blocks; another provider type\'s are dropped', () => {
    const body = buildAnthropicRequest({
      request: {
        model: 'claude',
        messages: [
          { role: 'user', content: 'What colour is the grass?' },
          { role: 'assistant', content: [{ type: 'text', text: 'According to the document, ' }, { type: 'text', text: 'the grass is green', citations: [grass, { ...grass, provider: 'other' }] }] },
          { role: 'user', content: 'And the sky?' },
        ],
      },
      model: 'claude-sonnet-4-5',
      settings: { id: 'anthropic', type: 'anthropic', baseUrl: 'http://localhost', headers: {}, defaultMaxTokens: 64 },
    });
    expect(body.messages[1]?.content).toEqual([
      { type: 'text', text: 'According to the document, ' },
      { type: 'text', text: 'the grass is green', citations: [GRASS] },
    ]);
  });

  // The guide, "How citations work": "citations must be enabled on all or none of the documents within a request".
  describe('citations on all documents of a request or none', () => {
    const GUIDE_TEXT = Buffer.from('The grass is green. The sky is blue.').toString('base64');
    const settings = { id: 'anthropic', type: 'anthropic', baseUrl: 'http://localhost', headers: {}, defaultMaxTokens: 64 } as const;
    const doc = (citations?: boolean): DocumentPart => ({ type: 'document', mediaType: 'text/plain', data: GUIDE_TEXT, title: 'My Document', ...(citations === undefined ? {} : { citations }) });
    const build = (messages: Message[]): unknown => buildAnthropicRequest({ request: { model: 'claude', messages }, model: 'claude-sonnet-4-5', settings });
    const refusal = (messages: Message[]): unknown => {
      try {
        build(messages);
      } catch (caught) {
        return caught;
      }
      return undefined;
    };

    it('refuses a request citing some documents but not others, naming the first that differs', () => {
      const error = refusal([
        { role: 'user', content: [doc(true), { type: 'text', text: 'What colour is the grass?' }] },
        { role: 'assistant', content: 'Green.' },
        { role: 'user', content: [doc(), { type: 'text', text: 'And the sky?' }] },
      ]);
      expect(SwitchyardError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ category: 'invalid_request', field: 'messages[2].content[0].citations' });
      expect((error as Error).message).toMatch(/all documents .* or none/);
    });

    it('counts documents inside tool results too', () => {
      const error = refusal([
        { role: 'user', content: [doc(false), { type: 'text', text: 'Look it up.' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: {} }] },
        { role: 'tool', toolCallId: 'toolu_1', content: [doc(true)] },
      ]);
      expect(error).toMatchObject({ category: 'invalid_request', field: 'messages[2].content[0].citations' });
    });

    it('takes citations on every document, or on none (false and absent are both off)', () => {
      expect(refusal([{ role: 'user', content: [doc(true), doc(true), { type: 'text', text: 'Compare.' }] }])).toBeUndefined();
      expect(refusal([{ role: 'user', content: [doc(false), doc(), { type: 'text', text: 'Compare.' }] }])).toBeUndefined();
    });
  });
});
