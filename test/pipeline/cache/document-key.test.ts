/**
 * The response-cache key and the parts that change what the model sees: an image's `detail`, a
 * document (its data and title), and a tool result's `isError`.
 */
import { describe, expect, it } from 'vitest';
import type { CachePolicy } from '../../../src/config/types.js';
import { cacheKey } from '../../../src/pipeline/cache/cache-key.js';
import type { ChatRequest, ContentPart, Message } from '../../../src/types.js';

const policy: CachePolicy = { ttlMs: 60_000, keyPrefix: 'k:', maxEntries: 10, cacheSampled: true, perUser: false };

function keyOf(messages: readonly Message[]): string {
  const request: ChatRequest = { model: 'chat', messages };
  return cacheKey({ route: 'chat', request }, policy);
}

const user = (part: ContentPart): Message => ({ role: 'user', content: [part] });
const pdf = { type: 'document', mediaType: 'application/pdf', data: 'JVBERi0=' } as const;
const call: Message = { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: {} }] };

describe('cache key and documents', () => {
  it('changes with an image detail', () => {
    const image = { type: 'image', url: 'https://example.com/a.png' } as const;
    expect(keyOf([user({ ...image, detail: 'low' })])).not.toBe(keyOf([user(image)]));
    expect(keyOf([user({ ...image, detail: 'low' })])).not.toBe(keyOf([user({ ...image, detail: 'high' })]));
  });

  it('changes with a document, its data and its title', () => {
    expect(keyOf([user(pdf)])).not.toBe(keyOf([user({ ...pdf, data: 'JVBERi1=' })]));
    expect(keyOf([user(pdf)])).not.toBe(keyOf([user({ ...pdf, title: 'a.pdf' })]));
    expect(keyOf([user(pdf)])).toBe(keyOf([user({ ...pdf })]));
  });

  it('changes when a tool result is an error', () => {
    const result: Message = { role: 'tool', toolCallId: 'c1', content: 'no' };
    expect(keyOf([call, { ...result, isError: true }])).not.toBe(keyOf([call, result]));
    expect(keyOf([call, { ...result, isError: false }])).toBe(keyOf([call, result]));
  });
});
