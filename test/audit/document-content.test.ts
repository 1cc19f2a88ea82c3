/**
 * Documents in audit records: media type, title (redacted like text) and the URL or the SHA-256 of
 * the data, never the bytes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordContent } from '../../src/audit/content.js';
import type { AuditConfig } from '../../src/config/types.js';
import type { ChatRequest } from '../../src/types.js';

const audit: AuditConfig = { sink: { type: 'callback' }, content: 'redacted', redact: ['email', 'secret'], include: { ip: false } };

describe('audit content: documents', () => {
  it('records a document by its hash, media type and redacted title', () => {
    const data = Buffer.from('%PDF-1.4 secret contents').toString('base64');
    const request: ChatRequest = {
      model: 'chat',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', mediaType: 'application/pdf', data, title: 'for ada@example.com' },
            { type: 'document', mediaType: 'application/pdf', url: 'https://example.com/a.pdf' },
          ],
        },
      ],
    };
    const content = recordContent(audit, request, undefined);
    expect(content?.messages[0]?.content).toEqual([
      { mediaType: 'application/pdf', sha256: createHash('sha256').update(data).digest('hex'), title: 'for [email]', type: 'document' },
      { mediaType: 'application/pdf', type: 'document', url: 'https://example.com/a.pdf' },
    ]);
    expect(JSON.stringify(content)).not.toContain(data);
  });

  it('records an uploaded file by its reference and a document context redacted like text', () => {
    const request: ChatRequest = {
      model: 'chat',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', mediaType: 'application/pdf', file: { id: 'file_011CNha8', provider: 'anthropic' }, context: 'sent by ada@example.com', citations: true },
            { type: 'image', file: { id: 'file-img', provider: 'openai' } },
          ],
        },
      ],
    };
    expect(recordContent(audit, request, undefined)?.messages[0]?.content).toEqual([
      { context: 'sent by [email]', file: { id: 'file_011CNha8', provider: 'anthropic' }, mediaType: 'application/pdf', type: 'document' },
      { file: { id: 'file-img', provider: 'openai' }, type: 'image' },
    ]);
  });
});
