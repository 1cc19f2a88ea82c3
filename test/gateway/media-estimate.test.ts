/**
 * The media estimate behind quota reservations: image sizes read from file headers, PDF pages
 * counted, and each provider's rule of thumb (docs/gateway.md, "Quotas").
 */
import { describe, expect, it } from 'vitest';
import { estimateMediaTokens, imageDimensions, pdfPageCount } from '../../src/gateway/media-estimate.js';
import type { ImagePart } from '../../src/types.js';

/** The first bytes of a PNG: signature and IHDR with the size. */
function pngHeader(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

/** A JPEG start: SOI, an APP0 segment, then SOF0 with the size (height first). */
function jpegHeader(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(17, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]);
}

function gifHeader(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(13);
  bytes.write('GIF89a', 0, 'latin1');
  bytes.writeUInt16LE(width, 6);
  bytes.writeUInt16LE(height, 8);
  return bytes;
}

/** An extended WebP (VP8X): canvas width and height minus one, 24 bits each. */
function webpHeader(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(30);
  bytes.write('RIFF', 0, 'latin1');
  bytes.write('WEBP', 8, 'latin1');
  bytes.write('VP8X', 12, 'latin1');
  bytes.writeUIntLE(width - 1, 24, 3);
  bytes.writeUIntLE(height - 1, 27, 3);
  return bytes;
}

const image = (bytes: Buffer, detail?: ImagePart['detail']): ImagePart => ({ type: 'image', mediaType: 'image/png', data: bytes.toString('base64'), ...(detail === undefined ? {} : { detail }) });
const claude = [{ providerType: 'anthropic', model: 'claude-sonnet-4-5' }];
const gpt = [{ providerType: 'openai', model: 'gpt-4o' }];
const gemini = [{ providerType: 'gemini', model: 'gemini-2.5-pro' }];

describe('imageDimensions', () => {
  it.each([
    ['PNG', pngHeader(640, 480)],
    ['JPEG', jpegHeader(640, 480)],
    ['GIF', gifHeader(640, 480)],
    ['WebP', webpHeader(640, 480)],
  ])('reads a %s header', (_format, bytes) => {
    expect(imageDimensions(bytes)).toEqual({ width: 640, height: 480 });
  });

  it('says nothing for bytes that are no image it knows, or a truncated JPEG', () => {
    expect(imageDimensions(Buffer.from('not an image at all, just text'))).toBeUndefined();
    expect(imageDimensions(jpegHeader(640, 480).subarray(0, 12))).toBeUndefined();
  });
});

describe('pdfPageCount', () => {
  it('counts page objects, not the page tree', () => {
    const text = '%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 2 0 R>>\n2 0 obj <</Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3>>\n3 0 obj <</Type /Page>>\n4 0 obj <</Type/Page >>\n5 0 obj <</Type\n/Page/Parent 2 0 R>>\n';
    expect(pdfPageCount(Buffer.from(text).toString('base64'))).toBe(3);
  });

  it('takes the page tree\'s /Count when the pages themselves sit in compressed object streams', () => {
    const text = '%PDF-1.7\n2 0 obj <</Type /Pages /Kids [3 0 R] /Count 12>>\n3 0 obj <</Type /Page>>\n7 0 obj <</Type /ObjStm /N 11>> stream ... endstream\n';
    expect(pdfPageCount(Buffer.from(text).toString('base64'))).toBe(12);
  });

  it('says nothing when it finds no page or has no data', () => {
    expect(pdfPageCount(Buffer.from('%PDF-1.4\n').toString('base64'))).toBeUndefined();
    expect(pdfPageCount(undefined)).toBeUndefined();
  });
});

describe('estimateMediaTokens', () => {
  it('prices an image by its area on Claude, scaled to 1,568 px and capped', () => {
    expect(estimateMediaTokens([image(pngHeader(200, 200))], claude)).toBe(54);
    expect(estimateMediaTokens([image(pngHeader(1000, 1000))], claude)).toBe(1_334);
    expect(estimateMediaTokens([image(pngHeader(8000, 6000))], claude)).toBe(1_600);
    // Opus 4.7 sees larger images.
    expect(estimateMediaTokens([image(pngHeader(2576, 1932))], [{ providerType: 'anthropic', model: 'claude-opus-4-7' }])).toBe(4_784);
  });

  it('prices an image by 512-px tiles on OpenAI, 85 tokens with detail low', () => {
    // 2048×4096 → fitted to 1024×2048 → short side 768: 768×1536 → 2×3 tiles.
    expect(estimateMediaTokens([image(pngHeader(2048, 4096))], gpt)).toBe(85 + 170 * 6);
    expect(estimateMediaTokens([image(pngHeader(2048, 4096), 'low')], gpt)).toBe(85);
    expect(estimateMediaTokens([image(pngHeader(100, 100))], [{ providerType: 'openai', model: 'gpt-4o-mini' }])).toBe(2_833 + 5_667);
  });

  it('prices an image by 768-px tiles on Gemini, with Gemini 3’s default as a floor', () => {
    expect(estimateMediaTokens([image(pngHeader(300, 300))], gemini)).toBe(1_120);
    expect(estimateMediaTokens([image(pngHeader(3000, 3000))], gemini)).toBe(16 * 258);
  });

  it('counts an image of unknown size as the largest its provider takes', () => {
    const remote: ImagePart = { type: 'image', url: 'https://example.com/cat.png' };
    expect(estimateMediaTokens([remote], claude)).toBe(1_600);
    expect(estimateMediaTokens([remote], gpt)).toBe(85 + 170 * 8);
    // A data: URL is read like data.
    expect(estimateMediaTokens([{ type: 'image', url: `data:image/png;base64,${pngHeader(200, 200).toString('base64')}` }], claude)).toBe(54);
  });

  it('prices PDF pages per provider, 100 pages when they cannot be counted, and plain text by its characters', () => {
    const twoPages = Buffer.from('<</Type /Page>> <</Type /Page>>').toString('base64');
    expect(estimateMediaTokens([{ type: 'document', mediaType: 'application/pdf', data: twoPages }], claude)).toBe(2 * (3_000 + 1_600));
    expect(estimateMediaTokens([{ type: 'document', mediaType: 'application/pdf', data: twoPages }], gemini)).toBe(2 * 560);
    expect(estimateMediaTokens([{ type: 'document', mediaType: 'application/pdf', url: 'https://example.com/a.pdf' }], claude)).toBe(100 * 4_600);
    expect(estimateMediaTokens([{ type: 'document', mediaType: 'text/plain', data: Buffer.from('x'.repeat(399)).toString('base64') }], claude)).toBe(100);
    // Text whose characters are not in the request is not a PDF: a full 200k context.
    expect(estimateMediaTokens([{ type: 'document', mediaType: 'text/plain', url: 'https://example.com/a.txt' }], claude)).toBe(200_000);
  });

  it('takes the dearest of the targets a call may reach, every rule for a type it does not know', () => {
    const parts = [image(pngHeader(2048, 4096))];
    expect(estimateMediaTokens(parts, [...claude, ...gpt])).toBe(Math.max(1_600, 85 + 170 * 6));
    expect(estimateMediaTokens(parts, [{ providerType: 'my-custom', model: 'm' }])).toBe(Math.max(1_600, 85 + 170 * 6, 1_120, 3 * 6 * 258));
  });
});
