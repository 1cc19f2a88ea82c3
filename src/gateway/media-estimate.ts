/**
 * How many input tokens an image or a document may cost, before the provider says: the quota
 * reservation must hold them (settlement then charges the real count). The rules of thumb are the
 * providers' own, rounded up where they give a range, and documented in docs/gateway.md ("Quotas"):
 *
 * - Anthropic (and Claude on Bedrock, Vertex AI): an image costs `width × height / 750` tokens after
 *   it is scaled to at most 1,568 px on its long edge, and at most 1,600 (Opus 4.7: 2,576 px and
 *   4,784). A PDF page costs 1,500–3,000 text tokens plus the page as an image: 3,000 + 1,600 here.
 *   https://platform.claude.com/docs/en/build-with-claude/vision,
 *   https://platform.claude.com/docs/en/build-with-claude/pdf-support
 * - OpenAI and Azure OpenAI (`detail: high`/`auto`): the image fitted in 2,048 × 2,048, its short
 *   side scaled to 768, then 85 tokens plus 170 per 512-px tile (at most 8 tiles: 1,445); `detail:
 *   low` is 85. `gpt-4o-mini` counts 2,833 plus 5,667 per tile for the same price. A PDF page is its
 *   text plus its image: 3,000 + 1,445. https://platform.openai.com/docs/guides/images-vision
 * - Gemini: 258 tokens for an image with both sides ≤ 384 px, else 258 per 768-px tile, and at
 *   least 1,120 (Gemini 3's default media resolution for images); 560 per PDF page (Gemini 3's
 *   default for PDFs; Gemini 2 counts 258). https://ai.google.dev/gemini-api/docs/tokens,
 *   https://ai.google.dev/gemini-api/docs/media-resolution
 * - Another type (custom, OpenAI-compatible servers): the largest of the three.
 *
 * An image's size is read from the first bytes of its base64 data (PNG, JPEG, GIF, WebP headers);
 * a URL image or one whose header cannot be read counts as the largest image the family allows.
 * A PDF's pages are counted in its data (`/Type /Page` objects); a PDF by URL, or one whose pages
 * cannot be counted, counts as 100 pages (Anthropic's per-request limit below a 1M context).
 * A `text/plain` document is its characters / 4.
 */
import type { ContentPart, DocumentPart, ImagePart } from '../types.js';

/** How a provider counts media. */
type MediaFamily = 'anthropic' | 'openai' | 'gemini';

/** What a call may reach: the provider type and model of one target. */
export interface MediaTarget {
  readonly providerType: string;
  readonly model: string;
}

interface Dimensions {
  readonly width: number;
  readonly height: number;
}

const CHARACTERS_PER_TOKEN = 4;
/** Pages a PDF counts as when they cannot be counted. */
const UNKNOWN_PDF_PAGES = 100;
/** Tokens a text document counts as when its text is not in the request (a URL, a file id): a 200k context filled. */
const UNKNOWN_TEXT_TOKENS = 200_000;
/** Text tokens of a PDF page, the top of Anthropic's documented 1,500–3,000. */
const PDF_PAGE_TEXT_TOKENS = 3_000;
const GEMINI_PDF_PAGE_TOKENS = 560;
/** Base64 characters decoded to find an image's size: 64 KiB of bytes covers JPEG EXIF blocks of usual size. */
const HEADER_BASE64_CHARACTERS = 87_384;

function familiesOf(target: MediaTarget): readonly MediaFamily[] {
  switch (target.providerType) {
    case 'anthropic':
    case 'bedrock':
      return ['anthropic'];
    case 'vertex':
      return [target.model.includes('claude') ? 'anthropic' : 'gemini'];
    case 'gemini':
      return ['gemini'];
    case 'openai':
    case 'azure-openai':
      return ['openai'];
    default:
      return ['anthropic', 'openai', 'gemini'];
  }
}

// ---- images ---------------------------------------------------------------------------------

function anthropicImageTokens(size: Dimensions | undefined, model: string): number {
  const large = /opus-4-7/.test(model);
  const maxEdge = large ? 2_576 : 1_568;
  const cap = large ? 4_784 : 1_600;
  if (size === undefined) return cap;
  const scale = Math.min(1, maxEdge / Math.max(size.width, size.height));
  return Math.min(cap, Math.ceil((size.width * scale * (size.height * scale)) / 750));
}

function openAIImageTokens(size: Dimensions | undefined, detail: ImagePart['detail'], model: string): number {
  const [base, perTile] = model.includes('4o-mini') ? [2_833, 5_667] : [85, 170];
  if (detail === 'low') return base;
  let tiles = 8;
  if (size !== undefined) {
    let { width, height } = size;
    const fit = Math.min(1, 2_048 / Math.max(width, height));
    width *= fit;
    height *= fit;
    const shorten = Math.min(1, 768 / Math.min(width, height));
    width *= shorten;
    height *= shorten;
    tiles = Math.ceil(width / 512) * Math.ceil(height / 512);
  }
  return base + perTile * tiles;
}

function geminiImageTokens(size: Dimensions | undefined): number {
  const floor = 1_120;
  if (size === undefined) return floor;
  if (size.width <= 384 && size.height <= 384) return floor;
  return Math.max(floor, Math.ceil(size.width / 768) * Math.ceil(size.height / 768) * 258);
}

function imageTokens(family: MediaFamily, size: Dimensions | undefined, part: ImagePart, model: string): number {
  switch (family) {
    case 'anthropic':
      return anthropicImageTokens(size, model);
    case 'openai':
      return openAIImageTokens(size, part.detail, model);
    case 'gemini':
      return geminiImageTokens(size);
  }
}

/** The base64 payload of an image: its `data`, or a `data:` URL's. */
function imageBase64(part: ImagePart): string | undefined {
  if (part.data !== undefined) return part.data;
  if (part.url?.startsWith('data:') !== true) return undefined;
  const comma = part.url.indexOf(',');
  return comma > 0 && part.url.slice(0, comma).endsWith(';base64') ? part.url.slice(comma + 1) : undefined;
}

/** Width and height from an image file's header, when it is a PNG, GIF, WebP or JPEG that says. */
export function imageDimensions(bytes: Buffer): Dimensions | undefined {
  // PNG: signature, then the IHDR chunk's width and height (big-endian).
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
    return positive(bytes.readUInt32BE(16), bytes.readUInt32BE(20));
  }
  // GIF: logical screen width and height (little-endian).
  if (bytes.length >= 10 && bytes.toString('latin1', 0, 4) === 'GIF8') return positive(bytes.readUInt16LE(6), bytes.readUInt16LE(8));
  if (bytes.length >= 30 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return webpDimensions(bytes);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegDimensions(bytes);
  return undefined;
}

function positive(width: number, height: number): Dimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function webpDimensions(bytes: Buffer): Dimensions | undefined {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return positive(bytes.readUIntLE(24, 3) + 1, bytes.readUIntLE(27, 3) + 1);
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return positive((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8 ') return positive(bytes.readUInt16LE(26) & 0x3fff, bytes.readUInt16LE(28) & 0x3fff);
  return undefined;
}

/** A JPEG's size from its first start-of-frame marker (SOF0–SOF15 but DHT, JPG and DAC). */
function jpegDimensions(bytes: Buffer): Dimensions | undefined {
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return positive(bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5));
    }
    offset += 2 + length;
  }
  return undefined;
}

function dimensionsOf(part: ImagePart): Dimensions | undefined {
  const base64 = imageBase64(part);
  if (base64 === undefined) return undefined;
  return imageDimensions(Buffer.from(base64.slice(0, HEADER_BASE64_CHARACTERS), 'base64'));
}

// ---- documents ------------------------------------------------------------------------------

/**
 * A PDF's page count: the larger of its visible page objects and the page tree's largest `/Count`
 * (the root's is the whole document's; pages packed in compressed object streams are not visible
 * as objects, but the root usually is). Undefined when there is no data or neither is found.
 */
export function pdfPageCount(base64: string | undefined): number | undefined {
  if (base64 === undefined) return undefined;
  const text = Buffer.from(base64, 'base64').toString('latin1');
  // `/Type /Page` but not `/Type /Pages` (the page tree's nodes).
  const pages = text.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
  let counted = 0;
  for (const match of text.matchAll(/\/Count\s+(\d{1,6})(?!\d)/g)) counted = Math.max(counted, Number(match[1]));
  const total = Math.max(pages, counted);
  return total > 0 ? total : undefined;
}

function pdfPageTokens(family: MediaFamily, model: string): number {
  switch (family) {
    case 'anthropic':
      return PDF_PAGE_TEXT_TOKENS + anthropicImageTokens(undefined, model);
    case 'openai':
      return PDF_PAGE_TEXT_TOKENS + openAIImageTokens(undefined, 'high', model);
    case 'gemini':
      return GEMINI_PDF_PAGE_TOKENS;
  }
}

// ---- per call -------------------------------------------------------------------------------

/** What is known of one media part, read once however many targets it is priced for. */
type MediaFacts = { readonly kind: 'image'; readonly part: ImagePart; readonly size: Dimensions | undefined } | { readonly kind: 'pdf'; readonly pages: number } | { readonly kind: 'text'; readonly tokens: number };

function factsOf(part: ImagePart | DocumentPart): MediaFacts {
  if (part.type === 'image') return { kind: 'image', part, size: dimensionsOf(part) };
  if (part.mediaType === 'text/plain') {
    // Base64: 4 characters carry 3 bytes; a byte is at most a character.
    return { kind: 'text', tokens: part.data === undefined ? UNKNOWN_TEXT_TOKENS : Math.ceil((part.data.length * 3) / 4 / CHARACTERS_PER_TOKEN) };
  }
  return { kind: 'pdf', pages: pdfPageCount(part.data) ?? UNKNOWN_PDF_PAGES };
}

function tokensFor(facts: MediaFacts, family: MediaFamily, model: string): number {
  switch (facts.kind) {
    case 'image':
      return imageTokens(family, facts.size, facts.part, model);
    case 'pdf':
      return facts.pages * pdfPageTokens(family, model);
    case 'text':
      return facts.tokens;
  }
}

/**
 * The most input tokens `parts` (images and documents) may cost on any of `targets`: for each
 * target, the sum over the parts under its provider's rule; the largest sum.
 */
export function estimateMediaTokens(parts: readonly Exclude<ContentPart, { type: 'text' }>[], targets: readonly MediaTarget[]): number {
  const facts = parts.map(factsOf);
  let most = 0;
  // No target known (a custom router): every rule.
  const reachable: readonly MediaTarget[] = targets.length > 0 ? targets : [{ providerType: '', model: '' }];
  for (const target of reachable) {
    for (const family of familiesOf(target)) {
      let sum = 0;
      for (const fact of facts) sum += tokensFor(fact, family, target.model);
      most = Math.max(most, sum);
    }
  }
  return most;
}
