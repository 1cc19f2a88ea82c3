/**
 * Text in markup for the SVG and HTML reports: escaping (every piece of text and every attribute
 * that reaches a document goes through `escapeMarkup`), fitting text into a width, and the few
 * element builders the chart is written with.
 */

// Characters XML 1.0 does not allow at all (C0 controls other than tab, newline, carriage return; lone surrogates; U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job.
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text made safe for XML and HTML element content and double- or single-quoted attributes. */
export function escapeMarkup(text: string): string {
  return text
    .replace(INVALID_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Text cut to `max` characters, ending in `…` when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('').trimEnd()}…`;
}

/** Text broken at spaces into lines of at most `width` characters, at most `maxLines` of them (the last cut with `…`). */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    const joined = line === '' ? word : `${line} ${word}`;
    if (Array.from(joined).length <= width || line === '') {
      line = joined;
      continue;
    }
    if (lines.length === maxLines - 1) {
      lines.push(truncate(`${line} ${words.slice(index).join(' ')}`, width));
      return lines;
    }
    lines.push(line);
    line = word;
  }
  if (line !== '') lines.push(truncate(line, width));
  return lines;
}

/** A rough width of text in pixels at a font size (system sans-serif, mixed case). */
export function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * fontSize * 0.56;
}

/** A coordinate rounded to a tenth of a pixel. */
export function px(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Attributes of an element; numbers are rounded to a tenth, undefined ones left out. */
export type Attributes = Readonly<Record<string, string | number | undefined>>;

/** An element with escaped attributes; `content` is markup (already escaped), none makes it self-closing. */
export function element(name: string, attributes: Attributes, content?: string): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeMarkup(typeof value === 'number' ? String(px(value)) : value)}"`)
    .join('');
  return content === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>`;
}

/** A `<text>` element (11 px unless the attributes say otherwise) with escaped content. */
export function text(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element('text', { x, y, 'font-size': 11, ...attributes }, escapeMarkup(content));
}

/** A `<title>` (a tooltip in SVG) with escaped content. */
export function title(content: string): string {
  return element('title', {}, escapeMarkup(content));
}
