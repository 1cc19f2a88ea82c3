import { describe, expect, it } from 'vitest';
import { parseSse, SseParser } from '../../src/streaming/sse.js';

function feed(text: string, size: number): ReturnType<SseParser['push']> {
  const parser = new SseParser();
  const events = [];
  for (let index = 0; index < text.length; index += size) events.push(...parser.push(text.slice(index, index + size)));
  events.push(...parser.end());
  return events;
}

const transcript = 'event: a\ndata: one\n\n: keep-alive comment\n\ndata: two\ndata: lines\nid: 7\n\nevent: b\r\ndata:no-space\r\n\r\ndata: cr only\r\rretry: 100\nunknown: x\ndata: last\n\n';
const expected = [
  { event: 'a', data: 'one' },
  { event: 'message', data: 'two\nlines', id: '7' },
  { event: 'b', data: 'no-space', id: '7' },
  { event: 'message', data: 'cr only', id: '7' },
  { event: 'message', data: 'last', id: '7' },
];

describe('SseParser', () => {
  it.each([1, 2, 3, 7, 13, 1000])('parses the same events whatever the chunk size (%i)', (size) => {
    expect(feed(transcript, size)).toEqual(expected);
  });

  it('reads field names exactly, takes one space after the colon, and keeps an id with no NUL', () => {
    const text = 'datax: not data\ndat: not data\ndata:  two spaces\nevent\nid: a\u0000b\n\ndata\nid: 42\nevents: x\n\n';
    expect(feed(text, 5)).toEqual([
      { event: 'message', data: ' two spaces' },
      { event: 'message', data: '', id: '42' },
    ]);
  });

  it('keeps a CRLF split between two chunks as one line end', () => {
    const parser = new SseParser();
    expect(parser.push('data: x\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('discards an event that the stream ended before its blank line', () => {
    expect(feed('data: complete\n\ndata: cut', 4)).toEqual([{ event: 'message', data: 'complete' }]);
  });

  it('parses a 1 MiB data line fed 13 bytes at a time without rescanning it', () => {
    const payload = 'x'.repeat(1 << 20);
    // With rescanning this took minutes and hit the test timeout; now each byte is looked at once.
    const events = feed(`data: ${payload}\n\n`, 13);
    expect(events).toEqual([{ event: 'message', data: payload }]);
  });

  it('decodes multi-byte characters split across byte chunks', async () => {
    const bytes = new TextEncoder().encode('data: 你好, wörld 🚀\n\n');
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < bytes.length; index += 1) yield bytes.slice(index, index + 1);
    }
    const events = [];
    for await (const event of parseSse(chunks())) events.push(event);
    expect(events).toEqual([{ event: 'message', data: '你好, wörld 🚀' }]);
  });

  /** The events parseSse finds in `pieces`, each given as one chunk (plain Uint8Arrays, not Buffers). */
  async function eventsOf(pieces: readonly number[][]): Promise<unknown[]> {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (const piece of pieces) yield Uint8Array.from(piece);
    }
    const events = [];
    for await (const event of parseSse(chunks())) events.push(event);
    return events;
  }
  const bytesOf = (text: string): number[] => [...new TextEncoder().encode(text)];

  it('drops a byte-order mark at the start of the stream, even split across chunks, and keeps one later', async () => {
    const bom = [0xef, 0xbb, 0xbf];
    expect(await eventsOf([[...bom, ...bytesOf('data: a\n\n')]])).toEqual([{ event: 'message', data: 'a' }]);
    expect(await eventsOf([[0xef], [0xbb, 0xbf], bytesOf('data: b\n\n')])).toEqual([{ event: 'message', data: 'b' }]);
    expect(await eventsOf([bytesOf('data: '), [...bom, ...bytesOf('c\n\n')]])).toEqual([{ event: 'message', data: '\ufeffc' }]);
  });

  it('turns bytes that are not UTF-8 into U+FFFD instead of failing', async () => {
    expect(await eventsOf([[...bytesOf('data: x'), 0xff, ...bytesOf('y\n\n')]])).toEqual([{ event: 'message', data: 'x\ufffdy' }]);
    // A character whose last byte never comes (the line ends first) is replaced too.
    expect(await eventsOf([[...bytesOf('data: z'), 0xe4, 0xbd], bytesOf('\n\n')])).toEqual([{ event: 'message', data: 'z\ufffd' }]);
  });
});
